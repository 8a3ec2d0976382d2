package dev.agegate.filter;

import jakarta.servlet.FilterConfig;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;

/**
 * Reads the filter's settings from web.xml init-params. Strict: an unknown key (a typo), a
 * value that does not parse, or a missing required key stops start-up with an
 * {@link AgeGateConfigException} naming the key; nothing falls back to a default silently.
 * Leading and trailing white space of a value is ignored (web.xml formatting).
 */
final class InitParams {

  static final String GATEWAY_URL = "gateway-url";
  static final String ISSUER = "issuer";
  static final String JWKS_URL = "jwks-url";
  static final String SITE_ID = "site-id";
  static final String RULES = "rules";
  static final String EXCLUDE = "exclude";
  static final String CALLBACK_PATH = "callback-path";
  static final String COOKIE_NAME = "cookie-name";
  static final String COOKIE_LIFETIME = "cookie-lifetime";
  static final String COOKIE_SECURE = "cookie-secure";
  static final String CLOCK_SKEW = "clock-skew";
  static final String GATE = "gate";
  static final String GATE_REDIRECT_URL = "gate-redirect-url";
  static final String GATE_STATUS = "gate-status";
  static final String WIDGET_INTEGRITY = "widget-integrity";
  static final String JWKS_REFRESH = "jwks-refresh";
  static final String JWKS_MAX_STALE = "jwks-max-stale";
  static final String JWKS_MIN_REFETCH = "jwks-min-refetch";
  static final String JWKS_TIMEOUT = "jwks-timeout";
  static final String TOKEN_CACHE_SIZE = "token-cache-size";
  static final String FRAME_ANCESTORS = "frame-ancestors";
  static final String SITE_SECRET = "site-secret";
  static final String WIDGET_VERSION = "widget-version";
  static final String ACCEPTED_METHODS = "accepted-methods";

  static final Set<String> KEYS = Set.of(GATEWAY_URL, ISSUER, JWKS_URL, SITE_ID, RULES, EXCLUDE, CALLBACK_PATH,
      COOKIE_NAME, COOKIE_LIFETIME, COOKIE_SECURE, CLOCK_SKEW, GATE, GATE_REDIRECT_URL, GATE_STATUS,
      WIDGET_INTEGRITY, JWKS_REFRESH, JWKS_MAX_STALE, JWKS_MIN_REFETCH, JWKS_TIMEOUT, TOKEN_CACHE_SIZE,
      FRAME_ANCESTORS, SITE_SECRET, WIDGET_VERSION, ACCEPTED_METHODS);

  private static final java.util.regex.Pattern SHORT_DURATION = java.util.regex.Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");
  private static final java.util.regex.Pattern RULE = java.util.regex.Pattern.compile("([^=\\s,]+)=(\\d{1,3})");

  private InitParams() {
  }

  /**
   * @return settings from {@code config}'s init-params
   * @throws AgeGateConfigException naming the first key at fault
   */
  static Settings parse(FilterConfig config) {
    Map<String, String> values = new LinkedHashMap<>();
    for (String name : Collections.list(config.getInitParameterNames())) {
      if (!KEYS.contains(name)) {
        throw new AgeGateConfigException(name, "unknown init-param (known: " + String.join(", ", new java.util.TreeSet<>(KEYS)) + ")");
      }
      String value = config.getInitParameter(name);
      values.put(name, value == null ? "" : value.strip());
    }
    AgeGateFilter.Builder b = AgeGateFilter.builder();
    b.gatewayUrl(required(values, GATEWAY_URL));
    b.siteId(required(values, SITE_ID));
    rules(required(values, RULES)).forEach(b::rule);
    optional(values, ISSUER).ifPresent(b::issuer);
    optional(values, JWKS_URL).ifPresent(b::jwksUrl);
    optional(values, EXCLUDE).ifPresent(v -> list(v).forEach(b::exclude));
    optional(values, CALLBACK_PATH).ifPresent(b::callbackPath);
    optional(values, COOKIE_NAME).ifPresent(b::cookieName);
    optional(values, COOKIE_LIFETIME).ifPresent(v -> b.cookieLifetime(duration(COOKIE_LIFETIME, v)));
    optional(values, COOKIE_SECURE).ifPresent(v -> b.cookieSecure(bool(COOKIE_SECURE, v)));
    optional(values, CLOCK_SKEW).ifPresent(v -> b.clockSkew(duration(CLOCK_SKEW, v)));
    String gate = optional(values, GATE).orElse("page");
    switch (gate) {
      case "page" -> optional(values, GATE_REDIRECT_URL).ifPresent(v -> {
        throw new AgeGateConfigException(GATE_REDIRECT_URL, "only allowed with gate=redirect");
      });
      case "redirect" -> b.gateRedirect(required(values, GATE_REDIRECT_URL));
      default -> throw new AgeGateConfigException(GATE, "must be page or redirect: '" + gate + "'");
    }
    optional(values, GATE_STATUS).ifPresent(v -> b.gateStatus(integer(GATE_STATUS, v)));
    optional(values, WIDGET_INTEGRITY).ifPresent(b::widgetIntegrity);
    optional(values, JWKS_REFRESH).ifPresent(v -> b.jwksRefresh(duration(JWKS_REFRESH, v)));
    optional(values, JWKS_MAX_STALE).ifPresent(v -> b.jwksMaxStale(duration(JWKS_MAX_STALE, v)));
    optional(values, JWKS_MIN_REFETCH).ifPresent(v -> b.jwksMinRefetch(duration(JWKS_MIN_REFETCH, v)));
    optional(values, JWKS_TIMEOUT).ifPresent(v -> b.jwksTimeout(duration(JWKS_TIMEOUT, v)));
    optional(values, TOKEN_CACHE_SIZE).ifPresent(v -> b.tokenCacheSize(integer(TOKEN_CACHE_SIZE, v)));
    optional(values, FRAME_ANCESTORS).ifPresent(b::frameAncestors);
    optional(values, SITE_SECRET).ifPresent(b::siteSecret);
    optional(values, WIDGET_VERSION).ifPresent(b::widgetVersion);
    optional(values, ACCEPTED_METHODS).ifPresent(v -> b.acceptedMethods(methods(v)));
    return b.settings();
  }

  private static String required(Map<String, String> values, String key) {
    String v = values.get(key);
    if (v == null || v.isEmpty()) {
      throw new AgeGateConfigException(key, "required init-param is missing or empty");
    }
    return v;
  }

  private static java.util.Optional<String> optional(Map<String, String> values, String key) {
    String v = values.get(key);
    if (v != null && v.isEmpty()) {
      throw new AgeGateConfigException(key, "is empty; remove it to use the default");
    }
    return java.util.Optional.ofNullable(v);
  }

  /** {@code /spirits/*=21, /adult/*=18}: entries separated by commas and/or white space. */
  static Map<String, Integer> rules(String value) {
    Map<String, Integer> rules = new LinkedHashMap<>();
    for (String entry : list(value)) {
      Matcher m = RULE.matcher(entry);
      if (!m.matches()) {
        throw new AgeGateConfigException(RULES, "'" + entry + "' is not pattern=age, e.g. /adult/*=18");
      }
      if (rules.put(m.group(1), Integer.parseInt(m.group(2))) != null) {
        throw new AgeGateConfigException(RULES, "pattern " + m.group(1) + " given twice");
      }
    }
    return rules;
  }

  /** {@code agegate-zk, mso_mdoc}: each known, none twice (a typo never widens or empties the set). */
  static Set<String> methods(String value) {
    Set<String> methods = new java.util.LinkedHashSet<>();
    for (String m : list(value)) {
      if (!dev.agegate.filter.token.AgeTokenVerifier.METHODS.contains(m)) {
        throw new AgeGateConfigException(ACCEPTED_METHODS, "'" + m + "' is not agegate-zk or mso_mdoc");
      }
      if (!methods.add(m)) {
        throw new AgeGateConfigException(ACCEPTED_METHODS, m + " given twice");
      }
    }
    if (methods.isEmpty()) {
      throw new AgeGateConfigException(ACCEPTED_METHODS, "names no method; give agegate-zk and/or mso_mdoc");
    }
    return methods;
  }

  static List<String> list(String value) {
    List<String> items = new ArrayList<>();
    for (String item : value.split("[,\\s]+")) {
      if (!item.isEmpty()) {
        items.add(item);
      }
    }
    return items;
  }

  /** {@code 250ms}, {@code 30s}, {@code 5m}, {@code 12h}, {@code 1d}, or ISO-8601 such as {@code PT30S}. */
  static Duration duration(String key, String value) {
    Matcher m = SHORT_DURATION.matcher(value);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    }
    try {
      return Duration.parse(value.toUpperCase(Locale.ROOT));
    } catch (DateTimeParseException e) {
      throw new AgeGateConfigException(key, "'" + value + "' is not a duration (e.g. 30s, 5m, 12h or PT30S)");
    }
  }

  static boolean bool(String key, String value) {
    return switch (value) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new AgeGateConfigException(key, "must be true or false: '" + value + "'");
    };
  }

  static int integer(String key, String value) {
    if (!value.matches("\\d{1,9}")) {
      throw new AgeGateConfigException(key, "'" + value + "' is not a non-negative integer");
    }
    return Integer.parseInt(value);
  }
}
