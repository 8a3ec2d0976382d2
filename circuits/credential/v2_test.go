package credential

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/big"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr/mimc"
	"github.com/consensys/gnark-crypto/ecc/bn254/twistededwards"

	"agegate.dev/circuits/field"
)

// extend continues a MiMC chain from a published hash value: what anyone holding
// state can compute without the preimage (MiMC has no length padding).
func extend(state fr.Element, elems ...fr.Element) fr.Element {
	h := mimc.NewMiMC()
	b := state.Bytes()
	if err := h.SetState(b[:]); err != nil {
		panic(err)
	}
	for _, e := range elems {
		eb := e.Bytes()
		h.Write(eb[:])
	}
	var out fr.Element
	out.SetBytes(h.Sum(nil))
	return out
}

// The v1 nullifier MiMC(s, scope) was a function of the commitment MiMC(s) that the
// issuer signs; the v2 one is not, and it is no function of the v1 commitment either.
func TestNullifier_notComputableFromCommitment(t *testing.T) {
	h, _ := NewHolder()
	s, _ := h.SecretElement()
	scope := field.Scope("demo-shop")
	if field.MiMC(s, scope) != extend(field.MiMC(s), scope) {
		t.Fatal("the v1 linkage no longer reproduces: the test would prove nothing")
	}
	c := Commitment(s)
	n := Nullifier(s, scope)
	for _, guess := range []fr.Element{
		extend(c, scope), extend(c, field.Tag(field.DomainNullifier), scope), extend(c, scope, c),
		field.Hash(field.DomainNullifier, scope, c), field.MiMC(s, scope), extend(field.MiMC(s), scope),
	} {
		if guess == n {
			t.Fatal("the nullifier follows from the commitment")
		}
	}
	if n == Nullifier(s, field.Scope("other-site")) {
		t.Fatal("one nullifier for two sites")
	}
}

func TestCredential_versionOne_refusedWithReason(t *testing.T) {
	k, _ := NewIssuer(2, "", "", rand.Reader)
	h, _ := NewHolder()
	s, _ := h.SecretElement()
	c, _ := k.Issue(Commitment(s), 30000, 45000, 47000, rand.Reader)
	c.Version = 1
	b, _ := json.Marshal(c)
	if _, _, err := ParseCredential(b); !errors.Is(err, ErrOldVersion) {
		t.Fatalf("v1 credential: %v", err)
	}
}

func TestSignature_scalarOutOfRange_refused(t *testing.T) {
	k, _ := NewIssuer(2, "", "", rand.Reader)
	h, _ := NewHolder()
	s, _ := h.SecretElement()
	c, _ := k.Issue(Commitment(s), 30000, 45000, 47000, rand.Reader)
	if _, err := c.Verify(); err != nil {
		t.Fatal(err)
	}
	order := twistededwards.GetEdwardsCurve().Order
	sv, _ := new(big.Int).SetString(c.Signature.S, 16)
	for name, v := range map[string]*big.Int{"S+ℓ": new(big.Int).Add(sv, &order), "ℓ": &order, "0": big.NewInt(0)} {
		bad := *c
		b := v.FillBytes(make([]byte, 32))
		bad.Signature.S = hex.EncodeToString(b)
		if _, err := bad.Verify(); err == nil {
			t.Errorf("S = %s accepted", name)
		}
	}
}

func TestIssue_smallOrderIssuerKeyInCredential_refused(t *testing.T) {
	k, _ := NewIssuer(2, "", "", rand.Reader)
	h, _ := NewHolder()
	s, _ := h.SecretElement()
	c, _ := k.Issue(Commitment(s), 30000, 45000, 47000, rand.Reader)
	var one fr.Element
	one.SetOne()
	c.IssuerPublicKey = EncodePoint(twistededwards.PointAffine{Y: one})
	if _, err := c.Decode(); err == nil {
		t.Fatal("identity issuer key accepted")
	}
}
