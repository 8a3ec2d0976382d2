package r1csadv

import (
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark/constraint"
	cs_bn254 "github.com/consensys/gnark/constraint/bn254"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"
)

// compileR1CS builds the BN254 R1CS of c or fails the test.
func compileR1CS(t testing.TB, c frontend.Circuit) constraint.ConstraintSystem {
	t.Helper()
	ccs, err := frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, c)
	if err != nil {
		t.Fatalf("compile %T: %v", c, err)
	}
	return ccs
}

// honestSolves reports whether gnark's own solver accepts assignment.
func honestSolves(t testing.TB, ccs constraint.ConstraintSystem, assignment frontend.Circuit) bool {
	t.Helper()
	w, err := frontend.NewWitness(assignment, ecc.BN254.ScalarField())
	if err != nil {
		t.Fatalf("witness: %v", err)
	}
	_, err = ccs.Solve(w)
	return err == nil
}

// elt returns v as a field element (negative values are reduced mod r).
func elt(v int64) fr.Element {
	var e fr.Element
	if v < 0 {
		e.SetUint64(uint64(-v))
		e.Neg(&e)
	} else {
		e.SetUint64(uint64(v))
	}
	return e
}

// sqrtMinusOne is √−1 in BN254's scalar field.
func sqrtMinusOne(t testing.TB) fr.Element {
	t.Helper()
	m := elt(-1)
	var i fr.Element
	if i.Sqrt(&m) == nil {
		t.Fatal("-1 has no square root")
	}
	return i
}

// divCircuit is deliberately broken: q = X/Z with api.DivUnchecked, so X = Z = 0 leaves q free
// ("0·q = 0"), and a cheating prover can make q² anything that has a square root.
type divCircuit struct {
	X, Z frontend.Variable
	Y    frontend.Variable `gnark:",public"`
}

func (c *divCircuit) Define(api frontend.API) error {
	q := api.DivUnchecked(c.X, c.Z)
	api.AssertIsEqual(api.Mul(q, q), c.Y)
	return nil
}

// safeDivCircuit is divCircuit with api.Div, which constrains Z·(1/Z) = 1.
type safeDivCircuit divCircuit

func (c *safeDivCircuit) Define(api frontend.API) error {
	q := api.Div(c.X, c.Z)
	api.AssertIsEqual(api.Mul(q, q), c.Y)
	return nil
}

// bitsCircuit decomposes X into 8 bits (std/math/bits.nBits hint) and exposes bit 0.
type bitsCircuit struct {
	X frontend.Variable
	Y frontend.Variable `gnark:",public"`
}

func (c *bitsCircuit) Define(api frontend.API) error {
	b := api.ToBinary(c.X, 8)
	api.AssertIsEqual(b[0], c.Y)
	return nil
}

// mixCircuit uses every construction the age circuit does: products, bit decompositions
// (nBits), IsZero (InvZeroHint) and a checked division.
type mixCircuit struct {
	A, B frontend.Variable
	C    frontend.Variable `gnark:",public"`
}

func (c *mixCircuit) Define(api frontend.API) error {
	api.AssertIsEqual(api.Mul(c.A, c.B), c.C)
	bits := api.ToBinary(c.A, 16)
	api.AssertIsEqual(api.FromBinary(bits...), c.A)
	api.AssertIsEqual(api.IsZero(api.Sub(c.B, 7)), 0)
	api.AssertIsEqual(api.Div(c.C, c.B), c.A)
	return nil
}

// isZeroCircuit claims IsZero(X) == Y.
type isZeroCircuit struct {
	X frontend.Variable
	Y frontend.Variable `gnark:",public"`
}

func (c *isZeroCircuit) Define(api frontend.API) error {
	api.AssertIsEqual(api.IsZero(c.X), c.Y)
	return nil
}

// bigCircuit has a few thousand constraints and hint outputs, for timing: N rounds of a
// 16-bit decomposition, an IsZero and a product.
type bigCircuit struct {
	X   frontend.Variable
	Out frontend.Variable `gnark:",public"`
}

const bigRounds = 150

func (c *bigCircuit) Define(api frontend.API) error {
	acc := c.X
	for i := 0; i < bigRounds; i++ {
		x := api.Add(c.X, i)
		bits := api.ToBinary(x, 16)
		z := api.IsZero(api.Sub(bits[0], 1))
		acc = api.Add(api.Mul(acc, x), z)
	}
	api.AssertIsEqual(acc, c.Out)
	return nil
}

// bigOut computes bigCircuit's output natively.
func bigOut(x uint64) fr.Element {
	var X, acc fr.Element
	X.SetUint64(x)
	acc = X
	for i := 0; i < bigRounds; i++ {
		var xi, z fr.Element
		xi.SetUint64(x + uint64(i))
		if (x+uint64(i))&1 == 1 {
			z.SetOne()
		}
		acc.Mul(&acc, &xi).Add(&acc, &z)
	}
	return acc
}

// mentions reports whether R1C i of ccs has a term on wire w.
func mentions(t testing.TB, ccs constraint.ConstraintSystem, i, w int) bool {
	t.Helper()
	rs := ccs.(*cs_bn254.R1CS).GetR1Cs()
	for _, le := range []constraint.LinearExpression{rs[i].L, rs[i].R, rs[i].O} {
		for _, x := range le {
			if int(x.VID) == w {
				return true
			}
		}
	}
	return false
}
