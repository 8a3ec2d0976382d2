package dev.agegate.gateway.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agegate.testsupport.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateways starting on one fresh data folder: without a lock each finds no key, generates
 * its own and signs with it, and neither publishes the other's, so a relying party that fetched
 * one node's JWKS refuses the other's tokens. The second start must find the first one's key.
 */
class SigningKeysRaceTest {
  @TempDir
  Path data;

  @AfterEach
  void unhook() {
    KeyFiles.tempCreated = p -> { };
  }

  @Test
  void open_secondStartWhileTheFirstWritesItsKey_bothSignWithTheOneKey() throws Exception {
    CompletableFuture<SigningKeys> other = new CompletableFuture<>();
    Thread[] otherThread = new Thread[1];
    // The first start has listed the folder (no key) and is writing its key: the second starts now.
    KeyFiles.tempCreated = p -> {
      KeyFiles.tempCreated = q -> { };
      otherThread[0] = new Thread(() -> {
        try {
          other.complete(SigningKeys.open(List.of(), data, Duration.ofDays(30), Clock.systemUTC()));
        } catch (RuntimeException e) {
          other.completeExceptionally(e);
        }
      }, "second-start");
      otherThread[0].start();
      // Until it has decided (old code) or waits for this one to finish (a lock).
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (!other.isDone() && !waitingForTheFolder(otherThread[0]) && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
    };
    SigningKeys first = SigningKeys.open(List.of(), data, Duration.ofDays(30), Clock.systemUTC());
    SigningKeys second = other.get(20, TimeUnit.SECONDS);

    assertThat(second.currentKid()).isEqualTo(first.currentKid());
    assertThat(first.publicJwks().getKeyByKeyId(second.currentKid())).as("the first publishes what the second signs with").isNotNull();
    try (var files = Files.list(data.resolve("signing-keys"))) {
      assertThat(files.filter(f -> f.toString().endsWith(".pem"))).hasSize(1);
    }
  }

  @Test
  void rotateIfDue_nextKeyWrittenByAnotherProcess_signsOnlyPublishAheadAfterThisOnePublishedIt() {
    SigningKeys.Schedule schedule = new SigningKeys.Schedule(Duration.ofDays(30), Duration.ofHours(2), Duration.ofDays(30));
    MutableClock clock = new MutableClock(Instant.now());
    Instant t0 = clock.instant();
    SigningKeys running = SigningKeys.open(List.of(), data, schedule, clock);
    String k1 = running.currentKid();

    // A second start on this folder at the moment the next key is due (refused a moment later
    // by the audit log's lock) generates and writes it; the running gateway does not know it.
    clock.set(t0.plus(Duration.ofDays(30)).minus(Duration.ofHours(2)));
    SigningKeys second = SigningKeys.open(List.of(), data, schedule, clock);
    String k2 = second.publicJwks().getKeys().get(0).getKeyID();
    assertThat(k2).isNotEqualTo(k1);

    // The running gateway finds it at its next hourly look and publishes it from then on.
    Instant seen = clock.instant().plus(Duration.ofMinutes(59));
    clock.set(seen);
    running.rotateIfDue();
    assertThat(running.publicJwks().getKeyByKeyId(k2)).isNotNull();

    clock.set(seen.plus(Duration.ofHours(2)).minusSeconds(1));
    assertThat(running.currentKid()).as("k2 has been in this gateway's JWKS for less than publish-ahead").isEqualTo(k1);
    clock.set(seen.plus(Duration.ofHours(2)));
    assertThat(running.currentKid()).isEqualTo(k2);
    // and a restart reads the moved activation from the file
    assertThat(SigningKeys.open(List.of(), data, schedule, clock).currentKid()).isEqualTo(k2);
  }

  private static boolean waitingForTheFolder(Thread t) {
    if (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING) {
      return false;
    }
    for (StackTraceElement e : t.getStackTrace()) {
      if (e.getClassName().equals(KeyFiles.class.getName()) && e.getMethodName().equals("lockFolder")) {
        return true;
      }
    }
    return false;
  }
}
