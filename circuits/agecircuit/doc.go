// Package agecircuit is the "age at least N" circuit (Groth16 over BN254).
//
// It proves, without revealing the credential, the holder secret or the issuer:
//
//   - the prover knows a holder secret s with holderCommitment = MiMC(s);
//   - an issuer with key A signed M = MiMC(credentialID, holderCommitment, dates),
//     dates = 1 + birthDay·2^8 + issuedDay·2^25 + expiryDay·2^42 (EdDSA on Baby
//     Jubjub, MiMC challenge hash, S <= group order as gnark checks it);
//   - MiMC(A.x, A.y, level) is a leaf of the trust tree whose root is issuerRoot;
//   - birthDay <= cutoffDay, issuedDay <= today <= expiryDay;
//   - 1 <= minAssurance <= level <= 4;
//   - nullifier = MiMC(s, scope);
//   - challenge is bound to the proof (challenge² is computed, so changing it
//     after proving breaks verification).
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
// Size: 16,105 R1CS constraints at trust depth 8, under 2^14 so the prover's FFT domain
// is 16,384 (measured by TestCircuit_constraintCount
// and printed by `agezk setup`).
//
// Caveats: the verifier must compute cutoffDay and today from a trusted clock and
// the site's time zone; the circuit cannot know what day it is.
package agecircuit
