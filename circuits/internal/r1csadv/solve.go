package r1csadv

import (
	"errors"
	"fmt"
	"math/big"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark/backend/witness"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/constraint/solver"
	"github.com/consensys/gnark/frontend"
)

// Result is the outcome of one adversarial solve.
type Result struct {
	// Wires is the full wire vector, laid out as gnark's solver lays it out: the one wire,
	// public inputs, secret inputs, internal wires.
	Wires []fr.Element
	// Decisions are the values the constraints did not determine, in instruction order,
	// with the value the Strategy chose.
	Decisions []Decision
	// Unsatisfied lists the indices of the R1Cs that Wires does not satisfy, ascending.
	Unsatisfied []int
}

// Satisfied reports whether every R1C holds, by Solve's own bookkeeping (use Check for an
// independent evaluation).
func (r *Result) Satisfied() bool { return r != nil && len(r.Unsatisfied) == 0 }

// Solve builds the witness of assignment (frontend.NewWitness on BN254's scalar field) and
// runs SolveWitness on it.
func Solve(ccs constraint.ConstraintSystem, assignment frontend.Circuit, st Strategy) (*Result, error) {
	vec, err := witnessVector(assignment)
	if err != nil {
		return nil, err
	}
	return solveVector(ccs, vec, st)
}

// SolveWitness runs the instructions of ccs in order on the full witness w (public then
// secret values, without the one wire), letting st choose every value the constraints leave
// open (see the package doc). It errors on a system it does not support, a witness of the
// wrong size, or an R1C with more than one unknown wire; it does not stop at an unsatisfied
// constraint but records it in Result.Unsatisfied.
func SolveWitness(ccs constraint.ConstraintSystem, w witness.Witness, st Strategy) (*Result, error) {
	if w == nil {
		return nil, errors.New("r1csadv: nil witness")
	}
	vec, ok := w.Vector().(fr.Vector)
	if !ok {
		return nil, fmt.Errorf("r1csadv: witness vector is %T, want BN254 fr.Vector", w.Vector())
	}
	return solveVector(ccs, vec, st)
}

func witnessVector(assignment frontend.Circuit) (fr.Vector, error) {
	if assignment == nil {
		return nil, errors.New("r1csadv: nil assignment")
	}
	w, err := frontend.NewWitness(assignment, ecc.BN254.ScalarField())
	if err != nil {
		return nil, fmt.Errorf("r1csadv: building the witness: %w", err)
	}
	vec, ok := w.Vector().(fr.Vector)
	if !ok {
		return nil, fmt.Errorf("r1csadv: witness vector is %T, want BN254 fr.Vector", w.Vector())
	}
	return vec, nil
}

func solveVector(ccs constraint.ConstraintSystem, vec fr.Vector, st Strategy) (*Result, error) {
	if st == nil {
		return nil, errors.New("r1csadv: nil strategy")
	}
	p, err := load(ccs)
	if err != nil {
		return nil, err
	}
	if len(vec) != p.nbInputs-1 {
		return nil, fmt.Errorf("r1csadv: witness has %d values, the system expects %d (%d public without the one wire, %d secret)",
			len(vec), p.nbInputs-1, len(p.sys.Public)-1, len(p.sys.Secret))
	}
	s := &state{
		p:      p,
		st:     st,
		vals:   make([]fr.Element, p.nbWires),
		solved: make([]bool, p.nbWires),
		field:  new(big.Int).Set(p.field),
		res:    &Result{Decisions: make([]Decision, 0, p.nbOut)},
	}
	s.vals[0].SetOne()
	copy(s.vals[1:], vec)
	for i := 0; i < p.nbInputs; i++ {
		s.solved[i] = true
	}
	for _, o := range p.ops {
		switch o.kind {
		case opR1C:
			err = s.solveR1C(o.idx, &p.r1cs[o.idx])
		case opHint:
			err = s.solveHint(&p.hints[o.idx])
		}
		if err != nil {
			return nil, err
		}
	}
	for w := range s.solved {
		if !s.solved[w] {
			s.decide(Decision{Kind: Unassigned, Constraint: -1, Wire: w, Note: "no instruction assigns this wire"})
		}
	}
	s.res.Wires = s.vals
	return s.res, nil
}

// state is one run of the solver.
type state struct {
	p      *program
	st     Strategy
	vals   []fr.Element
	solved []bool
	field  *big.Int
	res    *Result

	in, out []*big.Int // hint buffers
}

// decide asks the strategy for d's value and assigns it.
func (s *state) decide(d Decision) {
	d.Seq = len(s.res.Decisions)
	d.Chosen = s.st.Choose(d)
	s.vals[d.Wire] = d.Chosen
	s.solved[d.Wire] = true
	s.res.Decisions = append(s.res.Decisions, d)
}

// mulCoeff returns coeffs[cid]·v with gnark's shortcuts for 0, 1, 2 and -1.
func (s *state) mulCoeff(cid uint32, v *fr.Element) fr.Element {
	var r fr.Element
	switch cid {
	case constraint.CoeffIdZero:
	case constraint.CoeffIdOne:
		r = *v
	case constraint.CoeffIdTwo:
		r.Double(v)
	case constraint.CoeffIdMinusOne:
		r.Neg(v)
	default:
		r.Mul(&s.p.coeffs[cid], v)
	}
	return r
}

// unknown is the one unsolved term of an R1C.
type unknown struct {
	loc int // 1 = L, 2 = R, 3 = O
	t   term
}

// eval adds the known terms of le into acc and returns how many terms are unknown,
// remembering the first in u.
func (s *state) eval(le []term, acc *fr.Element, loc int, u *unknown) int {
	n := 0
	for _, t := range le {
		if t.vid == constantWire {
			acc.Add(acc, &s.p.coeffs[t.cid])
			continue
		}
		if !s.solved[t.vid] {
			if n == 0 && u.loc == 0 {
				*u = unknown{loc: loc, t: t}
			}
			n++
			continue
		}
		v := s.mulCoeff(t.cid, &s.vals[t.vid])
		acc.Add(acc, &v)
	}
	return n
}

// solveR1C mirrors solveR1C in constraint/bn254/solver.go, except that a zero multiplier
// makes the wire a FreeWire decision, and an unsatisfied constraint is recorded, not fatal.
func (s *state) solveR1C(ci int, c *r1c) error {
	var a, b, o fr.Element
	var u unknown
	n := s.eval(c.l, &a, 1, &u) + s.eval(c.r, &b, 2, &u) + s.eval(c.o, &o, 3, &u)
	if n > 1 {
		return fmt.Errorf("r1csadv: R1C %d has %d unsolved terms (gnark's solver would panic)", ci, n)
	}
	if n == 1 {
		k := s.p.coeffs[u.t.cid]
		var mult, num, ab fr.Element
		ab.Mul(&a, &b)
		switch u.loc {
		case 1: // (a + k·w)·b = o  →  w = (o − a·b)/(k·b)
			mult.Mul(&k, &b)
			num.Sub(&o, &ab)
		case 2: // a·(b + k·w) = o  →  w = (o − a·b)/(k·a)
			mult.Mul(&k, &a)
			num.Sub(&o, &ab)
		case 3: // a·b = o + k·w  →  w = (a·b − o)/k
			mult = k
			num.Sub(&ab, &o)
		}
		w := int(u.t.vid)
		if mult.IsZero() {
			d := Decision{Kind: FreeWire, Constraint: ci, Wire: w}
			if k.IsZero() {
				d.Note = "zero coefficient on the unknown wire (gnark's divByCoeff would panic)"
			}
			s.decide(d)
		} else {
			var minusOne fr.Element
			minusOne.SetOne().Neg(&minusOne)
			switch {
			case mult.IsOne():
			case mult.Equal(&minusOne):
				num.Neg(&num)
			default:
				num.Div(&num, &mult)
			}
			s.vals[w] = num
			s.solved[w] = true
		}
		kw := s.mulCoeff(u.t.cid, &s.vals[w])
		switch u.loc {
		case 1:
			a.Add(&a, &kw)
		case 2:
			b.Add(&b, &kw)
		case 3:
			o.Add(&o, &kw)
		}
	}
	var ab fr.Element
	if !ab.Mul(&a, &b).Equal(&o) {
		s.res.Unsatisfied = append(s.res.Unsatisfied, ci)
	}
	return nil
}

// solveHint runs the hint on the current values of its inputs, then lets the strategy choose
// every output.
func (s *state) solveHint(h *hintCall) error {
	s.in = growBig(s.in, len(h.inputs))
	s.out = growBig(s.out, h.end-h.start)
	for i, le := range h.inputs {
		var v fr.Element
		for _, t := range le {
			if t.vid == constantWire {
				v.Add(&v, &s.p.coeffs[t.cid])
				continue
			}
			if !s.solved[t.vid] {
				return fmt.Errorf("r1csadv: hint %s (outputs [%d, %d)): input %d reads unsolved wire %d", h.name, h.start, h.end, i, t.vid)
			}
			tv := s.mulCoeff(t.cid, &s.vals[t.vid])
			v.Add(&v, &tv)
		}
		v.BigInt(s.in[i])
	}
	for _, o := range s.out {
		o.SetUint64(0)
	}
	s.field.Set(s.p.field)
	herr := callHint(h.fn, s.field, s.in, s.out)
	for i := 0; i < h.end-h.start; i++ {
		w := h.start + i
		if s.solved[w] {
			return fmt.Errorf("r1csadv: hint %s output %d: wire %d already assigned", h.name, i, w)
		}
		d := Decision{Kind: HintOutput, Constraint: -1, Wire: w, Hint: h.name, Index: i}
		switch {
		case herr != nil:
			d.Note = "hint failed, honest value 0: " + herr.Error()
		case s.out[i] == nil:
			d.Note = "hint left a nil output, honest value 0"
		default:
			d.Honest.SetBigInt(s.out[i])
		}
		s.decide(d)
	}
	return nil
}

// callHint runs a hint function, turning a panic into an error.
func callHint(fn solver.Hint, field *big.Int, in, out []*big.Int) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("hint panicked: %v", r)
		}
	}()
	return fn(field, in, out)
}

// growBig returns n non-nil big.Ints, reusing buf's.
func growBig(buf []*big.Int, n int) []*big.Int {
	for len(buf) < n {
		buf = append(buf, new(big.Int))
	}
	buf = buf[:n]
	for i := range buf {
		if buf[i] == nil {
			buf[i] = new(big.Int)
		}
	}
	return buf
}
