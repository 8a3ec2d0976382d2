package dev.agegate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.crypto.ECDHEncrypter;
import com.nimbusds.jose.jwk.ECKey;
import com.upokecenter.cbor.CBORObject;
import dev.agegate.gateway.family.mdoc.AnnexC;
import dev.agegate.gateway.family.mdoc.NodeWallet;
import dev.agegate.gateway.family.mdoc.TestPki;
import dev.agegate.gateway.tokens.Pseudonyms;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.hpke.HPKE;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * An attacker's review of {@code POST /v1/checks/{tx}/dc-response} (ISO 18013-7 Annex C) and of
 * {@code direct_post.jwt} / {@code request_uri_method=post}, over real HTTP on a real gateway,
 * with answers from the independent test wallet or sealed here byte by byte: Origin variants,
 * a DeviceResponse signed over the other flow's transcript, both flows on one check, a sealed
 * junk DeviceResponse, JWE headers nimbus cannot build, and the request POST's form.
 */
@ServerTest
class DcApiAttackTest {
  static final String AV = "eu.europa.ec.av.1";
  static final String AV_QUERY = "mdoc_eu_europa_ec_av_1";
  static final Instant NOW = Instant.now();
  static TestPki.Issued ds;
  static Map<String, Object> deviceKey;
  static Gateway gateway;
  private final Api api;

  DcApiAttackTest(Http1Client client) {
    this.api = new Api(client);
  }

  @SetUpRoute
  static void routing(HttpRouting.Builder routing) throws Exception {
    MdocGateway m = MdocGateway.create("DC API attack", NOW);
    ds = m.ds();
    deviceKey = m.deviceKey();
    gateway = m.gateway();
    Main.routing(routing, gateway);
  }

  @AfterAll
  static void close() {
    gateway.close();
  }

  private static JsonObject data(Api.Started s) {
    return s.created().getJsonObject("digital").getJsonArray("requests").getJsonObject(0).getJsonObject("data");
  }

  private static Map<String, Object> mdocCase(Map<String, Object> transcript, Map<String, Object> elements) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", "case");
    m.put("docType", AV);
    m.put("issuerKey", ds.jwk());
    m.put("issuerChain", List.of(ds.pem()));
    m.put("deviceKey", deviceKey);
    m.put("signed", NOW.minus(Duration.ofHours(1)).toString());
    m.put("validFrom", NOW.minus(Duration.ofHours(1)).toString());
    m.put("validUntil", NOW.plus(Duration.ofDays(30)).toString());
    m.put("elements", elements);
    m.put("transcript", transcript);
    return m;
  }

  /** The independent wallet's Annex C answer to {@code s}, sealed to its EncryptionInfo over {@code origin}. */
  private static String annexC(Api.Started s, String origin) throws Exception {
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("kind", "annexc");
    t.put("origin", origin);
    t.put("deviceRequest", data(s).getString("deviceRequest"));
    t.put("encryptionInfo", data(s).getString("encryptionInfo"));
    return NodeWallet.annexC(List.of(mdocCase(t, Map.of("age_over_18", true)))).get("case");
  }

  /** The independent wallet's DeviceResponse for {@code s}'s request object (OpenID4VP handover with the JWK thumbprint). */
  private static byte[] openId4VpDeviceResponse(Api.Started s) throws Exception {
    JsonObject c = s.claims();
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("kind", "openid4vp");
    t.put("clientId", c.getString("client_id"));
    t.put("nonce", c.getString("nonce"));
    t.put("jwkThumbprint", HexFormat.of().formatHex(encKey(s).computeThumbprint("SHA-256").decode()));
    t.put("responseUri", c.getString("response_uri"));
    return NodeWallet.build(List.of(mdocCase(t, Map.of("age_over_18", true)))).get("case");
  }

  static ECKey encKey(Api.Started s) throws Exception {
    return ECKey.parse(s.claims().getJsonObject("client_metadata").getJsonObject("jwks").getJsonArray("keys")
        .getJsonObject(0).toString());
  }

  /** HPKE-seals {@code plaintext} here (BouncyCastle) to {@code s}'s EncryptionInfo key over the Annex C transcript of {@code origin}. */
  private static String sealHere(Api.Started s, String origin, byte[] plaintext) throws Exception {
    String ei = data(s).getString("encryptionInfo");
    CBORObject key = CBORObject.DecodeFromBytes(Base64.getUrlDecoder().decode(ei)).get(1).get("recipientPublicKey");
    X9ECParameters p256 = CustomNamedCurves.getByName("P-256");
    ECPublicKeyParameters pk = new ECPublicKeyParameters(p256.getCurve().createPoint(
        new BigInteger(1, key.get(-2).GetByteString()), new BigInteger(1, key.get(-3).GetByteString())),
        new ECDomainParameters(p256));
    HPKE hpke = new HPKE(HPKE.mode_base, HPKE.kem_P256_SHA256, HPKE.kdf_HKDF_SHA256, HPKE.aead_AES_GCM128);
    byte[][] ctEnc = hpke.seal(pk, AnnexC.sessionTranscript(ei, origin), new byte[0], plaintext, null, null, null);
    byte[] env = CBORObject.NewArray().Add("dcapi")
        .Add(CBORObject.NewOrderedMap().Add("enc", ctEnc[1]).Add("cipherText", ctEnc[0])).EncodeToBytes();
    return Base64.getUrlEncoder().withoutPadding().encodeToString(env);
  }

  private Api.Resp dcPost(String tx, String response, String origin) {
    return api.postJson("/v1/checks/" + tx + "/dc-response", Json.createObjectBuilder().add("protocol", "org-iso-mdoc")
        .add("data", Json.createObjectBuilder().add("response", response)).build().toString(), origin);
  }

  private Api.Resp jwePost(Api.Started s, String jwe) {
    return api.postForm("/v1/responses/" + s.requestId(), Map.of("response", jwe));
  }

  private static String jwe(Api.Started s, String vpToken) throws Exception {
    return MdocFlowTest.jwe(new JWEHeader.Builder(JWEAlgorithm.ECDH_ES, EncryptionMethod.A128GCM).keyID(encKey(s).getKeyID()),
        new ECDHEncrypter(encKey(s)), vpToken, s.state());
  }

  private static String vpToken(byte[] deviceResponse) {
    return "{\"" + AV_QUERY + "\":[\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(deviceResponse) + "\"]}";
  }

  private String status(Api.Started s) {
    return api.get("/v1/checks/" + s.tx()).json().getString("status");
  }

  private String reason(Api.Started s) {
    return api.get("/v1/checks/" + s.tx()).json().getString("reason");
  }

  @Test
  void dcResponse_originVariants_403_checkUntouched_thenTheRealOriginVerifies() throws Exception {
    Api.Started s = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    String sealed = annexC(s, TestGateways.SHOP_ORIGIN);
    for (String o : List.of("null", "http://localhost:8080/", "HTTP://LOCALHOST:8080", "http://localhost",
        "http://localhost:80", "http://127.0.0.1:8080", "https://localhost:8080", "http://localhost:8080.evil.example",
        "http://localhost:8080/shop", TestGateways.OTHER_ORIGIN, "http://evil.example, " + TestGateways.SHOP_ORIGIN)) {
      Api.Resp r = dcPost(s.tx(), sealed, o);
      assertThat(r.status()).as(o + ": " + r.body()).isEqualTo(403);
      assertThat(r.reason()).isEqualTo("origin_not_allowed");
    }
    assertThat(status(s)).isIn("pending", "scanned");
    Api.Resp ok = dcPost(s.tx(), sealed, TestGateways.SHOP_ORIGIN);
    assertThat(ok.status()).as(ok.body()).isEqualTo(200);
  }

  @Test
  void openId4VpSignedDeviceResponse_sealedOverAnnexC_deviceSignatureInvalid() throws Exception {
    // A wallet's answer to this very check's QR request object, re-sealed for the DC API path.
    Api.Started s = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    Api.Resp r = dcPost(s.tx(), sealHere(s, TestGateways.SHOP_ORIGIN, openId4VpDeviceResponse(s)), TestGateways.SHOP_ORIGIN);
    assertThat(r.status()).as(r.body()).isEqualTo(422);
    assertThat(reason(s)).isEqualTo("device_signature_invalid");
  }

  @Test
  void annexCSignedDeviceResponse_inAJweToTheSameCheck_deviceSignatureInvalid() throws Exception {
    // An Annex C answer opened with the check's own key (as a node would), then sent as the QR flow's vp_token.
    Api.Started s = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    String ei = data(s).getString("encryptionInfo");
    Pseudonyms secret = Pseudonyms.open(gateway.settings().dataDir());
    AsymmetricCipherKeyPair k = AnnexC.deriveKeyPair(secret.derive("dcapi/org-iso-mdoc/reader-key", 32, s.tx(),
        s.claims().getString("nonce")));
    byte[] dr = AnnexC.open(Base64.getUrlDecoder().decode(annexC(s, TestGateways.SHOP_ORIGIN)), k,
        AnnexC.sessionTranscript(ei, TestGateways.SHOP_ORIGIN));
    Api.Resp r = jwePost(s, jwe(s, vpToken(dr)));
    assertThat(r.status()).as(r.body()).isEqualTo(422);
    assertThat(reason(s)).isEqualTo("device_signature_invalid");
  }

  @Test
  void bothFlowsOnOneCheck_oneVerdict_theOtherIs409() throws Exception {
    Api.Started a = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    String sealedA = annexC(a, TestGateways.SHOP_ORIGIN);
    String jweA = jwe(a, vpToken(openId4VpDeviceResponse(a)));
    assertThat(dcPost(a.tx(), sealedA, TestGateways.SHOP_ORIGIN).status()).isEqualTo(200);
    Api.Resp second = jwePost(a, jweA);
    assertThat(second.status()).as(second.body()).isEqualTo(409);
    assertThat(second.reason()).isEqualTo("nonce_replayed");

    Api.Started b = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    String sealedB = annexC(b, TestGateways.SHOP_ORIGIN);
    Api.Resp first = jwePost(b, jwe(b, vpToken(openId4VpDeviceResponse(b))));
    assertThat(first.status()).as(first.body()).isEqualTo(200);
    Api.Resp dc = dcPost(b.tx(), sealedB, TestGateways.SHOP_ORIGIN);
    assertThat(dc.status()).as(dc.body()).isEqualTo(409);
    assertThat(dc.reason()).isEqualTo("nonce_replayed");
    // junk after the verdict: refused before the claim, the verdict and the token stand
    Api.Resp junk = dcPost(b.tx(), sealedA, TestGateways.SHOP_ORIGIN);
    assertThat(junk.status()).as(junk.body()).isEqualTo(400);
    assertThat(status(b)).isEqualTo("verified");
    assertThat(api.redeem(b.tx(), Api.VERIFIER).status()).isEqualTo(200);
  }

  /**
   * Residual, by design of HPKE base mode (unauthenticated sender): whoever holds the check's
   * {@code digital} (the page and any script on it) can seal a junk DeviceResponse to the check's
   * key over the right transcript, and that ends the check ({@code malformed}), as a junk
   * vp_token from a QR holder does. docs/security.md's "junk posted by a script that knows the
   * transaction id does not end it" holds only for a script without the EncryptionInfo.
   */
  @Test
  void junkDeviceResponse_sealedToTheCheckKey_endsTheCheck() throws Exception {
    Api.Started s = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    Api.Resp r = dcPost(s.tx(), sealHere(s, TestGateways.SHOP_ORIGIN, "junk".getBytes(StandardCharsets.UTF_8)),
        TestGateways.SHOP_ORIGIN);
    assertThat(r.status()).as(r.body()).isEqualTo(422);
    assertThat(status(s)).isEqualTo("rejected");
    assertThat(reason(s)).isEqualTo("malformed");
    assertThat(r.body()).doesNotContain("junk");
  }

  /**
   * Residual (docs/security.md overstates it): "a garbage JWE from someone who knows the
   * response_uri cannot end a person's check" — but the response_uri's id is the request_uri's
   * id, so that someone fetches the request object (state and the check's public key) and ends
   * the check with a well-formed JWE around a junk DeviceResponse, or with a plaintext junk
   * vp_token. Passes today: documents what the refusal-leaves-it-open rule does not cover.
   */
  @Test
  void responseUriHolder_fetchesTheRequestObject_andEndsTheCheck() throws Exception {
    Api.Started victim = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    String responseUri = victim.claims().getString("response_uri");
    String id = responseUri.substring(responseUri.lastIndexOf('/') + 1);
    Api.Resp ro = api.get("/v1/requests/" + id);
    assertThat(ro.status()).isEqualTo(200);
    Api.Started seen = new Api.Started(victim.tx(), id, victim.created(), com.nimbusds.jwt.SignedJWT.parse(ro.body()));
    Api.Resp r = jwePost(seen, jwe(seen, vpToken(new byte[] {(byte) 0xa0})));
    assertThat(r.status()).as(r.body()).isEqualTo(422);
    assertThat(status(victim)).isEqualTo("rejected");
  }

  /**
   * Was a hole (low, fixed): a JWE header nimbus cannot build (alg "none", enc missing, an epk with "d")
   * throws IllegalArgumentException / NullPointerException out of ResponseEncryption.decrypt,
   * which only catches ParseException: 500 internal_error and a WARNING with a stack trace per
   * request instead of 400 response_encryption_invalid. The check is untouched.
   */
  @Test
  void encryptedResponse_headerNimbusCannotBuild_400Not500() throws Exception {
    Api.Started s = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    String[] p = jwe(s, vpToken(new byte[] {(byte) 0xa0})).split("\\.", -1);
    String kid = encKey(s).getKeyID();
    for (String h : List.of("{\"alg\":\"none\",\"enc\":\"A128GCM\",\"kid\":\"" + kid + "\"}",
        "{\"alg\":\"ECDH-ES\",\"kid\":\"" + kid + "\"}")) {
      p[0] = Base64.getUrlEncoder().withoutPadding().encodeToString(h.getBytes(StandardCharsets.UTF_8));
      Api.Resp r = jwePost(s, String.join(".", p));
      assertThat(r.status()).as(h + ": " + r.body()).isEqualTo(400);
      assertThat(r.reason()).isEqualTo("response_encryption_invalid");
    }
    assertThat(status(s)).isIn("pending", "scanned");
  }

  /**
   * request_uri_method=post: a form parameter other than wallet_nonce / wallet_metadata is
   * ignored (RFC 6749 §3.1), and nothing of it reaches the signed request object: the nonce
   * there is still the check's.
   */
  @Test
  void requestUriPost_unknownField_ignoredAndNeverSigned() throws Exception {
    Api.Started s = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    Api.Resp r = api.postForm("/v1/requests/" + s.requestId(), Map.of("wallet_nonce", "abc", "nonce", "attacker"));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    com.nimbusds.jwt.JWTClaimsSet claims = com.nimbusds.jwt.SignedJWT.parse(r.body()).getJWTClaimsSet();
    assertThat(claims.getStringClaim("nonce")).isEqualTo(s.claims().getString("nonce"));
    assertThat(claims.getStringClaim("wallet_nonce")).isEqualTo("abc");
    assertThat(claims.toString()).doesNotContain("attacker");
  }

  @Test
  void requestUriPost_walletNonceAndMetadata_cannotInjectOrCrash() throws Exception {
    Api.Started s = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    for (Map<String, String> f : List.of(Map.of("wallet_nonce", "a\",\"nonce\":\"x"), Map.of("wallet_nonce", "a\nb"),
        Map.of("wallet_nonce", "a%00b"), Map.of("wallet_nonce", "ａ"), Map.of("wallet_metadata", "[".repeat(15_000)),
        Map.of("wallet_metadata", "{\"a\":" + "[".repeat(7_000) + "]".repeat(7_000) + "}"),
        Map.of("wallet_metadata", "{\"a\":1e99999999999}"), Map.of("wallet_metadata", "{\"a\":\"\\ud800\"}x"))) {
      Api.Resp r = api.postForm("/v1/requests/" + s.requestId(), f);
      assertThat(r.status()).as(f.keySet() + ": " + r.body()).isIn(200, 400, 413);
      if (r.status() == 200) {
        assertThat(com.nimbusds.jwt.SignedJWT.parse(r.body()).getJWTClaimsSet().getStringClaim("nonce"))
            .isEqualTo(s.claims().getString("nonce"));
      }
    }
  }
}
