package dev.agegate.gateway.audit;

import static dev.agegate.gateway.http.JsonSupport.JSON;

import com.nimbusds.jose.JOSEObjectType;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * An append-only, hash-chained audit log of outcomes, kept as a folder of segments
 * ({@code audit-000001.jsonl}, {@code audit-000002.jsonl}, ...), one JSON object per line.
 *
 * <p>Every record has {@code seq} (0, 1, 2, ... across all segments), {@code ts}, {@code event},
 * its fields, and last {@code prev}: the lower-case hex SHA-256 of the previous record's line
 * (64 zeros before the very first). The chain runs across segments: each segment opens with an
 * {@code audit.segment} record ({@code segment}: its number, {@code reason}: {@code new},
 * {@code rotated} or {@code recovered}) whose {@code prev} is the previous segment's head. With
 * a {@link Signer}, an {@code audit.checkpoint} record ({@code covers}: the seq of the record
 * before it; {@code jws}: an ES256 JWS of {@code {"audit_seq","audit_head","iat"}} by the
 * gateway's token signing key) is written every {@code checkpointInterval} while records arrive,
 * as the last record of a segment before rotation, and as {@code audit.closed} when the log
 * is closed. Editing, removing or reordering records breaks the chain; rewriting the chain
 * from some record on is caught by the next checkpoint; cutting the tail is caught because the
 * log no longer ends with {@code audit.closed} ({@link AuditVerifier}).
 *
 * <p>Durability: each record is written whole (looping on short writes; a failed write is cut
 * back off the file, and if that fails too the log refuses every later record, so callers fail
 * rather than proceed unrecorded). The {@link Force} policy says when it reaches the disk. On
 * open, bytes after the last complete line of the newest segment (a torn write) are left in
 * place as evidence and a new segment begins whose header records their length and SHA-256
 * ({@code reason: recovered}); nothing is ever appended after a torn line. A segment becomes
 * visible only with its header in it (written to a temporary file, forced, renamed).
 *
 * <p>Records hold no personal data and no secrets: a timestamp, the event, the site, a short
 * hash of the transaction id ({@link #ref}), ages, outcomes and reasons. Thread-safe.
 */
public final class AuditLog implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(AuditLog.class.getName());

  /** The {@code prev} of the first record. */
  public static final String GENESIS = "0".repeat(64);
  /** The JWS {@code typ} of a checkpoint. */
  public static final JOSEObjectType CHECKPOINT_TYPE = new JOSEObjectType("agegate-audit-checkpoint+jwt");
  static final String SEGMENT = "audit.segment";
  static final String CHECKPOINT = "audit.checkpoint";
  static final String CLOSED = "audit.closed";
  static final String OPENED = "audit.opened";
  private static final Pattern SEGMENT_NAME = Pattern.compile("audit-(\\d{6,9})\\.jsonl");
  private static final Set<String> RESERVED = Set.of("seq", "ts", "event", "prev", "covers", "jws");
  /** The file whose lock marks the folder as written by one open log (one process). */
  static final String LOCK_FILE = ".lock";

  /** When records are forced to the disk ({@code agegate.audit.force}). */
  public enum Force {
    /**
     * After every record, before {@link #record} returns: no acknowledged record is lost (the
     * default). Concurrent records share forces (group commit).
     */
    ALWAYS,
    /** At most {@code forceInterval} after a record: a power loss may lose that much, a process crash nothing. */
    INTERVAL,
    /** Left to the operating system; checkpoints and close are still forced. */
    NEVER;

    /** Parses {@code always}, {@code interval} or {@code never}. */
    public static Force parse(String key, String v) {
      return switch (v.strip().toLowerCase(Locale.ROOT)) {
        case "always" -> ALWAYS;
        case "interval" -> INTERVAL;
        case "never" -> NEVER;
        default -> throw new IllegalArgumentException(key + ": '" + v + "' is not always, interval or never");
      };
    }
  }

  /**
   * How the log is kept.
   *
   * @param force when records reach the disk
   * @param forceInterval for {@link Force#INTERVAL}: longest delay before a force
   * @param segmentBytes once a segment has reached this size, the next record begins a new one
   * @param checkpointInterval least time between periodic checkpoints (with a signer)
   */
  public record Options(Force force, Duration forceInterval, long segmentBytes, Duration checkpointInterval) {
    public Options {
      if (force == null) {
        throw new IllegalArgumentException("agegate.audit.force is required");
      }
      if (forceInterval.isNegative() || forceInterval.isZero()) {
        throw new IllegalArgumentException("agegate.audit.force-interval: " + forceInterval + " is out of range");
      }
      if (segmentBytes < 4096) {
        throw new IllegalArgumentException("agegate.audit.segment-bytes: " + segmentBytes + " is out of range (4096 or more)");
      }
      if (checkpointInterval.isNegative() || checkpointInterval.isZero()) {
        throw new IllegalArgumentException("agegate.audit.checkpoint-interval: " + checkpointInterval + " is out of range");
      }
    }

    /** {@code always}, 1 s, 64 MiB segments, a checkpoint every 5 minutes. */
    public static Options defaults() {
      return new Options(Force.ALWAYS, Duration.ofSeconds(1), 64L << 20, Duration.ofMinutes(5));
    }
  }

  /** Signs a checkpoint's claims as a compact JWS (the gateway passes its token signer). */
  @FunctionalInterface
  public interface Signer {
    String sign(Map<String, Object> claims);
  }

  private final Path dir;
  private final Options options;
  private final Signer signer;
  private final Clock clock;
  private final ScheduledExecutorService timer;
  private FileChannel channel;
  /** Holds the folder's {@link #LOCK_FILE} lock while the log is open. */
  private FileChannel lockChannel;
  private Path lockPath;
  /** The lock files held by open logs of this JVM. */
  private static final Set<Path> HELD = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private int segment;
  private long segmentSize;
  private long seq;
  private String prev;
  private boolean dirty;
  private Instant lastForce;
  private long sinceCheckpoint;
  private Instant lastCheckpoint;
  private boolean closed;
  private IOException failed;
  private final java.util.concurrent.atomic.AtomicLong forces = new java.util.concurrent.atomic.AtomicLong();
  /** Bytes appended since open, over all segments (guarded by this). */
  private long written;
  /** Of {@link #written}, how many are known to be on disk. */
  private final java.util.concurrent.atomic.AtomicLong durable = new java.util.concurrent.atomic.AtomicLong();
  /** Held by the one thread forcing for {@link Force#ALWAYS}; the others wait on it, and most find their record forced. */
  private final Object forceLock = new Object();

  private AuditLog(Path dir, Options options, Signer signer, Clock clock) {
    this.dir = dir;
    this.options = options;
    this.signer = signer;
    this.clock = clock;
    this.lastForce = clock.instant();
    this.lastCheckpoint = clock.instant();
    boolean needsTimer = options.force() == Force.INTERVAL || signer != null;
    this.timer = needsTimer ? Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "agegate-audit");
      t.setDaemon(true);
      return t;
    }) : null;
  }

  /** Opens (or creates) the log in folder {@code dir} with {@link Options#defaults()} and no checkpoints. */
  public static AuditLog open(Path dir, Clock clock) {
    return open(dir, Options.defaults(), null, clock);
  }

  /**
   * Opens (or creates) the log in folder {@code dir} and continues its chain (see the class for
   * torn-tail recovery).
   *
   * @param signer signs checkpoints; null for none
   * @throws UncheckedIOException if the folder cannot be read or written
   * @throws IllegalStateException if the newest segment has no complete record, or its last
   *     complete line is not a record (the message says what to do)
   */
  public static AuditLog open(Path dir, Options options, Signer signer, Clock clock) {
    AuditLog log = new AuditLog(dir, options, signer, clock);
    try {
      if (Files.isRegularFile(dir)) {
        throw new IllegalStateException("agegate.audit.dir: " + dir + " is a file; the audit log is a folder of segments");
      }
      Files.createDirectories(dir);
      log.lockFolder();
      log.resume();
    } catch (IOException e) {
      log.stopTimer();
      log.unlockFolder();
      throw new UncheckedIOException("agegate.audit.dir: cannot open the audit log in " + dir, e);
    } catch (RuntimeException e) {
      log.stopTimer();
      log.unlockFolder();
      throw e;
    }
    if (log.timer != null) {
      long tick = options.force() == Force.INTERVAL ? Math.min(options.forceInterval().toMillis(), 1000) : 1000;
      log.timer.scheduleWithFixedDelay(log::maintainQuietly, tick, Math.max(tick, 10), TimeUnit.MILLISECONDS);
    }
    return log;
  }

  /**
   * Takes the folder's lock, so that a second gateway process on the same folder (started twice
   * by mistake, or a restart overlapping the old process) is refused before it writes anything:
   * two writers would each continue the chain from their own head and break it for good. An OS
   * file lock ({@code fcntl} on Unix): released when the log is closed or the process ends.
   *
   * @throws IllegalStateException if another open log (in this process or another) holds it
   */
  private void lockFolder() throws IOException {
    Path lockFile = dir.toRealPath().resolve(LOCK_FILE);
    // Within this JVM the registry decides: a second channel on the file must not even be
    // opened, since closing it could drop the first one's lock (POSIX locks are per process).
    if (!HELD.add(lockFile)) {
      throw inUse(lockFile);
    }
    lockPath = lockFile;
    lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    if (lockChannel.tryLock() == null) {
      throw inUse(lockFile);
    }
  }

  private IllegalStateException inUse(Path lockFile) {
    return new IllegalStateException("agegate.audit.dir: the audit log in " + dir + " is in use by another gateway"
        + " process or instance (it holds a lock on " + lockFile + "); stop it first, or give this one its own"
        + " agegate.data-dir");
  }

  private void unlockFolder() {
    try {
      if (lockChannel != null) {
        lockChannel.close(); // releases the lock
      }
    } catch (IOException ignored) {
      // closing
    } finally {
      lockChannel = null;
      if (lockPath != null) {
        HELD.remove(lockPath);
        lockPath = null;
      }
    }
  }

  /** Segment {@code n}'s file name. */
  static String segmentName(int n) {
    return String.format(Locale.ROOT, "audit-%06d.jsonl", n);
  }

  /** The segments in {@code dir}, by number (gaps included as found). */
  static List<Map.Entry<Integer, Path>> segments(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> {
        Matcher m = SEGMENT_NAME.matcher(p.getFileName().toString());
        return m.matches() ? Map.entry(Integer.parseInt(m.group(1)), p) : null;
      }).filter(e -> e != null).sorted(Map.Entry.comparingByKey()).toList();
    }
  }

  private void resume() throws IOException {
    List<Map.Entry<Integer, Path>> segs = segments(dir);
    if (segs.isEmpty()) {
      prev = GENESIS;
      seq = 0;
      startSegment(1, Map.of("reason", "new"));
      return;
    }
    Map.Entry<Integer, Path> last = segs.get(segs.size() - 1);
    byte[] bytes = Files.readAllBytes(last.getValue());
    int end = lastIndexOf(bytes, (byte) '\n', bytes.length - 1);
    if (end < 0) {
      throw new IllegalStateException("audit log segment " + last.getValue() + " holds no complete record; run"
          + " `agegate-gateway audit verify " + dir + "`, then move the folder aside to start a new log");
    }
    int start = lastIndexOf(bytes, (byte) '\n', end - 1) + 1;
    String lastLine = new String(bytes, start, end - start, StandardCharsets.UTF_8);
    JsonObject o = parse(lastLine);
    if (o == null || !o.containsKey("seq") || !o.containsKey("prev")) {
      throw new IllegalStateException("audit log segment " + last.getValue() + ": its last line is not a record; run"
          + " `agegate-gateway audit verify " + dir + "`, then move the folder aside to start a new log");
    }
    prev = sha256(lastLine);
    seq = o.getJsonNumber("seq").longValueExact() + 1;
    int tornBytes = bytes.length - end - 1;
    if (tornBytes > 0) {
      byte[] torn = java.util.Arrays.copyOfRange(bytes, end + 1, bytes.length);
      LOG.warning("audit log " + last.getValue() + " ends with " + tornBytes + " bytes of an unfinished record;"
          + " they stay there, and segment " + (last.getKey() + 1) + " records the break");
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("reason", "recovered");
      f.put("torn_segment", last.getKey());
      f.put("torn_bytes", tornBytes);
      f.put("torn_sha256", HexFormat.of().formatHex(digest(torn)));
      startSegment(last.getKey() + 1, f);
      return;
    }
    segment = last.getKey();
    channel = FileChannel.open(last.getValue(), StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    segmentSize = bytes.length;
    append(OPENED, Map.of("previous", CLOSED.equals(o.getString("event", "")) ? "closed" : "unclosed"));
    forceNow(false);
  }

  /**
   * Appends one event; returns once it is written (and, with {@link Force#ALWAYS}, on disk).
   *
   * @param event what happened, e.g. {@code check.verified}
   * @param fields further string or number fields (never personal data); not {@code seq},
   *     {@code ts}, {@code event}, {@code prev}, {@code covers} or {@code jws}
   * @throws UncheckedIOException if the record could not be written; the log then holds no
   *     part of it
   * @throws IllegalStateException after {@link #close()}, or once a failed write could not be undone
   */
  public void record(String event, Map<String, Object> fields) {
    for (String k : fields.keySet()) {
      if (RESERVED.contains(k)) {
        throw new IllegalArgumentException("audit field '" + k + "' is reserved");
      }
    }
    // A pending interrupt would make the channel close itself at the first write (and the
    // record fail): hold it back for the write and give it back afterwards.
    boolean interrupted = Thread.interrupted();
    try {
      long end;
      synchronized (this) {
        rotateIfFull();
        append(event, fields);
        end = written;
      }
      if (options.force() == Force.ALWAYS) {
        interrupted |= awaitDurable(end);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to the audit log in " + dir, e);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Writes a checkpoint now, if there is a signer and a record since the last one. */
  public synchronized void checkpoint() {
    try {
      if (signer != null && sinceCheckpoint > 0) {
        writeCheckpoint(CHECKPOINT);
        forceNow(true);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append a checkpoint to the audit log in " + dir, e);
    }
  }

  /** The timer's work: a due force ({@link Force#INTERVAL}) and a due checkpoint. Called every second or so. */
  synchronized void maintain() throws IOException {
    if (closed || failed != null) {
      return;
    }
    Instant now = clock.instant();
    if (signer != null && sinceCheckpoint > 0 && !now.isBefore(lastCheckpoint.plus(options.checkpointInterval()))) {
      writeCheckpoint(CHECKPOINT);
      forceNow(true);
    }
    if (dirty && options.force() == Force.INTERVAL && !now.isBefore(lastForce.plus(options.forceInterval()))) {
      forceNow(false);
    }
  }

  private void maintainQuietly() {
    try {
      maintain();
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, "audit log upkeep failed: " + e.getMessage(), e);
    }
  }

  /** The number of the segment being written. */
  public synchronized int segment() {
    return segment;
  }

  /** The seq the next record will have. */
  public synchronized long nextSeq() {
    return seq;
  }

  /** The SHA-256 of the last record's line: what the next record's {@code prev} will be. */
  public synchronized String head() {
    return prev;
  }

  /** How many times the log forced its file to disk: for tests of the policy. */
  long forces() {
    return forces.get();
  }

  /**
   * Returns once the first {@code end} bytes appended are on disk (group commit): one thread
   * at a time forces the segment outside the log's lock, covering every record appended until
   * then, so records that arrive during a force share the next one instead of queueing one
   * force each.
   *
   * @return whether this thread was interrupted meanwhile (the flag is cleared to finish the force)
   */
  private boolean awaitDurable(long end) throws IOException {
    boolean interrupted = false;
    synchronized (forceLock) {
      for (int attempt = 0; durable.get() < end; attempt++) {
        FileChannel ch;
        long upTo;
        synchronized (this) {
          if (failed != null) {
            throw failed;
          }
          ensureOpen();
          ch = channel;
          upTo = written;
        }
        try {
          beforeForce.run();
          ch.force(false);
          forces.incrementAndGet();
          durable.accumulateAndGet(upTo, Math::max);
        } catch (java.nio.channels.ClosedChannelException e) {
          // A rotation closed it after forcing it (durable then covers its bytes), or an
          // interrupt did: look again, with a fresh channel.
          interrupted |= Thread.interrupted();
          if (attempt >= 3) {
            throw e;
          }
        } catch (IOException e) {
          forceFailed(e);
          throw e;
        }
      }
    }
    return interrupted;
  }

  private void rotateIfFull() throws IOException {
    if (segmentSize < options.segmentBytes()) {
      return;
    }
    if (signer != null) {
      writeCheckpoint(CHECKPOINT);
    }
    // Forced whatever the policy: the next segment is forced into place and links to this
    // one's head, which must not be lost under it.
    forceNow(true);
    channel.close();
    startSegment(segment + 1, Map.of("reason", "rotated"));
  }

  /** Writes segment {@code n} with its header record to a temporary file, forces it and renames it into place. */
  private void startSegment(int n, Map<String, Object> headerFields) throws IOException {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("segment", n);
    f.putAll(headerFields);
    String line = line(SEGMENT, f);
    byte[] b = (line + "\n").getBytes(StandardCharsets.UTF_8);
    Path tmp = Files.createTempFile(dir, ".segment-", ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      writeFully(ch, ByteBuffer.wrap(b));
      ch.force(true);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    Path target = dir.resolve(segmentName(n));
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    forceDirectory(dir);
    channel = FileChannel.open(target, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    segment = n;
    segmentSize = b.length;
    written += b.length;
    durable.accumulateAndGet(written, Math::max); // everything before it was forced, and it too
    prev = sha256(line);
    seq++;
    sinceCheckpoint++;
  }

  private void writeCheckpoint(String event) throws IOException {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("covers", seq - 1);
    if (signer != null) {
      Map<String, Object> claims = new LinkedHashMap<>();
      claims.put("audit_seq", seq - 1);
      claims.put("audit_head", prev);
      claims.put("iat", clock.instant().getEpochSecond());
      f.put("jws", signer.sign(claims));
    }
    long covers = seq - 1;
    String head = prev;
    append(event, f);
    sinceCheckpoint = 0;
    lastCheckpoint = clock.instant();
    // A copy of each checkpoint in the process log: kept off this disk by the log shipping, it
    // is an anchor for `audit verify --anchor` that survives the log folder.
    LOG.info("audit " + event + " covers seq " + covers + " head " + head);
  }

  private void append(String event, Map<String, Object> fields) throws IOException {
    if (closed) {
      throw new IllegalStateException("the audit log is closed");
    }
    if (failed != null) {
      throw new IllegalStateException("the audit log refuses records after a write it could not undo or a force"
          + " that failed", failed);
    }
    String line = line(event, fields);
    byte[] b = (line + "\n").getBytes(StandardCharsets.UTF_8);
    long before = segmentSize;
    try {
      ensureOpen();
      writeFully(channel, ByteBuffer.wrap(b));
    } catch (IOException e) {
      try {
        ensureOpen();
        channel.truncate(before);
      } catch (IOException | RuntimeException undo) {
        e.addSuppressed(undo);
        failed = e;
      }
      throw e;
    }
    segmentSize += b.length;
    written += b.length;
    prev = sha256(line);
    seq++;
    sinceCheckpoint++;
    dirty = true;
  }

  private String line(String event, Map<String, Object> fields) {
    JsonObjectBuilder b = JSON.createObjectBuilder()
        .add("seq", seq)
        .add("ts", clock.instant().toString())
        .add("event", event);
    fields.forEach((k, v) -> {
      if (v instanceof Number n) {
        b.add(k, n.longValue());
      } else if (v != null) {
        b.add(k, v.toString());
      }
    });
    b.add("prev", prev);
    return b.build().toString();
  }

  /** Loops until every byte is written: {@link FileChannel#write} may write fewer. */
  static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }

  /**
   * Reopens the segment if its channel was closed under us: a {@link FileChannel} closes itself
   * when a thread is interrupted in an operation on it (a request thread cancelled mid-write),
   * which would otherwise end the log for every caller. Bytes a cut-off write left past the
   * last whole record are removed.
   */
  private void ensureOpen() throws IOException {
    if (channel.isOpen()) {
      return;
    }
    channel = FileChannel.open(dir.resolve(segmentName(segment)), StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    if (channel.size() > segmentSize) {
      channel.truncate(segmentSize);
    }
    LOG.warning("audit log: segment " + segment + " reopened after its channel was closed by an interrupt");
  }

  /** Forces the segment unless the policy is {@link Force#NEVER} and {@code evenIfNever} is false. */
  private void forceNow(boolean evenIfNever) throws IOException {
    ensureOpen();
    if (options.force() != Force.NEVER || evenIfNever || closed) {
      try {
        beforeForce.run();
        channel.force(false);
      } catch (java.nio.channels.ClosedChannelException e) {
        throw e;
      } catch (IOException e) {
        forceFailed(e);
        throw e;
      }
      forces.incrementAndGet();
      durable.accumulateAndGet(written, Math::max);
    }
    dirty = false;
    lastForce = clock.instant();
  }

  /**
   * After a failed force nothing written since the last good one is known to be on disk (the
   * kernel may have dropped those pages and reports the error once): a later force that
   * succeeds proves nothing about them, so the log refuses every later record.
   */
  private void forceFailed(IOException e) {
    synchronized (this) {
      if (failed == null) {
        failed = e;
      }
    }
    LOG.log(Level.SEVERE, "audit log: forcing " + segmentName(segment) + " to disk failed; every later record is"
        + " refused until the gateway is restarted: " + e.getMessage(), e);
  }

  /** Runs before every force: a test seam for a disk that fails. */
  @FunctionalInterface
  interface ForceHook {
    void run() throws IOException;
  }

  static volatile ForceHook beforeForce = () -> { };

  static void forceDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (AccessDeniedException | UnsupportedOperationException e) {
      // Windows cannot open a folder as a channel; its renames are durable on their own
    }
  }

  /** A short, non-reversible reference to a transaction id for log lines. */
  public static String ref(String transactionId) {
    return sha256(transactionId).substring(0, 16);
  }

  /**
   * Checks the chain of one file of JSON lines whose first {@code prev} is {@link #GENESIS}
   * (the single-file log of older gateways), or, given a folder, the chain and segment links
   * of a segmented log without checking checkpoint signatures (see {@link AuditVerifier} for that).
   *
   * @return -1 if every record links to the one before, else the 0-based index (for a folder:
   *     the position among all complete lines) of the first record that does not
   */
  public static int verify(Path fileOrDir) throws IOException {
    if (Files.isDirectory(fileOrDir)) {
      AuditVerifier.Result r = AuditVerifier.verify(fileOrDir, null, true, List.of());
      return r.valid() ? -1 : (int) Math.min(Integer.MAX_VALUE, r.problem().index());
    }
    String prev = GENESIS;
    List<String> lines = Files.readAllLines(fileOrDir, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      JsonObject o = parse(line);
      if (o == null || !prev.equals(o.getString("prev", ""))) {
        return i;
      }
      prev = sha256(line);
    }
    return -1;
  }

  static JsonObject parse(String line) {
    try (JsonReader r = JSON.createReader(new StringReader(line))) {
      return r.readObject();
    } catch (RuntimeException e) {
      return null;
    }
  }

  static String sha256(String s) {
    return HexFormat.of().formatHex(digest(s.getBytes(StandardCharsets.UTF_8)));
  }

  static byte[] digest(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int lastIndexOf(byte[] b, byte v, int from) {
    for (int i = from; i >= 0; i--) {
      if (b[i] == v) {
        return i;
      }
    }
    return -1;
  }

  private void stopTimer() {
    if (timer != null) {
      timer.shutdownNow();
    }
  }

  /**
   * Writes {@code audit.closed} (a final checkpoint; signed when there is a signer), forces and closes. Later
   * records are refused. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    stopTimer();
    try {
      if (failed == null && channel != null) {
        writeCheckpoint(CLOSED);
        channel.force(false);
      }
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, "audit log: closing record not written: " + e.getMessage(), e);
    } finally {
      closed = true;
      try {
        if (channel != null) {
          channel.close();
        }
      } catch (IOException ignored) {
        // closing
      }
      unlockFolder();
    }
  }
}
