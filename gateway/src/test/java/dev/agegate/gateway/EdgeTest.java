package dev.agegate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agegate.testsupport.MutableClock;
import dev.agegate.zk.DayNumber;
import io.helidon.http.HeaderNames;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The public edge over real HTTP: client addresses behind trusted proxies, a per-address budget
 * on every endpoint family, no redirect from any wallet-facing endpoint, HSTS on https only,
 * and ages beyond the circuit's days refused when the check is made.
 */
class EdgeTest {
  /** Every family at 2 per hour; loopback is a trusted proxy. */
  static EdgeServers proxied;
  /** The same budgets, no trusted proxy: for the family test only (it spends every bucket). */
  static EdgeServers direct;

  private static final String TIGHT = """
        limits:
          trusted-proxies: [127.0.0.0/8, "::1/128"]
          per-ip:
            permits: 2
            window: PT1H
          endpoints:
            poll: {permits: 2, window: PT1H}
            events: {permits: 2, window: PT1H}
            proving-key: {permits: 2, window: PT1H}
            static: {permits: 2, window: PT1H}
      """;

  @BeforeAll
  static void start() {
    proxied = EdgeServers.start(MutableClock.ticking(), TIGHT, Map.of());
    direct = EdgeServers.start(MutableClock.ticking(), TIGHT.replace("[127.0.0.0/8, \"::1/128\"]", "[]"), Map.of());
  }

  @AfterAll
  static void stop() {
    proxied.close();
    direct.close();
  }

  @Test
  void config_trustedProxiesFromAPropertyOverApplicationYaml_parsedAndTyposRefused() {
    Map<String, String> keys = Map.of("agegate.circuit.dev-keys", "true", "agegate.limits.trusted-proxies", "10.0.0.0/8,fd00::/8");
    var edge = dev.agegate.gateway.config.Settings.from(Main.config(false, keys)).edge();
    assertThat(edge.trustedProxies()).extracting(Object::toString).containsExactly("10.0.0.0/8", "fd00::/8");
    assertThat(dev.agegate.gateway.config.Settings.from(Main.config(false, Map.of("agegate.circuit.dev-keys", "true")))
        .edge().trustedProxies()).isEmpty();
    Map<String, String> typo = Map.of("agegate.circuit.dev-keys", "true", "agegate.limits.trusted-proxies", "10.0.0.1/8");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> dev.agegate.gateway.config.Settings.from(Main.config(false, typo)))
        .hasMessageContaining("agegate.limits.trusted-proxies.0").hasMessageContaining("10.0.0.1/8");
    Map<String, String> family = Map.of("agegate.circuit.dev-keys", "true", "agegate.limits.endpoints.polling.permits", "5");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> dev.agegate.gateway.config.Settings.from(Main.config(false, family)))
        .hasMessageContaining("agegate.limits.endpoints.polling");
  }

  @Test
  void trustedProxy_twoWallets_separateBuckets() throws Exception {
    String a = "X-Forwarded-For: 198.51.100.1";
    String b = "X-Forwarded-For: 203.0.113.50, 198.51.100.2";
    assertThat(proxied.raw("GET", "/v1/trust-list", a).status()).isEqualTo(200);
    assertThat(proxied.raw("GET", "/v1/trust-list", a).status()).isEqualTo(200);
    EdgeServers.Raw third = proxied.raw("GET", "/v1/trust-list", a);
    assertThat(third.status()).isEqualTo(429);
    // wallet b is another client behind the same balancer: its own bucket
    assertThat(proxied.raw("GET", "/v1/trust-list", b).status()).isEqualTo(200);
    // what b's client put to the left is not who it is: 203.0.113.50's bucket is untouched
    assertThat(proxied.raw("GET", "/v1/trust-list", "X-Forwarded-For: 203.0.113.50").status()).isEqualTo(200);
    assertThat(proxied.raw("GET", "/v1/trust-list", b).status()).isEqualTo(200);
    assertThat(proxied.raw("GET", "/v1/trust-list", b).status()).isEqualTo(429);
  }

  @Test
  void untrustedClient_forwardedHeaders_cannotDodgeItsBucket() throws Exception {
    try (EdgeServers own = EdgeServers.start(MutableClock.ticking(), TIGHT.replace("[127.0.0.0/8, \"::1/128\"]", "[]"), Map.of())) {
      assertThat(own.raw("GET", "/.well-known/jwks.json", "X-Forwarded-For: 198.51.100.1").status()).isEqualTo(200);
      assertThat(own.raw("GET", "/.well-known/jwks.json", "X-Forwarded-For: 198.51.100.2", "Forwarded: for=198.51.100.3")
          .status()).isEqualTo(200);
      for (String h : List.of("X-Forwarded-For: 198.51.100.4", "Forwarded: for=198.51.100.5", "X-Real-IP: 198.51.100.6",
          "X-Forwarded-For: unknown")) {
        EdgeServers.Raw r = own.raw("GET", "/.well-known/jwks.json", h);
        assertThat(r.status()).as(h).isEqualTo(429);
      }
    }
  }

  @Test
  void everyEndpointFamily_beyondItsBudget_429ProblemWithRetryAfter() throws Exception {
    String fp = direct.gateway.fingerprint();
    String[][] calls = {
        {"POST", "/v1/checks"},
        {"GET", "/v1/checks/some-tx"},
        {"GET", "/v1/checks/some-tx/events"},
        {"GET", "/v1/checks/some-tx/qr.svg"},
        {"POST", "/v1/checks/some-tx/token"},
        {"GET", "/v1/requests/some-request"},
        {"POST", "/v1/responses/some-request"},
        {"GET", "/v1/trust-list"},
        {"GET", "/v1/circuits/" + fp + "/proving-key"},
        {"GET", "/v1/circuits/" + fp},
        {"GET", "/.well-known/jwks.json"},
        {"GET", "/widget/v1/test-stand-in.js"},
        {"GET", "/no-such-thing"},
    };
    for (String[] c : calls) {
      int ok = 0;
      EdgeServers.Raw last = null;
      for (int i = 0; i < 3; i++) {
        last = direct.raw(c[0], c[1], "X-Forwarded-For: 198.51.100." + (100 + i));
        if (last.status() != 429) {
          ok++;
        }
      }
      assertThat(ok).as("%s %s answered before the limit", c[0], c[1]).isEqualTo(2);
      assertThat(last.status()).as("%s %s", c[0], c[1]).isEqualTo(429);
      assertThat(last.headers().get("content-type")).isEqualTo("application/problem+json");
      assertThat(last.body()).contains("\"reason\":\"rate_limited\"");
      assertThat(Long.parseLong(last.headers().get("retry-after"))).isPositive();
    }
    // a well-formed request id (counted and looked up in one store step) is in the same spent bucket: 429, not 404
    EdgeServers.Raw wellFormed = direct.raw("GET", "/v1/requests/AAAAAAAAAAAAAAAAAAAAAA");
    assertThat(wellFormed.status()).isEqualTo(429);
    assertThat(wellFormed.body()).contains("\"reason\":\"rate_limited\"");
    assertThat(Long.parseLong(wellFormed.headers().get("retry-after"))).isPositive();
    // the wallet's static files share the widget's family
    assertThat(direct.raw("GET", "/wallet/index.html").status()).isEqualTo(429);
  }

  @Test
  void walletFacingEndpoints_oddPaths_neverRedirect() throws Exception {
    try (EdgeServers open = EdgeServers.start(MutableClock.ticking(), "", Map.of())) {
      Api.Started s = open.api().start("shop", 18, TestGateways.SHOP_ORIGIN);
      String id = s.requestId();
      String fp = open.gateway.fingerprint();
      String[] gets = {
          "/v1/requests/" + id, "/v1/requests/" + id + "/", "/v1/requests/" + id + "//", "/v1/requests/", "/v1/requests",
          "//v1/requests/" + id, "/v1//requests/" + id, "/v1/requests/" + id + "?x=1", "/v1/requests/./" + id,
          "/v1/requests/" + id + "/..", "/v1/requests/%2e%2e/trust-list", "/V1/requests/" + id, "/v1/requests/" + id + ";x",
          "/v1/requests/" + id + "%2F", "/v1/trust-list", "/v1/trust-list/", "/v1/trust-list//", "/v1/trust-list?root=zz",
          "/v1/circuits/" + fp, "/v1/circuits/" + fp + "/", "/v1/circuits/" + fp + "/proving-key/",
          "/v1/circuits/" + fp.toUpperCase(java.util.Locale.ROOT) + "/proving-key", "/v1/circuits//proving-key",
          "/.well-known/jwks.json", "/.well-known/jwks.json/", "/.well-known/", "/.well-known", "/.well-known/openid-configuration",
          "/v1", "/v1/", "/"};
      for (String path : gets) {
        assertNoRedirect(open.raw("GET", path), "GET " + path);
      }
      for (String path : new String[] {"/v1/responses/" + id, "/v1/responses/" + id + "/", "/v1/responses/", "/v1/responses",
          "//v1/responses/" + id, "/v1/responses/" + id + "?response_code=1"}) {
        assertNoRedirect(open.raw("POST", path), "POST " + path);
      }
    }
  }

  private static void assertNoRedirect(EdgeServers.Raw r, String what) {
    assertThat(r.status() / 100).as(what + " answered " + r.status()).isNotEqualTo(3);
    assertThat(r.headers()).as(what).doesNotContainKey("location");
  }

  @Test
  void hsts_httpsPublicUrl_sentOnEveryAnswer_httpNever() throws Exception {
    String yaml = TestGateways.yaml(TestGateways.freshDataDir(), "").replace(TestGateways.PUBLIC_URL, "https://age.example.com");
    Gateway g = Gateway.create(dev.agegate.gateway.config.Settings.from(TestGateways.config(yaml)), MutableClock.ticking(), v -> v);
    try (EdgeServers https = EdgeServers.start(g, Map.of()); EdgeServers http = EdgeServers.start(MutableClock.ticking(), "", Map.of())) {
      for (String path : new String[] {"/v1/trust-list", "/no-such-thing", "/v1/requests/nope", "/widget/v1/test-stand-in.js"}) {
        assertThat(https.raw("GET", path).headers().get("strict-transport-security")).as(path).isEqualTo("max-age=31536000");
        assertThat(http.raw("GET", path).headers()).as(path).doesNotContainKey("strict-transport-security");
      }
    }
  }

  @Test
  void create_minAgeBeyondTheCircuitsDays_400AndLargestValidAgeServed() throws Exception {
    try (EdgeServers open = EdgeServers.start(MutableClock.ticking(), "", Map.of())) {
      Api api = open.api();
      for (int age : new int[] {127, 150}) {
        Api.Resp r = api.create("shop", age, TestGateways.SHOP_ORIGIN);
        assertThat(r.status()).as("min_age %d", age).isEqualTo(400);
        assertThat(r.reason()).isEqualTo("malformed_request");
        assertThat(r.contentType()).isEqualTo("application/problem+json");
      }
      // the largest age whose cutoff is still a circuit day ("shop" reckons today in UTC)
      LocalDate today = LocalDate.now(ZoneOffset.UTC);
      int largest = 0;
      while (largest < 150 && !today.minusYears(largest + 1).isBefore(DayNumber.EPOCH)) {
        largest++;
      }
      assertThat(largest).isBetween(120, 127);
      Api.Started s = api.start("shop", largest, TestGateways.SHOP_ORIGIN);
      assertThat(s.claims().getJsonObject("agegate").getInt("min_age")).isEqualTo(largest);
      Api.Resp tooOld = api.create("shop", largest + 1, TestGateways.SHOP_ORIGIN);
      assertThat(tooOld.status()).isEqualTo(400);
      assertThat(tooOld.headers().first(HeaderNames.LOCATION)).isEmpty();
    }
  }
}
