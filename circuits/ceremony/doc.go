// Package ceremony runs and checks the multi-party Groth16 setup of the age circuit with gnark
// v0.16.0's mpcsetup (backend/groth16/bn254/mpcsetup), contributions travelling as files.
//
// A ceremony directory D holds phase1/0000.bin (the untouched powers of τ for the circuit's FFT
// domain, 2^14), phase1/0001.bin… (one per contribution), phase2/0000.bin (what the sealed
// phase 1 gives for this circuit), phase2/0001.bin…, and transcript.json, which lists every
// file with its SHA-256, the beacons, the circuit ID and the domain size, and after Seal the
// fingerprint of the verifying key. A file's SHA-256 is mpcsetup's hash of the object it
// encodes (hash() is SHA-256 of WriteTo), so it is the challenge the next contribution's
// proofs of knowledge are bound to; each entry also records the challenge its file carries.
//
// Security rests on one honest participant per phase: the keys are sound if at least one
// contributor of phase 1 and one of phase 2 destroyed their randomness. gnark draws it from
// crypto/rand inside Contribute and never stores it in the object, so it dies with the process.
// The beacons (public random values fixed in advance) close each phase so that the last
// contributor cannot choose the outcome.
//
// Every phase file may be hostile. Before gnark's decoder sees one, its framing is walked
// (frame.go): the domain size field, every length prefix and count must be the one the
// compiled circuit implies, every point must be in the compressed encoding mpcsetup writes, and
// the fields must fill the file exactly, so no allocation depends on the file's bytes; decoding
// and verification run under recover. Nothing but Verify's success means a directory is sound:
// Contribute checks only the step it builds on.
//
// The functions are not safe for concurrent use on one directory: one coordinator hands the
// directory to one participant at a time.
package ceremony
