package dev.agegate.gateway.family.zk;

import dev.agegate.zk.PublicInputs;
import dev.agegate.zk.ZkStatus;

/**
 * Verifies one age proof. The gateway's seam over the native binding: thread-safe; a call may
 * block (native code), so callers run it on {@link VerificationPool}'s platform threads.
 */
public interface ProofVerifier extends AutoCloseable {

  /**
   * @param proof the 256-byte proof from the wallet
   * @param inputs the public inputs the gateway computed, with the wallet's nullifier
   * @return {@link ZkStatus#OK} only for a valid proof
   */
  ZkStatus verify(byte[] proof, PublicInputs inputs);

  /** The pinned verifying key's fingerprint (lower-case hex SHA-256). */
  String fingerprint();

  @Override
  void close();
}
