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
 * @param widgetIntegrity SRI value for the widget script, or null
 */
record Settings(String gatewayUrl, String issuer, URI jwksUrl, String siteId, PathRules rules,
                String callbackPath, String cookieName, Duration cookieLifetime, boolean cookieSecure,
                Duration clockSkew, String gateRedirectUrl, int gateStatus, String widgetIntegrity,
                Duration jwksRefresh, Duration jwksMaxStale, Duration jwksMinRefetch, Duration jwksTimeout,
                int tokenCacheSize, Clock clock) {

  /** @return the name of the cookie holding the browser-binding nonce */
  String nonceCookieName() {
    return cookieName + "_nonce";
  }

  /** @return the widget script's URL */
  String widgetUrl() {
    return gatewayUrl + "/widget/v1/age-gate.js";
  }
}
