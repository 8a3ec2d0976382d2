package dev.agegate.filter;

import dev.agegate.filter.token.AgeToken;
import dev.agegate.filter.token.AgeTokenVerifier;
import dev.agegate.filter.token.TokenRejectedException;
import dev.agegate.filter.token.TokenRejectedException.Reason;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;

/**
 * The request handling of one configured {@link AgeGateFilter}: the gate, the callback, the
 * cookies. Thread-safe; holds no per-request state.
 */
final class Gatekeeper {

  private static final System.Logger LOG = System.getLogger(AgeGateFilter.class.getName());
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
  /** Longest run of same-named age cookies looked at (cookie tossing cannot make us loop). */
  private static final int MAX_AGE_COOKIES = 4;
  private static final int NONCE_BYTES = 32;
  private static final int NONCE_CHARS = 43;

  private final Settings s;
  private final AgeTokenVerifier verifier;
  private final SecureRandom random = new SecureRandom();
  private final GatewayClient client;
  private final WidgetPin widget;

  Gatekeeper(Settings settings) {
    this.s = settings;
    this.client = new GatewayClient(settings.jwksTimeout());
    this.widget = new WidgetPin(settings, client);
    this.verifier = AgeTokenVerifier.builder()
        .jwksUri(settings.jwksUrl())
        .issuer(settings.issuer())
        .audience(settings.siteId())
        .clockSkew(settings.clockSkew())
        .clock(settings.clock())
        .jwksRefresh(settings.jwksRefresh())
        .jwksMaxStale(settings.jwksMaxStale())
        .jwksMinRefetch(settings.jwksMinRefetch())
        .jwksTimeout(settings.jwksTimeout())
        .cacheSize(settings.tokenCacheSize())
        .acceptedMethods(settings.acceptedMethods())
        .build();
  }

  void start() {
    verifier.prefetchKeys();
    if (s.gateRedirectUrl() == null) {
      widget.start();
    }
    LOG.log(Level.INFO, "agegate: gating site {0} with {1}; keys from {2}", s.siteId(), s.rules(), s.jwksUrl());
  }

  WidgetPin widgetPin() {
    return widget;
  }

  void stop() {
    widget.stop();
    verifier.close();
  }

  void handle(HttpServletRequest req, HttpServletResponse resp, FilterChain chain) throws IOException, ServletException {
    boolean pass;
    try {
      pass = decide(req, resp);
    } catch (RuntimeException e) {
      // Fail closed: an unexpected error never lets the request through.
      LOG.log(Level.ERROR, "agegate: refused " + req.getMethod() + " " + path(req) + " after an internal error", e);
      if (!resp.isCommitted()) {
        resp.reset();
        problem(req, resp, 500, "internal", "Age check failed", "The age check failed on this site.", "/");
      }
      return;
    }
    if (pass) {
      chain.doFilter(req, resp);
    }
  }

  /** @return true when the request may go on to the chain; otherwise the answer has been written */
  private boolean decide(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String path = path(req);
    if (path.equals(s.callbackPath())) {
      callback(req, resp);
      return false;
    }
    int minAge = s.rules().minAgeFor(path);
    if (minAge == 0) {
      return true;
    }
    String nonce = nonce(req);
    boolean invalid = false;
    boolean valid = false;
    boolean keysUnavailable = false;
    int seen = 0;
    Cookie[] cookies = req.getCookies();
    for (int i = 0; cookies != null && i < cookies.length && seen < MAX_AGE_COOKIES; i++) {
      if (!s.cookieName().equals(cookies[i].getName()) && !cookies[i].getName().equals(s.legacyCookieName())) {
        continue;
      }
      seen++;
      try {
        AgeToken token = verifier.verify(cookies[i].getValue());
        checkBinding(token, nonce);
        if (token.ageOver() >= minAge) {
          req.setAttribute(AgeGateFilter.TOKEN_ATTRIBUTE, token);
          return true;
        }
        valid = true;
        LOG.log(Level.DEBUG, "agegate: cookie proves age {0}, {1} needs {2}", token.ageOver(), path, minAge);
      } catch (TokenRejectedException e) {
        LOG.log(Level.DEBUG, "agegate: age cookie refused on {0}: {1}", path, e.getMessage());
        keysUnavailable |= e.reason() == Reason.KEYS_UNAVAILABLE;
        invalid = true;
      }
    }
    if (keysUnavailable) {
      resp.setHeader("Retry-After", "30");
      problem(req, resp, 503, "keys-unavailable", "Age check unavailable",
          "The age check cannot verify tokens right now. Please try again shortly.", returnPath(req));
      return false;
    }
    // Clear a bad cookie so the browser stops sending it, but never one that still serves lower ages.
    gate(req, resp, minAge, nonce, invalid && !valid);
    return false;
  }

  private void gate(HttpServletRequest req, HttpServletResponse resp, int minAge, String nonce, boolean clearAgeCookie)
      throws IOException {
    String n = nonce != null ? nonce : newNonce();
    String binding = binding(n);
    String returnPath = returnPath(req);
    String callback = req.getContextPath() + s.callbackPath();
    resp.setHeader("Cache-Control", "no-store");
    resp.addHeader("Set-Cookie", cookie(s.nonceCookieName(), n, s.cookieLifetime().getSeconds()));
    if (clearAgeCookie) {
      resp.addHeader("Set-Cookie", cookie(s.cookieName(), "", 0));
      clearLegacy(req, resp, s.legacyCookieName());
    }
    if (!wantsHtml(req)) {
      resp.setHeader("WWW-Authenticate", wwwAuthenticate(minAge));
      write(resp, 401, "application/problem+json", Pages.problemJson("age-required", "Age check required", 401,
          "This resource needs an age token for age " + minAge + " or over.",
          ",\"min_age\":" + minAge + ",\"gateway\":\"" + Pages.json(s.gatewayUrl()) + "\",\"site\":\""
              + Pages.json(s.siteId()) + "\",\"callback\":\"" + Pages.json(callback) + "\",\"return\":\""
              + Pages.json(returnPath) + "\",\"binding\":\"" + binding + "\""));
      return;
    }
    if (s.gateRedirectUrl() != null) {
      String url = s.gateRedirectUrl();
      resp.setHeader("Location", url + (url.indexOf('?') < 0 ? '?' : '&')
          + "return=" + URLEncoder.encode(returnPath, StandardCharsets.UTF_8)
          + "&min-age=" + minAge + "&binding=" + binding);
      resp.setStatus(303);
      return;
    }
    WidgetPin.State pin = widget.current();
    if (pin.verdict() == WidgetPin.Verdict.MISMATCH) {
      resp.setHeader("Retry-After", "300");
      problem(req, resp, 503, "widget-mismatch", "Age check unavailable",
          "The age check cannot be shown right now: the check's script is not the version this site trusts."
              + " Please try again later.", returnPath);
      return;
    }
    if (pin.integrity() == null) {
      resp.setHeader("Retry-After", "30");
      problem(req, resp, 503, "widget-unavailable", "Age check unavailable",
          "The age check cannot be shown right now: its service cannot be reached. Please try again shortly.", returnPath);
      return;
    }
    String checkJson = null;
    String codeVerifier = null;
    // A HEAD (link checker, prefetcher, monitor) gets the page's status and headers, not a check:
    // a check at the gateway, made with the site secret, is only for a page someone will see.
    if (s.siteSecret() != null && !"HEAD".equals(req.getMethod())) {
      codeVerifier = newNonce();
      try {
        checkJson = createCheck(minAge, binding, codeVerifier);
      } catch (IOException e) {
        LOG.log(Level.WARNING, "agegate: could not create a check at the gateway: {0}", e.getMessage());
        resp.setHeader("Retry-After", "30");
        problem(req, resp, 503, "check-unavailable", "Age check unavailable",
            "The age check cannot be started right now: its service cannot be reached. Please try again shortly.",
            returnPath);
        return;
      }
    }
    if (s.gateStatus() == 401) {
      resp.setHeader("WWW-Authenticate", wwwAuthenticate(minAge));
    }
    String lang = Lang.pick(req.getHeader("Accept-Language"));
    resp.setHeader("X-Content-Type-Options", "nosniff");
    // The widget talks to the gateway from this page: it need not learn which page it was.
    resp.setHeader("Referrer-Policy", "same-origin");
    resp.setHeader("Content-Security-Policy", gateCsp());
    frameOptions(resp);
    resp.setHeader("Content-Language", lang);
    resp.setHeader("Vary", "Accept-Language, Cookie");
    write(resp, s.gateStatus(), "text/html;charset=UTF-8",
        Pages.gate(s, lang, pin.integrity(), callback, returnPath, minAge, binding, checkJson, codeVerifier));
  }

  /**
   * The gate page's policy: the widget script (by URL, and pinned by SRI in the page) is the
   * only script; it talks to the gateway only; the callback form posts to this site; nothing
   * embeds, no base URL, no plugins, no framing unless configured.
   */
  String gateCsp() {
    String gw = s.gatewayOrigin();
    return "default-src 'none'; script-src " + s.widgetUrl() + "; connect-src " + gw + "; img-src " + gw
        + " data:; form-action 'self'; frame-ancestors " + s.frameAncestors() + "; base-uri 'none'; object-src 'none'";
  }

  private void frameOptions(HttpServletResponse resp) {
    if (s.frameAncestors().equals("'none'")) {
      resp.setHeader("X-Frame-Options", "DENY");
    } else if (s.frameAncestors().equals("'self'")) {
      resp.setHeader("X-Frame-Options", "SAMEORIGIN");
    } // other sources: X-Frame-Options cannot say them (ALLOW-FROM is obsolete); CSP frame-ancestors does
  }

  /**
   * Creates the gate's check at the gateway with the site secret ({@code Authorization:
   * Bearer}), so the widget need not create it on the browser's Origin alone.
   *
   * @return the gateway's answer as JSON for the widget's {@code check} attribute: its string
   *     members, re-encoded (nothing else of the gateway's bytes reaches the page)
   * @throws IOException when the gateway cannot be reached or refuses; the message never holds the secret
   */
  private String createCheck(int minAge, String binding, String codeVerifier) throws IOException {
    String challenge = B64URL.encodeToString(sha256(codeVerifier));
    String body = "{\"site\":\"" + Pages.json(s.siteId()) + "\",\"min_age\":" + minAge + ",\"code_challenge\":\""
        + challenge + "\",\"code_challenge_method\":\"S256\",\"binding\":\"" + binding + "\"}";
    GatewayClient.Answer a = client.postJson(java.net.URI.create(s.gatewayUrl() + "/v1/checks"), body, s.siteSecret(), 256 * 1024);
    String text = new String(a.body(), StandardCharsets.UTF_8);
    if (a.status() != 201) {
      String reason = text.matches("(?s).*\"reason\"\\s*:\\s*\"[a-z_]{1,40}\".*")
          ? text.replaceFirst("(?s).*\"reason\"\\s*:\\s*\"([a-z_]{1,40})\".*", "$1") : "?";
      if (a.status() == 401) {
        LOG.log(Level.ERROR, "agegate: the gateway refused this site''s site-secret (401 {0}): check that its"
            + " secret-sha256 for site {1} is the SHA-256 of site-secret", reason, s.siteId());
      }
      throw new IOException("POST " + s.gatewayUrl() + "/v1/checks answered HTTP " + a.status() + " " + reason);
    }
    java.util.Map<String, Object> check;
    try {
      check = com.nimbusds.jose.util.JSONObjectUtils.parse(text);
    } catch (java.text.ParseException e) {
      throw new IOException("POST /v1/checks answered no JSON object");
    }
    if (!(check.get("transaction_id") instanceof String tx) || !tx.matches("[A-Za-z0-9_-]{1,128}")) {
      throw new IOException("POST /v1/checks answered no transaction_id");
    }
    StringBuilder out = new StringBuilder("{");
    for (java.util.Map.Entry<String, Object> e : check.entrySet()) {
      if (e.getValue() instanceof String v) {
        out.append(out.length() > 1 ? "," : "").append('"').append(Pages.json(e.getKey())).append("\":\"")
            .append(Pages.json(v)).append('"');
      } else if (e.getKey().equals("expires_in") && e.getValue() instanceof Number n && n.longValue() >= 0) {
        // seconds left by the gateway's clock: the widget counts down from it
        out.append(out.length() > 1 ? "," : "").append("\"expires_in\":").append(n.longValue());
      } else if (e.getKey().equals("qr_modules") && e.getValue() instanceof java.util.List<?> rows
          && rows.stream().allMatch(r -> r instanceof String row && row.matches("[01]{1,200}"))) {
        // the QR code's module grid, rows of 0/1 only: what the widget draws
        out.append(out.length() > 1 ? "," : "").append("\"qr_modules\":[")
            .append(rows.stream().map(r -> "\"" + r + "\"").collect(java.util.stream.Collectors.joining(","))).append(']');
      }
    }
    return out.append('}').toString();
  }

  private static byte[] sha256(String ascii) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(ascii.getBytes(StandardCharsets.US_ASCII));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }

  /** Expires the pre-{@code __Host-} cookie {@code name} if the browser still sends it. */
  private void clearLegacy(HttpServletRequest req, HttpServletResponse resp, String name) {
    Cookie[] cookies = req.getCookies();
    if (name == null || cookies == null) {
      return;
    }
    for (Cookie c : cookies) {
      if (name.equals(c.getName())) {
        resp.addHeader("Set-Cookie", cookie(name, "", 0));
        return;
      }
    }
  }

  private void callback(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    if (!"POST".equals(req.getMethod())) {
      resp.setHeader("Allow", "POST");
      problem(req, resp, 405, "method", "Method not allowed", "The age callback takes a POST.", "/");
      return;
    }
    String type = req.getContentType();
    if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
      problem(req, resp, 415, "media-type", "Unsupported form", "The age callback takes an urlencoded form.", "/");
      return;
    }
    if (req.getQueryString() != null) {
      // Tokens in URLs end up in logs and Referer headers: only the form body is read.
      problem(req, resp, 400, "bad-callback", "Bad age callback", "The callback takes no query string.", "/");
      return;
    }
    String[] tokens = req.getParameterValues("token");
    String[] returns = req.getParameterValues("return");
    if (tokens == null || tokens.length != 1 || (returns != null && returns.length != 1)) {
      problem(req, resp, 400, "bad-callback", "Bad age callback", "Give exactly one token and at most one return.", "/");
      return;
    }
    String returnPath = ReturnPath.sanitize(returns == null ? "/" : returns[0]);
    String nonce = nonce(req);
    AgeToken token;
    try {
      token = verifier.verify(tokens[0]);
      checkBinding(token, nonce);
    } catch (TokenRejectedException e) {
      LOG.log(Level.INFO, "agegate: callback refused a token: {0}", e.getMessage());
      if (e.reason() == Reason.KEYS_UNAVAILABLE) {
        resp.setHeader("Retry-After", "30");
        problem(req, resp, 503, "keys-unavailable", "Age check unavailable",
            "The age check cannot verify tokens right now. Please try again shortly.", returnPath);
      } else {
        String lang = Lang.pick(req.getHeader("Accept-Language"));
        problem(req, resp, 401, "token-rejected", "Age check not accepted", refusal(lang, e.reason()), returnPath);
      }
      return;
    }
    long untilExpiry = Duration.between(s.clock().instant(), token.expiresAt()).getSeconds();
    long maxAge = Math.max(1, Math.min(s.cookieLifetime().getSeconds(), untilExpiry));
    resp.setHeader("Cache-Control", "no-store");
    resp.addHeader("Set-Cookie", cookie(s.cookieName(), tokens[0], maxAge));
    resp.addHeader("Set-Cookie", cookie(s.nonceCookieName(), nonce, s.cookieLifetime().getSeconds()));
    clearLegacy(req, resp, s.legacyCookieName());
    clearLegacy(req, resp, s.legacyNonceCookieName());
    resp.setHeader("Location", returnPath);
    resp.setStatus(303);
  }

  /** @return what a person is told when the callback refuses a token: plain words, no codes */
  static String refusal(String lang, Reason reason) {
    String key = switch (reason) {
      case EXPIRED, BINDING, AUDIENCE, NOT_YET_VALID, METHOD -> "refusal." + reason.name();
      default -> "refusal.default";
    };
    return Lang.problem(lang, key, refusal(reason).replaceFirst(" Please start the age check again in this browser\\.$", ""))
        + " " + Lang.problem(lang, "again", "Please start the age check again in this browser.");
  }

  static String refusal(Reason reason) {
    String why = switch (reason) {
      case EXPIRED -> "The age check took too long and its result has expired.";
      case BINDING -> "The age check was finished in another browser or tab, or this site's cookies were cleared meanwhile.";
      case AUDIENCE -> "The age check was made for another website.";
      case NOT_YET_VALID -> "This device's clock and the age check's clock disagree.";
      case METHOD -> "This site does not accept the kind of proof of age that was used.";
      default -> "The age check's result could not be confirmed.";
    };
    return why + " Please start the age check again in this browser.";
  }

  /** A token counts only in the browser it was issued to: {@code bnd} = b64url(SHA-256(nonce cookie)). */
  private static void checkBinding(AgeToken token, String nonce) throws TokenRejectedException {
    if (nonce == null || token.binding() == null || !MessageDigest.isEqual(
        token.binding().getBytes(StandardCharsets.US_ASCII), binding(nonce).getBytes(StandardCharsets.US_ASCII))) {
      throw new TokenRejectedException(Reason.BINDING, "token not bound to this browser's nonce cookie");
    }
  }

  private void problem(HttpServletRequest req, HttpServletResponse resp, int status, String type, String title,
                       String detail, String returnPath) throws IOException {
    resp.setHeader("Cache-Control", "no-store");
    if (wantsHtml(req)) {
      resp.setHeader("X-Content-Type-Options", "nosniff");
      resp.setHeader("Content-Security-Policy", "default-src 'none'; img-src data:; form-action 'none'; frame-ancestors "
          + s.frameAncestors() + "; base-uri 'none'");
      frameOptions(resp);
      // What a person reads is in their language where the page has words for it (Lang); the
      // problem+json for programs stays English.
      String lang = Lang.pick(req.getHeader("Accept-Language"));
      String t = Lang.problem(lang, status == 503 ? "unavailable.title" : type + ".title", title);
      String d = type.equals("token-rejected") ? detail : Lang.problem(lang, type, detail);
      resp.setHeader("Content-Language", lang);
      write(resp, status, "text/html;charset=UTF-8", Pages.problemHtml(lang, t, d, returnPath));
    } else {
      write(resp, status, "application/problem+json", Pages.problemJson(type, title, status, detail, ""));
    }
  }

  private static void write(HttpServletResponse resp, int status, String contentType, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    resp.setStatus(status);
    resp.setContentType(contentType);
    resp.setContentLength(bytes.length);
    resp.getOutputStream().write(bytes);
  }

  private String wwwAuthenticate(int minAge) {
    return "AgeToken realm=\"" + s.siteId() + "\", min_age=\"" + minAge + "\"";
  }

  private String cookie(String name, String value, long maxAge) {
    return name + "=" + value + "; Path=/; Max-Age=" + maxAge + "; HttpOnly" + (s.cookieSecure() ? "; Secure" : "")
        + "; SameSite=Lax";
  }

  /** @return this browser's nonce cookie if it has a well-formed one, else null */
  private String nonce(HttpServletRequest req) {
    Cookie[] cookies = req.getCookies();
    String legacy = null;
    if (cookies != null) {
      for (Cookie c : cookies) {
        if (s.nonceCookieName().equals(c.getName()) && isNonce(c.getValue())) {
          return c.getValue();
        }
        if (legacy == null && c.getName().equals(s.legacyNonceCookieName()) && isNonce(c.getValue())) {
          legacy = c.getValue(); // set before the __Host- default; re-set under the new name with the next answer
        }
      }
    }
    return legacy;
  }

  private static boolean isNonce(String v) {
    if (v == null || v.length() != NONCE_CHARS) {
      return false;
    }
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
        return false;
      }
    }
    return true;
  }

  private String newNonce() {
    byte[] bytes = new byte[NONCE_BYTES];
    random.nextBytes(bytes);
    return B64URL.encodeToString(bytes);
  }

  /** @return b64url(SHA-256(ASCII bytes of the nonce)), the {@code binding} the widget gives the gateway */
  static String binding(String nonce) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(nonce.getBytes(StandardCharsets.US_ASCII));
      return B64URL.encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }

  private static boolean wantsHtml(HttpServletRequest req) {
    String accept = req.getHeader("Accept");
    return accept != null && (accept.contains("text/html") || accept.contains("application/xhtml+xml"));
  }

  private static String returnPath(HttpServletRequest req) {
    String uri = req.getRequestURI();
    String query = req.getQueryString();
    return ReturnPath.sanitize(query == null ? uri : uri + "?" + query);
  }

  /** The path inside the web application, as the container decoded and normalised it. */
  private static String path(HttpServletRequest req) {
    String servletPath = req.getServletPath();
    String pathInfo = req.getPathInfo();
    String path = (servletPath == null ? "" : servletPath) + (pathInfo == null ? "" : pathInfo);
    return path.isEmpty() ? "/" : path;
  }
}
