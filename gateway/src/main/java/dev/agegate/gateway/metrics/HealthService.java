package dev.agegate.gateway.metrics;

import static dev.agegate.gateway.http.JsonSupport.JSON;

import dev.agegate.gateway.store.StateStore;
import dev.agegate.gateway.tokens.RequestCertificates;
import dev.agegate.gateway.tokens.SigningKeys;
import dev.agegate.gateway.trust.TrustStore;
import dev.agegate.gateway.family.zk.ProofVerifier;
import dev.agegate.gateway.verify.VerificationPool;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonObjectBuilder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code GET /health}: 204 when ready, 503 with the details when not (Helidon's convention);
 * {@code GET /health/ready}: the same verdict, always with details (200 or 503, JSON);
 * {@code GET /health/live}: 204 while the process answers. Ready means: the state store answers
 * a lookup (a shared store may be unreachable), the pinned verifying key is loaded, a trust
 * list is in force, a signing key is there, the verification pool is not full, and the
 * configured {@code x5c} chain of the client id is still valid ({@code client_id_certificate}:
 * {@code UP}, {@code EXPIRES_SOON} within {@value #EXPIRY_WARNING_DAYS} days, {@code EXPIRED}:
 * not ready, since every wallet refuses its request objects; {@code SELF_SIGNED} in demo mode).
 */
public final class HealthService implements HttpService {
  private static final Logger LOG = Logger.getLogger(HealthService.class.getName());

  private final StateStore store;
  private final ProofVerifier verifier;
  private final TrustStore trust;
  private final SigningKeys keys;
  private final VerificationPool pool;
  private final RequestCertificates certificates;
  private final Clock clock;

  /** How long before the client id's chain expires its health says {@code EXPIRES_SOON} (and the gateway warns daily). */
  public static final int EXPIRY_WARNING_DAYS = 30;

  public HealthService(StateStore store, ProofVerifier verifier, TrustStore trust, SigningKeys keys, VerificationPool pool,
      RequestCertificates certificates, Clock clock) {
    this.certificates = certificates;
    this.clock = clock;
    this.store = store;
    this.verifier = verifier;
    this.trust = trust;
    this.keys = keys;
    this.pool = pool;
  }

  @Override
  public void routing(HttpRules rules) {
    rules.get("/", (req, res) -> ready(res, false))
        .get("/ready", (req, res) -> ready(res, true))
        .get("/live", (req, res) -> res.status(Status.NO_CONTENT_204).header(HeaderNames.CACHE_CONTROL, "no-store").send());
  }

  private void ready(ServerResponse res, boolean details) {
    JsonObjectBuilder checks = JSON.createObjectBuilder();
    boolean up = true;
    try {
      store.byTransaction("health-probe");
      checks.add("store", "UP");
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "health: the state store does not answer: " + e.getMessage());
      checks.add("store", "DOWN");
      up = false;
    }
    checks.add("verifying_key", verifier.fingerprint());
    checks.add("trust_root", trust.current().rootHex());
    checks.add("signing_key", keys.currentKid());
    boolean full = pool.full();
    checks.add("verification_pool", full ? "FULL" : "UP");
    up &= !full;
    String chain = certificateState(certificates, clock.instant());
    checks.add("client_id_certificate", chain);
    certificates.validUntil().ifPresent(t -> checks.add("client_id_certificate_valid_until", t.toString()));
    up &= !"EXPIRED".equals(chain);
    if (up && !details) {
      res.status(Status.NO_CONTENT_204).header(HeaderNames.CACHE_CONTROL, "no-store").send();
      return;
    }
    send(res, up, checks);
  }

  /** {@code SELF_SIGNED}, {@code UP}, {@code EXPIRES_SOON} or {@code EXPIRED} for the client id's chain at {@code now}. */
  public static String certificateState(RequestCertificates certificates, Instant now) {
    Optional<Instant> until = certificates.validUntil();
    if (until.isEmpty()) {
      return "SELF_SIGNED";
    }
    if (!now.isBefore(until.get())) {
      return "EXPIRED";
    }
    return now.plus(Duration.ofDays(EXPIRY_WARNING_DAYS)).isBefore(until.get()) ? "UP" : "EXPIRES_SOON";
  }

  private static void send(ServerResponse res, boolean up, JsonObjectBuilder checks) {
    res.status(up ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503);
    res.header(HeaderNames.CONTENT_TYPE, "application/json");
    res.header(HeaderNames.CACHE_CONTROL, "no-store");
    res.send(JSON.createObjectBuilder().add("status", up ? "UP" : "DOWN").add("checks", checks).build().toString());
  }
}
