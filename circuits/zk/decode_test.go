package zk_test

import (
	"bytes"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	groth16bn254 "github.com/consensys/gnark/backend/groth16/bn254"
	"github.com/consensys/gnark/frontend"

	"agegate.dev/circuits/internal/fixture"
	"agegate.dev/circuits/zk"
)

// compiledBytes is what `go generate ./zk` embeds in the browser prover.
func compiledBytes(t *testing.T) []byte {
	t.Helper()
	ccs, err := zk.Compile()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if _, err := ccs.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// The browser's circuit is the decoded native compilation: it serialises to the same bytes
// and proves what the native circuit proves, with the keys set up for the native one.
func TestDecodeCircuit_nativeCompilation_sameCircuitAndProves(t *testing.T) {
	raw := compiledBytes(t)
	cs, err := zk.DecodeCircuit(raw)
	if err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	if _, err := cs.WriteTo(&again); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(raw, again.Bytes()) {
		t.Fatal("the decoded circuit does not serialise to the compiled bytes")
	}

	_, v := keys(t)
	f := fixture.New("1996-05-17", "2025-01-01", "2030-01-01", "2026-11-28", 18)
	assignment, in, err := f.Wallet.Assignment(f.Request)
	if err != nil {
		t.Fatal(err)
	}
	wit, err := frontend.NewWitness(assignment, ecc.BN254.ScalarField())
	if err != nil {
		t.Fatal(err)
	}
	proof, err := groth16bn254.Prove(cs, pk, wit)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Verify(zk.EncodeProof(proof), in); err != nil {
		t.Fatalf("a proof over the decoded circuit is refused: %v", err)
	}
}

func TestDecodeCircuit_damagedBytes_refusedWithoutPanic(t *testing.T) {
	raw := compiledBytes(t)
	for name, b := range map[string][]byte{
		"empty":     {},
		"truncated": raw[:len(raw)/2],
		"trailing":  append(append([]byte{}, raw...), 0),
		"garbage":   bytes.Repeat([]byte{0xff}, 64),
	} {
		if _, err := zk.DecodeCircuit(b); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
}
