package dev.agegate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.SignedJWT;
import dev.agegate.gateway.config.Settings;
import dev.agegate.gateway.family.Answer;
import dev.agegate.gateway.family.Binding;
import dev.agegate.gateway.family.PresentationFamily;
import dev.agegate.gateway.family.Transport;
import dev.agegate.gateway.family.Verdict;
import dev.agegate.gateway.http.Reason;
import dev.agegate.gateway.store.Check;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The seam for presentation families (docs/decisions.md, "One seam for presentation families"):
 * a third family the protocol code has never heard of, {@code test-mac} (a MAC over the check's
 * nonce, client id, site and minimum age under a key the test holds), is asked in the request
 * object, read from the {@code vp_token}, verified and committed over real HTTP, and ends in an
 * age token naming it, with agegate-zk still working beside it on the same site. Nothing outside
 * {@link Gateway}'s list of families was changed to add it.
 */
@ServerTest
class FamilySeamTest {
  static final String MAC_ORIGIN = "https://mac.example";
  static final byte[] KEY = "the test-mac family's key, 32 b!".getBytes(StandardCharsets.US_ASCII);
  static Gateway gateway;
  private final Api api;

  FamilySeamTest(Http1Client client) {
    this.api = new Api(client);
  }

  @SetUpRoute
  static void routing(HttpRouting.Builder routing) {
    gateway = Gateway.create(Settings.from(TestGateways.config(yaml("test-mac"))), java.time.Clock.systemUTC(), v -> v,
        List.of(new TestMacFamily()));
    Main.routing(routing, gateway);
  }

  @AfterAll
  static void close() {
    gateway.close();
  }

  /** The test gateway with a third site, {@code mac-shop}, accepting agegate-zk and {@code family}. */
  static String yaml(String family) {
    String site = "    - id: mac-shop\n      origins: [\"" + MAC_ORIGIN + "\"]\n      min-age: 21\n"
        + "      families: [agegate-zk, " + family + "]\n";
    return TestGateways.yaml(TestGateways.freshDataDir(), "")
        .replace("      time-zone: Pacific/Kiritimati\n", "      time-zone: Pacific/Kiritimati\n" + site);
  }

  @Test
  void requestObject_asksEveryFamilyOfTheSite_inItsOrder() throws Exception {
    JsonObject c = api.start("mac-shop", 21, MAC_ORIGIN).claims();
    JsonObject dcql = c.getJsonObject("dcql_query");
    assertThat(dcql.getJsonArray("credentials").stream().map(q -> q.asJsonObject().getString("id")))
        .containsExactly("age_proof", "test_mac");
    assertThat(dcql.getJsonArray("credentials").getJsonObject(1).toString())
        .isEqualTo("{\"id\":\"test_mac\",\"format\":\"test-mac\",\"meta\":{\"min_age\":21}}");
    assertThat(dcql.getJsonArray("credential_sets").toString())
        .isEqualTo("[{\"options\":[[\"age_proof\"],[\"test_mac\"]],\"required\":true}]");
    assertThat(c.getJsonObject("client_metadata").getJsonObject("vp_formats_supported").keySet())
        .containsExactly("agegate-zk-age", "test-mac");
    assertThat(c.getString("response_mode")).as("no family of the site needs encryption").isEqualTo("direct_post");
    assertThat(c.getJsonObject("test_mac_claim").getString("hello")).as("the family's own claim").isEqualTo("mac-shop");
    assertThat(c.containsKey("agegate")).as("agegate-zk's claim, beside it").isTrue();

    JsonObject zkOnly = api.start("shop", 18, TestGateways.SHOP_ORIGIN).claims();
    assertThat(zkOnly.getJsonObject("dcql_query").getJsonArray("credentials")).hasSize(1);
    assertThat(zkOnly.containsKey("test_mac_claim")).as("a site that does not accept it is not asked").isFalse();
  }

  @Test
  void answer_verifiedByTheThirdFamily_tokenNamesIt() throws Exception {
    Api.Started s = api.start("mac-shop", 21, MAC_ORIGIN);
    Api.Resp r = api.respond(s.requestId(), vpToken(mac(s.claims())), s.state());
    assertThat(r.status()).as(r.body()).isEqualTo(200);

    Api.Resp t = api.postJson("/v1/checks/" + s.tx() + "/token", "{\"code_verifier\":\"" + Api.VERIFIER + "\"}",
        MAC_ORIGIN);
    assertThat(t.status()).as(t.body()).isEqualTo(200);
    Map<String, Object> claims = SignedJWT.parse(t.json().getString("token")).getJWTClaimsSet().getClaims();
    assertThat(claims).containsEntry("method", "test-mac").containsEntry("age_over", 21L)
        .containsEntry("assurance", 3L);
  }

  @Test
  void answer_macOverAnotherCheck_rejectedWithTheFamilysReason() throws Exception {
    Api.Started s = api.start("mac-shop", 21, MAC_ORIGIN);
    Api.Started other = api.start("mac-shop", 21, MAC_ORIGIN);
    Api.Resp r = api.respond(s.requestId(), vpToken(mac(other.claims())), s.state());
    assertThat(r.status()).as(r.body()).isEqualTo(422);
    assertThat(r.reason()).isEqualTo("proof_invalid");
    JsonObject status = api.get("/v1/checks/" + s.tx()).json();
    assertThat(status.getString("status")).isEqualTo("rejected");
    assertThat(status.getString("reason")).as("the family's finer reason, kept by the check").isEqualTo("test_mac_invalid");
  }

  @Test
  void answer_unreadable_refusedBeforeVerification() throws Exception {
    Api.Started s = api.start("mac-shop", 21, MAC_ORIGIN);
    Api.Resp r = api.respond(s.requestId(), "{\"test_mac\":[\"short\"]}", s.state());
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.reason()).isEqualTo("proof_malformed");
    assertThat(r.json().getString("detail")).isEqualTo("a test-mac presentation is 43 base64url characters");
  }

  @Test
  void answer_toASiteWithoutTheFamily_familyNotAccepted() throws Exception {
    Api.Started s = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    JsonObject c = s.claims();
    byte[] forThisCheck = TestMacFamily.mac(c.getString("nonce"), c.getString("client_id"), "shop", 18);
    Api.Resp r = api.respond(s.requestId(), vpToken(forThisCheck), s.state());
    assertThat(r.status()).as(r.body()).isEqualTo(422);
    assertThat(r.reason()).isEqualTo("family_not_accepted");
    assertThat(r.json().getString("detail")).contains("test-mac");
  }

  @Test
  void agegateZk_stillVerifiesOnTheSameSite() throws Exception {
    Api.Started s = api.start("mac-shop", 21, MAC_ORIGIN);
    Api.Resp r = api.respond(s.requestId(), Api.prove(s), s.state());
    assertThat(r.status()).as(r.body()).isEqualTo(200);
  }

  @Test
  void start_siteWithAFamilyTheGatewayDoesNotHave_refusedNamingBoth() {
    assertThatThrownBy(() -> Gateway.create(Settings.from(TestGateways.config(yaml("sd-jwt"))),
        java.time.Clock.systemUTC(), v -> v))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("site 'mac-shop'").hasMessageContaining("'sd-jwt'")
        .hasMessageContaining("agegate-zk");
  }

  static String vpToken(byte[] mac) {
    return "{\"test_mac\":[\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(mac) + "\"]}";
  }

  /** What a wallet of the test family presents for the request object {@code claims}. */
  static byte[] mac(JsonObject claims) throws Exception {
    return TestMacFamily.mac(claims.getString("nonce"), claims.getString("client_id"),
        claims.getJsonObject("test_mac_claim").getString("hello"),
        claims.getJsonObject("dcql_query").getJsonArray("credentials").getJsonObject(1).getJsonObject("meta")
            .getInt("min_age"));
  }

  /** The third family: HMAC-SHA-256 over what the check binds, proving "at least N" at assurance 3. */
  static final class TestMacFamily implements PresentationFamily {
    static byte[] mac(String nonce, String clientId, String site, int minAge) throws Exception {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(new SecretKeySpec(KEY, "HmacSHA256"));
      return m.doFinal((nonce + "\0" + clientId + "\0" + site + "\0" + minAge).getBytes(StandardCharsets.UTF_8));
    }

    record MacAnswer(byte[] mac) implements Answer {
      @Override
      public String family() {
        return "test-mac";
      }
    }

    @Override
    public String id() {
      return "test-mac";
    }

    @Override
    public boolean asks(int minAge) {
      return true;
    }

    @Override
    public List<Map<String, Object>> credentialQueries(Check c, Transport transport) {
      if (transport != Transport.SIGNED_REQUEST) {
        return List.of();
      }
      Map<String, Object> q = new LinkedHashMap<>();
      q.put("id", "test_mac");
      q.put("format", "test-mac");
      q.put("meta", Map.of("min_age", c.minAge()));
      return List.of(q);
    }

    @Override
    public Map<String, Object> vpFormats() {
      return Map.of("test-mac", Map.of("alg", "HS256"));
    }

    @Override
    public boolean encryptedResponse() {
      return false;
    }

    @Override
    public Map<String, Object> requestClaims(Check c) {
      return Map.of("test_mac_claim", Map.of("hello", c.siteId()));
    }

    @Override
    public boolean answers(String queryId) {
      return "test_mac".equals(queryId);
    }

    @Override
    public Answer read(String queryId, JsonValue presentations) throws Unreadable {
      if (!(presentations instanceof JsonArray a) || a.size() != 1 || !(a.get(0) instanceof JsonString s)
          || !s.getString().matches("[A-Za-z0-9_-]{43}")) {
        throw new Unreadable(Reason.PROOF_MALFORMED, "a test-mac presentation is 43 base64url characters");
      }
      return new MacAnswer(Base64.getUrlDecoder().decode(s.getString()));
    }

    @Override
    public Verdict verify(Check c, Answer answer, Binding binding) {
      try {
        byte[] expected = mac(c.nonce(), binding.clientId(), c.siteId(), c.minAge());
        return MessageDigest.isEqual(expected, ((MacAnswer) answer).mac())
            ? Verdict.verified("test-mac", 3, null)
            : Verdict.refused(Reason.PROOF_INVALID, "the MAC is not this check's", "test_mac_invalid");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
