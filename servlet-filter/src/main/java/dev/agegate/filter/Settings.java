package dev.agegate.filter;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;

/**
 * Validated, immutable settings of one filter. Built only by {@link AgeGateFilter.Builder},
 * which checks every value and names the key at fault.
 *
 * @param gatewayUrl      the gateway's base URL, no trailing slash
 * @param gateRedirectUrl where browsers are sent instead of the gate page, or null for the page
 * @param widgetIntegrity SRI value for the widget script from config, or null to take the
 *     gateway's published {@code .sri} at start-up
 * @param legacyCookieName the pre-{@code __Host-} default cookie name still read (never
 *     written) during the transition, or null
 * @param frameAncestors the gate page's CSP {@code frame-ancestors} source list
 * @param siteSecret the site's secret for creating checks at the gateway server-side, or null
 * @param widgetVersion the widget path's version: {@code v1} (the newest) or a released version
 * @param acceptedMethods the token {@code method}s (families of proof) that open the gate
 */
record Settings(String gatewayUrl, String issuer, URI jwksUrl, String siteId, PathRules rules,
                String callbackPath, String cookieName, Duration cookieLifetime, boolean cookieSecure,
                Duration clockSkew, String gateRedirectUrl, int gateStatus, String widgetIntegrity,
                Duration jwksRefresh, Duration jwksMaxStale, Duration jwksMinRefetch, Duration jwksTimeout,
                int tokenCacheSize, Clock clock, String legacyCookieName, String frameAncestors,
                String siteSecret, String widgetVersion, java.util.Set<String> acceptedMethods) {

  /** The cookie name when none is configured and cookies are Secure. */
  static final String HOST_COOKIE_NAME = "__Host-agegate";
  /** The cookie name when none is configured and cookies are not Secure (plain-http demos), and the old default. */
  static final String PLAIN_COOKIE_NAME = "agegate";

  /** @return the name of the cookie holding the browser-binding nonce */
  String nonceCookieName() {
    return cookieName + "_nonce";
  }

  /** @return the old default nonce cookie name still read, or null */
  String legacyNonceCookieName() {
    return legacyCookieName == null ? null : legacyCookieName + "_nonce";
  }

  /** @return the gateway's origin ({@code scheme://host[:port]}), for CSP sources */
  String gatewayOrigin() {
    URI u = URI.create(gatewayUrl);
    return u.getScheme() + "://" + u.getRawAuthority();
  }

  /** @return the URL of the widget's published SRI value */
  String widgetSriUrl() {
    return widgetUrl() + ".sri";
  }

  /** @return the widget script's URL */
  String widgetUrl() {
    return gatewayUrl + "/widget/" + widgetVersion + "/age-gate.js";
  }
}
