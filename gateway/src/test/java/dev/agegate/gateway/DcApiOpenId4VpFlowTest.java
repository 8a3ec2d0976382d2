package dev.agegate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.agegate.gateway.family.mdoc.NodeWallet;
import dev.agegate.gateway.family.mdoc.TestPki;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * OpenID4VP 1.0 over the Digital Credentials API ({@code openid4vp-v1-signed}, Appendix A) over
 * real HTTP on a real gateway: the signed request JWT in a new check's {@code digital}, read by
 * the independent test wallet as a wallet would (jose checks its signature against the gateway's
 * JWKS key and its {@code expected_origins}; {@code @auth0/mdl} builds the DeviceResponse over the
 * OpenID4VPDCAPIHandover transcript it computes itself; jose seals {@code dc_api.jwt}), posted to
 * {@code POST /v1/checks/{tx}/dc-response}: verified, then the token; every refusal with its
 * reason, and whether it spends the check.
 */
@ServerTest
class DcApiOpenId4VpFlowTest {
  static final String AV = "eu.europa.ec.av.1";
  static final String AV_QUERY = "mdoc_eu_europa_ec_av_1";
  static final String MDL_QUERY = "mdoc_org_iso_18013_5_1_mDL";
  static final Instant NOW = Instant.now();
  static TestPki.Issued ds;
  static Map<String, Object> deviceKey;
  static Gateway gateway;
  private final Api api;

  DcApiOpenId4VpFlowTest(Http1Client client) {
    this.api = new Api(client);
  }

  @SetUpRoute
  static void routing(HttpRouting.Builder routing) throws Exception {
    MdocGateway m = MdocGateway.create("OID4VP DC API", NOW);
    ds = m.ds();
    deviceKey = m.deviceKey();
    gateway = m.gateway();
    Main.routing(routing, gateway);
  }

  @AfterAll
  static void close() {
    gateway.close();
  }

  /** A new check of shop (min age 18), its QR request object fetched and verified as well. */
  private Api.Started start() throws Exception {
    return api.start("shop", 18, TestGateways.SHOP_ORIGIN);
  }

  /** The signed request JWT of the {@code openid4vp-v1-signed} entry of a new check's {@code digital}. */
  private static String requestJwt(Api.Started s) {
    JsonArray requests = s.created().getJsonObject("digital").getJsonArray("requests");
    assertThat(requests.stream().map(r -> r.asJsonObject().getString("protocol")).toList())
        .containsExactly("org-iso-mdoc", "openid4vp-v1-signed");
    JsonObject data = requests.getJsonObject(1).getJsonObject("data");
    assertThat(data.keySet()).containsExactly("request");
    return data.getString("request");
  }

  /** The gateway's public signing key for {@code jwt}, as a JWK map (what the wallet checks the signature with). */
  private Map<String, Object> verifyKey(String jwt) throws Exception {
    return api.jwk(SignedJWT.parse(jwt).getHeader().getKeyID()).toPublicJWK().toJSONObject();
  }

  /** The wallet's case answering {@code s}'s DC API request from a page of {@code origin}, with {@code knobs}. */
  private Map<String, Object> walletCase(Api.Started s, String origin, Map<String, Object> elements,
      Map<String, Object> knobs) throws Exception {
    String jwt = requestJwt(s);
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("request", jwt);
    o.put("origin", origin);
    o.put("verifyKey", verifyKey(jwt));
    o.putAll(knobs);
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
    m.put("openid4vp", o);
    return m;
  }

  /** The DigitalCredential's data the wallet returns for {@code s}, as JSON. */
  private String answer(Api.Started s, Map<String, Object> knobs) throws Exception {
    return NodeWallet.dcApi(List.of(walletCase(s, TestGateways.SHOP_ORIGIN, Map.of("age_over_18", true), knobs))).get("case");
  }

  private Api.Resp post(String tx, String dataJson, String origin) {
    return api.postJson("/v1/checks/" + tx + "/dc-response",
        "{\"protocol\":\"openid4vp-v1-signed\",\"data\":" + dataJson + "}", origin);
  }

  private static void assertRefused(Api.Resp r, int status, String reason) {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    assertThat(r.contentType()).startsWith("application/problem+json");
    assertThat(r.reason()).isEqualTo(reason);
  }

  /** The check's status: {@code scanned} while open (the test fetched its QR request object too). */
  private String status(String tx) {
    return api.get("/v1/checks/" + tx).json().getString("status");
  }

  private String checkReason(String tx) {
    return api.get("/v1/checks/" + tx).json().getString("reason");
  }

  private static JsonObject json(String s) {
    return Json.createReader(new StringReader(s)).readObject();
  }

  private static JsonArray jsonArray(String s) {
    return Json.createReader(new StringReader(s)).readArray();
  }

  @Test
  void request_isSignedByTheGatewaysKey_andClaimsAreExactlyAppendixAs() throws Exception {
    Api.Started s = start();
    SignedJWT jwt = SignedJWT.parse(requestJwt(s));
    assertThat(jwt.getHeader().getType()).isEqualTo(new JOSEObjectType("oauth-authz-req+jwt"));
    assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
    assertThat(jwt.verify(new ECDSAVerifier(api.jwk(jwt.getHeader().getKeyID())))).as("verifies against the JWKS").isTrue();
    assertThat(jwt.getHeader().getKeyID()).isEqualTo(s.requestObject().getHeader().getKeyID());

    JsonObject c = json(jwt.getPayload().toString());
    JsonObject qr = s.claims();
    assertThat(c.keySet()).containsExactlyInAnyOrder("aud", "iat", "exp", "client_id", "response_type", "response_mode", "nonce",
        "expected_origins", "dcql_query", "client_metadata");
    assertThat(c.getString("aud")).isEqualTo("https://self-issued.me/v2");
    assertThat(c.getString("client_id")).isEqualTo(qr.getString("client_id"));
    assertThat(c.getString("response_type")).isEqualTo("vp_token");
    assertThat(c.getString("response_mode")).isEqualTo("dc_api.jwt");
    assertThat(c.getString("nonce")).as("the check's nonce").isEqualTo(qr.getString("nonce"));
    assertThat(c.getJsonNumber("exp").longValue()).isEqualTo(qr.getJsonNumber("exp").longValue());
    assertThat(c.getJsonNumber("iat").longValue()).isBetween(NOW.getEpochSecond() - 5, Instant.now().getEpochSecond() + 5);
    assertThat(c.getJsonArray("expected_origins").getValuesAs(jakarta.json.JsonString::getString))
        .containsExactly(TestGateways.SHOP_ORIGIN);

    // DCQL: only the mdoc queries, age_over_18 only, never retained; any one of them satisfies it
    JsonObject dcql = c.getJsonObject("dcql_query");
    assertThat(dcql.keySet()).containsExactly("credentials", "credential_sets");
    assertThat(dcql.getJsonArray("credentials")).isEqualTo(jsonArray("["
        + "{\"id\":\"" + AV_QUERY + "\",\"format\":\"mso_mdoc\",\"meta\":{\"doctype_value\":\"eu.europa.ec.av.1\"},"
        + "\"claims\":[{\"path\":[\"eu.europa.ec.av.1\",\"age_over_18\"],\"intent_to_retain\":false}]},"
        + "{\"id\":\"" + MDL_QUERY + "\",\"format\":\"mso_mdoc\",\"meta\":{\"doctype_value\":\"org.iso.18013.5.1.mDL\"},"
        + "\"claims\":[{\"path\":[\"org.iso.18013.5.1\",\"age_over_18\"],\"intent_to_retain\":false}]}]"));
    assertThat(dcql.getJsonArray("credential_sets"))
        .isEqualTo(jsonArray("[{\"options\":[[\"" + AV_QUERY + "\"],[\"" + MDL_QUERY + "\"]],\"required\":true}]"));

    // client_metadata: the check's encryption key (the QR's, public part only), its encs, mso_mdoc only
    JsonObject meta = c.getJsonObject("client_metadata");
    assertThat(meta.keySet()).containsExactly("jwks", "encrypted_response_enc_values_supported", "vp_formats_supported");
    JsonArray keys = meta.getJsonObject("jwks").getJsonArray("keys");
    assertThat(keys).hasSize(1);
    assertThat(keys).isEqualTo(qr.getJsonObject("client_metadata").getJsonObject("jwks").getJsonArray("keys"));
    ECKey enc = ECKey.parse(keys.getJsonObject(0).toString());
    assertThat(enc.isPrivate()).isFalse();
    assertThat(enc.getKeyID()).isEqualTo(enc.computeThumbprint("SHA-256").toString());
    assertThat(keys.getJsonObject(0).getString("use")).isEqualTo("enc");
    assertThat(keys.getJsonObject(0).getString("alg")).isEqualTo("ECDH-ES");
    assertThat(meta.getJsonArray("encrypted_response_enc_values_supported").toString()).isEqualTo("[\"A128GCM\",\"A256GCM\"]");
    assertThat(meta.getJsonObject("vp_formats_supported"))
        .isEqualTo(json("{\"mso_mdoc\":{\"issuerauth_alg_values\":[-7,-35,-36],\"deviceauth_alg_values\":[-7,-35,-36]}}"));

    assertThat(requestJwt(start())).as("another check, another request").isNotEqualTo(requestJwt(s));
  }

  @Test
  void answerOfIndependentWallet_verifiedThenTokenThenReplayRefused() throws Exception {
    Api.Started s = start();
    String data = answer(s, Map.of());
    assertThat(json(data).keySet()).containsExactly("response");

    Api.Resp posted = post(s.tx(), data, TestGateways.SHOP_ORIGIN);
    assertThat(posted.status()).as(posted.body()).isEqualTo(200);
    assertThat(posted.json().getString("status")).isEqualTo("verified");

    Api.Resp token = api.redeem(s.tx(), Api.VERIFIER);
    assertThat(token.status()).as(token.body()).isEqualTo(200);
    SignedJWT jwt = SignedJWT.parse(token.json().getString("token"));
    assertThat(jwt.verify(new ECDSAVerifier(api.jwk(jwt.getHeader().getKeyID())))).isTrue();
    JWTClaimsSet t = jwt.getJWTClaimsSet();
    assertThat(t.getStringClaim("method")).isEqualTo("mso_mdoc");
    assertThat(t.getLongClaim("age_over")).isEqualTo(18);

    String audit = Files.readString(gateway.settings().auditDir().resolve("audit-000001.jsonl"));
    assertThat(audit).doesNotContain(json(data).getString("response"), "OID4VP DC API DS");

    assertRefused(post(s.tx(), data, TestGateways.SHOP_ORIGIN), 409, "nonce_replayed");
  }

  @Test
  void tooYoung_refusedAndCheckRejected() throws Exception {
    Api.Started s = start();
    String data = NodeWallet.dcApi(List.of(walletCase(s, TestGateways.SHOP_ORIGIN, Map.of("age_over_18", false), Map.of())))
        .get("case");
    assertRefused(post(s.tx(), data, TestGateways.SHOP_ORIGIN), 422, "too_young");
    assertThat(checkReason(s.tx())).isEqualTo("too_young");
  }

  /** A wallet that signed for the page it was really called from (a replayed request): not this origin's transcript. */
  @Test
  void anotherOriginsTranscript_deviceSignatureInvalid() throws Exception {
    Api.Started s = start();
    String data = answer(s, Map.of("transcriptOrigin", "https://evil.example"));
    assertRefused(post(s.tx(), data, TestGateways.SHOP_ORIGIN), 422, "mdoc_invalid");
    assertThat(checkReason(s.tx())).isEqualTo("device_signature_invalid");
  }

  @Test
  void anotherChecksNonce_deviceSignatureInvalid() throws Exception {
    Api.Started s = start();
    String other = start().claims().getString("nonce");
    String data = answer(s, Map.of("nonce", other));
    assertRefused(post(s.tx(), data, TestGateways.SHOP_ORIGIN), 422, "mdoc_invalid");
    assertThat(checkReason(s.tx())).isEqualTo("device_signature_invalid");
  }

  /** Sealed to the right key, but the transcript names another key's thumbprint (a re-encrypted response). */
  @Test
  void anotherKeysThumbprintInTranscript_deviceSignatureInvalid() throws Exception {
    Api.Started s = start();
    Map<String, Object> other = new LinkedHashMap<>(TestPki.jwk(TestPki.ecKeyPair("secp256r1")));
    other.remove("d");
    String data = answer(s, Map.of("thumbprintOf", other));
    assertRefused(post(s.tx(), data, TestGateways.SHOP_ORIGIN), 422, "mdoc_invalid");
    assertThat(checkReason(s.tx())).isEqualTo("device_signature_invalid");
  }

  @Test
  void sealedToAnotherKey_refused_checkStaysOpen() throws Exception {
    Api.Started s = start();
    Map<String, Object> other = new LinkedHashMap<>(TestPki.jwk(TestPki.ecKeyPair("secp256r1")));
    other.remove("d");
    other.put("kid", "other");
    assertRefused(post(s.tx(), answer(s, Map.of("sealTo", other)), TestGateways.SHOP_ORIGIN), 400,
        "response_encryption_invalid");
    // another key under this check's kid: the kid passes, the decryption does not
    other.put("kid", ECKey.parse(encKey(s)).getKeyID());
    assertRefused(post(s.tx(), answer(s, Map.of("sealTo", other)), TestGateways.SHOP_ORIGIN), 400,
        "response_encryption_invalid");
    // another check's key
    Api.Started t = start();
    assertRefused(post(s.tx(), answer(t, Map.of()), TestGateways.SHOP_ORIGIN), 400, "response_encryption_invalid");
    assertThat(status(s.tx())).isEqualTo("scanned");
    assertThat(post(s.tx(), answer(s, Map.of()), TestGateways.SHOP_ORIGIN).status()).as("still answerable").isEqualTo(200);
  }

  /** The check's encryption JWK as its request carries it (JSON). */
  private static String encKey(Api.Started s) throws Exception {
    JsonObject c = json(SignedJWT.parse(requestJwt(s)).getPayload().toString());
    return c.getJsonObject("client_metadata").getJsonObject("jwks").getJsonArray("keys").getJsonObject(0).toString();
  }

  @Test
  void plaintextAnswer_refusedNotEncrypted_checkStaysOpen() throws Exception {
    Api.Started s = start();
    String plain = answer(s, Map.of("plaintext", true));
    assertThat(json(plain).keySet()).containsExactly("vp_token");
    assertRefused(post(s.tx(), plain, TestGateways.SHOP_ORIGIN), 400, "response_not_encrypted");
    assertThat(status(s.tx())).isEqualTo("scanned");
    assertThat(post(s.tx(), answer(s, Map.of()), TestGateways.SHOP_ORIGIN).status()).isEqualTo(200);
  }

  @Test
  void vpTokenNotExactlyOneQuery_refusedMalformed_checkStaysOpen() throws Exception {
    Api.Started s = start();
    String genuine = answer(s, Map.of());
    String inner = json(genuine).toString(); // keep one good answer for the end
    assertRefused(post(s.tx(), answer(s, Map.of("extraVpToken", Map.of(MDL_QUERY, List.of("AAAA")))),
        TestGateways.SHOP_ORIGIN), 400, "proof_malformed");
    assertRefused(post(s.tx(), answer(s, Map.of("extraVpToken", Map.of("age_proof", List.of("AAAA")))),
        TestGateways.SHOP_ORIGIN), 400, "proof_malformed");
    assertRefused(post(s.tx(), answer(s, Map.of("queryId", "age_proof")), TestGateways.SHOP_ORIGIN), 400, "proof_malformed");
    assertRefused(post(s.tx(), answer(s, Map.of("queryId", "mdoc_not_asked")), TestGateways.SHOP_ORIGIN), 400, "proof_malformed");
    assertRefused(post(s.tx(), answer(s, Map.of("extraPayload", Map.of("state", "x"))), TestGateways.SHOP_ORIGIN), 400,
        "proof_malformed");
    assertRefused(post(s.tx(), answer(s, Map.of("duplicateVpToken", true)), TestGateways.SHOP_ORIGIN), 400,
        "proof_malformed");
    assertThat(status(s.tx())).isEqualTo("scanned");
    assertThat(post(s.tx(), inner, TestGateways.SHOP_ORIGIN).status()).isEqualTo(200);
  }

  /** An eu.europa.ec.av.1 document answering the mDL's credential query: the docType must be the query's. */
  @Test
  void documentUnderAnotherQuerysId_doctypeNotAccepted() throws Exception {
    Api.Started s = start();
    assertRefused(post(s.tx(), answer(s, Map.of("queryId", MDL_QUERY)), TestGateways.SHOP_ORIGIN), 422, "mdoc_invalid");
    assertThat(checkReason(s.tx())).isEqualTo("doctype_not_accepted");
  }

  @Test
  void walletErrorResponse_refused_checkStaysOpen() throws Exception {
    Api.Started s = start();
    assertRefused(post(s.tx(), "{\"error\":\"access_denied\"}", TestGateways.SHOP_ORIGIN), 409, "declined");
    assertRefused(post(s.tx(), "{\"error\":\"invalid_request\"}", TestGateways.SHOP_ORIGIN), 409, "wallet_error");
    assertRefused(post(s.tx(), "{\"error\":\"Bad Code\"}", TestGateways.SHOP_ORIGIN), 400, "proof_malformed");
    assertThat(status(s.tx())).isEqualTo("scanned");
  }

  @Test
  void malformedAnswers_fuzzed_never5xx_checkStaysOpen() throws Exception {
    Api.Started s = start();
    String data = answer(s, Map.of());
    String jwe = json(data).getString("response");
    Random rnd = new Random(7638L);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
    for (int i = 0; i < 40; i++) {
      char[] b = (i % 3 == 0 ? jwe.substring(0, rnd.nextInt(jwe.length())) : jwe).toCharArray();
      for (int k = 0; k < 1 + rnd.nextInt(3) && b.length > 0; k++) {
        b[rnd.nextInt(b.length)] = alphabet.charAt(rnd.nextInt(alphabet.length()));
      }
      if (new String(b).equals(jwe)) {
        continue;
      }
      Api.Resp r = post(s.tx(), Json.createObjectBuilder().add("response", new String(b)).build().toString(),
          TestGateways.SHOP_ORIGIN);
      assertThat(r.status()).as(r.body()).isEqualTo(400);
      assertThat(r.reason()).isIn("response_encryption_invalid", "proof_malformed");
    }
    for (String body : List.of("7", "[]", "{}", "{\"response\":7}", "{\"response\":\"a.b.c\"}",
        "{\"response\":\"" + jwe + "\",\"state\":\"x\"}")) {
      Api.Resp r = post(s.tx(), body, TestGateways.SHOP_ORIGIN);
      assertThat(r.status()).as(body + " → " + r.body()).isEqualTo(400);
      assertThat(r.reason()).isIn("response_encryption_invalid", "proof_malformed");
    }
    assertThat(status(s.tx())).isEqualTo("scanned");
    assertThat(post(s.tx(), data, TestGateways.SHOP_ORIGIN).status()).as("still open, still answerable").isEqualTo(200);
  }

  @Test
  void originNotTheSites_refused403_andSiteWithoutMsoMdoc_familyNotAccepted() throws Exception {
    Api.Started s = start();
    String data = answer(s, Map.of());
    assertRefused(post(s.tx(), data, TestGateways.OTHER_ORIGIN), 403, "origin_not_allowed");
    assertThat(status(s.tx())).isEqualTo("scanned");

    Api.Resp other = api.create("other-shop", 18, TestGateways.OTHER_ORIGIN);
    assertThat(other.status()).as(other.body()).isEqualTo(201);
    assertThat(other.json().containsKey("digital")).isFalse();
    assertRefused(post(other.json().getString("transaction_id"), data, TestGateways.OTHER_ORIGIN), 422, "family_not_accepted");
  }
}
