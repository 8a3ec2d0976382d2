package dev.agegate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agegate.gateway.config.Settings;
import dev.agegate.zk.DevKeys;
import dev.agegate.zk.Verifier;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** What a gateway refuses to start with. */
class StartupTest {
  static Settings pinned(String fingerprint) {
    Fixture.get();
    String yaml = TestGateways.yaml(TestGateways.freshDataDir(), "")
        .replace("    dev-keys: true\n", "    dev-keys: false\n    fingerprint: \"" + fingerprint + "\"\n")
        .replace("  circuit:\n", "  client-id:\n    self-signed: true\n  circuit:\n");
    assertThat(yaml).contains("fingerprint: \"" + fingerprint);
    return Settings.from(TestGateways.config(yaml));
  }

  /**
   * The pin is what makes every proof mean the published circuit: a verifying key swapped on
   * disk (another circuit, or keys from a ceremony nobody audited) stops the start, naming both
   * fingerprints, instead of verifying proofs for something else.
   */
  @Test
  void create_verifyingKeyNotThePinnedOne_refusedNamingBoth() throws Exception {
    String actual = Verifier.fingerprintOf(Files.readAllBytes(Fixture.KEYS.resolve(DevKeys.VERIFYING_KEY)));
    String other = "ab".repeat(32);
    assertThatThrownBy(() -> Gateway.create(pinned(other), java.time.Clock.systemUTC(), v -> v))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("agegate.circuit.fingerprint")
        .hasMessageContaining(actual)
        .hasMessageContaining(other);
    try (Gateway g = Gateway.create(pinned(actual), java.time.Clock.systemUTC(), v -> v)) {
      assertThat(g.fingerprint()).as("the right pin starts").isEqualTo(actual);
    }
  }

  @Test
  void secureContext_httpsOrLoopbackOnly() {
    assertThat(Gateway.secureContext("https://shop.example")).isTrue();
    assertThat(Gateway.secureContext("http://localhost:8080")).isTrue();
    assertThat(Gateway.secureContext("http://127.0.0.1:8080")).isTrue();
    assertThat(Gateway.secureContext("http://[::1]:8080")).isTrue();
    assertThat(Gateway.secureContext("http://shop.example")).isFalse();
    assertThat(Gateway.secureContext("http://localhost.evil.example")).isFalse();
    assertThat(Gateway.secureContext("http://192.168.1.20:8080")).as("a LAN demo: no DC API there").isFalse();
  }
}
