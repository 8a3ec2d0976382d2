package dev.agegate.gateway.verify;

import dev.agegate.zk.PublicInputs;
import dev.agegate.zk.Verifier;
import dev.agegate.zk.ZkStatus;
import java.nio.file.Path;

/** {@link ProofVerifier} over the circuits binding, pinned to one verifying key. */
public final class NativeProofVerifier implements ProofVerifier {
  private final Verifier verifier;

  private NativeProofVerifier(Verifier verifier) {
    this.verifier = verifier;
  }

  /**
   * Loads {@code vk.bin} and checks its fingerprint.
   *
   * @param pinned the expected fingerprint, or empty to accept any (dev keys only)
   * @throws IllegalStateException if the key's fingerprint is not the pinned one
   */
  public static NativeProofVerifier load(Path vkFile, String pinned) {
    Verifier v = Verifier.load(vkFile);
    if (!pinned.isEmpty() && !pinned.equals(v.fingerprint())) {
      v.close();
      throw new IllegalStateException("agegate.circuit.fingerprint: the verifying key " + vkFile + " has fingerprint "
          + v.fingerprint() + ", not the pinned " + pinned);
    }
    return new NativeProofVerifier(v);
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
