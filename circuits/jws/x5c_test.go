package jws

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"agegate.dev/circuits/internal/x5ctest"
)

const host = "gateway.example"

type fixture struct {
	key   *ecdsa.PrivateKey
	chain x5ctest.Chain
}

func newFixture() fixture {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	return fixture{key, x5ctest.New(x5ctest.Leaf{Key: &key.PublicKey, DNSNames: []string{host}})}
}

func (f fixture) token(t *testing.T, x5c []string, clientID string) string {
	h := map[string]any{"alg": "ES256", "kid": "k1", "typ": RequestTyp}
	if x5c != nil {
		h["x5c"] = x5c
	}
	return x5ctest.SignES256(t, f.key, h, map[string]any{"client_id": clientID, "nonce": "n"})
}

func (f fixture) verify(tok string) error {
	_, err := VerifyRequest(tok, Request{JWKS: x5ctest.JWKS(&f.key.PublicKey), Host: host, Now: time.Now()})
	return err
}

func wantRefused(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("got %v, want an error containing %q", err, want)
	}
}

func TestVerifyRequest_leafCertifiesTheJwksKeyForTheHost_accepted(t *testing.T) {
	f := newFixture()
	payload, err := VerifyRequest(f.token(t, f.chain.X5C(), X509SanDNS+host),
		Request{JWKS: x5ctest.JWKS(&f.key.PublicKey), Host: "Gateway.Example", Now: time.Now()})
	if err != nil || !strings.Contains(string(payload), `"nonce":"n"`) {
		t.Fatalf("%s %v", payload, err)
	}
}

// The JWKS key signs, but the x5c leaf certifies another key: refused (a certificate for some
// other key proves nothing about this request's signer).
func TestVerifyRequest_leafOfAnotherKey_refused(t *testing.T) {
	f := newFixture()
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	c := x5ctest.New(x5ctest.Leaf{Key: &other.PublicKey, DNSNames: []string{host}})
	wantRefused(t, f.verify(f.token(t, c.X5C(), X509SanDNS+host)), "does not verify with the x5c leaf")
}

// The leaf's key signed and is in the JWKS, but under another kid's key: the signature is checked
// against the JWKS key too, so a leaf key alone (an attacker's certificate) never suffices.
func TestVerifyRequest_signedByLeafKeyNotInJwks_refused(t *testing.T) {
	f := newFixture()
	attacker := newFixture()
	tok := attacker.token(t, attacker.chain.X5C(), X509SanDNS+host)
	wantRefused(t, f.verify(tok), "does not verify against the gateway's JWKS")
}

func TestVerifyRequest_sanNotTheHost_refused(t *testing.T) {
	f := newFixture()
	c := x5ctest.New(x5ctest.Leaf{Key: &f.key.PublicKey, DNSNames: []string{"other.example", "gateway.example.evil"}})
	wantRefused(t, f.verify(f.token(t, c.X5C(), X509SanDNS+host)), "does not name \"gateway.example\" as a dNSName")
}

func TestVerifyRequest_clientIdOfAnotherHostOrUnprefixed_refused(t *testing.T) {
	f := newFixture()
	c := x5ctest.New(x5ctest.Leaf{Key: &f.key.PublicKey, DNSNames: []string{host, "other.example"}})
	wantRefused(t, f.verify(f.token(t, c.X5C(), X509SanDNS+"other.example")), "but the request came from")
	wantRefused(t, f.verify(f.token(t, c.X5C(), "https://"+host)), "has no x509_san_dns: prefix")
	wantRefused(t, f.verify(f.token(t, c.X5C(), "redirect_uri:https://"+host+"/r")), "has no x509_san_dns: prefix")
}

func TestVerifyRequest_noX5cOrGarbage_refused(t *testing.T) {
	f := newFixture()
	wantRefused(t, f.verify(f.token(t, nil, X509SanDNS+host)), "no x5c")
	wantRefused(t, f.verify(f.token(t, []string{"not base64!"}, X509SanDNS+host)), "not base64")
	wantRefused(t, f.verify(f.token(t, []string{base64.StdEncoding.EncodeToString([]byte("junk"))}, X509SanDNS+host)), "x5c certificate 1")
}

func TestVerifyRequest_leafExpiredOrNotYetValid_refused(t *testing.T) {
	f := newFixture()
	ca, _ := x509.ParseCertificate(f.chain.CA)
	for _, l := range []x5ctest.Leaf{
		{NotBefore: time.Now().Add(-3 * time.Hour), NotAfter: time.Now().Add(-time.Hour)},
		{NotBefore: time.Now().Add(time.Hour), NotAfter: time.Now().Add(3 * time.Hour)},
	} {
		l.Key, l.DNSNames = &f.key.PublicKey, []string{host}
		leaf := x5ctest.Issue(ca, f.chain.CAKey, l)
		x5c := []string{base64.StdEncoding.EncodeToString(leaf), base64.StdEncoding.EncodeToString(f.chain.CA)}
		wantRefused(t, f.verify(f.token(t, x5c, X509SanDNS+host)), "x5c certificate 1 is not valid now")
	}
}

func TestVerifyRequest_leafNotIssuedByTheNextCertificate_refused(t *testing.T) {
	f := newFixture()
	other := x5ctest.New(x5ctest.Leaf{Key: &f.key.PublicKey, DNSNames: []string{host}})
	x5c := []string{base64.StdEncoding.EncodeToString(f.chain.Leaf), base64.StdEncoding.EncodeToString(other.CA)}
	wantRefused(t, f.verify(f.token(t, x5c, X509SanDNS+host)), "is not issued by certificate 2")
}

// With trust anchors (a production wallet), a chain to another CA is refused; to the anchor, accepted.
func TestVerifyRequest_roots_chainMustLeadToOne(t *testing.T) {
	f := newFixture()
	tok := f.token(t, f.chain.X5C(), X509SanDNS+host)
	ca, _ := x509.ParseCertificate(f.chain.CA)
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	if _, err := VerifyRequest(tok, Request{JWKS: x5ctest.JWKS(&f.key.PublicKey), Host: host, Now: time.Now(), Roots: roots}); err != nil {
		t.Fatal(err)
	}
	otherCA, _ := x509.ParseCertificate(newFixture().chain.CA)
	others := x509.NewCertPool()
	others.AddCert(otherCA)
	_, err := VerifyRequest(tok, Request{JWKS: x5ctest.JWKS(&f.key.PublicKey), Host: host, Now: time.Now(), Roots: others})
	wantRefused(t, err, "does not lead to a trusted root")
}
