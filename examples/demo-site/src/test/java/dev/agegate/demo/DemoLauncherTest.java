package dev.agegate.demo;

import static dev.agegate.demo.Journey.gate;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.agegate.gateway.demo.DemoIaca;
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
 * The demo as {@code ./demo} starts it: {@link Demo#start} with the launcher's defaults (only
 * the ports, free ones, and the data folder are set), so the demo shop accepts
 * {@code agegate-zk} and {@code mso_mdoc} and trusts the gateway's demo IACA, which demo mode
 * made at start. In this headless Chromium (156) the Digital Credentials API is there, so the
 * gate shows "Use a digital ID on this device". No wallet runs here: the answers come from the
 * Node test wallet (@auth0/mdl, code no one here wrote) holding a document signer signed by the
 * demo IACA's own key ({@code <data-dir>/demo/iaca-key.pem}), over the QR code's OpenID4VP
 * request, or handed to the page by the stand-in for {@code navigator.credentials.get}
 * ({@code dc-stand-in.js}).
 */
class DemoLauncherTest {
  private static final Path DATA = Path.of("target", "e2e-launcher-data");
  private static DemoStack stack;

  @BeforeAll
  static void startAsTheLauncherDoes() throws Exception {
    System.setProperty("agegate.demo.gateway-port", "0");
    System.setProperty("agegate.demo.site-port", "0");
    System.setProperty("agegate.demo.data-dir", DATA.toString());
    stack = Demo.start();
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

  /** Opens /adult/, waits for the QR code and returns the digital-ID button, checked to come before it. */
  private static WebElement digitalIdButton(ChromeDriver shop) {
    shop.get(stack.siteUrl() + "/adult/");
    Browsers.await(shop, 30).until(d -> "pending".equals(state(shop)));
    WebElement dc = shadow(shop).findElement(By.cssSelector("[data-part=digital]"));
    assertThat(dc.isDisplayed()).as("the button, on the demo shop's gate").isTrue();
    assertThat(dc.getText()).isEqualTo("Use a digital ID on this device");
    assertThat(dc.getRect().getY()).isLessThan(shadow(shop).findElement(By.cssSelector(".qr")).getRect().getY());
    return dc;
  }

  /**
   * No stand-in: this Chromium's own API. With no wallet and no window to show (headless), its
   * {@code navigator.credentials.get} does not settle; the widget says to choose in the
   * browser's window and the QR code stays usable: a phone's wallet scans it and the page opens.
   */
  @Test
  void demoShopGate_thisChromiumsOwnApi_showsTheButton_whileItWaitsTheQrCodeStillOpensThePage() throws Exception {
    MdocWallet phone = new MdocWallet(DemoIaca.certificate(DATA), DemoIaca.privateKey(DATA));
    ChromeDriver shop = Browsers.open(1000, 1100);
    try {
      WebElement dc = digitalIdButton(shop);
      assertThat(shop.executeScript("return typeof DigitalCredential + ' ' + DigitalCredential.userAgentAllowsProtocol('org-iso-mdoc')"))
          .as("Chromium's own Digital Credentials API, no stand-in").isEqualTo("function true");
      Browsers.screenshot(shop, "demo-digital-id");
      dc.click();
      Browsers.await(shop, 30).until(d -> "dcWait".equals(state(shop)));
      assertThat(status(shop)).isEqualTo("Choose your digital ID in the window your browser opened.");
      assertThat(shadow(shop).findElement(By.cssSelector(".qr")).isDisplayed()).isTrue();
      shop.executeScript("document.querySelector('age-gate').shadowRoot.querySelector('.qr').scrollIntoView({block: 'center'})");
      String link = Browsers.readQr(shop);
      assertThat(phone.answerRequest(link, Map.of("age_over_18", true))).isEqualTo(200);
      Browsers.await(shop, 60).until(d -> !d.findElements(By.id("unlocked")).isEmpty());
      assertThat(shop.getCurrentUrl()).isEqualTo(stack.siteUrl() + "/adult/");
      assertThat(SignedJWT.parse(shop.manage().getCookieNamed("agegate").getValue()).getJWTClaimsSet().getStringClaim("method"))
          .isEqualTo("mso_mdoc");
    } finally {
      shop.quit();
    }
  }

  /** What a browser with a wallet window does when the person closes it (or no digital ID matches): words, and the QR code stays. */
  @Test
  void demoShopGate_digitalIdCancelled_noDigitalIdInWords_qrCodeStays() throws Exception {
    ChromeDriver shop = Browsers.open(1000, 1100);
    try {
      Browsers.digitalCredentials(shop, "{mode: 'cancel'}");
      digitalIdButton(shop).click();
      Browsers.await(shop, 30).until(d -> "dcCancel".equals(state(shop)));
      assertThat(status(shop)).isEqualTo("No digital ID was shared. You can try again, or scan the code with your wallet.");
      assertThat(shadow(shop).findElement(By.cssSelector(".qr")).isDisplayed()).isTrue();
      assertThat(shadow(shop).findElement(By.cssSelector("[data-part=digital]")).isEnabled()).as("another try").isTrue();
    } finally {
      shop.quit();
    }
  }

  @Test
  void demoShopGate_walletAnswersWithAnMdocUnderTheDemoIaca_adultPageUnlocks_tokenSaysMsoMdoc() throws Exception {
    MdocWallet holder = new MdocWallet(DemoIaca.certificate(DATA), DemoIaca.privateKey(DATA));
    ChromeDriver shop = Browsers.open(1000, 1100);
    try {
      Browsers.digitalCredentials(shop, "{mode: 'handoff'}");
      digitalIdButton(shop).click();
      Map<String, Object> data = holder.annexC(request(shop), stack.siteUrl(), Map.of("age_over_18", true));
      shop.executeScript("window.__dcResolve(arguments[0])", data);
      Browsers.await(shop, 60).until(d -> !d.findElements(By.id("unlocked")).isEmpty());
      assertThat(shop.getCurrentUrl()).isEqualTo(stack.siteUrl() + "/adult/");
      Cookie cookie = shop.manage().getCookieNamed("agegate");
      assertThat(cookie).as("the filter's age cookie").isNotNull();
      JWTClaimsSet token = SignedJWT.parse(cookie.getValue()).getJWTClaimsSet();
      assertThat(token.getStringClaim("method")).isEqualTo("mso_mdoc");
      assertThat(token.getLongClaim("age_over")).isEqualTo(18);
    } finally {
      shop.quit();
    }
  }

  @Test
  void demoShopGate_mdocUnderAnotherIaca_refusedInWords_pageStaysLocked() throws Exception {
    MdocWallet stranger = new MdocWallet(); // a test IACA of its own, which the demo does not trust
    ChromeDriver shop = Browsers.open(1000, 1100);
    try {
      Browsers.digitalCredentials(shop, "{mode: 'handoff'}");
      digitalIdButton(shop).click();
      Map<String, Object> data = stranger.annexC(request(shop), stack.siteUrl(), Map.of("age_over_18", true));
      shop.executeScript("window.__dcResolve(arguments[0])", data);
      Browsers.await(shop, 60).until(d -> shadow(shop).findElement(By.cssSelector("[data-part=retry]")).isDisplayed());
      assertThat(status(shop)).isEqualTo("Your digital ID was not accepted: it may have expired, or come from an issuer this site does not accept.");
      assertThat(shop.findElements(By.id("unlocked"))).isEmpty();
      assertThat(shop.manage().getCookieNamed("agegate")).isNull();
    } finally {
      shop.quit();
    }
  }

  /** The one org-iso-mdoc request the widget handed navigator.credentials.get (the stand-in recorded it). */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> request(ChromeDriver shop) throws Exception {
    Browsers.await(shop, 30).until(d -> !((List<Object>) shop.executeScript("return window.__dcCalls || []")).isEmpty());
    Map<String, Object> arg = JSONObjectUtils.parse((String) ((List<Object>) shop.executeScript("return window.__dcCalls")).get(0));
    List<Object> requests = (List<Object>) ((Map<String, Object>) arg.get("digital")).get("requests");
    assertThat(requests).hasSize(1);
    Map<String, Object> r = (Map<String, Object>) requests.get(0);
    assertThat(r.get("protocol")).isEqualTo("org-iso-mdoc");
    return r;
  }
}
