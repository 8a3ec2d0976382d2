package dev.agegate.gateway.http;

import jakarta.json.spi.JsonProvider;

/**
 * The one JSON provider of the gateway. {@code jakarta.json.Json}'s static methods look the
 * provider up through the service loader on every call (hundreds of microseconds on the hot
 * path of a response); this looks it up once.
 */
public final class JsonSupport {
  /** The provider; thread-safe. */
  public static final JsonProvider JSON = JsonProvider.provider();

  private JsonSupport() {}
}
