package dev.agegate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agegate.gateway.family.mdoc.NodeWallet;
import dev.agegate.gateway.family.mdoc.TestPki;
import dev.agegate.gateway.store.Check;
import dev.agegate.testsupport.MutableClock;
import io.helidon.http.HeaderNames;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code dc-response} when the gateway cannot verify now: the verification pool is full (two ZK
 * proofs held in a steered verifier), so a genuine Annex C answer is refused 503
 * {@code overloaded}, its claim given back and the check left open; once the pool drains, the
 * same answer verifies.
 */
class DcApiFailuresTest {
  final MutableClock clock = MutableClock.ticking();

  @Test
  void dcResponse_verificationQueueFull_503AndTheSameAnswerVerifiesAfterwards() throws Exception {
    Instant now = Instant.now();
    TestPki.Issued iaca = TestPki.iaca("Overload IACA", now.minus(Duration.ofDays(30)), now.plus(Duration.ofDays(3650)));
    TestPki.Issued ds = TestPki.documentSigner(iaca, "Overload DS", now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(90)), true);
    Path iacaDir = Files.createTempDirectory("dcapi-iaca");
    Files.writeString(iacaDir.resolve("iaca.pem"), iaca.pem());
    SteeredVerifier[] v = new SteeredVerifier[1];
    try (TestNode n = TestNode.startEdited(clock, x -> v[0] = new SteeredVerifier(x), """
          verify:
            threads: 1
            queue: 1
          mdoc:
            iaca-dir: %s
        """.formatted(iacaDir.toAbsolutePath()),
        y -> y.replaceFirst("      pseudonym: true\n", "      pseudonym: true\n      families: [agegate-zk, mso_mdoc]\n"))) {
      Api.Started a = n.api.start("shop", 18, TestGateways.SHOP_ORIGIN);
      Api.Started b = n.api.start("shop", 18, TestGateways.SHOP_ORIGIN);
      Api.Started c = n.api.start("shop", 18, TestGateways.SHOP_ORIGIN);
      JsonObject data = c.created().getJsonObject("digital").getJsonArray("requests").getJsonObject(0).getJsonObject("data");
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
      w.put("deviceKey", TestPki.jwk(TestPki.ecKeyPair("secp256r1")));
      w.put("signed", now.minus(Duration.ofHours(1)).toString());
      w.put("validFrom", now.minus(Duration.ofHours(1)).toString());
      w.put("validUntil", now.plus(Duration.ofDays(30)).toString());
      w.put("elements", Map.of("age_over_18", true));
      w.put("transcript", t);
      String body = Json.createObjectBuilder().add("protocol", "org-iso-mdoc")
          .add("data", Json.createObjectBuilder().add("response", NodeWallet.annexC(List.of(w)).get("case"))).build().toString();

      String vpA = Api.prove(a);
      String vpB = Api.prove(b);
      CountDownLatch hold = new CountDownLatch(1);
      v[0].hold = hold;
      String stA = a.state();
      String stB = b.state();
      CompletableFuture<Api.Resp> ra = CompletableFuture.supplyAsync(() -> n.api.respond(a.requestId(), vpA, stA), ResponseFailuresTest.THREADS);
      assertThat(v[0].entered.tryAcquire(30, TimeUnit.SECONDS)).as("A's verification runs").isTrue();
      CompletableFuture<Api.Resp> rb = CompletableFuture.supplyAsync(() -> n.api.respond(b.requestId(), vpB, stB), ResponseFailuresTest.THREADS);
      ResponseFailuresTest.awaitTrue(n.gateway.pool::full, "B queued behind A");

      Api.Resp full = n.api.postJson("/v1/checks/" + c.tx() + "/dc-response", body, TestGateways.SHOP_ORIGIN);
      assertThat(full.status()).as(full.body()).isEqualTo(503);
      assertThat(full.reason()).isEqualTo("overloaded");
      assertThat(full.headers().first(HeaderNames.RETRY_AFTER)).isPresent();
      Check after = n.gateway.store.byTransaction(c.tx()).orElseThrow();
      assertThat(after.claim()).as("the claim is given back").isNull();
      assertThat(ResponseFailuresTest.status(n, c.tx())).isIn("pending", "scanned");

      hold.countDown();
      assertThat(ra.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
      assertThat(rb.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
      v[0].hold = null;
      Api.Resp retry = n.api.postJson("/v1/checks/" + c.tx() + "/dc-response", body, TestGateways.SHOP_ORIGIN);
      assertThat(retry.status()).as(retry.body()).isEqualTo(200);
      assertThat(retry.json().getString("status")).isEqualTo("verified");
    }
  }
}
