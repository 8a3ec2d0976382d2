package dev.agegate.gateway;

import dev.agegate.gateway.config.Settings;
import dev.agegate.gateway.family.zk.ProofVerifier;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.WebServer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * One gateway on its own HTTP port, for tests that need several in one JVM or their own
 * settings (a store, a trust file, a verifier that a test steers).
 */
final class TestNode implements AutoCloseable {
  final Gateway gateway;
  final WebServer server;
  final Api api;
  /** The admin listener's client: /health, /metrics. */
  final Api admin;
  final String url;

  private TestNode(Gateway gateway) {
    this.gateway = gateway;
    this.server = Main.server(Main.config(false, java.util.Map.of("server.port", "0", "server.host", "127.0.0.1",
        "server.sockets.admin.port", "0")), gateway).start();
    this.url = "http://127.0.0.1:" + server.port();
    this.api = new Api(Http1Client.builder().baseUri(url).readTimeout(Duration.ofSeconds(60)).build());
    this.admin = new Api(Http1Client.builder().baseUri("http://127.0.0.1:" + server.port(Main.ADMIN))
        .readTimeout(Duration.ofSeconds(60)).build());
  }

  /**
   * @param trust the lines of {@code agegate.trust} (see {@link TestGateways#yaml(Path, String, String)})
   * @param redisUri with {@code prefix}: a Redis store; null: Caffeine
   */
  static TestNode start(Clock clock, UnaryOperator<ProofVerifier> decorate, String extra, String trust, String redisUri,
      String prefix) {
    String yaml = TestGateways.yaml(TestGateways.freshDataDir(), (redisUri == null ? "" : "\n  store: redis") + extra, trust);
    Gateway g;
    // StateStores takes the Redis address from system properties: set them only while this gateway is made.
    synchronized (TestNode.class) {
      if (redisUri != null) {
        System.setProperty("agegate.redis.uri", redisUri);
        System.setProperty("agegate.redis.prefix", prefix);
      }
      try {
        g = Gateway.create(Settings.from(TestGateways.config(yaml)), clock, decorate);
      } finally {
        System.clearProperty("agegate.redis.uri");
        System.clearProperty("agegate.redis.prefix");
      }
    }
    return new TestNode(g);
  }

  /** A Caffeine node whose configuration is {@code edit} of the usual one (e.g. a site's families). */
  static TestNode startEdited(Clock clock, UnaryOperator<ProofVerifier> decorate, String extra, UnaryOperator<String> edit) {
    String yaml = edit.apply(TestGateways.yaml(TestGateways.freshDataDir(), extra, "file: " + Fixture.get().trustFile));
    return new TestNode(Gateway.create(Settings.from(TestGateways.config(yaml)), clock, decorate));
  }

  static TestNode start(Clock clock, UnaryOperator<ProofVerifier> decorate, String extra) {
    return start(clock, decorate, extra, "file: " + Fixture.get().trustFile, null, null);
  }

  @Override
  public void close() {
    server.stop();
    gateway.close();
  }
}
