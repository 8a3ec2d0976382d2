package dev.agegate.gateway.checks;

import static dev.agegate.gateway.http.JsonSupport.JSON;

import dev.agegate.gateway.config.Settings;
import dev.agegate.gateway.config.Site;
import dev.agegate.gateway.http.Bodies;
import dev.agegate.gateway.http.Problem;
import dev.agegate.gateway.http.RateLimiter;
import dev.agegate.gateway.http.Reason;
import dev.agegate.gateway.http.StreamCaps;
import dev.agegate.gateway.protocol.DigitalRequests;
import dev.agegate.gateway.store.Check;
import dev.agegate.gateway.store.CheckStatus;
import dev.agegate.gateway.store.StateStore;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.http.sse.SseEvent;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.sse.SseSink;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The widget's resource, {@code /v1/checks}: create a check (201), poll it, follow it over
 * SSE, fetch its QR code, redeem its token. See gateway/README.md for the exact JSON.
 */
public final class ChecksService implements HttpService {
  private static final Pattern CHALLENGE = Pattern.compile("[A-Za-z0-9_-]{43}");
  private static final Pattern BINDING = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final Duration HEARTBEAT = Duration.ofSeconds(15);
  private static final Logger LOG = Logger.getLogger(ChecksService.class.getName());

  private final Settings settings;
  private final Checks checks;
  private final StateStore store;
  private final Links links;
  private final Bodies bodies;
  private final RateLimiter limits;
  private final DigitalRequests digital;

  private final java.util.function.Function<Check, String> walletLinks;
  private final java.util.function.BiPredicate<Site, Integer> askable;

  /**
   * @param digital the Digital Credentials API protocols offered ({@code digital} and {@code dc-response})
   * @param walletLinks what the QR code of a check holds (RequestObjects#walletLink: by reference,
   *     or by value for a site with unsigned requests)
   * @param askable whether some presentation family a site accepts can be asked a minimum age
   *     ({@code Families#askable}); a check none can answer is refused at creation
   */
  public ChecksService(Settings settings, Checks checks, StateStore store, Links links, Bodies bodies, RateLimiter limits,
      DigitalRequests digital, java.util.function.Function<Check, String> walletLinks,
      java.util.function.BiPredicate<Site, Integer> askable) {
    this.walletLinks = walletLinks;
    this.askable = askable;
    this.digital = digital;
    this.settings = settings;
    this.checks = checks;
    this.store = store;
    this.links = links;
    this.bodies = bodies;
    this.limits = limits;
  }

  @Override
  public void routing(HttpRules rules) {
    rules.post("/", this::create)
        .get("/{tx}", this::poll)
        .get("/{tx}/events", this::events)
        .get("/{tx}/qr.svg", this::qr)
        .post("/{tx}/token", this::token)
        .post("/{tx}/dc-response", this::dcResponse);
  }

  private void create(ServerRequest req, ServerResponse res) {
    String authorization = req.headers().first(HeaderNames.AUTHORIZATION).orElse(null);
    String secret = bearer(authorization);
    // Only a secret of some site skips the per-address count, and that is known before the body
    // is read: any other Authorization header is counted like an anonymous call, first thing.
    boolean counted = !anySiteSecret(secret);
    if (counted) {
      limits.perAddress(req, "checks");
    }
    JsonObject body = bodies.json(req);
    String siteId = string(body, "site", true);
    Site site = settings.site(siteId).orElseThrow(() -> new Problem(Reason.WRONG_SITE, "no site '" + Bodies.safe(siteId) + "' at this gateway"));
    authenticateSite(req, res, site, authorization, secret, counted);
    limits.perSite(site.id(), "checks");
    int minAge = site.minAge();
    if (body.containsKey("min_age") && body.get("min_age").getValueType() != JsonValue.ValueType.NULL) {
      if (!(body.get("min_age") instanceof JsonNumber n) || !n.isIntegral() || n.longValue() < 1 || n.longValue() > 150) {
        throw new Problem(Reason.MALFORMED_REQUEST, "min_age must be an integer 1..150");
      }
      minAge = n.intValue();
    }
    if (!askable.test(site, minAge)) {
      throw new Problem(Reason.MALFORMED_REQUEST, "min_age " + minAge + " cannot be asked of any presentation family"
          + " this site accepts " + site.families() + " (an mdoc has age_over_NN with two digits only)");
    }
    String challenge = string(body, "code_challenge", true);
    if (!CHALLENGE.matcher(challenge).matches()) {
      throw new Problem(Reason.MALFORMED_REQUEST, "code_challenge must be base64url (no padding) of a SHA-256 digest, 43 characters");
    }
    String method = string(body, "code_challenge_method", true);
    if (!"S256".equals(method)) {
      throw new Problem(Reason.MALFORMED_REQUEST, "code_challenge_method must be S256");
    }
    String binding = string(body, "binding", false);
    if (binding != null && !BINDING.matcher(binding).matches()) {
      throw new Problem(Reason.MALFORMED_REQUEST, "binding must be 1-64 characters of [A-Za-z0-9_-]");
    }
    Check c = checks.create(site, minAge, challenge, binding);
    String link = walletLinks.apply(c);
    Qr qr = Qr.cached(link); // encoded once, for both renderings and qr.svg
    JsonObjectBuilder out = JSON.createObjectBuilder()
        .add("transaction_id", c.transactionId())
        .add("expires_at", c.expiresAt().toString())
        .add("expires_in", secondsLeft(c));
    if (!site.unsignedRequest()) { // an unsigned request is passed by value: it has no request object to fetch
      out.add("request_uri", links.requestUri(c.requestId()));
    }
    out.add("wallet_link", link)
        .add("confirmation_code", ConfirmationCode.of(c.nonce()))
        .add("qr_modules", JSON.createArrayBuilder(qr.modules()))
        .add("qr_svg", qr.svg());
    JsonObject dc = digital.of(c, site);
    if (dc != null) { // the argument of navigator.credentials.get, for "Use a digital ID on this device"
      out.add("digital", dc);
    }
    // agegate's wallets answer signed requests only: none for a site with unsigned requests
    String webWallet = site.unsignedRequest() ? null : links.webWalletLink(c.requestId());
    if (webWallet != null) { // only a wallet that is served (agegate.wallet-url or the wallet module)
      out.add("web_wallet_link", webWallet);
    }
    res.status(Status.CREATED_201);
    res.header(HeaderNames.LOCATION, "/v1/checks/" + c.transactionId());
    sendJson(res, out.build());
  }

  /** Seconds until the check expires, by the gateway's clock: the widget counts down from this, never from its device's clock. */
  private long secondsLeft(Check c) {
    return Math.max(0, Duration.between(checks.clock().instant(), c.expiresAt()).toSeconds());
  }

  /**
   * Who may create a check for {@code site}: its backend, with {@code Authorization: Bearer
   * <site secret>} (the servlet filter, server-side; no Origin needed, and no per-address
   * limit, since every page view of a site comes from its few servers), or, unless the site
   * has {@code require-secret}, a browser on one of its origins. A wrong secret is never
   * retried as Origin-only creation, and it counts against the caller's per-address limit.
   *
   * @throws Problem 401 site_unauthenticated (with {@code WWW-Authenticate: Bearer}),
   *     403 origin_not_allowed
   */
  private void authenticateSite(ServerRequest req, ServerResponse res, Site site, String authorization, String secret,
                                boolean counted) {
    if (authorization != null) {
      if (site.secretMatches(secret)) {
        return;
      }
      if (!counted) { // another site's secret: counted now, once
        limits.perAddress(req, "checks");
      }
      res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"agegate\", error=\"invalid_token\"");
      throw new Problem(Reason.SITE_UNAUTHENTICATED, secret == null
          ? "Authorization must be Bearer <site secret>"
          : "the site secret is not one of site '" + site.id() + "'s secrets");
    }
    if (site.requireSecret()) {
      res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"agegate\"");
      throw new Problem(Reason.SITE_UNAUTHENTICATED, "site '" + site.id()
          + "' creates its checks from its backend (Authorization: Bearer <site secret>); Origin alone is refused");
    }
    if (!site.allows(req.headers().first(HeaderNames.ORIGIN).orElse(null))) {
      throw new Problem(Reason.ORIGIN_NOT_ALLOWED, "the Origin header is missing or not one of the site's allowed origins");
    }
  }

  /** The token of {@code Authorization: Bearer <token>}, or null (no header, another scheme). */
  private static String bearer(String authorization) {
    return authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7) ? authorization.substring(7).strip() : null;
  }

  /** Whether {@code secret} is a secret of any site; every site is compared (constant time in the secret). */
  private boolean anySiteSecret(String secret) {
    if (secret == null) {
      return false;
    }
    boolean any = false;
    for (Site s : settings.sites().values()) {
      any |= s.secretMatches(secret);
    }
    return any;
  }

  private void poll(ServerRequest req, ServerResponse res) {
    Check c = checks.byTransaction(req.path().pathParameters().get("tx"));
    sendJson(res, statusJson(c, checks.status(c), secondsLeft(c)));
  }

  private void qr(ServerRequest req, ServerResponse res) {
    Check c = checks.byTransaction(req.path().pathParameters().get("tx"));
    res.header(HeaderNames.CONTENT_TYPE, "image/svg+xml");
    res.header(HeaderNames.CACHE_CONTROL, "no-store");
    res.send(Qr.cached(walletLinks.apply(c)).svg());
  }

  private void token(ServerRequest req, ServerResponse res) {
    limits.perAddress(req, "token");
    String tx = req.path().pathParameters().get("tx");
    JsonObject body = bodies.json(req);
    String verifier = string(body, "code_verifier", true);
    String token = checks.redeem(tx, verifier, req.headers().first(HeaderNames.ORIGIN).orElse(null));
    sendJson(res, JSON.createObjectBuilder().add("token", token).build());
  }

  /**
   * The Digital Credentials API's answer, {@code {"protocol", "data"}}, from a page of one of the
   * check's site's origins: verified like a wallet's response (one per check), answered with the
   * check's status. Nothing of it is stored or logged.
   *
   * @throws Problem 403 origin_not_allowed, 400 proof_malformed or response_undecryptable, the
   *     verdict's refusals (mdoc_invalid, too_young), 409 nonce_replayed, 410, 503 overloaded
   */
  private void dcResponse(ServerRequest req, ServerResponse res) {
    limits.perAddress(req, "responses"); // a response, like a wallet's
    Check c = checks.byTransaction(req.path().pathParameters().get("tx"));
    Site site = settings.site(c.siteId()).orElse(null);
    String origin = req.headers().first(HeaderNames.ORIGIN).orElse(null);
    if (site == null || !site.allows(origin)) {
      throw new Problem(Reason.ORIGIN_NOT_ALLOWED, "the Origin header is missing or not one of the site's allowed origins");
    }
    JsonObject body;
    try {
      body = bodies.json(req);
    } catch (Problem e) {
      if (e.reason() != Reason.MALFORMED_REQUEST) {
        throw e;
      }
      throw new Problem(Reason.PROOF_MALFORMED, e.detail());
    }
    Check done = digital.respond(c, site, origin, body);
    sendJson(res, statusJson(done, checks.status(done), secondsLeft(done)));
  }

  /**
   * {@code text/event-stream}: one {@code status} event at once, one per change, and the stream
   * ends after a final status (verified, rejected, expired). Comments keep idle connections
   * alive every 15 s. Open streams are capped per check, per client address and in total
   * ({@code agegate.limits.event-streams}: 429 or 503 before the stream starts), and a stream
   * lasts at most the checks' lifetime, however the check's clock runs, so keep-alives cannot
   * hold a connection open for ever.
   */
  private void events(ServerRequest req, ServerResponse res) {
    Check first = checks.byTransaction(req.path().pathParameters().get("tx"));
    try (StreamCaps.Slot slot = limits.streams().open(first.transactionId(), limits.address(req))) {
      stream(res, first, System.nanoTime() + settings.checkLifetime().toNanos());
    }
  }

  private void stream(ServerResponse res, Check first, long deadlineNanos) {
    LinkedBlockingQueue<Check> changes = new LinkedBlockingQueue<>();
    res.header(HeaderNames.CACHE_CONTROL, "no-store");
    try (StateStore.Subscription sub = store.subscribe(first.transactionId(), changes::add);
        SseSink sink = res.sink(SseSink.TYPE)) {
      // Re-read after subscribing, so a change between the first read and the subscription is not lost.
      Check c = store.byTransaction(first.transactionId()).orElse(first);
      CheckStatus s = checks.status(c);
      emit(sink, c, s);
      long lastVersion = c.version();
      while (!s.terminal()) {
        long untilDeadline = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
        if (untilDeadline <= 0) {
          break;
        }
        Instant now = checks.clock().instant();
        long untilExpiry = Math.max(1, Duration.between(now, c.expiresAt()).toMillis());
        Check next = changes.poll(Math.min(Math.min(HEARTBEAT.toMillis(), untilExpiry), untilDeadline), TimeUnit.MILLISECONDS);
        if (next == null) {
          CheckStatus nowStatus = checks.status(c);
          if (nowStatus == CheckStatus.EXPIRED) {
            s = nowStatus;
            emit(sink, c, s);
          } else {
            sink.emit(SseEvent.builder().comment("keep-alive").build());
          }
          continue;
        }
        if (next.version() <= lastVersion) {
          continue;
        }
        lastVersion = next.version();
        CheckStatus ns = checks.status(next);
        if (ns != s || next.redeemed() != c.redeemed()) {
          c = next;
          s = ns;
          emit(sink, c, s);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      // The client went away (or the server is stopping): the stream just ends. Nothing was
      // half-written that a problem document could still replace.
      LOG.log(Level.FINE, "event stream ended: " + e);
    }
  }

  private void emit(SseSink sink, Check c, CheckStatus s) {
    sink.emit(SseEvent.builder().name("status").data(statusJson(c, s, secondsLeft(c)).toString()).build());
  }

  static JsonObject statusJson(Check c, CheckStatus s, long expiresIn) {
    JsonObjectBuilder b = JSON.createObjectBuilder()
        .add("transaction_id", c.transactionId())
        .add("status", s.wire())
        .add("site", c.siteId())
        .add("min_age", c.minAge())
        .add("expires_at", c.expiresAt().toString())
        .add("expires_in", expiresIn);
    if (s == CheckStatus.REJECTED && c.reason() != null) {
      b.add("reason", c.reason());
    } else if (s == CheckStatus.EXPIRED) {
      b.add("reason", Reason.CHECK_EXPIRED.code());
    }
    if (s == CheckStatus.VERIFIED) {
      b.add("redeemed", c.redeemed());
    }
    return b.build();
  }

  static void sendJson(ServerResponse res, JsonObject o) {
    res.header(HeaderNames.CONTENT_TYPE, "application/json");
    res.header(HeaderNames.CACHE_CONTROL, "no-store");
    res.send(o.toString());
  }

  private static String string(JsonObject o, String key, boolean required) {
    JsonValue v = o.get(key);
    if (v == null || v.getValueType() == JsonValue.ValueType.NULL) {
      if (required) {
        throw new Problem(Reason.MALFORMED_REQUEST, key + " is required");
      }
      return null;
    }
    if (!(v instanceof JsonString s)) {
      throw new Problem(Reason.MALFORMED_REQUEST, key + " must be a string");
    }
    return s.getString();
  }
}
