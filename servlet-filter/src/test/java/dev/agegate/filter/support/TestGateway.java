package dev.agegate.filter.support;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The gateway as the filter sees it: a WireMock server publishing a JWKS, and the private
 * keys to sign age tokens with. Tests change what the JWKS endpoint answers to stage
 * rotations and outages. Not thread-safe to reconfigure; the server itself is.
 */
public final class TestGateway implements AutoCloseable {

  public static final String JWKS_PATH = "/.well-known/jwks.json";
  public static final String SITE = "demo-shop";

  private final WireMockServer server;
  private final Clock clock;
  private ECKey key;

  public TestGateway(Clock clock) {
    this.clock = clock;
    this.server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    server.start();
    this.key = newKey("k1");
    publish(key);
    publishWidget(WIDGET_SCRIPT);
  }

  public static final String WIDGET_PATH = "/widget/" + dev.agegate.filter.AgeGateFilter.WIDGET_RELEASE + "/age-gate.js";
  /** The test gateway's widget script: any bytes do, the filter only hashes them. */
  public static final byte[] WIDGET_SCRIPT = "customElements.define('age-gate', class extends HTMLElement {});\n"
      .getBytes(java.nio.charset.StandardCharsets.UTF_8);

  /** @return {@code sha384-…} of {@code script}, as the gateway publishes it */
  public static String sri(byte[] script) {
    try {
      return "sha384-" + java.util.Base64.getEncoder().encodeToString(
          java.security.MessageDigest.getInstance("SHA-384").digest(script));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Serves {@code script} as the widget and its SRI value as {@code age-gate.js.sri}. */
  public void publishWidget(byte[] script) {
    serveWidget(script, sri(script));
  }

  /** Serves {@code script} as the widget and {@code sri} as its published SRI value (they may disagree). */
  public void serveWidget(byte[] script, String sri) {
    serveWidget(WIDGET_PATH, script, sri);
  }

  /** The same at {@code path} (a versioned widget path). */
  public void serveWidget(String path, byte[] script, String sri) {
    server.stubFor(get(urlEqualTo(path)).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", "text/javascript").withBody(script)));
    server.stubFor(get(urlEqualTo(path + ".sri")).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", "text/plain").withBody(sri + "\n")));
  }

  /** The secret {@link #answerChecks()} expects. */
  public static final String SITE_SECRET = "test-site-secret-0123456789-abcdefghijklmnop";

  /**
   * Answers {@code POST /v1/checks} with {@code Authorization: Bearer SITE_SECRET} as the
   * gateway does (201 and a check), and anything else with 401 site_unauthenticated.
   */
  public void answerChecks() {
    server.stubFor(com.github.tomakehurst.wiremock.client.WireMock.post(urlEqualTo("/v1/checks")).atPriority(10)
        .willReturn(aResponse().withStatus(401).withHeader("Content-Type", "application/problem+json")
            .withBody("{\"reason\":\"site_unauthenticated\",\"status\":401}")));
    server.stubFor(com.github.tomakehurst.wiremock.client.WireMock.post(urlEqualTo("/v1/checks")).atPriority(1)
        .withHeader("Authorization", com.github.tomakehurst.wiremock.client.WireMock.equalTo("Bearer " + SITE_SECRET))
        .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
            .withBody("{\"transaction_id\":\"tx-" + UUID.randomUUID() + "\",\"expires_at\":\"" + clock.instant().plusSeconds(300)
                + "\",\"wallet_link\":\"openid4vp://?request_uri=x\",\"qr_svg\":\"<svg/>\"}")));
  }

  /** @return the bodies of the {@code POST /v1/checks} requests with the right secret */
  public List<String> checksCreated() {
    return server.findAll(com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(urlEqualTo("/v1/checks"))
        .withHeader("Authorization", com.github.tomakehurst.wiremock.client.WireMock.equalTo("Bearer " + SITE_SECRET)))
        .stream().map(r -> r.getBodyAsString()).toList();
  }

  public int widgetFetches() {
    return server.findAll(getRequestedFor(urlEqualTo(WIDGET_PATH))).size();
  }

  public static ECKey newKey(String kid) {
    try {
      return new ECKeyGenerator(Curve.P_256).keyID(kid).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.ES256).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The gateway's base URL, also the tokens' issuer. */
  public String url() {
    return "http://127.0.0.1:" + server.port();
  }

  public WireMockServer server() {
    return server;
  }

  /** Answers the JWKS endpoint with the public halves of {@code keys}. */
  public void publish(ECKey... keys) {
    List<JWK> pub = Arrays.stream(keys).map(k -> (JWK) k.toPublicJWK()).toList();
    answerJwks(aResponse().withStatus(200).withHeader("Content-Type", "application/jwk-set+json")
        .withBody(new JWKSet(pub).toString()));
  }

  public void answerJwks(ResponseDefinitionBuilder response) {
    server.stubFor(get(urlEqualTo(JWKS_PATH)).willReturn(response));
  }

  /** Signs with this key from now on (it must be published to be accepted). */
  public void signWith(ECKey key) {
    this.key = key;
  }

  public ECKey key() {
    return key;
  }

  public int jwksFetches() {
    return server.findAll(getRequestedFor(urlEqualTo(JWKS_PATH))).size();
  }

  /** @return a valid token for {@link #SITE}, age 18, bound to {@code binding} */
  public String token(int ageOver, String binding) {
    return token(c -> c.claim("age_over", ageOver).claim("bnd", binding));
  }

  /** @return a token with the valid defaults, then {@code claims} applied */
  public String token(Consumer<JWTClaimsSet.Builder> claims) {
    return token(h -> { }, claims);
  }

  public String token(Consumer<JWSHeader.Builder> header, Consumer<JWTClaimsSet.Builder> claims) {
    Instant now = clock.instant();
    JWSHeader.Builder h = new JWSHeader.Builder(JWSAlgorithm.ES256)
        .type(new JOSEObjectType("agegate-age+jwt")).keyID(key.getKeyID());
    header.accept(h);
    JWTClaimsSet.Builder c = new JWTClaimsSet.Builder()
        .issuer(url())
        .audience(SITE)
        .claim("age_over", 18)
        .claim("assurance", 2)
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plus(Duration.ofMinutes(5))))
        .jwtID(UUID.randomUUID().toString());
    claims.accept(c);
    try {
      SignedJWT jwt = new SignedJWT(h.build(), c.build());
      jwt.sign(new ECDSASigner(key));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    server.stop();
  }
}
