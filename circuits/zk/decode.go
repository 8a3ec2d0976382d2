package zk

import (
	"errors"
	"fmt"

	csbn254 "github.com/consensys/gnark/constraint/bn254"
)

// DecodeCircuit decodes the age circuit's R1CS from gnark's binary serialisation (what
// Compile's WriteTo writes) and checks it is plain Groth16 with NbPublic public inputs. The
// browser prover's Compile is this, over the bytes its build embedded (compile_wasm.go);
// native builds compile and test it against their own compilation.
func DecodeCircuit(raw []byte) (*csbn254.R1CS, error) {
	var cs csbn254.R1CS
	n, err := readFromNoPanic(&cs, raw)
	switch {
	case err != nil:
		return nil, fmt.Errorf("circuit: %w", err)
	case n != int64(len(raw)):
		return nil, errors.New("circuit: trailing bytes")
	case len(cs.GetCommitments().CommitmentIndexes()) != 0:
		return nil, errors.New("the circuit uses Groth16 commitments; it must stay plain Groth16")
	case cs.GetNbPublicVariables() != NbPublic+1: // the constant wire, then the public inputs
		return nil, fmt.Errorf("circuit has %d public variables, not %d", cs.GetNbPublicVariables(), NbPublic+1)
	}
	return &cs, nil
}
