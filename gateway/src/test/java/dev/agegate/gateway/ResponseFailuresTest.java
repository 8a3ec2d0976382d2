package dev.agegate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agegate.gateway.store.Check;
import dev.agegate.testsupport.MutableClock;
import dev.agegate.zk.Issuers;
import dev.agegate.zk.TrustLists;
import io.helidon.http.HeaderNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * What happens to a check when the gateway fails between taking the claim on its nonce and
 * recording the verdict: an unexpected failure rejects the check, a full queue or a timeout
 * gives the claim back (503), a claim left by a dead node lapses and a retry completes the
 * check, and a check made under a trust root that has since been retired is refused.
 */
class ResponseFailuresTest {
  static final java.util.concurrent.Executor THREADS = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
  final MutableClock clock = MutableClock.ticking();

  static String status(TestNode n, String tx) {
    return n.api.get("/v1/checks/" + tx).json().getString("status");
  }

  static void awaitTrue(BooleanSupplier condition, String what) {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(until);
      LockSupport.parkNanos(1_000_000);
    }
  }

  @Test
  void respond_unexpectedFailureAfterTheNonceStep_500AndCheckRejectedNotLeftOpen() throws Exception {
    SteeredVerifier[] v = new SteeredVerifier[1];
    try (TestNode n = TestNode.start(clock, x -> v[0] = new SteeredVerifier(x), "")) {
      Api.Started s = n.api.start("shop", 18, TestGateways.SHOP_ORIGIN);
      String vp = Api.prove(s);
      v[0].failNext.set(new IllegalStateException("injected failure inside verification"));
      Api.Resp r = n.api.respond(s.requestId(), vp, s.state());
      assertThat(r.status()).as(r.body()).isEqualTo(500);
      assertThat(r.contentType()).startsWith("application/problem+json");
      assertThat(r.reason()).isEqualTo("internal_error");
      Api.Resp polled = n.api.get("/v1/checks/" + s.tx());
      assertThat(polled.json().getString("status")).as("the check is answered, not left open with a spent nonce: %s", polled.body())
          .isEqualTo("rejected");
      assertThat(polled.json().getString("reason")).isEqualTo("internal_error");
      assertThat(n.api.respond(s.requestId(), vp, s.state()).reason()).isEqualTo("nonce_replayed");
    }
  }

  @Test
  void respond_verificationQueueFull_503ProblemWithRetryAfterAndTheClaimGivenBack() throws Exception {
    SteeredVerifier[] v = new SteeredVerifier[1];
    try (TestNode n = TestNode.start(clock, x -> v[0] = new SteeredVerifier(x), """
          verify:
            threads: 1
            queue: 1
        """)) {
      Api.Started a = n.api.start("shop", 18, TestGateways.SHOP_ORIGIN);
      Api.Started b = n.api.start("shop", 18, TestGateways.SHOP_ORIGIN);
      Api.Started c = n.api.start("shop", 18, TestGateways.SHOP_ORIGIN);
      String vpA = Api.prove(a);
      String vpB = Api.prove(b);
      String vpC = Api.prove(c);
      CountDownLatch hold = new CountDownLatch(1);
      v[0].hold = hold;
      String stA = a.state();
      String stB = b.state();
      CompletableFuture<Api.Resp> ra = CompletableFuture.supplyAsync(() -> n.api.respond(a.requestId(), vpA, stA), THREADS);
      assertThat(v[0].entered.tryAcquire(30, TimeUnit.SECONDS)).as("A's verification runs").isTrue();
      CompletableFuture<Api.Resp> rb = CompletableFuture.supplyAsync(() -> n.api.respond(b.requestId(), vpB, stB), THREADS);
      awaitTrue(n.gateway.pool::full, "B queued behind A");
      Api.Resp full = n.api.respond(c.requestId(), vpC, c.state());
      assertThat(full.status()).as(full.body()).isEqualTo(503);
      assertThat(full.contentType()).startsWith("application/problem+json");
      assertThat(full.reason()).isEqualTo("overloaded");
      assertThat(full.headers().first(HeaderNames.RETRY_AFTER)).isPresent();
      Check afterRefusal = n.gateway.store.byTransaction(c.tx()).orElseThrow();
      assertThat(afterRefusal.claim()).as("the claim is given back").isNull();
      assertThat(status(n, c.tx())).isEqualTo("scanned");
      hold.countDown();
      assertThat(ra.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
      assertThat(rb.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
      v[0].hold = null;
      Api.Resp retry = n.api.respond(c.requestId(), vpC, c.state());
      assertThat(retry.status()).as(retry.body()).isEqualTo(200);
      assertThat(v[0].calls.get()).as("the refused response was never verified").isEqualTo(3);
    }
  }

  @Test
  void respond_verificationTimedOut_503ThenTheRetryIsVerifiedAndTheLateResultUnused() throws Exception {
    SteeredVerifier[] v = new SteeredVerifier[1];
    try (TestNode n = TestNode.start(clock, x -> v[0] = new SteeredVerifier(x), """
          verify:
            threads: 1
            timeout: PT1S
        """)) {
      Api.Started s = n.api.start("shop", 18, TestGateways.SHOP_ORIGIN);
      String vp = Api.prove(s);
      CountDownLatch hold = new CountDownLatch(1);
      v[0].hold = hold;
      Api.Resp slow = n.api.respond(s.requestId(), vp, s.state());
      assertThat(slow.status()).as(slow.body()).isEqualTo(503);
      assertThat(slow.contentType()).startsWith("application/problem+json");
      assertThat(slow.reason()).isEqualTo("overloaded");
      v[0].hold = null;
      hold.countDown();
      v[0].awaitFinished(1);
      assertThat(status(n, s.tx())).as("the late verdict of the abandoned verification is not used").isEqualTo("scanned");
      Api.Resp retry = n.api.respond(s.requestId(), vp, s.state());
      assertThat(retry.status()).as(retry.body()).isEqualTo(200);
      assertThat(status(n, s.tx())).isEqualTo("verified");
      assertThat(n.api.redeem(s.tx(), Api.VERIFIER).status()).isEqualTo(200);
    }
  }

  @Test
  void respond_claimLeftByADeadNode_retryWaitsForItToLapseThenVerifiesOnce() throws Exception {
    SteeredVerifier[] v = new SteeredVerifier[1];
    try (TestNode n = TestNode.start(clock, x -> v[0] = new SteeredVerifier(x), "")) {
      Api.Started s = n.api.start("shop", 18, TestGateways.SHOP_ORIGIN);
      String vp = Api.prove(s);
      // What a node killed mid-verification leaves: the check open, its nonce claimed.
      Check c = n.gateway.store.byTransaction(s.tx()).orElseThrow();
      Instant lapse = clock.instant().plusSeconds(2);
      assertThat(n.gateway.store.replace(c, c.claimed("dead-node-attempt", lapse))).isTrue();
      Api.Resp r = n.api.respond(s.requestId(), vp, s.state());
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      assertThat(clock.instant()).as("answered only once the dead node's claim lapsed").isAfterOrEqualTo(lapse);
      assertThat(v[0].calls.get()).isEqualTo(1);
      assertThat(n.api.respond(s.requestId(), vp, s.state()).reason()).isEqualTo("nonce_replayed");
    }
  }

  @Test
  void respond_copyRacingAVerificationInProgress_waitsForTheVerdictAnd409WithoutVerifying() throws Exception {
    SteeredVerifier[] v = new SteeredVerifier[1];
    try (TestNode n = TestNode.start(clock, x -> v[0] = new SteeredVerifier(x), "")) {
      Api.Started s = n.api.start("shop", 18, TestGateways.SHOP_ORIGIN);
      String vp = Api.prove(s);
      CountDownLatch hold = new CountDownLatch(1);
      v[0].hold = hold;
      String st = s.state();
      CompletableFuture<Api.Resp> first = CompletableFuture.supplyAsync(() -> n.api.respond(s.requestId(), vp, st), THREADS);
      assertThat(v[0].entered.tryAcquire(30, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<Api.Resp> copy = CompletableFuture.supplyAsync(() -> n.api.respond(s.requestId(), vp, st), THREADS);
      awaitTrue(() -> n.gateway.store.byTransaction(s.tx()).orElseThrow().claim() != null, "the first attempt's claim");
      hold.countDown();
      assertThat(first.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
      Api.Resp c = copy.get(30, TimeUnit.SECONDS);
      assertThat(c.status()).as(c.body()).isEqualTo(409);
      assertThat(c.reason()).isEqualTo("nonce_replayed");
      assertThat(v[0].calls.get()).as("the copy spent no verification").isEqualTo(1);
    }
  }

  @Test
  void respond_checkMadeUnderATrustRootRetiredSince_422ProofInvalidAndRejected_withinGraceVerified() throws Exception {
    Path dir = Files.createDirectories(Fixture.DIR.resolve("retired-" + System.nanoTime()));
    Path file = dir.resolve("trust-list.json");
    Files.write(file, Fixture.get().trustList);
    try (TestNode n = TestNode.start(clock, x -> x, "", """
        file: %s
            grace: PT1M
            reload-interval: PT1S""".formatted(file), null, null)) {
      Api.Started old = n.api.start("shop", 18, TestGateways.SHOP_ORIGIN);
      Api.Started inGrace = n.api.start("shop", 18, TestGateways.SHOP_ORIGIN);
      String vpOld = Api.prove(old);
      String vpInGrace = Api.prove(inGrace);
      byte[] next = TrustLists.build(List.of(Issuers.publicPart(Fixture.get().issuer), Issuers.publicPart(Issuers.newIssuer(3))));
      Files.write(file, next);
      Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
      n.gateway.trust.reload();
      assertThat(n.gateway.trust.current().rootHex()).isEqualTo(TrustLists.root(next).toHex());
      assertThat(n.api.respond(inGrace.requestId(), vpInGrace, inGrace.state()).status()).as("the previous root in its grace").isEqualTo(200);
      // Past the grace, and past this node's own announcement of the old root as in force
      // (two reload intervals after it last looked: docs/decisions.md).
      clock.advance(Duration.ofSeconds(63));
      Api.Resp r = n.api.respond(old.requestId(), vpOld, old.state());
      assertThat(r.status()).as(r.body()).isEqualTo(422);
      assertThat(r.reason()).isEqualTo("proof_invalid");
      Api.Resp polled = n.api.get("/v1/checks/" + old.tx());
      assertThat(polled.json().getString("status")).isEqualTo("rejected");
      assertThat(polled.json().getString("reason")).isEqualTo("proof_invalid");
    }
  }
}
