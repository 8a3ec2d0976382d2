package dev.agegate.demo;

import static dev.agegate.demo.Journey.bornYearsAgo;
import static dev.agegate.demo.Journey.figure;
import static dev.agegate.demo.Journey.gate;
import static dev.agegate.demo.Journey.gateCode;
import static dev.agegate.demo.Journey.openGate;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agegate.demo.Journey.Wallet;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.SearchContext;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The whole journey in real headless Chromium: the real gateway (demo mode, dev keys, demo
 * issuer) and the real demo shop behind the real servlet filter, a shop browser and, for each
 * person, a second browser running the web wallet, which proves with the WebAssembly prover.
 * The QR code is read from a screenshot with ZXing, as a phone camera would.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BrowserJourneyTest {
  private static DemoStack stack;
  private static String adultToken30;

  @BeforeAll
  static void startStack() throws Exception {
    // short checks, so that "an expired check offers a retry" is seen within the test
    System.setProperty("agegate.checks.lifetime", "PT75S");
    stack = DemoStack.start("localhost", 0, 0, Path.of("target", "e2e-data"));
  }

  @AfterAll
  static void stopSite() throws Exception {
    if (stack != null) {
      stack.stopSite();
    }
  }

  @Test
  @Order(1)
  void thirtyYearOld_scansAndConsents_adultPageUnlocksByItselfAndStaysUnlocked() throws Exception {
    ChromeDriver shop = Browsers.open(1000, 1100);
    try (Wallet wallet = new Wallet(stack, bornYearsAgo(30))) {
      String link = openGate(stack, shop, "/adult/");
      assertThat(link).startsWith("openid4vp://?client_id=")
          .contains("request_uri=" + URLEncoder.encode(stack.gatewayUrl() + "/v1/requests/", StandardCharsets.UTF_8));
      Browsers.screenshot(shop, "gate");
      assertThat(Browsers.axeSeriousViolations(shop)).as("axe on the gate page with the widget").isEmpty();

      wallet.open(link);
      assertThat(wallet.text("request-text")).isEqualTo("Demo Shop asks: are you 18 or older?");
      assertThat(wallet.text("request-origin")).isEqualTo("Site address: " + stack.siteUrl());
      // the QR relay's check (issue 10): the wallet shows the code the gate shows
      String code = gateCode(shop);
      assertThat(code).as("the gate's confirmation code").matches("[0-9A-Z]{4}");
      assertThat(wallet.text("confirmation-code")).isEqualTo(code);
      // the question is read first: focus is on it, and it comes before the buttons
      assertThat(wallet.focused()).isEqualTo("request-text");
      assertThat((Boolean) wallet.d.executeScript("return !!(document.getElementById('request-text').compareDocumentPosition("
          + "document.getElementById('consent')) & Node.DOCUMENT_POSITION_FOLLOWING)")).isTrue();
      assertThat(wallet.d.findElement(By.id("consent")).getAttribute("aria-describedby")).contains("request-text");
      Browsers.screenshot(wallet.d, "wallet-consent");
      assertThat(Browsers.axeSeriousViolations(wallet.d)).as("axe on the wallet's consent screen").isEmpty();
      assertThat(wallet.consent()).isEqualTo("done");
      assertThat(wallet.focused()).as("focus follows the outcome").isEqualTo("status");
      long firstProveMs = lastProveMeasure(wallet);
      // real progress: the Go prover reported each phase, in order, and the bar said it in words
      assertThat(wallet.d.executeScript("return document.body.dataset.provePhases")).isEqualTo("key witness solved proved");
      assertThat(wallet.d.findElement(By.id("progress")).getAttribute("aria-valuetext")).isEqualTo("Proof made.");
      figure("chromium prove_ms=" + wallet.d.executeScript("return document.body.dataset.proveMs")
          + " warm_up_ms=" + wallet.d.executeScript("return document.body.dataset.warmUpMs")
          + " proving_key_bytes=" + wallet.d.executeScript("return document.body.dataset.pkBytes"));

      Browsers.await(shop, 60).until(d -> !d.findElements(By.id("unlocked")).isEmpty());
      assertThat(shop.getCurrentUrl()).isEqualTo(stack.siteUrl() + "/adult/");
      assertThat(shop.findElement(By.id("unlocked")).getText()).contains("at least 18");
      Browsers.screenshot(shop, "unlocked");
      assertThat(Browsers.axeSeriousViolations(shop)).as("axe on the unlocked page").isEmpty();

      shop.navigate().refresh();
      assertThat(shop.findElements(By.id("unlocked"))).as("still unlocked after a reload").hasSize(1);
      Cookie cookie = shop.manage().getCookieNamed("agegate");
      assertThat(cookie).isNotNull();
      adultToken30 = cookie.getValue();

      // a second proof in the same wallet: the key is already in the worker, nothing is downloaded again
      String spirits = openGate(stack, shop, "/spirits/");
      wallet.open(spirits);
      assertThat(wallet.consent()).isEqualTo("done");
      figure("chromium second_prove_ms=" + wallet.d.executeScript("return document.body.dataset.proveMs"));
      // the page's own performance measures of both proofs, for bench/run (helper "perf");
      // recorded, never asserted: the machine's load decides them
      Files.createDirectories(Path.of("target"));
      Files.writeString(Path.of("target", "browser-prove.json"), "{\"browser_prove_ms\":" + firstProveMs
          + ",\"browser_second_prove_ms\":" + lastProveMeasure(wallet) + "}\n");
      assertThat((Long) wallet.d.executeScript(
          "return performance.getEntriesByType('resource').filter(r => r.name.includes('/proving-key')).length"))
          .as("the proving key is downloaded once").isEqualTo(1L);
      Browsers.await(shop, 60).until(d -> !d.findElements(By.id("unlocked")).isEmpty());
    } finally {
      shop.quit();
    }
  }

  @Test
  @Order(2)
  void nineteenYearOld_adultUnlocks_spiritsStaysLockedWithAClearMessage() throws Exception {
    ChromeDriver shop = Browsers.open(360, 800); // a small phone screen
    try (Wallet wallet = new Wallet(stack, bornYearsAgo(19))) {
      String link = openGate(stack, shop, "/adult/");
      assertThat((Boolean) shop.executeScript("return document.documentElement.scrollWidth <= window.innerWidth"))
          .as("the gate fits a 360 px wide screen").isTrue();
      wallet.open(link);
      assertThat(wallet.consent()).isEqualTo("done");
      Browsers.await(shop, 60).until(d -> !d.findElements(By.id("unlocked")).isEmpty());

      String spirits = openGate(stack, shop, "/spirits/");
      wallet.open(spirits);
      assertThat(wallet.text("request-text")).isEqualTo("Demo Shop asks: are you 21 or older?");
      assertThat(wallet.consent()).isEqualTo("too_young");
      assertThat(wallet.text("status")).isEqualTo("Your credential shows you are not yet 21. Nothing was sent to the site.");
      // the wallet told the gate that no proof is coming: it offers to start again at once
      Browsers.await(shop, 30).until(d -> "declined".equals(gate(d).getAttribute("state")));
      assertThat(shop.findElements(By.id("unlocked"))).as("spirits stays locked").isEmpty();
      assertThat(shop.findElement(By.tagName("age-gate")).getAttribute("min-age")).isEqualTo("21");
      assertThat(shop.findElement(By.tagName("main")).getText()).contains("aged 21 or older");
      shop.get(stack.siteUrl() + "/adult/");
      assertThat(shop.findElements(By.id("unlocked"))).as("the 18+ pages stay open").hasSize(1);
    } finally {
      shop.quit();
    }
  }

  @Test
  @Order(3)
  void seventeenYearOld_staysLocked_expiredCheckOffersRetry_foreignTokenRefused() throws Exception {
    ChromeDriver shop = Browsers.open(1000, 1100);
    try (Wallet wallet = new Wallet(stack, bornYearsAgo(17))) {
      String link = openGate(stack, shop, "/adult/");
      wallet.open(link);
      assertThat(wallet.consent()).isEqualTo("too_young");
      assertThat(wallet.text("status")).isEqualTo("Your credential shows you are not yet 18. Nothing was sent to the site.");
      assertThat(shop.findElements(By.id("unlocked"))).isEmpty();
      Browsers.await(shop, 30).until(d -> "declined".equals(gate(d).getAttribute("state")));
      gate(shop).getShadowRoot().findElement(By.cssSelector("[data-part=retry]")).click();
      Browsers.await(shop, 30).until(d -> "pending".equals(gate(d).getAttribute("state")));
      link = Browsers.readQr(shop);

      // nobody answers: the check expires and the widget offers a new one
      Browsers.await(shop, 120).until(d -> "expired".equals(gate(d).getAttribute("state")));
      SearchContext widget = gate(shop).getShadowRoot();
      assertThat(widget.findElement(By.cssSelector("[role=status]")).getText()).isEqualTo("This code has expired. You can get a new one.");
      WebElement retry = widget.findElement(By.cssSelector("[data-part=retry]"));
      assertThat(retry.isDisplayed()).isTrue();
      retry.click();
      Browsers.await(shop, 30).until(d -> "pending".equals(gate(d).getAttribute("state")));
      String again = Browsers.readQr(shop);
      assertThat(again).startsWith("openid4vp://").isNotEqualTo(link);

      // a genuine age token (the 30-year-old's), posted to the callback by another page
      assertThat(adultToken30).as("the first test's token").isNotNull();
      // It must be refused for its binding (another browser's nonce), not for being expired: a
      // token past its exp would be refused too, and the test would pass for the wrong reason.
      long exp = Long.parseLong(java.util.regex.Pattern.compile("\"exp\":(\\d+)").matcher(new String(
          java.util.Base64.getUrlDecoder().decode(adultToken30.split("\\.")[1]), StandardCharsets.UTF_8)).results()
          .findFirst().orElseThrow().group(1));
      assertThat(exp).as("the foreign token is still within its exp").isGreaterThan(System.currentTimeMillis() / 1000 + 20);
      shop.get("about:blank");
      shop.executeScript("""
          const f = document.createElement('form');
          f.method = 'POST'; f.action = arguments[0];
          for (const [n, v] of [['token', arguments[1]], ['return', '/adult/']]) {
            const i = document.createElement('input'); i.type = 'hidden'; i.name = n; i.value = v; f.append(i);
          }
          document.body.append(f); f.submit();
          """, stack.siteUrl() + "/agegate/callback", adultToken30);
      Browsers.await(shop, 20).until(d -> d.getCurrentUrl().startsWith(stack.siteUrl()));
      assertThat(shop.getCurrentUrl()).isEqualTo(stack.siteUrl() + "/agegate/callback");
      assertThat(shop.findElement(By.tagName("body")).getText()).as("refused for the binding")
          .contains("not accepted")
          // the filter's plain words for a binding refusal (Gatekeeper.refusal, BINDING), not those for an expired token
          .contains("finished in another browser or tab");
      assertThat(shop.manage().getCookieNamed("agegate")).as("no age cookie from a foreign token").isNull();
      shop.get(stack.siteUrl() + "/adult/");
      assertThat(shop.findElements(By.id("unlocked"))).isEmpty();
      assertThat(shop.findElements(By.tagName("age-gate"))).hasSize(1);
    } finally {
      shop.quit();
    }
  }

  @Test
  @Order(4)
  void personDeclines_gateOffersToStartAgainAtOnce_andAWrongDateIsRefused() throws Exception {
    ChromeDriver shop = Browsers.open(1000, 1100);
    try (Wallet wallet = new Wallet(stack, bornYearsAgo(30))) {
      assertThat(wallet.d.executeScript("return [document.getElementById('demo-issuer').hidden, document.getElementById('no-issuer').hidden]"))
          .as("a demo gateway offers the demo credential").isEqualTo(java.util.List.of(false, true));
      String link = openGate(stack, shop, "/adult/");
      String code = gateCode(shop);
      wallet.open(link);
      assertThat(wallet.text("confirmation-code")).isEqualTo(code);
      wallet.declineWithTheKeyboard();
      assertThat(wallet.key()).isEqualTo("declined");
      assertThat(wallet.focused()).as("focus lands on the status").isEqualTo("status");
      Browsers.await(shop, 30).until(d -> "declined".equals(gate(d).getAttribute("state")));
      SearchContext widget = gate(shop).getShadowRoot();
      assertThat(widget.findElement(By.cssSelector("[role=status]")).getText())
          .isEqualTo("Your wallet did not share a proof of age. You can start again.");
      assertThat(widget.findElement(By.cssSelector("[data-part=code]")).isDisplayed()).as("no code for a finished check").isFalse();
      WebElement retry = widget.findElement(By.cssSelector("[data-part=retry]"));
      assertThat(retry.isDisplayed()).isTrue();
      retry.click();
      Browsers.await(shop, 30).until(d -> "pending".equals(gate(d).getAttribute("state")));
      String again = Browsers.readQr(shop);
      assertThat(again).isNotEqualTo(link);
      assertThat(gateCode(shop)).matches("[0-9A-Z]{4}");

      // a device whose date is three days off refuses before asking, and says why
      wallet.d.executeScript("""
          const D = Date, off = 3 * 86400000;
          window.Date = class extends D { constructor(...a) { if (a.length) super(...a); else super(D.now() + off); }
            static now() { return D.now() + off; } };""");
      WebElement input = wallet.d.findElement(By.id("link"));
      input.clear();
      input.sendKeys(again);
      wallet.d.findElement(By.cssSelector("#link-form button[type=submit]")).click();
      Browsers.await(wallet.d, 30).until(x -> "dateMismatch".equals(wallet.key()));
      assertThat(wallet.text("status")).startsWith("This request is dated ").contains("Check the date and time on this device");
      assertThat(wallet.d.findElement(By.id("request")).isDisplayed()).isFalse();
      assertThat(wallet.focused()).isEqualTo("status");
      assertThat(gate(shop).getAttribute("state")).as("nothing was sent: the check still waits").isIn("pending", "scanned");
    } finally {
      shop.quit();
    }
  }

  @Test
  @Order(5)
  void wallet_gatewayWithoutDemoIssuer_offersNoDemoCredential() throws Exception {
    ChromeDriver d = Browsers.open(412, 915);
    try {
      // as on a gateway that is not in demo mode: /demo/issuer/ does not answer
      d.executeCdpCommand("Network.setBlockedURLs", java.util.Map.of("urls", java.util.List.of("*/demo/issuer/*")));
      d.get(stack.walletUrl());
      Browsers.await(d, 60).until(x -> "true".equals(((org.openqa.selenium.JavascriptExecutor) x).executeScript("return document.body.dataset.ready")));
      assertThat(d.findElement(By.id("issue-form")).isDisplayed()).as("no demo credential form").isFalse();
      assertThat(d.findElement(By.id("no-issuer")).getText()).isEqualTo("You have no credential yet. Ask your issuer for one: this gateway has no demo issuer.");
    } finally {
      d.quit();
    }
  }

  @Test
  @Order(6)
  void wallet_germanBrowser_speaksGerman() throws Exception {
    ChromeDriver d = Browsers.open(412, 915);
    try {
      d.get(stack.walletUrl() + "?lang=de");
      Browsers.await(d, 60).until(x -> "true".equals(((org.openqa.selenium.JavascriptExecutor) x).executeScript("return document.body.dataset.ready")));
      assertThat(d.findElement(By.tagName("h1")).getText()).isEqualTo("agegate-Wallet");
      assertThat(d.findElement(By.id("status")).getText()).isEqualTo("Bereit.");
      assertThat(Browsers.axeSeriousViolations(d)).as("axe on the wallet's start screen").isEmpty();
    } finally {
      d.quit();
    }
  }

  @Test
  @Order(7)
  void frenchVisitor_gateSpeaksFrench_andIsUsableWithTheKeyboard() throws Exception {
    ChromeDriver shop = Browsers.open(1000, 1100, "fr-FR");
    try {
      String link = openGate(stack, shop, "/spirits/");
      assertThat(link).startsWith("openid4vp://");
      assertThat(shop.findElement(By.tagName("html")).getAttribute("lang")).isEqualTo("fr");
      SearchContext widget = gate(shop).getShadowRoot();
      assertThat(widget.findElement(By.cssSelector("h2")).getText()).isEqualTo("Vérification de l’âge");
      assertThat(widget.findElement(By.cssSelector("[role=status]")).getText()).startsWith("En attente de votre portefeuille.");
      // Tab from the top of the page reaches the widget's link, and focus is visible there
      String focused = null;
      for (int i = 0; i < 10 && !"web-wallet".equals(focused); i++) {
        shop.switchTo().activeElement().sendKeys(org.openqa.selenium.Keys.TAB);
        focused = (String) shop.executeScript(
            "const a = document.activeElement; return a && a.shadowRoot && a.shadowRoot.activeElement ? a.shadowRoot.activeElement.dataset.part : null");
      }
      assertThat(focused).as("the web wallet link is reachable with Tab").isEqualTo("web-wallet");
      assertThat((String) shop.executeScript("return getComputedStyle(document.activeElement.shadowRoot.activeElement).outlineStyle"))
          .isNotEqualTo("none");
      assertThat(Browsers.axeSeriousViolations(shop)).as("axe on the French gate").isEmpty();
    } finally {
      shop.quit();
    }
  }

  /** For the first nav link and the first main link: focus it, the contrast of its outline against the nearest opaque background behind it. */
  private static final String FOCUS_CONTRAST = """
      const rgb = c => c.match(/[0-9.]+/g).map(Number);
      const lum = c => { const v = rgb(c).slice(0, 3).map(x => { x /= 255; return x <= 0.04045 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; });
        return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
      const bg = e => { for (let p = e.parentElement; p; p = p.parentElement) { const c = getComputedStyle(p).backgroundColor;
        const a = rgb(c); if (a.length < 4 || a[3] > 0) return c; } return 'rgb(255, 255, 255)'; };
      return [document.querySelector('nav a'), document.querySelector('main a')].map(a => {
        a.focus({focusVisible: true}); const s = getComputedStyle(a);
        if (s.outlineStyle === 'none') return 0;
        const x = lum(s.outlineColor), y = lum(bg(a));
        return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); });
      """;

  @Test
  @Order(8)
  void everyPage_loadsNoFavicon_violatesNoPolicy_andFitsA360pxScreen() throws Exception {
    ChromeDriver d = Browsers.open(360, 800);
    try {
      // the shop, the filter's gate page, the filter's problem page (a callback without a token),
      // the demo issuer and the wallet: none asks for /favicon.ico (a 404) or trips its CSP
      for (String url : java.util.List.of(stack.siteUrl() + "/", stack.siteUrl() + "/adult/", stack.siteUrl() + "/agegate/callback",
          stack.gatewayUrl() + "/demo/issuer", stack.walletUrl())) {
        d.get(url);
        Browsers.await(d, 30).until(x -> "complete".equals(d.executeScript("return document.readyState")));
        // a favicon request, if any, starts once the page has loaded: wait until it shows in the
        // resource timings or the console, bounded (an icon given in the page makes neither)
        java.util.List<String> bad = new java.util.ArrayList<>();
        try {
          Browsers.await(d, 2).until(x -> {
            d.manage().logs().get("browser").forEach(e -> {
              String m = e.getMessage();
              if (m.contains("favicon") || m.contains("Content Security Policy") || m.contains(" 404")) {
                bad.add(m);
              }
            });
            return !bad.isEmpty();
          });
        } catch (org.openqa.selenium.TimeoutException expected) {
          // nothing logged: what we want
        }
        assertThat(bad).as("console of " + url).isEmpty();
        if (url.equals(stack.siteUrl() + "/")) {
          // the focus ring of a nav link (on the header) and of a page link (on the page, a tile's
          // edge) has at least 3:1 against the background it is drawn on
          assertThat((java.util.List<?>) d.executeScript(FOCUS_CONTRAST)).allSatisfy(
              r -> assertThat(((Number) r).doubleValue()).as("focus ring contrast").isGreaterThanOrEqualTo(3.0));
        }
        if (url.endsWith("/demo/issuer")) {
          assertThat(((Number) d.executeScript("return document.documentElement.scrollWidth")).intValue())
              .as("the demo issuer page fits a 360 px screen").isLessThanOrEqualTo(360);
        }
      }
    } finally {
      d.quit();
    }
  }


  /** The duration of the wallet page's latest 'agegate-prove' performance measure, in whole ms. */
  private static long lastProveMeasure(Wallet wallet) {
    Object ms = wallet.d.executeScript(
        "const m = performance.getEntriesByName('agegate-prove', 'measure'); return Math.round(m[m.length - 1].duration)");
    return ((Number) ms).longValue();
  }
}
