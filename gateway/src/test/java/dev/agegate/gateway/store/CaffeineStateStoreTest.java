package dev.agegate.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agegate.testsupport.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class CaffeineStateStoreTest {
  final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T12:00:00Z"));
  final StateStore store = StateStores.create("caffeine", 1000, clock);

  static Check check(String tx, Instant now) {
    return new Check(tx, "req-" + tx, "nonce-" + tx, "state", "shop", 18, 1, "c".repeat(43), null,
        LocalDate.of(2026, 11, 28), "0".repeat(64), now, now.plusSeconds(300), CheckStatus.PENDING, null, null, null, false, 0);
  }

  @Test
  void byTransactionAndByRequest_createdCheck_found() {
    Check c = check("t1", clock.instant());
    store.create(c, c.expiresAt());
    assertThat(store.byTransaction("t1")).contains(c);
    assertThat(store.byRequest("req-t1")).contains(c);
    assertThat(store.byRequest("nope")).isEmpty();
  }

  @Test
  void byTransaction_pastRetention_forgotten() {
    Check c = check("t1", clock.instant());
    store.create(c, c.expiresAt());
    clock.set(c.expiresAt().plusSeconds(1));
    assertThat(store.byTransaction("t1")).isEmpty();
    assertThat(store.byRequest("req-t1")).isEmpty();
  }

  @Test
  void replace_staleVersion_refusedAndListenersNotCalled() {
    Check c = check("t1", clock.instant());
    store.create(c, c.expiresAt());
    List<Check> seen = new ArrayList<>();
    try (StateStore.Subscription s = store.subscribe("t1", seen::add)) {
      assertThat(store.replace(c, c.scanned())).isTrue();
      assertThat(store.replace(c, c.rejected("proof_invalid"))).isFalse();
      assertThat(store.byTransaction("t1").orElseThrow().status()).isEqualTo(CheckStatus.SCANNED);
      assertThat(seen).extracting(Check::status).containsExactly(CheckStatus.SCANNED);
    }
    Check scanned = store.byTransaction("t1").orElseThrow();
    store.replace(scanned, scanned.verified("ab", clock.instant()));
    assertThat(seen).hasSize(1);
  }

  @Test
  void consumeNonce_hundredRacingThreads_exactlyOneWins() throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Boolean>> wins = new ArrayList<>();
    try (ExecutorService ex = Executors.newFixedThreadPool(16)) {
      for (int i = 0; i < 100; i++) {
        wins.add(ex.submit(() -> {
          go.await();
          return store.consumeNonce("n", clock.instant().plusSeconds(60));
        }));
      }
      go.countDown();
    }
    int won = 0;
    for (Future<Boolean> f : wins) {
      won += f.get() ? 1 : 0;
    }
    assertThat(won).isEqualTo(1);
    assertThat(store.consumeNonce("other", clock.instant().plusSeconds(60))).isTrue();
  }

  @Test
  void tryAcquire_beyondPermits_waitUntilWindowEnds() {
    assertThat(store.tryAcquire("k", 2, Duration.ofMinutes(1))).isZero();
    assertThat(store.tryAcquire("k", 2, Duration.ofMinutes(1))).isZero();
    assertThat(store.tryAcquire("k", 2, Duration.ofMinutes(1))).isBetween(1L, 61L);
    assertThat(store.tryAcquire("other", 2, Duration.ofMinutes(1))).isZero();
    clock.set(clock.instant().plusSeconds(61));
    assertThat(store.tryAcquire("k", 2, Duration.ofMinutes(1))).isZero();
  }

  @Test
  void statusAt_openCheckPastExpiry_expired() {
    Check c = check("t1", clock.instant());
    assertThat(c.statusAt(c.expiresAt().minusMillis(1))).isEqualTo(CheckStatus.PENDING);
    assertThat(c.statusAt(c.expiresAt())).isEqualTo(CheckStatus.EXPIRED);
    assertThat(c.verified("ab", clock.instant()).statusAt(c.expiresAt().plusSeconds(9))).isEqualTo(CheckStatus.VERIFIED);
  }
}
