package r1csadv

import (
	"math/big"
	"math/rand"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
)

// nbRandomEdge is how many seeded random elements EdgeValues appends.
const nbRandomEdge = 4

// EdgeValues returns the values an adversary tries first, each once: 0, 1, −1 (which is
// r−1), 2, 1/2, √−1, −√−1, (r−1)/2, 2^253, then four elements drawn from a math/rand source
// seeded with seed (so the list is the same for the same seed).
func EdgeValues(seed int64) []fr.Element {
	var zero, one, minusOne, two, half, i, minusI, halfR, big253 fr.Element
	one.SetOne()
	minusOne.Neg(&one)
	two.SetUint64(2)
	half.Inverse(&two)
	if i.Sqrt(&minusOne) == nil { // r ≡ 1 mod 4, so this does not happen on BN254
		i.SetZero()
	}
	minusI.Neg(&i)
	h := new(big.Int).Sub(fr.Modulus(), big.NewInt(1))
	halfR.SetBigInt(h.Rsh(h, 1))
	big253.SetBigInt(new(big.Int).Lsh(big.NewInt(1), 253))

	out := []fr.Element{zero, one, minusOne, two, half, i, minusI, halfR, big253}
	rng := rand.New(rand.NewSource(seed))
	for len(out) < 9+nbRandomEdge {
		var buf [fr.Bytes]byte
		rng.Read(buf[:])
		var v fr.Element
		v.SetBytes(buf[:]) // reduced mod r
		out = appendNew(out, v)
	}
	return out
}

// appendNew appends v unless it is already in list.
func appendNew(list []fr.Element, v fr.Element) []fr.Element {
	for i := range list {
		if list[i].Equal(&v) {
			return list
		}
	}
	return append(list, v)
}
