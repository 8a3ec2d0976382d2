package dev.agegate.filter;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.agegate.filter.support.TestGateway;
import dev.agegate.filter.token.AgeToken;
import dev.agegate.testsupport.MutableClock;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mockito.ArgumentCaptor;

class AgeGateFilterTest {

  private static final Instant START = Instant.parse("2026-11-28T12:00:00Z");
  private static final String NONCE = "n".repeat(43);

  private static MutableClock clock;
  private static TestGateway gateway;
  private AgeGateFilter filter;

  @BeforeAll
  static void startGateway() {
    clock = new MutableClock(START);
    gateway = new TestGateway(clock);
  }

  @AfterAll
  static void stopGateway() {
    gateway.close();
  }

  @BeforeEach
  void setUp() throws Exception {
    clock.set(START);
    gateway.publish(gateway.key());
    filter = builder().build();
    filter.init(null);
  }

  @org.junit.jupiter.api.AfterEach
  void tearDown() {
    filter.destroy(); // its key fetches and widget checks run on threads of its own
  }

  private static AgeGateFilter.Builder builder() {
    return AgeGateFilter.builder()
        .gatewayUrl(gateway.url())
        .siteId(TestGateway.SITE)
        .rule("/spirits/*", 21)
        .rule("/adult/*", 18)
        .exclude("/adult/public/*")
        .cookieName("agegate") // the explicit name; defaultBuilder() below has the __Host- default
        .jwksTimeout(Duration.ofSeconds(2))
        .clock(clock);
  }

  private static String bound(int age) {
    return gateway.token(age, Gatekeeper.binding(NONCE));
  }

  @Test
  void doFilterWhenPathNotGatedThenChainCalled() throws Exception {
    Exchange e = Exchange.browser("/shop/index.html").run(filter);

    verify(e.chain).doFilter(e.req, e.resp);
    assertThat(e.setCookies()).isEmpty();
    verify(e.req, never()).setAttribute(any(), any());
  }

  @Test
  void doFilterWhenPathExcludedThenChainCalled() throws Exception {
    Exchange e = Exchange.browser("/adult/public/terms.html").run(filter);

    verify(e.chain).doFilter(e.req, e.resp);
  }

  @Test
  void doFilterWhenBrowserWithoutCookieThenGatePageAndChainNeverCalled() throws Exception {
    Exchange e = Exchange.get("/adult/films", "page=2&sort=new").accept("text/html").run(filter);

    verify(e.chain, never()).doFilter(any(), any());
    assertThat(e.status()).isEqualTo(401);
    assertThat(e.header("Content-Type")).isEqualTo("text/html;charset=UTF-8");
    assertThat(e.header("Cache-Control")).isEqualTo("no-store");
    assertThat(e.header("WWW-Authenticate")).isEqualTo("AgeToken realm=\"demo-shop\", min_age=\"18\"");
    assertThat(e.header("Referrer-Policy")).isEqualTo("same-origin");
    String nonceCookie = e.setCookie("agegate_nonce");
    assertThat(nonceCookie).matches("agegate_nonce=[A-Za-z0-9_-]{43}; Path=/; Max-Age=43200; HttpOnly; Secure; SameSite=Lax");
    assertThat(e.body())
        .contains("<script src=\"" + gateway.url() + TestGateway.WIDGET_PATH + "\" integrity=\""
            + TestGateway.sri(TestGateway.WIDGET_SCRIPT) + "\" crossorigin=\"anonymous\" defer></script>")
        .contains("<noscript>")
        .doesNotContainPattern("<script(?![^>]*\\bsrc=)")
        .doesNotContain("<style")
        .doesNotContain("style=");
    assertThat(e.gateAttribute("gateway")).isEqualTo(gateway.url());
    assertThat(e.gateAttribute("site")).isEqualTo("demo-shop");
    assertThat(e.gateAttribute("min-age")).isEqualTo("18");
    assertThat(e.gateAttribute("callback")).isEqualTo("/agegate/callback");
    assertThat(e.gateAttribute("return")).isEqualTo("/adult/films?page=2&amp;sort=new");
    assertThat(e.gateAttribute("binding")).isEqualTo(Gatekeeper.binding(e.cookieValue("agegate_nonce")));
  }

  @Test
  void doFilterWhenApiClientWithoutCookieThen401ProblemJson() throws Exception {
    Exchange e = Exchange.get("/adult/api/items").accept("application/json").run(filter);

    verify(e.chain, never()).doFilter(any(), any());
    assertThat(e.status()).isEqualTo(401);
    assertThat(e.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(e.header("WWW-Authenticate")).isEqualTo("AgeToken realm=\"demo-shop\", min_age=\"18\"");
    assertThat(e.body())
        .startsWith("{\"type\":\"urn:agegate:problem:age-required\",\"title\":\"Age check required\",\"status\":401,")
        .contains("\"min_age\":18", "\"site\":\"demo-shop\"", "\"return\":\"/adult/api/items\"");
  }

  @Test
  void doFilterWhenNoAcceptHeaderThen401ProblemJson() throws Exception {
    Exchange e = Exchange.get("/adult/x").run(filter);

    verify(e.chain, never()).doFilter(any(), any());
    assertThat(e.status()).isEqualTo(401);
    assertThat(e.header("Content-Type")).isEqualTo("application/problem+json");
  }

  @Test
  void doFilterWhenValidCookieThenChainCalledWithTokenAttribute() throws Exception {
    String token = gateway.token(c -> c.claim("bnd", Gatekeeper.binding(NONCE)).claim("psn", "pseudonym-1"));
    Exchange e = Exchange.browser("/adult/films").cookie("agegate_nonce", NONCE).cookie("agegate", token).run(filter);

    verify(e.chain).doFilter(e.req, e.resp);
    assertThat(e.setCookies()).isEmpty();
    ArgumentCaptor<AgeToken> attribute = ArgumentCaptor.forClass(AgeToken.class);
    verify(e.req).setAttribute(eq(AgeGateFilter.TOKEN_ATTRIBUTE), attribute.capture());
    assertThat(attribute.getValue().ageOver()).isEqualTo(18);
    assertThat(attribute.getValue().pseudonym()).isEqualTo("pseudonym-1");
  }

  @Test
  void doFilterWhenCookieForHigherAgeThenChainCalled() throws Exception {
    Exchange e = Exchange.browser("/adult/films").cookie("agegate_nonce", NONCE).cookie("agegate", bound(21)).run(filter);

    verify(e.chain).doFilter(e.req, e.resp);
  }

  @Test
  void doFilterWhenCookieAgeLowerThanRuleThenGateForHigherAge() throws Exception {
    Exchange e = Exchange.browser("/spirits/whisky").cookie("agegate_nonce", NONCE).cookie("agegate", bound(18)).run(filter);

    verify(e.chain, never()).doFilter(any(), any());
    assertThat(e.status()).isEqualTo(401);
    assertThat(e.gateAttribute("min-age")).isEqualTo("21");
    assertThat(e.cookieValue("agegate_nonce")).as("the nonce is kept").isEqualTo(NONCE);
    assertThat(e.setCookie("agegate")).as("a valid lower-age cookie is kept").isNull();
  }

  @Test
  void doFilterWhenCookieWithoutNonceCookieThenGate() throws Exception {
    Exchange e = Exchange.browser("/adult/films").cookie("agegate", bound(18)).run(filter);

    verify(e.chain, never()).doFilter(any(), any());
    assertThat(e.status()).isEqualTo(401);
  }

  @Test
  void doFilterWhenCookieBoundToOtherNonceThenGate() throws Exception {
    Exchange e = Exchange.browser("/adult/films").cookie("agegate_nonce", "m".repeat(43))
        .cookie("agegate", bound(18)).run(filter);

    verify(e.chain, never()).doFilter(any(), any());
    assertThat(e.setCookie("agegate")).isEqualTo("agegate=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax");
  }

  @Test
  void doFilterWhenValidLowerAgeCookieAndTossedBadCookieThenGateKeepsCookie() throws Exception {
    Exchange e = Exchange.browser("/spirits/rum").cookie("agegate_nonce", NONCE)
        .cookie("agegate", "tossed.by.subdomain").cookie("agegate", bound(18)).run(filter);

    verify(e.chain, never()).doFilter(any(), any());
    assertThat(e.gateAttribute("min-age")).isEqualTo("21");
    assertThat(e.setCookie("agegate")).isNull();
  }

  @Test
  void doFilterWhenCookieTokenHasNoBindingThenGate() throws Exception {
    String unbound = gateway.token(c -> { });
    Exchange e = Exchange.browser("/adult/films").cookie("agegate_nonce", NONCE).cookie("agegate", unbound).run(filter);

    verify(e.chain, never()).doFilter(any(), any());
  }

  @Test
  void doFilterWhenCookieExpiredThenGateAndCookieCleared() throws Exception {
    String token = bound(18);
    Exchange first = Exchange.browser("/adult/films").cookie("agegate_nonce", NONCE).cookie("agegate", token).run(filter);
    verify(first.chain).doFilter(any(), any());

    clock.advance(Duration.ofMinutes(5).plusSeconds(31));
    Exchange e = Exchange.browser("/adult/films").cookie("agegate_nonce", NONCE).cookie("agegate", token).run(filter);

    verify(e.chain, never()).doFilter(any(), any());
    assertThat(e.status()).isEqualTo(401);
    assertThat(e.cookieValue("agegate")).isEmpty();
  }

  @Test
  void doFilterWhenCookieForgedThenGate() throws Exception {
    String token = bound(18);
    String[] parts = token.split("\\.");
    String forged = parts[0] + "." + parts[1] + "." + bound(18).split("\\.")[2];
    Exchange e = Exchange.browser("/adult/films").cookie("agegate_nonce", NONCE).cookie("agegate", forged).run(filter);

    verify(e.chain, never()).doFilter(any(), any());
    assertThat(e.status()).isEqualTo(401);
  }

  @Test
  void doFilterWhenTokenForOtherSiteThenGate() throws Exception {
    String other = gateway.token(c -> c.audience("other-shop").claim("bnd", Gatekeeper.binding(NONCE)));
    Exchange e = Exchange.browser("/adult/films").cookie("agegate_nonce", NONCE).cookie("agegate", other).run(filter);

    verify(e.chain, never()).doFilter(any(), any());
    assertThat(e.status()).isEqualTo(401);
  }

  @Test
  void doFilterWhenOneOfTwoSameNamedCookiesValidThenChainCalled() throws Exception {
    Exchange e = Exchange.browser("/adult/films").cookie("agegate_nonce", NONCE)
        .cookie("agegate", "tossed.by.subdomain").cookie("agegate", bound(18)).run(filter);

    verify(e.chain).doFilter(e.req, e.resp);
  }

  @Test
  void doFilterWhenGateRedirectConfiguredThen303ToGatePage() throws Exception {
    AgeGateFilter redirecting = builder().gateRedirect("/age-check?from=gate").build();
    Exchange e = Exchange.get("/adult/films", "a=1").accept("text/html").run(redirecting);

    verify(e.chain, never()).doFilter(any(), any());
    assertThat(e.status()).isEqualTo(303);
    String binding = Gatekeeper.binding(e.cookieValue("agegate_nonce"));
    assertThat(e.header("Location")).isEqualTo("/age-check?from=gate&return=%2Fadult%2Ffilms%3Fa%3D1&min-age=18&binding=" + binding);
    assertThat(e.body()).isEmpty();
  }

  @Test
  void doFilterWhenGateStatus200ConfiguredThenGatePageWith200AndNoChallenge() throws Exception {
    AgeGateFilter ok = builder().gateStatus(200).build();
    Exchange e = Exchange.browser("/adult/films").run(ok);

    verify(e.chain, never()).doFilter(any(), any());
    assertThat(e.status()).isEqualTo(200);
    assertThat(e.header("WWW-Authenticate")).isNull();
    assertThat(e.gateAttribute("min-age")).isEqualTo("18");
  }

  @Test
  void doFilterWhenWidgetIntegrityConfiguredThenScriptHasIntegrityAndSriFileNotRead() throws Exception {
    String sha512 = "sha512-" + java.util.Base64.getEncoder().encodeToString(
        java.security.MessageDigest.getInstance("SHA-512").digest(TestGateway.WIDGET_SCRIPT));
    String integrity = TestGateway.sri(TestGateway.WIDGET_SCRIPT) + " " + sha512;
    gateway.serveWidget(TestGateway.WIDGET_SCRIPT, "sha384-" + "A".repeat(64)); // a published .sri it must not take
    try {
      AgeGateFilter sri = builder().widgetIntegrity(integrity).build();
      Exchange e = Exchange.browser("/adult/films").run(sri);

      assertThat(e.status()).isEqualTo(401);
      assertThat(e.body()).contains("age-gate.js\" integrity=\"" + integrity + "\" crossorigin=\"anonymous\" defer>");
    } finally {
      gateway.publishWidget(TestGateway.WIDGET_SCRIPT);
    }
  }

  @Test
  void doFilterWhenReturnUrlHasMarkupThenEscaped() throws Exception {
    Exchange e = Exchange.get("/adult/x", "q=\"><script>alert(1)</script>").accept("text/html").run(filter);

    assertThat(e.body()).doesNotContain("<script>alert");
    assertThat(e.gateAttribute("return")).isEqualTo("/adult/x?q=&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
  }

  @Test
  void doFilterWhenCookieSecureFalseThenCookiesWithoutSecure() throws Exception {
    AgeGateFilter plain = builder().cookieSecure(false).build();
    Exchange e = Exchange.browser("/adult/films").run(plain);

    assertThat(e.setCookie("agegate_nonce")).endsWith("; HttpOnly; SameSite=Lax").doesNotContain("Secure");
  }

  @Test
  void doFilterWhenCallbackValidThen303WithAgeCookie() throws Exception {
    String token = bound(18);
    Exchange e = Exchange.post("/agegate/callback", token, "/adult/films?page=2").cookie("agegate_nonce", NONCE).run(filter);

    verify(e.chain, never()).doFilter(any(), any());
    assertThat(e.status()).isEqualTo(303);
    assertThat(e.header("Location")).isEqualTo("/adult/films?page=2");
    assertThat(e.header("Cache-Control")).isEqualTo("no-store");
    assertThat(e.setCookie("agegate")).isEqualTo("agegate=" + token + "; Path=/; Max-Age=300; HttpOnly; Secure; SameSite=Lax");
    assertThat(e.setCookie("agegate_nonce")).startsWith("agegate_nonce=" + NONCE + "; Path=/; Max-Age=43200;");
  }

  @Test
  void doFilterWhenCallbackThenCookieLifetimeCapsMaxAge() throws Exception {
    AgeGateFilter shortLived = builder().cookieLifetime(Duration.ofSeconds(60)).build();
    Exchange e = Exchange.post("/agegate/callback", bound(18), "/adult/").cookie("agegate_nonce", NONCE).run(shortLived);

    assertThat(e.setCookie("agegate")).contains("; Max-Age=60;");
  }

  @Test
  void doFilterWhenCallbackTokenThenCookiePassesNextRequest() throws Exception {
    Exchange gate = Exchange.browser("/adult/films").run(filter);
    String nonce = gate.cookieValue("agegate_nonce");
    String token = gateway.token(18, gate.gateAttribute("binding"));
    Exchange callback = Exchange.post("/agegate/callback", token, "/adult/films").cookie("agegate_nonce", nonce).run(filter);
    assertThat(callback.status()).isEqualTo(303);

    Exchange e = Exchange.browser("/adult/films").cookie("agegate_nonce", nonce)
        .cookie("agegate", callback.cookieValue("agegate")).run(filter);

    verify(e.chain).doFilter(e.req, e.resp);
  }

  @ParameterizedTest
  @ValueSource(strings = {"//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)",
      "/\t/evil.example", "/a\r\nSet-Cookie: x=y", "evil.example", "/a//b", ""})
  void doFilterWhenCallbackReturnIsOffSiteThen303ToRoot(String returnPath) throws Exception {
    Exchange e = Exchange.post("/agegate/callback", bound(18), returnPath).cookie("agegate_nonce", NONCE).run(filter);

    assertThat(e.status()).isEqualTo(303);
    assertThat(e.header("Location")).isEqualTo("/");
  }

  @Test
  void doFilterWhenCallbackTokenNotBoundThen401AndNoCookie() throws Exception {
    Exchange e = Exchange.post("/agegate/callback", gateway.token(18, Gatekeeper.binding("x".repeat(43))), "/adult/")
        .cookie("agegate_nonce", NONCE).run(filter);

    assertThat(e.status()).isEqualTo(401);
    assertThat(e.setCookie("agegate")).isNull();
    assertThat(e.header("Content-Type")).isEqualTo("text/html;charset=UTF-8");
    assertThat(e.body()).contains("finished in another browser or tab").contains("href=\"/adult/\"")
        .doesNotContain("(binding)").contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
  }

  @Test
  void doFilterWhenCallbackWithoutNonceCookieThen401() throws Exception {
    Exchange e = Exchange.post("/agegate/callback", bound(18), "/adult/").run(filter);

    assertThat(e.status()).isEqualTo(401);
    assertThat(e.setCookies()).isEmpty();
  }

  @Test
  void doFilterWhenCallbackTokenExpiredThen401ProblemJson() throws Exception {
    String token = bound(18);
    clock.advance(Duration.ofMinutes(6));
    Exchange e = Exchange.post("/agegate/callback", token, "/adult/").cookie("agegate_nonce", NONCE)
        .accept("application/json").run(filter);

    assertThat(e.status()).isEqualTo(401);
    assertThat(e.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(e.body()).contains("\"type\":\"urn:agegate:problem:token-rejected\"", "expired");
  }

  @Test
  void doFilterWhenCallbackGetThen405() throws Exception {
    Exchange e = Exchange.browser("/agegate/callback").run(filter);

    assertThat(e.status()).isEqualTo(405);
    assertThat(e.header("Allow")).isEqualTo("POST");
    verify(e.chain, never()).doFilter(any(), any());
  }

  @Test
  void doFilterWhenCallbackHasQueryStringThen400() throws Exception {
    Exchange e = Exchange.post("/agegate/callback", bound(18), "/").cookie("agegate_nonce", NONCE);
    when(e.req.getQueryString()).thenReturn("token=abc");
    e.run(filter);

    assertThat(e.status()).isEqualTo(400);
    assertThat(e.setCookies()).isEmpty();
  }

  @Test
  void doFilterWhenCallbackTwoTokensThen400() throws Exception {
    Exchange e = Exchange.post("/agegate/callback", bound(18), "/").cookie("agegate_nonce", NONCE);
    when(e.req.getParameterValues("token")).thenReturn(new String[] {bound(18), bound(21)});
    e.run(filter);

    assertThat(e.status()).isEqualTo(400);
  }

  @Test
  void doFilterWhenCallbackMissingTokenThen400() throws Exception {
    Exchange e = Exchange.post("/agegate/callback", null, "/").cookie("agegate_nonce", NONCE).run(filter);

    assertThat(e.status()).isEqualTo(400);
  }

  @Test
  void doFilterWhenCallbackNotAFormThen415() throws Exception {
    Exchange e = Exchange.post("/agegate/callback", bound(18), "/").cookie("agegate_nonce", NONCE);
    when(e.req.getContentType()).thenReturn("application/json");
    e.run(filter);

    assertThat(e.status()).isEqualTo(415);
  }

  @Test
  void doFilterWhenCallbackKeysUnavailableThen503() throws Exception {
    gateway.answerJwks(aResponse().withStatus(503));
    AgeGateFilter fresh = builder().build();
    Exchange e = Exchange.post("/agegate/callback", bound(18), "/adult/").cookie("agegate_nonce", NONCE).run(fresh);

    assertThat(e.status()).isEqualTo(503);
    assertThat(e.header("Retry-After")).isEqualTo("30");
    assertThat(e.setCookie("agegate")).isNull();
  }

  @Test
  void doFilterWhenCookieAndKeysUnavailableThen503AndChainNeverCalled() throws Exception {
    gateway.answerJwks(aResponse().withStatus(503));
    AgeGateFilter fresh = builder().build();
    Exchange e = Exchange.browser("/adult/films").cookie("agegate_nonce", NONCE).cookie("agegate", bound(18)).run(fresh);

    verify(e.chain, never()).doFilter(any(), any());
    assertThat(e.status()).isEqualTo(503);
  }

  @Test
  void doFilterWhenUnexpectedErrorThen500AndChainNeverCalled() throws Exception {
    Exchange e = Exchange.browser("/adult/films");
    when(e.req.getCookies()).thenThrow(new IllegalStateException("container bug"));
    e.run(filter);

    verify(e.chain, never()).doFilter(any(), any());
    assertThat(e.status()).isEqualTo(500);
  }

  @Test
  void doFilterWhenContextPathThenCallbackAttributeIncludesIt() throws Exception {
    Exchange e = Exchange.browser("/adult/films");
    when(e.req.getContextPath()).thenReturn("/shop");
    when(e.req.getRequestURI()).thenReturn("/shop/adult/films");
    e.run(filter);

    assertThat(e.gateAttribute("callback")).isEqualTo("/shop/agegate/callback");
    assertThat(e.gateAttribute("return")).isEqualTo("/shop/adult/films");
  }

  @Test
  void doFilterWhenNotInitialisedThenServletException() throws Exception {
    AgeGateFilter uninitialised = new AgeGateFilter();
    Exchange e = Exchange.browser("/shop/");

    assertThatThrownBy(() -> e.run(uninitialised)).isInstanceOf(ServletException.class);
    verify(e.chain, never()).doFilter(any(), any());
  }

  @Test
  void doFilterWhenNotHttpThenServletException() {
    assertThatThrownBy(() -> filter.doFilter(mock(ServletRequest.class), mock(ServletResponse.class),
        mock(jakarta.servlet.FilterChain.class))).isInstanceOf(ServletException.class);
  }

  @Test
  void initWhenBuiltInCodeAndInitParamsGivenThenServletExceptionNamingKey() {
    FilterConfig config = mock(FilterConfig.class);
    when(config.getInitParameterNames()).thenReturn(Collections.enumeration(List.of("site-id")));

    assertThatThrownBy(() -> builder().build().init(config))
        .isInstanceOf(ServletException.class)
        .hasMessageContaining("site-id")
        .cause().isInstanceOf(AgeGateConfigException.class);
  }

  @Test
  void doFilterWhenTokensRefusedThenLogsNameReasonButNeverToken() throws Exception {
    List<String> logged = new CopyOnWriteArrayList<>();
    Handler handler = new Handler() {
      @Override
      public void publish(LogRecord r) {
        logged.add(new SimpleFormatter().format(r));
      }

      @Override
      public void flush() {
      }

      @Override
      public void close() {
      }
    };
    Logger root = Logger.getLogger("dev.agegate.filter");
    Level before = root.getLevel();
    root.setLevel(Level.ALL);
    root.addHandler(handler);
    String other = gateway.token(c -> c.audience("other-shop").claim("bnd", Gatekeeper.binding(NONCE)));
    String unbound = gateway.token(18, Gatekeeper.binding("z".repeat(43)));
    try {
      Exchange.browser("/adult/films").cookie("agegate_nonce", NONCE).cookie("agegate", other).run(filter);
      Exchange.post("/agegate/callback", other, "/adult/").cookie("agegate_nonce", NONCE).run(filter);
      Exchange.post("/agegate/callback", unbound, "/adult/").cookie("agegate_nonce", NONCE).run(filter);
    } finally {
      root.removeHandler(handler);
      root.setLevel(before);
    }

    assertThat(logged).anyMatch(m -> m.contains("AUDIENCE")).anyMatch(m -> m.contains("BINDING"));
    for (String token : List.of(other, unbound)) {
      String signature = token.substring(token.lastIndexOf('.') + 1);
      assertThat(logged).noneMatch(m -> m.contains(signature) || m.contains(token.substring(0, token.indexOf('.'))));
    }
  }

  @Test
  void doFilterWhenTokenIssuedInFutureWithinSkewThenChainCalled() throws Exception {
    String token = gateway.token(c -> c.claim("bnd", Gatekeeper.binding(NONCE))
        .issueTime(Date.from(START.plusSeconds(30))));
    Exchange e = Exchange.browser("/adult/films").cookie("agegate_nonce", NONCE).cookie("agegate", token).run(filter);

    verify(e.chain).doFilter(e.req, e.resp);
  }
}
