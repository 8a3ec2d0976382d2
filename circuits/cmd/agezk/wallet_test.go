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

	"agegate.dev/circuits/internal/x5ctest"
	"agegate.dev/circuits/jws"
)

// testClientID is the client id of a gateway at httptest's address.
const testClientID = jws.X509SanDNS + "127.0.0.1"

// reqHeader is a request object's JOSE header signed by key: kid k1 and an x5c chain whose leaf
// certifies key for 127.0.0.1 (httptest's host).
func reqHeader(key *ecdsa.PrivateKey) map[string]any {
	return headerWith(x5ctest.New(x5ctest.Leaf{Key: &key.PublicKey, DNSNames: []string{"127.0.0.1"}}))
}

func headerWith(c x5ctest.Chain) map[string]any {
	return map[string]any{"alg": "ES256", "kid": "k1", "typ": "oauth-authz-req+jwt", "x5c": c.X5C()}
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
			w.Write(x5ctest.JWKS(&gatewayKey.PublicKey))
		case strings.HasPrefix(r.URL.Path, "/v1/requests/"):
			w.Write([]byte(x5ctest.SignES256(t, attackerKey, reqHeader(attackerKey),
				map[string]any{"client_id": testClientID, "response_mode": "direct_post", "response_uri": srv.URL + "/v1/responses/r", "nonce": "n", "state": "s",
					"agegate": map[string]any{"site": "demo-shop", "audience": testClientID, "min_age": 18, "min_assurance": 1, "today": "2026-11-28"}})))
		default:
			posted = true
		}
	}))
	defer srv.Close()
	code, _, e := agezk(t, "wallet", "--credential", filepath.Join(d, "cred.json"), "--holder", filepath.Join(d, "holder.json"),
		"openid4vp://?client_id="+testClientID+"&request_uri="+srv.URL+"/v1/requests/r")
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
	set := x5ctest.JWKS(&key.PublicKey)
	good := x5ctest.SignES256(t, key, map[string]any{"alg": "ES256", "kid": "k1", "typ": "oauth-authz-req+jwt"}, map[string]any{"a": 1})
	if _, err := jws.VerifyES256(good, set, "oauth-authz-req+jwt"); err != nil {
		t.Fatalf("good token refused: %v", err)
	}
	for _, alg := range []string{"none", "ES384", "HS256", "es256", ""} {
		forged := x5ctest.SignES256(t, key, map[string]any{"alg": alg, "kid": "k1", "typ": "oauth-authz-req+jwt"}, map[string]any{"a": 1})
		_, err := jws.VerifyES256(forged, set, "oauth-authz-req+jwt")
		if want := fmt.Sprintf("alg %q refused", alg); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("alg %q: got %v, want %q", alg, err, want)
		}
	}
	otherTyp := x5ctest.SignES256(t, key, map[string]any{"alg": "ES256", "kid": "k1", "typ": "agegate-age+jwt"}, map[string]any{"a": 1})
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
			ag := map[string]any{"site": "demo-shop", "audience": testClientID, "min_age": 18, "min_assurance": 1, "today": "2026-11-28"}
			if version != nil {
				ag["circuit_version"] = version
			}
			switch {
			case r.URL.Path == "/.well-known/jwks.json":
				w.Write(x5ctest.JWKS(&key.PublicKey))
			case strings.HasPrefix(r.URL.Path, "/v1/requests/"):
				w.Write([]byte(x5ctest.SignES256(t, key, reqHeader(key),
					map[string]any{"client_id": testClientID, "response_mode": "direct_post", "response_uri": srv.URL + "/v1/responses/r", "nonce": "n", "state": "s", "agegate": ag})))
			default:
				posted = true
			}
		}))
		code, _, e := agezk(t, "wallet", "--credential", filepath.Join(d, "cred.json"), "--holder", filepath.Join(d, "holder.json"),
			"openid4vp://?client_id="+testClientID+"&request_uri="+srv.URL+"/v1/requests/r")
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
				w.Write(x5ctest.JWKS(&key.PublicKey))
			case r.URL.Path == "/trust":
				w.Write(trustJSON)
			case r.URL.Path == "/pk":
				w.Write(pkRaw)
			case strings.HasPrefix(r.URL.Path, "/v1/requests/"):
				ag := map[string]any{"site": "demo-shop", "audience": testClientID, "min_age": 18, "min_assurance": 1, "today": "2026-11-28",
					"circuit_version": 2, "trust_list_uri": srv.URL + "/trust", "proving_key_uri": srv.URL + "/pk", "pk_sha256": digest, "issuer_root": list.Root}
				w.Write([]byte(x5ctest.SignES256(t, key, reqHeader(key),
					map[string]any{"client_id": testClientID, "response_mode": "direct_post", "response_uri": srv.URL + "/v1/responses/r", "nonce": "n", "state": "s", "agegate": ag})))
			default:
				posted = true
				http.Error(w, `{"reason":"test"}`, http.StatusBadRequest)
			}
		}))
		code, _, e := agezk(t, "wallet", "--credential", filepath.Join(d, "cred.json"), "--holder", filepath.Join(d, "holder.json"),
			"openid4vp://?client_id="+testClientID+"&request_uri="+srv.URL+"/v1/requests/r")
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
			w.Write(x5ctest.JWKS(&key.PublicKey))
		case strings.HasPrefix(r.URL.Path, "/v1/requests/"):
			w.Write([]byte(x5ctest.SignES256(t, key, reqHeader(key),
				map[string]any{"client_id": testClientID, "response_type": "vp_token", "response_mode": mode,
					"client_metadata": map[string]any{"jwks": map[string]any{"keys": []any{map[string]any{"kty": "EC", "crv": "P-256",
						"use": "enc", "alg": "ECDH-ES", "kid": "e1", "x": "AA", "y": "AA"}}},
						"encrypted_response_enc_values_supported": []string{"A128GCM", "A256GCM"},
						"vp_formats_supported":                    map[string]any{"mso_mdoc": map[string]any{"issuerauth_alg_values": []int{-7, -35, -36}}}},
					"response_uri": srv.URL + "/v1/responses/r", "nonce": "n", "state": "the-state",
					"agegate": map[string]any{"site": "demo-shop", "site_name": "Demo Shop", "site_origin": "http://shop.test",
						"confirmation_code": "7K2M", "audience": testClientID, "min_age": 18, "min_assurance": 1, "today": "2026-11-28",
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
		"openid4vp://?client_id="+testClientID+"&request_uri="+srv.URL+"/v1/requests/r")
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

// A request whose x5c does not certify its signer for the gateway's host gets no proof: a
// leaf for another key, a leaf naming another host, no x5c, and a client_id without the
// x509_san_dns prefix each stop the wallet before it fetches or posts anything else.
func TestWallet_x5cLeafOfAnotherKeyOrSanOfAnotherHost_refusedAndNothingPosted(t *testing.T) {
	d := world(t, "1990-01-01")
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	noX5C := map[string]any{"alg": "ES256", "kid": "k1", "typ": "oauth-authz-req+jwt"}
	for name, c := range map[string]struct {
		header   map[string]any
		clientID string
		want     string
	}{
		"leaf of another key": {headerWith(x5ctest.New(x5ctest.Leaf{Key: &other.PublicKey, DNSNames: []string{"127.0.0.1"}})), testClientID,
			"does not verify with the x5c leaf"},
		"SAN of another host": {headerWith(x5ctest.New(x5ctest.Leaf{Key: &key.PublicKey, DNSNames: []string{"gateway.example"}})), testClientID,
			"does not name \"127.0.0.1\" as a dNSName"},
		"client_id of another host": {headerWith(x5ctest.New(x5ctest.Leaf{Key: &key.PublicKey, DNSNames: []string{"gateway.example"}})),
			jws.X509SanDNS + "gateway.example", "but the request came from"},
		"no x5c":            {noX5C, testClientID, "no x5c"},
		"unprefixed client": {reqHeader(key), "http://127.0.0.1", "has no x509_san_dns: prefix"},
	} {
		var others []string
		var srv *httptest.Server
		srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch {
			case r.URL.Path == "/.well-known/jwks.json":
				w.Write(x5ctest.JWKS(&key.PublicKey))
			case strings.HasPrefix(r.URL.Path, "/v1/requests/"):
				w.Write([]byte(x5ctest.SignES256(t, key, c.header, map[string]any{"client_id": c.clientID, "response_mode": "direct_post",
					"response_uri": srv.URL + "/v1/responses/r", "nonce": "n", "state": "s",
					"agegate": map[string]any{"site": "demo-shop", "audience": c.clientID, "min_age": 18, "min_assurance": 1,
						"today": "2026-11-28", "circuit_version": 2, "trust_list_uri": srv.URL + "/trust", "proving_key_uri": srv.URL + "/pk"}})))
			default:
				others = append(others, r.Method+" "+r.URL.Path)
				http.NotFound(w, r)
			}
		}))
		code, _, e := agezk(t, "wallet", "--credential", filepath.Join(d, "cred.json"), "--holder", filepath.Join(d, "holder.json"),
			"openid4vp://?request_uri="+srv.URL+"/v1/requests/r")
		srv.Close()
		if code != 1 || !strings.Contains(e, c.want) {
			t.Errorf("%s: exit %d: %s (want %q)", name, code, e, c.want)
		}
		if len(others) != 0 {
			t.Errorf("%s: the wallet went on to %v", name, others)
		}
	}
}

// The proof's challenge binds the audience: a request whose audience is not its client_id (the
// verifier the certificate names) is refused.
func TestWallet_audienceNotTheClientId_refused(t *testing.T) {
	d := world(t, "1990-01-01")
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/.well-known/jwks.json":
			w.Write(x5ctest.JWKS(&key.PublicKey))
		case strings.HasPrefix(r.URL.Path, "/v1/requests/"):
			w.Write([]byte(x5ctest.SignES256(t, key, reqHeader(key), map[string]any{"client_id": testClientID, "response_mode": "direct_post",
				"response_uri": srv.URL + "/v1/responses/r", "nonce": "n", "state": "s",
				"agegate": map[string]any{"site": "demo-shop", "audience": "x509_san_dns:elsewhere.example", "min_age": 18,
					"min_assurance": 1, "today": "2026-11-28", "circuit_version": 2}})))
		default:
			t.Errorf("the wallet went on to %s", r.URL.Path)
		}
	}))
	defer srv.Close()
	code, _, e := agezk(t, "wallet", "--credential", filepath.Join(d, "cred.json"), "--holder", filepath.Join(d, "holder.json"),
		"openid4vp://?request_uri="+srv.URL+"/v1/requests/r")
	if code != 1 || !strings.Contains(e, "the audience is not the client_id") {
		t.Fatalf("exit %d: %s", code, e)
	}
}
