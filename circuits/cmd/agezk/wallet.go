package main

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
	"os"
	"path/filepath"
	"strings"
	"time"

	"agegate.dev/circuits/field"
	"agegate.dev/circuits/trust"
	"agegate.dev/circuits/zk"
)

// maxFetch bounds what the wallet reads from a gateway (the proving key is the largest).
const maxFetch = 64 << 20

// requestObject is the part of the gateway's signed request the wallet uses.
type requestObject struct {
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

var httpClient = &http.Client{
	Timeout: 60 * time.Second,
	// A request URI never redirects (protocol.md); following one could leak the check elsewhere.
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func runWallet(args []string, stdout io.Writer) error {
	fs := newFlags("wallet")
	credPath := fs.String("credential", "", "credential file")
	holderPath := fs.String("holder", "", "holder file")
	keys := fs.String("keys", "", "key directory with pk.bin (default: fetch the gateway's proving key)")
	if err := parse(fs, args, "credential", "holder"); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usage("give exactly one LINK (openid4vp://… or https://…)")
	}
	cb, err := readFile("credential", *credPath)
	if err != nil {
		return err
	}
	hb, err := readFile("holder", *holderPath)
	if err != nil {
		return err
	}
	requestURI, clientID, err := parseLink(fs.Arg(0))
	if err != nil {
		return usage("%v", err)
	}
	ro, err := fetchRequestObject(requestURI, clientID)
	if err != nil {
		return refused("request refused: %v", err)
	}
	fmt.Fprintf(stdout, "%s asks: are you %d or older?\n", ro.AgeGate.Site, ro.AgeGate.MinAge)

	trustJSON, err := fetch(ro.AgeGate.TrustListURI, requestURI)
	if err != nil {
		return refused("trust list: %v", err)
	}
	_, root, err := trust.Parse(trustJSON)
	if err != nil {
		return refused("trust list: %v", err)
	}
	if field.Hex(root) != strings.ToLower(ro.AgeGate.IssuerRoot) {
		return refused("the gateway's trust list does not match the root in its signed request")
	}
	var pkRaw []byte
	if *keys != "" {
		if pkRaw, err = os.ReadFile(filepath.Join(*keys, zk.ProvingKeyFile)); err != nil {
			return usage("keys: %v", err)
		}
	} else if pkRaw, err = fetch(ro.AgeGate.ProvingKeyURI, requestURI); err != nil {
		return refused("proving key: %v", err)
	}
	prover, err := zk.NewProver(pkRaw)
	if err != nil {
		return refused("proving key: %v", err)
	}
	wallet, req, err := zk.OpenWallet(cb, hb, trustJSON, ro.AgeGate.Today, ro.AgeGate.MinAge, ro.AgeGate.MinAssurance, ro.Nonce, ro.AgeGate.Audience, ro.AgeGate.Site)
	if err != nil {
		return usage("%v", err)
	}
	proof, in, err := prover.Prove(wallet, req)
	if errors.Is(err, zk.ErrUnsatisfiable) {
		return refused("%v", err)
	} else if err != nil {
		return err
	}
	nb := in.Nullifier.Bytes()
	presentation := base64.RawURLEncoding.EncodeToString(append(proof, nb[:]...))
	vpToken, _ := json.Marshal(map[string][]string{"age_proof": {presentation}})
	resp, err := httpClient.PostForm(ro.ResponseURI, url.Values{"vp_token": {string(vpToken)}, "state": {ro.State}})
	if err != nil {
		return refused("posting the response: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return refused("the gateway rejected the proof: %d %s", resp.StatusCode, strings.TrimSpace(string(body)))
	}
	fmt.Fprintf(stdout, "verified: %d %s\n", resp.StatusCode, strings.TrimSpace(string(body)))
	return nil
}

// parseLink accepts openid4vp://?client_id=…&request_uri=…, a web-wallet link
// with ?request_uri=…, or a request URI itself.
func parseLink(link string) (requestURI, clientID string, err error) {
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

// fetch GETs a URL on the same origin as the request URI, bounded in size.
func fetch(target, origin string) ([]byte, error) {
	if !sameOrigin(target, origin) {
		return nil, fmt.Errorf("%q is not on the gateway's origin", target)
	}
	resp, err := httpClient.Get(target)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", target, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxFetch+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxFetch {
		return nil, fmt.Errorf("GET %s: more than %d bytes", target, maxFetch)
	}
	return b, nil
}

// fetchRequestObject fetches the request JWT and verifies its ES256 signature
// against the gateway's JWKS (same origin as the request URI) before trusting any claim.
func fetchRequestObject(requestURI, clientID string) (*requestObject, error) {
	jwt, err := fetch(requestURI, requestURI)
	if err != nil {
		return nil, err
	}
	u, _ := url.Parse(requestURI)
	jwks, err := fetch(u.Scheme+"://"+u.Host+"/.well-known/jwks.json", requestURI)
	if err != nil {
		return nil, fmt.Errorf("JWKS: %v", err)
	}
	payload, err := verifyES256(strings.TrimSpace(string(jwt)), jwks, "oauth-authz-req+jwt")
	if err != nil {
		return nil, err
	}
	var ro requestObject
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

// verifyES256 checks a compact JWS with alg ES256 and the given typ against a JWKS and returns its payload.
func verifyES256(token string, jwksJSON []byte, typ string) ([]byte, error) {
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
