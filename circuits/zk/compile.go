//go:build !(js && wasm)

package zk

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend/groth16"
	groth16bn254 "github.com/consensys/gnark/backend/groth16/bn254"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"

	"agegate.dev/circuits/agecircuit"
)

// This file is everything that compiles the circuit with gnark's frontend or runs a setup:
// native builds only. The browser prover (circuits/wasm) decodes the R1CS this compiled,
// embedded at build time (compile_wasm.go), so it links neither gnark's frontend builder
// nor the generic groth16 package, which pull every other curve's code in with them.

var (
	compileOnce sync.Once
	compiled    constraint.ConstraintSystem
	compileErr  error
)

//go:generate go run ../internal/r1csgen -out circuit.r1cs

// Compile returns the circuit's R1CS, compiled once per process.
func Compile() (constraint.ConstraintSystem, error) {
	compileOnce.Do(func() {
		compiled, compileErr = frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, &agecircuit.Circuit{})
		if compileErr == nil && len(compiled.GetCommitments().CommitmentIndexes()) != 0 {
			compileErr = errors.New("the circuit uses Groth16 commitments; it must stay plain Groth16")
		}
	})
	return compiled, compileErr
}

// CircuitIDFile names the file in a key directory that records which circuit the keys are for.
const CircuitIDFile = "circuit-id"

var (
	circuitIDOnce sync.Once
	circuitID     string
)

// CircuitID is the hex SHA-256 of the circuit's version line and its compiled constraint
// system: two builds with the same ID have the same circuit, so cached keys stay usable
// exactly while it holds, and keys of circuit v1 are never taken for v2's.
func CircuitID() (string, error) {
	ccs, err := Compile()
	if err != nil {
		return "", err
	}
	circuitIDOnce.Do(func() {
		h := sha256.New()
		fmt.Fprintf(h, "agegate-age-circuit/v%d\n", agecircuit.Version)
		if _, err := ccs.WriteTo(h); err != nil {
			panic(err) // hashing cannot fail
		}
		circuitID = hex.EncodeToString(h.Sum(nil))
	})
	return circuitID, nil
}

// KeysCurrent reports whether dir holds keys made for this build's circuit.
func KeysCurrent(dir string) bool {
	id, err := CircuitID()
	if err != nil {
		return false
	}
	b, err := os.ReadFile(filepath.Join(dir, CircuitIDFile))
	if err != nil || string(bytes.TrimSpace(b)) != id {
		return false
	}
	for _, f := range []string{ProvingKeyFile, VerifyingKeyFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return false
		}
	}
	return true
}

// DevSetup runs a single-party Groth16 setup. Whoever runs it knows the toxic
// waste and can forge proofs: for development and tests only. Production keys
// come from a multi-party ceremony (gnark's mpcsetup), and the gateway pins the
// fingerprint of the resulting verifying key.
func DevSetup() (*groth16bn254.ProvingKey, *groth16bn254.VerifyingKey, error) {
	ccs, err := Compile()
	if err != nil {
		return nil, nil, err
	}
	pk, vk, err := groth16.Setup(ccs)
	if err != nil {
		return nil, nil, err
	}
	return pk.(*groth16bn254.ProvingKey), vk.(*groth16bn254.VerifyingKey), nil
}

// SaveKeys writes pk.bin and vk.bin into dir, each atomically (temp file + rename).
func SaveKeys(dir string, pk *groth16bn254.ProvingKey, vk *groth16bn254.VerifyingKey) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := WriteFileAtomic(filepath.Join(dir, ProvingKeyFile), MarshalProvingKey(pk), 0o644); err != nil {
		return err
	}
	if err := WriteFileAtomic(filepath.Join(dir, VerifyingKeyFile), MarshalVerifyingKey(vk), 0o644); err != nil {
		return err
	}
	id, err := CircuitID()
	if err != nil {
		return err
	}
	// Written last: a directory whose circuit-id matches holds both keys.
	return WriteFileAtomic(filepath.Join(dir, CircuitIDFile), []byte(id+"\n"), 0o644)
}
