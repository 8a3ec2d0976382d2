package zk

import (
	"errors"
	"fmt"
	"math/big"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	groth16bn254 "github.com/consensys/gnark/backend/groth16/bn254"
	csbn254 "github.com/consensys/gnark/constraint/bn254"
	"github.com/consensys/gnark/frontend"

	"agegate.dev/circuits/agecircuit"
	"agegate.dev/circuits/credential"
	"agegate.dev/circuits/days"
	"agegate.dev/circuits/field"
	"agegate.dev/circuits/trust"
)

// ErrUnsatisfiable is returned (wrapped, with the reason) when a credential cannot
// satisfy a request: too young, expired, not yet valid, issuer not trusted or at too low a level.
var ErrUnsatisfiable = errors.New("the credential cannot satisfy this request")

// Prover makes proofs with one proving key.
type Prover struct {
	pk *groth16bn254.ProvingKey
}

// NewProver loads a raw proving key for the compiled circuit.
func NewProver(rawPK []byte) (*Prover, error) {
	pk, err := UnmarshalProvingKey(rawPK)
	if err != nil {
		return nil, err
	}
	return &Prover{pk: pk}, nil
}

// NewProverFromKey wraps an in-memory proving key.
func NewProverFromKey(pk *groth16bn254.ProvingKey) *Prover { return &Prover{pk: pk} }

// Wallet is what a holder keeps: a credential, the holder secret, and the trust
// list it proves membership in.
type Wallet struct {
	Credential *credential.Fields
	Secret     fr.Element
	Trust      *trust.List
}

// Assignment builds the full witness for a request, refusing with
// ErrUnsatisfiable when the credential does not meet it, so a wallet explains
// the problem instead of producing a proof that would fail.
func (w *Wallet) Assignment(req *Request) (*agecircuit.Circuit, *PublicInputs, error) {
	f := w.Credential
	if credential.Commitment(w.Secret) != f.HolderCommitment {
		return nil, nil, fmt.Errorf("%w: the credential was issued to another holder", ErrUnsatisfiable)
	}
	root, err := w.Trust.ComputeRoot()
	if err != nil {
		return nil, nil, err
	}
	if root != req.IssuerRoot {
		return nil, nil, fmt.Errorf("%w: the trust list does not match the verifier's root", ErrUnsatisfiable)
	}
	path, err := w.Trust.PathFor(credential.EncodePoint(f.IssuerKey))
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrUnsatisfiable, err)
	}
	in, err := req.Inputs(credential.Nullifier(w.Secret, field.Scope(req.SiteID)))
	if err != nil {
		return nil, nil, err
	}
	switch {
	case f.BirthDay > in.CutoffDay:
		return nil, nil, fmt.Errorf("%w: the holder is younger than %d", ErrUnsatisfiable, req.MinAge)
	case f.ExpiryDay < in.Today:
		return nil, nil, fmt.Errorf("%w: the credential expired on %s", ErrUnsatisfiable, days.Format(f.ExpiryDay))
	case f.IssuedDay > in.Today:
		return nil, nil, fmt.Errorf("%w: the credential is valid from %s", ErrUnsatisfiable, days.Format(f.IssuedDay))
	case path.Level < req.MinAssurance:
		return nil, nil, fmt.Errorf("%w: the issuer's assurance level %d is below %d", ErrUnsatisfiable, path.Level, req.MinAssurance)
	}
	r, s, err := credential.SignatureParts(f.SignatureBytes)
	if err != nil {
		return nil, nil, err
	}
	c := &agecircuit.Circuit{
		IssuerRoot: bi(in.IssuerRoot), CutoffDay: in.CutoffDay, Today: in.Today, MinAssurance: in.MinAssurance,
		Challenge: bi(in.Challenge), Scope: bi(in.Scope), Nullifier: bi(in.Nullifier),
		HolderSecret: bi(w.Secret), CredentialID: bi(f.CredentialID),
		BirthDay: f.BirthDay, IssuedDay: f.IssuedDay, ExpiryDay: f.ExpiryDay,
		Level: path.Level,
	}
	c.IssuerKey.X, c.IssuerKey.Y = bi(f.IssuerKey.X), bi(f.IssuerKey.Y)
	c.SignatureR.X, c.SignatureR.Y = bi(r.X), bi(r.Y)
	c.SignatureS = new(big.Int).SetBytes(s)
	for i := 0; i < trust.Depth; i++ {
		c.PathBits[i] = path.Bits[i]
		c.Siblings[i] = bi(path.Siblings[i])
	}
	return c, in, nil
}

func bi(e fr.Element) *big.Int { return e.BigInt(new(big.Int)) }

// Prove makes a proof for req and returns it in wire form with its public inputs.
func (p *Prover) Prove(w *Wallet, req *Request) ([]byte, *PublicInputs, error) {
	return p.ProveReporting(w, req, func() {})
}

// ProveReporting is Prove, calling assigned once the request is checked and the witness
// assigned, before the proof itself (the browser wallet shows it as progress).
func (p *Prover) ProveReporting(w *Wallet, req *Request, assigned func()) ([]byte, *PublicInputs, error) {
	assignment, in, err := w.Assignment(req)
	if err != nil {
		return nil, nil, err
	}
	assigned()
	proof, err := ProveAssignment(p.pk, assignment)
	if err != nil {
		return nil, nil, err
	}
	return EncodeProof(proof), in, nil
}

// ProveAssignment proves an arbitrary assignment (tests use it to try invalid ones).
func ProveAssignment(pk *groth16bn254.ProvingKey, assignment *agecircuit.Circuit) (*groth16bn254.Proof, error) {
	ccs, err := Compile()
	if err != nil {
		return nil, err
	}
	wit, err := frontend.NewWitness(assignment, ecc.BN254.ScalarField())
	if err != nil {
		return nil, err
	}
	r1cs, ok := ccs.(*csbn254.R1CS)
	if !ok {
		return nil, fmt.Errorf("the compiled circuit is %T, not a BN254 R1CS", ccs)
	}
	// The BN254 prover itself, not gnark's groth16.Prove: that one switches over every
	// curve, so the browser build (circuits/wasm) would link all their provers.
	proof, err := groth16bn254.Prove(r1cs, pk, wit)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnsatisfiable, err)
	}
	return proof, nil
}
