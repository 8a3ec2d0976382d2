package dev.agegate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agegate.gateway.http.Problem;
import dev.agegate.gateway.http.Reason;
import dev.agegate.gateway.store.Check;
import dev.agegate.testsupport.MutableClock;
import dev.agegate.testsupport.RedisServers;
import io.helidon.http.HeaderNames;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * The review of the response and redemption paths as an attacker sees them (helper
 * "review2"): a verdict that arrives after its claim lapsed is never committed, so two
 * different responses never both decide a check; and the audit line comes before the change
 * it describes, on the verdict and on the redemption, so a failing audit log or store never
 * leaves a change without its line, nor a check that nothing can complete.
 */
class CommitOrderTest {
  static final Executor THREADS = Executors.newVirtualThreadPerTaskExecutor();
  final MutableClock clock = MutableClock.ticking();

  @Test
  void respond_claimLapsesWhileTheFirstVerificationRuns_itsLateVerdictIsNotCommittedAndTheSecondResponseDecides()
      throws Exception {
    SteeredVerifier[] v = new SteeredVerifier[1];
    try (TestNode n = TestNode.start(clock, x -> v[0] = new SteeredVerifier(x), "")) {
      Api.Started s = n.api.start("shop", 18, TestGateways.SHOP_ORIGIN);
      Api.Started other = n.api.start("shop", 18, TestGateways.SHOP_ORIGIN);
      String valid = Api.prove(s);
      String foreign = Api.prove(other); // a real proof, for another check: a different response
      CountDownLatch hold = new CountDownLatch(1);
      v[0].hold = hold;
      String st = s.state();
      CompletableFuture<Api.Resp> first = CompletableFuture.supplyAsync(() -> n.api.respond(s.requestId(), valid, st), THREADS);
      assertThat(v[0].entered.tryAcquire(30, TimeUnit.SECONDS)).as("the first verification runs").isTrue();
      v[0].hold = null;
      // The first attempt's node stalls past its claim (the verification itself is still running).
      clock.advance(n.gateway.responses.claimTtl().plusSeconds(1));
      Api.Resp second = n.api.respond(s.requestId(), foreign, st);
      assertThat(second.status()).as("the lapsed claim is taken over and decided: %s", second.body()).isEqualTo(422);
      assertThat(second.reason()).isEqualTo("proof_invalid");
      hold.countDown();
      Api.Resp late = first.get(30, TimeUnit.SECONDS);
      assertThat(late.status()).as("the late valid verdict is not committed: %s", late.body()).isEqualTo(409);
      assertThat(late.reason()).isEqualTo("nonce_replayed");
      Check c = n.gateway.store.byTransaction(s.tx()).orElseThrow();
      assertThat(c.status().name()).isEqualTo("REJECTED");
      assertThat(c.reason()).isEqualTo("proof_invalid");
      assertThat(v[0].calls.get()).isEqualTo(2);
      assertThat(RedisGatewayTest.auditLines(n, "check.commit_failed", s.tx())).isEqualTo(1);
      assertThat(n.api.redeem(s.tx(), Api.VERIFIER).reason()).isEqualTo("not_verified");
    }
  }

  @Test
  void respond_refusalRaisedInsideTheVerification_committedAsTheVerdictNotLeftOpenUnderTheClaim() throws Exception {
    SteeredVerifier[] v = new SteeredVerifier[1];
    try (TestNode n = TestNode.start(clock, x -> v[0] = new SteeredVerifier(x), "")) {
      Api.Started s = n.api.start("shop", 18, TestGateways.SHOP_ORIGIN);
      String vp = Api.prove(s);
      v[0].failNext.set(new Problem(Reason.PROOF_INVALID, "injected refusal inside verification"));
      Api.Resp r = n.api.respond(s.requestId(), vp, s.state());
      assertThat(r.status()).as(r.body()).isEqualTo(422);
      Check c = n.gateway.store.byTransaction(s.tx()).orElseThrow();
      assertThat(c.status().name()).as("decided, not open with a held claim").isEqualTo("REJECTED");
      assertThat(n.api.respond(s.requestId(), vp, s.state()).reason()).isEqualTo("nonce_replayed");
      assertThat(v[0].calls.get()).as("the retry spent no second verification").isEqualTo(1);
    }
  }

  @Test
  void respond_auditLogFailsAtTheVerdict_503TheClaimGivenBackAndTheCheckStillOpen() throws Exception {
    SteeredVerifier[] v = new SteeredVerifier[1];
    try (TestNode n = TestNode.start(clock, x -> v[0] = new SteeredVerifier(x), "")) {
      Api.Started s = n.api.start("shop", 18, TestGateways.SHOP_ORIGIN);
      String vp = Api.prove(s);
      n.gateway.audit.close(); // every later record throws, as after a write the log could not undo
      Api.Resp r = n.api.respond(s.requestId(), vp, s.state());
      assertThat(r.status()).as(r.body()).isEqualTo(503);
      assertThat(r.contentType()).startsWith("application/problem+json");
      assertThat(r.reason()).isEqualTo("overloaded");
      assertThat(r.headers().first(HeaderNames.RETRY_AFTER)).isPresent();
      Check c = n.gateway.store.byTransaction(s.tx()).orElseThrow();
      assertThat(c.status().name()).as("no verdict stored without its audit line").isEqualTo("SCANNED");
      assertThat(c.claim()).as("the claim is given back: a retry need not wait for it to lapse").isNull();
    }
  }

  @Test
  void redeem_auditLogFails_noTokenAndTheCheckStaysRedeemable() throws Exception {
    try (TestNode n = TestNode.start(clock, x -> x, "")) {
      Api.Started s = n.api.start("shop", 18, TestGateways.SHOP_ORIGIN);
      assertThat(n.api.respond(s.requestId(), Api.prove(s), s.state()).status()).isEqualTo(200);
      n.gateway.audit.close();
      Api.Resp r = n.api.redeem(s.tx(), Api.VERIFIER);
      assertThat(r.status()).as(r.body()).isGreaterThanOrEqualTo(500);
      assertThat(r.contentType()).startsWith("application/problem+json");
      assertThat(n.gateway.store.byTransaction(s.tx()).orElseThrow().redeemed())
          .as("not marked redeemed while no token left and no line says so").isFalse();
    }
  }

  @Test
  void redeem_storeRefusesTheRedemption_503AndAuditedIssuedThenCommitFailedThenTheRetryGetsTheToken() throws Exception {
    try (RedisServers.Private redis = RedisServers.start(); Jedis admin = new Jedis("127.0.0.1", redis.port);
        TestNode n = TestNode.start(clock, x -> x, "", "file: " + Fixture.get().trustFile, redis.uri(),
            "agegate-order-test:" + UUID.randomUUID().toString().substring(0, 8) + ":")) {
      Api.Started s = n.api.start("shop", 18, TestGateways.SHOP_ORIGIN);
      assertThat(n.api.respond(s.requestId(), Api.prove(s), s.state()).status()).isEqualTo(200);
      // Only the redemption's write refused (NOPERM on HSET, a JedisDataException like OOM or
      // READONLY): the reads and the rate limiter's counters still work.
      admin.aclSetUser("default", "-hset");
      Api.Resp r = n.api.redeem(s.tx(), Api.VERIFIER);
      assertThat(r.status()).as(r.body()).isEqualTo(503);
      assertThat(r.contentType()).startsWith("application/problem+json");
      assertThat(RedisGatewayTest.auditLines(n, "token.issued", s.tx())).as("the record before the change").isEqualTo(1);
      assertThat(RedisGatewayTest.auditLines(n, "token.commit_failed", s.tx())).isEqualTo(1);
      admin.aclSetUser("default", "+hset");
      Api.Resp t = n.api.redeem(s.tx(), Api.VERIFIER);
      assertThat(t.status()).as(t.body()).isEqualTo(200);
      assertThat(RedisGatewayTest.auditLines(n, "token.issued", s.tx())).isEqualTo(2);
      assertThat(RedisGatewayTest.auditLines(n, "token.commit_failed", s.tx())).isEqualTo(1);
      assertThat(n.api.redeem(s.tx(), Api.VERIFIER).reason()).isEqualTo("already_redeemed");
    }
  }
}
