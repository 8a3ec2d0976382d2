package dev.agegate.filter.token;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import dev.agegate.filter.support.TestGateway;
import dev.agegate.filter.token.TokenRejectedException.Reason;
import dev.agegate.testsupport.MutableClock;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Forged, foreign and out-of-date tokens: each one must be refused for the right reason. */
class AgeTokenVerifierTest {

  private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
  private static final Duration SKEW = Duration.ofSeconds(30);

  private static MutableClock clock;
  private static TestGateway gateway;
  private AgeTokenVerifier verifier;

  @BeforeAll
  static void startGateway() {
    clock = new MutableClock(NOW);
    gateway = new TestGateway(clock);
  }

  @AfterAll
  static void stopGateway() {
    gateway.close();
  }

  @BeforeEach
  void setUp() {
    clock.set(NOW);
    gateway.server().resetRequests();
    gateway.publish(gateway.key());
    verifier = AgeTokenVerifier.builder()
        .jwksUri(URI.create(gateway.url() + TestGateway.JWKS_PATH))
        .issuer(gateway.url())
        .audience(TestGateway.SITE)
        .clockSkew(SKEW)
        .clock(clock)
        .jwksTimeout(Duration.ofSeconds(2))
        .build();
  }

  @AfterEach
  void tearDown() {
    verifier.close();
  }

  private Reason rejection(String token) {
    try {
      verifier.verify(token);
    } catch (TokenRejectedException e) {
      if (token.length() > 8) {
        assertThat(e.getMessage()).doesNotContain(token);
      }
      return e.reason();
    }
    throw new AssertionError("token accepted");
  }

  private static String b64(String json) {
    return Base64URL.encode(json.getBytes(StandardCharsets.UTF_8)).toString();
  }

  @Test
  void verifyWhenValidThenClaims() throws Exception {
    String token = gateway.token(c -> c.claim("age_over", 21).claim("assurance", 3).claim("bnd", "b").claim("psn", "p").jwtID("j1"));

    AgeToken t = verifier.verify(token);

    assertThat(t).isEqualTo(new AgeToken(21, 3, NOW, NOW.plusSeconds(300), "j1", "b", "p", "agegate-zk"));
  }

  @Test
  void verifyWhenEitherMethodAndDefaultSettingsThenAcceptedWithItsMethod() throws Exception {
    assertThat(verifier.verify(gateway.token(c -> c.claim("method", "mso_mdoc"))).method()).isEqualTo("mso_mdoc");
    assertThat(verifier.verify(gateway.token(c -> c.claim("method", "agegate-zk"))).method()).isEqualTo("agegate-zk");
    assertThat(verifier.verify(gateway.token(c -> { })).method()).as("an older gateway's token").isEqualTo("agegate-zk");
  }

  @Test
  void verifyWhenMethodNotAcceptedThenMethodRejected() throws Exception {
    try (AgeTokenVerifier mdocOnly = restricted(java.util.Set.of("mso_mdoc"));
         AgeTokenVerifier zkOnly = restricted(java.util.Set.of("agegate-zk"))) {
      String zk = gateway.token(c -> c.claim("method", "agegate-zk"));
      String mdoc = gateway.token(c -> c.claim("method", "mso_mdoc"));
      String old = gateway.token(c -> { });

      assertThat(mdocOnly.verify(mdoc).method()).isEqualTo("mso_mdoc");
      assertThat(rejection(mdocOnly, zk)).isEqualTo(Reason.METHOD);
      assertThat(rejection(mdocOnly, old)).as("no method: an older gateway's ZK token").isEqualTo(Reason.METHOD);
      assertThat(zkOnly.verify(zk).method()).isEqualTo("agegate-zk");
      assertThat(zkOnly.verify(old).method()).isEqualTo("agegate-zk");
      assertThat(rejection(zkOnly, mdoc)).isEqualTo(Reason.METHOD);
      // A token refused once is refused again: a refusal is never cached as a pass.
      assertThat(rejection(zkOnly, mdoc)).isEqualTo(Reason.METHOD);
    }
  }

  @Test
  void verifyWhenMethodUnknownOrNotAStringThenRefused() throws Exception {
    assertThat(rejection(gateway.token(c -> c.claim("method", "longfellow-zk")))).isEqualTo(Reason.METHOD);
    assertThat(rejection(gateway.token(c -> c.claim("method", "")))).isEqualTo(Reason.METHOD);
    assertThat(rejection(gateway.token(c -> c.claim("method", "MSO_MDOC")))).isEqualTo(Reason.METHOD);
    assertThat(rejection(gateway.token(c -> c.claim("method", List.of("mso_mdoc"))))).isEqualTo(Reason.MALFORMED);
    assertThat(rejection(gateway.token(c -> c.claim("method", 1)))).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void buildWhenAcceptedMethodsEmptyOrUnknownThenRefused() {
    assertThatThrownBy(() -> AgeTokenVerifier.builder().acceptedMethods(java.util.Set.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AgeTokenVerifier.builder().acceptedMethods(java.util.Set.of("mso_mdoc", "mdoc")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private AgeTokenVerifier restricted(java.util.Set<String> methods) {
    return AgeTokenVerifier.builder()
        .jwksUri(URI.create(gateway.url() + TestGateway.JWKS_PATH))
        .issuer(gateway.url())
        .audience(TestGateway.SITE)
        .clock(clock)
        .jwksTimeout(Duration.ofSeconds(2))
        .acceptedMethods(methods)
        .build();
  }

  private static Reason rejection(AgeTokenVerifier v, String token) {
    try {
      v.verify(token);
    } catch (TokenRejectedException e) {
      return e.reason();
    }
    throw new AssertionError("token accepted");
  }

  @Test
  void verifyWhenSameTokenTwiceThenOneKeyFetchAndCachedResult() throws Exception {
    String token = gateway.token(18, "b");

    AgeToken first = verifier.verify(token);
    AgeToken second = verifier.verify(token);

    assertThat(second).isSameAs(first);
    assertThat(gateway.jwksFetches()).isEqualTo(1);
  }

  @Test
  void verifyWhenCachedTokenExpiresThenExpired() throws Exception {
    String token = gateway.token(18, "b");
    verifier.verify(token);

    clock.advance(Duration.ofSeconds(300).plus(SKEW).plusSeconds(1));

    assertThat(rejection(token)).isEqualTo(Reason.EXPIRED);
  }

  @Test
  void verifyWhenAlgNoneThenRejected() {
    String payload = b64("{\"iss\":\"" + gateway.url() + "\",\"aud\":\"demo-shop\",\"age_over\":18,\"assurance\":2,\"iat\":"
        + NOW.getEpochSecond() + ",\"exp\":" + NOW.plusSeconds(300).getEpochSecond() + ",\"jti\":\"x\"}");
    String none = b64("{\"alg\":\"none\",\"typ\":\"agegate-age+jwt\",\"kid\":\"k1\"}") + "." + payload + ".";

    assertThat(rejection(none)).isIn(Reason.MALFORMED, Reason.ALGORITHM);
    assertThat(rejection(none.substring(0, none.length() - 1))).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void verifyWhenHs256SignedWithPublicKeyThenAlgorithmRejected() throws Exception {
    byte[] publicKey = gateway.key().toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8);
    JWSObject hs = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.HS256).type(AgeTokenVerifier.TYPE)
        .keyID(gateway.key().getKeyID()).build(), new Payload(validClaims()));
    hs.sign(new MACSigner(publicKey));

    assertThat(rejection(hs.serialize())).isEqualTo(Reason.ALGORITHM);
  }

  @Test
  void verifyWhenEs384ThenAlgorithmRejected() throws Exception {
    ECKey p384 = new ECKeyGenerator(Curve.P_384).keyID("k1").generate();
    JWSObject es384 = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.ES384).type(AgeTokenVerifier.TYPE).keyID("k1").build(),
        new Payload(validClaims()));
    es384.sign(new ECDSASigner(p384));

    assertThat(rejection(es384.serialize())).isEqualTo(Reason.ALGORITHM);
  }

  @Test
  void verifyWhenUnknownKidThenUnknownKey() {
    ECKey real = gateway.key();
    gateway.signWith(TestGateway.newKey("k9"));
    try {
      assertThat(rejection(gateway.token(18, "b"))).isEqualTo(Reason.UNKNOWN_KEY);
    } finally {
      gateway.signWith(real);
    }
  }

  @Test
  void verifyWhenKnownKidButOtherKeySignedThenSignature() {
    ECKey impostor = TestGateway.newKey(gateway.key().getKeyID());
    ECKey real = gateway.key();
    gateway.signWith(impostor);
    try {
      assertThat(rejection(gateway.token(18, "b"))).isEqualTo(Reason.SIGNATURE);
    } finally {
      gateway.signWith(real);
    }
  }

  @Test
  void verifyWhenJkuHeaderThenRejectedAndNeverFetched() {
    ECKey attacker = TestGateway.newKey("evil");
    gateway.server().stubFor(get(urlEqualTo("/evil/jwks.json")).willReturn(aResponse().withStatus(200)
        .withBody(new JWKSet(attacker.toPublicJWK()).toString())));
    ECKey real = gateway.key();
    gateway.signWith(attacker);
    try {
      String token = gateway.token(h -> h.jwkURL(URI.create(gateway.url() + "/evil/jwks.json")), c -> { });
      assertThat(rejection(token)).isEqualTo(Reason.HEADER);
    } finally {
      gateway.signWith(real);
    }
    assertThat(gateway.server().findAll(anyRequestedFor(urlPathMatching("/evil/.*")))).isEmpty();
  }

  @Test
  void verifyWhenX5uHeaderThenRejectedAndNeverFetched() {
    String token = gateway.token(h -> h.x509CertURL(URI.create(gateway.url() + "/evil/cert.pem")), c -> { });

    assertThat(rejection(token)).isEqualTo(Reason.HEADER);
    assertThat(gateway.server().findAll(anyRequestedFor(urlPathMatching("/evil/.*")))).isEmpty();
  }

  @Test
  void verifyWhenEmbeddedJwkHeaderThenRejected() {
    ECKey attacker = TestGateway.newKey("k1");
    ECKey real = gateway.key();
    gateway.signWith(attacker);
    try {
      assertThat(rejection(gateway.token(h -> h.jwk(attacker.toPublicJWK()), c -> { }))).isEqualTo(Reason.HEADER);
    } finally {
      gateway.signWith(real);
    }
  }

  @Test
  void verifyWhenNoKidThenHeader() {
    assertThat(rejection(gateway.token(h -> h.keyID(null), c -> { }))).isEqualTo(Reason.HEADER);
  }

  @Test
  void verifyWhenWrongTypThenType() {
    assertThat(rejection(gateway.token(h -> h.type(JOSEObjectType.JWT), c -> { }))).isEqualTo(Reason.TYPE);
    assertThat(rejection(gateway.token(h -> h.type(null), c -> { }))).isEqualTo(Reason.TYPE);
  }

  @Test
  void verifyWhenWrongAudThenAudience() {
    assertThat(rejection(gateway.token(c -> c.audience("other-shop")))).isEqualTo(Reason.AUDIENCE);
    assertThat(rejection(gateway.token(c -> c.audience(List.of("demo-shop", "other-shop"))))).isEqualTo(Reason.AUDIENCE);
    assertThat(rejection(gateway.token(c -> c.audience((String) null)))).isEqualTo(Reason.AUDIENCE);
  }

  @Test
  void verifyWhenTokenReplayedFromOtherSiteThenAudience() throws Exception {
    AgeTokenVerifier otherSite = AgeTokenVerifier.builder().jwksUri(URI.create(gateway.url() + TestGateway.JWKS_PATH))
        .issuer(gateway.url()).audience("other-shop").clock(clock).build();
    String forOtherSite = gateway.token(c -> c.audience("other-shop"));
    otherSite.verify(forOtherSite);
    otherSite.close();

    assertThat(rejection(forOtherSite)).isEqualTo(Reason.AUDIENCE);
  }

  @Test
  void verifyWhenWrongIssThenIssuer() {
    assertThat(rejection(gateway.token(c -> c.issuer("https://evil.example")))).isEqualTo(Reason.ISSUER);
    assertThat(rejection(gateway.token(c -> c.issuer(gateway.url() + "/")))).isEqualTo(Reason.ISSUER);
    assertThat(rejection(gateway.token(c -> c.issuer(null)))).isEqualTo(Reason.ISSUER);
  }

  @Test
  void verifyWhenExpiredBeyondSkewThenExpired() {
    Instant exp = NOW.minus(SKEW).minusSeconds(1);
    String token = gateway.token(c -> c.issueTime(Date.from(exp.minusSeconds(300))).expirationTime(Date.from(exp)));

    assertThat(rejection(token)).isEqualTo(Reason.EXPIRED);
  }

  @Test
  void verifyWhenExpiredWithinSkewBoundaryThenAccepted() throws Exception {
    Instant exp = NOW.minus(SKEW);
    String token = gateway.token(c -> c.issueTime(Date.from(exp.minusSeconds(300))).expirationTime(Date.from(exp)));

    assertThat(verifier.verify(token).expiresAt()).isEqualTo(exp);
  }

  @Test
  void verifyWhenIssuedBeyondSkewInFutureThenNotYetValid() {
    String token = gateway.token(c -> c.issueTime(Date.from(NOW.plus(SKEW).plusSeconds(1))));

    assertThat(rejection(token)).isEqualTo(Reason.NOT_YET_VALID);
  }

  @Test
  void verifyWhenIssuedAtSkewBoundaryInFutureThenAccepted() throws Exception {
    String token = gateway.token(c -> c.issueTime(Date.from(NOW.plus(SKEW))));

    assertThat(verifier.verify(token).issuedAt()).isEqualTo(NOW.plus(SKEW));
  }

  @Test
  void verifyWhenNotBeforeBeyondSkewThenNotYetValid() {
    String token = gateway.token(c -> c.notBeforeTime(Date.from(NOW.plus(SKEW).plusSeconds(1))));

    assertThat(rejection(token)).isEqualTo(Reason.NOT_YET_VALID);
  }

  @Test
  void verifyWhenPayloadTamperedThenSignature() {
    String token = gateway.token(18, "b");
    String[] parts = token.split("\\.");
    String payload = new String(Base64URL.from(parts[1]).decode(), StandardCharsets.UTF_8).replace("\"age_over\":18", "\"age_over\":21");
    String tampered = parts[0] + "." + b64(payload) + "." + parts[2];

    assertThat(payload).contains("\"age_over\":21");
    assertThat(rejection(tampered)).isEqualTo(Reason.SIGNATURE);
  }

  @Test
  void verifyWhenSignatureTruncatedThenRejected() {
    String token = gateway.token(18, "b");

    assertThat(rejection(token.substring(0, token.length() - 4))).isIn(Reason.SIGNATURE, Reason.MALFORMED);
  }

  @Test
  void verifyWhenClaimsMissingOrWrongTypeThenClaims() {
    assertThat(rejection(gateway.token(c -> c.claim("age_over", null)))).isEqualTo(Reason.CLAIMS);
    assertThat(rejection(gateway.token(c -> c.claim("age_over", "18")))).isEqualTo(Reason.CLAIMS);
    assertThat(rejection(gateway.token(c -> c.claim("age_over", 18.5)))).isEqualTo(Reason.CLAIMS);
    assertThat(rejection(gateway.token(c -> c.claim("age_over", 0)))).isEqualTo(Reason.CLAIMS);
    assertThat(rejection(gateway.token(c -> c.claim("assurance", 5)))).isEqualTo(Reason.CLAIMS);
    assertThat(rejection(gateway.token(c -> c.claim("assurance", null)))).isEqualTo(Reason.CLAIMS);
    assertThat(rejection(gateway.token(c -> c.jwtID(null)))).isEqualTo(Reason.CLAIMS);
    assertThat(rejection(gateway.token(c -> c.expirationTime(null)))).isEqualTo(Reason.CLAIMS);
    assertThat(rejection(gateway.token(c -> c.issueTime(null)))).isEqualTo(Reason.CLAIMS);
    assertThat(rejection(gateway.token(c -> c.claim("bnd", Map.of("x", 1))))).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void verifyWhenTooLongOrEmptyThenMalformed() {
    assertThat(rejection("a".repeat(AgeTokenVerifier.MAX_TOKEN_CHARS + 1))).isEqualTo(Reason.MALFORMED);
    assertThat(rejection("")).isEqualTo(Reason.MALFORMED);
    assertThat(rejection("not.a.jwt")).isEqualTo(Reason.MALFORMED);
  }

  private static Map<String, Object> validClaims() {
    return Map.of("iss", gateway.url(), "aud", TestGateway.SITE, "age_over", 18, "assurance", 2,
        "iat", NOW.getEpochSecond(), "exp", NOW.plusSeconds(300).getEpochSecond(), "jti", "x");
  }
}
