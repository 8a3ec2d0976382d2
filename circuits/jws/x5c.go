package jws

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// X509SanDNS is the client_id prefix of a request signed with an x5c chain whose leaf names
// the client_id's host as a dNSName (OpenID4VP 1.0 section 5.9.3).
const X509SanDNS = "x509_san_dns:"

// RequestTyp is the typ of a request object.
const RequestTyp = "oauth-authz-req+jwt"

// Request says what a signed request object must be checked against.
type Request struct {
	// JWKS is the gateway's JWKS, fetched from the request URI's origin: the key a wallet
	// trusted before x5c (what agegate's wallets keep trusting).
	JWKS []byte
	// Host is the host (no port) of the request URI the wallet fetched: the client_id must
	// name it, so the request's certificate and the gateway's origin are the same party.
	Host string
	// Now is the instant the certificates must be valid at.
	Now time.Time
	// Roots, when not nil, are the trust anchors the x5c chain must verify to (a production
	// wallet's registrar or ecosystem CAs). agegate's own wallets pass nil: they trust the
	// gateway by its origin and JWKS, and check the chain only for consistency.
	Roots *x509.CertPool
}

// VerifyRequest checks a request object signed for an x509_san_dns client_id and returns its
// payload. Every one of these must hold, else it returns an error naming the failed check:
//   - the ES256 signature verifies with the JWKS key its kid names (VerifyES256: alg, typ, kid);
//   - client_id is x509_san_dns:<r.Host>;
//   - the x5c header holds DER certificates, leaf first; the leaf's public key is the JWKS key
//     that verified the signature (so it is the leaf's key that signed), P-256;
//   - the leaf has a dNSName subject alternative name equal to the client_id's host;
//   - every certificate is valid at r.Now, each is signed by the next (which is a CA);
//   - with r.Roots, the chain verifies to one of them.
func VerifyRequest(token string, r Request) ([]byte, error) {
	payload, signer, err := verifyES256(token, r.JWKS, RequestTyp)
	if err != nil {
		return nil, err
	}
	var claims struct {
		ClientID string `json:"client_id"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		return nil, errors.New("request object claims are not JSON")
	}
	host, ok := strings.CutPrefix(claims.ClientID, X509SanDNS)
	if !ok {
		return nil, fmt.Errorf("client_id %q has no %s prefix", claims.ClientID, X509SanDNS)
	}
	if host == "" || !strings.EqualFold(host, r.Host) {
		return nil, fmt.Errorf("client_id names %q, but the request came from %q", host, r.Host)
	}
	chain, err := x5cOf(token)
	if err != nil {
		return nil, err
	}
	leaf := chain[0]
	pub, ok := leaf.PublicKey.(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P256() {
		return nil, errors.New("x5c leaf certificate's key is not EC P-256")
	}
	if pub.X.Cmp(signer.X) != 0 || pub.Y.Cmp(signer.Y) != 0 {
		// the JWKS key signed; a leaf certifying any other key is not the signer's certificate
		return nil, errors.New("request object signature does not verify with the x5c leaf certificate's key" +
			" (the leaf certifies a key other than the gateway's JWKS key that signed)")
	}
	if !hasDNSName(leaf, host) {
		return nil, fmt.Errorf("x5c leaf certificate does not name %q as a dNSName (it names %q)", host, leaf.DNSNames)
	}
	for i, c := range chain {
		if r.Now.Before(c.NotBefore) || r.Now.After(c.NotAfter) {
			return nil, fmt.Errorf("x5c certificate %d is not valid now (valid from %s to %s)", i+1,
				c.NotBefore.UTC().Format(time.RFC3339), c.NotAfter.UTC().Format(time.RFC3339))
		}
		if i+1 < len(chain) {
			if err := c.CheckSignatureFrom(chain[i+1]); err != nil {
				return nil, fmt.Errorf("x5c certificate %d is not issued by certificate %d: %v", i+1, i+2, err)
			}
		}
	}
	if r.Roots != nil {
		inter := x509.NewCertPool()
		for _, c := range chain[1:] {
			inter.AddCert(c)
		}
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: r.Roots, Intermediates: inter, CurrentTime: r.Now,
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
			return nil, fmt.Errorf("x5c chain does not lead to a trusted root: %v", err)
		}
	}
	return payload, nil
}

// x5cOf parses the x5c header: standard base64 (not base64url) DER certificates, leaf first.
func x5cOf(token string) ([]*x509.Certificate, error) {
	hb, err := base64.RawURLEncoding.DecodeString(strings.SplitN(token, ".", 2)[0])
	if err != nil {
		return nil, errors.New("JWS header is not base64url")
	}
	var h struct {
		X5C []string `json:"x5c"`
	}
	if err := json.Unmarshal(hb, &h); err != nil {
		return nil, errors.New("x5c is not a list of strings")
	}
	if len(h.X5C) == 0 {
		return nil, errors.New("the request has no x5c certificate chain")
	}
	if len(h.X5C) > 8 {
		return nil, errors.New("x5c holds more than 8 certificates")
	}
	out := make([]*x509.Certificate, 0, len(h.X5C))
	for i, s := range h.X5C {
		der, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, fmt.Errorf("x5c certificate %d is not base64", i+1)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, fmt.Errorf("x5c certificate %d: %v", i+1, err)
		}
		out = append(out, c)
	}
	return out, nil
}

func hasDNSName(c *x509.Certificate, host string) bool {
	for _, n := range c.DNSNames {
		if strings.EqualFold(n, host) {
			return true
		}
	}
	return false
}
