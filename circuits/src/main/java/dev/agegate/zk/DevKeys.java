package dev.agegate.zk;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The single-party development setup of the circuit keys. Whoever runs it knows the setup's
 * secret and could forge proofs: for demos and tests only. Production keys come from a
 * multi-party ceremony, and a gateway pins the fingerprint of the verifying key it accepts.
 */
public final class DevKeys {
  /** File names inside a key directory. */
  public static final String PROVING_KEY = "pk.bin";

  public static final String VERIFYING_KEY = "vk.bin";

  /** Records which circuit the keys in a directory were made for. */
  public static final String CIRCUIT_ID = "circuit-id";

  private DevKeys() {}

  /** Writes {@code dir/pk.bin} and {@code dir/vk.bin} (each atomically); takes a few seconds. */
  public static void setup(Path dir) {
    byte[] d = dir.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8);
    ZkException.check(NativeLib.devSetup(d), "dev setup into " + dir);
  }

  /** The hex SHA-256 of the compiled circuit this library proves and verifies. */
  public static String circuitId() {
    byte[] out = new byte[NativeLib.FINGERPRINT_HEX];
    ZkException.check(NativeLib.circuitId(out), "circuit id");
    return new String(out, StandardCharsets.US_ASCII);
  }

  /**
   * Makes dev keys in {@code dir} unless it already holds keys for this library's circuit, so a
   * cached key directory is reused across runs and replaced when the circuit changes.
   *
   * @return true if new keys were generated
   */
  public static boolean ensure(Path dir) {
    try {
      Path id = dir.resolve(CIRCUIT_ID);
      if (Files.exists(dir.resolve(PROVING_KEY))
          && Files.exists(dir.resolve(VERIFYING_KEY))
          && Files.exists(id)
          && Files.readString(id).strip().equals(circuitId())) {
        return false;
      }
    } catch (IOException e) {
      // unreadable: regenerate
    }
    setup(dir);
    return true;
  }
}
