package dev.agegate.gateway.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the gateway says about its circuit keys, from a key folder with or without a transcript. */
class CircuitKeysTest {
  static final String FP = "a".repeat(64);
  static final String URI = "http://gw/v1/circuits/" + FP + "/proving-key";

  /** A sealed transcript in the format agezk ceremony writes (circuits/ceremony). */
  static String transcript(String fingerprint) {
    return """
        {"type":"agegate-ceremony-transcript","version":1,"circuit_id":"%s","domain_size":16384,
         "phase1":{"files":[{"file":"phase1/0000.bin","sha256":"%s"},
                            {"file":"phase1/0001.bin","sha256":"%s","challenge":"%s","name":"Alice"},
                            {"file":"phase1/0002.bin","sha256":"%s","challenge":"%s"}],"beacon":"%s"},
         "phase2":{"files":[{"file":"phase2/0000.bin","sha256":"%s"},
                            {"file":"phase2/0001.bin","sha256":"%s","challenge":"%s","name":"Bob"}],"beacon":"%s"},
         "vk_fingerprint":"%s"}
        """.formatted("c".repeat(64), "1".repeat(64), "2".repeat(64), "1".repeat(64), "3".repeat(64), "2".repeat(64),
        "b".repeat(64), "4".repeat(64), "5".repeat(64), "4".repeat(64), "e".repeat(64), fingerprint);
  }

  static JsonObject json(CircuitKeys k) {
    return Json.createReader(new StringReader(new String(k.json(), StandardCharsets.UTF_8))).readObject();
  }

  @org.junit.jupiter.api.BeforeEach
  void provingKey(@TempDir Path dir) throws IOException {
    this.dir = dir;
    Files.write(dir.resolve("pk.bin"), new byte[] {1, 2, 3});
  }

  Path dir;

  @Test
  void provingKeyDigest_isTheFilesSha256() {
    assertThat(CircuitKeys.load(dir, FP, true, URI).provingKeySha256())
        .isEqualTo("039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81");
    assertThat(json(CircuitKeys.load(dir, FP, true, URI)).getString("pk_sha256")).hasSize(64);
  }

  @Test
  void noTranscript_devKeysAllowed_saysDevelopmentKeys() {
    CircuitKeys k = CircuitKeys.load(dir, FP, true, URI);
    assertThat(k.development()).isTrue();
    assertThat(k.summary()).startsWith("DEVELOPMENT circuit keys");
    JsonObject j = json(k);
    assertThat(j.getString("keys")).isEqualTo("development");
    assertThat(j.getString("warning")).contains("can forge proofs");
    assertThat(j.isNull("ceremony")).isTrue();
  }

  @Test
  void noTranscript_pinned_saysPinnedWithoutCeremony() {
    CircuitKeys k = CircuitKeys.load(dir, FP, false, URI);
    assertThat(k.development()).isFalse();
    assertThat(json(k).getString("keys")).isEqualTo("pinned");
  }

  @Test
  void transcriptOfTheseKeys_summaryServedAndLogged() throws IOException {
    Files.writeString(dir.resolve(CircuitKeys.TRANSCRIPT), transcript(FP));
    CircuitKeys k = CircuitKeys.load(dir, FP, true, URI);
    assertThat(k.development()).isFalse();
    assertThat(k.summary()).contains("2 contributions (Alice, anonymous) in phase 1", "1 contribution (Bob) in phase 2", "b".repeat(64));
    JsonObject j = json(k);
    assertThat(j.getString("keys")).isEqualTo("ceremony");
    assertThat(j.getString("proving_key_uri")).isEqualTo(URI);
    JsonObject c = j.getJsonObject("ceremony");
    assertThat(c.getJsonObject("phase1").getJsonArray("contributions")).hasSize(2);
    assertThat(c.getJsonObject("phase2").getJsonArray("contributions").getJsonObject(0).getString("name")).isEqualTo("Bob");
    assertThat(c.getJsonObject("phase2").getString("beacon")).isEqualTo("e".repeat(64));
  }

  @Test
  void transcriptOfOtherKeys_refusedAtStart() throws IOException {
    Files.writeString(dir.resolve(CircuitKeys.TRANSCRIPT), transcript("f".repeat(64)));
    assertThatThrownBy(() -> CircuitKeys.load(dir, FP, false, URI))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("f".repeat(64)).hasMessageContaining(FP);
  }

  @Test
  void malformedOrUnsealedTranscript_refusedAtStart() throws IOException {
    Path t = dir.resolve(CircuitKeys.TRANSCRIPT);
    for (String bad : new String[] {"not json", "[]", "{\"type\":\"something-else\"}",
        transcript(FP).replace(",\"beacon\":\"" + "e".repeat(64) + "\"", ""), // phase 2 not sealed
        "{\"type\":\"agegate-ceremony-transcript\",\"vk_fingerprint\":\"" + FP + "\"}"}) {
      Files.writeString(t, bad);
      assertThatThrownBy(() -> CircuitKeys.load(dir, FP, false, URI)).as(bad).isInstanceOf(IllegalStateException.class);
    }
  }
}
