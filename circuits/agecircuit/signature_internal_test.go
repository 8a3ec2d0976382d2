package agecircuit

import (
	"math/big"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/twistededwards"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"

	"agegate.dev/circuits/internal/r1csadv"
)

// scalarRange is the S < ℓ check of VerifySignature alone.
type scalarRange struct{ S frontend.Variable }

func (c *scalarRange) Define(api frontend.API) error {
	order := twistededwards.GetEdwardsCurve().Order
	assertBitsAtMost(api, api.ToBinary(c.S, scalarBits), new(big.Int).Sub(&order, big.NewInt(1)))
	return nil
}

func TestScalarRange_belowOrderOnly(t *testing.T) {
	ccs, err := frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, &scalarRange{})
	if err != nil {
		t.Fatal(err)
	}
	order := twistededwards.GetEdwardsCurve().Order
	if order.BitLen() != scalarBits {
		t.Fatalf("ℓ has %d bits, scalarBits is %d", order.BitLen(), scalarBits)
	}
	add := func(d int64) *big.Int { return new(big.Int).Add(&order, big.NewInt(d)) }
	for _, ok := range []*big.Int{big.NewInt(0), big.NewInt(1), add(-1), new(big.Int).Rsh(&order, 1)} {
		res, err := r1csadv.Solve(ccs, &scalarRange{S: ok}, r1csadv.Honest())
		if err != nil || !res.Satisfied() {
			t.Fatalf("S = %s refused", ok)
		}
	}
	r := ecc.BN254.ScalarField()
	for _, bad := range []*big.Int{add(0), add(1), new(big.Int).Lsh(big.NewInt(1), 250).Add(&order, new(big.Int).Lsh(big.NewInt(1), 249)),
		new(big.Int).Lsh(big.NewInt(1), 251), new(big.Int).Sub(r, big.NewInt(1)), new(big.Int).Add(&order, &order)} {
		found, _, err := r1csadv.Search(ccs, &scalarRange{S: bad}, r1csadv.SearchOptions{Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		if found != nil {
			t.Fatalf("S = %s (≥ ℓ) accepted", bad)
		}
	}
}

// The soundness argument of VerifySignature needs complete Edwards formulas: a a square
// and d not a square in F_r (then no denominator vanishes for points on the curve).
func TestCurve_isComplete(t *testing.T) {
	p := twistededwards.GetEdwardsCurve()
	var one, minusOne fr.Element
	one.SetOne()
	minusOne.Neg(&one)
	if !p.A.Equal(&minusOne) {
		t.Fatalf("a = %s, the argument assumes the reduced form a = -1", p.A.String())
	}
	if p.A.Legendre() != 1 {
		t.Fatal("a is not a square")
	}
	if p.D.Legendre() != -1 {
		t.Fatal("d is a square: the addition law is not complete")
	}
}
