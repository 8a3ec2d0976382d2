package r1csadv

import (
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark/constraint"
	cs_bn254 "github.com/consensys/gnark/constraint/bn254"
	"github.com/consensys/gnark/constraint/solver"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"
	"github.com/consensys/gnark/frontend/cs/scs"
)

// wantErr fails unless err mentions substr.
func wantErr(t *testing.T, err error, substr string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), substr) {
		t.Fatalf("want an error mentioning %q, got %v", substr, err)
	}
}

// otherBlueprint is a blueprint r1csadv does not know.
type otherBlueprint struct{}

func (otherBlueprint) CalldataSize() int                    { return 1 }
func (otherBlueprint) NbConstraints() int                   { return 0 }
func (otherBlueprint) NbOutputs(constraint.Instruction) int { return 0 }
func (otherBlueprint) UpdateInstructionTree(constraint.Instruction, constraint.InstructionTree) constraint.Level {
	return 0
}

// Test 4: an instruction of any other blueprint makes Solve and Check fail, also after the
// system was cached.
func TestUnknownBlueprintFailsClosed(t *testing.T) {
	ccs := compileR1CS(t, &divCircuit{})
	assignment := &divCircuit{X: 3, Z: 1, Y: 9}
	res, err := Solve(ccs, assignment, Honest())
	if err != nil || !res.Satisfied() {
		t.Fatalf("before: %v, %v", err, res)
	}
	sys := ccs.(*cs_bn254.R1CS)
	bID := sys.AddBlueprint(&otherBlueprint{})
	sys.AddInstruction(bID, []uint32{0})

	_, err = Solve(ccs, assignment, Honest())
	wantErr(t, err, "unsupported blueprint *r1csadv.otherBlueprint")
	_, err = Check(ccs, res.Wires)
	wantErr(t, err, "unsupported blueprint")
	_, _, err = Search(ccs, assignment, SearchOptions{})
	wantErr(t, err, "unsupported blueprint")
}

type commitCircuit struct{ X frontend.Variable }

func (c *commitCircuit) Define(api frontend.API) error {
	cm, err := api.(frontend.Committer).Commit(c.X)
	if err != nil {
		return err
	}
	api.AssertIsDifferent(cm, c.X)
	return nil
}

func TestUnsupportedSystems(t *testing.T) {
	ccs := compileR1CS(t, &commitCircuit{})
	_, err := Solve(ccs, &commitCircuit{X: 1}, Honest())
	wantErr(t, err, "commitments")

	plonk, err := frontend.Compile(ecc.BN254.ScalarField(), scs.NewBuilder, &divCircuit{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Solve(plonk, &divCircuit{X: 1, Z: 1, Y: 1}, Honest())
	wantErr(t, err, "want R1CS")

	bls, err := frontend.Compile(ecc.BLS12_381.ScalarField(), r1cs.NewBuilder, &divCircuit{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Solve(bls, &divCircuit{X: 1, Z: 1, Y: 1}, Honest())
	wantErr(t, err, "want a BN254 R1CS")
	_, err = Check(nil, nil)
	wantErr(t, err, "want a BN254 R1CS")
}

func TestBadInputs(t *testing.T) {
	ccs := compileR1CS(t, &divCircuit{})
	_, err := Solve(ccs, &divCircuit{X: 1, Z: 1, Y: 1}, nil)
	wantErr(t, err, "nil strategy")
	_, err = Solve(ccs, nil, Honest())
	wantErr(t, err, "nil assignment")
	_, err = Solve(ccs, &bitsCircuit{X: 1, Y: 1}, Honest())
	wantErr(t, err, "witness has 2 values, the system expects 3")
	_, err = Solve(ccs, &divCircuit{X: "x", Z: 1, Y: 1}, Honest())
	wantErr(t, err, "building the witness")
}

// corrupt compiles divCircuit and applies f to its calldata.
func corrupt(t *testing.T, f func(sys *cs_bn254.R1CS)) error {
	ccs := compileR1CS(t, &divCircuit{})
	f(ccs.(*cs_bn254.R1CS))
	_, err := Solve(ccs, &divCircuit{X: 1, Z: 1, Y: 1}, Honest())
	return err
}

func TestMalformedCalldata(t *testing.T) {
	err := corrupt(t, func(sys *cs_bn254.R1CS) { sys.CallData[sys.Instructions[0].StartCallData+1] = 1000 })
	wantErr(t, err, "R1C calldata has")
	err = corrupt(t, func(sys *cs_bn254.R1CS) { sys.CallData[sys.Instructions[0].StartCallData] = 1 << 30 })
	wantErr(t, err, "calldata size")
	err = corrupt(t, func(sys *cs_bn254.R1CS) { sys.CallData[sys.Instructions[0].StartCallData+5] = 1 << 20 })
	wantErr(t, err, "wire id 1048576 out of range")
	err = corrupt(t, func(sys *cs_bn254.R1CS) { sys.CallData[sys.Instructions[0].StartCallData+4] = 1 << 20 })
	wantErr(t, err, "coefficient id 1048576 out of range")
	err = corrupt(t, func(sys *cs_bn254.R1CS) { sys.Instructions[0].BlueprintID = 99 })
	wantErr(t, err, "blueprint id 99 out of range")
}

func unregisteredHint(_ *big.Int, in, out []*big.Int) error {
	out[0].Set(in[0])
	return nil
}

func failingHint(_ *big.Int, in, out []*big.Int) error {
	out[0].SetUint64(5)
	return errors.New("no")
}

func panickingHint(_ *big.Int, in, out []*big.Int) error {
	panic("boom")
}

func init() { solver.RegisterHint(failingHint, panickingHint) }

type hintCircuit struct {
	X  frontend.Variable
	fn solver.Hint
}

func (c *hintCircuit) Define(api frontend.API) error {
	r, err := api.Compiler().NewHint(c.fn, 1, c.X)
	if err != nil {
		return err
	}
	api.AssertIsEqual(r[0], c.X)
	return nil
}

func TestHints(t *testing.T) {
	ccs := compileR1CS(t, &hintCircuit{fn: unregisteredHint})
	_, err := Solve(ccs, &hintCircuit{X: 1}, Honest())
	wantErr(t, err, "r1csadv.unregisteredHint is not registered")

	for _, fn := range []solver.Hint{failingHint, panickingHint} {
		ccs := compileR1CS(t, &hintCircuit{fn: fn})
		res, err := Solve(ccs, &hintCircuit{X: 1}, Honest())
		if err != nil {
			t.Fatal(err)
		}
		d := res.Decisions[0]
		if !d.Honest.IsZero() || !strings.Contains(d.Note, "hint failed") || res.Satisfied() {
			t.Fatalf("%s: %v, unsatisfied %v", solver.GetHintName(fn), d, res.Unsatisfied)
		}
		res, err = Solve(ccs, &hintCircuit{X: 1}, Override(map[int]fr.Element{d.Wire: elt(1)}))
		if err != nil || !res.Satisfied() {
			t.Fatalf("choosing the right output: %v %v", err, res.Unsatisfied)
		}
	}
}
