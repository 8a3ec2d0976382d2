// Package jws verifies the gateway's ES256 compact JWS (request objects) against its
// JWKS. It has no network code, so the browser (WebAssembly) build and the CLI share
// one implementation of the rules: alg pinned to ES256, typ checked, kid looked up
// in the JWKS, P-256 keys only, points on the curve, 64-byte r‖s signatures.
package jws

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
)

type jwk struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	Kid string `json:"kid"`
	X   string `json:"x"`
	Y   string `json:"y"`
}

// VerifyES256 checks a compact JWS with alg ES256 and the given typ against a JWKS and returns its payload.
func VerifyES256(token string, jwksJSON []byte, typ string) ([]byte, error) {
	payload, _, err := verifyES256(token, jwksJSON, typ)
	return payload, err
}

// verifyES256 is VerifyES256, also returning the JWKS key that verified the signature.
func verifyES256(token string, jwksJSON []byte, typ string) ([]byte, *ecdsa.PublicKey, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, nil, errors.New("request object is not a compact JWS")
	}
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return nil, nil, errors.New("JWS header is not base64url")
	}
	var header struct {
		Alg, Kid, Typ string
	}
	if err := json.Unmarshal(hb, &header); err != nil {
		return nil, nil, errors.New("JWS header is not JSON")
	}
	if header.Alg != "ES256" {
		return nil, nil, fmt.Errorf("alg %q refused: only ES256", header.Alg)
	}
	if header.Typ != typ {
		return nil, nil, fmt.Errorf("typ %q, want %s", header.Typ, typ)
	}
	var set struct{ Keys []jwk }
	if err := json.Unmarshal(jwksJSON, &set); err != nil {
		return nil, nil, errors.New("JWKS is not JSON")
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		return nil, nil, errors.New("ES256 signature must be 64 bytes")
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
			payload, err := base64.RawURLEncoding.DecodeString(parts[1])
			if err != nil {
				return nil, nil, err
			}
			return payload, pub, nil
		}
	}
	return nil, nil, errors.New("request object signature does not verify against the gateway's JWKS")
}
