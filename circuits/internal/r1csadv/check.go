package r1csadv

import (
	"fmt"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark/constraint"
)

// Check evaluates every R1C of ccs (as gnark's GetR1Cs decompresses them, with coefficients
// from the system's coefficient table) on wires and returns the indices of those that do not
// hold, ascending. This is the relation a Groth16 proof attests to, evaluated independently
// of Solve's bookkeeping. It errors, rather than report "nothing unsatisfied", when it cannot
// evaluate ccs (see Solve for what is supported), when len(wires) is not the system's wire
// count, or when wires[0] (the one wire, fixed by the verifier) is not 1.
func Check(ccs constraint.ConstraintSystem, wires []fr.Element) ([]int, error) {
	p, err := load(ccs)
	if err != nil {
		return nil, err
	}
	rs, err := p.checkR1Cs()
	if err != nil {
		return nil, err
	}
	if len(wires) != p.nbWires {
		return nil, fmt.Errorf("r1csadv: Check: %d wires, the system has %d", len(wires), p.nbWires)
	}
	if !wires[0].IsOne() {
		return nil, fmt.Errorf("r1csadv: Check: wire 0 is %s, must be 1", wires[0].String())
	}
	var bad []int
	for i := range rs {
		a := evalLE(p.coeffs, rs[i].l, wires)
		b := evalLE(p.coeffs, rs[i].r, wires)
		o := evalLE(p.coeffs, rs[i].o, wires)
		if !a.Mul(&a, &b).Equal(&o) {
			bad = append(bad, i)
		}
	}
	return bad, nil
}

// evalLE is Σ coeffs[cid]·wires[vid] (or coeffs[cid] for a constant term), with no
// shortcuts, so that it shares no arithmetic code with Solve.
func evalLE(coeffs []fr.Element, le []term, wires []fr.Element) fr.Element {
	var acc, t fr.Element
	for _, x := range le {
		if x.vid == constantWire {
			acc.Add(&acc, &coeffs[x.cid])
			continue
		}
		t.Mul(&coeffs[x.cid], &wires[x.vid])
		acc.Add(&acc, &t)
	}
	return acc
}
