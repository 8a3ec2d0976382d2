package agecircuit

import (
	"math/big"

	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/std/hash/mimc"

	"agegate.dev/circuits/days"
	"agegate.dev/circuits/field"
	"agegate.dev/circuits/trust"
)

// Version is the circuit's version: 2 since the soundness review (docs/security.md).
// Circuit v1 accepted a forged signature (R off the curve) and had a nullifier its
// issuer could compute; every file format carries this version.
const Version = 2

// CredentialVersion is the low byte of the packed dates in the signed message.
const CredentialVersion = 2

// levelBits range-checks assurance levels: level-1 in [0, 4).
const levelBits = 2

// Point is a twisted Edwards point (Baby Jubjub) in the witness.
type Point struct{ X, Y frontend.Variable }

// Circuit is the age circuit. Field order is the public-input order.
type Circuit struct {
	IssuerRoot   frontend.Variable `gnark:",public"`
	CutoffDay    frontend.Variable `gnark:",public"`
	Today        frontend.Variable `gnark:",public"`
	MinAssurance frontend.Variable `gnark:",public"`
	Challenge    frontend.Variable `gnark:",public"`
	Scope        frontend.Variable `gnark:",public"`
	Nullifier    frontend.Variable `gnark:",public"`

	HolderSecret frontend.Variable
	CredentialID frontend.Variable
	BirthDay     frontend.Variable
	IssuedDay    frontend.Variable
	ExpiryDay    frontend.Variable
	IssuerKey    Point             // A
	SignatureR   Point             // R
	SignatureS   frontend.Variable // S
	Level        frontend.Variable
	PathBits     [trust.Depth]frontend.Variable
	Siblings     [trust.Depth]frontend.Variable
}

// Define states the constraints listed in the package documentation, in the groups
// docs/security.md argues one by one.
func (c *Circuit) Define(api frontend.API) error {
	// Holder: commitment = H_commitment(s); nullifier = H_nullifier(scope, s), the secret
	// last, so the nullifier needs s itself and not only the commitment the issuer knows.
	commitment := Hash(api, field.DomainCommitment, c.HolderSecret)
	api.AssertIsEqual(c.Nullifier, Hash(api, field.DomainNullifier, c.Scope, c.HolderSecret))

	// The issuer signed this credential.
	// dates = version + birth·2^8 + issued·2^25 + expiry·2^42: linear, so free; injective
	// because each day is range-checked to 17 bits below.
	dates := api.Add(CredentialVersion, api.Mul(c.BirthDay, 1<<8), api.Mul(c.IssuedDay, 1<<25), api.Mul(c.ExpiryDay, uint64(1)<<42))
	msg := Hash(api, field.DomainCredential, c.CredentialID, commitment, dates)
	if err := VerifySignature(api, c.SignatureR.X, c.SignatureR.Y, c.SignatureS, c.IssuerKey.X, c.IssuerKey.Y, msg); err != nil {
		return err
	}

	// The issuer is in the trust list, at the level the list gives it.
	leaf := Hash(api, field.DomainTrustLeaf, c.IssuerKey.X, c.IssuerKey.Y, c.Level)
	api.AssertIsEqual(c.IssuerRoot, MerkleRoot(api, leaf, c.PathBits[:], c.Siblings[:]))

	// Dates: every day number fits days.Bits bits, so b - a fits too iff a <= b.
	for _, d := range []frontend.Variable{c.BirthDay, c.IssuedDay, c.ExpiryDay, c.Today, c.CutoffDay} {
		RangeCheck(api, d, days.Bits)
	}
	AssertLessOrEqual(api, c.BirthDay, c.CutoffDay, days.Bits)
	AssertLessOrEqual(api, c.IssuedDay, c.Today, days.Bits)
	AssertLessOrEqual(api, c.Today, c.ExpiryDay, days.Bits)

	// Levels: 1 <= minAssurance <= level <= 4.
	RangeCheck(api, api.Sub(c.Level, 1), levelBits)
	RangeCheck(api, api.Sub(c.MinAssurance, 1), levelBits)
	AssertLessOrEqual(api, c.MinAssurance, c.Level, levelBits)

	// challenge appears in no other constraint; squaring it gives it a non-zero
	// column, so a proof for one challenge does not verify for another.
	api.Mul(c.Challenge, c.Challenge)
	return nil
}

// Hash is the in-circuit twin of field.Hash: MiMC over the domain's tag, then the
// inputs. The tag is a constant, so its block folds into a constant and costs nothing.
func Hash(api frontend.API, domain string, inputs ...frontend.Variable) frontend.Variable {
	h, err := mimc.NewMiMC(api)
	if err != nil {
		panic(err) // only for a field MiMC does not support; BN254 is supported
	}
	tag := field.Tag(domain)
	h.Write(tag.BigInt(new(big.Int)))
	h.Write(inputs...)
	return h.Sum()
}

// MerkleRoot folds leaf up a path: bits[i] = 1 means the node is the right child at level i.
func MerkleRoot(api frontend.API, leaf frontend.Variable, bits, siblings []frontend.Variable) frontend.Variable {
	node := leaf
	for i := range bits {
		api.AssertIsBoolean(bits[i])
		left := api.Select(bits[i], siblings[i], node)
		right := api.Select(bits[i], node, siblings[i])
		node = Hash(api, field.DomainTrustNode, left, right)
	}
	return node
}

// RangeCheck asserts 0 <= v < 2^n by decomposing v into n constrained bits
// (no commitment-based range check: see the package documentation).
func RangeCheck(api frontend.API, v frontend.Variable, n int) {
	api.ToBinary(v, n)
}

// AssertLessOrEqual asserts a <= b for a, b already known to be below 2^n:
// b - a is then in [0, 2^n) exactly when a <= b, and otherwise wraps to r - (a - b),
// which has far more than n bits.
func AssertLessOrEqual(api frontend.API, a, b frontend.Variable, n int) {
	RangeCheck(api, api.Sub(b, a), n)
}
