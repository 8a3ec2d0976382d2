// Command r1csgen writes the age circuit's compiled R1CS (zk.Compile, gnark's binary
// serialisation) to a file, for the browser prover to embed (circuits/zk/compile_wasm.go):
// the browser then decodes the constraint system instead of compiling the circuit, and
// prover.wasm links neither gnark's frontend builder nor the other curves' code.
//
//	go run ./internal/r1csgen -out zk/circuit.r1cs     (what `go generate ./zk` runs)
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"

	"agegate.dev/circuits/zk"
)

func main() {
	out := flag.String("out", "", "the file to write")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "usage: r1csgen -out FILE")
		os.Exit(2)
	}
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "r1csgen:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	ccs, err := zk.Compile()
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if _, err := ccs.WriteTo(&b); err != nil {
		return err
	}
	return zk.WriteFileAtomic(out, b.Bytes(), 0o644)
}
