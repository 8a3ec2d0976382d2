package dev.agegate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agegate.testsupport.Prerequisites;
import dev.agegate.zk.Holders;
import io.helidon.config.Config;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.WebServer;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keys from a two-party ceremony ({@code agezk ceremony}, docs/ceremony.md), pinned by a gateway in
 * demo mode: the gateway says what they are, and the CLI wallet's proof made with the sealed
 * proving key (downloaded, its SHA-256 checked against the request) verifies through the Java
 * binding. About two minutes, almost all of it gnark's phase-2 preparation and sealing.
 */
class CeremonyKeysTest {
  static final Path AGEZK = DemoModeTest.AGEZK;
  static Gateway gateway;
  static WebServer server;
  static Api api;
  static String fingerprint;

  static String agezk(String... args) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(java.util.stream.Stream.concat(java.util.stream.Stream.of(AGEZK.toString()), java.util.Arrays.stream(args)).toList())
        .redirectErrorStream(true).start();
    assertThat(p.waitFor(300, TimeUnit.SECONDS)).as("agezk %s", List.of(args)).isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as("agezk %s: %s", List.of(args), out).isZero();
    return out;
  }

  @BeforeAll
  static void ceremonyThenGateway() throws Exception {
    if (!Files.isExecutable(AGEZK)) {
      Prerequisites.missing("agezk", "no " + AGEZK, "the circuits module builds it: mvn -pl gateway -am, or mvn -pl circuits package first");
    }
    Path dir = Files.createTempDirectory(Path.of("target"), "ceremony");
    String d = dir.resolve("D").toString();
    String keys = dir.resolve("K").toString();
    agezk("ceremony", "init", "--dir", d);
    agezk("ceremony", "contribute", "--dir", d, "--name", "alice");
    agezk("ceremony", "phase2", "--dir", d, "--beacon", "11".repeat(32));
    agezk("ceremony", "contribute", "--dir", d, "--name", "bob");
    Matcher vk = Pattern.compile("vk: ([0-9a-f]{64})").matcher(agezk("ceremony", "seal", "--dir", d, "--beacon", "22".repeat(32), "--out", keys));
    assertThat(vk.find()).isTrue();
    fingerprint = vk.group(1);

    String[] url = new String[1];
    server = TestGateways.onFreePort(port -> {
      url[0] = "http://localhost:" + port;
      Map<String, String> overrides = Map.of("agegate.data-dir", TestGateways.freshDataDir().toString(), "agegate.public-url", url[0],
          "agegate.circuit.keys-dir", keys, "agegate.circuit.fingerprint", fingerprint, "server.port", Integer.toString(port));
      Config config = DemoModeTest.demoConfig(overrides);
      gateway = Gateway.create(config);
      try {
        return WebServer.builder().config(config.get("server")).port(port).routing(r -> Main.routing(r, gateway)).build().start();
      } catch (RuntimeException e) {
        gateway.close();
        throw e;
      }
    });
    api = new Api(Http1Client.builder().baseUri(url[0]).build());
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.stop();
      gateway.close();
    }
  }

  @Test
  void ceremonyKeys_describedAndAProofWithTheSealedKeyVerifies() throws Exception {
    Api.Resp info = api.get("/v1/circuits/" + fingerprint);
    assertThat(info.status()).as(info.body()).isEqualTo(200);
    JsonObject j = info.json();
    assertThat(j.getString("keys")).isEqualTo("ceremony");
    assertThat(j.containsKey("warning")).isFalse();
    assertThat(j.getJsonObject("ceremony").getJsonObject("phase1").getJsonArray("contributions").getJsonObject(0).getString("name"))
        .isEqualTo("alice");
    assertThat(j.getJsonObject("ceremony").getJsonObject("phase2").getString("beacon")).isEqualTo("22".repeat(32));

    byte[] holder = Holders.newHolder();
    Api.Resp cred = api.postJson("/demo/issuer/credentials",
        "{\"holder_commitment\":\"" + Holders.commitment(holder).toHex() + "\",\"birth_date\":\"1990-05-17\"}", null);
    assertThat(cred.status()).as(cred.body()).isEqualTo(200);
    Api.Resp created = api.create("demo-shop", 18, "http://localhost:8080");
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    Path w = Files.createTempDirectory(Path.of("target"), "wallet");
    Files.write(w.resolve("holder.json"), holder);
    Files.writeString(w.resolve("cred.json"), cred.body());
    String out = agezk("wallet", "--credential", w.resolve("cred.json").toString(), "--holder", w.resolve("holder.json").toString(),
        created.json().getString("wallet_link"));
    assertThat(out).contains("verified");
    assertThat(api.get("/v1/checks/" + created.json().getString("transaction_id")).json().getString("status")).isEqualTo("verified");
  }
}
