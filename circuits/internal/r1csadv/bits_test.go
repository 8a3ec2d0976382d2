package r1csadv

import (
	"slices"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
)

// Test 2: hint outputs that are not bits are refused, and no strategy makes 300 fit 8 bits.
func TestBitsRefuseNonBits(t *testing.T) {
	ccs := compileR1CS(t, &bitsCircuit{})

	valid := &bitsCircuit{X: 44, Y: 0}
	res, err := Solve(ccs, valid, Honest())
	if err != nil {
		t.Fatal(err)
	}
	if !res.Satisfied() {
		t.Fatalf("44 in 8 bits: unsatisfied %v", res.Unsatisfied)
	}
	if len(res.Decisions) != 8 {
		t.Fatalf("want 8 hint outputs, got %d", len(res.Decisions))
	}
	for i, d := range res.Decisions {
		if d.Kind != HintOutput || d.Index != i || d.Hint != "github.com/consensys/gnark/std/math/bits.nBits" {
			t.Fatalf("decision %d: %v", i, d)
		}
	}

	// 300 = 0b1_0010_1100: the honest 8 bits say 44 and the recomposition fails.
	false300 := &bitsCircuit{X: 300, Y: 0}
	if honestSolves(t, ccs, false300) {
		t.Fatal("gnark's solver accepted 300 in 8 bits")
	}
	honest, err := Solve(ccs, false300, Honest())
	if err != nil {
		t.Fatal(err)
	}
	if honest.Satisfied() {
		t.Fatal("Honest() accepted 300 in 8 bits")
	}

	// Bit 7 = 2 makes the recomposition 44 + 2·128 = 300 hold: only bit 7's booleanity fails.
	bit7 := honest.Decisions[7].Wire
	cheat, err := Solve(ccs, false300, Override(map[int]fr.Element{bit7: elt(2)}))
	if err != nil {
		t.Fatal(err)
	}
	bad, err := Check(ccs, cheat.Wires)
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) != 1 || !slices.Equal(bad, cheat.Unsatisfied) {
		t.Fatalf("bit 7 = 2: want exactly the booleanity R1C unsatisfied, Check says %v, Solve %v", bad, cheat.Unsatisfied)
	}
	if !mentions(t, ccs, bad[0], bit7) {
		t.Fatalf("unsatisfied R1C %d does not involve bit 7 (wire %d)", bad[0], bit7)
	}

	found, tried, err := Search(ccs, false300, SearchOptions{Seed: 3, MaxSingle: 1000, Random: 500})
	if err != nil {
		t.Fatal(err)
	}
	if found != nil {
		t.Fatalf("Search satisfied 300 in 8 bits: %v", found.Decisions)
	}
	t.Logf("300 in 8 bits: %d strategies, none satisfies", tried)
}
