package zk_test

import (
	"testing"

	"agegate.dev/circuits/internal/fixture"
)

// BenchmarkProve measures one proof (witness build, solve, Groth16 prove).
// Run: go test ./zk -run '^$' -bench . -benchtime 20x
func BenchmarkProve(b *testing.B) {
	p, _ := keys(b)
	f := fixture.New("1996-05-17", "2025-01-01", "2030-01-01", "2026-11-28", 18)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := p.Prove(f.Wallet, f.Request); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify measures one verification from wire bytes (decode + pairing check).
func BenchmarkVerify(b *testing.B) {
	_, proof, in, v := proveFixture(b)
	enc := in.Encode()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := v.VerifyEncoded(proof, enc); err != nil {
			b.Fatal(err)
		}
	}
}
