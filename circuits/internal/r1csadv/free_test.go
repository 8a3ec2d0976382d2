package r1csadv

import (
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
)

// Test 1: a free 0/0 wire lets a cheating prover satisfy a false statement.
func TestFreeWireDivUnchecked(t *testing.T) {
	ccs := compileR1CS(t, &divCircuit{})
	assignment := &divCircuit{X: 0, Z: 0, Y: -1}

	if honestSolves(t, ccs, assignment) {
		t.Fatal("gnark's solver accepted (0/0)² = -1")
	}

	honest, err := Solve(ccs, assignment, Honest())
	if err != nil {
		t.Fatal(err)
	}
	if honest.Satisfied() {
		t.Fatal("Honest() satisfied (0/0)² = -1")
	}
	if len(honest.Decisions) != 1 || honest.Decisions[0].Kind != FreeWire {
		t.Fatalf("want one FreeWire decision, got %v", honest.Decisions)
	}
	d := honest.Decisions[0]
	if d.Constraint != 0 || !d.Honest.IsZero() {
		t.Fatalf("want the FreeWire of R1C 0 with honest value 0, got %v", d)
	}

	i := sqrtMinusOne(t)
	cheat, err := Solve(ccs, assignment, FreeWiresTo(i))
	if err != nil {
		t.Fatal(err)
	}
	bad, err := Check(ccs, cheat.Wires)
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) != 0 || !cheat.Satisfied() {
		t.Fatalf("q = √−1 should satisfy every R1C; Check says %v unsatisfied, Solve %v", bad, cheat.Unsatisfied)
	}
	if got := cheat.Wires[d.Wire]; !got.Equal(&i) {
		t.Fatalf("wire %d = %s, want √−1", d.Wire, got.String())
	}

	found, tried, err := Search(ccs, assignment, SearchOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if found == nil {
		t.Fatalf("Search tried %d strategies and found nothing", tried)
	}
	q := found.Wires[d.Wire]
	var q2 fr.Element
	q2.Square(&q)
	if m := elt(-1); !q2.Equal(&m) {
		t.Fatalf("Search found q = %s, q² ≠ −1", q.String())
	}
	t.Logf("Search found q = %s after %d strategies", q.String(), tried)
}

// With api.Div the divisor is constrained to be invertible: no choice of the free wires helps.
func TestSafeDivRefuses(t *testing.T) {
	ccs := compileR1CS(t, &safeDivCircuit{})
	assignment := &safeDivCircuit{X: 0, Z: 0, Y: -1}
	found, tried, err := Search(ccs, assignment, SearchOptions{Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	if found != nil {
		t.Fatalf("Search satisfied a false statement with api.Div: decisions %v", found.Decisions)
	}
	if tried < 2 {
		t.Fatalf("Search tried only %d strategies", tried)
	}
}
