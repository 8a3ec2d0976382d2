package dev.agegate.gateway.protocol;

import dev.agegate.gateway.audit.AuditLog;
import dev.agegate.gateway.checks.Checks;
import dev.agegate.gateway.checks.Links;
import dev.agegate.gateway.http.Problem;
import dev.agegate.gateway.http.Reason;
import dev.agegate.gateway.metrics.GatewayMetrics;
import dev.agegate.gateway.store.Check;
import dev.agegate.gateway.store.CheckStatus;
import dev.agegate.gateway.store.StateStore;
import dev.agegate.gateway.trust.TrustStore;
import dev.agegate.gateway.verify.ProofVerifier;
import dev.agegate.gateway.verify.VerificationPool;
import dev.agegate.zk.FieldElement;
import dev.agegate.zk.PublicInputs;
import dev.agegate.zk.ZkStatus;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Handles a wallet's response (docs/protocol.md step 4): finds the check, refuses a wrong
 * state, an expired or already answered check, then, on the verification pool, consumes the
 * nonce (exactly one response per check is ever verified, however many race), verifies the
 * proof against the public inputs the gateway computes itself, and moves the check to
 * {@code verified} or {@code rejected}. Thread-safe.
 */
public final class Responses {
  private final Checks checks;
  private final StateStore store;
  private final TrustStore trust;
  private final ProofVerifier verifier;
  private final VerificationPool pool;
  private final Links links;
  private final GatewayMetrics metrics;
  private final AuditLog audit;

  public Responses(Checks checks, StateStore store, TrustStore trust, ProofVerifier verifier, VerificationPool pool,
      Links links, GatewayMetrics metrics, AuditLog audit) {
    this.checks = checks;
    this.store = store;
    this.trust = trust;
    this.verifier = verifier;
    this.pool = pool;
    this.links = links;
    this.metrics = metrics;
    this.audit = audit;
  }

  /**
   * Verifies one response.
   *
   * @return the verified check
   * @throws Problem for every refusal, with its reason (a failed proof is never a success)
   */
  public Check respond(String requestId, String vpToken, String state) {
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
    Presentation p;
    Problem malformed;
    try {
      p = Presentation.parse(vpToken == null ? "" : vpToken);
      malformed = null;
    } catch (Presentation.MalformedException e) {
      p = null;
      malformed = new Problem(Reason.PROOF_MALFORMED, e.getMessage());
    }
    Presentation presentation = p;
    Problem refusal = malformed;
    Check result;
    try {
      result = pool.run(() -> decide(c, presentation, refusal));
    } catch (VerificationPool.OverloadedException e) {
      throw new Problem(Reason.OVERLOADED, "the gateway is busy; try again", 2);
    }
    return result;
  }

  /** Runs on a pool thread: one winner per nonce, then the verdict. */
  private Check decide(Check c, Presentation p, Problem malformed) {
    if (!store.consumeNonce(c.nonce(), checks.retainUntil(c))) {
      throw new Problem(Reason.NONCE_REPLAYED, "this check already received its response");
    }
    if (malformed != null) {
      reject(c, malformed.reason());
      throw malformed;
    }
    if (trust.accepted(c.issuerRoot()).isEmpty()) {
      reject(c, Reason.PROOF_INVALID);
      throw new Problem(Reason.PROOF_INVALID, "the trust list root of this check is no longer accepted");
    }
    PublicInputs in = PublicInputs.of(FieldElement.fromHex(c.issuerRoot()), c.today(), c.minAge(), c.minAssurance(),
        c.nonce(), links.clientId(), c.siteId(), p.nullifier());
    long t0 = System.nanoTime();
    ZkStatus status = verifier.verify(p.proof(), in);
    metrics.verification(Duration.ofNanos(System.nanoTime() - t0));
    switch (status) {
      case OK -> {
        Instant now = checks.clock().instant();
        Optional<Check> v = checks.transition(c, x -> x.verified(p.nullifier().toHex(), now));
        if (v.isEmpty()) {
          throw new Problem(Reason.NONCE_REPLAYED, "this check already received its response");
        }
        metrics.outcome("verified", "none");
        audit.record("check.verified", Map.of("site", c.siteId(), "check", AuditLog.ref(c.transactionId()),
            "min_age", c.minAge()));
        return v.get();
      }
      case PROOF_INVALID -> {
        reject(c, Reason.PROOF_INVALID);
        throw new Problem(Reason.PROOF_INVALID, "the proof does not verify for this check");
      }
      case PROOF_MALFORMED, INPUT_MALFORMED -> {
        reject(c, Reason.PROOF_MALFORMED);
        throw new Problem(Reason.PROOF_MALFORMED, "the proof does not decode");
      }
      default -> {
        reject(c, Reason.INTERNAL_ERROR);
        throw new Problem(Reason.INTERNAL_ERROR, "verification failed inside the gateway (" + status + ")");
      }
    }
  }

  private void reject(Check c, Reason reason) {
    checks.transition(c, x -> x.rejected(reason.code()));
    metrics.outcome("rejected", reason.code());
    audit.record("check.rejected", Map.of("site", c.siteId(), "check", AuditLog.ref(c.transactionId()),
        "reason", reason.code()));
  }
}
