package zk

import (
	"errors"
	"fmt"

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
	if !validG1(&p.Ar) || !validG1(&p.Krs) || p.Bs.IsInfinity() || !p.Bs.IsOnCurve() || !p.Bs.IsInSubGroup() {
		return nil, fmt.Errorf("%w: point not in its group", ErrProofMalformed)
	}
	return &p, nil
}

func validG1(p *bn254.G1Affine) bool { return !p.IsInfinity() && p.IsOnCurve() && p.IsInSubGroup() }

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
type Verifier struct {
	vk          *groth16bn254.VerifyingKey
	fingerprint string
}

// NewVerifier loads a raw verifying key.
func NewVerifier(rawVK []byte) (*Verifier, error) {
	vk, err := UnmarshalVerifyingKey(rawVK)
	if err != nil {
		return nil, err
	}
	return &Verifier{vk: vk, fingerprint: Fingerprint(rawVK)}, nil
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
	if err := groth16bn254.Verify(p, v.vk, vec); err != nil {
		return fmt.Errorf("%w: %v", ErrProofInvalid, err)
	}
	return nil
}
