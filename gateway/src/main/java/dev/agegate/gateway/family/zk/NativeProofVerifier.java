package dev.agegate.gateway.family.zk;

import dev.agegate.zk.PublicInputs;
import dev.agegate.zk.Verifier;
import dev.agegate.zk.ZkStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@link ProofVerifier} over the circuits binding, pinned to one verifying key. */
public final class NativeProofVerifier implements ProofVerifier {
  private final Verifier verifier;

  private NativeProofVerifier(Verifier verifier) {
    this.verifier = verifier;
  }

  /**
   * Loads {@code vk.bin} if its fingerprint is the pinned one. The file's SHA-256 is compared
   * before the native library parses a byte of it, so a replaced key is refused by its hash and
   * never reaches a decoder.
   *
   * @param pinned the expected fingerprint (lower-case hex, as {@code Settings} normalises it), or
   *     empty to accept any (dev keys only)
   * @throws IllegalStateException if the key's fingerprint is not the pinned one
   * @throws dev.agegate.zk.ZkException {@code KEY_INVALID} if it is not a verifying key of the age circuit
   */
  public static NativeProofVerifier load(Path vkFile, String pinned) {
    byte[] vk;
    try {
      vk = Files.readAllBytes(vkFile);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read verifying key " + vkFile, e);
    }
    if (!pinned.isEmpty()) {
      String actual = Verifier.fingerprintOf(vk);
      if (!pinned.equals(actual)) {
        throw new IllegalStateException("agegate.circuit.fingerprint: the verifying key " + vkFile + " has fingerprint "
            + actual + ", not the pinned " + pinned);
      }
    }
    return new NativeProofVerifier(Verifier.load(vk));
  }

  @Override
  public ZkStatus verify(byte[] proof, PublicInputs inputs) {
    return verifier.verify(proof, inputs);
  }

  @Override
  public String fingerprint() {
    return verifier.fingerprint();
  }

  @Override
  public void close() {
    verifier.close();
  }
}
