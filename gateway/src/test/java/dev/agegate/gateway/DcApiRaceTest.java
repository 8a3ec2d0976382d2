package dev.agegate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agegate.gateway.family.mdoc.NodeWallet;
import dev.agegate.gateway.family.mdoc.TestPki;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /v1/checks/{tx}/dc-response} beyond {@link DcApiFlowTest}: the same sealed answer
 * posted many times at once verifies the check exactly once (the shared claim on the nonce); the
 * endpoint is CORS for the site's origins only, refusals included; and an answer sealed for this
 * origin whose device signature is over another origin's transcript is refused by the verifier.
 * Real cryptography: the node wallet (@auth0/mdl, @hpke/core).
 */
@ServerTest
class DcApiRaceTest {
  static final String AV = "eu.europa.ec.av.1";
  static final Instant NOW = Instant.now();
  static TestPki.Issued ds;
  static Map<String, Object> deviceKey;
  static Gateway gateway;
  private final Api api;
  private final URI uri;

  DcApiRaceTest(Http1Client client, URI uri) {
    this.api = new Api(client);
    this.uri = uri;
  }

  @SetUpRoute
  static void routing(HttpRouting.Builder routing) throws Exception {
    MdocGateway m = MdocGateway.create("Race", NOW);
    ds = m.ds();
    deviceKey = m.deviceKey();
    gateway = m.gateway();
    Main.routing(routing, gateway);
  }

  @AfterAll
  static void close() {
    gateway.close();
  }

  private JsonObject create() {
    Api.Resp r = api.create("shop", 18, TestGateways.SHOP_ORIGIN);
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.json();
  }

  private static String body(String response) {
    return Json.createObjectBuilder().add("protocol", "org-iso-mdoc")
        .add("data", Json.createObjectBuilder().add("response", response)).build().toString();
  }

  /** The wallet's sealed answer to {@code created} for a page of {@code origin}. */
  private static String wallet(JsonObject created, String origin, String sealOrigin) throws Exception {
    JsonObject data = created.getJsonObject("digital").getJsonArray("requests").getJsonObject(0).getJsonObject("data");
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
    m.put("elements", Map.of("age_over_18", true));
    m.put("transcript", t);
    if (sealOrigin != null) {
      m.put("sealOrigin", sealOrigin);
    }
    return NodeWallet.annexC(List.of(m)).get("case");
  }

  private HttpRequest post(String tx, String body, String origin) {
    return HttpRequest.newBuilder(uri.resolve("/v1/checks/" + tx + "/dc-response"))
        .header("Content-Type", "application/json").header("Origin", origin)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
  }

  @Test
  void sameAnswerPostedAtOnce_exactlyOneVerified_tokenOnce() throws Exception {
    JsonObject created = create();
    String tx = created.getString("transaction_id");
    String body = body(wallet(created, TestGateways.SHOP_ORIGIN, null));
    HttpClient http = HttpClient.newHttpClient();
    List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      all.add(http.sendAsync(post(tx, body, TestGateways.SHOP_ORIGIN), HttpResponse.BodyHandlers.ofString()));
    }
    int verified = 0;
    for (CompletableFuture<HttpResponse<String>> f : all) {
      HttpResponse<String> r = f.join();
      if (r.statusCode() == 200) {
        verified++;
        assertThat(r.body()).contains("\"status\":\"verified\"");
      } else {
        // every other copy: replayed once the verdict is in (or, never decided, told to retry)
        assertThat(r.statusCode()).as(r.body()).isIn(409, 503);
        assertThat(r.body()).containsAnyOf("nonce_replayed", "overloaded");
      }
    }
    assertThat(verified).isEqualTo(1);
    assertThat(api.redeem(tx, Api.VERIFIER).status()).isEqualTo(200);
    assertThat(api.redeem(tx, Api.VERIFIER).reason()).isEqualTo("already_redeemed");
    String audit = Files.readString(gateway.settings().auditDir().resolve("audit-000001.jsonl"));
    assertThat(audit.split("\"check.verified\"", -1)).as("one verified line").hasSize(2);
  }

  @Test
  void cors_siteOriginOnly_refusalsReadable() throws Exception {
    JsonObject created = create();
    String tx = created.getString("transaction_id");
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> pre = http.send(HttpRequest.newBuilder(uri.resolve("/v1/checks/" + tx + "/dc-response"))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", TestGateways.SHOP_ORIGIN)
        .header("Access-Control-Request-Method", "POST").header("Access-Control-Request-Headers", "content-type")
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(pre.statusCode()).isEqualTo(204);
    assertThat(pre.headers().firstValue("Access-Control-Allow-Origin")).contains(TestGateways.SHOP_ORIGIN);
    assertThat(pre.headers().firstValue("Access-Control-Allow-Methods").orElse("")).contains("POST");
    assertThat(pre.headers().firstValue("Access-Control-Allow-Headers").orElse("")).contains("Content-Type");
    HttpResponse<String> evil = http.send(HttpRequest.newBuilder(uri.resolve("/v1/checks/" + tx + "/dc-response"))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", "https://evil.example")
        .header("Access-Control-Request-Method", "POST").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(evil.statusCode()).isEqualTo(403);
    assertThat(evil.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();

    HttpResponse<String> refused = http.send(post(tx, body("oQE"), TestGateways.SHOP_ORIGIN),
        HttpResponse.BodyHandlers.ofString());
    assertThat(refused.statusCode()).isBetween(400, 499);
    assertThat(refused.headers().firstValue("Access-Control-Allow-Origin")).as("the widget reads the reason")
        .contains(TestGateways.SHOP_ORIGIN);
    // another site's origin passes CORS (it is a configured origin) but not the check's site
    HttpResponse<String> other = http.send(post(tx, body("oQE"), TestGateways.OTHER_ORIGIN),
        HttpResponse.BodyHandlers.ofString());
    assertThat(other.statusCode()).isEqualTo(403);
    assertThat(other.body()).contains("origin_not_allowed");
  }

  @Test
  void sealedForThisOrigin_deviceSignedAnother_refusedDeviceSignatureInvalid() throws Exception {
    JsonObject created = create();
    String tx = created.getString("transaction_id");
    String sealed = wallet(created, "https://evil.example", TestGateways.SHOP_ORIGIN);
    Api.Resp r = api.postJson("/v1/checks/" + tx + "/dc-response", body(sealed), TestGateways.SHOP_ORIGIN);
    assertThat(r.status()).as(r.body()).isEqualTo(422);
    assertThat(r.reason()).isEqualTo("mdoc_invalid");
    JsonObject s = api.get("/v1/checks/" + tx).json();
    assertThat(s.getString("status")).isEqualTo("rejected");
    assertThat(s.getString("reason")).isEqualTo("device_signature_invalid");
  }
}
