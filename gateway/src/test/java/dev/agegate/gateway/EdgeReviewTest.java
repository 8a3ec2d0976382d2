package dev.agegate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agegate.gateway.checks.Checks;
import dev.agegate.gateway.config.Settings;
import dev.agegate.testsupport.MutableClock;
import jakarta.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An attacker's review of the public edge (issue 10, review3): the admin endpoints under every
 * path spelling on the public port, the event-stream caps as a denial of service on someone
 * else's check, an IPv4-mapped address as a second bucket, and {@code require-secret} through
 * another spelling of the creation route.
 */
class EdgeReviewTest {
  private static final String CAPPED = """
        limits:
          trusted-proxies: [127.0.0.0/8, "::1/128"]
          per-ip:
            permits: 100000
          endpoints:
            poll: {permits: 100000}
            events: {permits: 100000}
          event-streams:
            per-check: 2
            per-address: 2
            total: 50
      """;

  @Test
  void adminEndpoints_everyPathSpelling_neverAnsweredOnThePublicPort() throws Exception {
    try (EdgeServers edge = EdgeServers.start(MutableClock.ticking(), "", Map.of())) {
      for (String path : List.of("/health", "/health/", "/HEALTH", "/Health/ready", "/health/ready", "/health/live",
          "/health/ready/", "/health;x", "/health/;x", "/health%2f", "//health", "/./health", "/x/../health",
          "/%68ealth", "/metrics", "/metrics/", "/METRICS", "/metrics;x", "//metrics", "/%6Detrics", "/%6detrics",
          "/metrics?x=1", "/metrics/application", "/metrics/vendor", "/observe/metrics", "/observe/health",
          "/openapi", "/openapi/", "/OPENAPI", "/openapi;x", "//openapi", "/%6Fpenapi", "/openapi?format=JSON",
          "/openapi/ui", "/observe", "/observe/info", "/observe/config", "/config", "/info", "/log", "/observe/log",
          "http://127.0.0.1/health", "http://127.0.0.1/metrics", "http://localhost:8091/openapi")) {
        EdgeServers.Raw r = edge.raw("GET", path, "Accept: */*");
        assertThat(r.status()).as("public GET %s: %s", path, r.body()).isGreaterThanOrEqualTo(400);
        assertThat(r.body()).as(path).doesNotContain("# TYPE").doesNotContain("openapi:").doesNotContain("\"checks\"")
            .doesNotContain("UP");
        EdgeServers.Raw head = edge.raw("HEAD", path);
        assertThat(head.status()).as("public HEAD %s", path).isGreaterThanOrEqualTo(400);
      }
      // the admin socket does answer (so the paths above are the right ones)
      assertThat(edge.admin().get("/health").status()).isEqualTo(204);
      assertThat(edge.admin().get("/metrics").body()).contains("# TYPE");
    }
  }

  @Test
  void streamCaps_unknownTransaction404TakesNoSlot_victimsCheckStillPollsWhenItsCapIsFull() throws Exception {
    try (EdgeServers edge = EdgeServers.start(MutableClock.ticking(), CAPPED, Map.of())) {
      Api api = edge.api();
      int port = edge.port();
      // guessing transaction ids: each is 404 before any cap is counted
      for (int i = 0; i < 10; i++) {
        try (EventStreamsTest.Stream s = EventStreamsTest.open(port, "guessed-tx-" + i + "aaaaaaaaaa", "198.51.100.1")) {
          assertThat(s.status()).isEqualTo(404);
        }
      }
      assertThat(edge.gateway.limits.streams().openStreams()).isZero();

      // an attacker who learnt a victim's transaction id fills its per-check cap ...
      Api.Started victim = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
      List<EventStreamsTest.Stream> open = new ArrayList<>();
      try {
        open.add(EventStreamsTest.open(port, victim.tx(), "198.51.100.2"));
        open.add(EventStreamsTest.open(port, victim.tx(), "198.51.100.3"));
        try (EventStreamsTest.Stream refused = EventStreamsTest.open(port, victim.tx(), "203.0.113.9")) {
          assertThat(refused.status()).isEqualTo(429);
        }
        // ... yet the victim's widget falls back to polling (not capped per check) and completes
        assertThat(api.get("/v1/checks/" + victim.tx()).status()).isEqualTo(200);
        assertThat(api.respond(victim.requestId(), Api.prove(victim), victim.state()).status()).isEqualTo(200);
        assertThat(api.get("/v1/checks/" + victim.tx()).json().getString("status")).isEqualTo("verified");
        assertThat(api.redeem(victim.tx(), Api.VERIFIER).status()).isEqualTo(200);
      } finally {
        for (EventStreamsTest.Stream s : open) {
          s.close();
        }
      }
    }
  }

  @Test
  void streamCaps_ipv4MappedAndPlainSpelling_oneAddressCap() throws Exception {
    try (EdgeServers edge = EdgeServers.start(MutableClock.ticking(), CAPPED, Map.of())) {
      Api api = edge.api();
      List<EventStreamsTest.Stream> open = new ArrayList<>();
      try {
        open.add(EventStreamsTest.open(edge.port(), tx(api), "198.51.100.7"));
        open.add(EventStreamsTest.open(edge.port(), tx(api), "::ffff:198.51.100.7"));
        for (String spelling : List.of("198.51.100.7", "::ffff:198.51.100.7", "[::FFFF:c633:6407]:443", "::ffff:c633:6407")) {
          try (EventStreamsTest.Stream third = EventStreamsTest.open(edge.port(), tx(api), spelling)) {
            assertThat(third.status()).as(spelling + ": " + third.body()).isEqualTo(429);
          }
        }
        for (EventStreamsTest.Stream s : open) {
          assertThat(s.status()).isEqualTo(200);
        }
      } finally {
        for (EventStreamsTest.Stream s : open) {
          s.close();
        }
      }
    }
  }

  @Test
  void requireSecret_otherSpellingsOfTheCreationRoute_neverCreateOnOriginAlone() throws Exception {
    Gateway g = Gateway.create(Settings.from(TestGateways.config(SiteAuthenticationTest.yaml())), java.time.Clock.systemUTC(), v -> v);
    try (EdgeServers edge = EdgeServers.start(g, Map.of())) {
      String body = """
          {"site":"backend-shop","min_age":18,"code_challenge":"%s","code_challenge_method":"S256"}"""
          .formatted(Checks.s256(Api.VERIFIER));
      for (String path : List.of("/v1/checks", "/v1/checks/", "/v1/checks?site=shop", "//v1/checks", "/v1//checks",
          "/V1/checks", "/v1/checks;x", "/v1/checks/.", "/v1/./checks", "/v1/checks%2f")) {
        for (String method : List.of("POST", "PUT", "PATCH")) {
          int status = json(edge.port(), method, path, body, "Origin: " + SiteAuthenticationTest.BACKEND_ORIGIN);
          assertThat(status).as(method + " " + path).isGreaterThanOrEqualTo(400);
        }
      }
      // and the site's own secret still works, so the refusals above are the secret's doing
      assertThat(json(edge.port(), "POST", "/v1/checks", body, "Authorization: Bearer " + SiteAuthenticationTest.SECRET))
          .isEqualTo(201);
    }
  }

  @Test
  void create_anyAuthorizationHeader_stillCountedPerAddressBeforeTheBodyIsRead() throws Exception {
    String yaml = SiteAuthenticationTest.yaml().replace("per-ip:\n      permits: 100000\n", "per-ip:\n      permits: 3\n      window: PT1H\n");
    assertThat(yaml).contains("permits: 3");
    Gateway g = Gateway.create(Settings.from(TestGateways.config(yaml)), java.time.Clock.systemUTC(), v -> v);
    try (EdgeServers edge = EdgeServers.start(g, Map.of())) {
      String unknownSite = """
          {"site":"no-such-site","min_age":18,"code_challenge":"%s","code_challenge_method":"S256"}"""
          .formatted(Checks.s256(Api.VERIFIER));
      String forged = "Authorization: Bearer not-anyones-secret-0123456789abcdef0123456789";
      // an Authorization header that is no site's secret must not buy unlimited parsing: the
      // unknown site, a malformed body and a missing site are each counted like any anonymous call
      List<Integer> statuses = new ArrayList<>();
      for (String body : List.of(unknownSite, "{\"site\":", "{}", unknownSite, unknownSite)) {
        statuses.add(json(edge.port(), "POST", "/v1/checks", body, forged));
      }
      assertThat(statuses.subList(0, 3)).as("statuses %s", statuses).allMatch(st -> st == 400 || st == 404);
      assertThat(statuses.subList(3, 5)).as("statuses %s", statuses).containsExactly(429, 429);
      // the backend's real secret is not limited per address (every page view comes from its servers)
      String backend = """
          {"site":"backend-shop","min_age":18,"code_challenge":"%s","code_challenge_method":"S256"}"""
          .formatted(Checks.s256(Api.VERIFIER));
      for (int i = 0; i < 5; i++) {
        assertThat(json(edge.port(), "POST", "/v1/checks", backend, "Authorization: Bearer " + SiteAuthenticationTest.SECRET))
            .isEqualTo(201);
      }
    }
  }

  /**
   * What a bystander who only saw the QR code can do to a check: end it, by a refusal exactly as
   * by a bogus proof (so the refusal path adds no power), never once it is verified or redeemed;
   * and the person's "start again" is a new check the bystander has not seen.
   */
  @Test
  void refusal_bystanderWithOnlyTheQr_endsAnOpenCheckAsABogusProofWould_neverAVerifiedOne() throws Exception {
    try (EdgeServers edge = EdgeServers.start(MutableClock.ticking(), "", Map.of())) {
      Api api = edge.api();
      for (boolean refusal : new boolean[] {true, false}) {
        Api.Started victim = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
        String state = bystanderReadsTheQr(api, victim);
        Api.Resp killed = refusal
            ? api.postForm("/v1/responses/" + victim.requestId(), Map.of("error", "access_denied", "state", state))
            : api.respond(victim.requestId(), "AAAA", state);
        assertThat(killed.status()).as(killed.body()).isIn(200, 400);
        JsonObject after = api.get("/v1/checks/" + victim.tx()).json();
        assertThat(after.getString("status")).as("refusal=" + refusal).isEqualTo("rejected");
        assertThat(api.respond(victim.requestId(), Api.prove(victim), victim.state()).status()).isEqualTo(409);
      }
      // start again: a fresh check, whose QR the bystander has not seen, completes
      Api.Started again = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
      assertThat(api.respond(again.requestId(), Api.prove(again), again.state()).status()).isEqualTo(200);
      assertThat(api.postForm("/v1/responses/" + again.requestId(), Map.of("error", "access_denied", "state",
          bystanderReadsTheQr(api, again))).status()).as("after verification").isEqualTo(409);
      assertThat(api.redeem(again.tx(), Api.VERIFIER).status()).isEqualTo(200);
      Api.Resp late = api.postForm("/v1/responses/" + again.requestId(), Map.of("error", "access_denied", "state", again.state()));
      assertThat(late.status()).as("after redemption").isEqualTo(409);
      JsonObject done = api.get("/v1/checks/" + again.tx()).json();
      assertThat(done.getString("status")).isEqualTo("verified");
      assertThat(done.getBoolean("redeemed")).isTrue();
    }
  }

  /** The state a bystander learns from the QR code alone: its request URI gives the request object. */
  private static String bystanderReadsTheQr(Api api, Api.Started s) throws Exception {
    String uri = s.created().getString("request_uri");
    Api.Resp ro = api.get(new java.net.URI(uri).getPath());
    assertThat(ro.status()).isEqualTo(200);
    return com.nimbusds.jwt.SignedJWT.parse(ro.body()).getJWTClaimsSet().getStringClaim("state");
  }

  private static String tx(Api api) {
    Api.Resp r = api.create("shop", 18, TestGateways.SHOP_ORIGIN);
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.json().getString("transaction_id");
  }

  /** One raw JSON request; its status. */
  private static int json(int port, String method, String path, String body, String header) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(20_000);
      byte[] b = body.getBytes(StandardCharsets.UTF_8);
      s.getOutputStream().write((method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + header + "\r\n"
          + "Content-Type: application/json\r\nContent-Length: " + b.length + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().write(b);
      s.getOutputStream().flush();
      String status = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1)).readLine();
      return Integer.parseInt(status.substring(9, 12));
    }
  }
}
