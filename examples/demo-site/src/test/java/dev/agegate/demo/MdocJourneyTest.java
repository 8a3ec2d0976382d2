package dev.agegate.demo;

import static dev.agegate.demo.Journey.gate;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * An mdoc attestation (the EU age verification app's doctype {@code eu.europa.ec.av.1}) opens
 * the demo shop through the whole stack: the real gateway, its demo shop accepting
 * {@code agegate-zk} and {@code mso_mdoc} with a test IACA, the real shop behind the real
 * filter, the widget in headless Chromium. The wallet is the Node test wallet (@auth0/mdl, an
 * implementation no one here wrote) driven by this test as a phone would be: the QR code read
 * from a screenshot, the request object fetched, the DeviceResponse posted to its response_uri
 * encrypted to the request object's key ({@code direct_post.jwt}).
 */
class MdocJourneyTest {
  private static DemoStack stack;
  private static MdocWallet holder;

  @BeforeAll
  static void startStack() throws Exception {
    holder = new MdocWallet();
    Path data = Path.of("target", "e2e-mdoc-data");
    System.setProperty("agegate.mdoc.iaca-dir", holder.writeIaca(data.resolve("iaca")).toAbsolutePath().toString());
    stack = DemoStack.start("localhost", 0, 0, data); // the launcher's demo shop: agegate-zk and mso_mdoc
  }

  @AfterAll
  static void stopSite() throws Exception {
    if (stack != null) {
      stack.stopSite();
    }
  }

  /** Scans the gate's QR code and answers its request object with an mdoc disclosing {@code elements}. */
  private int scanAndAnswer(ChromeDriver shop, Map<String, Object> elements) throws Exception {
    String link = Journey.openGate(stack, shop, "/adult/");
    assertThat(MdocWallet.requestUri(link)).as(link).startsWith(stack.gatewayUrl() + "/v1/requests/");
    return holder.answerRequest(link, elements);
  }

  @Test
  void mdocFromAnIndependentWallet_overTheQrCode_adultPageUnlocks_tokenSaysMsoMdoc() throws Exception {
    ChromeDriver shop = Browsers.open(1000, 1100);
    try {
      assertThat(scanAndAnswer(shop, Map.of("age_over_18", true))).isEqualTo(200);
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
  void mdocOfSomeoneTooYoung_overTheQrCode_refusedInWords_pageStaysLocked() throws Exception {
    ChromeDriver shop = Browsers.open(1000, 1100);
    try {
      assertThat(scanAndAnswer(shop, Map.of("age_over_18", false))).isEqualTo(422);
      Browsers.await(shop, 60).until(d -> "too_young".equals(gate(d).getAttribute("state")));
      assertThat(gate(shop).getShadowRoot().findElement(By.cssSelector("[role=status]")).getText())
          .isEqualTo("Your digital ID does not show the required age.");
      assertThat(gate(shop).getShadowRoot().findElement(By.cssSelector("[data-part=retry]")).isDisplayed()).isTrue();
      assertThat(shop.findElements(By.id("unlocked"))).isEmpty();
      assertThat(shop.manage().getCookieNamed("agegate")).isNull();
    } finally {
      shop.quit();
    }
  }
}
