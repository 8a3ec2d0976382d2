package dev.agegate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agegate.gateway.demo.DemoSetup;
import dev.agegate.zk.Holders;
import dev.agegate.zk.Prover;
import io.helidon.config.Config;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.WebServer;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Demo mode as a newcomer runs it: the demo defaults, the demo issuer, and a real wallet. The
 * wallet is the circuits module's {@code agezk wallet} (Go) when it has been built; otherwise
 * the Java prover stands in, so the test still covers the demo issuer's credentials.
 */
class DemoModeTest {
  static final Path AGEZK = Path.of("../circuits/target/agezk");
  static Gateway gateway;
  static WebServer server;
  static Api api;
  static String url;

  @BeforeAll
  static void start() throws Exception {
    server = TestGateways.onFreePort(port -> {
      url = "http://localhost:" + port;
      Path data = TestGateways.freshDataDir();
      Map<String, String> overrides = Map.of("agegate.data-dir", data.toString(), "agegate.public-url", url,
          "agegate.circuit.keys-dir", Fixture.KEYS.toString(), "server.port", Integer.toString(port));
      Config config = demoConfig(overrides);
      gateway = Gateway.create(config);
      try {
        return WebServer.builder().config(config.get("server")).port(port).routing(r -> Main.routing(r, gateway)).build().start();
      } catch (RuntimeException e) {
        gateway.close();
        throw e;
      }
    });
    api = new Api(Http1Client.builder().baseUri(url).build());
  }

  /** The demo's config as Main builds it: the demo defaults, DemoSetup's files, then overrides. */
  static Config demoConfig(Map<String, String> overrides) {
    Map<String, String> prepared = new java.util.HashMap<>(DemoSetup.prepare(Main.config(true, overrides)));
    prepared.putAll(overrides);
    return Main.config(true, prepared);
  }

  @AfterAll
  static void stop() {
    server.stop();
    gateway.close();
  }

  @Test
  void demoIssuerPage_marksItselfAsDemo() {
    Api.Resp r = api.get("/demo/issuer");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.contentType()).startsWith("text/html");
    assertThat(r.body()).contains("DEMO ISSUER").contains("not a real identity check");
  }

  @Test
  void demoIssuer_badCommitmentOrDate_400MalformedRequest() {
    Api.Resp bad = api.postJson("/demo/issuer/credentials", "{\"holder_commitment\":\"zz\",\"birth_date\":\"2000-01-01\"}", null);
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.reason()).isEqualTo("malformed_request");
    String c = Holders.commitment(Holders.newHolder()).toHex();
    Api.Resp future = api.postJson("/demo/issuer/credentials",
        "{\"holder_commitment\":\"" + c + "\",\"birth_date\":\"" + LocalDate.now().plusDays(2) + "\"}", null);
    assertThat(future.status()).isEqualTo(400);
  }

  @Test
  void demo_walletWithDemoCredential_verifiedAndTokenForDemoShop() throws Exception {
    byte[] holder = Holders.newHolder();
    Api.Resp cred = api.postJson("/demo/issuer/credentials",
        "{\"holder_commitment\":\"" + Holders.commitment(holder).toHex() + "\",\"birth_date\":\"1990-05-17\"}", null);
    assertThat(cred.status()).as(cred.body()).isEqualTo(200);
    assertThat(cred.json().getString("type")).isEqualTo("agegate-age-credential");

    Api.Resp created = api.create("demo-shop", 18, "http://localhost:8080");
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    JsonObject c = created.json();
    String tx = c.getString("transaction_id");

    if (Files.isExecutable(AGEZK)) {
      Path dir = Files.createTempDirectory(Path.of("target"), "wallet");
      Files.write(dir.resolve("holder.json"), holder);
      Files.writeString(dir.resolve("cred.json"), cred.body());
      Process p = new ProcessBuilder(AGEZK.toString(), "wallet", "--credential", dir.resolve("cred.json").toString(),
          "--holder", dir.resolve("holder.json").toString(), c.getString("wallet_link"))
          .redirectErrorStream(true).start();
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.exitValue()).as(out).isZero();
      assertThat(out).contains("Demo Shop asks: are you 18 or older?").contains("verified");
    } else {
      String ru = c.getString("request_uri");
      String requestId = ru.substring(ru.lastIndexOf('/') + 1);
      Api.Resp ro = api.get("/v1/requests/" + requestId);
      Api.Started s = new Api.Started(tx, requestId, c, com.nimbusds.jwt.SignedJWT.parse(ro.body()));
      byte[] trust = api.get("/v1/trust-list").body().getBytes(StandardCharsets.UTF_8);
      JsonObject a = s.claims().getJsonObject("agegate");
      Prover.Proof proof = Fixture.get().prover.prove(cred.body().getBytes(StandardCharsets.UTF_8), holder, trust,
          new Prover.ProofRequest(LocalDate.parse(a.getString("today")), 18, a.getInt("min_assurance"),
              s.claims().getString("nonce"), a.getString("audience"), "demo-shop"));
      Api.Resp posted = api.respond(requestId, dev.agegate.gateway.family.zk.Presentation.vpToken(proof.proof(), proof.nullifier()),
          s.state());
      assertThat(posted.status()).as(posted.body()).isEqualTo(200);
    }
    assertThat(api.get("/v1/checks/" + tx).json().getString("status")).isEqualTo("verified");
    Api.Resp token = api.postJson("/v1/checks/" + tx + "/token", "{\"code_verifier\":\"" + Api.VERIFIER + "\"}",
        "http://localhost:8080");
    assertThat(token.status()).as(token.body()).isEqualTo(200);
    assertThat(com.nimbusds.jwt.SignedJWT.parse(token.json().getString("token")).getJWTClaimsSet().getAudience())
        .containsExactly("demo-shop");
  }

  /** A data directory from a circuit v1 build holds a v1 trust list: the demo rebuilds it by itself. */
  @Test
  void demoSetup_trustListOfCircuitV1_rebuilt() throws IOException {
    Path data = TestGateways.freshDataDir();
    Config config = Main.config(true, Map.of("agegate.data-dir", data.toString()));
    Path trust = Path.of(DemoSetup.prepare(config).get("agegate.trust.file"));
    String current = Files.readString(trust);
    String old = current.replaceFirst("\"version\":\\s*2", "\"version\": 1");
    assertThat(old).isNotEqualTo(current);
    Files.writeString(trust, old);
    Path again = Path.of(DemoSetup.prepare(config).get("agegate.trust.file"));
    assertThat(Files.readString(again)).containsPattern("\"version\":\\s*2");
    assertThat(dev.agegate.zk.TrustLists.root(Files.readAllBytes(again)).toHex()).isEqualTo(dev.agegate.zk.TrustLists.root(current.getBytes(StandardCharsets.UTF_8)).toHex());
  }
}
