package dev.agegate.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agegate.gateway.http.Problem;
import dev.agegate.gateway.http.Reason;
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
  final CaffeineStateStoreTest.TestClock clock = new CaffeineStateStoreTest.TestClock();
  String prefix;
  StateStore a;
  StateStore b;

  @BeforeEach
  void open() {
    String uri = RedisTestServers.shared();
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

  @Test
  void encodeDecode_everyFieldSet_sameCheck() {
    Check c = check("t1", clock.instant()).scanned().verified("ab".repeat(32), clock.instant()).asRedeemed();
    assertThat(RedisCheckCodec.decode(RedisCheckCodec.encode(c))).isEqualTo(c);
    Check r = check("t2", clock.instant()).rejected("proof_invalid");
    assertThat(RedisCheckCodec.decode(RedisCheckCodec.encode(r))).isEqualTo(r);
  }

  @Test
  void byTransaction_pastRetentionOfGatewayClock_forgotten() throws Exception {
    Check c = check("t1", clock.instant());
    a.create(c, clock.instant().plusMillis(200));
    Thread.sleep(400);
    assertThat(b.byTransaction("t1")).isEmpty();
    assertThat(b.byRequest("req-t1")).isEmpty();
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
      assertThat(onA.poll(5, TimeUnit.SECONDS)).extracting(Check::status).isEqualTo(CheckStatus.SCANNED);
      assertThat(onB.poll(5, TimeUnit.SECONDS)).extracting(Check::status).isEqualTo(CheckStatus.SCANNED);
      Check scanned = a.byTransaction("t1").orElseThrow();
      assertThat(a.replace(scanned, scanned.verified("ab", clock.instant()))).isTrue();
      assertThat(onA.poll(5, TimeUnit.SECONDS)).extracting(Check::status).isEqualTo(CheckStatus.VERIFIED);
      assertThat(onB.poll(5, TimeUnit.SECONDS)).extracting(Check::status).isEqualTo(CheckStatus.VERIFIED);
    }
    // After the subscriptions closed, nothing more reaches them. Wait on an event, not on time:
    // fresh listeners on both nodes see the next version, so it has been delivered on both.
    LinkedBlockingQueue<Check> barrierA = new LinkedBlockingQueue<>();
    LinkedBlockingQueue<Check> barrierB = new LinkedBlockingQueue<>();
    try (StateStore.Subscription ca = a.subscribe("t1", barrierA::add); StateStore.Subscription cb = b.subscribe("t1", barrierB::add)) {
      awaitSubscribed();
      Check v = a.byTransaction("t1").orElseThrow();
      assertThat(a.replace(v, v.asRedeemed())).isTrue();
      assertThat(barrierA.poll(5, TimeUnit.SECONDS)).isNotNull();
      assertThat(barrierB.poll(5, TimeUnit.SECONDS)).isNotNull();
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

  @Test
  void tryAcquire_permitsSharedByNodes_waitUntilWindowEnds() throws Exception {
    assertThat(a.tryAcquire("k", 2, Duration.ofMinutes(1))).isZero();
    assertThat(b.tryAcquire("k", 2, Duration.ofMinutes(1))).isZero();
    assertThat(a.tryAcquire("k", 2, Duration.ofMinutes(1))).isBetween(1L, 60L);
    assertThat(b.tryAcquire("other", 2, Duration.ofMinutes(1))).isZero();
    assertThat(a.tryAcquire("short", 1, Duration.ofMillis(200))).isZero();
    assertThat(a.tryAcquire("short", 1, Duration.ofMillis(200))).isEqualTo(1L);
    Thread.sleep(400);
    assertThat(b.tryAcquire("short", 1, Duration.ofMillis(200))).isZero();
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
    try (RedisTestServers.Private redis = RedisTestServers.start()) {
      StateStore s = new RedisStateStore(URI.create(redis.uri()), "agegate:", 4, clock);
      try {
        Check c = check("t1", clock.instant());
        s.create(c, c.expiresAt());
        assertThat(s.consumeNonce("n1", clock.instant().plusSeconds(60))).isTrue();
        CopyOnWriteArrayList<Check> seen = new CopyOnWriteArrayList<>();
        s.subscribe("t1", seen::add);

        redis.stop();
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

  /** The subscriber threads connect asynchronously; a probe check shows both are listening. */
  private final java.util.concurrent.atomic.AtomicInteger probes = new java.util.concurrent.atomic.AtomicInteger();

  private void awaitSubscribed() throws Exception {
    String id = "probe-" + probes.incrementAndGet();
    Check probe = check(id, clock.instant());
    a.create(probe, probe.expiresAt());
    CountDownLatch both = new CountDownLatch(2);
    try (StateStore.Subscription sa = a.subscribe(id, x -> both.countDown());
        StateStore.Subscription sb = b.subscribe(id, x -> both.countDown())) {
      Check cur = probe;
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (!both.await(50, TimeUnit.MILLISECONDS) && System.nanoTime() < until) {
        Check next = new Check(cur.transactionId(), cur.requestId(), cur.nonce(), cur.state(), cur.siteId(), 18, 1,
            cur.codeChallenge(), null, cur.today(), cur.issuerRoot(), cur.createdAt(), cur.expiresAt(),
            CheckStatus.PENDING, null, null, null, false, cur.version() + 1);
        a.replace(cur, next);
        cur = next;
      }
    }
  }
}
