package dev.agegate.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agegate.gateway.http.Problem;
import dev.agegate.gateway.http.Reason;
import dev.agegate.testsupport.MutableClock;
import dev.agegate.testsupport.RedisServers;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Redis store against a real Redis: the shared server for the contract (two store
 * instances on one Redis stand for two gateways), a private one for the outage.
 */
class RedisStateStoreTest {
  /** How long a test waits for an event before failing: generous, as a loaded CI machine needs. */
  private static final long EVENT_BOUND_S = 30;

  final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T12:00:00Z"));
  String uri;
  String prefix;
  StateStore a;
  StateStore b;

  @BeforeEach
  void open() {
    uri = RedisServers.shared();
    prefix = "agegate-test:" + UUID.randomUUID() + ":";
    a = new RedisStateStore(URI.create(uri), prefix, 16, clock);
    b = new RedisStateStore(URI.create(uri), prefix, 16, clock);
  }

  @AfterEach
  void close() {
    if (a != null) {
      a.close();
      b.close();
    }
  }

  static Check check(String tx, Instant now) {
    return new Check(tx, "req-" + tx, "nonce-" + tx, "state", "shop", 18, 1, "c".repeat(43), "bnd",
        LocalDate.of(2026, 11, 28), "0".repeat(64), now, now.plusSeconds(300), CheckStatus.PENDING, null, null, null,
        false, 0);
  }

  @Test
  void byTransactionAndByRequest_checkCreatedOnOtherNode_found() {
    Check c = check("t1", clock.instant());
    a.create(c, c.expiresAt());
    assertThat(b.byTransaction("t1")).contains(c);
    assertThat(b.byRequest("req-t1")).contains(c);
    assertThat(b.byRequest("nope")).isEmpty();
    assertThat(b.byTransaction("nope")).isEmpty();
  }

  /**
   * The count and the request lookup in one script: a permit taken reads the check (nothing for
   * an unknown id), the permit is the same bucket's as {@link StateStore#tryAcquire}, and a refused
   * call reads nothing and waits for the window's end.
   */
  @Test
  void tryAcquireThenByRequest_countsFirst_readsOnlyWhenPermitted() {
    Check c = check("t1", clock.instant());
    a.create(c, c.expiresAt());
    StateStore.Counted first = b.tryAcquireThenByRequest("q", 3, Duration.ofMinutes(1), "req-t1");
    assertThat(first.waitSeconds()).isZero();
    assertThat(first.check()).contains(c);
    StateStore.Counted unknown = a.tryAcquireThenByRequest("q", 3, Duration.ofMinutes(1), "nope");
    assertThat(unknown.waitSeconds()).isZero();
    assertThat(unknown.check()).isEmpty();
    assertThat(a.tryAcquire("q", 3, Duration.ofMinutes(1))).isZero();
    StateStore.Counted refused = b.tryAcquireThenByRequest("q", 3, Duration.ofMinutes(1), "req-t1");
    assertThat(refused.waitSeconds()).isBetween(31L, 60L);
    assertThat(refused.check()).isEmpty();
  }

  @Test
  void encodeDecode_everyFieldSet_sameCheck() {
    Check c = check("t1", clock.instant()).scanned().verified("ab".repeat(32), clock.instant()).asRedeemed();
    assertThat(RedisCheckCodec.decode(RedisCheckCodec.encode(c))).isEqualTo(c);
    Check r = check("t2", clock.instant()).rejected("proof_invalid");
    assertThat(RedisCheckCodec.decode(RedisCheckCodec.encode(r))).isEqualTo(r);
    Check m = check("t3", clock.instant()).verified(null, "mso_mdoc", clock.instant());
    assertThat(RedisCheckCodec.decode(RedisCheckCodec.encode(m))).isEqualTo(m);
    assertThat(RedisCheckCodec.decode(RedisCheckCodec.encode(m)).method()).isEqualTo("mso_mdoc");
    assertThat(RedisCheckCodec.decode(RedisCheckCodec.encode(c)).method()).isEqualTo("agegate-zk");
  }

  /** Milliseconds Redis will keep {@code key} (PTTL: -1 no expiry, -2 no key). */
  long pttl(String key) {
    try (redis.clients.jedis.Jedis j = new redis.clients.jedis.Jedis(URI.create(uri))) {
      return j.pttl(prefix + key);
    }
  }

  /**
   * The retention is a TTL that Redis applies, relative to the gateway's clock: observed in Redis
   * (a clock a day ahead of the machine's still gives a one-minute TTL), not by sleeping past it.
   * The end of retention itself is then waited on as an event (a 1 ms retention, polled with a
   * generous bound).
   */
  @Test
  void byTransaction_pastRetentionOfGatewayClock_forgotten() throws Exception {
    clock.set(Instant.now().plus(Duration.ofDays(1)));
    Check c = check("t1", clock.instant());
    a.create(c, clock.instant().plusSeconds(60));
    for (String key : List.of("c:t1", "r:req-t1")) {
      assertThat(pttl(key)).as(key).isBetween(1L, 60_000L).isGreaterThan(30_000L);
    }
    Check brief = check("t2", clock.instant());
    a.create(brief, clock.instant().plusMillis(1));
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while ((b.byTransaction("t2").isPresent() || b.byRequest("req-t2").isPresent()) && System.nanoTime() < until) {
      Thread.sleep(2);
    }
    assertThat(b.byTransaction("t2")).isEmpty();
    assertThat(b.byRequest("req-t2")).isEmpty();
    assertThat(b.byTransaction("t1")).contains(c);
  }

  @Test
  void replace_staleVersion_refusedAndListenersOnEveryNodeGetEachVersionOnce() throws Exception {
    Check c = check("t1", clock.instant());
    a.create(c, c.expiresAt());
    LinkedBlockingQueue<Check> onA = new LinkedBlockingQueue<>();
    LinkedBlockingQueue<Check> onB = new LinkedBlockingQueue<>();
    try (StateStore.Subscription sa = a.subscribe("t1", onA::add); StateStore.Subscription sb = b.subscribe("t1", onB::add)) {
      awaitSubscribed();
      assertThat(b.replace(c, c.scanned())).isTrue();
      assertThat(a.replace(c, c.rejected("proof_invalid"))).isFalse();
      assertThat(a.byTransaction("t1").orElseThrow().status()).isEqualTo(CheckStatus.SCANNED);
      assertThat(onA.poll(EVENT_BOUND_S, TimeUnit.SECONDS)).extracting(Check::status).isEqualTo(CheckStatus.SCANNED);
      assertThat(onB.poll(EVENT_BOUND_S, TimeUnit.SECONDS)).extracting(Check::status).isEqualTo(CheckStatus.SCANNED);
      Check scanned = a.byTransaction("t1").orElseThrow();
      assertThat(a.replace(scanned, scanned.verified("ab", clock.instant()))).isTrue();
      assertThat(onA.poll(EVENT_BOUND_S, TimeUnit.SECONDS)).extracting(Check::status).isEqualTo(CheckStatus.VERIFIED);
      assertThat(onB.poll(EVENT_BOUND_S, TimeUnit.SECONDS)).extracting(Check::status).isEqualTo(CheckStatus.VERIFIED);
    }
    // After the subscriptions closed, nothing more reaches them. Wait on an event, not on time:
    // fresh listeners on both nodes see the next version, so it has been delivered on both.
    LinkedBlockingQueue<Check> barrierA = new LinkedBlockingQueue<>();
    LinkedBlockingQueue<Check> barrierB = new LinkedBlockingQueue<>();
    try (StateStore.Subscription ca = a.subscribe("t1", barrierA::add); StateStore.Subscription cb = b.subscribe("t1", barrierB::add)) {
      awaitSubscribed();
      Check v = a.byTransaction("t1").orElseThrow();
      assertThat(a.replace(v, v.asRedeemed())).isTrue();
      assertThat(barrierA.poll(EVENT_BOUND_S, TimeUnit.SECONDS)).isNotNull();
      assertThat(barrierB.poll(EVENT_BOUND_S, TimeUnit.SECONDS)).isNotNull();
    }
    assertThat(onA).isEmpty();
    assertThat(onB).isEmpty();
  }

  @Test
  void replace_manyThreadsOnTwoNodes_oneWinnerPerVersion() throws Exception {
    Check c = check("t1", clock.instant());
    a.create(c, c.expiresAt());
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Boolean>> wins = new ArrayList<>();
    try (ExecutorService ex = Executors.newFixedThreadPool(16)) {
      for (int i = 0; i < 40; i++) {
        StateStore s = i % 2 == 0 ? a : b;
        wins.add(ex.submit(() -> {
          go.await();
          return s.replace(c, c.verified("ab", clock.instant()));
        }));
      }
      go.countDown();
    }
    int won = 0;
    for (Future<Boolean> f : wins) {
      won += f.get() ? 1 : 0;
    }
    assertThat(won).isEqualTo(1);
    assertThat(b.byTransaction("t1").orElseThrow().version()).isEqualTo(1);
  }

  @Test
  void consumeNonce_hundredRacingThreadsOnTwoNodes_exactlyOneWins() throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Boolean>> wins = new ArrayList<>();
    try (ExecutorService ex = Executors.newFixedThreadPool(16)) {
      for (int i = 0; i < 100; i++) {
        StateStore s = i % 2 == 0 ? a : b;
        wins.add(ex.submit(() -> {
          go.await();
          return s.consumeNonce("n", clock.instant().plusSeconds(60));
        }));
      }
      go.countDown();
    }
    int won = 0;
    for (Future<Boolean> f : wins) {
      won += f.get() ? 1 : 0;
    }
    assertThat(won).isEqualTo(1);
    assertThat(b.consumeNonce("other", clock.instant().plusSeconds(60))).isTrue();
  }

  /**
   * The window is Redis's TTL on the counter, set on the first permit: observed in Redis, and its
   * end made to happen (the key expired, as Redis does at the end of the window) rather than
   * slept through. A counter that lost its TTL is given one again, never limited forever.
   */
  @Test
  void tryAcquire_permitsSharedByNodes_waitUntilWindowEnds() throws Exception {
    assertThat(a.tryAcquire("k", 2, Duration.ofMinutes(1))).isZero();
    assertThat(b.tryAcquire("k", 2, Duration.ofMinutes(1))).isZero();
    assertThat(pttl("l:k")).isBetween(30_000L, 60_000L);
    assertThat(a.tryAcquire("k", 2, Duration.ofMinutes(1))).isBetween(31L, 60L);
    assertThat(b.tryAcquire("other", 2, Duration.ofMinutes(1))).isZero();
    try (redis.clients.jedis.Jedis j = new redis.clients.jedis.Jedis(URI.create(uri))) {
      j.pexpire(prefix + "l:k", 1);
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (j.exists(prefix + "l:k") && System.nanoTime() < until) {
        Thread.sleep(2);
      }
      assertThat(b.tryAcquire("k", 2, Duration.ofMinutes(1))).as("a new window").isZero();
      assertThat(a.tryAcquire("k", 2, Duration.ofMinutes(1))).isZero();
      assertThat(a.tryAcquire("k", 2, Duration.ofMinutes(1))).isPositive();
      j.persist(prefix + "l:k");
      assertThat(a.tryAcquire("k", 2, Duration.ofMinutes(1))).isBetween(31L, 60L);
      assertThat(pttl("l:k")).isBetween(30_000L, 60_000L);
    }
  }

  @Test
  void create_redisUriNotRedis_failsNamingKey() {
    assertThatThrownBy(() -> StateStores.create("redis", 10, Clock.systemUTC(), "http://127.0.0.1:6379"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("agegate.redis.uri");
    assertThatThrownBy(() -> StateStores.create("memcached", 10, Clock.systemUTC(), "redis://127.0.0.1:6379"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("agegate.store");
  }

  @Test
  void everyCall_redisStoppedThenRestarted_503ThenRecoversKeepingNonceMarks() throws Exception {
    try (RedisServers.Private redis = RedisServers.start()) {
      StateStore s = new RedisStateStore(URI.create(redis.uri()), "agegate:", 4, clock);
      try {
        Check c = check("t1", clock.instant());
        s.create(c, c.expiresAt());
        assertThat(s.consumeNonce("n1", clock.instant().plusSeconds(60))).isTrue();
        CopyOnWriteArrayList<Check> seen = new CopyOnWriteArrayList<>();
        s.subscribe("t1", seen::add);

        redis.kill();
        for (Runnable call : List.<Runnable>of(() -> s.byTransaction("t1"), () -> s.byRequest("req-t1"),
            () -> s.consumeNonce("n1", clock.instant().plusSeconds(60)), () -> s.replace(c, c.scanned()),
            () -> s.tryAcquire("k", 1, Duration.ofMinutes(1)), () -> s.create(check("t2", clock.instant()), c.expiresAt()))) {
          assertThatThrownBy(call::run).isInstanceOfSatisfying(Problem.class, p -> {
            assertThat(p.reason()).isEqualTo(Reason.OVERLOADED);
            assertThat(p.reason().status().code()).isEqualTo(503);
            assertThat(p.retryAfterSeconds()).isEqualTo(1);
          });
        }

        redis.restart();
        assertThat(s.byTransaction("t1")).contains(c);
        assertThat(s.consumeNonce("n1", clock.instant().plusSeconds(60))).as("a used nonce stays used").isFalse();
        assertThat(s.replace(c, c.scanned())).isTrue();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (seen.isEmpty() && System.nanoTime() < until) {
          Thread.sleep(20);
        }
        assertThat(seen).extracting(Check::status).containsExactly(CheckStatus.SCANNED);
      } finally {
        s.close();
      }
    }
  }

  @Test
  void replaceAndConsumeNonce_replyLostAfterRedisAppliedThem_reportedAsDoneNotAsStale() throws Exception {
    URI shared = URI.create(RedisServers.shared());
    try (ReplyDroppingProxy proxy = new ReplyDroppingProxy(shared.getPort() < 0 ? 6379 : shared.getPort())) {
      StateStore s = new RedisStateStore(URI.create(proxy.uri()), prefix, 4, clock);
      try {
        Check c = check("t-lost", clock.instant());
        s.create(c, c.expiresAt());
        proxy.arm("\"status\":\"SCANNED\"");
        assertThat(s.replace(c, c.scanned())).as("the write happened; its reply was lost").isTrue();
        assertThat(proxy.awaitDrop(5)).isTrue();
        assertThat(b.byTransaction("t-lost")).contains(c.scanned());
        assertThat(s.replace(c, c.scanned())).as("a second writer of the same version is still refused").isFalse();

        proxy.arm(prefix + "n:nonce-lost");
        assertThat(s.consumeNonce("nonce-lost", clock.instant().plusSeconds(60))).isTrue();
        assertThat(proxy.awaitDrop(5)).isTrue();
        assertThat(b.consumeNonce("nonce-lost", clock.instant().plusSeconds(60))).isFalse();
      } finally {
        s.close();
      }
    }
  }

  @Test
  void writes_redisOutOfMemoryOrReadOnlyReplica_503OverloadedNeverAnInternalError() throws Exception {
    try (RedisServers.Private redis = RedisServers.start(); RedisServers.Private primary = RedisServers.start();
        redis.clients.jedis.Jedis admin = new redis.clients.jedis.Jedis("127.0.0.1", redis.port)) {
      StateStore s = new RedisStateStore(URI.create(redis.uri()), "agegate:", 4, clock);
      try {
        Check c = check("t1", clock.instant());
        s.create(c, c.expiresAt());
        admin.configSet("maxmemory", "1");
        List<Runnable> calls = List.of(() -> s.replace(c, c.scanned()), () -> s.create(check("t2", clock.instant()), c.expiresAt()),
            () -> s.consumeNonce("n1", clock.instant().plusSeconds(60)));
        for (int i = 0; i < calls.size(); i++) {
          assertThatThrownBy(calls.get(i)::run).as("OOM, call %d", i).isInstanceOfSatisfying(Problem.class, p -> {
            assertThat(p.reason()).isEqualTo(Reason.OVERLOADED);
            assertThat(p.retryAfterSeconds()).isEqualTo(1);
          });
        }
        admin.configSet("maxmemory", "0");
        assertThat(s.replace(c, c.scanned())).isTrue();

        admin.replicaof("127.0.0.1", primary.port); // as after a failover that demoted this node
        List<Runnable> writes = List.of(() -> s.create(check("t3", clock.instant()), c.expiresAt()),
            () -> s.consumeNonce("n2", clock.instant().plusSeconds(60)));
        for (int i = 0; i < writes.size(); i++) {
          assertThatThrownBy(writes.get(i)::run).as("READONLY, call %d", i).isInstanceOfSatisfying(Problem.class,
              p -> assertThat(p.reason()).isEqualTo(Reason.OVERLOADED));
        }
      } finally {
        s.close();
      }
    }
  }

  @Test
  void sharedTrustList_announcedByOneNode_seenByTheOtherUntilItsLongestAcceptance() throws Exception {
    byte[] json = "{\"issuers\":[]}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    a.shareTrustList("ab".repeat(32), json, clock.instant().plusSeconds(60));
    b.shareTrustList("ab".repeat(32), json, clock.instant().plusMillis(100)); // a lagging node's shorter word
    assertThat(b.sharedTrustList("ab".repeat(32))).hasValueSatisfying(j -> {
      assertThat(j.json()).isEqualTo(json);
      assertThat(j.acceptedUntil()).as("the longest announcement, as its end")
          .isAfter(clock.instant().plusSeconds(50)).isBefore(clock.instant().plusSeconds(61));
    });
    assertThat(b.sharedTrustList("cd".repeat(32))).isEmpty();
  }

  /** The subscriber threads connect asynchronously; a probe check shows both are listening. */
  private final java.util.concurrent.atomic.AtomicInteger probes = new java.util.concurrent.atomic.AtomicInteger();

  private void awaitSubscribed() throws Exception {
    String id = "probe-" + probes.incrementAndGet();
    Check probe = check(id, clock.instant());
    a.create(probe, probe.expiresAt());
    // One latch per node: two deliveries on one node must not pass for one on each.
    CountDownLatch onA = new CountDownLatch(1);
    CountDownLatch onB = new CountDownLatch(1);
    try (StateStore.Subscription sa = a.subscribe(id, x -> onA.countDown());
        StateStore.Subscription sb = b.subscribe(id, x -> onB.countDown())) {
      Check cur = probe;
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(EVENT_BOUND_S);
      while (!(onA.await(50, TimeUnit.MILLISECONDS) & onB.await(0, TimeUnit.MILLISECONDS))) {
        // A bound that passes silently lets the test go on and fail later for the wrong reason.
        assertThat(System.nanoTime()).as("both nodes' change listeners receive within %d s", EVENT_BOUND_S)
            .isLessThan(until);
        Check next = new Check(cur.transactionId(), cur.requestId(), cur.nonce(), cur.state(), cur.siteId(), 18, 1,
            cur.codeChallenge(), null, cur.today(), cur.issuerRoot(), cur.createdAt(), cur.expiresAt(),
            CheckStatus.PENDING, null, null, null, false, cur.version() + 1);
        a.replace(cur, next);
        cur = next;
      }
    }
  }
}
