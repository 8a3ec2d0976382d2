package trust

import (
	"crypto/rand"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"agegate.dev/circuits/credential"
	"agegate.dev/circuits/field"
)

func mimc2(a, b fr.Element) fr.Element { return field.MiMC(field.Tag(field.DomainTrustNode), a, b) }

func TestBuild_duplicateOrEmpty_refused(t *testing.T) {
	k, _ := credential.NewIssuer(2, "", "", rand.Reader)
	if _, err := Build(nil); err == nil {
		t.Fatal("empty list accepted")
	}
	if _, err := Build([]credential.IssuerPublic{k.Public(), k.Public()}); err == nil {
		t.Fatal("duplicate issuer accepted")
	}
}

func TestPathFor_everyIssuer_foldsToRoot(t *testing.T) {
	var pubs []credential.IssuerPublic
	for i := 0; i < 5; i++ {
		k, _ := credential.NewIssuer(1+i%4, "", "", rand.Reader)
		pubs = append(pubs, k.Public())
	}
	l, err := Build(pubs)
	if err != nil {
		t.Fatal(err)
	}
	root, _ := l.ComputeRoot()
	for i := range pubs {
		p, err := l.PathFor(pubs[i].PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		node, _ := Leaf(&pubs[i])
		for d := 0; d < Depth; d++ {
			if p.Bits[d] == 1 {
				node = mimc2(p.Siblings[d], node)
			} else {
				node = mimc2(node, p.Siblings[d])
			}
		}
		if node != root || p.Level != pubs[i].Level {
			t.Fatalf("issuer %d: path does not fold to the root", i)
		}
	}
}

func FuzzParse(f *testing.F) {
	k, _ := credential.NewIssuer(2, "", "", rand.Reader)
	l, _ := Build([]credential.IssuerPublic{k.Public()})
	f.Add(l.JSON())
	f.Add([]byte(`{"type":"agegate-trust-list","version":2,"depth":8,"root":"","issuers":[]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		list, root, err := Parse(b)
		if err != nil {
			return
		}
		again, err := list.ComputeRoot()
		if err != nil || again != root {
			t.Fatal("accepted list does not recompute to its root")
		}
	})
}
