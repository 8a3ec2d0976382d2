// Package credential defines the issuer-signed age credential and the keys around
// it: issuer keys (EdDSA on BN254's twisted Edwards curve, "Baby Jubjub"), the
// holder secret and its commitment, and native signing and checking.
//
// The signed message is M = Hash(DomainCredential, credentialID, holderCommitment, dates)
// (field.Hash: MiMC with a domain tag as the first block) with
// dates = version + birthDay·2^8 + issuedDay·2^25 + expiryDay·2^42 (PackDates); the
// signature is gnark-crypto's EdDSA over M with MiMC as the challenge hash, which is
// exactly what the circuit verifies. An issuer only ever sees the holder's commitment
// Hash(DomainCommitment, secret), never the secret, and cannot compute the holder's
// nullifiers from it. Issuer keys are refused unless they generate the prime-order
// subgroup (DecodeKey).
//
// Every type here has a JSON form documented in circuits/README.md. Decoding is
// strict: unknown fields, wrong types, non-canonical field elements, points off
// the curve and dates out of range are errors.
package credential
