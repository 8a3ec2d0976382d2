package dev.agegate.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agegate.gateway.tokens.AgeTokens;
import dev.agegate.gateway.tokens.Pseudonyms;
import dev.agegate.gateway.tokens.SigningKeys;
import dev.agegate.testsupport.MutableClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogTest {
  @TempDir
  Path data;
  Path dir;
  MutableClock clock;
  AuditLog.Signer signer;

  @BeforeEach
  void keys() {
    dir = data.resolve("audit");
    clock = new MutableClock(Instant.now());
    SigningKeys keys = SigningKeys.open(List.of(), data, Duration.ofDays(30), clock);
    AgeTokens tokens = new AgeTokens("https://gw.example", keys, Pseudonyms.open(data));
    signer = claims -> tokens.sign(AuditLog.CHECKPOINT_TYPE, claims);
  }

  private AuditLog open(AuditLog.Options o) {
    return AuditLog.open(dir, o, signer, clock);
  }

  private AuditLog open() {
    return open(AuditLog.Options.defaults());
  }

  private AuditVerifier.Result verify(boolean live) throws IOException {
    return AuditVerifier.verify(dir, keysByKid(), live, List.of());
  }

  private Map<String, com.nimbusds.jose.jwk.ECKey> keysByKid() throws IOException {
    Map<String, com.nimbusds.jose.jwk.ECKey> m = new java.util.HashMap<>();
    SigningKeys.publicKeysIn(data.resolve("signing-keys")).forEach(k -> m.put(k.getKeyID(), k));
    return m;
  }

  private Path segment(int n) {
    return dir.resolve(AuditLog.segmentName(n));
  }

  /** A closed log of {@code n} records, with a periodic checkpoint after the first {@code n / 2}. */
  private void closedLog(int n) {
    try (AuditLog log = open()) {
      for (int i = 0; i < n; i++) {
        if (i == n / 2) {
          log.checkpoint();
        }
        log.record("check.created", Map.of("site", "shop", "min_age", 18, "n", i));
      }
    }
  }

  @Test
  void verify_untouchedLogAcrossRestart_chainIntactSignedClosed() throws Exception {
    try (AuditLog log = open()) {
      log.record("check.created", Map.of("site", "shop", "min_age", 18));
      log.record("check.verified", Map.of("site", "shop"));
    }
    try (AuditLog log = open()) {
      log.record("token.issued", Map.of("site", "shop"));
    }
    List<String> lines = Files.readAllLines(segment(1));
    assertThat(lines.get(0)).contains("\"event\":\"audit.segment\"").contains("\"prev\":\"" + AuditLog.GENESIS + "\"");
    assertThat(lines).extracting(l -> AuditLog.parse(l).getString("event")).containsExactly(
        "audit.segment", "check.created", "check.verified", "audit.closed", "audit.opened", "token.issued", "audit.closed");
    AuditVerifier.Result r = verify(false);
    assertThat(r.problem()).isNull();
    assertThat(r.checkpoints()).isEqualTo(2);
    assertThat(r.lastSignedSeq()).isEqualTo(6);
    assertThat(AuditLog.verify(dir)).isEqualTo(-1);
  }

  @Test
  void open_tornLastLine_neverAppendsAfterItNewSegmentRecordsTheBreak() throws Exception {
    closedLog(3);
    // A crash mid-write: half a record without its line end.
    Files.write(segment(1), "{\"seq\":5,\"ts\":\"2026-".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
    long tornSize = Files.size(segment(1));
    assertThat(verify(false).problem().message()).contains("unfinished record");
    try (AuditLog log = open()) {
      assertThat(log.segment()).isEqualTo(2);
      log.record("check.created", Map.of("site", "shop"));
    }
    assertThat(Files.size(segment(1))).as("the torn segment is left as it was").isEqualTo(tornSize);
    String header = Files.readAllLines(segment(2)).get(0);
    assertThat(header).contains("\"reason\":\"recovered\"").contains("\"torn_segment\":1").contains("\"torn_bytes\":20");
    AuditVerifier.Result r = verify(false);
    assertThat(r.problem()).isNull();
    assertThat(r.notes()).anyMatch(n -> n.contains("unfinished record of 20 bytes"));
  }

  @Test
  void verify_tornTailChangedAfterRecovery_detectedAtTheTornRecord() throws Exception {
    closedLog(3);
    Files.write(segment(1), "{\"seq\":5,".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
    open().close();
    Files.write(segment(1), "x".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
    AuditVerifier.Result r = verify(false);
    assertThat(r.problem().file()).isEqualTo(AuditLog.segmentName(1));
    assertThat(r.problem().message()).contains("does not record");
  }

  @Test
  void verify_rewrittenRecordWithRecomputedChain_detectedAtTheNextCheckpoint() throws Exception {
    closedLog(6);
    // The forger changes record 2 and recomputes every prev after it: the chain holds, the
    // checkpoint's signature (over the old head) does not.
    List<String> lines = new ArrayList<>(Files.readAllLines(segment(1)));
    lines.set(2, lines.get(2).replace("\"min_age\":18", "\"min_age\":21"));
    for (int i = 3; i < lines.size(); i++) {
      String prevHash = AuditLog.sha256(lines.get(i - 1));
      lines.set(i, lines.get(i).replaceFirst("\"prev\":\"[0-9a-f]{64}\"", "\"prev\":\"" + prevHash + "\""));
    }
    Files.write(segment(1), lines, StandardCharsets.UTF_8);
    AuditVerifier.Result r = verify(false);
    assertThat(r.problem()).isNotNull();
    assertThat(r.problem().seq()).isEqualTo(4); // the periodic checkpoint after records 1..3
    assertThat(r.problem().message()).contains("rewritten");
  }

  @Test
  void verify_editedRecord_breaksAtTheNextRecord() throws Exception {
    closedLog(4);
    List<String> lines = new ArrayList<>(Files.readAllLines(segment(1)));
    lines.set(1, lines.get(1).replace("\"site\":\"shop\"", "\"site\":\"shoq\""));
    Files.write(segment(1), lines, StandardCharsets.UTF_8);
    AuditVerifier.Result r = verify(false);
    assertThat(r.problem().line()).isEqualTo(3);
    assertThat(r.problem().seq()).isEqualTo(2);
    assertThat(AuditLog.verify(dir)).isEqualTo(2);
  }

  @Test
  void verify_removedRecord_detected() throws Exception {
    closedLog(3);
    List<String> lines = new ArrayList<>(Files.readAllLines(segment(1)));
    lines.remove(1);
    Files.write(segment(1), lines, StandardCharsets.UTF_8);
    assertThat(verify(false).problem().message()).contains("removed");
  }

  @Test
  void verify_tailCutAfterACheckpoint_detected() throws Exception {
    closedLog(6);
    List<String> lines = Files.readAllLines(segment(1));
    int checkpoint = 4;
    assertThat(lines.get(checkpoint)).contains("audit.checkpoint");
    // whole records after the checkpoint cut away, as a forger would, keeping the file well formed
    Files.write(segment(1), lines.subList(0, checkpoint + 2), StandardCharsets.UTF_8);
    AuditVerifier.Result r = verify(false);
    assertThat(r.problem()).isNotNull();
    assertThat(r.problem().message()).contains("ends without audit.closed").contains("cut");
    assertThat(r.problem().seq()).isEqualTo(checkpoint + 1);
    // cut to just after the checkpoint: the same
    Files.write(segment(1), lines.subList(0, checkpoint + 1), StandardCharsets.UTF_8);
    assertThat(verify(false).problem().message()).contains("ends without audit.closed");
    // and cut mid-record
    Files.write(segment(1), (String.join("\n", lines.subList(0, checkpoint + 2)) + "\n" + lines.get(checkpoint + 2).substring(0, 10))
        .getBytes(StandardCharsets.UTF_8));
    assertThat(verify(false).problem().message()).contains("unfinished record");
  }

  @Test
  void verify_anchorPastTheEnd_detectsACutBackToAnEarlierClose() throws Exception {
    closedLog(2);
    List<String> firstRun = Files.readAllLines(segment(1));
    try (AuditLog log = open()) {
      log.record("check.created", Map.of("site", "shop"));
    }
    List<String> all = Files.readAllLines(segment(1));
    String last = all.get(all.size() - 1);
    AuditVerifier.Anchor anchor = new AuditVerifier.Anchor(all.size() - 1, AuditLog.sha256(last));
    assertThat(AuditVerifier.verify(dir, keysByKid(), false, List.of(anchor)).problem()).isNull();
    // cut back to the first run's close: well formed, ends closed, but the anchor is gone
    Files.write(segment(1), firstRun, StandardCharsets.UTF_8);
    assertThat(verify(false).problem()).isNull();
    AuditVerifier.Result r = AuditVerifier.verify(dir, keysByKid(), false, List.of(anchor));
    assertThat(r.problem().message()).contains("past the end").contains("cut");
  }

  @Test
  void rotation_smallSegments_chainedSegmentsEachBeginWithTheLink() throws Exception {
    AuditLog.Options o = new AuditLog.Options(AuditLog.Force.ALWAYS, Duration.ofSeconds(1), 4096, Duration.ofMinutes(5));
    try (AuditLog log = open(o)) {
      for (int i = 0; i < 60; i++) {
        log.record("check.rejected", Map.of("site", "shop", "reason", "proof_invalid", "n", i));
      }
      assertThat(log.segment()).isGreaterThanOrEqualTo(3);
    }
    for (int n = 2; Files.exists(segment(n)); n++) {
      List<String> prevLines = Files.readAllLines(segment(n - 1));
      String header = Files.readAllLines(segment(n)).get(0);
      assertThat(prevLines.get(prevLines.size() - 1)).contains("audit.checkpoint");
      assertThat(header).contains("\"segment\":" + n).contains("\"reason\":\"rotated\"")
          .contains("\"prev\":\"" + AuditLog.sha256(prevLines.get(prevLines.size() - 1)) + "\"");
      assertThat(Files.size(segment(n - 1))).isLessThanOrEqualTo(4096 + 1024);
    }
    assertThat(verify(false).problem()).isNull();
  }

  @Test
  void verify_deletedSegment_detected() throws Exception {
    AuditLog.Options o = new AuditLog.Options(AuditLog.Force.NEVER, Duration.ofSeconds(1), 4096, Duration.ofMinutes(5));
    try (AuditLog log = open(o)) {
      for (int i = 0; i < 60; i++) {
        log.record("check.rejected", Map.of("site", "shop", "reason", "proof_invalid", "n", i));
      }
    }
    int last = 1;
    while (Files.exists(segment(last + 1))) {
      last++;
    }
    assertThat(last).isGreaterThanOrEqualTo(3);
    Path middle = data.resolve("middle");
    Files.move(segment(2), middle);
    AuditVerifier.Result r = verify(false);
    assertThat(r.problem().message()).contains("segment 2").contains("missing");
    assertThat(r.problem().file()).isEqualTo(AuditLog.segmentName(3));
    Files.move(middle, segment(2));
    // the newest segment gone: the log now ends at a rotation checkpoint, not a close
    Files.delete(segment(last));
    assertThat(verify(false).problem().message()).contains("ends without audit.closed");
    // the first gone
    Files.delete(segment(1));
    assertThat(verify(false).problem().message()).contains("segment 1").contains("missing");
  }

  @Test
  void verify_checkpointSignedByAnotherKey_detected() throws Exception {
    closedLog(2);
    Path otherData = data.resolve("other");
    SigningKeys other = SigningKeys.open(List.of(), otherData, Duration.ofDays(30), clock);
    Map<String, com.nimbusds.jose.jwk.ECKey> wrong = new java.util.HashMap<>();
    SigningKeys.publicKeysIn(otherData.resolve("signing-keys")).forEach(k -> wrong.put(k.getKeyID(), k));
    assertThat(other.currentKid()).isNotNull();
    AuditVerifier.Result r = AuditVerifier.verify(dir, wrong, false, List.of());
    assertThat(r.problem().message()).contains("not among the keys given");
  }

  @Test
  void maintain_checkpointIntervalPassed_signedCheckpointWritten() throws Exception {
    try (AuditLog log = open()) {
      log.record("check.created", Map.of("site", "shop"));
      log.maintain();
      assertThat(Files.readString(segment(1))).doesNotContain("audit.checkpoint");
      clock.advance(Duration.ofMinutes(5));
      log.maintain();
      assertThat(Files.readString(segment(1))).contains("audit.checkpoint");
      long size = Files.size(segment(1));
      clock.advance(Duration.ofMinutes(5));
      log.maintain();
      assertThat(Files.size(segment(1))).as("no checkpoint without new records").isEqualTo(size);
      assertThat(AuditVerifier.verify(dir, keysByKid(), true, List.of()).lastSignedSeq()).isEqualTo(2);
    }
  }

  @Test
  void force_policies_forceWhenTheySay() throws Exception {
    AuditLog.Options always = new AuditLog.Options(AuditLog.Force.ALWAYS, Duration.ofSeconds(1), 1 << 20, Duration.ofMinutes(5));
    try (AuditLog log = open(always)) {
      long before = log.forces();
      log.record("check.created", Map.of("site", "shop"));
      log.record("check.created", Map.of("site", "shop"));
      assertThat(log.forces() - before).isEqualTo(2);
    }
    AuditLog.Options interval = new AuditLog.Options(AuditLog.Force.INTERVAL, Duration.ofHours(1), 1 << 20, Duration.ofDays(1));
    try (AuditLog log = open(interval)) {
      long before = log.forces();
      log.record("check.created", Map.of("site", "shop"));
      log.record("check.created", Map.of("site", "shop"));
      log.maintain();
      assertThat(log.forces()).isEqualTo(before);
      clock.advance(Duration.ofHours(1));
      log.maintain();
      assertThat(log.forces()).isEqualTo(before + 1);
    }
    AuditLog.Options never = new AuditLog.Options(AuditLog.Force.NEVER, Duration.ofSeconds(1), 1 << 20, Duration.ofDays(1));
    try (AuditLog log = open(never)) {
      long before = log.forces();
      log.record("check.created", Map.of("site", "shop"));
      clock.advance(Duration.ofHours(1));
      log.maintain();
      assertThat(log.forces()).isEqualTo(before);
    }
  }

  @Test
  void record_concurrentCallersWithForceAlways_everyRecordChainedOnceAndForced() throws Exception {
    int threads = 8;
    int each = 40;
    long forcesBefore;
    try (AuditLog log = open()) {
      forcesBefore = log.forces();
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
      java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
      List<java.util.concurrent.Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        done.add(pool.submit(() -> {
          go.await();
          for (int i = 0; i < each; i++) {
            log.record("check.created", Map.of("site", "shop", "n", id * 1000 + i));
          }
          return null;
        }));
      }
      go.countDown();
      for (var f : done) {
        f.get(60, java.util.concurrent.TimeUnit.SECONDS);
      }
      pool.shutdown();
      long forces = log.forces() - forcesBefore;
      assertThat(forces).isPositive().isLessThanOrEqualTo(threads * each);
      System.out.println("group commit: " + threads * each + " records, " + forces + " forces");
    }
    assertThat(verify(false).problem()).isNull();
    List<String> lines = Files.readAllLines(segment(1));
    assertThat(lines.stream().filter(l -> l.contains("check.created")).map(l -> AuditLog.parse(l).getInt("n")).distinct())
        .hasSize(threads * each);
  }

  @Test
  void writeFully_channelThatWritesOneByteAtATime_everyByteWritten() throws Exception {
    Path f = data.resolve("short");
    try (FileChannel real = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      FileChannel oneByte = new OneByteChannel(real);
      AuditLog.writeFully(oneByte, ByteBuffer.wrap("a whole record\n".getBytes(StandardCharsets.UTF_8)));
    }
    assertThat(Files.readString(f)).isEqualTo("a whole record\n");
  }

  @Test
  void record_interruptedCaller_recordWrittenInterruptKeptLogStillWorks() throws Exception {
    try (AuditLog log = open()) {
      Thread.currentThread().interrupt();
      try {
        log.record("check.created", Map.of("site", "shop"));
        assertThat(Thread.currentThread().isInterrupted()).isTrue();
      } finally {
        Thread.interrupted();
      }
      log.record("check.created", Map.of("site", "shop"));
    }
    assertThat(verify(false).problem()).isNull();
    assertThat(Files.readAllLines(segment(1))).hasSize(4);
  }

  @Test
  void record_reservedField_refused() {
    try (AuditLog log = open()) {
      assertThatThrownBy(() -> log.record("x", Map.of("prev", "0"))).hasMessageContaining("reserved");
    }
  }

  @Test
  void record_afterClose_refused() {
    AuditLog log = open();
    log.close();
    assertThatThrownBy(() -> log.record("x", Map.of())).hasMessageContaining("closed");
  }

  @Test
  void open_fileWhereTheFolderShouldBe_refused() throws Exception {
    Files.writeString(dir, "old single-file log");
    assertThatThrownBy(this::open).hasMessageContaining("is a file");
  }

  @Test
  void command_exitCodes() throws Exception {
    closedLog(4);
    assertThat(run("verify", dir.toString())).isZero(); // keys found at ../signing-keys
    assertThat(out.toString()).contains("valid");
    assertThat(run("verify", dir.toString(), "--keys", data.resolve("signing-keys").toString())).isZero();
    Path jwks = data.resolve("jwks.json");
    Files.writeString(jwks, new com.nimbusds.jose.jwk.JWKSet(new ArrayList<>(keysByKid().values())).toString());
    assertThat(run("verify", dir.toString(), "--jwks", jwks.toString())).isZero();
    com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
        new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
    byte[] body = Files.readAllBytes(jwks);
    server.createContext("/.well-known/jwks.json", x -> {
      x.getResponseHeaders().add("Content-Type", "application/jwk-set+json");
      x.sendResponseHeaders(200, body.length);
      x.getResponseBody().write(body);
      x.close();
    });
    server.start();
    try {
      assertThat(run("verify", dir.toString(), "--jwks",
          "http://127.0.0.1:" + server.getAddress().getPort() + "/.well-known/jwks.json")).as(err.toString()).isZero();
    } finally {
      server.stop(0);
    }

    List<String> lines = new ArrayList<>(Files.readAllLines(segment(1)));
    lines.set(2, lines.get(2).replace("shop", "shoq"));
    Files.write(segment(1), lines, StandardCharsets.UTF_8);
    assertThat(run("verify", dir.toString())).isEqualTo(AuditCommand.BROKEN);
    assertThat(out.toString()).contains("BROKEN at " + AuditLog.segmentName(1) + " line 4 (seq 3)");

    assertThat(run("verify")).isEqualTo(AuditCommand.USAGE);
    assertThat(run("verify", dir.toString(), "--bogus")).isEqualTo(AuditCommand.USAGE);
    assertThat(run("verify", data.resolve("nowhere").resolve("audit").toString())).isEqualTo(AuditCommand.USAGE);
    assertThat(err.toString()).contains("usage:");
  }

  private ByteArrayOutputStream out;
  private ByteArrayOutputStream err;

  private int run(String... args) {
    out = new ByteArrayOutputStream();
    err = new ByteArrayOutputStream();
    return AuditCommand.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void ref_transactionId_shortHashNotTheId() {
    assertThat(AuditLog.ref("XXJOizl7Je-guiwtNReTUw")).hasSize(16).doesNotContain("XXJO");
  }

  /** A channel that writes at most one byte per call, as a file channel may under pressure. */
  private static final class OneByteChannel extends FileChannel {
    private final FileChannel real;

    OneByteChannel(FileChannel real) {
      this.real = real;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      if (!src.hasRemaining()) {
        return 0;
      }
      ByteBuffer one = src.slice(src.position(), 1);
      int n = real.write(one);
      src.position(src.position() + n);
      return n;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      return real.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
      return real.read(dsts, offset, length);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) {
      throw new UnsupportedOperationException();
    }

    @Override
    public long position() throws IOException {
      return real.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
      real.position(newPosition);
      return this;
    }

    @Override
    public long size() throws IOException {
      return real.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      real.truncate(size);
      return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
      real.force(metaData);
    }

    @Override
    public long transferTo(long position, long count, java.nio.channels.WritableByteChannel target) {
      throw new UnsupportedOperationException();
    }

    @Override
    public long transferFrom(java.nio.channels.ReadableByteChannel src, long position, long count) {
      throw new UnsupportedOperationException();
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return real.read(dst, position);
    }

    @Override
    public int write(ByteBuffer src, long position) {
      throw new UnsupportedOperationException();
    }

    @Override
    public java.nio.MappedByteBuffer map(MapMode mode, long position, long size) {
      throw new UnsupportedOperationException();
    }

    @Override
    public java.nio.channels.FileLock lock(long position, long size, boolean shared) {
      throw new UnsupportedOperationException();
    }

    @Override
    public java.nio.channels.FileLock tryLock(long position, long size, boolean shared) {
      throw new UnsupportedOperationException();
    }

    @Override
    protected void implCloseChannel() {
      // the real channel is closed by its owner
    }
  }
}
