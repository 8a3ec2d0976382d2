package dev.agegate.gateway.checks;

import dev.agegate.gateway.audit.AuditLog;
import dev.agegate.gateway.config.Settings;
import dev.agegate.gateway.config.Site;
import dev.agegate.gateway.http.Problem;
import dev.agegate.gateway.http.Reason;
import dev.agegate.gateway.metrics.GatewayMetrics;
import dev.agegate.gateway.store.Check;
import dev.agegate.gateway.store.CheckStatus;
import dev.agegate.gateway.store.StateStore;
import dev.agegate.gateway.tokens.AgeTokens;
import dev.agegate.gateway.trust.TrustStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The life of a check, independent of HTTP: creating it, finding it, moving it from state to
 * state atomically, and redeeming its token once. Every refusal is a {@link Problem}.
 * Thread-safe.
 */
public final class Checks {
  private static final Logger LOG = Logger.getLogger(Checks.class.getName());
  private static final Pattern VERIFIER = Pattern.compile("[A-Za-z0-9._~-]{43,128}");

  private final Settings settings;
  private final StateStore store;
  private final TrustStore trust;
  private final AgeTokens tokens;
  private final GatewayMetrics metrics;
  private final AuditLog audit;
  private final Clock clock;

  public Checks(Settings settings, StateStore store, TrustStore trust, AgeTokens tokens, GatewayMetrics metrics,
      AuditLog audit, Clock clock) {
    this.settings = settings;
    this.store = store;
    this.trust = trust;
    this.tokens = tokens;
    this.metrics = metrics;
    this.audit = audit;
    this.clock = clock;
  }

  /** The clock every decision uses. */
  public Clock clock() {
    return clock;
  }

  /**
   * Makes a check for {@code site}: four independent random values (transaction id, request id,
   * nonce, state), "today" in the site's zone, the trust root in force.
   */
  public Check create(Site site, int minAge, String codeChallenge, String binding) {
    Instant now = clock.instant();
    LocalDate today = LocalDate.ofInstant(now, site.zone());
    requireProvableAge(today, minAge);
    Instant expires = now.plus(settings.checkLifetime());
    Check c = new Check(Ids.random(), Ids.random(), Ids.random(), Ids.random(), site.id(), minAge,
        site.minAssurance(), codeChallenge, binding, today, trust.current().rootHex(), now, expires,
        CheckStatus.PENDING, null, null, null, false, 0);
    store.create(c, retainUntil(c));
    metrics.outcome("created", "none");
    audit.record("check.created", Map.of("site", site.id(), "check", AuditLog.ref(c.transactionId()), "min_age", minAge));
    return c;
  }

  /**
   * Refuses (400 {@code malformed_request}) an age whose birth-date cutoff falls outside the
   * circuit's day range (before 1900-01-01): no proof could answer it, and the request object
   * and the response would fail later, the second after using the nonce.
   */
  static void requireProvableAge(LocalDate today, int minAge) {
    try {
      dev.agegate.zk.PublicInputs.cutoffDay(today, minAge);
    } catch (IllegalArgumentException e) {
      throw new dev.agegate.gateway.http.Problem(dev.agegate.gateway.http.Reason.MALFORMED_REQUEST, "min_age " + minAge
          + " puts the birth-date cutoff before 1900-01-01, the first day the circuit knows");
    }
  }

  /** How long the store must keep a check: past its expiry, long enough to redeem and to answer "expired". */
  public Instant retainUntil(Check c) {
    return c.expiresAt().plus(settings.redeemWindow()).plusSeconds(600);
  }

  /** The check of a transaction id, or 404 {@code check_not_found}. */
  public Check byTransaction(String tx) {
    return find(Ids.wellFormed(tx) ? store.byTransaction(tx) : Optional.empty());
  }

  /** The check of a request id, or 404 {@code check_not_found}. */
  public Check byRequest(String requestId) {
    return find(Ids.wellFormed(requestId) ? store.byRequest(requestId) : Optional.empty());
  }

  /**
   * The check of a request id already looked up ({@code lookup}, e.g. with its rate-limit count),
   * or 404 {@code check_not_found}; a malformed id is looked up nowhere.
   */
  public Check byRequest(String requestId, java.util.function.Function<String, Optional<Check>> lookup) {
    return find(Ids.wellFormed(requestId) ? lookup.apply(requestId) : Optional.empty());
  }

  private static Check find(Optional<Check> c) {
    return c.orElseThrow(() -> new Problem(Reason.CHECK_NOT_FOUND, "no such check"));
  }

  /** The check's status now. */
  public CheckStatus status(Check c) {
    return c.statusAt(clock.instant());
  }

  /**
   * Applies {@code change} to the latest version of {@code c} while it is still open (pending
   * or scanned); retries when another thread changed it meanwhile.
   *
   * @return the stored result, or empty if the check was already final
   */
  public Optional<Check> transition(Check c, UnaryOperator<Check> change) {
    Check cur = c;
    for (int attempt = 0; attempt < 100; attempt++) {
      if (cur.status().terminal()) {
        return Optional.empty();
      }
      Check next = change.apply(cur);
      if (store.replace(cur, next)) {
        return Optional.of(next);
      }
      cur = store.byTransaction(c.transactionId()).orElse(null);
      if (cur == null) {
        return Optional.empty();
      }
    }
    throw new IllegalStateException("check kept changing");
  }

  /** Marks a pending check scanned (the wallet fetched its request); no-op otherwise. */
  public void scanned(Check c) {
    if (c.status() == CheckStatus.PENDING) {
      transition(c, x -> x.status() == CheckStatus.PENDING ? x.scanned() : x);
    }
  }

  /**
   * Issues the age token of a verified check, once.
   *
   * @param origin the request's Origin header, or null (then PKCE alone authenticates)
   * @throws Problem 404 check_not_found, 403 origin_not_allowed or code_verifier_mismatch,
   *     409 not_verified or already_redeemed, 410 check_expired, 503 overloaded (the store or
   *     the audit log cannot take the redemption now; the check stays redeemable)
   */
  public String redeem(String tx, String codeVerifier, String origin) {
    Check c = byTransaction(tx);
    Site site = settings.site(c.siteId()).orElseThrow(() -> new Problem(Reason.CHECK_NOT_FOUND, "the check's site is gone"));
    if (origin != null && !site.allows(origin)) {
      throw new Problem(Reason.ORIGIN_NOT_ALLOWED, "this origin may not redeem the check");
    }
    if (codeVerifier == null || !VERIFIER.matcher(codeVerifier).matches()) {
      throw new Problem(Reason.MALFORMED_REQUEST, "code_verifier must be 43-128 characters of [A-Za-z0-9._~-]");
    }
    if (!MessageDigest.isEqual(s256(codeVerifier).getBytes(StandardCharsets.US_ASCII),
        c.codeChallenge().getBytes(StandardCharsets.US_ASCII))) {
      throw new Problem(Reason.CODE_VERIFIER_MISMATCH, "code_verifier does not match the check's code_challenge");
    }
    Instant now = clock.instant();
    for (int attempt = 0; attempt < 100; attempt++) {
      CheckStatus s = c.statusAt(now);
      if (c.redeemed()) {
        throw new Problem(Reason.ALREADY_REDEEMED, "the token of this check was already issued");
      }
      if (s == CheckStatus.EXPIRED) {
        throw new Problem(Reason.CHECK_EXPIRED, "the check expired before a proof arrived");
      }
      if (s != CheckStatus.VERIFIED) {
        throw new Problem(Reason.NOT_VERIFIED, "the check is " + s.wire());
      }
      if (!now.isBefore(c.verifiedAt().plus(settings.redeemWindow()))) {
        throw new Problem(Reason.CHECK_EXPIRED, "the token was not redeemed in time");
      }
      // Minted first (a token nobody received has no effect), recorded, then stored: a
      // redemption never lacks its line, and a line whose change failed is followed by
      // token.commit_failed (docs/decisions.md, "Audit before the redemption").
      String token = tokens.ageToken(c, site, now);
      Check redeemed = c.asRedeemed();
      try {
        audit.record("token.issued", Map.of("site", site.id(), "check", AuditLog.ref(c.transactionId()),
            "age_over", c.minAge()));
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "cannot record a redemption in the audit log; the check stays redeemable (503)", e);
        throw new Problem(Reason.OVERLOADED, "the gateway cannot record the token now; try again", 1);
      }
      boolean stored;
      try {
        stored = store.replace(c, redeemed);
      } catch (RuntimeException e) {
        commitFailed(site, c, e instanceof Problem ? "store_unavailable" : "internal_error");
        throw e;
      }
      if (stored) {
        metrics.outcome("redeemed", "none");
        return token;
      }
      commitFailed(site, c, "check_changed");
      c = byTransaction(tx);
    }
    throw new IllegalStateException("check kept changing");
  }

  /** Records that the redemption recorded just before was not stored (best effort). */
  private void commitFailed(Site site, Check c, String reason) {
    try {
      audit.record("token.commit_failed", Map.of("site", site.id(), "check", AuditLog.ref(c.transactionId()),
          "reason", reason));
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "cannot record token.commit_failed (" + reason + ") in the audit log", e);
    }
  }

  /** {@code BASE64URL(SHA-256(ASCII(verifier)))}, RFC 7636 S256. */
  public static String s256(String verifier) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
