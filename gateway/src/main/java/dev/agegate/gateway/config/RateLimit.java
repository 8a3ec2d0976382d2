package dev.agegate.gateway.config;

import java.time.Duration;

/**
 * At most {@code permits} requests per {@code window} for one key (fixed window).
 *
 * @param permits the number allowed per window; 0 disables the limit
 * @param window the window's length
 */
public record RateLimit(int permits, Duration window) {

  /** Whether this limit is switched off. */
  public boolean disabled() {
    return permits <= 0;
  }
}
