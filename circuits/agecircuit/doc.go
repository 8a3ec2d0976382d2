// Package agecircuit is the "age at least N" circuit, version 2 (Groth16 over BN254).
//
// It proves, without revealing the credential, the holder secret or the issuer:
//
//   - the prover knows a holder secret s with holderCommitment = H_commitment(s);
//   - an issuer with key A signed M = H_credential(credentialID, holderCommitment, dates),
//     dates = 2 + birthDay·2^8 + issuedDay·2^25 + expiryDay·2^42 (EdDSA on Baby Jubjub,
//     MiMC challenge hash, cofactored check, as gnark-crypto's native eddsa), with R and A
//     on the curve, A not of small order and 0 <= S < ℓ, all asserted here (VerifySignature);
//   - H_trust-leaf(A.x, A.y, level) is a leaf of the trust tree (nodes H_trust-node) whose
//     root is issuerRoot;
//   - birthDay <= cutoffDay, issuedDay <= today <= expiryDay;
//   - 1 <= minAssurance <= level <= 4;
//   - nullifier = H_nullifier(scope, s): the secret is the last block, so the issuer, who
//     knows the commitment, cannot compute it;
//   - challenge is bound to the proof (challenge² is computed, so changing it
//     after proving breaks verification).
//
// H_D is MiMC with the constant tag of domain D as its first block (field.Hash, Hash): no
// two kinds of value can be confused, and in the circuit the tag block folds into a
// constant, so it costs no constraint.
//
// Public inputs, in this order: issuerRoot, cutoffDay, today, minAssurance,
// challenge, scope, nullifier. The verifier computes all of them but the
// nullifier from its own session (docs/protocol.md).
//
// Every day number is range-checked to days.Bits bits and every difference that
// encodes an inequality too, by plain bit decomposition: the circuit uses no
// Groth16 commitments (api.Commit, commitment-based range checks), so the proof is
// plain Groth16 that independent verifiers (snarkjs, Solidity) read, and the
// small-range leak of CVE-2024-45040 does not apply.
//
// Size: 15,572 R1CS constraints at trust depth 8, under 2^14 so the prover's FFT domain
// is 16,384 (measured by TestCircuit_constraintCount_atMost20000 and printed by
// `agezk setup`). The soundness argument, group by group, and the adversarial tests that
// check it are in docs/security.md.
//
// Caveats: the verifier must compute cutoffDay and today from a trusted clock and
// the site's time zone; the circuit cannot know what day it is.
package agecircuit
