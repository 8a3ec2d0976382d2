package agecircuit

import (
	"math/big"

	tedwards "github.com/consensys/gnark-crypto/ecc/twistededwards"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/std/algebra/native/twistededwards"
	"github.com/consensys/gnark/std/hash/mimc"
)

// scalarBits is the bit length of Baby Jubjub's prime subgroup order ℓ (ℓ < 2^251).
const scalarBits = 251

// VerifySignature asserts that (R, S) is an EdDSA signature by A on msg, the check
// gnark-crypto's native eddsa.Verify makes (cofactored: [8]([S]G − [h]A − R) = O with
// h = MiMC(R.x, R.y, A.x, A.y, msg)), with every point and scalar checked explicitly
// rather than left to the library (gnark's std/signature/eddsa checks neither R nor A):
//
//   - R and A are on the curve, before any group operation. gnark's Edwards formulas
//     divide without a check (DivUnchecked: q·d = n leaves q free when n = d = 0); on this
//     complete curve (a = −1 a square, d not a square) the denominators of the addition and
//     doubling formulas are non-zero for points on the curve, so once the inputs are on it
//     every intermediate point is determined. Off the curve, R = (0, 0) makes the first
//     cofactor doubling 0/0 and lets a prover walk to the identity: the v1 forgery.
//   - A is not of small order: [8]A ≠ O. On the curve [8]A lies in the prime-order
//     subgroup, where x = 0 only at the identity, so x([8]A) ≠ 0 is the whole check.
//   - 0 ≤ S < ℓ strictly: S is decomposed into 251 constrained bits once, compared bit by
//     bit with the constant ℓ − 1, and those same bits drive the scalar multiplication.
//   - h is decomposed canonically (254 bits, below r: gnark's ToBinary checks it at full
//     width), so the prover cannot use h + r.
func VerifySignature(api frontend.API, rX, rY, s, aX, aY, msg frontend.Variable) error {
	curve, err := twistededwards.NewEdCurve(api, tedwards.BN254)
	if err != nil {
		return err
	}
	params := curve.Params()
	R := twistededwards.Point{X: rX, Y: rY}
	A := twistededwards.Point{X: aX, Y: aY}
	curve.AssertIsOnCurve(R)
	curve.AssertIsOnCurve(A)

	a8 := curve.Double(curve.Double(curve.Double(A)))
	api.AssertIsDifferent(a8.X, 0)

	sBits := api.ToBinary(s, scalarBits)
	assertBitsAtMost(api, sBits, new(big.Int).Sub(params.Order, big.NewInt(1)))

	hasher, err := mimc.NewMiMC(api)
	if err != nil {
		return err
	}
	hasher.Write(rX, rY, aX, aY, msg)
	hBits := api.ToBinary(hasher.Sum()) // full width: gnark asserts the bits are below r

	// Q = [S]G + [h](−A), left to right over the bits, with G, −A and G − A in a table.
	G := twistededwards.Point{X: params.Base[0], Y: params.Base[1]}
	negA := curve.Neg(A)
	sum := curve.Add(G, negA)
	n := len(hBits)
	bit := func(i int) frontend.Variable {
		if i < len(sBits) {
			return sBits[i]
		}
		return 0
	}
	pick := func(i int) twistededwards.Point {
		return twistededwards.Point{
			X: api.Lookup2(bit(i), hBits[i], 0, G.X, negA.X, sum.X),
			Y: api.Lookup2(bit(i), hBits[i], 1, G.Y, negA.Y, sum.Y),
		}
	}
	q := pick(n - 1)
	for i := n - 2; i >= 0; i-- {
		q = curve.Add(curve.Double(q), pick(i))
	}

	// [8](R − Q) = O, i.e. (0, 1).
	d := curve.Add(R, curve.Neg(q))
	d = curve.Double(curve.Double(curve.Double(d)))
	api.AssertIsEqual(d.X, 0)
	api.AssertIsEqual(d.Y, 1)
	return nil
}

// assertBitsAtMost asserts that the number whose little-endian bits (each already
// constrained boolean) are given is at most the constant bound, which must fit in
// len(bits) bits. p tracks "every bit above i equals the bound's": where the bound has a
// 0 and the prefix is equal, the bit must be 0.
func assertBitsAtMost(api frontend.API, bits []frontend.Variable, bound *big.Int) {
	if bound.BitLen() > len(bits) {
		panic("agecircuit: bound wider than the bits compared with it")
	}
	var prefixEqual frontend.Variable = 1
	for i := len(bits) - 1; i >= 0; i-- {
		if bound.Bit(i) == 1 {
			prefixEqual = api.Mul(prefixEqual, bits[i])
		} else {
			api.AssertIsEqual(api.Mul(prefixEqual, bits[i]), 0)
		}
	}
}
