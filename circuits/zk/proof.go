package zk

import (
	"errors"
	"fmt"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	groth16bn254 "github.com/consensys/gnark/backend/groth16/bn254"

	"agegate.dev/circuits/days"
	"agegate.dev/circuits/field"
)

// ProofSize is the length of an encoded proof: A (G1) ‖ B (G2) ‖ C (G1), uncompressed.
const ProofSize = 64 + 128 + 64

// InputsSize is the length of encoded public inputs.
const InputsSize = NbPublic * field.Size

// Errors a verification can end with; callers map them to status codes.
var (
	ErrProofMalformed = errors.New("proof is malformed")
	ErrInputMalformed = errors.New("public inputs are malformed")
	ErrProofInvalid   = errors.New("proof does not verify")
)

// EncodeProof returns the 256-byte wire form of a proof.
func EncodeProof(p *groth16bn254.Proof) []byte {
	out := make([]byte, 0, ProofSize)
	a, b, c := p.Ar.RawBytes(), p.Bs.RawBytes(), p.Krs.RawBytes()
	out = append(out, a[:]...)
	out = append(out, b[:]...)
	return append(out, c[:]...)
}

// DecodeProof parses the 256-byte wire form, refusing anything but three finite
// points on their curves, in their subgroups, with canonical coordinates.
func DecodeProof(b []byte) (*groth16bn254.Proof, error) {
	if len(b) != ProofSize {
		return nil, fmt.Errorf("%w: %d bytes, want %d", ErrProofMalformed, len(b), ProofSize)
	}
	// gnark's encoding keeps two flag bits in the first byte; the wire form has none,
	// so they must be clear (which also refuses gnark's infinity flag).
	if b[0]&0xc0 != 0 || b[64]&0xc0 != 0 || b[192]&0xc0 != 0 {
		return nil, fmt.Errorf("%w: coordinate out of range", ErrProofMalformed)
	}
	var p groth16bn254.Proof
	if _, err := p.Ar.SetBytes(b[:64]); err != nil {
		return nil, fmt.Errorf("%w: A: %v", ErrProofMalformed, err)
	}
	if _, err := p.Bs.SetBytes(b[64:192]); err != nil {
		return nil, fmt.Errorf("%w: B: %v", ErrProofMalformed, err)
	}
	if _, err := p.Krs.SetBytes(b[192:]); err != nil {
		return nil, fmt.Errorf("%w: C: %v", ErrProofMalformed, err)
	}
	// SetBytes checked each point is on its curve and in its subgroup; infinity is left.
	if p.Ar.IsInfinity() || p.Krs.IsInfinity() || p.Bs.IsInfinity() {
		return nil, fmt.Errorf("%w: point at infinity", ErrProofMalformed)
	}
	return &p, nil
}

// PublicInputs are the circuit's seven public inputs, in circuit order.
type PublicInputs struct {
	IssuerRoot   fr.Element
	CutoffDay    int
	Today        int
	MinAssurance int
	Challenge    fr.Element
	Scope        fr.Element
	Nullifier    fr.Element
}

// Request is what a verifier asks for; everything in it comes from the verifier's own session.
type Request struct {
	IssuerRoot   fr.Element
	Today        int // day number
	MinAge       int
	MinAssurance int
	Nonce        string
	Audience     string
	SiteID       string
}

// Inputs computes the public inputs of a request for a given nullifier.
func (r *Request) Inputs(nullifier fr.Element) (*PublicInputs, error) {
	if r.MinAssurance < 1 || r.MinAssurance > 4 {
		return nil, fmt.Errorf("min assurance %d outside 1..4", r.MinAssurance)
	}
	if r.Today < 0 || r.Today > days.Max {
		return nil, fmt.Errorf("today %d outside the representable days", r.Today)
	}
	cutoff, err := days.Cutoff(r.Today, r.MinAge)
	if err != nil {
		return nil, err
	}
	return &PublicInputs{
		IssuerRoot: r.IssuerRoot, CutoffDay: cutoff, Today: r.Today, MinAssurance: r.MinAssurance,
		Challenge: field.Challenge(r.Nonce, r.Audience), Scope: field.Scope(r.SiteID), Nullifier: nullifier,
	}, nil
}

// Vector returns the inputs as field elements in circuit order.
func (in *PublicInputs) Vector() fr.Vector {
	return fr.Vector{in.IssuerRoot, field.FromUint(uint64(in.CutoffDay)), field.FromUint(uint64(in.Today)),
		field.FromUint(uint64(in.MinAssurance)), in.Challenge, in.Scope, in.Nullifier}
}

// Encode returns the 224-byte wire form.
func (in *PublicInputs) Encode() []byte {
	out := make([]byte, 0, InputsSize)
	for _, e := range in.Vector() {
		b := e.Bytes()
		out = append(out, b[:]...)
	}
	return out
}

// DecodeInputs parses the 224-byte wire form into a vector, refusing non-canonical elements.
func DecodeInputs(b []byte) (fr.Vector, error) {
	if len(b) != InputsSize {
		return nil, fmt.Errorf("%w: %d bytes, want %d", ErrInputMalformed, len(b), InputsSize)
	}
	v := make(fr.Vector, NbPublic)
	for i := range v {
		e, err := field.FromBytes(b[i*field.Size : (i+1)*field.Size])
		if err != nil {
			return nil, fmt.Errorf("%w: input %d: %v", ErrInputMalformed, i+1, err)
		}
		v[i] = e
	}
	return v, nil
}

// Verifier checks proofs against one verifying key.
//
// It evaluates the Groth16 equation itself,
//
//	e(A, B) · e(C, −δ) · e(Σ xᵢ·Kᵢ, −γ) = e(α, β),
//
// with the lines of the fixed −δ and −γ precomputed per key, and one final
// exponentiation, all on the calling
// goroutine, instead of gnark's groth16.Verify, which starts goroutines and repeats
// the subgroup checks DecodeProof already made. Called from a foreign thread
// through the C ABI, those goroutines cost a scheduler hand-off per call (the
// calling M is locked to the thread), which made verification through JNA ~50%
// slower than in Go; sequential, the call costs the same in both, and a server
// gets its parallelism from verifying several proofs at once.
type Verifier struct {
	vk          *groth16bn254.VerifyingKey
	fingerprint string
	alphaBeta   bn254.GT
	// line evaluations of −δ and −γ, fixed per key, so their Miller loops skip the G2 arithmetic
	fixedLines [][2][len(bn254.LoopCounter)]bn254.LineEvaluationAff
}

// NewVerifier loads a raw verifying key.
func NewVerifier(rawVK []byte) (*Verifier, error) {
	vk, err := UnmarshalVerifyingKey(rawVK)
	if err != nil {
		return nil, err
	}
	v := &Verifier{vk: vk, fingerprint: Fingerprint(rawVK)}
	if v.alphaBeta, err = bn254.Pair([]bn254.G1Affine{vk.G1.Alpha}, []bn254.G2Affine{vk.G2.Beta}); err != nil {
		return nil, fmt.Errorf("verifying key: %w", err)
	}
	var deltaNeg, gammaNeg bn254.G2Affine
	deltaNeg.Neg(&vk.G2.Delta)
	gammaNeg.Neg(&vk.G2.Gamma)
	v.fixedLines = [][2][len(bn254.LoopCounter)]bn254.LineEvaluationAff{bn254.PrecomputeLines(deltaNeg), bn254.PrecomputeLines(gammaNeg)}
	return v, nil
}

// NewVerifierPinned loads a raw verifying key only if its Fingerprint is pin, compared before a
// byte of it is parsed: a key from an untrusted place reaches the decoder only when it is the
// pinned one. A mismatch is ErrFingerprintMismatch (wrapped, naming both fingerprints).
func NewVerifierPinned(rawVK []byte, pin string) (*Verifier, error) {
	if err := CheckFingerprint(rawVK, pin); err != nil {
		return nil, err
	}
	return NewVerifier(rawVK)
}

// Fingerprint identifies the verifying key.
func (v *Verifier) Fingerprint() string { return v.fingerprint }

// VerifyEncoded checks a wire-form proof against wire-form public inputs.
// It returns nil, ErrProofMalformed, ErrInputMalformed or ErrProofInvalid (wrapped).
func (v *Verifier) VerifyEncoded(proof, inputs []byte) error {
	vec, err := DecodeInputs(inputs)
	if err != nil {
		return err
	}
	p, err := DecodeProof(proof)
	if err != nil {
		return err
	}
	return v.verify(p, vec)
}

// Verify checks a wire-form proof against public inputs.
func (v *Verifier) Verify(proof []byte, in *PublicInputs) error {
	p, err := DecodeProof(proof)
	if err != nil {
		return err
	}
	return v.verify(p, in.Vector())
}

func (v *Verifier) verify(p *groth16bn254.Proof, vec fr.Vector) error {
	if len(vec) != len(v.vk.G1.K)-1 {
		return fmt.Errorf("%w: %d public inputs, want %d", ErrInputMalformed, len(vec), len(v.vk.G1.K)-1)
	}
	// Σ xᵢ·Kᵢ with K₀ for the constant one wire.
	var kSum bn254.G1Jac
	if _, err := kSum.MultiExp(v.vk.G1.K[1:], vec, ecc.MultiExpConfig{NbTasks: 1}); err != nil {
		return fmt.Errorf("%w: %v", ErrInputMalformed, err)
	}
	kSum.AddMixed(&v.vk.G1.K[0])
	var k bn254.G1Affine
	k.FromJacobian(&kSum)
	ml, err := bn254.MillerLoop([]bn254.G1Affine{p.Ar}, []bn254.G2Affine{p.Bs})
	if err != nil {
		return fmt.Errorf("%w: %v", ErrProofInvalid, err)
	}
	// MillerLoopFixedQ scales the lines it is given in place: give it a copy (arrays copy by
	// value), or concurrent and later verifications would read corrupted lines.
	lines := make([][2][len(bn254.LoopCounter)]bn254.LineEvaluationAff, len(v.fixedLines))
	copy(lines, v.fixedLines)
	fixed, err := bn254.MillerLoopFixedQ([]bn254.G1Affine{p.Krs, k}, lines)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrProofInvalid, err)
	}
	ml.Mul(&ml, &fixed)
	if got := bn254.FinalExponentiation(&ml); !got.Equal(&v.alphaBeta) {
		return fmt.Errorf("%w: pairing check failed", ErrProofInvalid)
	}
	return nil
}
