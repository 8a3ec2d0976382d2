package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"agegate.dev/circuits/jws"
)

func signES256(t *testing.T, key *ecdsa.PrivateKey, header, claims map[string]any) string {
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

func jwks(key *ecdsa.PublicKey) []byte {
	b, _ := json.Marshal(map[string]any{"keys": []map[string]string{{
		"kty": "EC", "crv": "P-256", "kid": "k1",
		"x": base64.RawURLEncoding.EncodeToString(key.X.FillBytes(make([]byte, 32))),
		"y": base64.RawURLEncoding.EncodeToString(key.Y.FillBytes(make([]byte, 32))),
	}}})
	return b
}

// A request object signed by a key that is not in the gateway's JWKS is refused before anything is proven or posted.
func TestWallet_requestSignedByAnotherKey_refusedAndNothingPosted(t *testing.T) {
	d := world(t, "1990-01-01")
	gatewayKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	attackerKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	posted := false
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/.well-known/jwks.json":
			w.Write(jwks(&gatewayKey.PublicKey))
		case strings.HasPrefix(r.URL.Path, "/v1/requests/"):
			w.Write([]byte(signES256(t, attackerKey, map[string]any{"alg": "ES256", "kid": "k1", "typ": "oauth-authz-req+jwt"},
				map[string]any{"client_id": "x", "response_mode": "direct_post", "response_uri": srv.URL + "/v1/responses/r", "nonce": "n", "state": "s",
					"agegate": map[string]any{"site": "demo-shop", "audience": "a", "min_age": 18, "min_assurance": 1, "today": "2026-11-28"}})))
		default:
			posted = true
		}
	}))
	defer srv.Close()
	code, _, e := agezk(t, "wallet", "--credential", filepath.Join(d, "cred.json"), "--holder", filepath.Join(d, "holder.json"),
		"openid4vp://?client_id=x&request_uri="+srv.URL+"/v1/requests/r")
	if code != 1 || !strings.Contains(e, "signature does not verify") {
		t.Fatalf("exit %d: %s", code, e)
	}
	if posted {
		t.Fatal("the wallet posted to a gateway whose request it could not verify")
	}
}

// Every header below carries a valid 64-byte ES256 signature by the JWKS key over its own
// input, so only the alg pin (or the typ check) can refuse it: an unsigned "none" token would
// be refused for its empty signature even with the pin removed.
func TestVerifyES256_algNoneAndForeignTyp_refused(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	set := jwks(&key.PublicKey)
	good := signES256(t, key, map[string]any{"alg": "ES256", "kid": "k1", "typ": "oauth-authz-req+jwt"}, map[string]any{"a": 1})
	if _, err := jws.VerifyES256(good, set, "oauth-authz-req+jwt"); err != nil {
		t.Fatalf("good token refused: %v", err)
	}
	for _, alg := range []string{"none", "ES384", "HS256", "es256", ""} {
		forged := signES256(t, key, map[string]any{"alg": alg, "kid": "k1", "typ": "oauth-authz-req+jwt"}, map[string]any{"a": 1})
		_, err := jws.VerifyES256(forged, set, "oauth-authz-req+jwt")
		if want := fmt.Sprintf("alg %q refused", alg); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("alg %q: got %v, want %q", alg, err, want)
		}
	}
	otherTyp := signES256(t, key, map[string]any{"alg": "ES256", "kid": "k1", "typ": "agegate-age+jwt"}, map[string]any{"a": 1})
	if _, err := jws.VerifyES256(otherTyp, set, "oauth-authz-req+jwt"); err == nil || !strings.Contains(err.Error(), `typ "agegate-age+jwt"`) {
		t.Fatalf("a token of another typ: got %v", err)
	}
	parts := strings.Split(good, ".")
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	// (r, n - s) is the other valid-looking ECDSA signature; stdlib verify accepts it, which is fine for
	// a request object (no replay property rests on it), but a flipped bit must fail.
	sig[5] ^= 1
	tampered := parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(sig)
	if _, err := jws.VerifyES256(tampered, set, "oauth-authz-req+jwt"); err == nil || !strings.Contains(err.Error(), "signature does not verify") {
		t.Fatalf("tampered signature: got %v", err)
	}
}

// A gateway still on circuit v1 (or one that names no version) gets no proof: the wallet
// says why and posts nothing.
func TestWallet_requestForCircuitV1_refusedAndNothingPosted(t *testing.T) {
	d := world(t, "1990-01-01")
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	for _, version := range []any{1, nil, 3} {
		posted := false
		var srv *httptest.Server
		srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ag := map[string]any{"site": "demo-shop", "audience": "a", "min_age": 18, "min_assurance": 1, "today": "2026-11-28"}
			if version != nil {
				ag["circuit_version"] = version
			}
			switch {
			case r.URL.Path == "/.well-known/jwks.json":
				w.Write(jwks(&key.PublicKey))
			case strings.HasPrefix(r.URL.Path, "/v1/requests/"):
				w.Write([]byte(signES256(t, key, map[string]any{"alg": "ES256", "kid": "k1", "typ": "oauth-authz-req+jwt"},
					map[string]any{"client_id": "x", "response_mode": "direct_post", "response_uri": srv.URL + "/v1/responses/r", "nonce": "n", "state": "s", "agegate": ag})))
			default:
				posted = true
			}
		}))
		code, _, e := agezk(t, "wallet", "--credential", filepath.Join(d, "cred.json"), "--holder", filepath.Join(d, "holder.json"),
			"openid4vp://?client_id=x&request_uri="+srv.URL+"/v1/requests/r")
		srv.Close()
		if code == 0 || !strings.Contains(e, "circuit") {
			t.Fatalf("circuit_version %v: exit %d: %s", version, code, e)
		}
		if posted {
			t.Fatalf("circuit_version %v: the wallet posted", version)
		}
	}
}

// A proving key other than the one the signed request names (a gateway's or a network's
// substitute, which could undo zero-knowledge) is never loaded: the wallet refuses and posts
// nothing. The same flow with the right digest gets as far as posting.
func TestWallet_provingKeyNotTheRequestsDigest_refusedAndNothingPosted(t *testing.T) {
	d := world(t, "1990-01-01")
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	trustJSON, _ := os.ReadFile(filepath.Join(d, "trust.json"))
	pkRaw, _ := os.ReadFile(filepath.Join(keysDir, "pk.bin"))
	good := sha256.Sum256(pkRaw)
	var list struct{ Root string }
	json.Unmarshal(trustJSON, &list)
	for name, digest := range map[string]string{"another key's digest": strings.Repeat("ab", 32), "no digest": "", "the key's digest": hex.EncodeToString(good[:])} {
		posted := false
		var srv *httptest.Server
		srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch {
			case r.URL.Path == "/.well-known/jwks.json":
				w.Write(jwks(&key.PublicKey))
			case r.URL.Path == "/trust":
				w.Write(trustJSON)
			case r.URL.Path == "/pk":
				w.Write(pkRaw)
			case strings.HasPrefix(r.URL.Path, "/v1/requests/"):
				ag := map[string]any{"site": "demo-shop", "audience": "a", "min_age": 18, "min_assurance": 1, "today": "2026-11-28",
					"circuit_version": 2, "trust_list_uri": srv.URL + "/trust", "proving_key_uri": srv.URL + "/pk", "pk_sha256": digest, "issuer_root": list.Root}
				w.Write([]byte(signES256(t, key, map[string]any{"alg": "ES256", "kid": "k1", "typ": "oauth-authz-req+jwt"},
					map[string]any{"client_id": "x", "response_mode": "direct_post", "response_uri": srv.URL + "/v1/responses/r", "nonce": "n", "state": "s", "agegate": ag})))
			default:
				posted = true
				http.Error(w, `{"reason":"test"}`, http.StatusBadRequest)
			}
		}))
		code, _, e := agezk(t, "wallet", "--credential", filepath.Join(d, "cred.json"), "--holder", filepath.Join(d, "holder.json"),
			"openid4vp://?client_id=x&request_uri="+srv.URL+"/v1/requests/r")
		srv.Close()
		if name == "the key's digest" {
			if !posted {
				t.Fatalf("%s: the wallet did not get to posting (exit %d: %s)", name, code, e)
			}
			continue
		}
		if code != 1 || !strings.Contains(e, "proving key is not the one the request names") || posted {
			t.Fatalf("%s: exit %d, posted %v: %s", name, code, posted, e)
		}
	}
}

// --decline tells the gateway (OpenID4VP error=access_denied with the request's state) after
// showing who asks, and fetches no trust list or proving key and proves nothing.
func TestWallet_decline_postsAccessDeniedWithTheStateAndProvesNothing(t *testing.T) {
	declineWith(t, "direct_post")
}

// A site that also accepts mdocs asks for direct_post.jwt and sends client_metadata: the agegate
// wallet answers it as before, in plaintext (the gateway takes age_proof and errors so).
func TestWallet_decline_directPostJwtWithClientMetadata_postsAccessDenied(t *testing.T) {
	declineWith(t, "direct_post.jwt")
}

func declineWith(t *testing.T, mode string) {
	d := world(t, "1990-01-01")
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	var posted []string
	fetchedOther := false
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/.well-known/jwks.json":
			w.Write(jwks(&key.PublicKey))
		case strings.HasPrefix(r.URL.Path, "/v1/requests/"):
			w.Write([]byte(signES256(t, key, map[string]any{"alg": "ES256", "kid": "k1", "typ": "oauth-authz-req+jwt"},
				map[string]any{"client_id": "x", "response_type": "vp_token", "response_mode": mode,
					"client_metadata": map[string]any{"jwks": map[string]any{"keys": []any{map[string]any{"kty": "EC", "crv": "P-256",
						"use": "enc", "alg": "ECDH-ES", "kid": "e1", "x": "AA", "y": "AA"}}},
						"encrypted_response_enc_values_supported": []string{"A128GCM", "A256GCM"},
						"vp_formats_supported": map[string]any{"mso_mdoc": map[string]any{"issuerauth_alg_values": []int{-7, -35, -36}}}},
					"response_uri": srv.URL + "/v1/responses/r", "nonce": "n", "state": "the-state",
					"agegate": map[string]any{"site": "demo-shop", "site_name": "Demo Shop", "site_origin": "http://shop.test",
						"confirmation_code": "7K2M", "audience": "a", "min_age": 18, "min_assurance": 1, "today": "2026-11-28",
						"circuit_version": 2, "trust_list_uri": srv.URL + "/v1/trust-list", "proving_key_uri": srv.URL + "/pk"}})))
		case r.URL.Path == "/v1/responses/r" && r.Method == http.MethodPost:
			r.ParseForm()
			posted = append(posted, r.PostForm.Encode())
			w.Write([]byte(`{"status":"rejected","reason":"declined"}`))
		default:
			fetchedOther = true
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	code, out, e := agezk(t, "wallet", "--decline", "--credential", filepath.Join(d, "cred.json"), "--holder", filepath.Join(d, "holder.json"),
		"openid4vp://?client_id=x&request_uri="+srv.URL+"/v1/requests/r")
	if code != 0 {
		t.Fatalf("exit %d: %s %s", code, out, e)
	}
	if !strings.Contains(out, "Demo Shop asks: are you 18 or older?") || !strings.Contains(out, "confirmation code 7K2M") {
		t.Fatalf("output: %s", out)
	}
	if len(posted) != 1 || posted[0] != "error=access_denied&state=the-state" {
		t.Fatalf("posted %q", posted)
	}
	if fetchedOther {
		t.Fatal("a declining wallet fetched the trust list or the proving key")
	}
}
