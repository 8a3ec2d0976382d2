package dev.agegate.gateway.http;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.util.Set;

/**
 * The filter in front of every route: security headers on every answer, and CORS for the
 * widget's endpoints ({@code /v1/checks} and below) for the sites' allowed origins only. The
 * widget's static files ({@code /widget/}) are public to every origin (a site includes them
 * with Subresource Integrity); the web wallet ({@code /wallet/}) gets a CSP that allows its
 * own scripts and WebAssembly.
 * A preflight from any other origin is refused with 403 {@code origin_not_allowed}; other
 * paths never get CORS headers (wallet endpoints are not called from site pages), except for a
 * web wallet on its own origin ({@code agegate.wallet-url}): that one origin may read the
 * wallet-facing endpoints that are not public anyway (request objects, responses, the demo
 * issuer).
 */
public final class HttpGuard {
  private static final HeaderName ACAO = HeaderNames.create("Access-Control-Allow-Origin");
  private static final HeaderName ACAM = HeaderNames.create("Access-Control-Allow-Methods");
  private static final HeaderName ACAH = HeaderNames.create("Access-Control-Allow-Headers");
  private static final HeaderName ACMA = HeaderNames.create("Access-Control-Max-Age");
  private static final HeaderName CSP = HeaderNames.create("Content-Security-Policy");
  private static final HeaderName XCTO = HeaderNames.create("X-Content-Type-Options");
  private static final HeaderName XFO = HeaderNames.create("X-Frame-Options");
  private static final HeaderName REFERRER = HeaderNames.create("Referrer-Policy");
  private static final HeaderName CORP = HeaderNames.create("Cross-Origin-Resource-Policy");
  private static final HeaderName COOP = HeaderNames.create("Cross-Origin-Opener-Policy");
  private static final HeaderName PERMISSIONS = HeaderNames.create("Permissions-Policy");
  private static final HeaderName HSTS = HeaderNames.create("Strict-Transport-Security");

  /** The CSP of API answers; HTML pages set their own. */
  public static final String API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
  /** The CSP of the web wallet's pages: its own scripts and WebAssembly, its own origin only. */
  public static final String WALLET_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; "
      + "img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

  private final Set<String> origins;
  private final boolean https;
  private final String walletOrigin;
  private final RateLimiter limits;

  /**
   * @param origins every origin a site allows
   * @param https whether the public URL is https (then HSTS is sent)
   */
  public HttpGuard(Set<String> origins, boolean https) {
    this(origins, https, null);
  }

  /**
   * @param walletOrigin the web wallet's origin when it is not the gateway's own, else null
   */
  public HttpGuard(Set<String> origins, boolean https, String walletOrigin) {
    this(origins, https, walletOrigin, null);
  }

  /**
   * @param origins every origin a site allows
   * @param https whether the public URL is https (then HSTS is sent)
   * @param walletOrigin the web wallet's origin when it is not the gateway's own, else null
   * @param limits counts every request in its family's per-address bucket (429 before anything
   *     else, preflights included); null for none
   */
  public HttpGuard(Set<String> origins, boolean https, String walletOrigin, RateLimiter limits) {
    this.origins = Set.copyOf(origins);
    this.https = https;
    this.walletOrigin = walletOrigin;
    this.limits = limits;
  }

  /** The paths a web wallet calls that are not public anyway (JWKS, trust list and circuit keys answer {@code *}). */
  private static boolean walletFacing(String path) {
    return path.startsWith("/v1/requests/") || path.startsWith("/v1/responses/") || path.startsWith("/demo/issuer/");
  }

  /** {@code /widget/<major.minor.patch>/…}: a released widget, whose bytes never change. */
  private static final java.util.regex.Pattern RELEASED_WIDGET = java.util.regex.Pattern.compile("/widget/\\d+\\.\\d+\\.\\d+/[^/]+");

  /**
   * The caching of a widget file: a released version's path names fixed bytes (an SRI pin on it
   * never breaks), so it is cached for a year as immutable; {@code /widget/v1/} follows upgrades
   * and is revalidated after 5 minutes. A released path this gateway does not serve is {@code no-store}.
   */
  static String widgetCaching(String path) {
    if (!RELEASED_WIDGET.matcher(path).matches()) {
      return "public, max-age=300";
    }
    // a version this gateway does not (yet) serve must not be cached as a 404 for a year
    return HttpGuard.class.getClassLoader().getResource("META-INF/resources" + path) != null
        ? "public, max-age=31536000, immutable" : "no-store";
  }

  /** The filter function for {@code HttpRouting.Builder.addFilter}. */
  public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
    res.header(XCTO, "nosniff");
    res.header(XFO, "DENY");
    res.header(REFERRER, "no-referrer");
    res.header(COOP, "same-origin");
    if (https) {
      res.header(HSTS, "max-age=31536000");
    }
    String path = req.path().path();
    if (path.startsWith("/wallet/") || path.equals("/wallet")) {
      // the web wallet may scan QR codes with the camera, on its own origin only
      res.header(CSP, WALLET_CSP);
      res.header(CORP, "same-origin");
      res.header(PERMISSIONS, "camera=(self), microphone=(), geolocation=(), interest-cohort=()");
    } else {
      res.header(CSP, API_CSP);
      res.header(PERMISSIONS, "camera=(), microphone=(), geolocation=(), interest-cohort=()");
      if (path.startsWith("/widget/")) {
        // sites load the widget with <script crossorigin integrity=…>: public, any origin
        res.header(CORP, "cross-origin");
        res.header(ACAO, "*");
        res.header(HeaderNames.CACHE_CONTROL, widgetCaching(path));
      } else {
        res.header(CORP, "same-site");
      }
    }
    if (walletOrigin != null && walletFacing(path)) {
      String origin = req.headers().first(HeaderNames.ORIGIN).orElse(null);
      res.header(HeaderNames.VARY, "Origin");
      if (walletOrigin.equals(origin)) {
        res.header(ACAO, origin);
        res.header(CORP, "cross-origin");
        if (req.prologue().method() == Method.OPTIONS) {
          limit(req);
          res.header(ACAM, "GET, POST");
          res.header(ACAH, "Content-Type");
          res.header(ACMA, "600");
          res.status(Status.NO_CONTENT_204).send();
          return;
        }
      }
    }
    if (path.equals("/v1/checks") || path.startsWith("/v1/checks/")) {
      String origin = req.headers().first(HeaderNames.ORIGIN).orElse(null);
      boolean allowed = origin != null && origins.contains(origin);
      res.header(HeaderNames.VARY, "Origin");
      if (allowed) {
        res.header(ACAO, origin);
        res.header(CORP, "cross-origin");
      }
      // counted once the CORS headers are set, so the widget can read a 429
      limit(req);
      if (req.prologue().method() == Method.OPTIONS) {
        if (!allowed) {
          ProblemHandler.send(res, Reason.ORIGIN_NOT_ALLOWED, "this origin may not call the gateway");
          return;
        }
        res.header(ACAM, "GET, POST");
        res.header(ACAH, "Content-Type");
        res.header(ACMA, "600");
        res.status(Status.NO_CONTENT_204).send();
        return;
      }
    } else {
      limit(req);
    }
    chain.proceed();
  }

  private void limit(RoutingRequest req) {
    if (limits != null) {
      limits.limit(req);
    }
  }
}
