package dev.agegate.gateway.config;

import java.time.Duration;
import java.time.ZoneId;
import java.util.Set;

/**
 * A site that may run age checks at this gateway.
 *
 * @param id the site id: the tokens' {@code aud} and the scope of the nullifier
 * @param origins the exact origins ({@code scheme://host[:port]}) allowed to create checks
 * @param minAge the minimum age when a check does not say, 1..150
 * @param minAssurance the minimum issuer assurance level, 1..4
 * @param tokenLifetime how long an age token lasts
 * @param zone the time zone in which "today" is reckoned for this site
 * @param pseudonym whether tokens carry a per-site pseudonym ({@code psn})
 */
public record Site(
    String id,
    Set<String> origins,
    int minAge,
    int minAssurance,
    Duration tokenLifetime,
    ZoneId zone,
    boolean pseudonym) {

  public Site {
    origins = java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(origins));
  }

  /** Whether {@code origin} (an Origin header value, may be null) is allowed for this site. */
  public boolean allows(String origin) {
    return origin != null && origins.contains(origin);
  }
}
