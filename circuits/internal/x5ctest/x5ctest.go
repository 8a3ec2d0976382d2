// Package x5ctest makes X.509 chains for tests of request objects signed with an x5c header
// (client_id x509_san_dns): a CA made per call, and a leaf it issues for a given key and names.
package x5ctest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"testing"
	"time"
)

// Leaf says what the leaf certificate holds.
type Leaf struct {
	Key       *ecdsa.PublicKey
	DNSNames  []string
	NotBefore time.Time
	NotAfter  time.Time
}

// Chain is a CA and the leaf it issued, as DER.
type Chain struct {
	CA, Leaf []byte
	CAKey    *ecdsa.PrivateKey
}

// X5C is the x5c header value: standard base64 DER, leaf first, then the CA.
func (c Chain) X5C() []string {
	return []string{base64.StdEncoding.EncodeToString(c.Leaf), base64.StdEncoding.EncodeToString(c.CA)}
}

// New makes a fresh CA (valid a day either side of now) and a leaf for l.
func New(l Leaf) Chain {
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: now.Add(-24 * time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		panic(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	return Chain{CA: caDER, Leaf: Issue(ca, caKey, l), CAKey: caKey}
}

// Issue makes a leaf for l signed by the CA ca with caKey.
func Issue(ca *x509.Certificate, caKey *ecdsa.PrivateKey, l Leaf) []byte {
	if l.NotBefore.IsZero() {
		l.NotBefore = time.Now().Add(-time.Hour)
	}
	if l.NotAfter.IsZero() {
		l.NotAfter = time.Now().Add(time.Hour)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "request signing"},
		NotBefore: l.NotBefore, NotAfter: l.NotAfter, DNSNames: l.DNSNames, KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, l.Key, caKey)
	if err != nil {
		panic(err)
	}
	return der
}

// SignES256 is a compact JWS of header and claims signed with key (64-byte r‖s), as the
// gateway signs request objects; header is used as given, so a test can forge any of it.
func SignES256(t testing.TB, key *ecdsa.PrivateKey, header, claims map[string]any) string {
	t.Helper()
	h, _ := json.Marshal(header)
	c, _ := json.Marshal(claims)
	input := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
	d := sha256.Sum256([]byte(input))
	r, s, err := ecdsa.Sign(rand.Reader, key, d[:])
	if err != nil {
		t.Fatal(err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// JWKS is a JWKS holding key as the P-256 key of kid k1.
func JWKS(key *ecdsa.PublicKey) []byte {
	b, _ := json.Marshal(map[string]any{"keys": []map[string]string{{
		"kty": "EC", "crv": "P-256", "kid": "k1",
		"x": base64.RawURLEncoding.EncodeToString(key.X.FillBytes(make([]byte, 32))),
		"y": base64.RawURLEncoding.EncodeToString(key.Y.FillBytes(make([]byte, 32))),
	}}})
	return b
}
