package dev.agegate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agegate.testsupport.MutableClock;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The wallet's error response (OpenID4VP {@code error=access_denied}, the person declined) over
 * real HTTP: it ends an open check once, as {@code rejected}/{@code declined}, and only with the
 * check's own {@code state} — an error posted by someone who knows only the response URI (or
 * another check's state) changes nothing. Also what the consent screen reads from the signed
 * request object: the site's name and origin and the confirmation code the gate shows.
 */
@ServerTest
class WalletErrorsTest {
  static final MutableClock CLOCK = MutableClock.ticking();
  static Gateway gateway;

  private final Api api;

  WalletErrorsTest(Http1Client client) {
    this.api = new Api(client);
  }

  @SetUpRoute
  static void routing(HttpRouting.Builder routing) {
    gateway = TestGateways.create(CLOCK, Holding::new, "");
    Main.routing(routing, gateway);
  }

  @AfterAll
  static void close() {
    gateway.close();
  }

  /** Holds a verification while {@link #hold} is set, so a test can post a refusal during it. */
  static volatile java.util.concurrent.CountDownLatch hold;
  static final java.util.concurrent.Semaphore ENTERED = new java.util.concurrent.Semaphore(0);

  record Holding(dev.agegate.gateway.family.zk.ProofVerifier inner) implements dev.agegate.gateway.family.zk.ProofVerifier {
    @Override
    public dev.agegate.zk.ZkStatus verify(byte[] proof, dev.agegate.zk.PublicInputs inputs) {
      java.util.concurrent.CountDownLatch h = hold;
      if (h != null) {
        ENTERED.release();
        try {
          h.await(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return inner.verify(proof, inputs);
    }

    @Override
    public String fingerprint() {
      return inner.fingerprint();
    }

    @Override
    public void close() {
      inner.close();
    }
  }

  private Api.Resp error(String requestId, String error, String state) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("error", error);
    form.put("error_description", "the person declined");
    if (state != null) {
      form.put("state", state);
    }
    return api.postForm("/v1/responses/" + requestId, form);
  }

  private JsonObject status(Api.Started s) {
    return api.get("/v1/checks/" + s.tx()).json();
  }

  @Test
  void accessDenied_openCheck_rejectedDeclinedOnce_andNoProofAfterwards() throws Exception {
    Api.Started s = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    Api.Resp r = error(s.requestId(), "access_denied", s.state());
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().getString("status")).isEqualTo("rejected");
    assertThat(r.json().getString("reason")).isEqualTo("declined");
    assertThat(status(s).getString("status")).isEqualTo("rejected");
    assertThat(status(s).getString("reason")).isEqualTo("declined");

    Api.Resp again = error(s.requestId(), "access_denied", s.state());
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.reason()).isEqualTo("nonce_replayed");
    Api.Resp proof = api.respond(s.requestId(), Api.prove(s), s.state());
    assertThat(proof.status()).as("a proof after the refusal").isEqualTo(409);
    assertThat(proof.reason()).isEqualTo("nonce_replayed");
    assertThat(status(s).getString("reason")).isEqualTo("declined");
    assertThat(api.redeem(s.tx(), Api.VERIFIER).reason()).isEqualTo("not_verified");
  }

  @Test
  void errorWithoutTheChecksState_400StateMismatch_checkStillAnswerable() throws Exception {
    Api.Started victim = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    Api.Started attacker = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    // the attacker knows the victim's response URI (a shoulder-surfed QR id) and its own state
    for (String state : new String[] {attacker.state(), "AAAAAAAAAAAAAAAAAAAAAA", ""}) {
      Api.Resp r = error(victim.requestId(), "access_denied", state);
      assertThat(r.status()).as("state '" + state + "': " + r.body()).isEqualTo(400);
      assertThat(r.reason()).isEqualTo("state_mismatch");
    }
    Api.Resp noState = error(victim.requestId(), "access_denied", null);
    assertThat(noState.status()).isEqualTo(400);
    assertThat(noState.reason()).isEqualTo("state_mismatch");
    assertThat(status(victim).getString("status")).isEqualTo("scanned");
    assertThat(api.respond(victim.requestId(), Api.prove(victim), victim.state()).status())
        .as("the victim's own proof still verifies").isEqualTo(200);
    assertThat(status(attacker).getString("status")).as("the attacker's own check is untouched").isEqualTo("scanned");
  }

  @Test
  void errorWhileAProofIsBeingVerified_409_theProofWins() throws Exception {
    Api.Started s = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    String vp = Api.prove(s);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    hold = release;
    try (var exec = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      var proof = exec.submit(() -> api.respond(s.requestId(), vp, s.state()));
      assertThat(ENTERED.tryAcquire(60, java.util.concurrent.TimeUnit.SECONDS)).as("verification started").isTrue();
      Api.Resp r = error(s.requestId(), "access_denied", s.state());
      assertThat(r.status()).as(r.body()).isEqualTo(409);
      assertThat(r.reason()).isEqualTo("nonce_replayed");
      hold = null;
      release.countDown();
      assertThat(proof.get(60, java.util.concurrent.TimeUnit.SECONDS).status()).isEqualTo(200);
    } finally {
      hold = null;
      release.countDown();
    }
    assertThat(status(s).getString("status")).isEqualTo("verified");
  }

  @Test
  void errorAfterVerification_409_checkStaysVerified() throws Exception {
    Api.Started s = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    assertThat(api.respond(s.requestId(), Api.prove(s), s.state()).status()).isEqualTo(200);
    Api.Resp r = error(s.requestId(), "access_denied", s.state());
    assertThat(r.status()).isEqualTo(409);
    assertThat(r.reason()).isEqualTo("nonce_replayed");
    assertThat(status(s).getString("status")).isEqualTo("verified");
    assertThat(api.redeem(s.tx(), Api.VERIFIER).status()).isEqualTo(200);
  }

  @Test
  void otherErrorCodes_walletError_badCodesAndMixedResponses_400() throws Exception {
    Api.Started s = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    for (String bad : new String[] {"", "ACCESS_DENIED", "access denied", "<script>", "a".repeat(65)}) {
      Api.Resp r = error(s.requestId(), bad, s.state());
      assertThat(r.status()).as("error '" + bad + "'").isEqualTo(400);
      assertThat(r.reason()).isEqualTo("malformed_request");
    }
    Api.Resp both = api.postForm("/v1/responses/" + s.requestId(),
        Map.of("error", "access_denied", "vp_token", Api.prove(s), "state", s.state()));
    assertThat(both.status()).isEqualTo(400);
    assertThat(both.reason()).isEqualTo("malformed_request");
    assertThat(status(s).getString("status")).isEqualTo("scanned");

    Api.Resp r = error(s.requestId(), "invalid_request", s.state());
    assertThat(r.status()).isEqualTo(200);
    assertThat(status(s).getString("reason")).isEqualTo("wallet_error");
  }

  @Test
  void errorForUnknownOrExpiredCheck_404Or410() throws Exception {
    Api.Resp unknown = error("AAAAAAAAAAAAAAAAAAAAAA", "access_denied", "AAAAAAAAAAAAAAAAAAAAAA");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.reason()).isEqualTo("check_not_found");
    Api.Started s = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    CLOCK.advance(Duration.ofMinutes(6));
    Api.Resp expired = error(s.requestId(), "access_denied", s.state());
    assertThat(expired.status()).isEqualTo(410);
    assertThat(expired.reason()).isEqualTo("check_expired");
    assertThat(status(s).getString("status")).isEqualTo("expired");
  }

  @Test
  void requestObject_namesSiteAndOrigin_andTheGatesConfirmationCode() throws Exception {
    Api.Started s = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    JsonObject a = s.claims().getJsonObject("agegate");
    assertThat(a.getString("site_name")).isEqualTo("The Test Shop");
    assertThat(a.getString("site_origin")).isEqualTo(TestGateways.SHOP_ORIGIN);
    String code = s.created().getString("confirmation_code");
    assertThat(code).matches("[0-9A-HJKMNP-TV-Z]{4}");
    assertThat(a.getString("confirmation_code")).isEqualTo(code);
    // a site without a name shows its id
    Api.Started other = api.start("other-shop", 18, TestGateways.OTHER_ORIGIN);
    assertThat(other.claims().getJsonObject("agegate").getString("site_name")).isEqualTo("other-shop");
    assertThat(other.claims().getJsonObject("agegate").getString("confirmation_code"))
        .isEqualTo(other.created().getString("confirmation_code"));
  }

  @Test
  void webWalletOnTheClassPath_linkedOnTheGatewaysOrigin() {
    Api.Resp created = api.create("shop", 18, TestGateways.SHOP_ORIGIN);
    assertThat(created.json().getString("web_wallet_link")).startsWith(TestGateways.PUBLIC_URL + "/wallet/?client_id=");
    assertThat(api.get("/wallet/").status()).as("the test class path's stand-in wallet").isEqualTo(200);
  }
}
