package dev.agegate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.agegate.gateway.config.Settings;
import dev.agegate.gateway.mdoc.NodeWallet;
import dev.agegate.gateway.mdoc.TestPki;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
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
    TestPki.Issued iaca = TestPki.iaca("Flow IACA", NOW.minus(Duration.ofDays(30)), NOW.plus(Duration.ofDays(3650)));
    ds = TestPki.documentSigner(iaca, "Flow DS", NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(90)), true);
    deviceKey = TestPki.jwk(TestPki.ecKeyPair("secp256r1"));
    Path dataDir = TestGateways.freshDataDir();
    Path iacaDir = dataDir.resolveSibling(dataDir.getFileName() + "-iaca");
    Files.createDirectories(iacaDir);
    Files.writeString(iacaDir.resolve("iaca.pem"), iaca.pem());
    String yaml = TestGateways.yaml(dataDir, "  mdoc:\n    iaca-dir: " + iacaDir.toAbsolutePath() + "\n");
    yaml = yaml.replace("      pseudonym: true\n", "      pseudonym: true\n      families: [agegate-zk, mso_mdoc]\n");
    gateway = Gateway.create(Settings.from(TestGateways.config(yaml)), java.time.Clock.systemUTC(), v -> v);
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

    Api.Resp posted = api.respond(s.requestId(), vpToken(response), s.state());
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

    Api.Resp again = api.respond(s.requestId(), vpToken(response), s.state());
    assertThat(again.status()).as(again.body()).isEqualTo(409);
    assertThat(again.reason()).isEqualTo("nonce_replayed");
  }

  @Test
  void mdocAnswer_signedForAnotherChecksNonce_refusedAndCheckRejected() throws Exception {
    Api.Started target = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    Api.Started other = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    JsonObject oc = other.claims();
    // The other check's nonce, everything else this check's: only the nonce differs.
    byte[] response = NodeWallet.build(List.of(walletCase(target.claims().getString("client_id"), oc.getString("nonce"),
        target.claims().getString("response_uri"), Map.of("age_over_18", true)))).get("case");

    Api.Resp posted = api.respond(target.requestId(), vpToken(response), target.state());
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

    Api.Resp posted = api.respond(s.requestId(), vpToken(response), s.state());
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

    Api.Resp posted = api.respond(s.requestId(), vpToken(response), s.state());
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
        Map.of("age_over_18", true));
    mdl.put("docType", "org.iso.18013.5.1.mDL");
    mdl.put("nameSpace", "org.iso.18013.5.1");
    byte[] response = NodeWallet.build(List.of(mdl)).get("case");

    Api.Resp posted = api.respond(s.requestId(), vpToken(response), s.state());
    assertThat(posted.status()).as(posted.body()).isEqualTo(422);
    assertThat(posted.reason()).isEqualTo("mdoc_invalid");
    assertThat(api.get("/v1/checks/" + s.tx()).json().getString("reason")).isEqualTo("doctype_not_accepted");
  }

  @Test
  void mdocAnswer_malformedDeviceResponse_rejectedMalformedNo5xx() throws Exception {
    Api.Started s = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    Api.Resp posted = api.respond(s.requestId(), vpToken(new byte[] {(byte) 0xa1, 0x01}), s.state());
    assertThat(posted.status()).as(posted.body()).isEqualTo(422);
    assertThat(posted.reason()).isEqualTo("mdoc_invalid");
    assertThat(api.get("/v1/checks/" + s.tx()).json().getString("reason")).isEqualTo("malformed");

    Api.Started padded = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    Api.Resp bad = api.respond(padded.requestId(), "{\"" + AV_QUERY + "\":[\"oQE=\"]}", padded.state());
    assertThat(bad.status()).as(bad.body()).isEqualTo(400);
    assertThat(bad.reason()).isEqualTo("proof_malformed");
  }

  /** What the independent wallet answers to {@code s}'s request object. */
  private static byte[] wallet(Api.Started s, Map<String, Object> elements) throws Exception {
    JsonObject c = s.claims();
    return NodeWallet.build(List.of(walletCase(c.getString("client_id"), c.getString("nonce"),
        c.getString("response_uri"), elements))).get("case");
  }

  private static Map<String, Object> walletCase(String clientId, String nonce, String responseUri,
      Map<String, Object> elements) {
    Map<String, Object> transcript = new LinkedHashMap<>();
    transcript.put("kind", "openid4vp");
    transcript.put("clientId", clientId);
    transcript.put("nonce", nonce);
    transcript.put("jwkThumbprint", null);
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
}
