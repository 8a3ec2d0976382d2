package dev.agegate.demo;

import static dev.agegate.demo.Journey.gate;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.SignedJWT;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.SearchContext;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * "Use a digital ID on this device" through the whole stack in headless Chromium: the real
 * gateway (its demo shop accepting {@code mso_mdoc} with a test IACA), the real demo shop behind
 * the real filter, and the widget calling the Digital Credentials API. No wallet can run in
 * headless Chromium, so {@code navigator.credentials.get} is a stand-in injected before the page
 * loads ({@code dc-stand-in.js}); the answer it hands the page is built by the Node test wallet
 * (@auth0/mdl, sealed with @hpke/core to the gateway's key in {@code encryptionInfo}, for the
 * shop's origin): an implementation no one here wrote. The gateway verifies it for real.
 */
class DigitalIdJourneyTest {
  private static DemoStack stack;
  private static MdocWallet holder;

  @BeforeAll
  static void startStack() throws Exception {
    holder = new MdocWallet();
    Path data = Path.of("target", "e2e-dcapi-data");
    System.setProperty("agegate.mdoc.iaca-dir", holder.writeIaca(data.resolve("iaca")).toAbsolutePath().toString());
    stack = DemoStack.start("localhost", 0, 0, data); // the launcher's demo shop: agegate-zk and mso_mdoc
  }

  @AfterAll
  static void stopSite() throws Exception {
    if (stack != null) {
      stack.stopSite();
    }
  }

  private static SearchContext shadow(ChromeDriver d) {
    return gate(d).getShadowRoot();
  }

  private static String state(ChromeDriver d) {
    return gate(d).getAttribute("state");
  }

  private static String status(ChromeDriver d) {
    return shadow(d).findElement(By.cssSelector("[role=status]")).getText();
  }

  /** Opens /adult/ with the stand-in in {@code mode}, waits for the QR code and clicks the digital-ID button. */
  private static void clickDigitalId(ChromeDriver shop, String mode) {
    clickDigitalId(shop, mode, "['org-iso-mdoc']");
  }

  /** The same, the browser allowing the protocols of the JavaScript array {@code allow}. */
  private static void clickDigitalId(ChromeDriver shop, String mode, String allow) {
    Browsers.digitalCredentials(shop, "{mode: '" + mode + "', allow: " + allow + "}");
    shop.get(stack.siteUrl() + "/adult/");
    Browsers.await(shop, 30).until(d -> "pending".equals(state(shop)));
    WebElement dc = shadow(shop).findElement(By.cssSelector("[data-part=digital]"));
    assertThat(dc.isDisplayed()).as("the button, for a site that accepts mso_mdoc").isTrue();
    assertThat(dc.getText()).isEqualTo("Use a digital ID on this device");
    assertThat(dc.getRect().getY()).isLessThan(shadow(shop).findElement(By.cssSelector(".qr")).getRect().getY());
    dc.click();
  }

  /** The request the widget handed navigator.credentials.get (the stand-in recorded it). */
  private static Map<String, Object> request(ChromeDriver shop) throws Exception {
    return request(shop, "org-iso-mdoc");
  }

  /** The one request, of {@code protocol}, the widget handed navigator.credentials.get. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> request(ChromeDriver shop, String protocol) throws Exception {
    Browsers.await(shop, 30).until(d -> !((List<Object>) shop.executeScript("return window.__dcCalls || []")).isEmpty());
    String call = (String) ((List<Object>) shop.executeScript("return window.__dcCalls")).get(0);
    Map<String, Object> arg = JSONObjectUtils.parse(call);
    assertThat(arg.get("mediation")).isEqualTo("required");
    List<Object> requests = (List<Object>) ((Map<String, Object>) arg.get("digital")).get("requests");
    assertThat(requests).hasSize(1);
    Map<String, Object> r = (Map<String, Object>) requests.get(0);
    assertThat(r.get("protocol")).isEqualTo(protocol);
    return r;
  }

  @Test
  void digitalIdOnThisDevice_walletAnswers_adultPageUnlocks() throws Exception {
    ChromeDriver shop = Browsers.open(1000, 1100);
    try {
      clickDigitalId(shop, "handoff");
      Map<String, Object> data = holder.annexC(request(shop), stack.siteUrl(), Map.of("age_over_18", true));
      Browsers.screenshot(shop, "gate-digital-id");
      shop.executeScript("window.__dcResolve(arguments[0])", data);
      Browsers.await(shop, 60).until(d -> !d.findElements(By.id("unlocked")).isEmpty());
      assertThat(shop.getCurrentUrl()).isEqualTo(stack.siteUrl() + "/adult/");
      Cookie cookie = shop.manage().getCookieNamed("agegate");
      assertThat(cookie).as("the filter's age cookie").isNotNull();
      assertThat(SignedJWT.parse(cookie.getValue()).getJWTClaimsSet().getStringClaim("method")).isEqualTo("mso_mdoc");
    } finally {
      shop.quit();
    }
  }

  @Test
  void digitalIdCancelled_wordsAndTheQrCodeStay() throws Exception {
    ChromeDriver shop = Browsers.open(1000, 1100);
    try {
      clickDigitalId(shop, "cancel");
      Browsers.await(shop, 30).until(d -> "dcCancel".equals(state(shop)));
      assertThat(status(shop)).isEqualTo("No digital ID was shared. You can try again, or scan the code with your wallet.");
      assertThat(shadow(shop).findElement(By.cssSelector(".qr")).isDisplayed()).isTrue();
      shop.executeScript("document.querySelector('age-gate').shadowRoot.querySelector('.qr').scrollIntoView({block: 'center'})");
      assertThat(Browsers.readQr(shop)).as("the same check's QR code, still usable").startsWith("openid4vp://?client_id=");
    } finally {
      shop.quit();
    }
  }

  @Test
  void digitalIdOfSomeoneTooYoung_refusedInWords_pageStaysLocked() throws Exception {
    ChromeDriver shop = Browsers.open(1000, 1100);
    try {
      clickDigitalId(shop, "handoff");
      Map<String, Object> data = holder.annexC(request(shop), stack.siteUrl(), Map.of("age_over_18", false));
      shop.executeScript("window.__dcResolve(arguments[0])", data);
      Browsers.await(shop, 60).until(d -> "too_young".equals(state(shop))
          && shadow(shop).findElement(By.cssSelector("[data-part=retry]")).isDisplayed());
      assertThat(status(shop)).isEqualTo("Your digital ID does not show the required age.");
      assertThat(shop.findElements(By.id("unlocked"))).isEmpty();
      assertThat(shop.manage().getCookieNamed("agegate")).isNull();
    } finally {
      shop.quit();
    }
  }

  /**
   * A browser whose wallets speak OpenID4VP only: the widget hands on the gateway's
   * {@code openid4vp-v1-signed} request alone, the Node wallet answers it (jose, @auth0/mdl), the
   * widget posts the DigitalCredential's protocol and data, and the page unlocks with an mdoc token.
   */
  @Test
  void digitalIdOverOpenId4Vp_walletAnswers_adultPageUnlocks() throws Exception {
    ChromeDriver shop = Browsers.open(1000, 1100);
    try {
      clickDigitalId(shop, "handoff", "['openid4vp-v1-signed']");
      Map<String, Object> data = holder.openid4vpDcApi(request(shop, "openid4vp-v1-signed"), stack.siteUrl(),
          Map.of("age_over_18", true));
      assertThat(data.keySet()).containsExactly("response");
      shop.executeScript("window.__dcResolve(arguments[0])", data);
      Browsers.await(shop, 60).until(d -> !d.findElements(By.id("unlocked")).isEmpty());
      Cookie cookie = shop.manage().getCookieNamed("agegate");
      assertThat(cookie).as("the filter's age cookie").isNotNull();
      assertThat(SignedJWT.parse(cookie.getValue()).getJWTClaimsSet().getStringClaim("method")).isEqualTo("mso_mdoc");
    } finally {
      shop.quit();
    }
  }
}
