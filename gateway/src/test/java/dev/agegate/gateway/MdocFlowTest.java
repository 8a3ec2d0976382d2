package dev.agegate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDHEncrypter;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import java.util.HexFormat;
import dev.agegate.gateway.family.mdoc.NodeWallet;
import dev.agegate.gateway.family.mdoc.TestPki;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The cross-device OpenID4VP flow with an ISO 18013-5 mdoc, over real HTTP on a real gateway:
 * the request object of a site with {@code families: [agegate-zk, mso_mdoc]} asks for
 * {@code age_over_NN}; the independent test wallet ({@code @auth0/mdl}, {@link NodeWallet})
 * answers what that request object says (its client_id, nonce and response_uri go into the
 * OpenID4VP handover, computed by the wallet script itself); the token says {@code method:
 * mso_mdoc}. Site {@code shop} accepts both families, {@code other-shop} only agegate-zk.
 */
@ServerTest
class MdocFlowTest {
  static final String AV = "eu.europa.ec.av.1";
  static final String AV_QUERY = "mdoc_eu_europa_ec_av_1";
  static final Instant NOW = Instant.now();
  static TestPki.Issued ds;
  static Map<String, Object> deviceKey;
  static Gateway gateway;
  private final Api api;

  MdocFlowTest(Http1Client client) {
    this.api = new Api(client);
  }

  @SetUpRoute
  static void routing(HttpRouting.Builder routing) throws Exception {
    MdocGateway m = MdocGateway.create("Flow", NOW);
    ds = m.ds();
    deviceKey = m.deviceKey();
    gateway = m.gateway();
    Main.routing(routing, gateway);
  }

  @AfterAll
  static void close() {
    gateway.close();
  }

  @Test
  void mdocSite_requestObjectAsksBothFamiliesForAgeOverOnly() throws Exception {
    JsonObject dcql = api.start("shop", 21, TestGateways.SHOP_ORIGIN).claims().getJsonObject("dcql_query");
    JsonArray creds = dcql.getJsonArray("credentials");
    assertThat(creds).hasSize(3);
    assertThat(creds.getJsonObject(0).getString("id")).isEqualTo("age_proof");
    JsonObject av = creds.getJsonObject(1);
    assertThat(av.getString("id")).isEqualTo(AV_QUERY);
    assertThat(av.getString("format")).isEqualTo("mso_mdoc");
    assertThat(av.getJsonObject("meta").getString("doctype_value")).isEqualTo(AV);
    assertThat(av.getJsonArray("claims")).hasSize(1);
    assertThat(av.getJsonArray("claims").getJsonObject(0).getJsonArray("path").toString())
        .isEqualTo("[\"eu.europa.ec.av.1\",\"age_over_21\"]");
    JsonObject mdl = creds.getJsonObject(2);
    assertThat(mdl.getString("id")).isEqualTo("mdoc_org_iso_18013_5_1_mDL");
    assertThat(mdl.getJsonObject("meta").getString("doctype_value")).isEqualTo("org.iso.18013.5.1.mDL");
    assertThat(mdl.getJsonArray("claims").getJsonObject(0).getJsonArray("path").toString())
        .isEqualTo("[\"org.iso.18013.5.1\",\"age_over_21\"]");
    assertThat(dcql.getJsonArray("credential_sets").toString()).isEqualTo(
        "[{\"options\":[[\"age_proof\"],[\"" + AV_QUERY + "\"],[\"mdoc_org_iso_18013_5_1_mDL\"]],\"required\":true}]");

    JsonObject zkOnly = api.start("other-shop", 18, TestGateways.OTHER_ORIGIN).claims().getJsonObject("dcql_query");
    assertThat(zkOnly.toString()).isEqualTo(
        api.start("other-shop", 18, TestGateways.OTHER_ORIGIN).claims().getJsonObject("dcql_query").toString());
    assertThat(zkOnly.getJsonArray("credentials")).hasSize(1);
    assertThat(zkOnly.containsKey("credential_sets")).isFalse();
  }

  @Test
  void mdocAnswer_fromIndependentWallet_verifiedAndTokenSaysMsoMdoc() throws Exception {
    Api.Started s = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    byte[] response = wallet(s, Map.of("age_over_18", true, "age_over_21", true));

    Api.Resp posted = post(s, vpToken(response));
    assertThat(posted.status()).as(posted.body()).isEqualTo(200);
    assertThat(posted.json().getString("status")).isEqualTo("verified");
    assertThat(api.get("/v1/checks/" + s.tx()).json().getString("status")).isEqualTo("verified");

    Api.Resp token = api.redeem(s.tx(), Api.VERIFIER);
    assertThat(token.status()).as(token.body()).isEqualTo(200);
    SignedJWT jwt = SignedJWT.parse(token.json().getString("token"));
    assertThat(jwt.verify(new ECDSAVerifier(api.jwk(jwt.getHeader().getKeyID())))).isTrue();
    JWTClaimsSet t = jwt.getJWTClaimsSet();
    assertThat(t.getStringClaim("method")).isEqualTo("mso_mdoc");
    assertThat(t.getLongClaim("age_over")).isEqualTo(18);
    assertThat(t.getAudience()).containsExactly("shop");
    assertThat(t.getStringClaim("bnd")).isEqualTo("bnd-1");
    assertThat(t.getClaim("psn")).as("an mdoc has no nullifier, so no pseudonym").isNull();

    String audit = Files.readString(gateway.settings().auditDir().resolve("audit-000001.jsonl"));
    assertThat(audit).contains("\"method\":\"mso_mdoc\"")
        .doesNotContain(s.claims().getString("nonce"), "Flow DS", "age_over_21", vpToken(response));

    Api.Resp again = post(s, vpToken(response));
    assertThat(again.status()).as(again.body()).isEqualTo(409);
    assertThat(again.reason()).isEqualTo("nonce_replayed");
  }

  /**
   * The EU age verification profile's unsigned request (request-style unsigned): every parameter
   * by value in the QR's link, client id {@code redirect_uri:<response_uri>}, no request object
   * and no web wallet link; the DeviceResponse's handover names that client id, and one over the
   * gateway's x509_san_dns client id (what a signed request would have said) fails.
   */
  @Test
  void unsignedSite_requestByValueWithRedirectUriClientId_mdocOverThatClientIdVerified() throws Exception {
    Api.Resp created = api.create("eu-shop", 18, TestGateways.SHOP_ORIGIN);
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    JsonObject c = created.json();
    assertThat(c.containsKey("request_uri")).as("no request object to fetch").isFalse();
    String link = c.getString("wallet_link");
    assertThat(link).startsWith("openid4vp://?client_id=redirect_uri%3A");
    String linked = java.net.URLDecoder.decode(link.replaceFirst(".*[?&]response_uri=([^&]*).*", "$1"),
        java.nio.charset.StandardCharsets.UTF_8);
    assertThat(linked).matches(java.util.regex.Pattern.quote(TestGateways.PUBLIC_URL + "/v1/responses/") + "[A-Za-z0-9_-]{22,}");
    String requestId = linked.substring(linked.lastIndexOf('/') + 1);
    System.out.println("unsigned by-value link: " + link.length() + " characters, QR " + c.getJsonArray("qr_modules").size()
        + " modules");
    assertThat(link.length()).as("the widget takes links up to 4096 characters").isLessThan(4096);
    assertThat(c.getJsonArray("qr_modules").getValuesAs(jakarta.json.JsonString::getString))
        .isEqualTo(dev.agegate.gateway.checks.Qr.modules(link));
    assertThat(c.containsKey("web_wallet_link")).as("agegate's wallets answer signed requests only").isFalse();
    Map<String, String> q = new LinkedHashMap<>();
    for (String kv : link.substring("openid4vp://?".length()).split("&")) {
      int eq = kv.indexOf('=');
      q.put(kv.substring(0, eq), java.net.URLDecoder.decode(kv.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8));
    }
    String responseUri = TestGateways.PUBLIC_URL + "/v1/responses/" + requestId;
    assertThat(q.keySet()).containsExactly("client_id", "response_type", "response_mode", "response_uri", "nonce", "state",
        "dcql_query", "client_metadata");
    assertThat(q.get("client_id")).isEqualTo("redirect_uri:" + responseUri);
    assertThat(q.get("response_uri")).isEqualTo(responseUri);
    assertThat(q.get("response_type")).isEqualTo("vp_token");
    assertThat(q.get("response_mode")).isEqualTo("direct_post.jwt");
    JsonObject dcql = Json.createReader(new java.io.StringReader(q.get("dcql_query"))).readObject();
    assertThat(dcql.getJsonArray("credentials").getValuesAs(JsonObject.class)).extracting(x -> x.getString("id"))
        .contains(AV_QUERY).doesNotContain("age_proof");
    JsonObject meta = Json.createReader(new java.io.StringReader(q.get("client_metadata"))).readObject();
    assertThat(meta.getJsonObject("vp_formats_supported").keySet()).containsExactly("mso_mdoc");
    ECKey k = ECKey.parse(meta.getJsonObject("jwks").getJsonArray("keys").getJsonObject(0).toString());
    String thumb = HexFormat.of().formatHex(k.computeThumbprint("SHA-256").decode());
    assertThat(api.get("/v1/requests/" + requestId).status()).as("no request object under another client id").isEqualTo(404);

    // over the gateway's signed client id instead: not this request's handover
    byte[] wrong = NodeWallet.build(List.of(walletCase("x509_san_dns:gateway.test", q.get("nonce"), responseUri, thumb,
        Map.of("age_over_18", true)))).get("case");
    Api.Resp refused = api.postForm("/v1/responses/" + requestId, Map.of("response", jwe(new JWEHeader.Builder(
        JWEAlgorithm.ECDH_ES, EncryptionMethod.A128GCM).keyID(k.getKeyID()), new ECDHEncrypter(k), vpToken(wrong), q.get("state"))));
    assertThat(refused.status()).as(refused.body()).isEqualTo(422);
    assertThat(refused.json().getString("detail")).contains("device_signature_invalid");

    Api.Resp again = api.create("eu-shop", 18, TestGateways.SHOP_ORIGIN);
    String link2 = again.json().getString("wallet_link");
    Map<String, String> q2 = new LinkedHashMap<>();
    for (String kv : link2.substring("openid4vp://?".length()).split("&")) {
      int eq = kv.indexOf('=');
      q2.put(kv.substring(0, eq), java.net.URLDecoder.decode(kv.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8));
    }
    ECKey k2 = ECKey.parse(Json.createReader(new java.io.StringReader(q2.get("client_metadata"))).readObject()
        .getJsonObject("jwks").getJsonArray("keys").getJsonObject(0).toString());
    byte[] right = NodeWallet.build(List.of(walletCase(q2.get("client_id"), q2.get("nonce"), q2.get("response_uri"),
        HexFormat.of().formatHex(k2.computeThumbprint("SHA-256").decode()), Map.of("age_over_18", true)))).get("case");
    Api.Resp ok = api.postForm(q2.get("response_uri").substring(TestGateways.PUBLIC_URL.length()), Map.of("response", jwe(
        new JWEHeader.Builder(JWEAlgorithm.ECDH_ES, EncryptionMethod.A128GCM).keyID(k2.getKeyID()), new ECDHEncrypter(k2),
        vpToken(right), q2.get("state"))));
    assertThat(ok.status()).as(ok.body()).isEqualTo(200);
    assertThat(ok.json().getString("status")).isEqualTo("verified");
  }

  @Test
  void mdocAnswer_signedForAnotherChecksNonce_refusedAndCheckRejected() throws Exception {
    Api.Started target = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    Api.Started other = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    JsonObject oc = other.claims();
    // The other check's nonce, everything else this check's: only the nonce differs.
    byte[] response = NodeWallet.build(List.of(walletCase(target.claims().getString("client_id"), oc.getString("nonce"),
        target.claims().getString("response_uri"), thumbprintHex(target), Map.of("age_over_18", true)))).get("case");

    Api.Resp posted = post(target, vpToken(response));
    assertThat(posted.status()).as(posted.body()).isEqualTo(422);
    assertThat(posted.reason()).isEqualTo("mdoc_invalid");
    assertThat(posted.json().getString("detail")).contains("device_signature_invalid");
    JsonObject status = api.get("/v1/checks/" + target.tx()).json();
    assertThat(status.getString("status")).isEqualTo("rejected");
    assertThat(status.getString("reason")).isEqualTo("device_signature_invalid");
  }

  @Test
  void mdocAnswer_siteWithoutMsoMdoc_refusedFamilyNotAccepted() throws Exception {
    Api.Started s = api.start("other-shop", 18, TestGateways.OTHER_ORIGIN);
    byte[] response = wallet(s, Map.of("age_over_18", true));

    Api.Resp posted = post(s, vpToken(response));
    assertThat(posted.status()).as(posted.body()).isEqualTo(422);
    assertThat(posted.reason()).isEqualTo("family_not_accepted");
    JsonObject status = api.get("/v1/checks/" + s.tx()).json();
    assertThat(status.getString("status")).isEqualTo("rejected");
    assertThat(status.getString("reason")).isEqualTo("family_not_accepted");
  }

  @Test
  void mdocAnswer_ageOverFalse_rejectedTooYoung() throws Exception {
    Api.Started s = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    byte[] response = wallet(s, Map.of("age_over_18", false));

    Api.Resp posted = post(s, vpToken(response));
    assertThat(posted.status()).as(posted.body()).isEqualTo(422);
    assertThat(posted.reason()).isEqualTo("too_young");
    JsonObject status = api.get("/v1/checks/" + s.tx()).json();
    assertThat(status.getString("status")).isEqualTo("rejected");
    assertThat(status.getString("reason")).isEqualTo("too_young");
    assertThat(api.redeem(s.tx(), Api.VERIFIER).reason()).isEqualTo("not_verified");
  }

  @Test
  void mdocAnswer_mdlUnderTheAvQueryId_refusedDoctypeNotAccepted() throws Exception {
    Api.Started s = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    JsonObject c = s.claims();
    Map<String, Object> mdl = walletCase(c.getString("client_id"), c.getString("nonce"), c.getString("response_uri"),
        thumbprintHex(s), Map.of("age_over_18", true));
    mdl.put("docType", "org.iso.18013.5.1.mDL");
    mdl.put("nameSpace", "org.iso.18013.5.1");
    byte[] response = NodeWallet.build(List.of(mdl)).get("case");

    Api.Resp posted = post(s, vpToken(response));
    assertThat(posted.status()).as(posted.body()).isEqualTo(422);
    assertThat(posted.reason()).isEqualTo("mdoc_invalid");
    assertThat(api.get("/v1/checks/" + s.tx()).json().getString("reason")).isEqualTo("doctype_not_accepted");
  }

  @Test
  void mdocAnswer_malformedDeviceResponse_rejectedMalformedNo5xx() throws Exception {
    Api.Started s = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    Api.Resp posted = post(s, vpToken(new byte[] {(byte) 0xa1, 0x01}));
    assertThat(posted.status()).as(posted.body()).isEqualTo(422);
    assertThat(posted.reason()).isEqualTo("mdoc_invalid");
    assertThat(api.get("/v1/checks/" + s.tx()).json().getString("reason")).isEqualTo("malformed");

    Api.Started padded = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    Api.Resp bad = post(padded, "{\"" + AV_QUERY + "\":[\"oQE=\"]}");
    assertThat(bad.status()).as(bad.body()).isEqualTo(400);
    assertThat(bad.reason()).isEqualTo("proof_malformed");
  }


  @Test
  void requestUriMethodPost_walletNonceEchoed_getStillServed() throws Exception {
    Api.Started s = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    assertThat(s.created().getString("wallet_link")).endsWith("&request_uri_method=post");
    Api.Resp posted = api.postForm("/v1/requests/" + s.requestId(),
        Map.of("wallet_nonce", "qPmxiNFCR3QTm19POc8u_-.~9", "wallet_metadata", "{\"vp_formats_supported\":{}}"));
    assertThat(posted.status()).as(posted.body()).isEqualTo(200);
    assertThat(posted.contentType()).isEqualTo("application/oauth-authz-req+jwt");
    SignedJWT ro = SignedJWT.parse(posted.body());
    assertThat(ro.verify(new ECDSAVerifier(api.jwk(ro.getHeader().getKeyID())))).isTrue();
    JWTClaimsSet c = ro.getJWTClaimsSet();
    assertThat(c.getStringClaim("wallet_nonce")).isEqualTo("qPmxiNFCR3QTm19POc8u_-.~9");
    assertThat(c.getStringClaim("nonce")).isEqualTo(s.claims().getString("nonce"));
    assertThat(c.getStringClaim("state")).isEqualTo(s.state());

    Api.Resp bare = api.postForm("/v1/requests/" + s.requestId(), Map.of());
    assertThat(bare.status()).as(bare.body()).isEqualTo(200);
    assertThat(SignedJWT.parse(bare.body()).getJWTClaimsSet().getClaim("wallet_nonce")).isNull();
    Api.Resp get = api.get("/v1/requests/" + s.requestId());
    assertThat(get.status()).isEqualTo(200);
    assertThat(SignedJWT.parse(get.body()).getJWTClaimsSet().getClaim("wallet_nonce")).isNull();
  }

  @Test
  void requestUriMethodPost_badWalletNonceOrMetadata_refused400() throws Exception {
    // Hole: an unbounded or free-form wallet_nonce is echoed into a signed object the gateway
    // vouches for (header/JSON injection, amplification): only a short unreserved-char token is.
    Api.Started s = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    Map<String, Map<String, String>> bad = new LinkedHashMap<>();
    bad.put("129 characters", Map.of("wallet_nonce", "a".repeat(129)));
    bad.put("empty", Map.of("wallet_nonce", ""));
    bad.put("a space", Map.of("wallet_nonce", "ab cd"));
    bad.put("a quote", Map.of("wallet_nonce", "ab\"cd"));
    bad.put("non-ASCII", Map.of("wallet_nonce", "abcé"));
    bad.put("wallet_metadata not JSON", Map.of("wallet_metadata", "{nope"));
    bad.put("wallet_metadata an array", Map.of("wallet_metadata", "[1]"));
    for (Map.Entry<String, Map<String, String>> e : bad.entrySet()) {
      Api.Resp r = api.postForm("/v1/requests/" + s.requestId(), e.getValue());
      assertThat(r.status()).as(e.getKey() + ": " + r.body()).isEqualTo(400);
      assertThat(r.reason()).as(e.getKey()).isEqualTo("malformed_request");
    }
    assertThat(api.postForm("/v1/requests/" + s.requestId(), Map.of("wallet_nonce", "a".repeat(128))).status()).isEqualTo(200);
  }
  /** What the independent wallet answers to {@code s}'s request object. */
  private static byte[] wallet(Api.Started s, Map<String, Object> elements) throws Exception {
    JsonObject c = s.claims();
    return NodeWallet.build(List.of(walletCase(c.getString("client_id"), c.getString("nonce"),
        c.getString("response_uri"), thumbprintHex(s), elements))).get("case");
  }

  private static Map<String, Object> walletCase(String clientId, String nonce, String responseUri, String thumbprintHex,
      Map<String, Object> elements) {
    Map<String, Object> transcript = new LinkedHashMap<>();
    transcript.put("kind", "openid4vp");
    transcript.put("clientId", clientId);
    transcript.put("nonce", nonce);
    transcript.put("jwkThumbprint", thumbprintHex);
    transcript.put("responseUri", responseUri);
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

  private static String vpToken(byte[] deviceResponse) {
    return "{\"" + AV_QUERY + "\":[\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(deviceResponse) + "\"]}";
  }

  /** The check's encryption key as its request object's client_metadata.jwks offers it (null when none). */
  static ECKey encKey(Api.Started s) throws Exception {
    JsonObject m = s.claims().getJsonObject("client_metadata");
    return m == null || !m.containsKey("jwks") ? null : ECKey.parse(m.getJsonObject("jwks").getJsonArray("keys").getJsonObject(0).toString());
  }

  /** What a wallet puts into the handover: the RFC 7638 thumbprint of the offered key, hex (null when none). */
  static String thumbprintHex(Api.Started s) throws Exception {
    ECKey k = encKey(s);
    return k == null ? null : HexFormat.of().formatHex(k.computeThumbprint("SHA-256").decode());
  }

  /** The wallet's answer as the request object asks: a JWE to the offered key for direct_post.jwt, else plaintext. */
  private Api.Resp post(Api.Started s, String vpToken) throws Exception {
    if (!"direct_post.jwt".equals(s.claims().getString("response_mode"))) {
      return api.respond(s.requestId(), vpToken, s.state());
    }
    ECKey k = encKey(s);
    return postJwe(s, jwe(new JWEHeader.Builder(JWEAlgorithm.ECDH_ES, EncryptionMethod.A128GCM).keyID(k.getKeyID()),
        new ECDHEncrypter(k), vpToken, s.state()));
  }

  static String jwe(JWEHeader.Builder h, com.nimbusds.jose.JWEEncrypter enc, String vpToken, String state) throws Exception {
    String payload = "{\"vp_token\":" + vpToken + ",\"state\":\"" + state + "\"}";
    JWEObject o = new JWEObject(h.build(), new Payload(payload));
    o.encrypt(enc);
    return o.serialize();
  }

  private Api.Resp postJwe(Api.Started s, String jwe) {
    return api.postForm("/v1/responses/" + s.requestId(), Map.of("response", jwe));
  }

  /** An encrypted answer refused before any verification: 400 with its detail, the check still open. */
  private void assertEncryptionRefused(Api.Started s, Api.Resp posted, String detail) {
    assertThat(posted.status()).as(posted.body()).isEqualTo(400);
    assertThat(posted.reason()).isEqualTo("response_encryption_invalid");
    assertThat(posted.json().getString("detail")).contains(detail);
    assertThat(api.get("/v1/checks/" + s.tx()).json().getString("status")).as("the check stays open").isIn("pending", "scanned");
  }

  @Test
  void requestObject_mdocSiteAsksEncryptedResponse_zkOnlySiteUnchanged() throws Exception {
    Api.Started s = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    JsonObject c = s.claims();
    assertThat(c.getString("response_mode")).isEqualTo("direct_post.jwt");
    JsonObject m = c.getJsonObject("client_metadata");
    JsonArray keys = m.getJsonObject("jwks").getJsonArray("keys");
    assertThat(keys).hasSize(1);
    JsonObject k = keys.getJsonObject(0);
    assertThat(k.getString("kty")).isEqualTo("EC");
    assertThat(k.getString("crv")).isEqualTo("P-256");
    assertThat(k.getString("use")).isEqualTo("enc");
    assertThat(k.getString("alg")).isEqualTo("ECDH-ES");
    assertThat(k.containsKey("d")).as("never the private part").isFalse();
    assertThat(k.getString("kid")).isEqualTo(encKey(s).computeThumbprint("SHA-256").toString());
    assertThat(m.getJsonArray("encrypted_response_enc_values_supported").toString()).isEqualTo("[\"A128GCM\",\"A256GCM\"]");
    JsonObject f = m.getJsonObject("vp_formats_supported");
    assertThat(f.getJsonObject("mso_mdoc").getJsonArray("issuerauth_alg_values").toString()).isEqualTo("[-7,-35,-36]");
    assertThat(f.getJsonObject("mso_mdoc").getJsonArray("deviceauth_alg_values").toString()).isEqualTo("[-7,-35,-36]");
    assertThat(f.containsKey("agegate-zk-age")).isTrue();

    Api.Started other = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    assertThat(encKey(other).getKeyID()).as("one key per check").isNotEqualTo(k.getString("kid"));
    Api.Started zk = api.start("other-shop", 18, TestGateways.OTHER_ORIGIN);
    assertThat(zk.claims().getString("response_mode")).isEqualTo("direct_post");
    JsonObject zkMeta = zk.claims().getJsonObject("client_metadata");
    assertThat(zkMeta.keySet()).as("formats only: no key, the proof comes in plaintext").containsExactly("vp_formats_supported");
    assertThat(zkMeta.getJsonObject("vp_formats_supported").keySet()).containsExactly("agegate-zk-age");
  }

  @Test
  void encrypted_mdocOverTranscriptWithoutThumbprint_refusedDeviceSignatureInvalid() throws Exception {
    Api.Started s = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    JsonObject c = s.claims();
    byte[] response = NodeWallet.build(List.of(walletCase(c.getString("client_id"), c.getString("nonce"),
        c.getString("response_uri"), null, Map.of("age_over_18", true)))).get("case");
    Api.Resp posted = post(s, vpToken(response));
    assertThat(posted.status()).as(posted.body()).isEqualTo(422);
    assertThat(posted.reason()).isEqualTo("mdoc_invalid");
    assertThat(api.get("/v1/checks/" + s.tx()).json().getString("reason")).isEqualTo("device_signature_invalid");
  }

  @Test
  void plaintextMdoc_whereDirectPostJwtWasAsked_refusedAndCheckRejected() throws Exception {
    Api.Started s = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    byte[] response = wallet(s, Map.of("age_over_18", true)); // even over the right transcript
    Api.Resp posted = api.respond(s.requestId(), vpToken(response), s.state());
    assertThat(posted.status()).as(posted.body()).isEqualTo(400);
    assertThat(posted.reason()).isEqualTo("response_not_encrypted");
    JsonObject status = api.get("/v1/checks/" + s.tx()).json();
    assertThat(status.getString("status")).isEqualTo("rejected");
    assertThat(status.getString("reason")).isEqualTo("response_not_encrypted");
  }

  @Test
  void encrypted_attacks_eachRefusedWithItsReason_thenTheRealAnswerVerifies() throws Exception {
    Api.Started s = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    ECKey k = encKey(s);
    String vp = vpToken(wallet(s, Map.of("age_over_18", true)));
    String kid = k.getKeyID();

    ECKey stranger = new ECKeyGenerator(Curve.P_256).generate();
    assertEncryptionRefused(s, postJwe(s, jwe(new JWEHeader.Builder(JWEAlgorithm.ECDH_ES, EncryptionMethod.A128GCM)
        .keyID(kid), new ECDHEncrypter(stranger.toPublicJWK()), vp, s.state())), "does not decrypt");

    assertEncryptionRefused(s, postJwe(s, jwe(new JWEHeader.Builder(JWEAlgorithm.ECDH_ES, EncryptionMethod.A128GCM)
        .keyID("another-kid"), new ECDHEncrypter(k), vp, s.state())), "kid");

    assertEncryptionRefused(s, postJwe(s, jwe(new JWEHeader.Builder(JWEAlgorithm.ECDH_ES_A128KW, EncryptionMethod.A128GCM)
        .keyID(kid), new ECDHEncrypter(k), vp, s.state())), "alg ECDH-ES+A128KW was not offered");
    assertEncryptionRefused(s, postJwe(s, jwe(new JWEHeader.Builder(JWEAlgorithm.ECDH_ES, EncryptionMethod.A256CBC_HS512)
        .keyID(kid), new ECDHEncrypter(k), vp, s.state())), "enc A256CBC-HS512 was not offered");
    assertEncryptionRefused(s, postJwe(s, jwe(new JWEHeader.Builder(JWEAlgorithm.ECDH_ES, EncryptionMethod.A192GCM)
        .keyID(kid), new ECDHEncrypter(k), vp, s.state())), "enc A192GCM was not offered");

    ECKey p384 = new ECKeyGenerator(Curve.P_384).generate();
    assertEncryptionRefused(s, postJwe(s, jwe(new JWEHeader.Builder(JWEAlgorithm.ECDH_ES, EncryptionMethod.A128GCM)
        .keyID(kid), new ECDHEncrypter(p384.toPublicJWK()), vp, s.state())), "epk is not a P-256 key");

    // An epk whose y is off the curve (invalid-curve attack): the rest of the JWE is a real one to the check's key.
    String real = jwe(new JWEHeader.Builder(JWEAlgorithm.ECDH_ES, EncryptionMethod.A128GCM).keyID(kid),
        new ECDHEncrypter(k), vp, s.state());
    String[] parts = real.split("\\.", -1);
    JsonObject h = jakarta.json.Json.createReader(new java.io.StringReader(
        new String(Base64.getUrlDecoder().decode(parts[0]), java.nio.charset.StandardCharsets.UTF_8))).readObject();
    JsonObject epk = h.getJsonObject("epk");
    java.math.BigInteger y = new java.math.BigInteger(1, Base64.getUrlDecoder().decode(epk.getString("y")));
    byte[] y1 = y.add(java.math.BigInteger.ONE).toByteArray();
    byte[] y32 = new byte[32];
    System.arraycopy(y1, Math.max(0, y1.length - 32), y32, 32 - Math.min(32, y1.length), Math.min(32, y1.length));
    JsonObject offCurve = jakarta.json.Json.createObjectBuilder(h).add("epk", jakarta.json.Json.createObjectBuilder(epk)
        .add("y", Base64.getUrlEncoder().withoutPadding().encodeToString(y32))).build();
    parts[0] = Base64.getUrlEncoder().withoutPadding().encodeToString(
        offCurve.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    Api.Resp off = postJwe(s, String.join(".", parts));
    assertEncryptionRefused(s, off, "");
    assertThat(off.json().getString("detail")).containsAnyOf("not on the P-256 curve", "not a point of P-256");

    Api.Started zkOnly = api.start("other-shop", 18, TestGateways.OTHER_ORIGIN);
    assertEncryptionRefused(zkOnly, postJwe(zkOnly, real), "asked for response_mode direct_post");

    Api.Resp ok = postJwe(s, real);
    assertThat(ok.status()).as(ok.body()).isEqualTo(200);
    assertThat(api.get("/v1/checks/" + s.tx()).json().getString("status")).isEqualTo("verified");
    Api.Resp replay = postJwe(s, real);
    assertThat(replay.status()).as(replay.body()).isEqualTo(409);
    assertThat(replay.reason()).isEqualTo("nonce_replayed");
  }

  @Test
  void encrypted_jweForAnotherCheck_refusedKid() throws Exception {
    Api.Started a = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    Api.Started b = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    ECKey ka = encKey(a);
    String toA = jwe(new JWEHeader.Builder(JWEAlgorithm.ECDH_ES, EncryptionMethod.A256GCM).keyID(ka.getKeyID()),
        new ECDHEncrypter(ka), vpToken(wallet(a, Map.of("age_over_18", true))), b.state());
    assertEncryptionRefused(b, postJwe(b, toA), "kid is not the key of this check");
  }

  @Test
  void zkAnswer_onMdocSite_plaintextAndEncryptedBothVerify() throws Exception {
    Api.Started plain = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    Api.Resp p = api.respond(plain.requestId(), Api.prove(plain), plain.state());
    assertThat(p.status()).as("today's agegate wallets answer in plaintext: " + p.body()).isEqualTo(200);

    Api.Started enc = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    ECKey k = encKey(enc);
    Api.Resp e = postJwe(enc, jwe(new JWEHeader.Builder(JWEAlgorithm.ECDH_ES, EncryptionMethod.A256GCM).keyID(k.getKeyID()),
        new ECDHEncrypter(k), Api.prove(enc), enc.state()));
    assertThat(e.status()).as(e.body()).isEqualTo(200);
    assertThat(api.get("/v1/checks/" + enc.tx()).json().getString("status")).isEqualTo("verified");
  }
}
