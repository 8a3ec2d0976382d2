package dev.agegate.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every bad init-param stops start-up with a message that names it. */
class InitParamsTest {

  private static Map<String, String> minimal() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("gateway-url", "https://gateway.example");
    p.put("site-id", "demo-shop");
    p.put("rules", "/spirits/*=21, /adult/*=18");
    return p;
  }

  private static FilterConfig config(Map<String, String> params) {
    FilterConfig config = mock(FilterConfig.class);
    when(config.getInitParameterNames()).thenAnswer(i -> Collections.enumeration(params.keySet()));
    params.forEach((k, v) -> when(config.getInitParameter(k)).thenReturn(v));
    return config;
  }

  @Test
  void parseWhenMinimalThenDefaults() {
    Settings s = InitParams.parse(config(minimal()));

    assertThat(s.gatewayUrl()).isEqualTo("https://gateway.example");
    assertThat(s.issuer()).isEqualTo("https://gateway.example");
    assertThat(s.jwksUrl()).isEqualTo(URI.create("https://gateway.example/.well-known/jwks.json"));
    assertThat(s.siteId()).isEqualTo("demo-shop");
    assertThat(s.rules().minAgeFor("/spirits/rum")).isEqualTo(21);
    assertThat(s.rules().minAgeFor("/adult/")).isEqualTo(18);
    assertThat(s.rules().minAgeFor("/")).isZero();
    assertThat(s.callbackPath()).isEqualTo("/agegate/callback");
    assertThat(s.cookieName()).isEqualTo("__Host-agegate");
    assertThat(s.nonceCookieName()).isEqualTo("__Host-agegate_nonce");
    assertThat(s.legacyCookieName()).isEqualTo("agegate");
    assertThat(s.legacyNonceCookieName()).isEqualTo("agegate_nonce");
    assertThat(s.frameAncestors()).isEqualTo("'none'");
    assertThat(s.siteSecret()).isNull();
    assertThat(s.widgetUrl()).isEqualTo("https://gateway.example/widget/" + AgeGateFilter.WIDGET_RELEASE + "/age-gate.js");
    assertThat(s.cookieLifetime()).isEqualTo(Duration.ofHours(12));
    assertThat(s.cookieSecure()).isTrue();
    assertThat(s.clockSkew()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.gateRedirectUrl()).isNull();
    assertThat(s.gateStatus()).isEqualTo(401);
    assertThat(s.widgetIntegrity()).isNull();
    assertThat(s.jwksRefresh()).isEqualTo(Duration.ofMinutes(5));
    assertThat(s.jwksMaxStale()).isEqualTo(Duration.ofHours(1));
    assertThat(s.jwksMinRefetch()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.jwksTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(s.tokenCacheSize()).isEqualTo(10_000);
    assertThat(s.acceptedMethods()).containsExactlyInAnyOrder("agegate-zk", "mso_mdoc");
  }

  @Test
  void parseWhenAcceptedMethodsGivenThenOnlyThose() {
    Map<String, String> p = minimal();
    p.put("accepted-methods", "  mso_mdoc \n");

    assertThat(InitParams.parse(config(p)).acceptedMethods()).containsExactly("mso_mdoc");

    p.put("accepted-methods", "agegate-zk, mso_mdoc");
    assertThat(InitParams.parse(config(p)).acceptedMethods()).containsExactlyInAnyOrder("agegate-zk", "mso_mdoc");
  }

  @Test
  void parseWhenFrameAncestorsAndSiteSecretGivenThenRead() {
    Map<String, String> p = minimal();
    p.put("frame-ancestors", "'self'   https://partner.example:8443");
    p.put("site-secret", "  k3Jv8xQz1bN0fT5wYc7uHs2mLp9aRd4eGi6oVn-backend \n");
    p.put("widget-version", "1.1.0");

    Settings s = InitParams.parse(config(p));

    assertThat(s.frameAncestors()).isEqualTo("'self' https://partner.example:8443");
    assertThat(s.siteSecret()).isEqualTo("k3Jv8xQz1bN0fT5wYc7uHs2mLp9aRd4eGi6oVn-backend");
    assertThat(s.legacyCookieName()).as("a default name: the old one is read").isEqualTo("agegate");
    assertThat(s.widgetUrl()).isEqualTo("https://gateway.example/widget/1.1.0/age-gate.js");
  }

  @Test
  void parseWhenEverySettingGivenThenAllRead() {
    Map<String, String> p = minimal();
    p.put("gateway-url", "http://localhost:8090/");
    p.put("issuer", "https://public.example");
    p.put("jwks-url", "http://127.0.0.1:8090/keys");
    p.put("rules", "\n  /spirits/*=21\n  /adult/*=18\n  *.mp4=18\n");
    p.put("exclude", "/adult/public/*, /adult/terms");
    p.put("callback-path", "/age/cb");
    p.put("cookie-name", "__Host-age");
    p.put("cookie-lifetime", "PT2H");
    p.put("cookie-secure", "true");
    p.put("clock-skew", "10s");
    p.put("gate", "redirect");
    p.put("gate-redirect-url", "/age-check");
    p.put("gate-status", "200");
    p.put("widget-integrity", "sha384-abc+/=");
    p.put("jwks-refresh", "2m");
    p.put("jwks-max-stale", "2h");
    p.put("jwks-min-refetch", "250ms");
    p.put("jwks-timeout", "1s");
    p.put("token-cache-size", "500");

    Settings s = InitParams.parse(config(p));

    assertThat(s.gatewayUrl()).isEqualTo("http://localhost:8090");
    assertThat(s.issuer()).isEqualTo("https://public.example");
    assertThat(s.jwksUrl()).isEqualTo(URI.create("http://127.0.0.1:8090/keys"));
    assertThat(s.rules().minAgeFor("/films/a.mp4")).isEqualTo(18);
    assertThat(s.rules().minAgeFor("/adult/terms")).isZero();
    assertThat(s.callbackPath()).isEqualTo("/age/cb");
    assertThat(s.cookieName()).isEqualTo("__Host-age");
    assertThat(s.cookieLifetime()).isEqualTo(Duration.ofHours(2));
    assertThat(s.clockSkew()).isEqualTo(Duration.ofSeconds(10));
    assertThat(s.gateRedirectUrl()).isEqualTo("/age-check");
    assertThat(s.gateStatus()).isEqualTo(200);
    assertThat(s.widgetIntegrity()).isEqualTo("sha384-abc+/=");
    assertThat(s.jwksRefresh()).isEqualTo(Duration.ofMinutes(2));
    assertThat(s.jwksMaxStale()).isEqualTo(Duration.ofHours(2));
    assertThat(s.jwksMinRefetch()).isEqualTo(Duration.ofMillis(250));
    assertThat(s.jwksTimeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(s.tokenCacheSize()).isEqualTo(500);
  }

  static Stream<Arguments> badParams() {
    return Stream.of(
        Arguments.of("gateway-url", null),
        Arguments.of("site-id", null),
        Arguments.of("rules", null),
        Arguments.of("gateway-url", ""),
        Arguments.of("gateway-url", "gateway.example"),
        Arguments.of("gateway-url", "ftp://gateway.example"),
        Arguments.of("gateway-url", "http://gateway.example"),
        Arguments.of("gateway-url", "https://gateway.example/?x=1"),
        Arguments.of("gateway-url", "https://user@gateway.example"),
        Arguments.of("gateway-url", "https://gate way.example"),
        Arguments.of("issuer", ""),
        Arguments.of("issuer", "   "),
        Arguments.of("jwks-url", "http://10.0.0.1/jwks.json"),
        Arguments.of("site-id", "demo shop"),
        Arguments.of("site-id", "-demo"),
        Arguments.of("site-id", "x".repeat(65)),
        Arguments.of("rules", "/adult/*"),
        Arguments.of("rules", "/adult/*=abc"),
        Arguments.of("rules", "/adult/*=0"),
        Arguments.of("rules", "/adult/*=200"),
        Arguments.of("rules", "/adult/*=18;/x=21"),
        Arguments.of("rules", "adult/*=18"),
        Arguments.of("rules", "/a*b=18"),
        Arguments.of("rules", "/a/*=18, /a/*=21"),
        Arguments.of("rules", "*.=18"),
        Arguments.of("exclude", "public"),
        Arguments.of("callback-path", "agegate"),
        Arguments.of("callback-path", "/agegate?x"),
        Arguments.of("callback-path", "//agegate"),
        Arguments.of("callback-path", "/"),
        Arguments.of("cookie-name", "age gate"),
        Arguments.of("cookie-name", "age;gate"),
        Arguments.of("cookie-lifetime", "forever"),
        Arguments.of("cookie-lifetime", "0s"),
        Arguments.of("cookie-lifetime", "401d"),
        Arguments.of("cookie-lifetime", "-PT5S"),
        Arguments.of("cookie-secure", "yes"),
        Arguments.of("cookie-secure", "TRUE"),
        Arguments.of("cookie-secure", "1"),
        Arguments.of("clock-skew", "10m"),
        Arguments.of("clock-skew", "-5s"),
        Arguments.of("clock-skew", "thirty"),
        Arguments.of("gate", "popup"),
        Arguments.of("gate-redirect-url", "/age-check"),
        Arguments.of("gate-status", "302"),
        Arguments.of("gate-status", "four hundred"),
        Arguments.of("widget-integrity", "md5-abc"),
        Arguments.of("widget-integrity", "sha384-\"><script>"),
        Arguments.of("jwks-refresh", "0s"),
        Arguments.of("jwks-max-stale", "30d"),
        Arguments.of("jwks-min-refetch", "2h"),
        Arguments.of("jwks-timeout", "2m"),
        Arguments.of("token-cache-size", "0"),
        Arguments.of("token-cache-size", "-1"),
        Arguments.of("token-cache-size", "many"),
        Arguments.of("accepted-methods", "mdoc"),
        Arguments.of("accepted-methods", "agegate-zk,,MSO_MDOC"),
        Arguments.of("accepted-methods", "mso_mdoc mso_mdoc"),
        Arguments.of("accepted-methods", " , "),
        Arguments.of("gateway-ulr", "https://gateway.example"),
        Arguments.of("Site-Id", "demo-shop"));
  }

  @ParameterizedTest(name = "{0}={1}")
  @MethodSource("badParams")
  void initWhenParamBadThenServletExceptionNamingKey(String key, String value) {
    Map<String, String> p = minimal();
    if (value == null) {
      p.remove(key);
    } else {
      p.put(key, value);
    }

    assertThatThrownBy(() -> new AgeGateFilter().init(config(p)))
        .isInstanceOf(ServletException.class)
        .hasMessageStartingWith("agegate: " + key + ": ")
        .cause().isInstanceOfSatisfying(AgeGateConfigException.class, e -> assertThat(e.key()).isEqualTo(key));
  }

  @Test
  void initWhenCookieHostPrefixWithoutSecureThenCookieNameNamed() {
    Map<String, String> p = minimal();
    p.put("cookie-name", "__Host-age");
    p.put("cookie-secure", "false");

    assertThatThrownBy(() -> new AgeGateFilter().init(config(p)))
        .isInstanceOf(ServletException.class)
        .hasMessageStartingWith("agegate: cookie-name: ");
  }

  @Test
  void initWhenGateRedirectWithoutUrlThenGateRedirectUrlNamed() {
    Map<String, String> p = minimal();
    p.put("gate", "redirect");

    assertThatThrownBy(() -> new AgeGateFilter().init(config(p)))
        .isInstanceOf(ServletException.class)
        .hasMessage("agegate: gate-redirect-url: required init-param is missing or empty");
  }

  @Test
  void initWhenGateRedirectUrlIsGatedThenGateRedirectUrlNamed() {
    Map<String, String> p = minimal();
    p.put("gate", "redirect");
    p.put("gate-redirect-url", "/adult/age-check?x=1");

    assertThatThrownBy(() -> new AgeGateFilter().init(config(p)))
        .isInstanceOf(ServletException.class)
        .hasMessageStartingWith("agegate: gate-redirect-url: /adult/age-check?x=1 is itself gated");
  }

  @Test
  void buildWhenRuleGivenTwiceThenRulesNamed() {
    assertThatThrownBy(() -> AgeGateFilter.builder().rule("/a/*", 18).rule("/a/*", 21))
        .isInstanceOfSatisfying(AgeGateConfigException.class, e -> assertThat(e.key()).isEqualTo("rules"));
  }

  @Test
  void buildWhenNoGatewayThenGatewayUrlNamed() {
    assertThatThrownBy(() -> AgeGateFilter.builder().siteId("demo-shop").rule("/a/*", 18).build())
        .isInstanceOfSatisfying(AgeGateConfigException.class, e -> assertThat(e.key()).isEqualTo("gateway-url"));
  }
}
