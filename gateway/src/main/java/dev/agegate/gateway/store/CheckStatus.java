package dev.agegate.gateway.store;

import java.util.Locale;

/** Where a check stands. {@link #VERIFIED}, {@link #REJECTED} and {@link #EXPIRED} are final. */
public enum CheckStatus {
  /** Made; the wallet has not fetched the request yet. */
  PENDING,
  /** The wallet fetched the request object. */
  SCANNED,
  /** A valid proof arrived; the token can be redeemed (once). */
  VERIFIED,
  /** A response arrived and was refused; {@link Check#reason()} says why. */
  REJECTED,
  /** The check's lifetime passed before a response arrived. Never stored: derived from the expiry. */
  EXPIRED;

  /** The lower-case wire name. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether the status can no longer change. */
  public boolean terminal() {
    return this == VERIFIED || this == REJECTED || this == EXPIRED;
  }
}
