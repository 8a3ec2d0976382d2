package dev.agegate.demo;

import static dev.agegate.demo.Journey.gate;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDHEncrypter;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
  private static final String AV_QUERY = "mdoc_eu_europa_ec_av_1";
  private static DemoStack stack;
  private static MdocWallet holder;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void startStack() throws Exception {
    holder = new MdocWallet();
    Path data = Path.of("target", "e2e-mdoc-data");
    System.setProperty("agegate.mdoc.iaca-dir", holder.writeIaca(data.resolve("iaca")).toAbsolutePath().toString());
    stack = DemoStack.start("localhost", 0, 0, data, "      families: [agegate-zk, mso_mdoc]\n");
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
    String query = URI.create(link).getRawQuery();
    String requestUri = null;
    for (String kv : query.split("&")) {
      if (kv.startsWith("request_uri=")) {
        requestUri = URLDecoder.decode(kv.substring("request_uri=".length()), StandardCharsets.UTF_8);
      }
    }
    assertThat(requestUri).as(link).startsWith(stack.gatewayUrl() + "/v1/requests/");
    HttpResponse<String> ro = http.send(HttpRequest.newBuilder(URI.create(requestUri)).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(ro.statusCode()).as(ro.body()).isEqualTo(200);
    JWTClaimsSet c = SignedJWT.parse(ro.body()).getJWTClaimsSet();
    // direct_post.jwt: the DeviceResponse over the handover with the offered key's thumbprint, in a JWE to that key
    assertThat(c.getStringClaim("response_mode")).isEqualTo("direct_post.jwt");
    @SuppressWarnings("unchecked")
    Map<String, Object> jwks = (Map<String, Object>) c.getJSONObjectClaim("client_metadata").get("jwks");
    ECKey key = ECKey.parse((Map<String, Object>) ((java.util.List<?>) jwks.get("keys")).get(0));
    String vp = holder.openid4vp(c.getStringClaim("client_id"), c.getStringClaim("nonce"),
        java.util.HexFormat.of().formatHex(key.computeThumbprint("SHA-256").decode()), c.getStringClaim("response_uri"), elements);
    JWEObject jwe = new JWEObject(new JWEHeader.Builder(JWEAlgorithm.ECDH_ES, EncryptionMethod.A128GCM).keyID(key.getKeyID()).build(),
        new Payload(Map.of("vp_token", Map.of(AV_QUERY, java.util.List.of(vp)), "state", c.getStringClaim("state"))));
    jwe.encrypt(new ECDHEncrypter(key));
    String form = "response=" + URLEncoder.encode(jwe.serialize(), StandardCharsets.UTF_8);
    HttpResponse<String> posted = http.send(HttpRequest.newBuilder(URI.create(c.getStringClaim("response_uri")))
        .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
        HttpResponse.BodyHandlers.ofString());
    return posted.statusCode();
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
