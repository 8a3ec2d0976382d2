package dev.agegate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agegate.gateway.family.mdoc.NodeWallet;
import dev.agegate.gateway.family.mdoc.TestPki;
import dev.agegate.testsupport.MutableClock;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A genuine Annex C answer, held back until its check expired (the gateway's clock moved past
 * the check's lifetime): 410 {@code check_expired}, never verified, and no token; the same
 * answer made before expiry for a second check still verifies (the refusal is the expiry, not
 * the answer).
 */
class DcApiExpiryTest {
  final MutableClock clock = MutableClock.ticking();

  @Test
  void genuineAnswer_afterTheCheckExpired_410NoVerdictNoToken() throws Exception {
    Instant now = Instant.now();
    TestPki.Issued iaca = TestPki.iaca("Expiry IACA", now.minus(Duration.ofDays(30)), now.plus(Duration.ofDays(3650)));
    TestPki.Issued ds = TestPki.documentSigner(iaca, "Expiry DS", now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(90)), true);
    Path iacaDir = Files.createTempDirectory("dcapi-expiry-iaca");
    Files.writeString(iacaDir.resolve("iaca.pem"), iaca.pem());
    try (TestNode n = TestNode.startEdited(clock, v -> v, """
          mdoc:
            iaca-dir: %s
        """.formatted(iacaDir.toAbsolutePath()),
        y -> y.replaceFirst("      pseudonym: true\n", "      pseudonym: true\n      families: [agegate-zk, mso_mdoc]\n"))) {
      Api.Started late = n.api.start("shop", 18, TestGateways.SHOP_ORIGIN);
      Api.Started onTime = n.api.start("shop", 18, TestGateways.SHOP_ORIGIN);
      Map<String, Object> deviceKey = TestPki.jwk(TestPki.ecKeyPair("secp256r1"));
      String lateBody = body(wallet(late, ds, deviceKey, now));
      String onTimeBody = body(wallet(onTime, ds, deviceKey, now));

      assertThat(n.api.postJson("/v1/checks/" + onTime.tx() + "/dc-response", onTimeBody, TestGateways.SHOP_ORIGIN).status())
          .isEqualTo(200);
      clock.advance(n.gateway.settings().checkLifetime().plusSeconds(1));
      Api.Resp r = n.api.postJson("/v1/checks/" + late.tx() + "/dc-response", lateBody, TestGateways.SHOP_ORIGIN);
      assertThat(r.status()).as(r.body()).isEqualTo(410);
      assertThat(r.reason()).isEqualTo("check_expired");
      JsonObject s = n.api.get("/v1/checks/" + late.tx()).json();
      assertThat(s.getString("status")).isEqualTo("expired");
      assertThat(n.api.redeem(late.tx(), Api.VERIFIER).status()).isNotEqualTo(200);
    }
  }

  private static String body(String sealed) {
    return Json.createObjectBuilder().add("protocol", "org-iso-mdoc")
        .add("data", Json.createObjectBuilder().add("response", sealed)).build().toString();
  }

  private static String wallet(Api.Started s, TestPki.Issued ds, Map<String, Object> deviceKey, Instant now) throws Exception {
    JsonObject data = s.created().getJsonObject("digital").getJsonArray("requests").getJsonObject(0).getJsonObject("data");
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("kind", "annexc");
    t.put("origin", TestGateways.SHOP_ORIGIN);
    t.put("deviceRequest", data.getString("deviceRequest"));
    t.put("encryptionInfo", data.getString("encryptionInfo"));
    Map<String, Object> w = new LinkedHashMap<>();
    w.put("name", "case");
    w.put("docType", "eu.europa.ec.av.1");
    w.put("issuerKey", ds.jwk());
    w.put("issuerChain", List.of(ds.pem()));
    w.put("deviceKey", deviceKey);
    w.put("signed", now.minus(Duration.ofHours(1)).toString());
    w.put("validFrom", now.minus(Duration.ofHours(1)).toString());
    w.put("validUntil", now.plus(Duration.ofDays(30)).toString());
    w.put("elements", Map.of("age_over_18", true));
    w.put("transcript", t);
    return NodeWallet.annexC(List.of(w)).get("case");
  }
}
