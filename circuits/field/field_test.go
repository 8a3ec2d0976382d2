package field

import (
	"bytes"
	"math/big"
	"testing"
)

func TestFromBytes_modulusAndAbove_refused(t *testing.T) {
	r := Modulus()
	for _, v := range []*big.Int{r, new(big.Int).Add(r, big.NewInt(1)), new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))} {
		b := make([]byte, 32)
		v.FillBytes(b)
		if _, err := FromBytes(b); err == nil {
			t.Errorf("accepted %s", v)
		}
	}
	b := make([]byte, 32)
	new(big.Int).Sub(r, big.NewInt(1)).FillBytes(b)
	e, err := FromBytes(b)
	if err != nil {
		t.Fatalf("r-1 refused: %v", err)
	}
	out := e.Bytes()
	if !bytes.Equal(out[:], b) {
		t.Fatal("r-1 does not round-trip")
	}
}

func TestFromBytes_wrongLength_refused(t *testing.T) {
	for _, n := range []int{0, 31, 33} {
		if _, err := FromBytes(make([]byte, n)); err == nil {
			t.Errorf("length %d accepted", n)
		}
	}
}

func TestHashToField_lengthPrefixSeparatesParts(t *testing.T) {
	if HashToField("t", "ab", "c") == HashToField("t", "a", "bc") {
		t.Fatal("parts are not separated")
	}
	if Challenge("n", "a") == Scope("n") {
		t.Fatal("tags are not separated")
	}
}

func FuzzFromHex(f *testing.F) {
	f.Add("00")
	f.Add("30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001")
	f.Fuzz(func(t *testing.T, s string) {
		e, err := FromHex(s)
		if err != nil {
			return
		}
		if Hex(e) != s && "0x"+Hex(e) != s && Hex(e) != lower(s) && "0x"+Hex(e) != lower(s) {
			// a canonical element must re-encode to the same digits (modulo case and prefix)
			e2, _ := FromHex(Hex(e))
			if e2 != e {
				t.Fatalf("round trip of %q", s)
			}
		}
	})
}

func lower(s string) string { return string(bytes.ToLower([]byte(s))) }
