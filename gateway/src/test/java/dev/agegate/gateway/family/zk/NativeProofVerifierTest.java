package dev.agegate.gateway.family.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agegate.zk.DevKeys;
import dev.agegate.zk.Verifier;
import dev.agegate.zk.ZkException;
import dev.agegate.zk.ZkStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeProofVerifierTest {
  /** The dev keys every gateway test shares (see dev.agegate.gateway.Fixture). */
  static final Path KEYS = Path.of("target/test-keys");

  /** Offset of K's uint32 length in a raw verifying key: α₁, β₁ (64 bytes), β₂, γ₂ (128), δ₁, δ₂. */
  static final int K_LENGTH_OFFSET = 3 * 64 + 3 * 128;

  static byte[] vk;
  static String pin;

  @TempDir
  Path dir;

  @BeforeAll
  static void keys() throws IOException {
    DevKeys.ensure(KEYS);
    vk = Files.readAllBytes(KEYS.resolve(DevKeys.VERIFYING_KEY));
    pin = Verifier.fingerprintOf(vk);
  }

  /** The real key with K's length prefix set to 0xFFFFFFFF, at the real key's length. */
  Path hostileKey() throws IOException {
    byte[] b = vk.clone();
    Arrays.fill(b, K_LENGTH_OFFSET, K_LENGTH_OFFSET + 4, (byte) 0xff);
    return Files.write(dir.resolve("vk.bin"), b);
  }

  @Test
  void load_pinnedKey_loadedWithItsFingerprint() {
    try (NativeProofVerifier v = NativeProofVerifier.load(KEYS.resolve(DevKeys.VERIFYING_KEY), pin)) {
      assertThat(v.fingerprint()).isEqualTo(pin);
    }
  }

  @Test
  void load_otherKeyUnderPin_failsNamingBothBeforeParsing() throws IOException {
    Path file = hostileKey();
    String actual = Verifier.fingerprintOf(Files.readAllBytes(file));
    // IllegalStateException from the pin, not ZkException from the native load: the bytes never reached it
    assertThatThrownBy(() -> NativeProofVerifier.load(file, pin))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("agegate.circuit.fingerprint")
        .hasMessageContaining("has fingerprint " + actual)
        .hasMessageContaining("not the pinned " + pin);
  }

  // Unpinned (dev keys), the native framing check refuses it; gnark's decoder alone used to
  // allocate 2^32-1 points (256 GiB) and kill the JVM.
  @Test
  void load_hostileKeyUnpinned_keyInvalid() throws IOException {
    Path file = hostileKey();
    assertThatThrownBy(() -> NativeProofVerifier.load(file, ""))
        .isInstanceOfSatisfying(ZkException.class, e -> assertThat(e.status()).isEqualTo(ZkStatus.KEY_INVALID));
  }
}
