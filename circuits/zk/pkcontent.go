package zk

import (
	"errors"
	"fmt"
	"sync"

	"github.com/consensys/gnark-crypto/ecc/bn254"
	groth16bn254 "github.com/consensys/gnark/backend/groth16/bn254"
	cs "github.com/consensys/gnark/constraint/bn254"
)

// A proving key comes from whoever serves it. Framing (keyframe.go) keeps it from exhausting
// memory; the checks here keep it from weakening zero-knowledge, which Groth16 promises only
// for a well-formed key:
//
//   - α, β and δ are not the point at infinity, and β, δ are the same in G1 and G2
//     (e(β₁, g₂) = e(g₁, β₂), e(δ₁, g₂) = e(g₁, δ₂)). With δ = O the prover's blinding terms
//     r·δ and s·δ vanish and A = α + Σ aᵢ·Aᵢ becomes a function of the witness.
//   - Which wires have A- and B-points at infinity is exactly what the compiled circuit
//     implies (a wire's QAP polynomial is zero iff the wire is in no L, or no R, of any
//     constraint). Otherwise a key's author could mark every wire but the holder secret at
//     infinity, so that A links the holder across sites, or isolate the birth date.
//
// These checks do not make a key trustworthy: a key's author who knows its exponents can
// still make one that fails to hide. Wallets also pin the key's SHA-256 from the signed
// request object (CheckProvingKeyDigest), which binds it to the gateway's ceremony keys.

var (
	masksOnce      sync.Once
	maskA, maskB   []bool
	masksErr       error
	errPKMalformed = errors.New("proving key is not a well-formed key for the age circuit")
)

// infinityMasks are InfinityA and InfinityB as the compiled circuit implies them.
func infinityMasks() ([]bool, []bool, error) {
	masksOnce.Do(func() {
		ccs, err := Compile()
		if err != nil {
			masksErr = err
			return
		}
		r, ok := ccs.(*cs.R1CS)
		if !ok {
			masksErr = errors.New("the compiled circuit is not a BN254 R1CS")
			return
		}
		internal, secret, public := r.GetNbVariables()
		n := internal + secret + public
		inL, inR := make([]bool, n), make([]bool, n)
		for _, c := range r.GetR1Cs() {
			for _, t := range c.L {
				inL[t.WireID()] = true
			}
			for _, t := range c.R {
				inR[t.WireID()] = true
			}
		}
		maskA, maskB = make([]bool, n), make([]bool, n)
		for i := range inL {
			maskA[i], maskB[i] = !inL[i], !inR[i]
		}
	})
	return maskA, maskB, masksErr
}

// checkProvingKeyContent is run on a decoded proving key before it is used.
func checkProvingKeyContent(pk *groth16bn254.ProvingKey) error {
	for name, p := range map[string]*bn254.G1Affine{"α₁": &pk.G1.Alpha, "β₁": &pk.G1.Beta, "δ₁": &pk.G1.Delta} {
		if p.IsInfinity() {
			return fmt.Errorf("%w: %s is the point at infinity", errPKMalformed, name)
		}
	}
	for name, p := range map[string]*bn254.G2Affine{"β₂": &pk.G2.Beta, "δ₂": &pk.G2.Delta} {
		if p.IsInfinity() {
			return fmt.Errorf("%w: %s is the point at infinity", errPKMalformed, name)
		}
	}
	_, _, g1, g2 := bn254.Generators()
	var negG1 bn254.G1Affine
	negG1.Neg(&g1)
	for name, pair := range map[string][2]any{"β": {&pk.G1.Beta, &pk.G2.Beta}, "δ": {&pk.G1.Delta, &pk.G2.Delta}} {
		ok, err := bn254.PairingCheck([]bn254.G1Affine{*pair[0].(*bn254.G1Affine), negG1}, []bn254.G2Affine{g2, *pair[1].(*bn254.G2Affine)})
		if err != nil || !ok {
			return fmt.Errorf("%w: %s differs between G1 and G2", errPKMalformed, name)
		}
	}
	a, b, err := infinityMasks()
	if err != nil {
		return err
	}
	if len(pk.InfinityA) != len(a) || len(pk.InfinityB) != len(b) {
		return fmt.Errorf("%w: %d/%d wire flags, the circuit has %d wires", errPKMalformed, len(pk.InfinityA), len(pk.InfinityB), len(a))
	}
	for i := range a {
		if pk.InfinityA[i] != a[i] || pk.InfinityB[i] != b[i] {
			return fmt.Errorf("%w: wire %d's points at infinity differ from the circuit's", errPKMalformed, i)
		}
	}
	return nil
}
