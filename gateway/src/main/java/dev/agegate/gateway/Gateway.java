package dev.agegate.gateway;

import dev.agegate.gateway.audit.AuditLog;
import dev.agegate.gateway.checks.Checks;
import dev.agegate.gateway.checks.Links;
import dev.agegate.gateway.config.Settings;
import dev.agegate.gateway.http.Bodies;
import dev.agegate.gateway.http.RateLimiter;
import dev.agegate.gateway.metrics.GatewayMetrics;
import dev.agegate.gateway.protocol.RequestObjects;
import dev.agegate.gateway.protocol.Responses;
import dev.agegate.gateway.store.StateStore;
import dev.agegate.gateway.store.StateStores;
import dev.agegate.gateway.tokens.AgeTokens;
import dev.agegate.gateway.tokens.Pseudonyms;
import dev.agegate.gateway.tokens.SigningKeys;
import dev.agegate.gateway.trust.TrustStore;
import dev.agegate.gateway.family.zk.NativeProofVerifier;
import dev.agegate.gateway.family.zk.ProofVerifier;
import dev.agegate.gateway.verify.VerificationPool;
import dev.agegate.zk.DevKeys;
import io.helidon.config.Config;
import java.nio.file.Path;
import java.time.Clock;
import java.util.function.UnaryOperator;
import java.util.logging.Logger;

/**
 * The gateway's parts, wired from one config: store, trust list, pinned verifier and its pool,
 * signing keys, audit log, meters, and the check and response logic the HTTP services share.
 * Closing it releases the native key, the pool, the store and the audit log.
 */
public final class Gateway implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Gateway.class.getName());

  final Settings settings;
  final Clock clock;
  final StateStore store;
  final TrustStore trust;
  final ProofVerifier verifier;
  final VerificationPool pool;
  final SigningKeys keys;
  final AgeTokens tokens;
  final dev.agegate.gateway.protocol.DigitalRequests digital;
  final AuditLog audit;
  final GatewayMetrics metrics;
  final Links links;
  final Bodies bodies;
  final RateLimiter limits;
  final Checks checks;
  final Responses responses;
  final dev.agegate.gateway.protocol.WalletErrors walletErrors;
  final RequestObjects requestObjects;
  final dev.agegate.gateway.family.Families families;
  final dev.agegate.gateway.tokens.RequestCertificates requestCertificates;
  final dev.agegate.gateway.protocol.ResponseEncryption responseEncryption;
  /** The keys' fingerprint, kind and ceremony summary (GET /v1/circuits/{fingerprint}). */
  public final dev.agegate.gateway.trust.CircuitKeys circuitKeys;
  private final java.util.concurrent.ScheduledExecutorService housekeeping;

  private Gateway(Settings s, Clock clock, UnaryOperator<ProofVerifier> decorate,
      java.util.List<dev.agegate.gateway.family.PresentationFamily> moreFamilies) {
    this.settings = s;
    this.clock = clock;
    if (s.sites().isEmpty()) {
      LOG.warning("no site in agegate.sites: every POST /v1/checks will be refused (wrong_site)");
    }
    Path keysDir = s.keysDir();
    // Dev keys are made only where no ceremony sealed keys: a key folder with a transcript is
    // never overwritten, even when its keys are for another circuit (the start then fails).
    if (s.devKeys() && !java.nio.file.Files.exists(keysDir.resolve(dev.agegate.gateway.trust.CircuitKeys.TRANSCRIPT))) {
      if (DevKeys.ensure(keysDir)) {
        LOG.warning("generated single-party DEV circuit keys in " + keysDir + ": for demos and tests only");
      }
    }
    this.verifier = decorate.apply(NativeProofVerifier.load(keysDir.resolve(DevKeys.VERIFYING_KEY), s.pinnedFingerprint()));
    if (s.pinnedFingerprint().isEmpty()) {
      LOG.warning("no agegate.circuit.fingerprint pinned: accepting the dev key " + verifier.fingerprint());
    }
    // The web wallet: the configured URL, else the gateway's own /wallet/ only when the wallet
    // module is on the class path (a link to a 404 is a dead end).
    this.links = new Links(s.publicUrl(), Links.walletUrlFor(s.publicUrl(), s.walletUrl(),
        Gateway.class.getClassLoader().getResource("META-INF/resources/wallet/index.html") != null));
    this.circuitKeys = dev.agegate.gateway.trust.CircuitKeys.load(keysDir, verifier.fingerprint(), s.devKeys(),
        links.provingKeyUri(verifier.fingerprint()));
    if (circuitKeys.development()) {
      LOG.warning(circuitKeys.summary());
    } else {
      LOG.info(circuitKeys.summary());
    }
    this.store = StateStores.create(s.store(), s.maxChecks(), clock);
    this.trust = new TrustStore(s.trustFile(), s.dataDir(), s.trustGrace(), s.trustReload(), clock, store);
    this.pool = new VerificationPool(s.verifyThreads(), s.verifyQueue(), s.verifyTimeout());
    this.keys = SigningKeys.open(s.signingKeyPems(), s.dataDir(), keySchedule(s), clock);
    this.requestCertificates = requestCertificates(s, keys, links, clock);
    Pseudonyms pseudonyms = Pseudonyms.open(s.dataDir());
    this.tokens = new AgeTokens(s.publicUrl(), keys, pseudonyms);
    this.responseEncryption = new dev.agegate.gateway.protocol.ResponseEncryption(pseudonyms);
    if (java.nio.file.Files.isRegularFile(s.dataDir().resolve("audit.log"))) {
      LOG.info("the single-file audit log " + s.dataDir().resolve("audit.log") + " of an older gateway is kept but"
          + " no longer written; the log continues as segments in " + s.auditDir());
    }
    this.audit = AuditLog.open(s.auditDir(), s.audit(), claims -> tokens.sign(AuditLog.CHECKPOINT_TYPE, claims), clock);
    this.metrics = new GatewayMetrics();
    this.bodies = new Bodies(s.maxBodyBytes());
    this.limits = new RateLimiter(store, s.edge(), s.perSite());
    this.checks = new Checks(s, store, trust, tokens, metrics, audit, clock);
    // The presentation families, one package each (docs/decisions.md, "One seam for presentation families")
    dev.agegate.gateway.family.mdoc.MdocFamily mdoc = s.mdoc()
        .map(m -> new dev.agegate.gateway.family.mdoc.MdocFamily(m.verifier(clock), m.docTypes(), clock)).orElse(null);
    java.util.List<dev.agegate.gateway.family.PresentationFamily> all = new java.util.ArrayList<>();
    all.add(new dev.agegate.gateway.family.zk.ZkFamily(trust, verifier, links, circuitKeys.provingKeySha256(), s::site));
    if (mdoc != null) {
      all.add(mdoc);
    }
    all.addAll(moreFamilies);
    this.families = new dev.agegate.gateway.family.Families(all);
    families.requireEvery(s.sites().values());
    warnInsecureOrigins(s.sites().values());
    this.requestObjects = new RequestObjects(links, s::site, families, responseEncryption, requestCertificates);
    this.responses = new Responses(checks, store, pool, links, metrics, audit, families, s::site,
        requestObjects::clientId);
    this.walletErrors = new dev.agegate.gateway.protocol.WalletErrors(checks, metrics, audit);
    // Digital Credentials API protocols offered with a check: ISO 18013-7 Annex C, then OpenID4VP 1.0 Appendix A
    this.digital = new dev.agegate.gateway.protocol.DigitalRequests(java.util.List.of(
        new dev.agegate.gateway.protocol.DcApiMdoc(pseudonyms, mdoc, responses),
        new dev.agegate.gateway.protocol.DcApiOpenId4Vp(requestObjects, responseEncryption, links, families, responses,
            clock)));
    this.housekeeping = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "agegate-housekeeping");
      t.setDaemon(true);
      return t;
    });
    // Key rotation is checked hourly, so a long-running gateway rotates without a restart.
    housekeeping.scheduleWithFixedDelay(() -> {
      try {
        keys.rotateIfDue();
      } catch (RuntimeException e) {
        LOG.warning("signing key rotation failed: " + e.getMessage());
      }
    }, 1, 1, java.util.concurrent.TimeUnit.HOURS);
    // A configured client id chain near its end is said daily (and by /health): renewal is a restart.
    housekeeping.scheduleWithFixedDelay(() -> warnIfExpiring(requestCertificates, clock.instant()), 0, 1,
        java.util.concurrent.TimeUnit.DAYS);
  }

  /**
   * The x5c chain of the {@code x509_san_dns} client id: the configured one (checked, the start
   * fails on any mismatch), else a self-signed one where {@code agegate.client-id.self-signed}
   * allows it (demo, dev keys), else the start fails.
   */
  static dev.agegate.gateway.tokens.RequestCertificates requestCertificates(Settings s, SigningKeys keys, Links links,
      Clock clock) {
    if (s.clientIdChain() != null) {
      return dev.agegate.gateway.tokens.RequestCertificates.configured(s.clientIdChain(), keys, links.host(), clock);
    }
    if (!s.clientIdSelfSigned()) {
      throw new IllegalStateException("agegate.client-id.certificate-chain is required: a PEM file, leaf first, whose leaf"
          + " certifies the request-signing key and names " + links.host() + " as a dNSName (client id "
          + links.clientId() + "); or set agegate.client-id.self-signed to true for a demo");
    }
    LOG.warning("client id " + links.clientId() + " with a self-signed certificate chain made at start: no wallet can"
        + " trust it; for demos and tests only (agegate.client-id.certificate-chain)");
    return dev.agegate.gateway.tokens.RequestCertificates.selfSigned(keys, links.host(), clock);
  }

  /**
   * Warns of a site origin that is not a secure context ({@code http} other than loopback):
   * browsers give the Digital Credentials API to secure contexts only, so its pages never show
   * the digital-ID button, and the age token travels to the site in clear.
   */
  static void warnInsecureOrigins(java.util.Collection<dev.agegate.gateway.config.Site> sites) {
    for (dev.agegate.gateway.config.Site site : sites) {
      for (String origin : site.origins()) {
        if (!secureContext(origin)) {
          LOG.warning("site '" + site.id() + "': origin " + origin + " is not a secure context: its pages cannot use"
              + " the Digital Credentials API (no digital-ID button; the QR code works) and its age tokens travel in clear");
        }
      }
    }
  }

  /** Whether browsers treat pages of {@code origin} as a secure context: https, or http on loopback. */
  static boolean secureContext(String origin) {
    java.net.URI u = java.net.URI.create(origin);
    String host = u.getHost() == null ? "" : u.getHost();
    return "https".equals(u.getScheme()) || host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]");
  }

  /** Logs a warning when the configured client id chain expires within the health check's warning period or has expired. */
  static void warnIfExpiring(dev.agegate.gateway.tokens.RequestCertificates certificates, java.time.Instant now) {
    String state = dev.agegate.gateway.metrics.HealthService.certificateState(certificates, now);
    if (state.equals("EXPIRES_SOON") || state.equals("EXPIRED")) {
      LOG.warning("agegate.client-id.certificate-chain " + (state.equals("EXPIRED") ? "expired" : "expires") + " at "
          + certificates.validUntil().orElseThrow() + ": wallets refuse request objects from then on; install a renewed"
          + " chain and restart (/health says " + state + ")");
    }
  }

  /**
   * The signing keys' schedule: a retired key stays published for the longest lifetime of
   * anything it signed (age tokens, request objects: a check's lifetime) plus the publish-ahead
   * time as margin for clock skew and caches.
   */
  static SigningKeys.Schedule keySchedule(Settings s) {
    java.time.Duration longest = s.checkLifetime();
    for (dev.agegate.gateway.config.Site site : s.sites().values()) {
      if (site.tokenLifetime().compareTo(longest) > 0) {
        longest = site.tokenLifetime();
      }
    }
    return new SigningKeys.Schedule(s.keyRotation(), s.keyPublishAhead(), longest.plus(s.keyPublishAhead()));
  }

  /** Builds the gateway from the root config ({@code agegate.*}, {@code server.port}). */
  public static Gateway create(Config root) {
    return create(Settings.from(root), Clock.systemUTC(), v -> v);
  }

  /**
   * Builds the gateway from settings.
   *
   * @param decorate wraps the native verifier (tests count calls; production passes identity)
   */
  public static Gateway create(Settings settings, Clock clock, UnaryOperator<ProofVerifier> decorate) {
    return new Gateway(settings, clock, decorate, java.util.List.of());
  }

  /**
   * Builds the gateway with presentation families beyond this project's (the seam's test: a
   * family the protocol code has never heard of, asked, read and verified through it).
   */
  static Gateway create(Settings settings, Clock clock, UnaryOperator<ProofVerifier> decorate,
      java.util.List<dev.agegate.gateway.family.PresentationFamily> moreFamilies) {
    return new Gateway(settings, clock, decorate, moreFamilies);
  }

  /** The settings in force. */
  public Settings settings() {
    return settings;
  }

  /** The pinned verifying key's fingerprint. */
  public String fingerprint() {
    return verifier.fingerprint();
  }

  /** The check logic (for tests and benchmarks). */
  public Checks checks() {
    return checks;
  }

  @Override
  public void close() {
    housekeeping.shutdownNow();
    pool.close();
    verifier.close();
    store.close();
    audit.close();
  }
}
