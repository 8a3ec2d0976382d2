package agecircuit

import (
	tedwards "github.com/consensys/gnark-crypto/ecc/twistededwards"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/std/algebra/native/twistededwards"
	"github.com/consensys/gnark/std/hash/mimc"
	"github.com/consensys/gnark/std/signature/eddsa"

	"agegate.dev/circuits/days"
	"agegate.dev/circuits/trust"
)

// CredentialVersion is the first element of the signed message.
const CredentialVersion = 1

// levelBits range-checks assurance levels: level-1 in [0, 4).
const levelBits = 2

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
	IssuerKey    eddsa.PublicKey
	Signature    eddsa.Signature
	Level        frontend.Variable
	PathBits     [trust.Depth]frontend.Variable
	Siblings     [trust.Depth]frontend.Variable
}

// Define states the constraints listed in the package documentation.
func (c *Circuit) Define(api frontend.API) error {
	// holderCommitment = MiMC(s); nullifier = MiMC(s, scope)
	commitment := Hash(api, c.HolderSecret)
	api.AssertIsEqual(c.Nullifier, Hash(api, c.HolderSecret, c.Scope))

	// The issuer signed this credential.
	// dates = version + birth·2^8 + issued·2^25 + expiry·2^42: linear, so free; injective
	// because each day is range-checked to 17 bits below.
	dates := api.Add(CredentialVersion, api.Mul(c.BirthDay, 1<<8), api.Mul(c.IssuedDay, 1<<25), api.Mul(c.ExpiryDay, uint64(1)<<42))
	msg := Hash(api, c.CredentialID, commitment, dates)
	curve, err := twistededwards.NewEdCurve(api, tedwards.BN254)
	if err != nil {
		return err
	}
	hasher, err := mimc.NewMiMC(api)
	if err != nil {
		return err
	}
	if err := eddsa.Verify(curve, c.Signature, msg, c.IssuerKey, &hasher); err != nil {
		return err
	}

	// The issuer is in the trust list, at the level the list gives it.
	leaf := Hash(api, c.IssuerKey.A.X, c.IssuerKey.A.Y, c.Level)
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

// Hash is MiMC over the inputs, the in-circuit twin of field.MiMC.
func Hash(api frontend.API, inputs ...frontend.Variable) frontend.Variable {
	h, err := mimc.NewMiMC(api)
	if err != nil {
		panic(err) // only for a field MiMC does not support; BN254 is supported
	}
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
		node = Hash(api, left, right)
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
