package r1csadv

import (
	"testing"
	"time"
)

// A Search on a few-thousand-constraint system (a false statement: wrong public output)
// finds nothing and stays fast; the timings are logged for the record.
func TestSearchTiming(t *testing.T) {
	ccs := compileR1CS(t, &bigCircuit{})
	valid := &bigCircuit{X: 1000, Out: bigOut(1000)}

	start := time.Now()
	res, err := Solve(ccs, valid, Honest())
	if err != nil {
		t.Fatal(err)
	}
	first := time.Since(start)
	if !res.Satisfied() || !honestSolves(t, ccs, valid) {
		t.Fatalf("valid assignment: unsatisfied %v", res.Unsatisfied)
	}
	start = time.Now()
	const n = 20
	for i := 0; i < n; i++ {
		if _, err := Solve(ccs, valid, Honest()); err != nil {
			t.Fatal(err)
		}
	}
	solve := time.Since(start) / n
	start = time.Now()
	for i := 0; i < n; i++ {
		if _, err := Check(ccs, res.Wires); err != nil {
			t.Fatal(err)
		}
	}
	check := time.Since(start) / n

	out := bigOut(1000)
	one := elt(1)
	out.Add(&out, &one)
	wrong := &bigCircuit{X: 1000, Out: out}
	start = time.Now()
	found, tried, err := Search(ccs, wrong, SearchOptions{Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	search := time.Since(start)
	if found != nil {
		t.Fatalf("Search satisfied a wrong output: %v", found.Decisions[:1])
	}
	t.Logf("%d constraints, %d wires, %d decisions: first Solve %v (compiles and caches), Solve %v, Check %v, Search %v (%d strategies)",
		ccs.GetNbConstraints(), len(res.Wires), len(res.Decisions), first, solve, check, search, tried)
}

func BenchmarkSolve(b *testing.B) {
	ccs := compileR1CS(b, &bigCircuit{})
	valid := &bigCircuit{X: 1000, Out: bigOut(1000)}
	if _, err := Solve(ccs, valid, Honest()); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Solve(ccs, valid, Honest()); err != nil {
			b.Fatal(err)
		}
	}
}
