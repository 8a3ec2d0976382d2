package zk

import (
	"math/big"

	"github.com/consensys/gnark-crypto/ecc/bn254"
)

// The snarkjs JSON forms (groth16, curve "bn128"), so an independent verifier can check
// our proofs: `snarkjs groth16 verify verification_key.json public.json proof.json`.

// SnarkjsVerifyingKey is snarkjs's verification_key.json.
type SnarkjsVerifyingKey struct {
	Protocol string       `json:"protocol"`
	Curve    string       `json:"curve"`
	NPublic  int          `json:"nPublic"`
	Alpha    [3]string    `json:"vk_alpha_1"`
	Beta     [3][2]string `json:"vk_beta_2"`
	Gamma    [3][2]string `json:"vk_gamma_2"`
	Delta    [3][2]string `json:"vk_delta_2"`
	IC       [][3]string  `json:"IC"`
}

// SnarkjsProof is snarkjs's proof.json.
type SnarkjsProof struct {
	A        [3]string    `json:"pi_a"`
	B        [3][2]string `json:"pi_b"`
	C        [3]string    `json:"pi_c"`
	Protocol string       `json:"protocol"`
	Curve    string       `json:"curve"`
}

func dec(x interface{ BigInt(*big.Int) *big.Int }) string { return x.BigInt(new(big.Int)).String() }

func g1(p *bn254.G1Affine) [3]string { return [3]string{dec(&p.X), dec(&p.Y), "1"} }

func g2(p *bn254.G2Affine) [3][2]string {
	return [3][2]string{{dec(&p.X.A0), dec(&p.X.A1)}, {dec(&p.Y.A0), dec(&p.Y.A1)}, {"1", "0"}}
}

// ExportSnarkjsKey converts a raw verifying key.
func ExportSnarkjsKey(rawVK []byte) (*SnarkjsVerifyingKey, error) {
	vk, err := UnmarshalVerifyingKey(rawVK)
	if err != nil {
		return nil, err
	}
	out := &SnarkjsVerifyingKey{Protocol: "groth16", Curve: "bn128", NPublic: NbPublic,
		Alpha: g1(&vk.G1.Alpha), Beta: g2(&vk.G2.Beta), Gamma: g2(&vk.G2.Gamma), Delta: g2(&vk.G2.Delta)}
	for i := range vk.G1.K {
		out.IC = append(out.IC, g1(&vk.G1.K[i]))
	}
	return out, nil
}

// ExportSnarkjsProof converts a wire-form proof and its public inputs.
func ExportSnarkjsProof(proof []byte, in *PublicInputs) (*SnarkjsProof, []string, error) {
	p, err := DecodeProof(proof)
	if err != nil {
		return nil, nil, err
	}
	public := make([]string, 0, NbPublic)
	for _, e := range in.Vector() {
		public = append(public, dec(&e))
	}
	return &SnarkjsProof{A: g1(&p.Ar), B: g2(&p.Bs), C: g1(&p.Krs), Protocol: "groth16", Curve: "bn128"}, public, nil
}
