package dev.agegate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agegate.gateway.checks.Checks;
import dev.agegate.gateway.config.Settings;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.HeaderNames;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webclient.http1.Http1ClientRequest;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Site-authenticated check creation (issue 10): a site's backend creates checks with
 * {@code Authorization: Bearer <site secret>}; a site with {@code require-secret} refuses
 * Origin-only creation, which a server-side script can forge.
 */
@ServerTest
class SiteAuthenticationTest {
  static final String SECRET = "k3Jv8xQz1bN0fT5wYc7uHs2mLp9aRd4eGi6oVn-backend";
  static final String OLD_SECRET = "previous-secret-being-rotated-out-0123456789";
  static final String BACKEND_ORIGIN = "https://backend.example";
  static Gateway gateway;

  private final Api api;
  private final Http1Client client;

  SiteAuthenticationTest(Http1Client client) {
    this.client = client;
    this.api = new Api(client);
  }

  static String hex(String secret) {
    return HexFormat.of().formatHex(dev.agegate.gateway.config.Site.sha256(secret));
  }

  /** The test gateway's two sites plus "backend-shop" (secret required) and "mixed-shop" (secret optional). */
  static String yaml() {
    return TestGateways.yaml(TestGateways.freshDataDir(), "").replace("  sites:\n", """
          sites:
            - id: backend-shop
              origins: ["%s"]
              secret-sha256: ["%s", "%s"]
              require-secret: true
            - id: mixed-shop
              origins: ["%s"]
              secret-sha256: %s
        """.formatted(BACKEND_ORIGIN, hex(SECRET), hex(OLD_SECRET), BACKEND_ORIGIN, hex(SECRET)));
  }

  @SetUpRoute
  static void routing(HttpRouting.Builder routing) {
    gateway = Gateway.create(Settings.from(TestGateways.config(yaml())), java.time.Clock.systemUTC(), v -> v);
    Main.routing(routing, gateway);
  }

  @AfterAll
  static void close() {
    gateway.close();
  }

  private Api.Resp create(String site, String origin, String authorization) {
    Http1ClientRequest req = client.post("/v1/checks").contentType(MediaTypes.APPLICATION_JSON);
    if (origin != null) {
      req.header(HeaderNames.ORIGIN, origin);
    }
    if (authorization != null) {
      req.header(HeaderNames.AUTHORIZATION, authorization);
    }
    return Api.read(req.submit("""
        {"site":"%s","min_age":18,"code_challenge":"%s","code_challenge_method":"S256","binding":"bnd-1"}"""
        .formatted(site, Checks.s256(Api.VERIFIER))));
  }

  private static void assertUnauthenticated(Api.Resp r) {
    assertThat(r.status()).as(r.body()).isEqualTo(401);
    assertThat(r.contentType()).isEqualTo("application/problem+json");
    assertThat(r.reason()).isEqualTo("site_unauthenticated");
    assertThat(r.headers().first(HeaderNames.WWW_AUTHENTICATE)).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer realm=\"agegate\""));
  }

  @Test
  void create_requiredSecret_forgedOriginWithoutSecretRefused401() {
    // What a server-side script does: claim the site's Origin. A browser could not, a script can.
    assertUnauthenticated(create("backend-shop", BACKEND_ORIGIN, null));
    assertUnauthenticated(create("backend-shop", null, null));
  }

  @Test
  void create_wrongOrMalformedSecret_refused401() {
    assertUnauthenticated(create("backend-shop", null, "Bearer " + SECRET + "x"));
    assertUnauthenticated(create("backend-shop", null, "Bearer " + SECRET.substring(1)));
    assertUnauthenticated(create("backend-shop", null, "Bearer "));
    assertUnauthenticated(create("backend-shop", null, "Basic " + SECRET));
    assertUnauthenticated(create("backend-shop", null, SECRET));
    // a secret of another site, or for a site that has none, is no secret
    assertUnauthenticated(create("shop", TestGateways.SHOP_ORIGIN, "Bearer " + SECRET));
    // a wrong secret is never retried as Origin-only creation, even where Origin alone would do
    assertUnauthenticated(create("mixed-shop", BACKEND_ORIGIN, "Bearer wrong-" + SECRET));
  }

  @Test
  void create_rightSecret_201WithoutOriginAndOldSecretDuringRotation() {
    Api.Resp r = create("backend-shop", null, "Bearer " + SECRET);
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    assertThat(create("backend-shop", null, "bearer " + OLD_SECRET).status()).isEqualTo(201);
    // optional secret: the site's browsers may still create checks on their Origin alone
    assertThat(create("mixed-shop", BACKEND_ORIGIN, null).status()).isEqualTo(201);
    assertThat(create("mixed-shop", null, "Bearer " + SECRET).status()).isEqualTo(201);
  }

  @Test
  void fullFlow_backendCreatedCheck_walletProvesAndBrowserRedeems() throws Exception {
    Api.Resp created = create("backend-shop", null, "Bearer " + SECRET);
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    String tx = created.json().getString("transaction_id");
    String requestUri = created.json().getString("request_uri");
    String requestId = requestUri.substring(requestUri.lastIndexOf('/') + 1);
    Api.Resp ro = api.get("/v1/requests/" + requestId);
    assertThat(ro.status()).isEqualTo(200);
    Api.Started s = new Api.Started(tx, requestId, created.json(), com.nimbusds.jwt.SignedJWT.parse(ro.body()));
    assertThat(s.claims().getJsonObject("agegate").getString("site")).isEqualTo("backend-shop");
    Api.Resp posted = api.respond(requestId, Api.prove(s), s.state());
    assertThat(posted.status()).as(posted.body()).isEqualTo(200);
    // /token from a disallowed Origin: refused, and the check stays redeemable by the site
    for (String origin : java.util.List.of("https://evil.example", TestGateways.OTHER_ORIGIN, TestGateways.SHOP_ORIGIN)) {
      Api.Resp stolen = api.postJson("/v1/checks/" + tx + "/token", "{\"code_verifier\":\"" + Api.VERIFIER + "\"}", origin);
      assertThat(stolen.status()).as(origin).isEqualTo(403);
      assertThat(stolen.reason()).isEqualTo("origin_not_allowed");
      assertThat(stolen.body()).doesNotContain("token\":\"ey");
    }
    // the widget in the visitor's browser (on the site's origin) redeems with the verifier the page handed it
    Api.Resp token = api.postJson("/v1/checks/" + tx + "/token", "{\"code_verifier\":\"" + Api.VERIFIER + "\"}", BACKEND_ORIGIN);
    assertThat(token.status()).as(token.body()).isEqualTo(200);
    assertThat(com.nimbusds.jwt.SignedJWT.parse(token.json().getString("token")).getJWTClaimsSet().getAudience())
        .containsExactly("backend-shop");
  }

  @Test
  void settings_requireSecretWithoutHashOrBadHash_refusedAtStart() {
    String base = TestGateways.yaml(TestGateways.freshDataDir(), "");
    String noHash = base.replace("      pseudonym: true\n", "      pseudonym: true\n      require-secret: true\n");
    assertThatThrownBy(() -> Settings.from(TestGateways.config(noHash)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("agegate.sites.0.require-secret");
    String badHash = base.replace("      pseudonym: true\n", "      pseudonym: true\n      secret-sha256: \"" + SECRET + "\"\n");
    assertThatThrownBy(() -> Settings.from(TestGateways.config(badHash)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("agegate.sites.0.secret-sha256")
        .hasMessageNotContaining(SECRET);
  }
}
