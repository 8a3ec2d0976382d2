package dev.agegate.gateway.protocol;

import dev.agegate.gateway.audit.AuditLog;
import dev.agegate.gateway.checks.Checks;
import dev.agegate.gateway.checks.Ids;
import dev.agegate.gateway.checks.Links;
import dev.agegate.gateway.config.Site;
import dev.agegate.gateway.family.Answer;
import dev.agegate.gateway.family.Binding;
import dev.agegate.gateway.family.Families;
import dev.agegate.gateway.family.PresentationFamily;
import dev.agegate.gateway.family.Verdict;
import dev.agegate.gateway.family.mdoc.SessionTranscripts;
import dev.agegate.gateway.http.Problem;
import dev.agegate.gateway.http.Reason;
import dev.agegate.gateway.metrics.GatewayMetrics;
import dev.agegate.gateway.store.Check;
import dev.agegate.gateway.store.CheckStatus;
import dev.agegate.gateway.store.StateStore;
import dev.agegate.gateway.verify.VerificationPool;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * Handles a wallet's response (docs/protocol.md step 4): finds the check, refuses a wrong
 * state, an expired or already answered check, then takes a <em>claim</em> on the check's nonce,
 * verifies the proof against the public inputs the gateway computes itself, and commits the
 * verdict ({@code verified} or {@code rejected}) in one compare-and-set that also consumes the
 * nonce (the check leaves the open states). Thread-safe.
 *
 * <p>The claim (docs/decisions.md, "No flow lost when a node dies") is a random token and an
 * expiry ({@link #claimTtl}: the verification timeout plus {@value #CLAIM_MARGIN_SECONDS} s)
 * written into the check by compare-and-set, so across every gateway sharing the store at most
 * one attempt holds it and only the holder's verification is spent: copies racing the holder
 * wait for its verdict (or for its claim to lapse) and are then answered 409
 * {@code nonce_replayed}. A gateway that dies while holding a claim leaves the check open; the
 * wallet's retry, on any gateway, takes the lapsed claim over and verifies. What happens after
 * the claim is taken:
 *
 * <ul>
 *   <li>a verdict on the proof: committed (the audit line first), answered 200 or its refusal;
 *   <li>the gateway cannot verify now (verification queue full, verification timed out, the
 *       shared store unreachable or refusing, the audit log refusing the verdict's line): the
 *       claim is given back and the answer is 503
 *       {@code overloaded} with {@code Retry-After}, so the wallet's retry verifies at once;
 *   <li>any other failure (a defect: it would fail the same way on a retry): the check is
 *       rejected with {@code internal_error} and the answer is 500, so the person sees the
 *       failure and starts again instead of waiting on a check nothing can complete.
 * </ul>
 *
 * A commit whose reply was lost is re-read: the token in the stored check says whether it was
 * this attempt's.
 *
 * <p>The presentation is of one family the check's site accepts ({@link VpTokens}), verified by
 * that family ({@link PresentationFamily#verify}) on the verification pool against the check and
 * what the transport bound it to ({@link Binding}: the client id the request named, and for a
 * response encrypted to the check's key the OpenID4VP session transcript: client_id, nonce, the
 * key's thumbprint, response_uri). Nothing here depends on which family it is. Only the verdict
 * is kept: nothing of a presentation is stored or logged.
 */
public final class Responses {
  private static final Logger LOG = Logger.getLogger(Responses.class.getName());

  /** How much longer than the verification timeout a claim lasts (store round trips around the verification). */
  static final long CLAIM_MARGIN_SECONDS = 3;

  private final Checks checks;
  private final StateStore store;
  private final VerificationPool pool;
  private final Links links;
  private final GatewayMetrics metrics;
  private final AuditLog audit;
  private final Duration claimTtl;
  private final Families families;
  private final Function<String, Optional<Site>> sites;
  private final Function<Check, String> clientIds;

  /**
   * @param families the presentation families this gateway has
   * @param sites the configured sites by id (which families each accepts)
   * @param clientIds the client id a check's request named ({@link RequestObjects#clientId}: per site
   *     {@code x509_san_dns:} or {@code redirect_uri:}), bound into the proof's challenge and the mdoc transcript
   */
  public Responses(Checks checks, StateStore store, VerificationPool pool, Links links, GatewayMetrics metrics,
      AuditLog audit, Families families, Function<String, Optional<Site>> sites, Function<Check, String> clientIds) {
    this.checks = checks;
    this.store = store;
    this.pool = pool;
    this.links = links;
    this.metrics = metrics;
    this.audit = audit;
    this.families = families;
    this.sites = sites;
    this.clientIds = clientIds;
    this.claimTtl = pool.timeout().plusSeconds(CLAIM_MARGIN_SECONDS);
    families.all().forEach(f -> metrics.verificationTimer(f.id())); // each family's histogram from the start
  }

  /** How long a claim on a nonce lasts before another attempt may take it over. */
  public Duration claimTtl() {
    return claimTtl;
  }

  /**
   * Verifies one response.
   *
   * @return the verified check
   * @throws Problem for every refusal, with its reason (a failed proof is never a success)
   */
  public Check respond(String requestId, String vpToken, String state) {
    return respond(requestId, vpToken, state, null);
  }

  /**
   * Verifies one response that came encrypted ({@code direct_post.jwt}) to the key whose RFC 7638
   * thumbprint is {@code jwkThumbprint}, or in plaintext (null). The session transcript of the
   * binding is the OpenID4VPHandover with that thumbprint; a plaintext response has none.
   */
  public Check respond(String requestId, String vpToken, String state, byte[] jwkThumbprint) {
    Check c = checks.byRequest(requestId);
    if (state == null || !MessageDigest.isEqual(state.getBytes(StandardCharsets.UTF_8), c.state().getBytes(StandardCharsets.UTF_8))) {
      throw new Problem(Reason.STATE_MISMATCH, "state does not belong to this request");
    }
    Answer answer;
    Verdict unreadable;
    try {
      answer = VpTokens.parse(vpToken == null ? "" : vpToken, sites.apply(c.siteId()).orElse(null), families);
      unreadable = null;
    } catch (PresentationFamily.Unreadable e) {
      answer = null;
      unreadable = Verdict.refused(e.reason(), e.getMessage());
    }
    String clientId = clientIds.apply(c);
    byte[] transcript = jwkThumbprint == null ? null
        : SessionTranscripts.openId4Vp(clientId, c.nonce(), jwkThumbprint, links.responseUri(c.requestId()));
    Binding binding = new Binding(clientId, transcript, jwkThumbprint != null);
    Answer read = answer;
    Verdict refused = unreadable;
    return decide(c, held -> refused != null ? refused : verdict(held, read, binding));
  }

  /**
   * Verifies one answer that came another way than a wallet's POST (the Digital Credentials API:
   * already decrypted and read by its family) against what its transport bound it to, under the
   * same claim and commit as {@link #respond}.
   *
   * @return the verified check
   * @throws Problem for every refusal, with its reason
   */
  public Check respond(Check c, Answer answer, Binding binding) {
    return decide(c, held -> verdict(held, answer, binding));
  }

  /** Claims the check, decides with {@code verdictOf} under the claim, and commits the verdict. */
  private Check decide(Check c, Function<Check, Verdict> verdictOf) {
    String token = Ids.random();
    Check held = claim(c, token);
    Verdict v;
    try {
      v = verdictOf.apply(held);
    } catch (Problem e) {
      if (e.reason() != Reason.OVERLOADED) {
        // A refusal raised inside the verification is its verdict: committed like any other,
        // never left open under a held claim that every retry would verify again.
        v = Verdict.refused(e.reason(), e.detail());
        return commit(held, token, v);
      }
      release(held);
      throw e;
    } catch (RuntimeException | Error e) {
      if (e instanceof VirtualMachineError vme) {
        throw vme;
      }
      LOG.log(Level.WARNING, "verification failed unexpectedly; rejecting the check", e);
      v = Verdict.refused(Reason.INTERNAL_ERROR, "verification failed inside the gateway");
    }
    return commit(held, token, v);
  }

  /**
   * Takes the claim on the check's nonce for {@code token}: at once when nobody holds it (or the
   * holder's claim lapsed), else after the holder's verdict or lapse.
   *
   * @throws Problem 409 {@code nonce_replayed} once the check is answered, 410
   *     {@code check_expired}, 503 {@code overloaded} when claims keep being held past twice their
   *     lifetime
   */
  private Check claim(Check first, String token) {
    Instant giveUp = checks.clock().instant().plus(claimTtl.multipliedBy(2));
    Check cur = first;
    for (int attempt = 0; attempt < 1000; attempt++) {
      Instant now = checks.clock().instant();
      CheckStatus s = cur.statusAt(now);
      if (s == CheckStatus.EXPIRED) {
        throw new Problem(Reason.CHECK_EXPIRED, "the check expired");
      }
      if (s.terminal()) {
        throw new Problem(Reason.NONCE_REPLAYED, "this check already received its response");
      }
      if (token.equals(cur.claim())) {
        return cur; // our claim was written though its reply was lost
      }
      if (cur.claimLive(now)) {
        if (!now.isBefore(giveUp)) {
          throw new Problem(Reason.OVERLOADED, "another response for this check is being verified; try again",
              Math.max(1, claimTtl.toSeconds()));
        }
        Instant until = min(min(cur.claimUntil(), now.plus(claimTtl)), min(giveUp, cur.expiresAt()));
        cur = awaitChange(cur, until);
        continue;
      }
      Check next = cur.claimed(token, now.plus(claimTtl));
      if (store.replace(cur, next)) {
        return next;
      }
      cur = reread(cur);
    }
    throw new IllegalStateException("check kept changing");
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  /** The check as stored once it changed from {@code cur}, or at {@code until}, whichever comes first. */
  private Check awaitChange(Check cur, Instant until) {
    CountDownLatch changed = new CountDownLatch(1);
    try (StateStore.Subscription sub = store.subscribe(cur.transactionId(), x -> {
      if (x.version() > cur.version()) {
        changed.countDown();
      }
    })) {
      Check again = reread(cur);
      if (again.version() != cur.version()) {
        return again;
      }
      long ms = Duration.between(checks.clock().instant(), until).toMillis();
      if (ms > 0 && !changed.await(ms, TimeUnit.MILLISECONDS)) {
        LOG.fine("a claim on a check lapsed without a verdict (its gateway died or stalled); taking it over");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Problem(Reason.OVERLOADED, "the gateway is stopping; try again", 1);
    }
    return reread(cur);
  }

  private Check reread(Check c) {
    return store.byTransaction(c.transactionId())
        .orElseThrow(() -> new Problem(Reason.CHECK_NOT_FOUND, "no such check"));
  }

  /** Gives an unused claim back, so a retry verifies at once (best effort: unreleased, it lapses by itself). */
  private void release(Check held) {
    try {
      store.replace(held, held.released());
    } catch (RuntimeException e) {
      LOG.fine("could not give a claim back (it lapses by itself): " + e.getMessage());
    }
  }

  /**
   * Decides on the answer without changing the check: its family verifies it on the pool.
   *
   * @throws Problem 503 {@code overloaded} when the gateway cannot verify now
   */
  private Verdict verdict(Check c, Answer answer, Binding binding) {
    PresentationFamily family = families.byId(answer.family()).orElseThrow(
        () -> new IllegalStateException("an answer of a family this gateway does not have: " + answer.family()));
    try {
      return pool.run(() -> {
        long t0 = System.nanoTime();
        Verdict v = family.verify(c, answer, binding);
        metrics.verification(family.id(), Duration.ofNanos(System.nanoTime() - t0));
        return v;
      });
    } catch (VerificationPool.OverloadedException e) {
      throw new Problem(Reason.OVERLOADED, e.queueFull() ? "the gateway is busy; try again"
          : "verification took too long; try again", 2);
    }
  }

  /**
   * Records the verdict in the audit log, then stores it (consuming the nonce) in one
   * compare-and-set against the claimed version.
   */
  private Check commit(Check held, String token, Verdict v) {
    Instant now = checks.clock().instant();
    Check next = v.passed() ? held.verified(v.nullifierHex(), v.method(), v.assurance(), now) : held.rejected(v.checkReason());
    Map<String, Object> fields = v.reason() == null
        ? Map.of("site", held.siteId(), "check", AuditLog.ref(held.transactionId()), "min_age", held.minAge(),
            "method", v.method())
        : Map.of("site", held.siteId(), "check", AuditLog.ref(held.transactionId()), "reason", v.checkReason());
    try {
      audit.record(v.reason() == null ? "check.verified" : "check.rejected", fields);
    } catch (RuntimeException e) {
      // No verdict is stored without its line: nothing was decided, so the claim goes back and
      // the wallet's retry decides once the log takes records again.
      LOG.log(Level.WARNING, "cannot record a verdict in the audit log; the check stays open (503)", e);
      release(held);
      throw new Problem(Reason.OVERLOADED, "the gateway cannot record the verdict now; try again", 1);
    }
    boolean stored;
    try {
      stored = store.replace(held, next) || committedBy(held, token, next);
    } catch (Problem e) {
      // The store cannot say: the claim lapses and a retry decides again.
      commitFailed(held, "store_unavailable");
      throw e;
    }
    if (!stored) {
      // Our claim lapsed and another attempt took the check over: its verdict stands (409), or
      // is still to come (503: the wallet's retry waits for it).
      commitFailed(held, "claim_lapsed");
      if (reread(held).status().terminal()) {
        throw new Problem(Reason.NONCE_REPLAYED, "this check already received its response");
      }
      throw new Problem(Reason.OVERLOADED, "another response for this check is being verified; try again", 1);
    }
    if (v.reason() == null) {
      metrics.outcome("verified", "none");
      return next;
    }
    metrics.outcome("rejected", v.reason().code());
    throw new Problem(v.reason(), v.detail());
  }

  /**
   * Records that the verdict recorded just before was not stored; best effort (a log that took
   * the verdict's line and refuses this one is logged, and the store's answer still stands).
   */
  private void commitFailed(Check held, String reason) {
    try {
      audit.record("check.commit_failed", Map.of("site", held.siteId(), "check", AuditLog.ref(held.transactionId()),
          "reason", reason));
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "cannot record check.commit_failed (" + reason + ") in the audit log", e);
    }
  }

  /** Whether the check as stored now is {@code next} as written by the attempt {@code token}. */
  private boolean committedBy(Check held, String token, Check next) {
    Check now = store.byTransaction(held.transactionId()).orElse(null);
    return now != null && token.equals(now.claim()) && now.status() == next.status() && now.version() >= next.version();
  }
}
