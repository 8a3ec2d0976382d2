package agecircuit_test

import (
	tedwards "github.com/consensys/gnark-crypto/ecc/twistededwards"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/std/algebra/native/twistededwards"
	"github.com/consensys/gnark/std/hash/mimc"
	"github.com/consensys/gnark/std/signature/eddsa"

	"agegate.dev/circuits/agecircuit"
	"agegate.dev/circuits/days"
	"agegate.dev/circuits/trust"
)

// circuitV1 is circuit v1's Define, verbatim but for names (git show 0d8b04a:circuits/agecircuit/circuit.go),
// kept only so the adversarial tests can show each attack succeeding on the circuit that
// had the hole before showing circuit v2 refuses it. It uses gnark's std/signature/eddsa,
// which checks neither R nor A on the curve, and untagged MiMC.
type circuitV1 struct {
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

func v1Hash(api frontend.API, inputs ...frontend.Variable) frontend.Variable {
	h, _ := mimc.NewMiMC(api)
	h.Write(inputs...)
	return h.Sum()
}

func (c *circuitV1) Define(api frontend.API) error {
	commitment := v1Hash(api, c.HolderSecret)
	api.AssertIsEqual(c.Nullifier, v1Hash(api, c.HolderSecret, c.Scope))
	dates := api.Add(1, api.Mul(c.BirthDay, 1<<8), api.Mul(c.IssuedDay, 1<<25), api.Mul(c.ExpiryDay, uint64(1)<<42))
	msg := v1Hash(api, c.CredentialID, commitment, dates)
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
	leaf := v1Hash(api, c.IssuerKey.A.X, c.IssuerKey.A.Y, c.Level)
	node := leaf
	for i := range c.PathBits {
		api.AssertIsBoolean(c.PathBits[i])
		left := api.Select(c.PathBits[i], c.Siblings[i], node)
		right := api.Select(c.PathBits[i], node, c.Siblings[i])
		node = v1Hash(api, left, right)
	}
	api.AssertIsEqual(c.IssuerRoot, node)
	for _, d := range []frontend.Variable{c.BirthDay, c.IssuedDay, c.ExpiryDay, c.Today, c.CutoffDay} {
		agecircuit.RangeCheck(api, d, days.Bits)
	}
	agecircuit.AssertLessOrEqual(api, c.BirthDay, c.CutoffDay, days.Bits)
	agecircuit.AssertLessOrEqual(api, c.IssuedDay, c.Today, days.Bits)
	agecircuit.AssertLessOrEqual(api, c.Today, c.ExpiryDay, days.Bits)
	agecircuit.RangeCheck(api, api.Sub(c.Level, 1), 2)
	agecircuit.RangeCheck(api, api.Sub(c.MinAssurance, 1), 2)
	agecircuit.AssertLessOrEqual(api, c.MinAssurance, c.Level, 2)
	api.Mul(c.Challenge, c.Challenge)
	return nil
}
