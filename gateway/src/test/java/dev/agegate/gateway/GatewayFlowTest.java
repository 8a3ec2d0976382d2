package dev.agegate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.agegate.gateway.audit.AuditLog;
import dev.agegate.gateway.family.zk.ProofVerifier;
import dev.agegate.testsupport.MutableClock;
import dev.agegate.zk.PublicInputs;
import dev.agegate.zk.ZkStatus;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import jakarta.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The whole age check over real HTTP with real proofs: the happy path and every refusal.
 * Pinning detection is on: native verification runs on the platform-thread pool, so no request
 * virtual thread may park while pinned. The threshold is 1 s, not Helidon's 20 ms: on a loaded
 * machine a JDK-internal pinned park at server start (class initialisation) passed 20 ms and
 * failed the class for a reason that is not ours; a request thread parked while pinned, waiting
 * on a verification, would still be seen.
 */
@ServerTest(pinningDetection = true, pinningThreshold = 1000)
class GatewayFlowTest {
  static final MutableClock CLOCK = MutableClock.ticking();
  static final AtomicInteger VERIFICATIONS = new AtomicInteger();
  static Gateway gateway;

  private final Api api;
  private final URI uri;

  GatewayFlowTest(Http1Client client, URI uri) {
    this.api = new Api(client);
    this.uri = uri;
  }

  @SetUpRoute
  static void routing(HttpRouting.Builder routing) {
    gateway = TestGateways.create(CLOCK, v -> new Counting(v), "");
    Main.routing(routing, gateway);
  }

  @AfterAll
  static void close() {
    gateway.close();
  }

  /** Counts native verifications, so a test can tell that a race verified exactly once. */
  record Counting(ProofVerifier inner) implements ProofVerifier {
    @Override
    public ZkStatus verify(byte[] proof, PublicInputs inputs) {
      VERIFICATIONS.incrementAndGet();
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

  private static JsonObject a0(JsonObject claims) {
    return claims.getJsonObject("agegate");
  }

  @Test
  void fullFlow_validProof_sseSeesVerifiedAndTokenVerifiesAgainstJwks() throws Exception {
    Api.Resp created = api.create("shop", 18, TestGateways.SHOP_ORIGIN);
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    JsonObject c = created.json();
    String tx = c.getString("transaction_id");
    assertThat(created.headers().first(io.helidon.http.HeaderNames.LOCATION)).contains("/v1/checks/" + tx);
    assertThat(c.getString("wallet_link")).startsWith("openid4vp://?client_id=x509_san_dns%3Agateway.test&request_uri=");
    assertThat(c.getString("qr_svg")).startsWith("<svg").endsWith("</svg>");
    assertThat(c.getJsonArray("qr_modules").getValuesAs(jakarta.json.JsonString::getString))
        .isEqualTo(dev.agegate.gateway.checks.Qr.modules(c.getString("wallet_link")));
    assertThat(c.getString("expires_at")).isNotBlank();
    // by the gateway's clock (the widget never compares expires_at with its device's clock)
    assertThat(c.getJsonNumber("expires_in").longValue()).isBetween(gateway.settings().checkLifetime().toSeconds() - 5, gateway.settings().checkLifetime().toSeconds());
    // the test class path has a stand-in web wallet, so the link is offered, on the gateway's origin
    assertThat(c.getString("web_wallet_link")).startsWith(TestGateways.PUBLIC_URL + "/wallet/?client_id=");
    assertThat(api.get("/v1/checks/" + tx).json().getJsonNumber("expires_in").longValue()).isPositive();

    List<String> events = new ArrayList<>();
    CountDownLatch sseOpen = new CountDownLatch(1);
    CompletableFuture<Void> sse = CompletableFuture.runAsync(() -> readSse(tx, events, sseOpen));
    assertThat(sseOpen.await(10, TimeUnit.SECONDS)).isTrue();

    String requestId = c.getString("request_uri").substring(c.getString("request_uri").lastIndexOf('/') + 1);
    assertThat(tx).isNotEqualTo(requestId);
    Api.Started s = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    // use the first check: fetch its request object the wallet's way
    Api.Resp ro = api.get("/v1/requests/" + requestId);
    assertThat(ro.status()).isEqualTo(200);
    Api.Started first = new Api.Started(tx, requestId, c, SignedJWT.parse(ro.body()));
    JsonObject claims = first.claims();
    assertThat(claims.getString("response_mode")).isEqualTo("direct_post");
    assertThat(claims.getString("response_type")).isEqualTo("vp_token");
    assertThat(claims.getString("client_id")).isEqualTo("x509_san_dns:gateway.test");
    assertThat(a0(claims).getString("audience")).as("the challenge binds the client id").isEqualTo("x509_san_dns:gateway.test");
    assertThat(claims.getString("response_uri")).isEqualTo(TestGateways.PUBLIC_URL + "/v1/responses/" + requestId);
    assertThat(claims.getString("nonce")).hasSize(22).isNotIn(tx, requestId);
    assertThat(claims.getJsonObject("dcql_query").getJsonArray("credentials").getJsonObject(0).getString("id")).isEqualTo("age_proof");
    JsonObject a = claims.getJsonObject("agegate");
    assertThat(a.getString("site")).isEqualTo("shop");
    assertThat(a.getString("issuer_root")).isEqualTo(dev.agegate.zk.TrustLists.root(Fixture.get().trustList).toHex());
    assertThat(a.getString("vk_fingerprint")).isEqualTo(gateway.fingerprint());
    assertThat(a.getInt("circuit_version")).isEqualTo(PublicInputs.CIRCUIT_VERSION).isEqualTo(2);
    assertThat(a.getString("pk_sha256")).isEqualTo(java.util.HexFormat.of().formatHex(
        java.security.MessageDigest.getInstance("SHA-256").digest(java.nio.file.Files.readAllBytes(Fixture.KEYS.resolve("pk.bin")))));
    assertThat(a.getString("challenge")).isEqualTo(PublicInputs.challenge(claims.getString("nonce"), "x509_san_dns:gateway.test").toHex());
    assertThat(a.getString("proving_key_uri")).isEqualTo(TestGateways.PUBLIC_URL + "/v1/circuits/" + gateway.fingerprint() + "/proving-key");

    Api.Resp posted = api.respond(requestId, Api.prove(first), first.state());
    assertThat(posted.status()).as(posted.body()).isEqualTo(200);
    assertThat(posted.json().getString("status")).isEqualTo("verified");

    sse.get(20, TimeUnit.SECONDS);
    assertThat(events).last().asString().contains("\"status\":\"verified\"");
    assertThat(events).first().asString().contains("\"status\":\"pending\"");
    assertThat(api.get("/v1/checks/" + tx).json().getString("status")).isEqualTo("verified");

    Api.Resp token = api.redeem(tx, Api.VERIFIER);
    assertThat(token.status()).as(token.body()).isEqualTo(200);
    SignedJWT jwt = SignedJWT.parse(token.json().getString("token"));
    assertThat(jwt.getHeader().getType()).isEqualTo(new JOSEObjectType("agegate-age+jwt"));
    assertThat(jwt.verify(new ECDSAVerifier(api.jwk(jwt.getHeader().getKeyID())))).isTrue();
    JWTClaimsSet t = jwt.getJWTClaimsSet();
    assertThat(t.getIssuer()).isEqualTo(TestGateways.PUBLIC_URL);
    assertThat(t.getAudience()).containsExactly("shop");
    assertThat(t.getLongClaim("age_over")).isEqualTo(18);
    assertThat(t.getLongClaim("assurance")).isEqualTo(1);
    assertThat(t.getStringClaim("method")).isEqualTo("agegate-zk");
    assertThat(t.getStringClaim("bnd")).isEqualTo("bnd-1");
    assertThat(t.getStringClaim("psn")).matches("[A-Za-z0-9_-]{43}");
    assertThat(t.getJWTID()).isNotBlank();
    assertThat(t.getExpirationTime().getTime() - t.getIssueTime().getTime()).isEqualTo(300_000);
    assertThat(AuditLog.verify(gateway.settings().auditDir())).isEqualTo(-1);
    assertThat(java.nio.file.Files.readString(gateway.settings().auditDir().resolve("audit-000001.jsonl")))
        .contains("check.verified").doesNotContain(tx, requestId, claims.getString("nonce"), t.getStringClaim("psn"));
    assertThat(s.tx()).isNotEqualTo(tx);
  }

  @Test
  void redeem_token_acceptedByTheServletFiltersVerifier() throws Exception {
    Api.Started s = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    assertThat(api.respond(s.requestId(), Api.prove(s), s.state()).status()).isEqualTo(200);
    String token = api.redeem(s.tx(), Api.VERIFIER).json().getString("token");
    try (dev.agegate.filter.token.AgeTokenVerifier filter = dev.agegate.filter.token.AgeTokenVerifier.builder()
        .jwksUri(uri.resolve("/.well-known/jwks.json"))
        .issuer(TestGateways.PUBLIC_URL)
        .audience("shop")
        .clock(CLOCK)
        .build()) {
      dev.agegate.filter.token.AgeToken t = filter.verify(token);
      assertThat(t.ageOver()).isEqualTo(18);
      assertThat(t.assurance()).isEqualTo(1);
    }
    try (dev.agegate.filter.token.AgeTokenVerifier otherSite = dev.agegate.filter.token.AgeTokenVerifier.builder()
        .jwksUri(uri.resolve("/.well-known/jwks.json")).issuer(TestGateways.PUBLIC_URL).audience("other-shop").clock(CLOCK).build()) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> otherSite.verify(token))
          .isInstanceOf(dev.agegate.filter.token.TokenRejectedException.class);
    }
  }

  @Test
  void fullFlow_samePersonTwice_samePseudonymAtOneSite() throws Exception {
    String psn1 = verifiedToken().getStringClaim("psn");
    String psn2 = verifiedToken().getStringClaim("psn");
    assertThat(psn1).isEqualTo(psn2);
  }

  private JWTClaimsSet verifiedToken() throws Exception {
    Api.Started s = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    assertThat(api.respond(s.requestId(), Api.prove(s), s.state()).status()).isEqualTo(200);
    Api.Resp token = api.redeem(s.tx(), Api.VERIFIER);
    assertThat(token.status()).isEqualTo(200);
    return SignedJWT.parse(token.json().getString("token")).getJWTClaimsSet();
  }

  @Test
  void respond_replayedResponse_409NonceReplayed() throws Exception {
    Api.Started s = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    String vp = Api.prove(s);
    assertThat(api.respond(s.requestId(), vp, s.state()).status()).isEqualTo(200);
    Api.Resp again = api.respond(s.requestId(), vp, s.state());
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.reason()).isEqualTo("nonce_replayed");
    assertThat(again.contentType()).isEqualTo("application/problem+json");
  }

  @Test
  void respond_responseForAnotherCheck_400StateMismatch() throws Exception {
    Api.Started a = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    Api.Started b = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    String vpA = Api.prove(a);
    Api.Resp r = api.respond(b.requestId(), vpA, a.state());
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.reason()).isEqualTo("state_mismatch");
    // with the other check's state, A's proof is bound to A's nonce: it fails for B
    Api.Resp r2 = api.respond(b.requestId(), vpA, b.state());
    assertThat(r2.status()).isEqualTo(422);
    assertThat(r2.reason()).isEqualTo("proof_invalid");
    assertThat(api.get("/v1/checks/" + b.tx()).json().getString("reason")).isEqualTo("proof_invalid");
    // A is untouched and still verifies
    assertThat(api.respond(a.requestId(), vpA, a.state()).status()).isEqualTo(200);
  }

  @Test
  void request_siteInFarTimeZone_todayAndCutoffInThatZone() throws Exception {
    java.time.LocalDate before = java.time.LocalDate.ofInstant(CLOCK.instant(), java.time.ZoneId.of("Pacific/Kiritimati"));
    Api.Started s = api.start("other-shop", 21, TestGateways.OTHER_ORIGIN);
    java.time.LocalDate after = java.time.LocalDate.ofInstant(CLOCK.instant(), java.time.ZoneId.of("Pacific/Kiritimati"));
    JsonObject a = s.claims().getJsonObject("agegate");
    java.time.LocalDate today = java.time.LocalDate.parse(a.getString("today"));
    assertThat(today).isBetween(before, after);
    assertThat(a.getInt("today_day")).isEqualTo(dev.agegate.zk.DayNumber.of(today));
    assertThat(a.getInt("cutoff_day")).isEqualTo(dev.agegate.zk.DayNumber.of(today.minusYears(21)));
    assertThat(a.getString("scope")).isEqualTo(PublicInputs.scope("other-shop").toHex());
  }

  @Test
  void respond_proofForAnotherSite_422ProofInvalid() throws Exception {
    Api.Started s = api.start("other-shop", 18, TestGateways.OTHER_ORIGIN);
    Api.Resp r = api.respond(s.requestId(), Api.prove(s, Fixture.get().credential, Fixture.get().holder, "shop", null), s.state());
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.reason()).isEqualTo("proof_invalid");
    JsonObject status = api.get("/v1/checks/" + s.tx()).json();
    assertThat(status.getString("status")).isEqualTo("rejected");
    assertThat(status.getString("reason")).isEqualTo("proof_invalid");
  }

  @Test
  void respond_proofForLowerAge_422ProofInvalid() throws Exception {
    Api.Started s = api.start("shop", 21, TestGateways.SHOP_ORIGIN);
    Api.Resp r = api.respond(s.requestId(), Api.prove(s, Fixture.get().credential, Fixture.get().holder, null, 18), s.state());
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.reason()).isEqualTo("proof_invalid");
  }

  @Test
  void respond_expiredCheck_410CheckExpired() throws Exception {
    Api.Started s = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    String vp = Api.prove(s);
    CLOCK.advance(Duration.ofMinutes(6));
    Api.Resp r = api.respond(s.requestId(), vp, s.state());
    assertThat(r.status()).isEqualTo(410);
    assertThat(r.reason()).isEqualTo("check_expired");
    JsonObject status = api.get("/v1/checks/" + s.tx()).json();
    assertThat(status.getString("status")).isEqualTo("expired");
    assertThat(api.get("/v1/requests/" + s.requestId()).status()).isEqualTo(410);
    Api.Resp token = api.redeem(s.tx(), Api.VERIFIER);
    assertThat(token.status()).isEqualTo(410);
    assertThat(token.reason()).isEqualTo("check_expired");
  }

  @Test
  void redeem_afterRedeemWindow_410CheckExpired() throws Exception {
    Api.Started s = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    assertThat(api.respond(s.requestId(), Api.prove(s), s.state()).status()).isEqualTo(200);
    CLOCK.advance(Duration.ofMinutes(3));
    Api.Resp token = api.redeem(s.tx(), Api.VERIFIER);
    assertThat(token.status()).isEqualTo(410);
    assertThat(token.reason()).isEqualTo("check_expired");
  }

  @Test
  void respond_unknownState_400StateMismatch() throws Exception {
    Api.Started s = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    Api.Resp r = api.respond(s.requestId(), Api.prove(s), "AAAAAAAAAAAAAAAAAAAAAA");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.reason()).isEqualTo("state_mismatch");
    assertThat(api.get("/v1/checks/" + s.tx()).json().getString("status")).isEqualTo("scanned");
  }

  @Test
  void respond_unknownRequest_404CheckNotFound() {
    Api.Resp r = api.respond("AAAAAAAAAAAAAAAAAAAAAA", "{}", "x");
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.reason()).isEqualTo("check_not_found");
  }

  @Test
  void redeem_wrongCodeVerifier_403CodeVerifierMismatch() throws Exception {
    Api.Started s = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    assertThat(api.respond(s.requestId(), Api.prove(s), s.state()).status()).isEqualTo(200);
    Api.Resp r = api.redeem(s.tx(), "x".repeat(43));
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.reason()).isEqualTo("code_verifier_mismatch");
    assertThat(api.redeem(s.tx(), Api.VERIFIER).status()).isEqualTo(200);
  }

  @Test
  void redeem_secondTime_409AlreadyRedeemed() throws Exception {
    Api.Started s = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    assertThat(api.respond(s.requestId(), Api.prove(s), s.state()).status()).isEqualTo(200);
    assertThat(api.redeem(s.tx(), Api.VERIFIER).status()).isEqualTo(200);
    Api.Resp r = api.redeem(s.tx(), Api.VERIFIER);
    assertThat(r.status()).isEqualTo(409);
    assertThat(r.reason()).isEqualTo("already_redeemed");
  }

  @Test
  void redeem_beforeVerification_409NotVerified() throws Exception {
    Api.Started s = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    Api.Resp r = api.redeem(s.tx(), Api.VERIFIER);
    assertThat(r.status()).isEqualTo(409);
    assertThat(r.reason()).isEqualTo("not_verified");
  }

  @Test
  void respond_tooYoungHolder_cannotProve() throws Exception {
    Api.Started s = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> Api.prove(s, Fixture.get().youngCredential, Fixture.get().youngHolder, null, null))
        .isInstanceOf(dev.agegate.zk.ZkException.class)
        .extracting(e -> ((dev.agegate.zk.ZkException) e).status()).isEqualTo(ZkStatus.UNSATISFIABLE);
    // a proof the young holder can make (16+) does not pass an 18+ check
    Api.Resp r = api.respond(s.requestId(), Api.prove(s, Fixture.get().youngCredential, Fixture.get().youngHolder, null, 16), s.state());
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.reason()).isEqualTo("proof_invalid");
  }

  @Test
  void respond_fiftyParallelPostsOfOneResponse_exactlyOneVerification() throws Exception {
    Api.Started s = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    String vp = Api.prove(s);
    String state = s.state();
    int before = VERIFICATIONS.get();
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Integer>> results = new ArrayList<>();
    try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 50; i++) {
        results.add(ex.submit(() -> {
          go.await();
          return api.respond(s.requestId(), vp, state).status();
        }));
      }
      go.countDown();
    }
    List<Integer> statuses = new ArrayList<>();
    for (Future<Integer> f : results) {
      statuses.add(f.get());
    }
    assertThat(statuses).filteredOn(x -> x == 200).hasSize(1);
    assertThat(statuses).filteredOn(x -> x == 409).hasSize(49);
    assertThat(VERIFICATIONS.get() - before).isEqualTo(1);
  }

  @Test
  void respond_garbageVpToken_400ProofMalformedAndCheckRejected() throws Exception {
    Api.Started s = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    Api.Resp r = api.respond(s.requestId(), "{\"age_proof\":[\"AAAA\"]}", s.state());
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.reason()).isEqualTo("proof_malformed");
    JsonObject status = api.get("/v1/checks/" + s.tx()).json();
    assertThat(status.getString("status")).isEqualTo("rejected");
    assertThat(status.getString("reason")).isEqualTo("proof_malformed");
  }

  @Test
  void respond_missingFieldsOrWrongType_400MalformedRequest() throws Exception {
    Api.Started s = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    Api.Resp missing = api.postForm("/v1/responses/" + s.requestId(), java.util.Map.of("state", s.state()));
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.reason()).isEqualTo("malformed_request");
    Api.Resp json = api.postJson("/v1/responses/" + s.requestId(), "{\"vp_token\":\"x\"}", null);
    assertThat(json.status()).isEqualTo(400);
    assertThat(json.reason()).isEqualTo("malformed_request");
    assertThat(api.get("/v1/checks/" + s.tx()).json().getString("status")).isEqualTo("scanned");
  }

  @Test
  void respond_oversizedBody_413BodyTooLarge() throws Exception {
    Api.Started s = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    Api.Resp r = api.respond(s.requestId(), "x".repeat(20_000), s.state());
    assertThat(r.status()).isEqualTo(413);
    assertThat(r.reason()).isEqualTo("body_too_large");
  }

  @Test
  void create_disallowedOrMissingOrigin_403OriginNotAllowed() {
    Api.Resp other = api.create("shop", 18, TestGateways.OTHER_ORIGIN);
    assertThat(other.status()).isEqualTo(403);
    assertThat(other.reason()).isEqualTo("origin_not_allowed");
    assertThat(other.headers().first(io.helidon.http.HeaderNames.create("Access-Control-Allow-Origin")))
        .contains(TestGateways.OTHER_ORIGIN); // allowed for other-shop, so CORS passes, but not for this site
    Api.Resp none = api.create("shop", 18, null);
    assertThat(none.status()).isEqualTo(403);
    assertThat(none.reason()).isEqualTo("origin_not_allowed");
    Api.Resp evil = api.create("shop", 18, "https://evil.example");
    assertThat(evil.status()).isEqualTo(403);
    assertThat(evil.headers().first(io.helidon.http.HeaderNames.create("Access-Control-Allow-Origin"))).isEmpty();
  }

  @Test
  void create_malformedBodies_400MalformedRequest() {
    for (String body : List.of("not json", "[]", "{\"site\":\"shop\"}", "[".repeat(2000) + "]".repeat(2000),
        "{\"site\":" + "{\"a\":".repeat(1500) + "1" + "}".repeat(1501),
        "{\"site\":\"shop\",\"code_challenge\":\"short\",\"code_challenge_method\":\"S256\"}",
        "{\"site\":\"shop\",\"code_challenge\":\"" + "a".repeat(43) + "\",\"code_challenge_method\":\"plain\"}",
        "{\"site\":\"shop\",\"min_age\":\"18\",\"code_challenge\":\"" + "a".repeat(43) + "\",\"code_challenge_method\":\"S256\"}",
        "{\"site\":\"shop\",\"min_age\":0,\"code_challenge\":\"" + "a".repeat(43) + "\",\"code_challenge_method\":\"S256\"}",
        "{\"site\":\"shop\",\"binding\":\"a b\",\"code_challenge\":\"" + "a".repeat(43) + "\",\"code_challenge_method\":\"S256\"}")) {
      Api.Resp r = api.postJson("/v1/checks", body, TestGateways.SHOP_ORIGIN);
      assertThat(r.status()).as(body).isEqualTo(400);
      assertThat(r.reason()).as(body).isEqualTo("malformed_request");
      assertThat(r.contentType()).isEqualTo("application/problem+json");
    }
  }

  @Test
  void create_unknownSite_400WrongSite() {
    Api.Resp r = api.create("nope", 18, TestGateways.SHOP_ORIGIN);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.reason()).isEqualTo("wrong_site");
  }

  @Test
  void create_oversizedBody_413BodyTooLarge() {
    Api.Resp r = api.postJson("/v1/checks", "{\"site\":\"" + "s".repeat(20_000) + "\"}", TestGateways.SHOP_ORIGIN);
    assertThat(r.status()).isEqualTo(413);
    assertThat(r.reason()).isEqualTo("body_too_large");
  }

  @Test
  void request_fetchedTwice_servedAgainAndMarkedScanned() throws Exception {
    Api.Started s = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    assertThat(api.get("/v1/checks/" + s.tx()).json().getString("status")).isEqualTo("scanned");
    Api.Resp again = api.get("/v1/requests/" + s.requestId());
    assertThat(again.status()).isEqualTo(200);
    assertThat(SignedJWT.parse(again.body()).getJWTClaimsSet().getStringClaim("nonce")).isEqualTo(s.claims().getString("nonce"));
    assertThat(api.get("/v1/requests/AAAAAAAAAAAAAAAAAAAAAA").status()).isEqualTo(404);
    assertThat(api.get("/v1/checks/not-an-id").reason()).isEqualTo("check_not_found");
  }

  @Test
  void qr_knownCheck_svg() throws Exception {
    Api.Started s = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    Api.Resp r = api.get("/v1/checks/" + s.tx() + "/qr.svg");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.contentType()).isEqualTo("image/svg+xml");
    assertThat(r.body()).startsWith("<svg").contains("<path");
  }

  @Test
  void everyAnswer_securityHeadersAndProblemJsonFor404() {
    Api.Resp r = api.get("/no/such/thing");
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.contentType()).isEqualTo("application/problem+json");
    assertThat(r.headers().first(io.helidon.http.HeaderNames.create("X-Content-Type-Options"))).contains("nosniff");
    assertThat(r.headers().first(io.helidon.http.HeaderNames.create("Content-Security-Policy"))).isPresent();
    assertThat(r.headers().first(io.helidon.http.HeaderNames.create("X-Frame-Options"))).contains("DENY");
    assertThat(r.headers().first(io.helidon.http.HeaderNames.create("Referrer-Policy"))).contains("no-referrer");
  }

  @Test
  void staticFiles_widgetPublicToEveryOriginAndWalletWithItsCsp() {
    Api.Resp js = api.get("/widget/v1/test-stand-in.js");
    assertThat(js.status()).isEqualTo(200);
    assertThat(js.headers().first(io.helidon.http.HeaderNames.create("Access-Control-Allow-Origin"))).contains("*");
    assertThat(js.headers().first(io.helidon.http.HeaderNames.create("Cross-Origin-Resource-Policy"))).contains("cross-origin");
    Api.Resp wallet = api.get("/wallet/");
    assertThat(wallet.status()).isEqualTo(200);
    assertThat(wallet.body()).contains("test stand-in wallet");
    assertThat(wallet.headers().first(io.helidon.http.HeaderNames.create("Content-Security-Policy")).orElseThrow())
        .contains("'wasm-unsafe-eval'");
    assertThat(api.get("/widget/v1/missing.js").status()).isEqualTo(404);
    // the real widget, from the agegate-widget jar (docs/protocol.md "Widget include")
    Api.Resp widget = api.get("/widget/v1/age-gate.js");
    assertThat(widget.status()).isEqualTo(200);
    assertThat(widget.body()).contains("age-gate");
    assertThat(api.get("/widget/v1/age-gate.js.sri").body()).startsWith("sha384-");
    // /widget/v1/ follows upgrades; a released version's path is immutable (an SRI pin on it never breaks)
    assertThat(widget.headers().first(io.helidon.http.HeaderNames.CACHE_CONTROL)).contains("public, max-age=300");
    String version = java.util.regex.Pattern.compile("agegate widget (\\d+\\.\\d+\\.\\d+)").matcher(widget.body()).results()
        .findFirst().orElseThrow(() -> new AssertionError("the widget names its version")).group(1);
    Api.Resp released = api.get("/widget/" + version + "/age-gate.js");
    assertThat(released.status()).isEqualTo(200);
    assertThat(released.body()).isEqualTo(widget.body());
    assertThat(released.headers().first(io.helidon.http.HeaderNames.CACHE_CONTROL)).contains("public, max-age=31536000, immutable");
    assertThat(released.headers().first(io.helidon.http.HeaderNames.create("Access-Control-Allow-Origin"))).contains("*");
    assertThat(api.get("/widget/" + version + "/age-gate.js.sri").body().strip())
        .isEqualTo(api.get("/widget/v1/age-gate.js.sri").body().strip());
    Api.Resp unknown = api.get("/widget/999.0.0/age-gate.js");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.headers().first(io.helidon.http.HeaderNames.CACHE_CONTROL)).contains("no-store");
  }

  @Test
  void trustListAndProvingKey_served() {
    Api.Resp t = api.get("/v1/trust-list");
    assertThat(t.status()).isEqualTo(200);
    assertThat(t.body()).isEqualTo(new String(Fixture.get().trustList, StandardCharsets.UTF_8));
    String root = dev.agegate.zk.TrustLists.root(Fixture.get().trustList).toHex();
    Api.Resp byRoot = api.get("/v1/trust-list?root=" + root);
    assertThat(byRoot.status()).as(byRoot.body()).isEqualTo(200);
    assertThat(api.get("/v1/trust-list?root=" + "0".repeat(64)).status()).isEqualTo(404);
    assertThat(api.get("/v1/circuits/" + "0".repeat(64) + "/proving-key").status()).isEqualTo(404);
    Api.Resp pk = api.get("/v1/circuits/" + gateway.fingerprint() + "/proving-key");
    assertThat(pk.status()).as(pk.body()).isEqualTo(200);
    assertThat(pk.contentType()).isEqualTo("application/octet-stream");
    Api.Resp keys = api.get("/v1/circuits/" + gateway.fingerprint());
    assertThat(keys.status()).as(keys.body()).isEqualTo(200);
    assertThat(keys.json().getString("fingerprint")).isEqualTo(gateway.fingerprint());
    assertThat(keys.json().getInt("circuit_version")).isEqualTo(2);
    assertThat(keys.json().getString("keys")).isEqualTo("development");
    assertThat(keys.json().getString("warning")).startsWith("development keys");
    assertThat(api.get("/v1/circuits/" + "0".repeat(64)).status()).isEqualTo(404);
  }

  @Test
  void jwks_publicKeysOnly() throws Exception {
    Api.Resp r = api.get("/.well-known/jwks.json");
    assertThat(r.status()).isEqualTo(200);
    JsonObject key = r.json().getJsonArray("keys").getJsonObject(0);
    assertThat(key.getString("kty")).isEqualTo("EC");
    assertThat(key.getString("crv")).isEqualTo("P-256");
    assertThat(key.getString("alg")).isEqualTo("ES256");
    assertThat(key.getString("use")).isEqualTo("sig");
    assertThat(key.containsKey("d")).isFalse();
  }

  @Test
  void preflight_allowedOrigin_204WithCorsAndDisallowed_403() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> ok = http.send(HttpRequest.newBuilder(uri.resolve("/v1/checks"))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
        .header("Origin", TestGateways.SHOP_ORIGIN)
        .header("Access-Control-Request-Method", "POST").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(ok.statusCode()).isEqualTo(204);
    assertThat(ok.headers().firstValue("Access-Control-Allow-Origin")).contains(TestGateways.SHOP_ORIGIN);
    assertThat(ok.headers().firstValue("Access-Control-Allow-Headers")).contains("Content-Type");
    HttpResponse<String> bad = http.send(HttpRequest.newBuilder(uri.resolve("/v1/checks"))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
        .header("Origin", "https://evil.example").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(bad.statusCode()).isEqualTo(403);
    assertThat(bad.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    assertThat(bad.body()).contains("origin_not_allowed");
  }

  @Test
  void events_rejectedCheck_streamEndsWithRejected() throws Exception {
    Api.Started s = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    api.respond(s.requestId(), "{\"age_proof\":[]}", s.state());
    List<String> events = new ArrayList<>();
    readSse(s.tx(), events, new CountDownLatch(1));
    assertThat(events).hasSize(1);
    assertThat(events.get(0)).contains("\"status\":\"rejected\"").contains("\"reason\":\"proof_malformed\"");
  }

  @Test
  void events_expiredCheck_streamEndsWithExpired() throws Exception {
    Api.Resp created = api.create("shop", 18, TestGateways.SHOP_ORIGIN);
    String tx = created.json().getString("transaction_id");
    CLOCK.advance(Duration.ofMinutes(6));
    List<String> events = new ArrayList<>();
    readSse(tx, events, new CountDownLatch(1));
    assertThat(events).hasSize(1);
    assertThat(events.get(0)).contains("\"status\":\"expired\"").contains("\"reason\":\"check_expired\"");
  }

  /** Reads the check's SSE stream until it ends, collecting each status event's data. */
  private void readSse(String tx, List<String> events, CountDownLatch open) {
    try {
      HttpResponse<java.io.InputStream> r = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(uri.resolve("/v1/checks/" + tx + "/events")).header("Accept", "text/event-stream")
              .timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.ofInputStream());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
      try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
        String line;
        String event = null;
        while ((line = in.readLine()) != null) {
          if (line.startsWith("event:")) {
            event = line.substring(6).strip();
          } else if (line.startsWith("data:") && "status".equals(event)) {
            synchronized (events) {
              events.add(line.substring(5).strip());
            }
            open.countDown();
          }
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
