package zk_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254"
	groth16bn254 "github.com/consensys/gnark/backend/groth16/bn254"

	"agegate.dev/circuits/zk"
)

// copyPK decodes a fresh copy of the dev proving key, to edit.
func copyPK(t *testing.T) *groth16bn254.ProvingKey {
	t.Helper()
	keys(t)
	p, err := zk.UnmarshalProvingKey(zk.MarshalProvingKey(pk))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// A hostile gateway's proving key that would undo zero-knowledge is refused when loaded:
// δ at infinity (no blinding), β or δ differing between G1 and G2, and one more wire
// marked at infinity than the circuit implies (the "isolate one witness value" key).
func TestProvingKey_malformedContent_refused(t *testing.T) {
	cases := map[string]func(p *groth16bn254.ProvingKey){
		"δ at infinity": func(p *groth16bn254.ProvingKey) {
			p.G1.Delta = bn254.G1Affine{}
			p.G2.Delta = bn254.G2Affine{}
		},
		"α at infinity": func(p *groth16bn254.ProvingKey) { p.G1.Alpha = bn254.G1Affine{} },
		"δ₁ ≠ δ₂":       func(p *groth16bn254.ProvingKey) { p.G1.Delta.Double(&p.G1.Delta) },
		"β₁ ≠ β₂":       func(p *groth16bn254.ProvingKey) { p.G1.Beta.Double(&p.G1.Beta) },
		"one more wire at infinity in A": func(p *groth16bn254.ProvingKey) {
			j := 0
			for i, inf := range p.InfinityA {
				if !inf {
					p.InfinityA[i] = true
					p.G1.A = append(p.G1.A[:j], p.G1.A[j+1:]...)
					p.NbInfinityA++
					return
				}
				j++
			}
		},
	}
	for name, edit := range cases {
		t.Run(name, func(t *testing.T) {
			p := copyPK(t)
			edit(p)
			if _, err := zk.UnmarshalProvingKey(zk.MarshalProvingKey(p)); err == nil {
				t.Fatal("accepted")
			} else {
				t.Log(err)
			}
		})
	}
}

func TestCheckProvingKeyDigest(t *testing.T) {
	keys(t)
	raw := zk.MarshalProvingKey(pk)
	if err := zk.CheckProvingKeyDigest(raw, zk.ProvingKeyDigest(raw)); err != nil {
		t.Fatal(err)
	}
	err := zk.CheckProvingKeyDigest(raw, strings.Repeat("0", 64))
	if !errors.Is(err, zk.ErrProvingKeyDigest) || !strings.Contains(err.Error(), zk.ProvingKeyDigest(raw)) {
		t.Fatalf("wrong digest: %v", err)
	}
	if err := zk.CheckProvingKeyDigest(raw, ""); err == nil {
		t.Fatal("an empty expected digest accepted")
	}
}
