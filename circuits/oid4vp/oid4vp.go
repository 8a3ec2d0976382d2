// Package oid4vp is the wallet side of agegate's OpenID4VP-shaped protocol
// (docs/protocol.md): parse a request link, fetch the request object and verify
// its ES256 signature against the gateway's JWKS before trusting any claim, fetch
// the trust list and proving key from the same origin, prove, and post the
// response. The agezk CLI's wallet command and the load generator use it.
package oid4vp

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"time"

	"agegate.dev/circuits/field"
	"agegate.dev/circuits/zk"
)

// MaxFetch bounds what the wallet reads from a gateway (the proving key is the largest).
const MaxFetch = 64 << 20

// RequestObject is the part of the gateway's signed request a wallet uses.
type RequestObject struct {
	ClientID     string `json:"client_id"`
	ResponseType string `json:"response_type"`
	ResponseMode string `json:"response_mode"`
	ResponseURI  string `json:"response_uri"`
	Nonce        string `json:"nonce"`
	State        string `json:"state"`
	Exp          int64  `json:"exp"`
	AgeGate      struct {
		Site          string `json:"site"`
		MinAge        int    `json:"min_age"`
		MinAssurance  int    `json:"min_assurance"`
		Today         string `json:"today"`
		IssuerRoot    string `json:"issuer_root"`
		Audience      string `json:"audience"`
		TrustListURI  string `json:"trust_list_uri"`
		ProvingKeyURI string `json:"proving_key_uri"`
		VKFingerprint string `json:"vk_fingerprint"`
	} `json:"agegate"`
}

// Client is the HTTP client every fetch uses.
var Client = &http.Client{
	Timeout: 60 * time.Second,
	// A request URI never redirects (protocol.md); following one could leak the check elsewhere.
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// ParseLink accepts openid4vp://?client_id=…&request_uri=…, a web-wallet link
// with ?request_uri=…, or a request URI itself.
func ParseLink(link string) (requestURI, clientID string, err error) {
	u, err := url.Parse(link)
	if err != nil {
		return "", "", fmt.Errorf("link: %v", err)
	}
	q := u.Query()
	requestURI, clientID = q.Get("request_uri"), q.Get("client_id")
	if requestURI == "" {
		if u.Scheme != "http" && u.Scheme != "https" {
			return "", "", errors.New("link has no request_uri")
		}
		requestURI = link
	}
	r, err := url.Parse(requestURI)
	if err != nil || (r.Scheme != "https" && r.Scheme != "http") || r.Host == "" {
		return "", "", fmt.Errorf("request_uri %q is not an http(s) URL", requestURI)
	}
	return requestURI, clientID, nil
}

func sameOrigin(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && ua.Scheme == ub.Scheme && strings.EqualFold(ua.Host, ub.Host)
}

// Fetch GETs a URL on the same origin as the request URI, bounded in size.
func Fetch(target, origin string) ([]byte, error) {
	if !sameOrigin(target, origin) {
		return nil, fmt.Errorf("%q is not on the gateway's origin", target)
	}
	resp, err := Client.Get(target)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", target, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxFetch+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxFetch {
		return nil, fmt.Errorf("GET %s: more than %d bytes", target, MaxFetch)
	}
	return b, nil
}

// FetchRequestObject fetches the request JWT and verifies its ES256 signature
// against the gateway's JWKS (same origin as the request URI) before trusting any claim.
func FetchRequestObject(requestURI, clientID string) (*RequestObject, error) {
	jwt, err := Fetch(requestURI, requestURI)
	if err != nil {
		return nil, err
	}
	u, _ := url.Parse(requestURI)
	jwks, err := Fetch(u.Scheme+"://"+u.Host+"/.well-known/jwks.json", requestURI)
	if err != nil {
		return nil, fmt.Errorf("JWKS: %v", err)
	}
	payload, err := VerifyES256(strings.TrimSpace(string(jwt)), jwks, "oauth-authz-req+jwt")
	if err != nil {
		return nil, err
	}
	var ro RequestObject
	if err := json.Unmarshal(payload, &ro); err != nil {
		return nil, fmt.Errorf("request object claims: %v", err)
	}
	switch {
	case clientID != "" && ro.ClientID != clientID:
		return nil, errors.New("client_id differs from the link's")
	case ro.ResponseMode != "direct_post":
		return nil, fmt.Errorf("response_mode %q, want direct_post", ro.ResponseMode)
	case !sameOrigin(ro.ResponseURI, requestURI):
		return nil, errors.New("response_uri is not on the gateway's origin")
	case ro.Exp != 0 && time.Now().Unix() > ro.Exp:
		return nil, errors.New("request object expired")
	case ro.Nonce == "" || ro.State == "" || ro.AgeGate.Site == "" || ro.AgeGate.Audience == "":
		return nil, errors.New("request object lacks nonce, state, site or audience")
	}
	return &ro, nil
}

type jwk struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	Kid string `json:"kid"`
	X   string `json:"x"`
	Y   string `json:"y"`
}

// VerifyES256 checks a compact JWS with alg ES256 and the given typ against a JWKS and returns its payload.
func VerifyES256(token string, jwksJSON []byte, typ string) ([]byte, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, errors.New("request object is not a compact JWS")
	}
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return nil, errors.New("JWS header is not base64url")
	}
	var header struct {
		Alg, Kid, Typ string
	}
	if err := json.Unmarshal(hb, &header); err != nil {
		return nil, errors.New("JWS header is not JSON")
	}
	if header.Alg != "ES256" {
		return nil, fmt.Errorf("alg %q refused: only ES256", header.Alg)
	}
	if header.Typ != typ {
		return nil, fmt.Errorf("typ %q, want %s", header.Typ, typ)
	}
	var set struct{ Keys []jwk }
	if err := json.Unmarshal(jwksJSON, &set); err != nil {
		return nil, errors.New("JWKS is not JSON")
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		return nil, errors.New("ES256 signature must be 64 bytes")
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	for _, k := range set.Keys {
		if k.Kid != header.Kid || k.Kty != "EC" || k.Crv != "P-256" {
			continue
		}
		x, err1 := base64.RawURLEncoding.DecodeString(k.X)
		y, err2 := base64.RawURLEncoding.DecodeString(k.Y)
		if err1 != nil || err2 != nil {
			continue
		}
		pub := &ecdsa.PublicKey{Curve: elliptic.P256(), X: new(big.Int).SetBytes(x), Y: new(big.Int).SetBytes(y)}
		if !pub.Curve.IsOnCurve(pub.X, pub.Y) {
			continue
		}
		if ecdsa.Verify(pub, digest[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
			return base64.RawURLEncoding.DecodeString(parts[1])
		}
	}
	return nil, errors.New("request object signature does not verify against the gateway's JWKS")
}

// Presentation is the vp_token of docs/protocol.md for a proof and its nullifier:
// {"age_proof":["base64url(proof ‖ nullifier)"]}.
func Presentation(proof []byte, nullifier [32]byte) string {
	p := base64.RawURLEncoding.EncodeToString(append(append([]byte{}, proof...), nullifier[:]...))
	b, _ := json.Marshal(map[string][]string{"age_proof": {p}})
	return string(b)
}

// Prove answers a verified request object from a wallet's files.
func Prove(prover *zk.Prover, ro *RequestObject, credentialJSON, holderJSON, trustJSON []byte) (vpToken string, err error) {
	wallet, req, err := zk.OpenWallet(credentialJSON, holderJSON, trustJSON, ro.AgeGate.Today, ro.AgeGate.MinAge, ro.AgeGate.MinAssurance, ro.Nonce, ro.AgeGate.Audience, ro.AgeGate.Site)
	if err != nil {
		return "", err
	}
	if field.Hex(req.IssuerRoot) != strings.ToLower(ro.AgeGate.IssuerRoot) {
		return "", errors.New("the trust list does not match the root in the signed request")
	}
	proof, in, err := prover.Prove(wallet, req)
	if err != nil {
		return "", err
	}
	return Presentation(proof, in.Nullifier.Bytes()), nil
}

// Post sends the response; it returns the status code and up to 64 KiB of the body.
func Post(ro *RequestObject, vpToken string) (int, string, error) {
	resp, err := Client.PostForm(ro.ResponseURI, url.Values{"vp_token": {vpToken}, "state": {ro.State}})
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, strings.TrimSpace(string(body)), nil
}
