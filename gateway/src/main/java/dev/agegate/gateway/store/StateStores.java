package dev.agegate.gateway.store;

import java.net.URI;
import java.time.Clock;

/** Creates the configured {@link StateStore}. */
public final class StateStores {
  private StateStores() {}

  /** The Redis URI when none is configured. */
  public static final String DEFAULT_REDIS_URI = "redis://127.0.0.1:6379";

  /**
   * Like {@link #create(String, long, Clock, String)} with the Redis URI from the system property
   * {@code agegate.redis.uri}, else the environment variable {@code AGEGATE_REDIS_URI}, else
   * {@value #DEFAULT_REDIS_URI}.
   */
  public static StateStore create(String kind, long maxChecks, Clock clock) {
    return create(kind, maxChecks, clock, setting("agegate.redis.uri", DEFAULT_REDIS_URI));
  }

  /**
   * @param kind {@code caffeine} (one process) or {@code redis} (shared by several gateways)
   * @param maxChecks the most checks held at once (Caffeine; Redis is bounded by its own
   *     {@code maxmemory})
   * @param redisUri {@code redis://host:port} (used only for {@code redis}); keys are prefixed
   *     with the system property or environment {@code agegate.redis.prefix} /
   *     {@code AGEGATE_REDIS_PREFIX}, default {@code agegate:}
   * @throws IllegalArgumentException naming the key, for an unknown kind or a bad URI
   */
  public static StateStore create(String kind, long maxChecks, Clock clock, String redisUri) {
    return switch (kind) {
      case "caffeine" -> new CaffeineStateStore(maxChecks, clock);
      case "redis" -> {
        URI uri;
        try {
          uri = URI.create(redisUri.strip());
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("agegate.redis.uri: not a URI such as redis://127.0.0.1:6379");
        }
        yield new RedisStateStore(uri, setting("agegate.redis.prefix", "agegate:"),
            Integer.parseInt(setting("agegate.redis.max-connections", "64")), clock);
      }
      default -> throw new IllegalArgumentException("agegate.store: '" + kind + "' is not caffeine or redis");
    };
  }

  private static String setting(String key, String dflt) {
    String v = System.getProperty(key);
    if (v == null || v.isBlank()) {
      v = System.getenv(key.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_'));
    }
    return v == null || v.isBlank() ? dflt : v.strip();
  }
}
