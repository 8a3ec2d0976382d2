package dev.agegate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agegate.testsupport.MutableClock;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Event streams under a flood: capped per check, per client address and in total while a real
 * check still completes; a stream ends after the checks' lifetime whatever the check's clock
 * says; and the listener's own limit (max-concurrent-requests) really applies.
 */
class EventStreamsTest {
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
            per-address: 3
            total: 5
      """;

  /** An open stream: the status line and headers are read, the socket stays open. */
  record Stream(Socket socket, BufferedReader in, int status, String body) implements AutoCloseable {
    /**
     * Reads until the server ends the stream (the last, empty chunk), at most {@code max}
     * (keep-alives would reset a read timeout for ever); the status events' data.
     */
    List<String> readToEnd(Duration max) throws IOException {
      long until = System.nanoTime() + max.toNanos();
      List<String> events = new ArrayList<>();
      String line;
      while ((line = in.readLine()) != null && !line.equals("0")) {
        if (System.nanoTime() > until) {
          throw new AssertionError("the stream was still open after " + max + ": " + events);
        }
        if (line.startsWith("data:")) {
          events.add(line.substring(5).strip());
        }
      }
      return events;
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  static Stream open(int port, String tx, String client) throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
    s.setSoTimeout(30_000);
    s.getOutputStream().write(("GET /v1/checks/" + tx + "/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
        + "X-Forwarded-For: " + client + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
    BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
    String status = in.readLine();
    StringBuilder head = new StringBuilder();
    String line;
    while ((line = in.readLine()) != null && !line.isEmpty()) {
      head.append(line).append('\n');
    }
    int code = Integer.parseInt(status.substring(9, 12));
    String body = "";
    if (code != 200) {
      char[] buf = new char[4096];
      int n = in.read(buf);
      body = head + (n > 0 ? new String(buf, 0, n) : "");
    }
    return new Stream(s, in, code, body);
  }

  private static String tx(Api api) {
    Api.Resp r = api.create("shop", 18, TestGateways.SHOP_ORIGIN);
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.json().getString("transaction_id");
  }

  @Test
  void flood_streamsCappedPerCheckAddressAndTotal_realCheckStillCompletes() throws Exception {
    try (EdgeServers edge = EdgeServers.start(MutableClock.ticking(), CAPPED, Map.of())) {
      Api api = edge.api();
      int port = edge.port();
      String a = tx(api);
      String b = tx(api);
      String c = tx(api);
      Api.Started real = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
      List<Stream> open = new ArrayList<>();
      try {
        open.add(open(port, a, "198.51.100.1"));
        open.add(open(port, a, "198.51.100.2"));
        Stream perCheck = open(port, a, "198.51.100.3");
        assertThat(perCheck.status()).isEqualTo(429);
        assertThat(perCheck.body()).contains("application/problem+json").contains("rate_limited").contains("for this check")
            .containsIgnoringCase("retry-after: 5");
        perCheck.close();

        open.add(open(port, b, "198.51.100.1"));
        open.add(open(port, c, "198.51.100.1"));
        Stream perAddress = open(port, real.tx(), "198.51.100.1");
        assertThat(perAddress.status()).isEqualTo(429);
        assertThat(perAddress.body()).contains("rate_limited").contains("from this address");
        perAddress.close();

        Stream watching = open(port, real.tx(), "198.51.100.4");
        open.add(watching);
        Stream total = open(port, real.tx(), "198.51.100.5");
        assertThat(total.status()).isEqualTo(503);
        assertThat(total.body()).contains("application/problem+json").contains("overloaded");
        total.close();
        for (Stream s : open) {
          assertThat(s.status()).isEqualTo(200);
        }
        assertThat(edge.gateway.limits.streams().openStreams()).isEqualTo(5);

        // the real check: the wallet answers, polling and the one stream that got in see it verified
        Api.Resp answered = api.respond(real.requestId(), Api.prove(real), real.state());
        assertThat(answered.status()).as(answered.body()).isEqualTo(200);
        assertThat(api.get("/v1/checks/" + real.tx()).json().getString("status")).isEqualTo("verified");
        assertThat(watching.readToEnd(Duration.ofSeconds(60))).last().asString().contains("\"status\":\"verified\"");
        assertThat(api.redeem(real.tx(), Api.VERIFIER).status()).isEqualTo(200);

        // its stream ended, so its slot is free again (given back as the handler returns)
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (edge.gateway.limits.streams().openStreams() != 4 && System.nanoTime() < until) {
          Thread.onSpinWait();
        }
        assertThat(edge.gateway.limits.streams().openStreams()).isEqualTo(4);
        Stream again = open(port, tx(api), "198.51.100.6");
        open.add(again);
        assertThat(again.status()).isEqualTo(200);
      } finally {
        for (Stream s : open) {
          s.close();
        }
      }
    }
  }

  @Test
  void stream_checksClockStandsStill_endsAfterTheChecksLifetime() throws Exception {
    MutableClock clock = MutableClock.ticking();
    try (EdgeServers edge = EdgeServers.start(clock, CAPPED + "  checks:\n    lifetime: PT2S\n", Map.of())) {
      String tx = tx(edge.api());
      // the check's clock goes back an hour: by it, the check never expires
      clock.advance(Duration.ofHours(-1));
      long start = System.nanoTime();
      try (Stream s = open(edge.port(), tx, "198.51.100.1")) {
        assertThat(s.status()).isEqualTo(200);
        // lifetime 2 s; a keep-alive at 15 s would be the first sign of a stream that goes on
        List<String> events = s.readToEnd(Duration.ofSeconds(14));
        assertThat(events).hasSize(1).first().asString().contains("\"status\":\"pending\"");
      }
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(14));
    }
  }

  @Test
  void listener_maxConcurrentRequests_fromConfigRefusesTheNextRequest() throws Exception {
    String lifted = CAPPED.replace("per-check: 2", "per-check: 10").replace("per-address: 3", "per-address: 10")
        .replace("total: 5", "total: 10");
    try (EdgeServers edge = EdgeServers.start(MutableClock.ticking(), lifted, Map.of("server.max-concurrent-requests", "3"))) {
      Api api = edge.api();
      String tx = tx(api);
      List<Stream> open = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          open.add(open(edge.port(), tx, "198.51.100." + (10 + i)));
          assertThat(open.get(i).status()).isEqualTo(200);
        }
        Stream fourth = open(edge.port(), tx, "198.51.100.20");
        open.add(fourth);
        assertThat(fourth.status()).isEqualTo(503);
      } finally {
        for (Stream s : open) {
          s.close();
        }
      }
    }
  }

  @Test
  void applicationYaml_listenerLimitsAndAdminSocket_inForceAsMainBuildsTheServer() {
    try (EdgeServers edge = EdgeServers.start(MutableClock.ticking(), "", Map.of())) {
      var pub = edge.server.prototype();
      assertThat(pub.maxTcpConnections()).isEqualTo(4096);
      assertThat(pub.maxConcurrentRequests()).isEqualTo(2048);
      assertThat(pub.idleConnectionTimeout()).isEqualTo(Duration.ofMinutes(2));
      var admin = pub.sockets().get(Main.ADMIN);
      assertThat(admin.maxTcpConnections()).isEqualTo(64);
      assertThat(admin.maxConcurrentRequests()).isEqualTo(32);
      assertThat(admin.host()).isEqualTo("127.0.0.1");
      assertThat(edge.admin().get("/health").status()).isEqualTo(204);
      assertThat(edge.admin().get("/metrics").body()).contains("# TYPE");
      assertThat(edge.admin().get("/openapi").body()).contains("/v1/checks");
      for (String path : new String[] {"/health", "/metrics", "/openapi"}) {
        assertThat(edge.api().get(path).status()).as(path).isEqualTo(404);
      }
    }
  }
}
