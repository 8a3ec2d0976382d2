// Package oid4vp is the wallet side of agegate's OpenID4VP-shaped protocol
// (docs/protocol.md): parse a request link, fetch the request object and verify
// its ES256 signature against the gateway's JWKS before trusting any claim, fetch
// the trust list and proving key from the same origin, prove, and post the
// response. The agezk CLI's wallet command and the load generator use it.
package oid4vp

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"agegate.dev/circuits/field"
	"agegate.dev/circuits/jws"
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
		// CircuitVersion is the circuit the gateway verifies; a wallet refuses any other.
		CircuitVersion int `json:"circuit_version"`
		// PKSha256 is the SHA-256 of the proving key at ProvingKeyURI; a wallet loads no other.
		PKSha256 string `json:"pk_sha256"`
		// SiteName and SiteOrigin say who asks (the site's configured name and origin);
		// ConfirmationCode is the code the gate shows next to its QR code.
		SiteName         string `json:"site_name"`
		SiteOrigin       string `json:"site_origin"`
		ConfirmationCode string `json:"confirmation_code"`
	} `json:"agegate"`
}

// Roots, when not nil, are the trust anchors a request's x5c chain must lead to (agezk wallet
// -x5c-roots); nil trusts the gateway by its origin and JWKS, as agegate's wallets always did.
var Roots *x509.CertPool

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
	// The JWKS key of the request URI's origin signs (what this wallet trusts), and, the
	// client_id being x509_san_dns:<that origin's host>, the x5c leaf certifies that key for
	// that host (docs/security.md, "The client id").
	payload, err := jws.VerifyRequest(strings.TrimSpace(string(jwt)), jws.Request{JWKS: jwks, Host: u.Hostname(), Now: time.Now(), Roots: Roots})
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
	case ro.ResponseMode != "direct_post" && ro.ResponseMode != "direct_post.jwt":
		// direct_post.jwt is what a gateway asks of a site that also accepts mdocs; it takes
		// agegate's own age_proof in plaintext (docs/security.md, "Encrypted OpenID4VP responses").
		return nil, fmt.Errorf("response_mode %q, want direct_post", ro.ResponseMode)
	case !sameOrigin(ro.ResponseURI, requestURI):
		return nil, errors.New("response_uri is not on the gateway's origin")
	case ro.Exp != 0 && time.Now().Unix() > ro.Exp:
		return nil, errors.New("request object expired")
	case ro.Nonce == "" || ro.State == "" || ro.AgeGate.Site == "" || ro.AgeGate.Audience == "":
		return nil, errors.New("request object lacks nonce, state, site or audience")
	case ro.AgeGate.Audience != ro.ClientID:
		// The proof's challenge binds the audience: it must be the verifier the certificate names.
		return nil, errors.New("the audience is not the client_id")
	}
	if err := zk.CheckCircuitVersion(ro.AgeGate.CircuitVersion); err != nil {
		return nil, err
	}
	return &ro, nil
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

// PostRetrying sends the response as Post does, and sends it again to the same response URI
// when the connection was lost before an answer (after LostBackoff; behind a load balancer the retry reaches
// another node; the gateway decides each check once, so a retry never verifies twice) or the
// gateway answered 503 (after its Retry-After, 1 s when absent, at most 15 s): at most attempts
// posts in all. lost reports that an attempt lost its connection: a later 409 nonce_replayed
// may then mean that the lost attempt was verified (the site's page shows the outcome).
func PostRetrying(ro *RequestObject, vpToken string, attempts int, sleep func(time.Duration)) (status int, body string, lost bool, err error) {
	for i := 0; i < attempts; i++ {
		var retryAfter time.Duration
		status, body, retryAfter, err = post(ro, vpToken)
		if err != nil {
			lost = true
			if i < attempts-1 {
				sleep(LostBackoff(i))
			}
			continue
		}
		if status != http.StatusServiceUnavailable || i == attempts-1 {
			return status, body, lost, nil
		}
		sleep(retryAfter)
	}
	return status, body, lost, err
}

// LostBackoff is the wait before the retry that follows the i-th (from 0) lost connection:
// 250 ms, doubling, at most 4 s. Posting again at once would reach the same dead node while a
// load balancer has not yet noticed it, and spend every attempt within milliseconds.
func LostBackoff(i int) time.Duration {
	if i > 4 {
		i = 4
	}
	return 250 * time.Millisecond << i
}

// PostError sends the OpenID4VP error response (error=access_denied when the person declines
// or the credential cannot answer), so the gate offers to start again at once.
func PostError(ro *RequestObject, code string) (int, string, error) {
	resp, err := Client.PostForm(ro.ResponseURI, url.Values{"error": {code}, "state": {ro.State}})
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, strings.TrimSpace(string(body)), nil
}

// Post sends the response; it returns the status code and up to 64 KiB of the body.
func Post(ro *RequestObject, vpToken string) (int, string, error) {
	status, body, _, err := post(ro, vpToken)
	return status, body, err
}

func post(ro *RequestObject, vpToken string) (int, string, time.Duration, error) {
	resp, err := Client.PostForm(ro.ResponseURI, url.Values{"vp_token": {vpToken}, "state": {ro.State}})
	if err != nil {
		return 0, "", 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		// The answer was cut off: as lost as no answer at all.
		return 0, "", 0, err
	}
	wait := time.Second
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 {
		wait = time.Duration(min(s, 15)) * time.Second
	}
	return resp.StatusCode, strings.TrimSpace(string(body)), wait, nil
}
