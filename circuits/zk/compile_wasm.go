//go:build js && wasm

package zk

import (
	_ "embed"
	"fmt"
	"sync"

	"github.com/consensys/gnark/constraint"
)

// circuitR1CS is the circuit as the native build compiles it (zk.Compile, written by
// `go generate ./zk`, which the wallet's build runs before building prover.wasm): the same
// bytes the proving key was set up for, so decoding them here is compiling the circuit,
// without gnark's frontend, whose builder links every curve's constraint system.
//
//go:embed circuit.r1cs
var circuitR1CS []byte

var (
	compileOnce sync.Once
	compiled    constraint.ConstraintSystem
	compileErr  error
)

// Compile returns the circuit's R1CS, decoded once per process from the embedded bytes.
func Compile() (constraint.ConstraintSystem, error) {
	compileOnce.Do(func() {
		cs, err := DecodeCircuit(circuitR1CS)
		if err != nil {
			compileErr = fmt.Errorf("embedded %w", err)
			return
		}
		compiled = cs
	})
	return compiled, compileErr
}
