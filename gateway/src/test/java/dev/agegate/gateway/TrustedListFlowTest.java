package dev.agegate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.crypto.ECDHEncrypter;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.agegate.gateway.config.Settings;
import dev.agegate.gateway.family.mdoc.NodeWallet;
import dev.agegate.gateway.family.mdoc.TestPki;
import dev.agegate.gateway.family.mdoc.TestTsl;
import dev.agegate.gateway.family.mdoc.TrustedList;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import jakarta.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * IACAs that come only from a signed ETSI TS 119 612 trusted list (no {@code iaca-dir}), over
 * real HTTP: a DeviceResponse from the independent wallet ({@code @auth0/mdl}) under list IACA A
 * (assurance 3 by its SHA-256) verifies and its token says {@code assurance: 3}; one under list
 * IACA B (the list's level, 1) is refused {@code issuer_assurance_too_low} by site {@code shop},
 * which asks {@code min-assurance: 2}; a gateway told to use a tampered list does not start.
 */
@ServerTest
class TrustedListFlowTest {
  static final String AV = "eu.europa.ec.av.1";
  static final String AV_QUERY = "mdoc_eu_europa_ec_av_1";
  static final Instant NOW = Instant.now();
  static TestPki.Issued dsA;
  static TestPki.Issued dsB;
  static Map<String, Object> deviceKey;
  static Gateway gateway;
  private final Api api;

  TrustedListFlowTest(Http1Client client) {
    this.api = new Api(client);
  }

  @SetUpRoute
  static void routing(HttpRouting.Builder routing) throws Exception {
    Instant from = NOW.minus(Duration.ofDays(30));
    TestPki.Issued signer = TestPki.iaca("TL signer", from, NOW.plus(Duration.ofDays(365)));
    TestPki.Issued iacaA = TestPki.iaca("TL IACA A", from, NOW.plus(Duration.ofDays(3650)));
    TestPki.Issued iacaB = TestPki.iaca("TL IACA B", from, NOW.plus(Duration.ofDays(3650)));
    dsA = TestPki.documentSigner(iacaA, "TL DS A", NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(90)), true);
    dsB = TestPki.documentSigner(iacaB, "TL DS B", NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(90)), true);
    deviceKey = TestPki.jwk(TestPki.ecKeyPair("secp256r1"));
    String list = TestTsl.sign(TestTsl.xml(NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(7)), List.of(
        new TestTsl.Svc("PAA A", TestTsl.PAA, TrustedList.DEFAULT_SERVICE_STATUSES.get(2), List.of(iacaA.cert())),
        new TestTsl.Svc("PID B", TestTsl.PID, TestTsl.GRANTED, List.of(iacaB.cert())))), signer);
    Path dataDir = TestGateways.freshDataDir();
    Path tl = dataDir.resolveSibling(dataDir.getFileName() + "-tl");
    Files.createDirectories(tl);
    Files.writeString(tl.resolve("tl.xml"), list);
    Files.writeString(tl.resolve("tampered.xml"), list.replace(TestTsl.b64(iacaB.cert()), TestTsl.b64(dsB.cert())));
    Files.writeString(tl.resolve("signer.pem"), signer.pem());
    String shaA = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(iacaA.cert().getEncoded()));
    gateway = Gateway.create(Settings.from(TestGateways.config(yaml(dataDir, tl.resolve("tl.xml"), tl, shaA))),
        Clock.systemUTC(), v -> v);
    Main.routing(routing, gateway);
  }

  static String yaml(Path dataDir, Path list, Path tl, String shaA) {
    String mdoc = "  mdoc:\n    assurance:\n      - iaca: " + shaA + "\n        level: 3\n"
        + "    trusted-list:\n      file: " + list.toAbsolutePath() + "\n      signer: "
        + tl.resolve("signer.pem").toAbsolutePath() + "\n      assurance: 1\n";
    String yaml = TestGateways.yaml(dataDir, mdoc);
    String site = yaml.replaceFirst("      pseudonym: true\n",
        "      pseudonym: true\n      families: [agegate-zk, mso_mdoc]\n      min-assurance: 2\n");
    if (site.equals(yaml)) {
      throw new IllegalStateException("TestGateways.yaml has no 'pseudonym: true' line for shop");
    }
    return site;
  }

  @AfterAll
  static void close() {
    gateway.close();
  }

  @Test
  void iacaOnlyInTheList_verifiesEndToEnd_tokenCarriesTheIacasAssurance() throws Exception {
    Api.Started s = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    Api.Resp posted = post(s, wallet(s, dsA));
    assertThat(posted.status()).as(posted.body()).isEqualTo(200);
    assertThat(posted.json().getString("status")).isEqualTo("verified");
    Api.Resp token = api.redeem(s.tx(), Api.VERIFIER);
    assertThat(token.status()).as(token.body()).isEqualTo(200);
    SignedJWT jwt = SignedJWT.parse(token.json().getString("token"));
    assertThat(jwt.verify(new ECDSAVerifier(api.jwk(jwt.getHeader().getKeyID())))).isTrue();
    JWTClaimsSet t = jwt.getJWTClaimsSet();
    assertThat(t.getStringClaim("method")).isEqualTo("mso_mdoc");
    assertThat(t.getLongClaim("assurance")).as("the IACA's level, not the site's minimum").isEqualTo(3);
  }

  @Test
  void iacaBelowTheSitesMinimumAssurance_refused() throws Exception {
    Api.Started s = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    Api.Resp posted = post(s, wallet(s, dsB));
    assertThat(posted.status()).as(posted.body()).isEqualTo(422);
    assertThat(posted.reason()).isEqualTo("mdoc_invalid");
    assertThat(posted.json().getString("detail")).contains("issuer_assurance_too_low");
    JsonObject check = api.get("/v1/checks/" + s.tx()).json();
    assertThat(check.getString("status")).isEqualTo("rejected");
    assertThat(check.getString("reason")).isEqualTo("issuer_assurance_too_low");
  }

  @Test
  void tamperedList_gatewayDoesNotStart() {
    Path dataDir = TestGateways.freshDataDir();
    Path tl = gateway.settings().mdoc().orElseThrow().trustedList().file().getParent();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Gateway.create(Settings.from(TestGateways.config(
            yaml(dataDir, tl.resolve("tampered.xml"), tl, "00".repeat(32)))), Clock.systemUTC(), v -> v))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("changed after signing");
  }

  /** What the independent wallet answers to {@code s}'s request object, issued by {@code ds}. */
  private static String wallet(Api.Started s, TestPki.Issued ds) throws Exception {
    JsonObject c = s.claims();
    Map<String, Object> transcript = new LinkedHashMap<>();
    transcript.put("kind", "openid4vp");
    transcript.put("clientId", c.getString("client_id"));
    transcript.put("nonce", c.getString("nonce"));
    transcript.put("jwkThumbprint", MdocFlowTest.thumbprintHex(s));
    transcript.put("responseUri", c.getString("response_uri"));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", "case");
    m.put("docType", AV);
    m.put("issuerKey", ds.jwk());
    m.put("issuerChain", List.of(ds.pem()));
    m.put("deviceKey", deviceKey);
    m.put("signed", NOW.minus(Duration.ofHours(1)).toString());
    m.put("validFrom", NOW.minus(Duration.ofHours(1)).toString());
    m.put("validUntil", NOW.plus(Duration.ofDays(30)).toString());
    m.put("elements", Map.of("age_over_18", true));
    m.put("transcript", transcript);
    byte[] response = NodeWallet.build(List.of(m)).get("case");
    return "{\"" + AV_QUERY + "\":[\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(response) + "\"]}";
  }

  private Api.Resp post(Api.Started s, String vpToken) throws Exception {
    ECKey k = MdocFlowTest.encKey(s);
    String jwe = MdocFlowTest.jwe(new JWEHeader.Builder(JWEAlgorithm.ECDH_ES, EncryptionMethod.A128GCM)
        .keyID(k.getKeyID()), new ECDHEncrypter(k), vpToken, s.state());
    return api.postForm("/v1/responses/" + s.requestId(), Map.of("response", jwe));
  }
}
