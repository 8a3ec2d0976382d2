package dev.agegate.filter;

import dev.agegate.filter.token.AgeTokenVerifier;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Enforces an age gate: requests to URLs that a rule maps to a minimum age reach the
 * application only with a valid age token cookie for at least that age; every other request
 * goes straight to {@code chain.doFilter}.
 *
 * <p>Configure it in web.xml (no-argument constructor, init-params read in
 * {@link #init(FilterConfig)}) or in code with {@link #builder()}:
 *
 * <pre>{@code
 * Filter gate = AgeGateFilter.builder()
 *     .gatewayUrl("https://gateway.example")
 *     .siteId("demo-shop")
 *     .rule("/spirits/*", 21)
 *     .rule("/adult/*", 18)
 *     .build();
 * }</pre>
 *
 * <p>Failure mode: closed. A request to a gated URL without a valid cookie never reaches the
 * chain: a browser ({@code Accept} with {@code text/html}) gets the gate page (or a 303 to
 * the configured page), anything else a 401 {@code application/problem+json} with
 * {@code WWW-Authenticate: AgeToken}. A forged, expired, foreign or too-young token, an
 * unreachable gateway with no cached keys (503), a filter whose {@code init} failed, or an
 * unexpected exception: all end the same way, without the protected content. For example,
 * {@code GET /adult/page} with {@code Accept: application/json} and no cookie answers
 * <pre>
 * HTTP/1.1 401
 * WWW-Authenticate: AgeToken realm="demo-shop", min_age="18"
 * Content-Type: application/problem+json
 * {"type":"urn:agegate:problem:age-required","title":"Age check required","status":401,...}
 * </pre>
 *
 * <p>Thread-safe; no static state. {@code init} either succeeds or throws a
 * {@link ServletException} whose cause is an {@link AgeGateConfigException} naming the key.
 */
public final class AgeGateFilter implements Filter {
  /**
   * The released widget version the gate page loads by default ({@code widget-version}): the last
   * line of {@code widget/releases/releases.txt} when this filter was built (a test keeps them equal).
   */
  public static final String WIDGET_RELEASE = "1.2.0";


  /**
   * Request attribute under which a gated request that passed carries its verified
   * {@link dev.agegate.filter.token.AgeToken} (for {@code age_over}, {@code assurance} and the
   * per-site pseudonym {@code psn}). Absent on requests no rule covers.
   */
  public static final String TOKEN_ATTRIBUTE = "dev.agegate.filter.token";

  private static final System.Logger LOG = System.getLogger(AgeGateFilter.class.getName());

  private final boolean configuredInCode;
  private volatile Gatekeeper gatekeeper;

  /** For web.xml: the settings come from the init-params in {@link #init(FilterConfig)}. */
  public AgeGateFilter() {
    this.configuredInCode = false;
  }

  private AgeGateFilter(Settings settings) {
    this.configuredInCode = true;
    this.gatekeeper = new Gatekeeper(settings);
  }

  /** @return a builder for configuring the filter in code */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads the init-params, unless the filter was built in code (then it must have none).
   *
   * @throws ServletException with an {@link AgeGateConfigException} cause naming the key at fault
   */
  @Override
  public void init(FilterConfig config) throws ServletException {
    try {
      if (configuredInCode) {
        List<String> names = config == null ? List.of() : Collections.list(config.getInitParameterNames());
        if (!names.isEmpty()) {
          throw new AgeGateConfigException(names.get(0), "this filter was configured with a builder; remove its init-params");
        }
      } else {
        gatekeeper = new Gatekeeper(InitParams.parse(config));
      }
    } catch (AgeGateConfigException e) {
      LOG.log(Level.ERROR, e.getMessage());
      throw new ServletException(e.getMessage(), e);
    }
    gatekeeper.start();
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    Gatekeeper g = gatekeeper;
    if (g == null) {
      throw new ServletException("agegate: filter used before a successful init; refusing the request");
    }
    if (!(request instanceof HttpServletRequest req) || !(response instanceof HttpServletResponse resp)) {
      throw new ServletException("agegate: not an HTTP request; refusing it");
    }
    g.handle(req, resp, chain);
  }

  /** For tests in this package. */
  Gatekeeper gatekeeper() {
    return gatekeeper;
  }

  @Override
  public void destroy() {
    Gatekeeper g = gatekeeper;
    if (g != null) {
      g.stop();
    }
  }

  /**
   * Settings in code. Each method's Javadoc gives the init-param of the same meaning and the
   * default; {@link #build()} checks them all and throws an {@link AgeGateConfigException}
   * naming that init-param. Not thread-safe.
   */
  public static final class Builder {
    private String gatewayUrl;
    private String issuer;
    private String jwksUrl;
    private String siteId;
    private final Map<String, Integer> rules = new LinkedHashMap<>();
    private final List<String> excludes = new ArrayList<>();
    private String callbackPath = "/agegate/callback";
    private String cookieName;
    private Duration cookieLifetime = Duration.ofHours(12);
    private boolean cookieSecure = true;
    private Duration clockSkew = Duration.ofSeconds(30);
    private String gateRedirectUrl;
    private int gateStatus = 401;
    private String widgetIntegrity;
    private Duration jwksRefresh = Duration.ofMinutes(5);
    private Duration jwksMaxStale = Duration.ofHours(1);
    private Duration jwksMinRefetch = Duration.ofSeconds(30);
    private Duration jwksTimeout = Duration.ofSeconds(3);
    private int tokenCacheSize = 10_000;
    private Clock clock = Clock.systemUTC();
    private String frameAncestors = "'none'";
    private String siteSecret;
    private String widgetVersion = WIDGET_RELEASE;
    private Set<String> acceptedMethods = AgeTokenVerifier.METHODS;

    private Builder() {
    }

    /** {@code gateway-url}, required: the gateway's base URL; https, or http on a loopback host. */
    public Builder gatewayUrl(String url) {
      this.gatewayUrl = url;
      return this;
    }

    /** {@code issuer}: the exact {@code iss} of the tokens; default the gateway URL. */
    public Builder issuer(String issuer) {
      this.issuer = issuer;
      return this;
    }

    /** {@code jwks-url}: where the keys are; default {@code {gateway-url}/.well-known/jwks.json}. */
    public Builder jwksUrl(String url) {
      this.jwksUrl = url;
      return this;
    }

    /** {@code site-id}, required: this site's id at the gateway, the tokens' {@code aud}. */
    public Builder siteId(String siteId) {
      this.siteId = siteId;
      return this;
    }

    /** {@code rules}, at least one: URLs matching {@code pattern} need an age of at least {@code minAge}. */
    public Builder rule(String pattern, int minAge) {
      if (rules.put(pattern, minAge) != null) {
        throw new AgeGateConfigException(InitParams.RULES, "pattern " + pattern + " given twice");
      }
      return this;
    }

    /** {@code exclude}: URLs matching {@code pattern} are never gated, whatever the rules say. */
    public Builder exclude(String pattern) {
      excludes.add(pattern);
      return this;
    }

    /** {@code callback-path}: where the widget posts the token; default {@code /agegate/callback}. */
    public Builder callbackPath(String path) {
      this.callbackPath = path;
      return this;
    }

    /**
     * {@code cookie-name}: the age cookie; the nonce cookie is this plus {@code _nonce}; default
     * {@code __Host-agegate} when cookies are Secure (the old {@code agegate} is still read), else {@code agegate}.
     */
    public Builder cookieName(String name) {
      this.cookieName = name;
      return this;
    }

    /** {@code cookie-lifetime}: longest life of the cookies (never past the token's {@code exp}); default 12 h. */
    public Builder cookieLifetime(Duration lifetime) {
      this.cookieLifetime = lifetime;
      return this;
    }

    /** {@code cookie-secure}: mark cookies Secure; default true. Set false only for plain-http localhost demos. */
    public Builder cookieSecure(boolean secure) {
      this.cookieSecure = secure;
      return this;
    }

    /** {@code clock-skew}: tolerance on the token's times, 0..5 min; default 30 s. */
    public Builder clockSkew(Duration skew) {
      this.clockSkew = skew;
      return this;
    }

    /** {@code gate=redirect} with {@code gate-redirect-url}: send browsers there (303) instead of the gate page. */
    public Builder gateRedirect(String url) {
      this.gateRedirectUrl = url;
      return this;
    }

    /** {@code gate-status}: status of the gate page, 200, 401 or 403; default 401. */
    public Builder gateStatus(int status) {
      this.gateStatus = status;
      return this;
    }

    /** {@code widget-integrity}: SRI hash of the widget script, e.g. {@code sha384-…}; default none. */
    public Builder widgetIntegrity(String integrity) {
      this.widgetIntegrity = integrity;
      return this;
    }

    /**
     * {@code frame-ancestors}: who may frame the gate page, a CSP source list; default
     * {@code 'none'} (with {@code X-Frame-Options: DENY}; {@code 'self'} sends {@code SAMEORIGIN}).
     */
    public Builder frameAncestors(String sources) {
      this.frameAncestors = sources;
      return this;
    }

    /**
     * {@code site-secret}: the site's secret at the gateway; when set, the gate page's check is
     * created server-side ({@code Authorization: Bearer}) and handed to the widget. Default none
     * (the widget creates the check on the browser's Origin).
     */
    public Builder siteSecret(String secret) {
      this.siteSecret = secret;
      return this;
    }

    /**
     * {@code widget-version}: the widget path the gate page loads, {@code /widget/<version>/age-gate.js};
     * default {@link #WIDGET_RELEASE}, the released widget this filter was built with: its bytes never
     * change, so the SRI pin taken at start-up holds across gateway upgrades. {@code v1} (the
     * gateway's newest) follows upgrades, but a pin taken at start-up then refuses the gate
     * after an upgrade that changes the widget, until the filter restarts.
     */
    public Builder widgetVersion(String version) {
      this.widgetVersion = version;
      return this;
    }

    /**
     * {@code accepted-methods}: the families of proof whose age tokens open the gate, by the
     * token's {@code method} claim: {@code agegate-zk} (agegate's own ZK credential) and/or
     * {@code mso_mdoc} (ISO mdoc attestations: EU age verification app, mDL); default both. A
     * token of another family is refused like a forged one (gate page, cookie cleared).
     */
    public Builder acceptedMethods(Set<String> methods) {
      this.acceptedMethods = methods;
      return this;
    }

    /** {@code jwks-refresh}: age after which the keys are re-fetched in the background; default 5 min. */
    public Builder jwksRefresh(Duration refresh) {
      this.jwksRefresh = refresh;
      return this;
    }

    /** {@code jwks-max-stale}: how long past a due refresh old keys serve while the gateway is down; default 1 h. */
    public Builder jwksMaxStale(Duration maxStale) {
      this.jwksMaxStale = maxStale;
      return this;
    }

    /** {@code jwks-min-refetch}: least time between fetches forced by unknown kids or failures; default 30 s. */
    public Builder jwksMinRefetch(Duration minRefetch) {
      this.jwksMinRefetch = minRefetch;
      return this;
    }

    /** {@code jwks-timeout}: total time one JWKS fetch may take, up to 1 min; default 3 s. */
    public Builder jwksTimeout(Duration timeout) {
      this.jwksTimeout = timeout;
      return this;
    }

    /** {@code token-cache-size}: most verified tokens cached; default 10,000. */
    public Builder tokenCacheSize(int size) {
      this.tokenCacheSize = size;
      return this;
    }

    /** No init-param: the time source for token times and caches; default system UTC. For tests. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * @return the filter; its {@code init} then only checks that no init-params were given
     * @throws AgeGateConfigException naming the init-param of the first wrong setting
     */
    public AgeGateFilter build() {
      return new AgeGateFilter(settings());
    }

    Settings settings() {
      String gateway = httpUrl(InitParams.GATEWAY_URL, gatewayUrl);
      String iss = issuer == null ? gateway : issuer;
      if (iss.isBlank()) {
        throw new AgeGateConfigException(InitParams.ISSUER, "must not be blank");
      }
      URI jwks = URI.create(jwksUrl == null ? gateway + "/.well-known/jwks.json" : httpUrl(InitParams.JWKS_URL, jwksUrl));
      if (siteId == null || !siteId.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
        throw new AgeGateConfigException(InitParams.SITE_ID, siteId == null ? "required"
            : "'" + siteId + "' is not 1..64 of [A-Za-z0-9._-] starting with a letter or digit");
      }
      PathRules pathRules = PathRules.of(rules, excludes);
      if (callbackPath == null || !ReturnPath.sanitize(callbackPath).equals(callbackPath)
          || callbackPath.length() < 2 || callbackPath.matches(".*[*?#;%].*")) {
        throw new AgeGateConfigException(InitParams.CALLBACK_PATH, "'" + callbackPath + "' is not a plain path such as /agegate/callback");
      }
      String legacyCookieName = null;
      String name = cookieName;
      if (name == null) {
        name = cookieSecure ? Settings.HOST_COOKIE_NAME : Settings.PLAIN_COOKIE_NAME;
        legacyCookieName = cookieSecure ? Settings.PLAIN_COOKIE_NAME : null;
      }
      if (!name.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}")) {
        throw new AgeGateConfigException(InitParams.COOKIE_NAME, "'" + name + "' is not a cookie name token");
      }
      if ((name.startsWith("__Host-") || name.startsWith("__Secure-")) && !cookieSecure) {
        throw new AgeGateConfigException(InitParams.COOKIE_NAME, "a __Host-/__Secure- cookie needs cookie-secure=true");
      }
      if (cookieLifetime == null || cookieLifetime.getSeconds() < 1 || cookieLifetime.compareTo(Duration.ofDays(400)) > 0) {
        throw new AgeGateConfigException(InitParams.COOKIE_LIFETIME, "must be 1 s..400 days: " + cookieLifetime);
      }
      if (clockSkew == null || clockSkew.isNegative() || clockSkew.compareTo(Duration.ofMinutes(5)) > 0) {
        throw new AgeGateConfigException(InitParams.CLOCK_SKEW, "must be 0..5 min: " + clockSkew);
      }
      if (gateRedirectUrl != null && !ReturnPath.sanitize(gateRedirectUrl).equals(gateRedirectUrl)) {
        httpUrl(InitParams.GATE_REDIRECT_URL, gateRedirectUrl);
      }
      if (gateRedirectUrl != null && gateRedirectUrl.indexOf('#') >= 0) {
        throw new AgeGateConfigException(InitParams.GATE_REDIRECT_URL, "must not have a fragment: " + gateRedirectUrl);
      }
      if (gateRedirectUrl != null && gateRedirectUrl.startsWith("/")
          && pathRules.minAgeFor(gateRedirectUrl.split("\\?", 2)[0]) > 0) {
        throw new AgeGateConfigException(InitParams.GATE_REDIRECT_URL, gateRedirectUrl
            + " is itself gated by the rules (a redirect loop); exclude it");
      }
      if (gateStatus != 200 && gateStatus != 401 && gateStatus != 403) {
        throw new AgeGateConfigException(InitParams.GATE_STATUS, "must be 200, 401 or 403: " + gateStatus);
      }
      if (widgetIntegrity != null
          && !widgetIntegrity.matches("(sha256|sha384|sha512)-[A-Za-z0-9+/]+={0,2}( (sha256|sha384|sha512)-[A-Za-z0-9+/]+={0,2})*")) {
        throw new AgeGateConfigException(InitParams.WIDGET_INTEGRITY, "'" + widgetIntegrity + "' is not an SRI value such as sha384-…");
      }
      positive(InitParams.JWKS_REFRESH, jwksRefresh, Duration.ofDays(1));
      positive(InitParams.JWKS_MAX_STALE, jwksMaxStale, Duration.ofDays(7));
      positive(InitParams.JWKS_MIN_REFETCH, jwksMinRefetch, Duration.ofHours(1));
      positive(InitParams.JWKS_TIMEOUT, jwksTimeout, Duration.ofMinutes(1));
      if (tokenCacheSize < 1 || tokenCacheSize > 10_000_000) {
        throw new AgeGateConfigException(InitParams.TOKEN_CACHE_SIZE, "must be 1..10000000: " + tokenCacheSize);
      }
      String ancestors = frameAncestors == null ? null : frameAncestors.strip().replaceAll("\\s+", " ");
      if (ancestors == null || !ancestors.matches("'none'|'self'|(('self'|https://[A-Za-z0-9.*-]+(:[0-9]{1,5})?)( |$))+")) {
        throw new AgeGateConfigException(InitParams.FRAME_ANCESTORS, "'" + frameAncestors
            + "' is not 'none', or 'self' and/or https origins separated by spaces");
      }
      if (siteSecret != null && !siteSecret.matches("[\\x21-\\x7e]{32,512}")) {
        // Never echo the value: it is a secret.
        throw new AgeGateConfigException(InitParams.SITE_SECRET, "must be 32..512 visible ASCII characters"
            + " (e.g. openssl rand -base64 32), not " + siteSecret.length() + " characters");
      }
      if (siteSecret != null && gateRedirectUrl != null) {
        throw new AgeGateConfigException(InitParams.SITE_SECRET, "creates the gate page's check; with gate=redirect"
            + " the redirect page runs the widget itself and the secret would be unused");
      }
      if (widgetVersion == null || !widgetVersion.matches("v[0-9]{1,3}|[0-9]{1,4}\\.[0-9]{1,4}\\.[0-9]{1,4}")) {
        throw new AgeGateConfigException(InitParams.WIDGET_VERSION, "'" + widgetVersion
            + "' is not v1 or a released version such as 1.1.0");
      }
      if (acceptedMethods == null || acceptedMethods.isEmpty() || !AgeTokenVerifier.METHODS.containsAll(acceptedMethods)) {
        throw new AgeGateConfigException(InitParams.ACCEPTED_METHODS, acceptedMethods + " is not one or both of "
            + AgeTokenVerifier.AGEGATE_ZK + " and " + AgeTokenVerifier.MSO_MDOC);
      }
      String legacy = legacyCookieName;
      return new Settings(gateway, iss, jwks, siteId, pathRules, callbackPath, name, cookieLifetime,
          cookieSecure, clockSkew, gateRedirectUrl, gateStatus, widgetIntegrity, jwksRefresh, jwksMaxStale,
          jwksMinRefetch, jwksTimeout, tokenCacheSize, clock, legacy, ancestors,
          siteSecret, widgetVersion, Set.copyOf(acceptedMethods));
    }

    private static void positive(String key, Duration d, Duration max) {
      if (d == null || d.isNegative() || d.isZero() || d.compareTo(max) > 0) {
        throw new AgeGateConfigException(key, "must be positive and at most " + max + ": " + d);
      }
    }

    /** @return {@code url} without a trailing slash, if it is https, or http to a loopback host */
    private static String httpUrl(String key, String url) {
      if (url == null) {
        throw new AgeGateConfigException(key, "required");
      }
      URI uri;
      try {
        uri = new URI(url);
      } catch (URISyntaxException e) {
        throw new AgeGateConfigException(key, "'" + url + "' is not a URL");
      }
      String scheme = uri.getScheme();
      if (uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null
          || !("https".equals(scheme) || "http".equals(scheme))) {
        throw new AgeGateConfigException(key, "'" + url + "' is not an absolute http(s) URL without user, query or fragment");
      }
      if ("http".equals(scheme) && !isLoopback(uri.getHost())) {
        throw new AgeGateConfigException(key, "'" + url + "' must be https (plain http only for localhost)");
      }
      return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static boolean isLoopback(String host) {
      if (host.equals("localhost")) {
        return true;
      }
      if (!host.matches("[0-9.]+|\\[[0-9a-fA-F:]+]")) {
        return false; // a name other than localhost: never resolved here
      }
      try {
        return InetAddress.getByName(host).isLoopbackAddress();
      } catch (IOException e) {
        return false;
      }
    }
  }
}
