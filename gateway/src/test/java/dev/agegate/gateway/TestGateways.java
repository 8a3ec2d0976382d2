package dev.agegate.gateway;

import dev.agegate.gateway.config.Settings;
import dev.agegate.gateway.family.zk.ProofVerifier;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import java.nio.file.Path;
import java.time.Clock;
import java.util.UUID;
import java.util.function.UnaryOperator;

/** Gateways for tests: real keys, real trust list, a fresh data folder each. */
final class TestGateways {
  static final String PUBLIC_URL = "http://gateway.test:8090";
  static final String SHOP_ORIGIN = "http://localhost:8080";
  static final String OTHER_ORIGIN = "https://other.example";

  private TestGateways() {}

  /**
   * The YAML of a test gateway; {@code extra} is appended under {@code agegate:} (its keys
   * indented two spaces). Without a {@code limits:} key in it, rate limits are out of the way.
   */
  static String yaml(Path dataDir, String extra) {
    return yaml(dataDir, extra, "file: " + Fixture.get().trustFile);
  }

  /** Like {@link #yaml(Path, String)} with the lines of {@code agegate.trust} given (indented by the caller for lines after the first: four spaces). */
  static String yaml(Path dataDir, String extra, String trust) {
    if (!extra.contains("limits:")) {
      extra = extra + "\n  limits:\n    per-ip:\n      permits: 100000\n    endpoints:\n"
          + "      poll: {permits: 100000}\n      events: {permits: 100000}\n"
          + "      proving-key: {permits: 100000}\n      static: {permits: 100000}\n";
    }
    return """
        server:
          port: 0
        agegate:
          public-url: %s
          data-dir: %s
          circuit:
            keys-dir: %s
            dev-keys: true
          trust:
            %s
          sites:
            - id: shop
              name: The Test Shop
              origins: ["%s"]
              min-age: 18
              pseudonym: true
            - id: other-shop
              origins: ["%s"]
              min-age: 18
              time-zone: Pacific/Kiritimati
        %s
        """.formatted(PUBLIC_URL, dataDir, Fixture.KEYS, trust, SHOP_ORIGIN, OTHER_ORIGIN, extra);
  }

  static Config config(String yaml) {
    return Config.builder()
        .disableEnvironmentVariablesSource()
        .disableSystemPropertiesSource()
        .sources(ConfigSources.create(yaml, MediaTypes.APPLICATION_X_YAML))
        .build();
  }

  static Path freshDataDir() {
    return Path.of("target/test-data", UUID.randomUUID().toString());
  }

  /** Starts something on a given port. */
  interface OnPort<T> {
    T start(int port) throws Exception;
  }

  /**
   * Starts a server whose own URL is in its config (so it cannot bind port 0 and tell it
   * afterwards) on a port found free. Another process can take that port before the server binds
   * it: a start that fails with a {@link java.net.BindException} is tried again on another port,
   * up to three times. {@code start} must release what it made when it throws.
   */
  static <T> T onFreePort(OnPort<T> start) throws Exception {
    for (int attempt = 1; ; attempt++) {
      int port;
      try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
        port = s.getLocalPort();
      }
      try {
        return start.start(port);
      } catch (RuntimeException e) {
        if (attempt == 3 || !bindFailure(e)) {
          throw e;
        }
      }
    }
  }

  private static boolean bindFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.net.BindException) {
        return true;
      }
    }
    return false;
  }

  static Gateway create(Clock clock, UnaryOperator<ProofVerifier> decorate, String extra) {
    return Gateway.create(Settings.from(config(yaml(freshDataDir(), extra))), clock, decorate);
  }
}
