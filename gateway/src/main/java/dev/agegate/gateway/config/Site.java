package dev.agegate.gateway.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
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
 * @param secretHashes SHA-256 digests (32 bytes each) of the site's backend secrets, for
 *     {@code Authorization: Bearer} check creation; empty when the site has no backend secret.
 *     Several during a rotation. The secrets themselves are never in the gateway's config.
 * @param requireSecret whether check creation must carry one of those secrets (Origin alone is refused)
 * @param name the readable name the wallet's consent screen shows (default: the id)
 * @param families the presentation families the site accepts, in request order: {@link #AGEGATE_ZK}
 *     (the default) and/or {@link #MSO_MDOC}
 * @param unsignedRequest {@code request-style: unsigned}: the EU age verification profile's
 *     unsigned request by value in the QR's link, client id {@code redirect_uri:<response_uri>}
 *     (OpenID4VP 1.0 §5.9.3); mdoc only, since agegate's wallets answer signed requests only
 */
public record Site(
    String id,
    Set<String> origins,
    int minAge,
    int minAssurance,
    Duration tokenLifetime,
    ZoneId zone,
    boolean pseudonym,
    List<byte[]> secretHashes,
    boolean requireSecret,
    String name,
    Set<String> families,
    boolean unsignedRequest) {

  /** agegate's own zero-knowledge age proof. */
  public static final String AGEGATE_ZK = "agegate-zk";
  /** ISO/IEC 18013-5 mdoc age attestations (EU age verification, mDL), {@code age_over_NN} only. */
  public static final String MSO_MDOC = "mso_mdoc";
  /** What a family name looks like. */
  private static final java.util.regex.Pattern FAMILY_NAME = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9_-]{0,31}");

  public Site {
    families = java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(families));
    if (families.isEmpty() || !families.stream().allMatch(f -> FAMILY_NAME.matcher(f).matches())) {
      throw new IllegalArgumentException("site " + id + ": families must be a non-empty set of family names such as "
          + AGEGATE_ZK + " and " + MSO_MDOC + ", not " + families);
    }
    origins = java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(origins));
    secretHashes = secretHashes.stream().map(byte[]::clone).toList();
    for (byte[] h : secretHashes) {
      if (h.length != 32) {
        throw new IllegalArgumentException("site " + id + ": a secret hash is SHA-256, 32 bytes, not " + h.length);
      }
    }
    if (requireSecret && secretHashes.isEmpty()) {
      throw new IllegalArgumentException("site " + id + ": require-secret needs at least one secret-sha256");
    }
    if (unsignedRequest && !families.equals(Set.of(MSO_MDOC))) {
      throw new IllegalArgumentException("site " + id + ": request-style unsigned needs families [" + MSO_MDOC
          + "] only: agegate's own wallets answer signed requests only");
    }
  }

  /** A site with signed requests (the default request style). */
  public Site(String id, Set<String> origins, int minAge, int minAssurance, Duration tokenLifetime, ZoneId zone,
              boolean pseudonym, List<byte[]> secretHashes, boolean requireSecret, String name, Set<String> families) {
    this(id, origins, minAge, minAssurance, tokenLifetime, zone, pseudonym, secretHashes, requireSecret, name, families, false);
  }

  /** A site without a backend secret: checks are created on the browser's Origin alone. */
  public Site(String id, Set<String> origins, int minAge, int minAssurance, Duration tokenLifetime, ZoneId zone,
              boolean pseudonym) {
    this(id, origins, minAge, minAssurance, tokenLifetime, zone, pseudonym, List.of(), false, id);
  }

  /** A site accepting only agegate's own proofs (as every site did before families). */
  public Site(String id, Set<String> origins, int minAge, int minAssurance, Duration tokenLifetime, ZoneId zone,
              boolean pseudonym, List<byte[]> secretHashes, boolean requireSecret, String name) {
    this(id, origins, minAge, minAssurance, tokenLifetime, zone, pseudonym, secretHashes, requireSecret, name,
        Set.of(AGEGATE_ZK));
  }

  /** Whether the site accepts the presentation family {@code family}. */
  public boolean accepts(String family) {
    return families.contains(family);
  }

  /** The origin the wallet's consent screen shows: the first allowed origin. */
  public String displayOrigin() {
    return origins.iterator().next();
  }

  /** Whether {@code origin} (an Origin header value, may be null) is allowed for this site. */
  public boolean allows(String origin) {
    return origin != null && origins.contains(origin);
  }

  /**
   * Whether {@code secret} is one of the site's backend secrets. Constant time in the secret:
   * it is hashed first, and every configured hash is compared in full with
   * {@link MessageDigest#isEqual}, without an early exit.
   */
  public boolean secretMatches(String secret) {
    if (secret == null || secretHashes.isEmpty()) {
      return false;
    }
    byte[] presented = sha256(secret);
    boolean match = false;
    for (byte[] h : secretHashes) {
      match |= MessageDigest.isEqual(h, presented);
    }
    return match;
  }

  /**
   * @param key the config key, for the message
   * @param hex each a SHA-256 digest as 64 hex digits ({@code printf %s "$SECRET" | sha256sum})
   * @throws IllegalArgumentException naming {@code key} for anything else
   */
  public static List<byte[]> parseSecretHashes(String key, List<String> hex) {
    List<byte[]> out = new java.util.ArrayList<>();
    for (String h : hex) {
      String v = h.strip();
      if (!v.matches("[0-9a-fA-F]{64}")) {
        throw new IllegalArgumentException(key + ": a SHA-256 digest is 64 hex digits (printf %s \"$SECRET\" | sha256sum), not "
            + v.length() + " characters");
      }
      out.add(java.util.HexFormat.of().parseHex(v));
    }
    return out;
  }

  /** SHA-256 of the UTF-8 bytes of {@code secret}: what {@code secret-sha256} holds, in hex. */
  public static byte[] sha256(String secret) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }
}
