package r1csadv

import (
	"math/rand"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	cs_bn254 "github.com/consensys/gnark/constraint/bn254"
	"github.com/consensys/gnark/frontend"
)

// Test 3: Honest() reproduces gnark's solver wire for wire, Check accepts, and changing any
// single wire makes Check refuse.
func TestHonestMatchesGnark(t *testing.T) {
	ccs := compileR1CS(t, &mixCircuit{})
	assignment := &mixCircuit{A: 1234, B: 5, C: 6170}

	w, err := frontend.NewWitness(assignment, ecc.BN254.ScalarField())
	if err != nil {
		t.Fatal(err)
	}
	sol, err := ccs.Solve(w)
	if err != nil {
		t.Fatalf("gnark's solver: %v", err)
	}
	want := sol.(*cs_bn254.R1CSSolution).W

	res, err := Solve(ccs, assignment, Honest())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Wires) != len(want) {
		t.Fatalf("%d wires, gnark has %d", len(res.Wires), len(want))
	}
	for i := range want {
		if !res.Wires[i].Equal(&want[i]) {
			t.Fatalf("wire %d = %s, gnark has %s", i, res.Wires[i].String(), want[i].String())
		}
	}
	if !res.Satisfied() {
		t.Fatalf("unsatisfied %v", res.Unsatisfied)
	}
	kinds := map[string]int{}
	for _, d := range res.Decisions {
		kinds[d.Kind.String()+" "+d.Hint]++
	}
	if kinds["HintOutput github.com/consensys/gnark/std/math/bits.nBits"] != 16 ||
		kinds["HintOutput github.com/consensys/gnark/constraint/solver.InvZeroHint"] != 1 || len(kinds) != 2 {
		t.Fatalf("decisions: %v", kinds)
	}

	bad, err := Check(ccs, res.Wires)
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) != 0 {
		t.Fatalf("Check: unsatisfied %v", bad)
	}

	one := elt(1)
	for i := 1; i < len(res.Wires); i++ {
		flipped := append([]fr.Element(nil), res.Wires...)
		flipped[i].Add(&flipped[i], &one)
		bad, err := Check(ccs, flipped)
		if err != nil {
			t.Fatal(err)
		}
		if len(bad) == 0 {
			t.Fatalf("wire %d + 1 still satisfies every R1C", i)
		}
	}
	flipped := append([]fr.Element(nil), res.Wires...)
	flipped[0].SetUint64(2)
	if _, err := Check(ccs, flipped); err == nil {
		t.Fatal("Check accepted wire 0 = 2")
	}
	if _, err := Check(ccs, res.Wires[1:]); err == nil {
		t.Fatal("Check accepted a short wire vector")
	}
}

// Solve's bookkeeping and Check agree under random deviations.
func TestSolveAgreesWithCheck(t *testing.T) {
	ccs := compileR1CS(t, &mixCircuit{})
	assignment := &mixCircuit{A: 1234, B: 5, C: 6170}
	values := EdgeValues(7)
	for j := 0; j < 200; j++ {
		rng := rand.New(rand.NewSource(int64(j)))
		st := StrategyFunc(func(d Decision) fr.Element {
			if rng.Intn(4) == 0 {
				return values[rng.Intn(len(values))]
			}
			return d.Honest
		})
		res, err := Solve(ccs, assignment, st)
		if err != nil {
			t.Fatal(err)
		}
		bad, err := Check(ccs, res.Wires)
		if err != nil {
			t.Fatal(err)
		}
		if len(bad) != len(res.Unsatisfied) {
			t.Fatalf("run %d: Solve says %v, Check says %v", j, res.Unsatisfied, bad)
		}
		for i := range bad {
			if bad[i] != res.Unsatisfied[i] {
				t.Fatalf("run %d: Solve says %v, Check says %v", j, res.Unsatisfied, bad)
			}
		}
	}
}

// IsZero (InvZeroHint) is sound: no choice of its hint makes IsZero(5) = 1 or IsZero(0) = 0.
func TestIsZeroRefuses(t *testing.T) {
	ccs := compileR1CS(t, &isZeroCircuit{})
	for _, a := range []*isZeroCircuit{{X: 5, Y: 1}, {X: 0, Y: 0}} {
		found, tried, err := Search(ccs, a, SearchOptions{Seed: 4, MaxSingle: 100, Random: 200})
		if err != nil {
			t.Fatal(err)
		}
		if found != nil {
			t.Fatalf("IsZero(%v) = %v satisfied by %v", a.X, a.Y, found.Decisions)
		}
		if tried < 10 {
			t.Fatalf("only %d strategies", tried)
		}
	}
	res, err := Solve(ccs, &isZeroCircuit{X: 0, Y: 1}, Honest())
	if err != nil {
		t.Fatal(err)
	}
	if !res.Satisfied() || res.Decisions[0].Hint != "github.com/consensys/gnark/constraint/solver.InvZeroHint" {
		t.Fatalf("IsZero(0) = 1: unsatisfied %v, decisions %v", res.Unsatisfied, res.Decisions)
	}
}

func TestEdgeValues(t *testing.T) {
	v := EdgeValues(1)
	if len(v) != 13 {
		t.Fatalf("%d values", len(v))
	}
	for i := range v {
		for j := i + 1; j < len(v); j++ {
			if v[i].Equal(&v[j]) {
				t.Fatalf("values %d and %d are equal", i, j)
			}
		}
	}
	i := v[5]
	var sq fr.Element
	if m := elt(-1); !sq.Square(&i).Equal(&m) {
		t.Fatal("v[5] is not √−1")
	}
	w := EdgeValues(1)
	for k := range v {
		if !v[k].Equal(&w[k]) {
			t.Fatal("EdgeValues is not deterministic")
		}
	}
}
