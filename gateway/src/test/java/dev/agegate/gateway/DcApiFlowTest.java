package dev.agegate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.upokecenter.cbor.CBORObject;
import dev.agegate.gateway.family.mdoc.NodeWallet;
import dev.agegate.gateway.family.mdoc.TestPki;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * ISO 18013-7 Annex C ({@code org-iso-mdoc}) over the Digital Credentials API, over real HTTP on
 * a real gateway: the {@code digital} of a new check (DeviceRequest, EncryptionInfo with the
 * check's own key), the independent test wallet ({@code @auth0/mdl} builds the DeviceResponse
 * over the Annex C SessionTranscript, {@code @hpke/core} seals it) and {@code POST
 * /v1/checks/{tx}/dc-response}: verified, then the token by PKCE; every refusal with its reason.
 */
@ServerTest
class DcApiFlowTest {
  static final String AV = "eu.europa.ec.av.1";
  static final Instant NOW = Instant.now();
  static TestPki.Issued ds;
  static Map<String, Object> deviceKey;
  static Gateway gateway;
  private final Api api;

  DcApiFlowTest(Http1Client client) {
    this.api = new Api(client);
  }

  @SetUpRoute
  static void routing(HttpRouting.Builder routing) throws Exception {
    MdocGateway m = MdocGateway.create("DC API", NOW);
    ds = m.ds();
    deviceKey = m.deviceKey();
    gateway = m.gateway();
    Main.routing(routing, gateway);
  }

  @AfterAll
  static void close() {
    gateway.close();
  }

  /** A new check of shop (min age 18) as the widget sees it. */
  private JsonObject create() {
    Api.Resp r = api.create("shop", 18, TestGateways.SHOP_ORIGIN);
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.json();
  }

  /** The data of the {@code org-iso-mdoc} request, the first of the two (then {@code openid4vp-v1-signed}, see DcApiOpenId4VpFlowTest). */
  private static JsonObject request(JsonObject created) {
    jakarta.json.JsonArray requests = created.getJsonObject("digital").getJsonArray("requests");
    assertThat(requests.stream().map(r -> r.asJsonObject().getString("protocol")).toList())
        .containsExactly("org-iso-mdoc", "openid4vp-v1-signed");
    return requests.getJsonObject(0).getJsonObject("data");
  }

  /** The wallet's case for {@code data} (a request's data), for a page of {@code origin}. */
  private static Map<String, Object> walletCase(JsonObject data, String origin, Map<String, Object> elements) {
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("kind", "annexc");
    t.put("origin", origin);
    t.put("deviceRequest", data.getString("deviceRequest"));
    t.put("encryptionInfo", data.getString("encryptionInfo"));
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
    m.put("transcript", t);
    return m;
  }

  private static String seal(Map<String, Object> c) throws Exception {
    return NodeWallet.annexC(List.of(c)).get("case");
  }

  private Api.Resp post(String tx, String response, String origin) {
    return api.postJson("/v1/checks/" + tx + "/dc-response",
        Json.createObjectBuilder().add("protocol", "org-iso-mdoc")
            .add("data", Json.createObjectBuilder().add("response", response)).build().toString(), origin);
  }

  private static void assertRefused(Api.Resp r, int status, String reason) {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    assertThat(r.contentType()).startsWith("application/problem+json");
    assertThat(r.reason()).isEqualTo(reason);
  }

  @Test
  void digital_isTheDeviceRequestForAgeOverAndAnEncryptionInfoOfTheChecksOwnKey() {
    JsonObject data = request(create());
    CBORObject dr = CBORObject.DecodeFromBytes(Base64.getUrlDecoder().decode(data.getString("deviceRequest")));
    assertThat(dr.get("version").AsString()).isEqualTo("1.0");
    assertThat(dr.get("docRequests").size()).isEqualTo(2);
    Map<String, String> asked = new LinkedHashMap<>();
    for (int i = 0; i < 2; i++) {
      CBORObject wrapped = dr.get("docRequests").get(i).get("itemsRequest");
      assertThat(wrapped.HasMostOuterTag(24)).isTrue();
      CBORObject items = CBORObject.DecodeFromBytes(wrapped.GetByteString());
      asked.put(items.get("docType").AsString(), items.get("nameSpaces").toString());
    }
    // the order of agegate.mdoc.doctypes, as in the request object's DCQL query
    assertThat(asked).containsExactly(Map.entry(AV, "{\"eu.europa.ec.av.1\": {\"age_over_18\": false}}"),
        Map.entry("org.iso.18013.5.1.mDL", "{\"org.iso.18013.5.1\": {\"age_over_18\": false}}"));
    CBORObject ei = CBORObject.DecodeFromBytes(Base64.getUrlDecoder().decode(data.getString("encryptionInfo")));
    assertThat(ei.get(0).AsString()).isEqualTo("dcapi");
    assertThat(ei.get(1).get("nonce").GetByteString()).hasSize(32);
    CBORObject key = ei.get(1).get("recipientPublicKey");
    assertThat(key.get(1).AsInt32()).isEqualTo(2);
    assertThat(key.get(-1).AsInt32()).isEqualTo(1);
    assertThat(key.get(-2).GetByteString()).hasSize(32);
    assertThat(request(create()).getString("encryptionInfo")).as("a fresh key per check").isNotEqualTo(data.getString("encryptionInfo"));
  }

  @Test
  void annexCAnswer_fromIndependentWallet_verifiedThenTokenThenReplayRefused() throws Exception {
    JsonObject created = create();
    String tx = created.getString("transaction_id");
    String sealed = seal(walletCase(request(created), TestGateways.SHOP_ORIGIN, Map.of("age_over_18", true)));

    Api.Resp posted = post(tx, sealed, TestGateways.SHOP_ORIGIN);
    assertThat(posted.status()).as(posted.body()).isEqualTo(200);
    assertThat(posted.json().getString("status")).isEqualTo("verified");
    assertThat(posted.headers().first(io.helidon.http.HeaderNames.create("Access-Control-Allow-Origin")))
        .contains(TestGateways.SHOP_ORIGIN);

    Api.Resp token = api.redeem(tx, Api.VERIFIER);
    assertThat(token.status()).as(token.body()).isEqualTo(200);
    SignedJWT jwt = SignedJWT.parse(token.json().getString("token"));
    assertThat(jwt.verify(new ECDSAVerifier(api.jwk(jwt.getHeader().getKeyID())))).isTrue();
    JWTClaimsSet t = jwt.getJWTClaimsSet();
    assertThat(t.getStringClaim("method")).isEqualTo("mso_mdoc");
    assertThat(t.getLongClaim("age_over")).isEqualTo(18);

    String audit = Files.readString(gateway.settings().auditDir().resolve("audit-000001.jsonl"));
    assertThat(audit).doesNotContain(sealed, "DC API DS");

    assertRefused(post(tx, sealed, TestGateways.SHOP_ORIGIN), 409, "nonce_replayed");
  }

  @Test
  void tooYoung_refusedAndCheckRejected() throws Exception {
    JsonObject created = create();
    String tx = created.getString("transaction_id");
    String sealed = seal(walletCase(request(created), TestGateways.SHOP_ORIGIN, Map.of("age_over_18", false)));
    assertRefused(post(tx, sealed, TestGateways.SHOP_ORIGIN), 422, "too_young");
    assertThat(api.get("/v1/checks/" + tx).json().getString("reason")).isEqualTo("too_young");
  }

  @Test
  void sealedToAnotherKey_undecryptable_checkStaysOpen() throws Exception {
    JsonObject created = create();
    String tx = created.getString("transaction_id");
    Map<String, Object> c = walletCase(request(created), TestGateways.SHOP_ORIGIN, Map.of("age_over_18", true));
    Map<String, Object> other = new LinkedHashMap<>(TestPki.jwk(TestPki.ecKeyPair("secp256r1")));
    other.remove("d");
    c.put("sealTo", other);
    assertRefused(post(tx, seal(c), TestGateways.SHOP_ORIGIN), 400, "response_undecryptable");
    assertThat(api.get("/v1/checks/" + tx).json().getString("status")).isEqualTo("pending");
  }

  @Test
  void anotherOriginsTranscript_undecryptable() throws Exception {
    JsonObject created = create();
    String tx = created.getString("transaction_id");
    String sealed = seal(walletCase(request(created), "https://evil.example", Map.of("age_over_18", true)));
    assertRefused(post(tx, sealed, TestGateways.SHOP_ORIGIN), 400, "response_undecryptable");
  }

  @Test
  void anotherChecksEncryptionInfo_undecryptable() throws Exception {
    JsonObject target = create();
    String sealed = seal(walletCase(request(create()), TestGateways.SHOP_ORIGIN, Map.of("age_over_18", true)));
    assertRefused(post(target.getString("transaction_id"), sealed, TestGateways.SHOP_ORIGIN), 400, "response_undecryptable");
  }

  @Test
  void originNotTheSites_refused403() throws Exception {
    JsonObject created = create();
    String tx = created.getString("transaction_id");
    String sealed = seal(walletCase(request(created), TestGateways.OTHER_ORIGIN, Map.of("age_over_18", true)));
    assertRefused(post(tx, sealed, TestGateways.OTHER_ORIGIN), 403, "origin_not_allowed");
    assertRefused(post(tx, sealed, null), 403, "origin_not_allowed");
    assertThat(api.get("/v1/checks/" + tx).json().getString("status")).isEqualTo("pending");
  }

  @Test
  void offCurveEnc_refusedMalformed() throws Exception {
    JsonObject created = create();
    String tx = created.getString("transaction_id");
    String sealed = seal(walletCase(request(created), TestGateways.SHOP_ORIGIN, Map.of("age_over_18", true)));
    CBORObject env = CBORObject.DecodeFromBytes(Base64.getUrlDecoder().decode(sealed));
    byte[] enc = env.get(1).get("enc").GetByteString();
    enc[64] ^= 1; // y changed: off the curve
    env.get(1).set("enc", CBORObject.FromObject(enc));
    String off = Base64.getUrlEncoder().withoutPadding().encodeToString(env.EncodeToBytes());
    assertRefused(post(tx, off, TestGateways.SHOP_ORIGIN), 400, "proof_malformed");
    // the genuine answer still verifies afterwards: the refusal did not spend the check
    assertThat(post(tx, sealed, TestGateways.SHOP_ORIGIN).status()).isEqualTo(200);
  }

  @Test
  void malformedBodies_fuzzed_never5xx() throws Exception {
    JsonObject created = create();
    String tx = created.getString("transaction_id");
    String sealed = seal(walletCase(request(created), TestGateways.SHOP_ORIGIN, Map.of("age_over_18", true)));
    byte[] good = Base64.getUrlDecoder().decode(sealed);
    Random rnd = new Random(18013_7L);
    for (int i = 0; i < 40; i++) {
      byte[] b = java.util.Arrays.copyOf(good, i % 3 == 0 ? rnd.nextInt(good.length) : good.length);
      for (int k = 0; k < 1 + rnd.nextInt(4) && b.length > 0; k++) {
        b[rnd.nextInt(b.length)] ^= (byte) (1 + rnd.nextInt(255));
      }
      Api.Resp r = post(tx, Base64.getUrlEncoder().withoutPadding().encodeToString(b), TestGateways.SHOP_ORIGIN);
      assertThat(r.status()).as(r.body()).isIn(400);
      assertThat(r.reason()).isIn("proof_malformed", "response_undecryptable");
    }
    for (String body : List.of("{", "[]", "{\"protocol\":\"org-iso-mdoc\"}", "{\"protocol\":\"other\",\"data\":{}}",
        "{\"protocol\":\"org-iso-mdoc\",\"data\":{\"response\":\"a+b/\"}}",
        "{\"protocol\":\"org-iso-mdoc\",\"data\":{\"response\":\"oQE=\"}}",
        "{\"protocol\":\"org-iso-mdoc\",\"data\":{\"response\":\"oQE\"}}",
        "{\"protocol\":\"org-iso-mdoc\",\"data\":{\"response\":7}}")) {
      Api.Resp r = api.postJson("/v1/checks/" + tx + "/dc-response", body, TestGateways.SHOP_ORIGIN);
      assertRefused(r, 400, "proof_malformed");
    }
    assertThat(post(tx, sealed, TestGateways.SHOP_ORIGIN).status()).as("still open, still answerable").isEqualTo(200);
  }

  @Test
  void siteWithoutMsoMdoc_noDigital_andDcResponseRefused() throws Exception {
    Api.Resp r = api.create("other-shop", 18, TestGateways.OTHER_ORIGIN);
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    assertThat(r.json().containsKey("digital")).isFalse();
    JsonObject shop = create();
    String sealed = seal(walletCase(request(shop), TestGateways.OTHER_ORIGIN, Map.of("age_over_18", true)));
    assertRefused(post(r.json().getString("transaction_id"), sealed, TestGateways.OTHER_ORIGIN), 422, "family_not_accepted");
  }
}
