package trust

import (
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/twistededwards"

	"agegate.dev/circuits/credential"
	"agegate.dev/circuits/field"
)

// smallOrderPoints are the curve's points of order 1, 2 and 4 that have simple
// coordinates: (0, 1) the identity, (0, -1) of order 2, and (±1/sqrt(a), 0) of order 4
// (a = -1 here, so x = ±sqrt(-1)).
func smallOrderPoints(t *testing.T) []twistededwards.PointAffine {
	t.Helper()
	var one, minusOne, i, negI fr.Element
	one.SetOne()
	minusOne.Neg(&one)
	if i.Sqrt(&minusOne) == nil {
		t.Fatal("no sqrt(-1) in Fr")
	}
	negI.Neg(&i)
	pts := []twistededwards.PointAffine{{X: fr.Element{}, Y: one}, {X: fr.Element{}, Y: minusOne}, {X: i}, {X: negI}}
	for _, p := range pts {
		if !p.IsOnCurve() {
			t.Fatalf("test point %v is not on the curve", p)
		}
	}
	return pts
}

func TestBuild_smallOrderOrTorsionKey_refused(t *testing.T) {
	good, _ := credential.NewIssuer(2, "", "", rand.Reader)
	a, err := good.PublicKey.Decode()
	if err != nil {
		t.Fatal(err)
	}
	keys := smallOrderPoints(t)
	// A generator plus a point of order 2: on the curve, not of small order, but not in the subgroup.
	var shifted twistededwards.PointAffine
	shifted.Add(&a, &keys[1])
	keys = append(keys, shifted)
	for _, k := range keys {
		p := good.Public()
		p.PublicKey = credential.EncodePoint(k)
		if err := p.Validate(); err == nil {
			t.Errorf("key %s accepted by Validate", p.PublicKey.X)
		}
		if _, err := Build([]credential.IssuerPublic{good.Public(), p}); err == nil {
			t.Errorf("key %s accepted by Build", p.PublicKey.X)
		}
		if _, err := Leaf(&p); err == nil {
			t.Errorf("key %s has a leaf", p.PublicKey.X)
		}
	}
}

func TestParse_versionOne_refusedWithReason(t *testing.T) {
	k, _ := credential.NewIssuer(2, "", "", rand.Reader)
	l, _ := Build([]credential.IssuerPublic{k.Public()})
	l.Version = 1
	_, _, err := Parse(l.JSON())
	if !errors.Is(err, ErrOldVersion) || !strings.Contains(err.Error(), "agezk trust") {
		t.Fatalf("v1 list: %v", err)
	}
}

func TestLeafAndNode_domainSeparated(t *testing.T) {
	k, _ := credential.NewIssuer(2, "", "", rand.Reader)
	p := k.Public()
	a, _ := p.PublicKey.Decode()
	leaf, _ := Leaf(&p)
	lvl := field.FromUint(uint64(p.Level))
	if leaf == field.MiMC(a.X, a.Y, lvl) {
		t.Fatal("leaf is the untagged v1 hash")
	}
	if Node(a.X, a.Y) == field.MiMC(a.X, a.Y) || Node(a.X, a.Y) == field.Hash(field.DomainTrustLeaf, a.X, a.Y) {
		t.Fatal("node hash is not in its own domain")
	}
}

// One issuer key listed at two levels would give its holders the higher level.
func TestBuild_oneKeyAtTwoLevels_refused(t *testing.T) {
	k, _ := credential.NewIssuer(1, "", "", rand.Reader)
	low := k.Public()
	high := k.Public()
	high.Level = 4
	if _, err := Build([]credential.IssuerPublic{low, high}); err == nil {
		t.Fatal("one key at levels 1 and 4 accepted")
	}
}
