//go:build js && wasm

// Command wasm is the age prover for the browser: the circuits' Go prover built with
// GOOS=js GOARCH=wasm and loaded by the reference web wallet (wallet/) in a Web Worker.
//
// It sets one global object, agegate, whose functions take and return strings and
// Uint8Arrays (never Go values):
//
//	agegate.newHolder() → holder JSON (a fresh random secret; stays in the browser)
//	agegate.commitment(holderJSON) → 64-hex Hash(DomainCommitment, secret), what the issuer signs
//	agegate.credentialInfo(credentialJSON) → {"birth_date","issued_date","expiry_date","issuer_public_key"}
//	agegate.verifyRequest(jwt, jwksJSON, host) → the request object's claims as JSON, after
//	    checking its ES256 signature against the gateway's JWKS and its typ, that its client_id
//	    is x509_san_dns:<host> (host: the gateway's, no port), and that its x5c leaf certifies
//	    that JWKS key for host, valid now, each certificate issued by the next (jws.VerifyRequest)
//	agegate.prove(pkBytes|null, credentialJSON, holderJSON, trustListJSON, requestJSON)
//	    → Promise of {"vp_token","nullifier"}; requestJSON is the request object's claims
//	    (its agegate claim gives today, min_age, min_assurance, audience, site, issuer_root;
//	    nonce is the top-level claim). pkBytes loads (and caches) the proving key; null reuses
//	    the last one. An optional sixth argument, a function, is called with each phase
//	    as it is reached: "key" (proving key loaded and parsed), "witness" (credential and
//	    request checked, witness assigned), "solved" (gnark solved the constraint system;
//	    the quotient H and the MSMs for A, B (G1 and G2) and K follow, run together by
//	    gnark with no hook between them), "proved" (the proof is made).
//	agegate.warmUp(pkBytes|null, pkSha256) → Promise: decodes the circuit's R1CS, which the
//	    build embeds (zk/compile_wasm.go: the native compiler's output; needed to solve
//	    the witness) and loads the proving key ahead of time, so the proof after consent is
//	    only the proof. The key is loaded only if its SHA-256 is pkSha256 (the request's
//	    agegate.pk_sha256); prove checks that the loaded key is the one its request names.
//
// Every function throws (or rejects) an Error whose message starts with a stable code
// followed by ": " (too_young, credential_expired, credential_not_yet_valid,
// issuer_not_trusted, assurance_too_low, wrong_holder, trust_root_mismatch, bad_input,
// no_proving_key, request_signature, credential_outdated (a credential of circuit v1:
// the issuer must sign a new one), circuit_version (the request is for another circuit)), so the wallet can explain the problem in words.
// Nothing here touches the network: the wallet fetches and posts.
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"syscall/js"
	"time"

	"github.com/consensys/gnark/logger"
	"github.com/rs/zerolog"

	"agegate.dev/circuits/credential"
	"agegate.dev/circuits/field"
	"agegate.dev/circuits/jws"
	"agegate.dev/circuits/zk"
)

var (
	prover       *zk.Prover
	proverDigest string // SHA-256 of the key prover was loaded from
)

// phaseLog turns gnark's one debug line inside a proof ("constraint system solver done",
// constraint/bn254 R1CS.Solve) into the "solved" phase; every other log line, and the
// line itself, is dropped: nothing is logged anywhere.
type phaseLog struct{}

var (
	phaseMu sync.Mutex
	onPhase func(string) // the running proof's phase callback, or nil
)

func setPhase(f func(string)) { phaseMu.Lock(); onPhase = f; phaseMu.Unlock() }

func phase(name string) {
	phaseMu.Lock()
	f := onPhase
	phaseMu.Unlock()
	if f != nil {
		f(name)
	}
}

func (phaseLog) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte(`"message":"constraint system solver done"`)) {
		phase("solved")
	}
	return len(p), nil
}

func main() {
	logger.Set(zerolog.New(phaseLog{}).Level(zerolog.DebugLevel))
	api := js.Global().Get("Object").New()
	api.Set("newHolder", js.FuncOf(wrap(newHolder)))
	api.Set("commitment", js.FuncOf(wrap(commitment)))
	api.Set("credentialInfo", js.FuncOf(wrap(credentialInfo)))
	api.Set("verifyRequest", js.FuncOf(wrap(verifyRequest)))
	api.Set("prove", js.FuncOf(prove))
	api.Set("warmUp", js.FuncOf(warmUp))
	js.Global().Set("agegate", api)
	select {} // keep the exported functions alive
}

// codedError carries one of the stable codes of the package comment.
type codedError struct{ code, msg string }

func (e *codedError) Error() string { return e.code + ": " + e.msg }

func coded(code string, format string, a ...any) error {
	return &codedError{code, fmt.Sprintf(format, a...)}
}

func jsError(err error) js.Value {
	var ce *codedError
	if !errors.As(err, &ce) {
		err = &codedError{"bad_input", err.Error()}
	}
	return js.Global().Get("Error").New(err.Error())
}

// wrap turns a Go function into a synchronous JS function that returns an Error instance
// on failure (a Go function cannot throw into JS; the wallet's worker rethrows it).
func wrap(f func(args []js.Value) (any, error)) func(js.Value, []js.Value) any {
	return func(_ js.Value, args []js.Value) any {
		out, err := f(args)
		if err != nil {
			return jsError(err) // an Error instance: the worker's shim throws it
		}
		return out
	}
}

func str(args []js.Value, i int, name string) (string, error) {
	if len(args) <= i || args[i].Type() != js.TypeString {
		return "", coded("bad_input", "%s must be a string", name)
	}
	return args[i].String(), nil
}

func newHolder([]js.Value) (any, error) {
	h, err := credential.NewHolder()
	if err != nil {
		return nil, err
	}
	b, _ := json.Marshal(h)
	return string(b), nil
}

func commitment(args []js.Value) (any, error) {
	s, err := str(args, 0, "holder")
	if err != nil {
		return nil, err
	}
	_, secret, err := credential.ParseHolder([]byte(s))
	if err != nil {
		return nil, coded("bad_input", "holder: %v", err)
	}
	return field.Hex(credential.Commitment(secret)), nil
}

func credentialInfo(args []js.Value) (any, error) {
	s, err := str(args, 0, "credential")
	if err != nil {
		return nil, err
	}
	c, _, err := credential.ParseCredential([]byte(s))
	if errors.Is(err, credential.ErrOldVersion) {
		return nil, coded("credential_outdated", "credential: %v", err)
	}
	if err != nil {
		return nil, coded("bad_input", "credential: %v", err)
	}
	b, _ := json.Marshal(map[string]any{
		"birth_date": c.BirthDate, "issued_date": c.IssuedDate, "expiry_date": c.ExpiryDate,
		"holder_commitment": c.HolderCommitment, "issuer_public_key": c.IssuerPublicKey,
	})
	return string(b), nil
}

// verifyRequest checks a compact JWS (ES256, typ oauth-authz-req+jwt) against a JWKS and
// returns its payload, with circuits/jws: the same rules as the CLI wallet, without net/http.
func verifyRequest(args []js.Value) (any, error) {
	token, err := str(args, 0, "jwt")
	if err != nil {
		return nil, err
	}
	set, err := str(args, 1, "jwks")
	if err != nil {
		return nil, err
	}
	host, err := str(args, 2, "host")
	if err != nil {
		return nil, err
	}
	payload, err := jws.VerifyRequest(strings.TrimSpace(token), jws.Request{JWKS: []byte(set), Host: host, Now: time.Now()})
	if err != nil {
		return nil, coded("request_signature", "%v", err)
	}
	return string(payload), nil
}

type requestClaims struct {
	Nonce   string `json:"nonce"`
	AgeGate struct {
		Site         string `json:"site"`
		MinAge       int    `json:"min_age"`
		MinAssurance int    `json:"min_assurance"`
		Today        string `json:"today"`
		IssuerRoot   string `json:"issuer_root"`
		Audience     string `json:"audience"`
		// CircuitVersion must be this build's (zk.CheckCircuitVersion).
		CircuitVersion int `json:"circuit_version"`
		// PKSha256 is the SHA-256 of the proving key the gateway serves; a key with another
		// digest is never loaded (zk.CheckProvingKeyDigest).
		PKSha256 string `json:"pk_sha256"`
	} `json:"agegate"`
}

// classify maps zk's ErrUnsatisfiable messages to stable codes.
func classify(err error) error {
	if !errors.Is(err, zk.ErrUnsatisfiable) {
		return coded("bad_input", "%v", err)
	}
	m := err.Error()
	switch {
	case strings.Contains(m, "younger than"):
		return coded("too_young", "%s", m)
	case strings.Contains(m, "expired"):
		return coded("credential_expired", "%s", m)
	case strings.Contains(m, "valid from"):
		return coded("credential_not_yet_valid", "%s", m)
	case strings.Contains(m, "assurance"):
		return coded("assurance_too_low", "%s", m)
	case strings.Contains(m, "another holder"):
		return coded("wrong_holder", "%s", m)
	case strings.Contains(m, "does not match the verifier's root"):
		return coded("trust_root_mismatch", "%s", m)
	default: // the issuer is not in the trust list
		return coded("issuer_not_trusted", "%s", m)
	}
}

type proveInput struct {
	pk      []byte    // nil: reuse the loaded key
	s       [4]string // credential, holder, trust list, request claims
	onPhase js.Value  // a function, or undefined
}

// readProveArgs copies everything out of the JS values before the goroutine starts.
func readProveArgs(args []js.Value) (*proveInput, error) {
	if len(args) != 5 && len(args) != 6 {
		return nil, coded("bad_input", "prove takes 5 or 6 arguments")
	}
	in := &proveInput{onPhase: js.Undefined()}
	if len(args) == 6 {
		if args[5].Type() != js.TypeFunction {
			return nil, coded("bad_input", "the sixth argument of prove must be a function")
		}
		in.onPhase = args[5]
	}
	if t := args[0]; !t.IsNull() && !t.IsUndefined() {
		in.pk = make([]byte, t.Get("length").Int())
		js.CopyBytesToGo(in.pk, t)
	}
	for i, name := range []string{"credential", "holder", "trust list", "request"} {
		v, err := str(args, i+1, name)
		if err != nil {
			return nil, err
		}
		in.s[i] = v
	}
	return in, nil
}

// loadProver checks a downloaded proving key's SHA-256 against the one the signed request
// names, before parsing it, then loads it.
func loadProver(pk []byte, digest string) error {
	if err := zk.CheckProvingKeyDigest(pk, digest); err != nil {
		return coded("no_proving_key", "proving key: %v", err)
	}
	p, err := zk.NewProver(pk)
	if err != nil {
		return coded("no_proving_key", "proving key: %v", err)
	}
	prover, proverDigest = p, digest
	return nil
}

func doProve(in *proveInput) (string, error) {
	s := in.s
	var rc requestClaims
	if err := json.Unmarshal([]byte(s[3]), &rc); err != nil {
		return "", coded("bad_input", "request: %v", err)
	}
	a := rc.AgeGate
	if in.pk != nil {
		if err := loadProver(in.pk, a.PKSha256); err != nil {
			return "", err
		}
	}
	if prover == nil {
		return "", coded("no_proving_key", "no proving key loaded")
	}
	phase("key")
	if proverDigest != a.PKSha256 {
		return "", coded("no_proving_key", "the loaded proving key is not the one this request names")
	}
	if err := zk.CheckCircuitVersion(a.CircuitVersion); err != nil {
		return "", coded("circuit_version", "%v", err)
	}
	wallet, req, err := zk.OpenWallet([]byte(s[0]), []byte(s[1]), []byte(s[2]), a.Today, a.MinAge, a.MinAssurance, rc.Nonce, a.Audience, a.Site)
	if errors.Is(err, credential.ErrOldVersion) {
		return "", coded("credential_outdated", "%v", err)
	}
	if err != nil {
		return "", coded("bad_input", "%v", err)
	}
	if field.Hex(req.IssuerRoot) != strings.ToLower(a.IssuerRoot) {
		return "", coded("trust_root_mismatch", "the trust list's root is not the one in the signed request")
	}
	proof, pub, err := prover.ProveReporting(wallet, req, func() { phase("witness") })
	if err != nil {
		return "", classify(err)
	}
	phase("proved")
	n := pub.Nullifier.Bytes()
	p := base64.RawURLEncoding.EncodeToString(append(append([]byte{}, proof...), n[:]...))
	vp, _ := json.Marshal(map[string][]string{"age_proof": {p}})
	out, _ := json.Marshal(map[string]string{"vp_token": string(vp), "nullifier": field.Hex(pub.Nullifier)})
	return string(out), nil
}

// prove runs on its own goroutine and answers a Promise, so the caller's event loop is
// free between calls (the worker posts progress while the key loads).
func prove(_ js.Value, args []js.Value) any {
	executor := js.FuncOf(func(_ js.Value, pa []js.Value) any {
		resolve, reject := pa[0], pa[1]
		in, err := readProveArgs(args)
		if err != nil {
			reject.Invoke(jsError(err))
			return nil
		}
		go func() {
			if in.onPhase.Type() == js.TypeFunction {
				setPhase(func(name string) { in.onPhase.Invoke(name) })
			}
			out, err := doProve(in)
			setPhase(nil)
			if err != nil {
				reject.Invoke(jsError(err))
				return
			}
			resolve.Invoke(out)
		}()
		return nil
	})
	defer executor.Release()
	return js.Global().Get("Promise").New(executor)
}

// warmUp decodes the embedded circuit and, given a key, loads it: the slow first-time work
// that does not depend on the request.
func warmUp(_ js.Value, args []js.Value) any {
	var pk []byte
	var digest string
	if len(args) > 0 && !args[0].IsNull() && !args[0].IsUndefined() {
		pk = make([]byte, args[0].Get("length").Int())
		js.CopyBytesToGo(pk, args[0])
		if len(args) > 1 && args[1].Type() == js.TypeString {
			digest = args[1].String()
		}
	}
	executor := js.FuncOf(func(_ js.Value, pa []js.Value) any {
		resolve, reject := pa[0], pa[1]
		go func() {
			if _, err := zk.Compile(); err != nil {
				reject.Invoke(jsError(err))
				return
			}
			if pk != nil {
				if err := loadProver(pk, digest); err != nil {
					reject.Invoke(jsError(err))
					return
				}
			}
			resolve.Invoke(js.Undefined())
		}()
		return nil
	})
	defer executor.Release()
	return js.Global().Get("Promise").New(executor)
}
