// Package field holds the BN254 scalar-field helpers shared by every part of the
// circuits module: canonical 32-byte encodings, the hash-to-field used for the
// verifier-computed public inputs, and the native MiMC hash that mirrors the
// in-circuit one.
//
// Canonical means big-endian and strictly below the modulus r: a value >= r is an
// error, never reduced, so one field element has exactly one encoding on the wire.
package field

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr/mimc"
)

// Size is the byte length of an encoded field element.
const Size = fr.Bytes

// ErrNonCanonical is returned for an encoding that is >= r or of the wrong length.
var ErrNonCanonical = errors.New("field element is not a canonical 32-byte big-endian value below r")

// Modulus returns a copy of r.
func Modulus() *big.Int { return fr.Modulus() }

// FromBytes decodes a canonical 32-byte big-endian element.
func FromBytes(b []byte) (fr.Element, error) {
	var e fr.Element
	if len(b) != Size {
		return e, ErrNonCanonical
	}
	// SetBytesCanonical refuses values >= r instead of reducing them.
	if err := e.SetBytesCanonical(b); err != nil {
		return e, ErrNonCanonical
	}
	return e, nil
}

// FromHex decodes 64 hex digits (an optional 0x prefix allowed) as a canonical element.
func FromHex(s string) (fr.Element, error) {
	if len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		s = s[2:]
	}
	if len(s) != 2*Size {
		return fr.Element{}, fmt.Errorf("%w: want 64 hex digits, got %d", ErrNonCanonical, len(s))
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return fr.Element{}, fmt.Errorf("%w: %v", ErrNonCanonical, err)
	}
	return FromBytes(b)
}

// Hex encodes e as 64 lower-case hex digits.
func Hex(e fr.Element) string {
	b := e.Bytes()
	return hex.EncodeToString(b[:])
}

// FromUint returns the element n.
func FromUint(n uint64) fr.Element {
	var e fr.Element
	e.SetUint64(n)
	return e
}

// HashToField is H2F of docs/protocol.md: SHA-256 over each part's UTF-8 bytes,
// each preceded by its 4-byte big-endian length, with the digest's top three bits
// cleared so the result is below 2^253 < r. The length prefixes keep ("ab","c")
// and ("a","bc") apart.
func HashToField(tag string, parts ...string) fr.Element {
	h := sha256.New()
	var n [4]byte
	for _, p := range append([]string{tag}, parts...) {
		binary.BigEndian.PutUint32(n[:], uint32(len(p)))
		h.Write(n[:])
		h.Write([]byte(p))
	}
	d := h.Sum(nil)
	d[0] &= 0x1f
	e, err := FromBytes(d)
	if err != nil {
		panic("unreachable: a 253-bit value is below r")
	}
	return e
}

// Challenge is public input 5: it binds a proof to one check's nonce and audience.
func Challenge(nonce, audience string) fr.Element {
	return HashToField("agegate/challenge/v1", nonce, audience)
}

// Scope is public input 6: the site a nullifier is derived for.
func Scope(siteID string) fr.Element { return HashToField("agegate/scope/v1", siteID) }

// Domains of the protocol's MiMC hashes (circuit v2). Every hash the circuit computes
// starts with one of these tags as its first block, so no two kinds of value (a holder
// commitment, a nullifier, a signed credential message, a trust leaf, a trust node) can
// ever be confused, and a hash of one kind is never a prefix state of another. The first
// block is a constant, so in the circuit it folds into a constant key and costs no
// constraint. Each tag is its ASCII name read as a big-endian integer (at most 31 bytes,
// so below r).
const (
	DomainCommitment = "agegate/v2/holder-commitment"
	DomainNullifier  = "agegate/v2/nullifier"
	DomainCredential = "agegate/v2/credential"
	DomainTrustLeaf  = "agegate/v2/trust-leaf"
	DomainTrustNode  = "agegate/v2/trust-node"
)

// Tag is the field element of a domain name: its ASCII bytes as a big-endian integer.
// It panics for a name longer than 31 bytes (a programming error, never input).
func Tag(domain string) fr.Element {
	if len(domain) == 0 || len(domain) >= Size {
		panic("field: a domain tag must have 1 to 31 bytes: " + domain)
	}
	var e fr.Element
	e.SetBigInt(new(big.Int).SetBytes([]byte(domain)))
	return e
}

// Hash is the domain-separated MiMC of the protocol: MiMC(Tag(domain), elems...).
func Hash(domain string, elems ...fr.Element) fr.Element {
	return MiMC(append([]fr.Element{Tag(domain)}, elems...)...)
}

// MiMC hashes elements with gnark-crypto's BN254 MiMC (Miyaguchi–Preneel), the
// same function as gnark's std/hash/mimc in the circuit. It has no length padding:
// MiMC(a, b) is one more compression step of MiMC(a), so the protocol never calls it
// directly on secrets; it uses Hash, whose tags fix each domain's arity and order.
func MiMC(elems ...fr.Element) fr.Element {
	h := mimc.NewMiMC()
	for _, e := range elems {
		b := e.Bytes()
		h.Write(b[:]) // cannot fail: b is canonical
	}
	var out fr.Element
	out.SetBytes(h.Sum(nil))
	return out
}
