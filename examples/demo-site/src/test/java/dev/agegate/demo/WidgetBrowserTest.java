package dev.agegate.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.SearchContext;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;

/**
 * The widget in real headless Chromium against a fake gateway ({@link FakeGateway}): a page
 * WITHOUT any CSP, so only the widget stands between the gateway's data and the site's origin.
 * Each hostile answer must neither run script (a global sentinel stays unset) nor make the
 * browser fetch a third-party URL; and the dead ends of issue 14 (a gateway that never answers,
 * a failed token request, a moved element, a skewed device clock, a phone, a language change,
 * keyboard-only use) each end in words and an action.
 */
class WidgetBrowserTest {
  private static FakeGateway fake;
  private static ChromeDriver d;

  @BeforeAll
  static void start() throws Exception {
    fake = new FakeGateway();
    d = Browsers.open(1000, 1000);
  }

  @AfterAll
  static void stop() {
    if (d != null) {
      d.quit();
    }
    if (fake != null) {
      fake.close();
    }
  }

  private static WebElement gate() {
    return d.findElement(By.tagName("age-gate"));
  }

  private static String state() {
    return gate().getAttribute("state");
  }

  private static SearchContext shadow() {
    return gate().getShadowRoot();
  }

  private static String status() {
    return shadow().findElement(By.cssSelector("[role=status]")).getText();
  }

  /** data-part of the element focused inside the widget (null: focus is not in the widget). */
  private static String focusedPart() {
    return (String) d.executeScript("const a = document.activeElement;"
        + " const f = a && a.shadowRoot && a.shadowRoot.activeElement; return f ? (f.dataset.part || f.getAttribute('role')) : null");
  }

  private static void awaitState(String want) {
    try {
      Browsers.await(d, 30).until(x -> want.equals(state()));
    } catch (org.openqa.selenium.TimeoutException e) {
      throw new AssertionError("state " + state() + " (" + status() + "), not " + want + "; focus " + focusedPart() + "\n" + Browsers.diagnostics(d), e);
    }
  }

  /** Opens the gate page of {@code mode} and waits until the widget has left "starting". */
  private static String open(String mode, String query) {
    d.get(fake.page(mode, query));
    Browsers.await(d, 30).until(x -> {
      String s = state();
      return s != null && !s.equals("starting");
    });
    return state();
  }

  /**
   * Had the page fetched anything from the third party, it would have by now: the page loads a
   * control image from the third party and waits for its answer (the payloads' requests were
   * made when the widget drew, before this one), then for two frames.
   */
  private static void settle() {
    d.executeAsyncScript("""
        const done = arguments[arguments.length - 1];
        const img = new Image();
        img.onload = img.onerror = () => requestAnimationFrame(() => requestAnimationFrame(() => done(true)));
        img.src = arguments[0] + '/control';
        """, fake.thirdPartyUrl());
  }

  @ParameterizedTest
  @ValueSource(strings = {"image_onerror", "svg_a_js", "animate_href", "style_import", "image_href", "js_link", "foreign_web", "bad_modules"})
  void hostileGatewayAnswer_runsNoScriptAndFetchesNothingFromAThirdParty(String mode) {
    fake.thirdPartyRequests.clear();
    String state = open(mode, "");
    String original = d.getWindowHandle();
    // a person clicks the QR code and every link the widget shows (or would show on a phone)
    WebElement qr = shadow().findElement(By.cssSelector(".qr"));
    if (qr.isDisplayed()) {
      new Actions(d).moveToElement(qr).click().perform();
    }
    d.executeScript("for (const a of document.querySelector('age-gate').shadowRoot.querySelectorAll('a')) {"
        + " if (typeof a.click === 'function') a.click(); else a.dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true})); }");
    for (String h : d.getWindowHandles()) {
      if (!h.equals(original)) {
        d.switchTo().window(h).close();
      }
    }
    d.switchTo().window(original);
    settle();
    assertThat(d.executeScript("return window." + FakeGateway.SENTINEL + " || null")).as("script from the gateway ran (" + mode + ")").isNull();
    assertThat(fake.thirdPartyRequests).as("requests to the third party (" + mode + ")").containsExactly("/control");
    assertThat(shadow().findElements(By.cssSelector("image, a[href^='javascript'], style, foreignObject, script, animate, set")))
        .as("markup from the gateway in the widget").isEmpty();
    if (List.of("js_link", "foreign_web", "bad_modules").contains(mode)) {
      assertThat(state).as("a link or grid it cannot accept is refused, in words").isEqualTo("unsafe");
      assertThat(status()).startsWith("The age check service sent a code or link this page does not accept");
      assertThat(shadow().findElement(By.cssSelector("[data-part=retry]")).isDisplayed()).isTrue();
    } else {
      // the hostile qr_svg is never used: the QR is drawn from the module grid, and reads as the link
      assertThat(state).isEqualTo("pending");
      assertThat(drawnQr()).isEqualTo(fake.walletLink(mode));
    }
  }

  /** The link in the QR code the widget drew (its one path of module runs, decoded by zxing). */
  private static String drawnQr() {
    @SuppressWarnings("unchecked")
    List<Object> parts = (List<Object>) d.executeScript("const svg = document.querySelector('age-gate').shadowRoot.querySelector('.qr svg');"
        + " return [svg.getAttribute('viewBox'), svg.querySelector('path').getAttribute('d')]");
    return Browsers.decode(Browsers.drawModules(String.valueOf(parts.get(0)), String.valueOf(parts.get(1))));
  }

  @ParameterizedTest
  @ValueSource(strings = {"proto_constructor", "proto_proto"})
  void reasonThatIsAPrototypeKey_printsTheGenericMessage(String mode) {
    open(mode, "");
    Browsers.await(d, 30).until(x -> !"pending".equals(state()));
    assertThat(status()).isEqualTo("The age check could not be completed. Please try again.");
    assertThat(state()).isEqualTo("generic");
  }

  @Test
  void webWalletOnAnotherOrigin_acceptedOnlyWhenTheSiteNamesIt() {
    // the same answer as "foreign_web", which is refused without wallet-origin
    assertThat(open("foreign_web", "&wallet-origin=" + fake.thirdPartyUrl())).isEqualTo("pending");
    WebElement web = shadow().findElement(By.cssSelector("[data-part=web-wallet]"));
    assertThat(web.isDisplayed()).isTrue();
    assertThat(web.getDomAttribute("href")).isEqualTo(fake.thirdPartyUrl() + "/wallet/?request_uri=x");
  }

  @Test
  void checkCreatedByTheSitesBackend_validatedAsAnyAnswer() {
    fake.created.clear();
    assertThat(open("ok", "&pre=1")).isEqualTo("pending");
    assertThat(drawnQr()).isEqualTo(fake.walletLink("ok"));
    assertThat(fake.created).as("no check created from the browser").isEmpty();
    fake.thirdPartyRequests.clear();
    assertThat(open("js_link", "&pre=1")).isEqualTo("unsafe");
    d.executeScript("for (const a of document.querySelector('age-gate').shadowRoot.querySelectorAll('a')) a.click()");
    settle();
    assertThat(d.executeScript("return window." + FakeGateway.SENTINEL + " || null")).isNull();
  }

  @Test
  void trustedTypesEnforced_widgetWorks() {
    String state = open("ok", "&tt=1");
    assertThat(state).as(status()).isEqualTo("pending");
    assertThat(drawnQr()).isEqualTo(fake.walletLink("ok"));
    // no web wallet at this gateway: no "Use the web wallet"
    assertThat(shadow().findElement(By.cssSelector("[data-part=web-wallet]")).isDisplayed()).isFalse();
  }

  @Test
  void deviceClockAnHourAhead_countsDownFromTheGatewaysClock() {
    d.get(fake.page("skew", ""));
    Browsers.await(d, 30).until(x -> List.of("pending", "expired").contains(state())
        && !shadow().findElement(By.cssSelector("[data-part=timer]")).getText().isEmpty());
    assertThat(state()).isEqualTo("pending");
    assertThat(shadow().findElement(By.cssSelector("[data-part=timer]")).getText()).matches("1 min [0-9]+ s");
    assertThat(status()).isEqualTo("Waiting for your wallet. Code valid for 2 min.");
  }

  @Test
  void tokenRequestFails_retriesTheTokenNotTheCheck_thenOpensThePage() {
    fake.callbacks.clear();
    d.get(fake.page("token503", ""));
    Browsers.await(d, 60).until(x -> !x.findElements(By.id("unlocked")).isEmpty());
    assertThat(fake.callbacks).hasSize(1);
    assertThat(fake.callbacks.get(0)).startsWith("token=aaa.bbb.ccc&return=");
    assertThat(fake.created.get("token503").get()).as("one check").isEqualTo(1);
    assertThat(fake.tokenCalls.get("token503").get()).as("two failed token requests, then one that worked").isEqualTo(3);
  }

  @Test
  void elementMovedInTheDom_keepsFollowingTheCheck() {
    assertThat(open("move", "")).isEqualTo("pending");
    d.executeScript("document.body.append(document.querySelector('age-gate'))");
    fake.flipped.put("move", true);
    Browsers.await(d, 30).until(x -> "proof_invalid".equals(state()));
    assertThat(status()).startsWith("The answer from your wallet was not accepted.");
  }

  @Test
  void langAttributeChanges_widgetFollows() {
    assertThat(open("ok", "&lang=en")).isEqualTo("pending");
    for (var l : List.of(List.of("fr", "Vérification de l’âge", "En attente de votre portefeuille."),
        List.of("de", "Altersprüfung", "Warte auf Ihre Wallet."), List.of("es", "Verificación de edad", "Esperando a su monedero."),
        List.of("en", "Age check", "Waiting for your wallet."))) {
      d.executeScript("document.documentElement.lang = arguments[0]", l.get(0));
      Browsers.await(d, 10).until(x -> l.get(1).equals(shadow().findElement(By.cssSelector("h2")).getText()));
      assertThat(status()).startsWith(l.get(2));
      assertThat(shadow().findElement(By.cssSelector("[data-part=code]")).getText()).endsWith(": 7K2M");
      assertThat(shadow().findElement(By.cssSelector("[data-part=retry]")).getText()).isNotEmpty();
    }
  }

  @Test
  void gatewayNeverAnswers_timeoutInWords_keyboardRetry_focusFollows() throws Exception {
    // its own browser: keys go to a window that has the focus (other tests open and close windows)
    d.quit();
    d = Browsers.open(1000, 1000);
    d.get(fake.page("never", "&timeout=2"));
    awaitState("timeout");
    assertThat(status()).isEqualTo("The age check service did not answer in time. Please try again.");
    assertThat(focusedPart()).as("focus on \"Try again\" after the failure").isEqualTo("retry");
    assertThat(shadow().findElement(By.cssSelector("[data-part=retry]")).getText()).isEqualTo("Try again");
    // the gateway answers again; the person presses Enter on the focused "Try again"
    fake.answer.countDown();
    new Actions(d).sendKeys(Keys.ENTER).perform();
    awaitState("pending");
    assertThat(focusedPart()).as("focus on the status after the new code appears (not on <body>)").isEqualTo("status");
    // Tab reaches the next actions: the web wallet, then "Start again"
    new Actions(d).sendKeys(Keys.TAB).perform();
    assertThat(focusedPart()).isEqualTo("web-wallet");
    new Actions(d).sendKeys(Keys.TAB).perform();
    assertThat(focusedPart()).isEqualTo("retry");
    assertThat(shadow().findElement(By.cssSelector("[data-part=retry]")).getText()).isEqualTo("Start again");
    assertThat((String) d.executeScript("return getComputedStyle(document.activeElement.shadowRoot.activeElement).outlineStyle"))
        .isNotEqualTo("none");
    // "Start again" while pending: a new check, at once
    int before = fake.created.get("never").get();
    new Actions(d).sendKeys(Keys.ENTER).perform();
    try {
      Browsers.await(d, 30).until(x -> fake.created.get("never").get() == before + 1 && "pending".equals(state()));
    } catch (org.openqa.selenium.TimeoutException e) {
      throw new AssertionError("created " + fake.created.get("never").get() + " (before " + before + ") state " + state() + " focus " + focusedPart()
          + "\n" + Browsers.diagnostics(d), e);
    }
  }

  @Test
  void phone_leadsWithTheWalletApp_explainsNoApp_qrSecond() throws Exception {
    ChromeDriver phone = Browsers.openPhone(360, 740);
    try {
      phone.get(fake.page("okweb", ""));
      Browsers.await(phone, 30).until(x -> "pending".equals(x.findElement(By.tagName("age-gate")).getAttribute("state")));
      assertThat((Boolean) phone.executeScript("return matchMedia('(pointer: coarse)').matches")).as("a touch screen").isTrue();
      SearchContext w = phone.findElement(By.tagName("age-gate")).getShadowRoot();
      WebElement openApp = w.findElement(By.cssSelector("[data-part=open]"));
      WebElement noApp = w.findElement(By.cssSelector("[data-part=no-app]"));
      WebElement qr = w.findElement(By.cssSelector(".qr"));
      assertThat(openApp.isDisplayed()).isTrue();
      assertThat(openApp.getText()).isEqualTo("Open in your wallet app");
      assertThat(noApp.getText()).startsWith("If no app opens");
      assertThat(openApp.getRect().getY()).as("the app link comes before the QR code").isLessThan(qr.getRect().getY());
      assertThat(noApp.getRect().getY()).isLessThan(qr.getRect().getY());
      assertThat(openApp.getDomAttribute("href")).isEqualTo(fake.walletLink("okweb"));
      assertThat((Boolean) phone.executeScript("return document.documentElement.scrollWidth <= window.innerWidth"))
          .as("fits a 360 px screen").isTrue();
      assertThat((String) phone.executeScript("const a = document.activeElement;"
          + " return a && a.shadowRoot && a.shadowRoot.activeElement ? a.shadowRoot.activeElement.dataset.part : null"))
          .as("focus on the next action").isEqualTo("open");
      Browsers.screenshot(phone, "widget-phone");
    } finally {
      phone.quit();
    }
  }

  // ---- "Use a digital ID on this device" (W3C Digital Credentials API, issue 12) -----------------

  private static WebElement part(String name) {
    return shadow().findElement(By.cssSelector("[data-part=" + name + "]"));
  }

  /** Opens {@code mode}'s gate with the stand-in in {@code config} and clicks the digital-ID button. */
  private static String clickDigitalId(String mode, String config) {
    fake.flipped.remove(mode); // each test's check starts pending
    String id = Browsers.digitalCredentials(d, config);
    try {
      assertThat(open(mode, "")).isEqualTo("pending");
    } finally {
      Browsers.removeDigitalCredentials(d, id);
    }
    WebElement dc = part("digital");
    assertThat(dc.isDisplayed()).isTrue();
    assertThat(dc.getText()).isEqualTo("Use a digital ID on this device");
    assertThat(dc.getRect().getY()).as("the button comes before the QR code").isLessThan(shadow().findElement(By.cssSelector(".qr")).getRect().getY());
    try {
      Browsers.screenshot(d, "widget-digital-id");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    dc.click();
    return id;
  }

  private static List<Object> dcCalls() {
    @SuppressWarnings("unchecked")
    List<Object> calls = (List<Object>) d.executeScript("return window.__dcCalls || null");
    return calls;
  }

  @Test
  void digitalId_walletAnswers_postedToTheGatewayFromTheSitesOrigin_pageUnlocks() {
    fake.callbacks.clear();
    fake.dcResponses.clear();
    fake.dcOrigins.clear();
    clickDigitalId("dc", "{mode: 'answer', data: {response: 'omZzdGF0dXMA'}}");
    Browsers.await(d, 30).until(x -> !x.findElements(By.id("unlocked")).isEmpty());
    assertThat(fake.dcResponses).containsExactly("{\"protocol\":\"org-iso-mdoc\",\"data\":{\"response\":\"omZzdGF0dXMA\"}}");
    assertThat(fake.dcOrigins).containsExactly(fake.siteUrl());
    assertThat(fake.callbacks).hasSize(1);
    assertThat(fake.callbacks.get(0)).startsWith("token=aaa.bbb.ccc&return=");
  }

  @Test
  void digitalId_cancelled_saysSoInWords_qrAndButtonStay_onlyAllowedRequestsSent() {
    fake.dcResponses.clear();
    clickDigitalId("dc", "{mode: 'cancel'}");
    awaitState("dcCancel");
    assertThat(status()).isEqualTo("No digital ID was shared. You can try again, or scan the code with your wallet.");
    assertThat(shadow().findElement(By.cssSelector(".qr")).isDisplayed()).as("the QR code stays").isTrue();
    assertThat(drawnQr()).isEqualTo(fake.walletLink("dc"));
    assertThat(part("digital").isEnabled()).isTrue();
    assertThat(focusedPart()).isEqualTo("digital");
    // exactly the gateway's request the browser allows; the unknown protocol and the one the
    // browser does not allow are dropped; a person's click (mediation required), abortable
    assertThat(dcCalls()).containsExactly("{\"digital\":{\"requests\":[{\"protocol\":\"org-iso-mdoc\",\"data\":"
        + "{\"deviceRequest\":\"omd2ZXJzaW9u\",\"encryptionInfo\":\"gmVkY2FwaQ\"}}]},\"mediation\":\"required\",\"signal\":true}");
    assertThat(fake.dcResponses).as("nothing posted: the check still waits for the QR code").isEmpty();
    d.executeScript("document.documentElement.lang = 'fr'");
    Browsers.await(d, 10).until(x -> part("digital").getText().equals("Utiliser une identité numérique de cet appareil"));
    assertThat(status()).startsWith("Aucune identité numérique n’a été partagée.");
  }

  @Test
  void digitalId_noMatchingCredential_saysSoInWords_qrStays() {
    clickDigitalId("dc", "{mode: 'none'}");
    awaitState("dcNone");
    assertThat(status()).isEqualTo("This device has no digital ID that can show your age. Scan the code with a wallet instead.");
    assertThat(shadow().findElement(By.cssSelector(".qr")).isDisplayed()).isTrue();
    assertThat(state()).isEqualTo("dcNone");
  }

  @Test
  void digitalId_tooYoung_saysSoInWords_offersTryAgain() {
    clickDigitalId("dc_young", "{mode: 'answer', data: {response: 'b2xk'}}");
    awaitState("too_young");
    assertThat(status()).isEqualTo("Your digital ID does not show the required age.");
    // the check's status (rejected, too_young) follows the refused post: the check is over
    Browsers.await(d, 30).until(x -> part("retry").isDisplayed() && "Try again".equals(part("retry").getText()));
    assertThat(status()).isEqualTo("Your digital ID does not show the required age.");
    assertThat(part("digital").isDisplayed()).as("a rejected check is over").isFalse();
  }

  @Test
  void digitalId_untrustedIssuer_verifiersCodeSaidAsNotAccepted() {
    clickDigitalId("dc_untrusted", "{mode: 'answer', data: {response: 'b2xk'}}");
    awaitState("mdoc_invalid");
    Browsers.await(d, 30).until(x -> part("retry").isDisplayed() && "Try again".equals(part("retry").getText()));
    assertThat(state()).as("issuer_untrusted from the check's status").isEqualTo("mdoc_invalid");
    assertThat(status()).startsWith("Your digital ID was not accepted: it may have expired, or come from an issuer");
  }

  @Test
  void digitalId_apiAbsent_noButton_qrAsToday() {
    String id = Browsers.digitalCredentials(d, "{mode: 'absent'}");
    try {
      assertThat(open("dc", "")).isEqualTo("pending");
    } finally {
      Browsers.removeDigitalCredentials(d, id);
    }
    assertThat(part("digital").isDisplayed()).isFalse();
    assertThat(drawnQr()).isEqualTo(fake.walletLink("dc"));
  }
}
