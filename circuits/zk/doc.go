// Package zk compiles the age circuit, runs the (development) setup, builds
// witnesses from wallet files, proves, and verifies.
//
// Keys are identified by Fingerprint: the SHA-256 of the verifying key's raw
// serialisation. Key bytes may be hostile: UnmarshalVerifyingKey and UnmarshalProvingKey
// check their exact framing against the compiled circuit before gnark's decoders see them
// (whose length prefixes would otherwise size allocations), and NewVerifierPinned compares
// the fingerprint before parsing at all. Proofs travel as the fixed 256-byte encoding of docs/protocol.md
// (EncodeProof / DecodeProof), which refuses coordinates >= p, points off the
// curve or outside their subgroup, the point at infinity, and any other length.
// Public inputs travel as 7 canonical 32-byte field elements.
//
// Thread safety: a *Verifier and a *Prover are safe for concurrent use; they hold
// immutable keys.
package zk
