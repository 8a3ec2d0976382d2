package dev.agegate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agegate.testsupport.MutableClock;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.time.Duration;
import io.helidon.webserver.testing.junit5.Socket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Health, Prometheus metrics and the OpenAPI document on the admin socket (and not on the
 * public one), and the per-address rate limit. The tests share one gateway and one address
 * (loopback), so each starts in a fresh rate-limit window (the gateway's clock moved past the
 * window): any order passes, e.g. with
 * {@code -Djunit.jupiter.testmethod.order.default=org.junit.jupiter.api.MethodOrderer$Random}.
 */
@ServerTest
class OperationsTest {
  static final Duration WINDOW = Duration.ofHours(1);
  static final int PERMITS = 3;
  static final MutableClock CLOCK = MutableClock.ticking();
  static Gateway gateway;
  private final Api api;
  private final Api admin;

  OperationsTest(Http1Client client, @Socket("admin") Http1Client admin) {
    this.api = new Api(client);
    this.admin = new Api(admin);
  }

  static synchronized Gateway gateway() {
    if (gateway == null) {
      // only check creation is held to PERMITS: the other tests' paths have room
      gateway = TestGateways.create(CLOCK, v -> v, """
            limits:
              per-ip:
                permits: %d
                window: %s
              endpoints:
                other: {permits: 100000}
                demo: {permits: 100000}
          """.formatted(PERMITS, WINDOW));
    }
    return gateway;
  }

  @SetUpRoute
  static void routing(HttpRouting.Builder routing) {
    Main.routing(routing, gateway());
  }

  @SetUpRoute("admin")
  static void admin(HttpRouting.Builder routing) {
    Main.adminRouting(routing, gateway());
  }

  @AfterAll
  static void close() {
    gateway.close();
  }

  @BeforeEach
  void freshRateLimitWindow() {
    CLOCK.advance(WINDOW.plusSeconds(1));
  }

  @Test
  void health_ready_204AndDetails200UpWithWhatWasChecked() {
    assertThat(admin.get("/health").status()).isEqualTo(204);
    assertThat(admin.get("/health/live").status()).isEqualTo(204);
    Api.Resp r = admin.get("/health/ready");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().getString("status")).isEqualTo("UP");
    assertThat(r.json().getJsonObject("checks").getString("store")).isEqualTo("UP");
    assertThat(r.json().getJsonObject("checks").getString("verifying_key")).isEqualTo(gateway.fingerprint());
  }

  @Test
  void metrics_afterChecks_prometheusCountersAndHistogram() {
    api.create("shop", 18, "https://evil.example");
    Api.Resp r = admin.get("/metrics");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).contains("agegate_verification_seconds_bucket").contains("# TYPE");
    assertThat(r.body()).as("one histogram per presentation family, from the start")
        .containsPattern("agegate_verification_seconds_bucket\\{[^}]*family=\"agegate-zk\"");
    assertThat(r.body()).containsPattern("agegate_checks_total\\{[^}]*outcome=\"refused\"[^}]*reason=\"origin_not_allowed\"")
        .doesNotContain("evil.example");
  }

  /** The demo issuer signs credentials for any birth date: a gateway not started with --demo has none. */
  @Test
  void demoIssuer_nonDemoGateway_404() {
    for (String path : new String[] {"/demo/issuer", "/demo/issuer/", "/demo/issuer/credentials", "/demo/issuer/issuer.json"}) {
      assertThat(api.get(path).status()).as("GET " + path).isEqualTo(404);
    }
    Api.Resp post = api.postJson("/demo/issuer/credentials",
        "{\"holder_commitment\":\"" + "0".repeat(64) + "\",\"birth_date\":\"1990-01-01\"}", null);
    assertThat(post.status()).as(post.body()).isEqualTo(404);
    assertThat(post.body()).doesNotContain("credential");
  }

  @Test
  void openapi_document_listsEndpoints() {
    Api.Resp r = admin.get("/openapi");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).contains("/v1/checks").contains("/v1/responses/{requestId}").contains("proof_invalid");
  }

  @Test
  void publicPort_healthMetricsOpenapi_404AndNothingOfThem() {
    for (String path : new String[] {"/health", "/health/ready", "/health/live", "/metrics", "/metrics/", "/openapi",
        "/observe/metrics", "/observe/health"}) {
      Api.Resp r = api.get(path);
      assertThat(r.status()).as(path + ": " + r.body()).isEqualTo(404);
      assertThat(r.body()).as(path).doesNotContain("agegate_").doesNotContain("verifying_key").doesNotContain("openapi:");
    }
  }

  @Test
  void create_beyondPerAddressLimit_429RateLimitedWithRetryAfter() {
    for (int i = 0; i < PERMITS; i++) {
      Api.Resp r = api.create("shop", 18, TestGateways.SHOP_ORIGIN);
      assertThat(r.status()).as("permit %d: %s", i + 1, r.body()).isEqualTo(201);
    }
    Api.Resp last = api.create("shop", 18, TestGateways.SHOP_ORIGIN);
    assertThat(last.status()).as(last.body()).isEqualTo(429);
    assertThat(last.reason()).isEqualTo("rate_limited");
    assertThat(last.headers().first(io.helidon.http.HeaderNames.RETRY_AFTER)).isPresent();
  }
}
