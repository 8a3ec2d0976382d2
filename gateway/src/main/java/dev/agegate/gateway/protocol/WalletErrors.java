package dev.agegate.gateway.protocol;

import dev.agegate.gateway.audit.AuditLog;
import dev.agegate.gateway.checks.Checks;
import dev.agegate.gateway.http.Problem;
import dev.agegate.gateway.http.Reason;
import dev.agegate.gateway.metrics.GatewayMetrics;
import dev.agegate.gateway.store.Check;
import dev.agegate.gateway.store.CheckStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A wallet's error response (OpenID4VP 1.0 §8.5, {@code direct_post}: form {@code error},
 * optional {@code error_description}, {@code state}) to a check's response URI: the person
 * declined, or the wallet cannot answer. It ends an open check at once, as {@code rejected}
 * with reason {@code declined} ({@code error=access_denied}) or {@code wallet_error} (any other
 * error code), so the gate offers to start again instead of waiting for the expiry.
 *
 * <p>Who can post one: whoever holds the request object (the QR code's request URI gives it,
 * and it names the {@code state}) — the same people who can already post a bogus proof, which
 * rejects the check too. The {@code state} must match (constant-time); a wrong or missing one is
 * 400 {@code state_mismatch} and changes nothing, so a request id alone (a guessed or a leaked
 * response URI) cannot end anyone's check. Like a proof's verdict, the refusal spends the
 * check's nonce by ending the check (one compare-and-set): exactly one response per check is
 * ever accepted. A proof whose verification is under way (a live claim) wins: the refusal is 409
 * {@code nonce_replayed}; a proof arriving after the refusal is 409 too. Thread-safe.
 */
public final class WalletErrors {
  /** RFC 6749 error codes as wallets send them: lower-case words and underscores. */
  private static final Pattern CODE = Pattern.compile("[a-z][a-z0-9_]{0,63}");

  private final Checks checks;
  private final GatewayMetrics metrics;
  private final AuditLog audit;

  public WalletErrors(Checks checks, GatewayMetrics metrics, AuditLog audit) {
    this.checks = checks;
    this.metrics = metrics;
    this.audit = audit;
  }

  /**
   * Ends the open check of {@code requestId} for the wallet's {@code error}.
   *
   * @return the rejected check
   * @throws Problem 400 malformed_request (no or bad error code), 404 check_not_found,
   *     400 state_mismatch, 410 check_expired, 409 nonce_replayed (already answered)
   */
  public Check refuse(String requestId, String error, String state) {
    if (error == null || !CODE.matcher(error).matches()) {
      throw new Problem(Reason.MALFORMED_REQUEST, "error must be an OAuth error code such as access_denied");
    }
    Check c = checks.byRequest(requestId);
    if (state == null || !MessageDigest.isEqual(state.getBytes(StandardCharsets.UTF_8), c.state().getBytes(StandardCharsets.UTF_8))) {
      throw new Problem(Reason.STATE_MISMATCH, "state does not belong to this request");
    }
    CheckStatus s = checks.status(c);
    if (s == CheckStatus.EXPIRED) {
      throw new Problem(Reason.CHECK_EXPIRED, "the check expired");
    }
    if (s.terminal()) {
      throw new Problem(Reason.NONCE_REPLAYED, "this check already received its response");
    }
    Reason reason = "access_denied".equals(error) ? Reason.DECLINED : Reason.WALLET_ERROR;
    Instant now = checks.clock().instant();
    Map<String, Object> fields = Map.of("site", c.siteId(), "check", AuditLog.ref(c.transactionId()), "reason", reason.code());
    audit.record("check.rejected", fields); // the record before the state change it describes
    // Leaving the open states is what spends the nonce (see Responses); a proof being verified
    // right now (a live claim) is never overridden by a refusal: its verdict stands.
    Optional<Check> r;
    try {
      r = checks.transition(c, x -> {
        if (x.claimLive(now)) {
          throw new Problem(Reason.NONCE_REPLAYED, "a response for this check is being verified");
        }
        return x.rejected(reason.code());
      });
    } catch (RuntimeException e) {
      audit.record("check.commit_failed", Map.of("site", c.siteId(), "check", AuditLog.ref(c.transactionId()),
          "reason", e instanceof Problem p ? p.reason().code() : "internal_error"));
      throw e;
    }
    if (r.isEmpty()) {
      audit.record("check.commit_failed", Map.of("site", c.siteId(), "check", AuditLog.ref(c.transactionId()),
          "reason", Reason.NONCE_REPLAYED.code()));
      throw new Problem(Reason.NONCE_REPLAYED, "this check already received its response");
    }
    metrics.outcome("rejected", reason.code());
    return r.get();
  }
}
