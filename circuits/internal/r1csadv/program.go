package r1csadv

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"sync"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark/constraint"
	cs_bn254 "github.com/consensys/gnark/constraint/bn254"
	"github.com/consensys/gnark/constraint/solver"
)

// constantWire is the wire id gnark uses to mark a constant term (constraint/term.go).
const constantWire = math.MaxUint32

// term is coeffs[cid]·wire[vid], or the constant coeffs[cid] when vid == constantWire.
type term struct{ cid, vid uint32 }

// r1c is one decompressed rank-1 constraint L·R = O.
type r1c struct{ l, r, o []term }

// hintCall is one decompressed hint instruction.
type hintCall struct {
	id         solver.HintID
	name       string
	fn         solver.Hint
	inputs     [][]term
	start, end int // output wires [start, end)
}

type opKind uint8

const (
	opR1C opKind = iota
	opHint
)

// op is one instruction: an index into program.r1cs (which is also the R1C index) or
// program.hints.
type op struct {
	kind opKind
	idx  int
}

// program is a constraint system decompressed once for repeated solving.
type program struct {
	sys      *cs_bn254.R1CS
	nbInstr  int
	nbWires  int
	nbInputs int // the one wire, public and secret inputs
	coeffs   []fr.Element
	field    *big.Int
	ops      []op
	r1cs     []r1c
	hints    []hintCall
	nbOut    int // total hint outputs, to size Result.Decisions

	checkOnce sync.Once
	check     []r1c // from gnark's GetR1Cs, for Check
	checkErr  error
}

var cache = struct {
	sync.Mutex
	m map[*cs_bn254.R1CS]*program
}{m: map[*cs_bn254.R1CS]*program{}}

// load returns the cached program for ccs, compiling it on first use (or when the system
// has grown since).
func load(ccs constraint.ConstraintSystem) (*program, error) {
	sys, ok := ccs.(*cs_bn254.R1CS)
	if !ok || sys == nil {
		return nil, fmt.Errorf("r1csadv: constraint system is %T, want a BN254 R1CS (*cs_bn254.R1CS)", ccs)
	}
	cache.Lock()
	p := cache.m[sys]
	cache.Unlock()
	if p != nil && p.nbInstr == len(sys.Instructions) {
		return p, nil
	}
	p, err := compile(sys)
	if err != nil {
		return nil, err
	}
	cache.Lock()
	cache.m[sys] = p
	cache.Unlock()
	return p, nil
}

// compile decompresses and validates every instruction of sys; it fails closed on anything
// it does not understand.
func compile(sys *cs_bn254.R1CS) (p *program, err error) {
	defer func() {
		if r := recover(); r != nil {
			p, err = nil, fmt.Errorf("r1csadv: malformed constraint system: %v", r)
		}
	}()
	if sys.Type != constraint.SystemR1CS {
		return nil, fmt.Errorf("r1csadv: constraint system type %d, want R1CS (%d)", sys.Type, constraint.SystemR1CS)
	}
	if sys.CommitmentInfo != nil && len(sys.CommitmentInfo.CommitmentIndexes()) > 0 {
		return nil, errors.New("r1csadv: constraint system has commitments (api.Commit), which are not supported")
	}
	if len(sys.Public) == 0 {
		return nil, errors.New("r1csadv: R1CS without the one wire (no public variables)")
	}
	p = &program{
		sys:      sys,
		nbInstr:  len(sys.Instructions),
		nbInputs: len(sys.Public) + len(sys.Secret),
		nbWires:  len(sys.Public) + len(sys.Secret) + sys.NbInternalVariables,
		coeffs:   sys.Coefficients,
		field:    sys.Field(),
	}
	if p.field.Cmp(fr.Modulus()) != 0 {
		return nil, fmt.Errorf("r1csadv: scalar field %s is not BN254's", p.field.Text(16))
	}
	var hm constraint.HintMapping
	for i, pi := range sys.Instructions {
		if int(pi.BlueprintID) >= len(sys.Blueprints) {
			return nil, fmt.Errorf("r1csadv: instruction %d: blueprint id %d out of range", i, pi.BlueprintID)
		}
		bp := sys.Blueprints[pi.BlueprintID]
		switch bp := bp.(type) {
		case *constraint.BlueprintGenericR1C:
			inst, err := unpack(sys, pi, i)
			if err != nil {
				return nil, err
			}
			c, err := p.decodeR1C(bp, inst, i)
			if err != nil {
				return nil, err
			}
			p.ops = append(p.ops, op{kind: opR1C, idx: len(p.r1cs)})
			p.r1cs = append(p.r1cs, c)
		case *constraint.BlueprintGenericHint:
			inst, err := unpack(sys, pi, i)
			if err != nil {
				return nil, err
			}
			h, err := p.decodeHint(bp, &hm, inst, i)
			if err != nil {
				return nil, err
			}
			p.nbOut += h.end - h.start
			p.ops = append(p.ops, op{kind: opHint, idx: len(p.hints)})
			p.hints = append(p.hints, h)
		default:
			return nil, fmt.Errorf("r1csadv: instruction %d: unsupported blueprint %T (only *constraint.BlueprintGenericR1C and *constraint.BlueprintGenericHint are)", i, bp)
		}
	}
	if len(p.r1cs) != sys.NbConstraints {
		return nil, fmt.Errorf("r1csadv: %d R1C instructions but NbConstraints = %d", len(p.r1cs), sys.NbConstraints)
	}
	return p, nil
}

// unpack is PackedInstruction.Unpack with bounds checks (constraint/core.go).
func unpack(sys *cs_bn254.R1CS, pi constraint.PackedInstruction, i int) (constraint.Instruction, error) {
	if pi.StartCallData >= uint64(len(sys.CallData)) {
		return constraint.Instruction{}, fmt.Errorf("r1csadv: instruction %d: calldata offset %d out of range", i, pi.StartCallData)
	}
	size := uint64(sys.CallData[pi.StartCallData])
	if size == 0 || pi.StartCallData+size > uint64(len(sys.CallData)) {
		return constraint.Instruction{}, fmt.Errorf("r1csadv: instruction %d: calldata size %d out of range", i, size)
	}
	return pi.Unpack(&sys.System), nil
}

// decodeR1C validates the calldata layout of constraint/blueprint_r1cs.go (nbWords, len L,
// len R, len O, then (coeffID, wireID) pairs) and decompresses it with gnark's own decoder.
func (p *program) decodeR1C(bp *constraint.BlueprintGenericR1C, inst constraint.Instruction, i int) (r1c, error) {
	cd := inst.Calldata
	if len(cd) < 4 {
		return r1c{}, fmt.Errorf("r1csadv: instruction %d: R1C calldata too short (%d words)", i, len(cd))
	}
	want := 4 + 2*(uint64(cd[1])+uint64(cd[2])+uint64(cd[3]))
	if want != uint64(len(cd)) {
		return r1c{}, fmt.Errorf("r1csadv: instruction %d: R1C calldata has %d words, lengths say %d", i, len(cd), want)
	}
	if int(inst.ConstraintOffset) != len(p.r1cs) {
		return r1c{}, fmt.Errorf("r1csadv: instruction %d: constraint offset %d, want %d", i, inst.ConstraintOffset, len(p.r1cs))
	}
	var c constraint.R1C
	bp.DecompressR1C(&c, inst)
	out, err := p.r1cTerms(c)
	if err != nil {
		return r1c{}, fmt.Errorf("r1csadv: instruction %d (R1C %d): %w", i, inst.ConstraintOffset, err)
	}
	return out, nil
}

// decodeHint validates the calldata layout of constraint/blueprint_hint.go and decompresses
// it with gnark's own decoder, then resolves the hint function from gnark's registry.
func (p *program) decodeHint(bp *constraint.BlueprintGenericHint, hm *constraint.HintMapping, inst constraint.Instruction, i int) (hintCall, error) {
	cd := inst.Calldata
	if len(cd) < 3 {
		return hintCall{}, fmt.Errorf("r1csadv: instruction %d: hint calldata too short (%d words)", i, len(cd))
	}
	j := uint64(3)
	for k := uint64(0); k < uint64(cd[2]); k++ {
		if j >= uint64(len(cd)) {
			return hintCall{}, fmt.Errorf("r1csadv: instruction %d: hint calldata truncated at input %d", i, k)
		}
		j += 1 + 2*uint64(cd[j])
	}
	if j+2 != uint64(len(cd)) {
		return hintCall{}, fmt.Errorf("r1csadv: instruction %d: hint calldata has %d words, layout says %d", i, len(cd), j+2)
	}
	bp.DecompressHint(hm, inst)
	h := hintCall{id: hm.HintID, start: int(hm.OutputRange.Start), end: int(hm.OutputRange.End)}
	if h.start < p.nbInputs || h.start >= h.end || h.end > p.nbWires {
		return hintCall{}, fmt.Errorf("r1csadv: instruction %d: hint output range [%d, %d) outside the internal wires [%d, %d)", i, h.start, h.end, p.nbInputs, p.nbWires)
	}
	h.fn = solver.GetRegisteredHint(h.id)
	name, known := p.sys.MHintsDependencies[h.id]
	if h.fn == nil {
		if !known {
			name = fmt.Sprint(h.id)
		}
		return hintCall{}, fmt.Errorf("r1csadv: instruction %d: hint %s is not registered (solver.RegisterHint)", i, name)
	}
	if !known {
		name = solver.GetHintName(h.fn)
	}
	h.name = name
	h.inputs = make([][]term, len(hm.Inputs))
	for k, le := range hm.Inputs {
		t, err := p.terms(le)
		if err != nil {
			return hintCall{}, fmt.Errorf("r1csadv: instruction %d: hint %s input %d: %w", i, name, k, err)
		}
		h.inputs[k] = t
	}
	return h, nil
}

// r1cTerms copies the three linear expressions of c.
func (p *program) r1cTerms(c constraint.R1C) (r1c, error) {
	l, err := p.terms(c.L)
	if err != nil {
		return r1c{}, fmt.Errorf("L: %w", err)
	}
	r, err := p.terms(c.R)
	if err != nil {
		return r1c{}, fmt.Errorf("R: %w", err)
	}
	o, err := p.terms(c.O)
	if err != nil {
		return r1c{}, fmt.Errorf("O: %w", err)
	}
	return r1c{l: l, r: r, o: o}, nil
}

// terms copies a linear expression, checking its coefficient and wire ids.
func (p *program) terms(le constraint.LinearExpression) ([]term, error) {
	out := make([]term, len(le))
	for k, t := range le {
		if int(t.CID) >= len(p.coeffs) {
			return nil, fmt.Errorf("coefficient id %d out of range (%d coefficients)", t.CID, len(p.coeffs))
		}
		if t.VID != constantWire && int(t.VID) >= p.nbWires {
			return nil, fmt.Errorf("wire id %d out of range (%d wires)", t.VID, p.nbWires)
		}
		out[k] = term{cid: t.CID, vid: t.VID}
	}
	return out, nil
}

// checkR1Cs returns the R1Cs as gnark's GetR1Cs decompresses them, for Check.
func (p *program) checkR1Cs() ([]r1c, error) {
	p.checkOnce.Do(func() {
		defer func() {
			if r := recover(); r != nil {
				p.check, p.checkErr = nil, fmt.Errorf("r1csadv: GetR1Cs: %v", r)
			}
		}()
		rs := p.sys.GetR1Cs()
		if len(rs) != p.sys.NbConstraints {
			p.checkErr = fmt.Errorf("r1csadv: GetR1Cs returned %d constraints, NbConstraints = %d", len(rs), p.sys.NbConstraints)
			return
		}
		p.check = make([]r1c, len(rs))
		for i, c := range rs {
			var err error
			if p.check[i], err = p.r1cTerms(c); err != nil {
				p.check, p.checkErr = nil, fmt.Errorf("r1csadv: GetR1Cs: R1C %d: %w", i, err)
				return
			}
		}
	})
	return p.check, p.checkErr
}
