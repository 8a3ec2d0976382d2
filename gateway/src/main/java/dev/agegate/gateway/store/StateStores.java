package dev.agegate.gateway.store;

import java.time.Clock;

/** Creates the configured {@link StateStore}. */
public final class StateStores {
  private StateStores() {}

  /**
   * @param kind {@code caffeine} (in this process); {@code redis} is not built into this version
   * @param maxChecks the most checks held at once
   * @throws IllegalArgumentException for a kind this build cannot make
   */
  public static StateStore create(String kind, long maxChecks, Clock clock) {
    return switch (kind) {
      case "caffeine" -> new CaffeineStateStore(maxChecks, clock);
      default -> throw new IllegalArgumentException("agegate.store: '" + kind + "' is not available in this build (caffeine)");
    };
  }
}
