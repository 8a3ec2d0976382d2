package dev.agegate.filter.token;

/**
 * An age token failed a check. The message names the check and never contains the token.
 */
public final class TokenRejectedException extends Exception {

  private static final long serialVersionUID = 1L;

  /** Why a token was refused. */
  public enum Reason {
    /** Not a compact JWS, a claim of the wrong JSON type, or too long. */
    MALFORMED,
    /** {@code alg} is not ES256. */
    ALGORITHM,
    /** {@code typ} is not {@code agegate-age+jwt}. */
    TYPE,
    /** A header the gateway never sets ({@code jku}, {@code x5u}, {@code jwk}, {@code x5c}, {@code crit}) or no {@code kid}. */
    HEADER,
    /** The {@code kid} is not in the gateway's JWKS, even after the allowed re-fetch. */
    UNKNOWN_KEY,
    /** The signature does not verify. */
    SIGNATURE,
    /** {@code iss} is not the configured issuer. */
    ISSUER,
    /** {@code aud} is not exactly this site. */
    AUDIENCE,
    /** {@code exp} plus the clock skew has passed. */
    EXPIRED,
    /** {@code iat} or {@code nbf} is later than now plus the clock skew. */
    NOT_YET_VALID,
    /** A required claim is missing or out of range. */
    CLAIMS,
    /**
     * {@code method} names a family of proof the site does not accept ({@code accepted-methods}),
     * or is missing while the site does not accept {@code agegate-zk}.
     */
    METHOD,
    /** The token is not bound to this browser (no nonce cookie, no {@code bnd}, or a different one). */
    BINDING,
    /** The gateway's keys could not be had and none are cached: nothing can be verified. */
    KEYS_UNAVAILABLE
  }

  private final Reason reason;

  /**
   * @param reason the failed check, not null
   * @param detail a short explanation without the token
   */
  public TokenRejectedException(Reason reason, String detail) {
    super(reason + ": " + detail, null, false, false);
    this.reason = reason;
  }

  /** @return the failed check, never null */
  public Reason reason() {
    return reason;
  }
}
