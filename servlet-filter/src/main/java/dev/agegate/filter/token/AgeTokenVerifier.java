package dev.agegate.filter.token;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.agegate.filter.token.TokenRejectedException.Reason;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Verifies the gateway's age tokens for one site.
 *
 * <p>A token passes only if: it is a compact JWS of at most {@value #MAX_TOKEN_CHARS}
 * characters; its header has {@code alg: ES256} (pinned: {@code none}, HMAC and every other
 * algorithm are refused), {@code typ: agegate-age+jwt}, a {@code kid} of the gateway's JWKS,
 * and none of {@code jku}, {@code x5u}, {@code jwk}, {@code x5c}, {@code crit} (never fetched,
 * never trusted); the signature verifies; {@code iss} equals the configured issuer; {@code aud}
 * is exactly the site id; {@code exp} and {@code iat} are present and
 * {@code iat - skew <= now <= exp + skew} (and {@code nbf - skew <= now} when present);
 * {@code age_over} is an integer 1..150, {@code assurance} an integer 1..4, {@code jti} a
 * non-blank string; {@code bnd} and {@code psn}, when present, are strings; {@code method} (the
 * family of proof) is one of the accepted methods (default: {@value #AGEGATE_ZK} and
 * {@value #MSO_MDOC}); a token without it (an older gateway's) counts as {@value #AGEGATE_ZK}.
 *
 * <p>Tokens that pass are cached until {@code exp + skew} under the SHA-256 of the token, so
 * verifying the same token again is one hash and one map lookup. Thread-safe; one instance
 * per site. Every failure, including an unreachable gateway, is a
 * {@link TokenRejectedException}: the verifier never lets a token through that it could not
 * check.
 */
public final class AgeTokenVerifier implements AutoCloseable {

  /** Longer strings are refused before any parsing: a cookie cannot hold more anyway. */
  public static final int MAX_TOKEN_CHARS = 4096;
  /** The {@code typ} header of an age token. */
  public static final JOSEObjectType TYPE = new JOSEObjectType("agegate-age+jwt");

  /** The {@code method} of a token proved by agegate's own zero-knowledge credential. */
  public static final String AGEGATE_ZK = "agegate-zk";
  /** The {@code method} of a token proved by an ISO 18013-5 mdoc (EU age verification, mDL). */
  public static final String MSO_MDOC = "mso_mdoc";
  /** Every {@code method} this verifier knows, the default of {@link Builder#acceptedMethods}. */
  public static final Set<String> METHODS = Set.of(AGEGATE_ZK, MSO_MDOC);

  private static final MessageDigest SHA256 = sha256();

  private final String issuer;
  private final String audience;
  private final Duration skew;
  private final Set<String> methods;
  private final Clock clock;
  private final JwksCache keys;
  private final Cache<ByteBuffer, AgeToken> verified;
  /** Null when the executor was given from outside (tests) and is not ours to shut down. */
  private final ExecutorService ownExecutor;

  private AgeTokenVerifier(Builder b) {
    this.issuer = b.issuer;
    this.audience = b.audience;
    this.skew = b.skew;
    this.methods = b.methods;
    this.clock = b.clock;
    // JWKS fetches block for up to the timeout: they get their own daemon threads, never the
    // common pool, whose one or two threads the HTTP client and Caffeine need meanwhile.
    this.ownExecutor = b.executor == null ? Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "agegate-jwks");
      t.setDaemon(true);
      return t;
    }) : null;
    Executor executor = b.executor == null ? ownExecutor : b.executor;
    Ticker ticker = b.clock.equals(Clock.systemUTC()) ? Ticker.systemTicker()
        : () -> TimeUnit.MILLISECONDS.toNanos(b.clock.millis());
    this.keys = new JwksCache(new JwksFetcher(b.jwksUri, b.jwksTimeout), b.jwksRefresh, b.jwksMaxStale,
        b.jwksMinRefetch, b.jwksTimeout, ticker, executor);
    this.verified = Caffeine.newBuilder()
        .ticker(ticker)
        .executor(executor)
        .maximumSize(b.cacheSize)
        .expireAfter(new UntilExpiry())
        .build();
  }

  /** @return a builder; {@code jwksUri}, {@code issuer} and {@code audience} are required */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * @param token the compact JWS, as posted to the callback or kept in the age cookie
   * @return its claims, never null
   * @throws TokenRejectedException when any check fails, including when the gateway's keys
   *     cannot be had ({@link Reason#KEYS_UNAVAILABLE})
   */
  public AgeToken verify(String token) throws TokenRejectedException {
    if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_CHARS) {
      throw new TokenRejectedException(Reason.MALFORMED, "empty or longer than " + MAX_TOKEN_CHARS + " chars");
    }
    ByteBuffer key = hash(token);
    Instant now = clock.instant();
    AgeToken cached = verified.getIfPresent(key);
    if (cached != null) {
      if (now.isAfter(cached.expiresAt().plus(skew))) {
        verified.invalidate(key);
        throw new TokenRejectedException(Reason.EXPIRED, "token expired");
      }
      return cached;
    }
    AgeToken fresh = verifyUncached(token, now);
    verified.put(key, fresh);
    return fresh;
  }

  /** Starts fetching the gateway's keys in the background, so the first token need not wait. */
  public void prefetchKeys() {
    keys.prefetch();
  }

  /** Drops the cached keys and tokens and stops the background fetch threads. */
  @Override
  public void close() {
    verified.invalidateAll();
    keys.invalidate();
    if (ownExecutor != null) {
      ownExecutor.shutdownNow();
    }
  }

  private AgeToken verifyUncached(String token, Instant now) throws TokenRejectedException {
    SignedJWT jwt;
    try {
      jwt = SignedJWT.parse(token);
    } catch (ParseException e) {
      throw new TokenRejectedException(Reason.MALFORMED, "not a compact JWS");
    }
    JWSHeader header = jwt.getHeader();
    if (!JWSAlgorithm.ES256.equals(header.getAlgorithm())) {
      throw new TokenRejectedException(Reason.ALGORITHM, "alg " + header.getAlgorithm() + " is not ES256");
    }
    if (!TYPE.equals(header.getType())) {
      throw new TokenRejectedException(Reason.TYPE, "typ is not " + TYPE);
    }
    if (header.getJWKURL() != null || header.getX509CertURL() != null || header.getJWK() != null
        || header.getX509CertChain() != null || header.getCriticalParams() != null) {
      throw new TokenRejectedException(Reason.HEADER, "jku/x5u/jwk/x5c/crit header present");
    }
    String kid = header.getKeyID();
    if (kid == null || kid.isBlank()) {
      throw new TokenRejectedException(Reason.HEADER, "no kid");
    }
    try {
      if (!jwt.verify(keys.verifier(kid))) {
        throw new TokenRejectedException(Reason.SIGNATURE, "bad signature (kid " + kid + ")");
      }
    } catch (JOSEException e) {
      throw new TokenRejectedException(Reason.SIGNATURE, "signature check failed (kid " + kid + ")");
    }
    JWTClaimsSet claims;
    try {
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      throw new TokenRejectedException(Reason.MALFORMED, "payload is not a JSON claims set");
    }
    return checkClaims(claims, now);
  }

  private AgeToken checkClaims(JWTClaimsSet claims, Instant now) throws TokenRejectedException {
    if (!issuer.equals(claims.getIssuer())) {
      throw new TokenRejectedException(Reason.ISSUER, "iss is not " + issuer);
    }
    List<String> aud = claims.getAudience();
    if (aud.size() != 1 || !audience.equals(aud.get(0))) {
      throw new TokenRejectedException(Reason.AUDIENCE, "aud is not " + audience);
    }
    Date exp = claims.getExpirationTime();
    Date iat = claims.getIssueTime();
    if (exp == null || iat == null) {
      throw new TokenRejectedException(Reason.CLAIMS, "exp or iat missing");
    }
    if (now.isAfter(exp.toInstant().plus(skew))) {
      throw new TokenRejectedException(Reason.EXPIRED, "exp " + exp.toInstant() + " passed");
    }
    Date nbf = claims.getNotBeforeTime();
    if (iat.toInstant().minus(skew).isAfter(now) || (nbf != null && nbf.toInstant().minus(skew).isAfter(now))) {
      throw new TokenRejectedException(Reason.NOT_YET_VALID, "iat/nbf in the future");
    }
    int ageOver = integer(claims, "age_over", 1, 150);
    int assurance = integer(claims, "assurance", 1, 4);
    try {
      String jti = claims.getStringClaim("jti");
      if (jti == null || jti.isBlank()) {
        throw new TokenRejectedException(Reason.CLAIMS, "jti missing");
      }
      String bnd = claims.getStringClaim("bnd");
      String psn = claims.getStringClaim("psn");
      // Older gateways wrote no method and knew only the ZK credential; a claim of another
      // JSON type is malformed (getStringClaim throws), never read as "absent".
      String method = claims.getClaim("method") == null ? AGEGATE_ZK : claims.getStringClaim("method");
      if (!methods.contains(method)) {
        throw new TokenRejectedException(Reason.METHOD, "method " + (method.length() > 32 ? method.substring(0, 32) + "…" : method)
            + " is not accepted (accepted: " + String.join(", ", new TreeSet<>(methods)) + ")");
      }
      return new AgeToken(ageOver, assurance, iat.toInstant(), exp.toInstant(), jti, bnd, psn, method);
    } catch (ParseException e) {
      throw new TokenRejectedException(Reason.MALFORMED, "jti, bnd, psn or method is not a string");
    }
  }

  private static int integer(JWTClaimsSet claims, String name, int min, int max) throws TokenRejectedException {
    Object value = claims.getClaim(name);
    // JSON numbers arrive as Long; 18.5, "18" and true are refused rather than coerced.
    if (!(value instanceof Long || value instanceof Integer)) {
      throw new TokenRejectedException(Reason.CLAIMS, name + " missing or not an integer");
    }
    long v = ((Number) value).longValue();
    if (v < min || v > max) {
      throw new TokenRejectedException(Reason.CLAIMS, name + " out of range " + min + ".." + max);
    }
    return (int) v;
  }

  private static ByteBuffer hash(String token) {
    MessageDigest md;
    try {
      md = (MessageDigest) SHA256.clone();
    } catch (CloneNotSupportedException e) {
      md = sha256();
    }
    return ByteBuffer.wrap(md.digest(token.getBytes(StandardCharsets.UTF_8)));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }

  /** Evicts a verified token when it would no longer verify. */
  private final class UntilExpiry implements Expiry<ByteBuffer, AgeToken> {
    @Override
    public long expireAfterCreate(ByteBuffer key, AgeToken token, long currentTime) {
      return Math.max(0, Duration.between(clock.instant(), token.expiresAt().plus(skew)).toNanos());
    }

    @Override
    public long expireAfterUpdate(ByteBuffer key, AgeToken token, long currentTime, long currentDuration) {
      return expireAfterCreate(key, token, currentTime);
    }

    @Override
    public long expireAfterRead(ByteBuffer key, AgeToken token, long currentTime, long currentDuration) {
      return currentDuration;
    }
  }

  /**
   * Settings of a verifier. Durations must be positive (skew may be zero); the builder is
   * not thread-safe.
   */
  public static final class Builder {
    private URI jwksUri;
    private String issuer;
    private String audience;
    private Duration skew = Duration.ofSeconds(30);
    private Set<String> methods = METHODS;
    private Clock clock = Clock.systemUTC();
    private Duration jwksRefresh = Duration.ofMinutes(5);
    private Duration jwksMaxStale = Duration.ofHours(1);
    private Duration jwksMinRefetch = Duration.ofSeconds(30);
    private Duration jwksTimeout = Duration.ofSeconds(3);
    private long cacheSize = 10_000;
    private Executor executor;

    private Builder() {
    }

    /** @param uri the gateway's JWKS, e.g. {@code https://gw.example/.well-known/jwks.json} */
    public Builder jwksUri(URI uri) {
      this.jwksUri = Objects.requireNonNull(uri, "jwksUri");
      return this;
    }

    /** @param issuer the exact {@code iss} the gateway writes (its public URL) */
    public Builder issuer(String issuer) {
      this.issuer = Objects.requireNonNull(issuer, "issuer");
      return this;
    }

    /** @param audience the site id, the exact {@code aud} */
    public Builder audience(String audience) {
      this.audience = Objects.requireNonNull(audience, "audience");
      return this;
    }

    /** @param skew tolerance on {@code exp}, {@code iat} and {@code nbf}; default 30 s */
    public Builder clockSkew(Duration skew) {
      this.skew = requireNonNegative(skew, "clockSkew");
      return this;
    }

    /**
     * @param accepted the families of proof whose tokens pass ({@code method}), a non-empty subset
     *     of {@link #METHODS}; default all of them
     * @throws IllegalArgumentException when empty or naming an unknown method
     */
    public Builder acceptedMethods(Set<String> accepted) {
      Objects.requireNonNull(accepted, "acceptedMethods");
      if (accepted.isEmpty() || !METHODS.containsAll(accepted)) {
        throw new IllegalArgumentException("acceptedMethods must be a non-empty subset of " + new TreeSet<>(METHODS) + ": " + accepted);
      }
      this.methods = Set.copyOf(accepted);
      return this;
    }

    /** @param clock the time source for token times and both caches; default system UTC */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** @param refresh age after which the JWKS is re-fetched in the background; default 5 min */
    public Builder jwksRefresh(Duration refresh) {
      this.jwksRefresh = requirePositive(refresh, "jwksRefresh");
      return this;
    }

    /** @param maxStale how long past {@code refresh} old keys serve while the gateway is unreachable; default 1 h */
    public Builder jwksMaxStale(Duration maxStale) {
      this.jwksMaxStale = requirePositive(maxStale, "jwksMaxStale");
      return this;
    }

    /** @param minRefetch least time between two fetches forced by unknown kids or after a failure; default 30 s */
    public Builder jwksMinRefetch(Duration minRefetch) {
      this.jwksMinRefetch = requirePositive(minRefetch, "jwksMinRefetch");
      return this;
    }

    /** @param timeout total time one JWKS fetch may take; default 3 s */
    public Builder jwksTimeout(Duration timeout) {
      this.jwksTimeout = requirePositive(timeout, "jwksTimeout");
      return this;
    }

    /** @param size most verified tokens kept; default 10,000 */
    public Builder cacheSize(long size) {
      if (size < 1) {
        throw new IllegalArgumentException("cacheSize must be at least 1: " + size);
      }
      this.cacheSize = size;
      return this;
    }

    /** Runs background JWKS refreshes; default daemon threads of the verifier's own. For tests. */
    Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /** @throws IllegalStateException when jwksUri, issuer or audience is missing */
    public AgeTokenVerifier build() {
      if (jwksUri == null || issuer == null || audience == null) {
        throw new IllegalStateException("jwksUri, issuer and audience are required");
      }
      return new AgeTokenVerifier(this);
    }

    private static Duration requirePositive(Duration d, String name) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + d);
      }
      return d;
    }

    private static Duration requireNonNegative(Duration d, String name) {
      if (d == null || d.isNegative()) {
        throw new IllegalArgumentException(name + " must not be negative: " + d);
      }
      return d;
    }
  }
}
