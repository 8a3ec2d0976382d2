package dev.agegate.zk;

import java.nio.charset.StandardCharsets;
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

  private DevKeys() {}

  /** Writes {@code dir/pk.bin} and {@code dir/vk.bin} (each atomically); takes a few seconds. */
  public static void setup(Path dir) {
    byte[] d = dir.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8);
    ZkException.check(NativeLib.devSetup(d), "dev setup into " + dir);
  }
}
