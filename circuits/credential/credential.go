package credential

import (
	"bytes"

	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr/mimc"
	"github.com/consensys/gnark-crypto/ecc/bn254/twistededwards"
	"github.com/consensys/gnark-crypto/ecc/bn254/twistededwards/eddsa"

	"agegate.dev/circuits/days"
	"agegate.dev/circuits/field"
)

// Version is the credential format version, also the low byte of the packed dates in the
// signed message. Version 2 is circuit v2's: the message is domain-separated and the
// commitment is too, so a version 1 credential can never verify there (see ErrOldVersion).
const Version = 2

// ErrOldVersion is returned for a document made for circuit v1. The holder secret still
// works; the issuer must sign a new credential for the holder's v2 commitment.
var ErrOldVersion = errors.New("made for agegate circuit v1, which is withdrawn (a forgery was found); ask the issuer for a new credential: the holder file stays the same")

// MaxJSON bounds every JSON document this package decodes, so a hostile file cannot exhaust memory.
const MaxJSON = 1 << 20

// Point is a twisted Edwards point in JSON: {"x": hex, "y": hex}.
type Point struct {
	X string `json:"x"`
	Y string `json:"y"`
}

// Decode returns the curve point, refusing non-canonical coordinates and points off the
// curve. It does not check the subgroup: an issuer key goes through DecodeKey.
func (p Point) Decode() (twistededwards.PointAffine, error) {
	var out twistededwards.PointAffine
	x, err := field.FromHex(p.X)
	if err != nil {
		return out, fmt.Errorf("point x: %w", err)
	}
	y, err := field.FromHex(p.Y)
	if err != nil {
		return out, fmt.Errorf("point y: %w", err)
	}
	out.X, out.Y = x, y
	if !out.IsOnCurve() {
		return out, errors.New("point is not on the curve")
	}
	return out, nil
}

// DecodeKey decodes an issuer's public key and refuses every point that is not a
// generator of the prime-order subgroup: off the curve, the identity or any other point
// of small order (under which a cofactored check accepts a signature on any message),
// or a point with a torsion component. Every place that reads an issuer key uses it.
func (p Point) DecodeKey() (twistededwards.PointAffine, error) {
	a, err := p.Decode()
	if err != nil {
		return a, err
	}
	if err := CheckKey(&a); err != nil {
		return a, err
	}
	return a, nil
}

// CheckKey is the explicit subgroup check of an issuer key: [8]A is not the identity
// (A is not of small order) and [ℓ]A is the identity (A has no torsion component).
func CheckKey(a *twistededwards.PointAffine) error {
	if !a.IsOnCurve() {
		return errors.New("point is not on the curve")
	}
	params := twistededwards.GetEdwardsCurve()
	var cofactor, order big.Int
	params.Cofactor.BigInt(&cofactor)
	var a8, aL twistededwards.PointAffine
	a8.ScalarMultiplication(a, &cofactor)
	if isIdentity(&a8) {
		return errors.New("issuer key is of small order (the identity or a torsion point): it would accept any signature")
	}
	order.Set(&params.Order)
	aL.ScalarMultiplication(a, &order)
	if !isIdentity(&aL) {
		return errors.New("issuer key is not in the prime-order subgroup")
	}
	return nil
}

func isIdentity(p *twistededwards.PointAffine) bool {
	var one fr.Element
	one.SetOne()
	return p.X.IsZero() && p.Y.Equal(&one)
}

// EncodePoint is the JSON form of a point.
func EncodePoint(p twistededwards.PointAffine) Point {
	return Point{X: field.Hex(p.X), Y: field.Hex(p.Y)}
}

// Signature is an EdDSA signature in JSON: R's coordinates and S, all hex.
type Signature struct {
	RX string `json:"r_x"`
	RY string `json:"r_y"`
	S  string `json:"s"`
}

// Bytes returns gnark-crypto's signature encoding (compressed R ‖ S).
func (s Signature) Bytes() ([]byte, error) {
	r, err := Point{X: s.RX, Y: s.RY}.Decode()
	if err != nil {
		return nil, fmt.Errorf("signature R: %w", err)
	}
	sb, err := hex.DecodeString(s.S)
	if err != nil || len(sb) != 32 {
		return nil, errors.New("signature S: want 64 hex digits")
	}
	// Explicit, whatever the library checks: 0 < S < ℓ (the circuit asserts S < ℓ too).
	order := twistededwards.GetEdwardsCurve().Order
	if v := new(big.Int).SetBytes(sb); v.Sign() == 0 || v.Cmp(&order) >= 0 {
		return nil, errors.New("signature S: not in 1..ℓ-1")
	}
	var sig eddsa.Signature
	sig.R = r
	copy(sig.S[:], sb)
	return sig.Bytes(), nil
}

// Credential is an issuer-signed statement about one holder's birth date.
type Credential struct {
	Type             string    `json:"type"`
	Version          int       `json:"version"`
	CredentialID     string    `json:"credential_id"`
	HolderCommitment string    `json:"holder_commitment"`
	BirthDate        string    `json:"birth_date"`
	IssuedDate       string    `json:"issued_date"`
	ExpiryDate       string    `json:"expiry_date"`
	IssuerPublicKey  Point     `json:"issuer_public_key"`
	Signature        Signature `json:"signature"`
}

// Fields is a credential's decoded, range-checked content.
type Fields struct {
	CredentialID, HolderCommitment fr.Element
	BirthDay, IssuedDay, ExpiryDay int
	IssuerKey                      twistededwards.PointAffine
	SignatureBytes                 []byte
}

// Message is M = Hash(DomainCredential, credentialID, holderCommitment, dates): the field
// element the issuer signs.
func (f *Fields) Message() fr.Element {
	return field.Hash(field.DomainCredential, f.CredentialID, f.HolderCommitment, field.FromUint(PackDates(f.BirthDay, f.IssuedDay, f.ExpiryDay)))
}

// PackDates packs the version and the three day numbers into one field element:
// version + birth·2^8 + issued·2^25 + expiry·2^42. Every day is below 2^17, so the
// packing is injective; the circuit computes the same sum for free (it is linear)
// and hashes one element instead of four, which keeps the circuit under 2^14
// constraints and halves the prover's FFT domain.
func PackDates(birth, issued, expiry int) uint64 {
	return Version | uint64(birth)<<8 | uint64(issued)<<25 | uint64(expiry)<<42
}

// Decode checks the credential's format and returns its fields. It does not check
// the signature: see Verify.
func (c *Credential) Decode() (*Fields, error) {
	if c.Type == "agegate-age-credential" && c.Version == 1 {
		return nil, fmt.Errorf("credential version 1: %w", ErrOldVersion)
	}
	if c.Type != "agegate-age-credential" || c.Version != Version {
		return nil, fmt.Errorf("not an agegate age credential version %d", Version)
	}
	var f Fields
	var err error
	if f.CredentialID, err = field.FromHex(c.CredentialID); err != nil {
		return nil, fmt.Errorf("credential_id: %w", err)
	}
	if f.HolderCommitment, err = field.FromHex(c.HolderCommitment); err != nil {
		return nil, fmt.Errorf("holder_commitment: %w", err)
	}
	if f.BirthDay, err = days.Parse(c.BirthDate); err != nil {
		return nil, fmt.Errorf("birth_date: %w", err)
	}
	if f.IssuedDay, err = days.Parse(c.IssuedDate); err != nil {
		return nil, fmt.Errorf("issued_date: %w", err)
	}
	if f.ExpiryDay, err = days.Parse(c.ExpiryDate); err != nil {
		return nil, fmt.Errorf("expiry_date: %w", err)
	}
	if f.IssuerKey, err = c.IssuerPublicKey.DecodeKey(); err != nil {
		return nil, fmt.Errorf("issuer_public_key: %w", err)
	}
	if f.SignatureBytes, err = c.Signature.Bytes(); err != nil {
		return nil, err
	}
	return &f, nil
}

// Verify decodes the credential and checks the issuer's signature natively.
func (c *Credential) Verify() (*Fields, error) {
	f, err := c.Decode()
	if err != nil {
		return nil, err
	}
	var pub eddsa.PublicKey
	pub.A = f.IssuerKey
	m := f.Message()
	mb := m.Bytes()
	ok, err := pub.Verify(f.SignatureBytes, mb[:], mimc.NewMiMC())
	if err != nil || !ok {
		return nil, errors.New("credential signature does not verify")
	}
	return f, nil
}

// Issue signs a credential for holderCommitment. issued <= expiry is required;
// the birth date may be any representable day.
func (k *IssuerKey) Issue(holderCommitment fr.Element, birthDay, issuedDay, expiryDay int, random io.Reader) (*Credential, error) {
	if issuedDay > expiryDay {
		return nil, fmt.Errorf("issued date %s is after expiry date %s", days.Format(issuedDay), days.Format(expiryDay))
	}
	if birthDay > issuedDay {
		return nil, fmt.Errorf("birth date %s is after issue date %s", days.Format(birthDay), days.Format(issuedDay))
	}
	priv, err := k.private()
	if err != nil {
		return nil, err
	}
	var id fr.Element
	if _, err := id.SetRandom(); err != nil {
		return nil, err
	}
	f := Fields{CredentialID: id, HolderCommitment: holderCommitment, BirthDay: birthDay, IssuedDay: issuedDay, ExpiryDay: expiryDay, IssuerKey: priv.PublicKey.A}
	m := f.Message()
	mb := m.Bytes()
	sigBytes, err := priv.Sign(mb[:], mimc.NewMiMC())
	if err != nil {
		return nil, fmt.Errorf("signing: %w", err)
	}
	var sig eddsa.Signature
	if _, err := sig.SetBytes(sigBytes); err != nil {
		return nil, err
	}
	return &Credential{
		Type: "agegate-age-credential", Version: Version,
		CredentialID: field.Hex(id), HolderCommitment: field.Hex(holderCommitment),
		BirthDate: days.Format(birthDay), IssuedDate: days.Format(issuedDay), ExpiryDate: days.Format(expiryDay),
		IssuerPublicKey: EncodePoint(priv.PublicKey.A),
		Signature:       Signature{RX: field.Hex(sig.R.X), RY: field.Hex(sig.R.Y), S: hex.EncodeToString(sig.S[:])},
	}, nil
}

// SignatureParts returns R and S of a decoded signature, for the circuit witness.
func SignatureParts(sigBytes []byte) (twistededwards.PointAffine, []byte, error) {
	var sig eddsa.Signature
	if _, err := sig.SetBytes(sigBytes); err != nil {
		return twistededwards.PointAffine{}, nil, err
	}
	return sig.R, sig.S[:], nil
}

// UnmarshalStrict decodes JSON into v, refusing unknown fields, trailing data and oversized input.
func UnmarshalStrict(data []byte, v any) error {
	if len(data) > MaxJSON {
		return fmt.Errorf("JSON document larger than %d bytes", MaxJSON)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	if dec.More() {
		return errors.New("invalid JSON: trailing data")
	}
	return nil
}

// ParseCredential decodes and signature-checks a credential document.
func ParseCredential(data []byte) (*Credential, *Fields, error) {
	var c Credential
	if err := UnmarshalStrict(data, &c); err != nil {
		return nil, nil, err
	}
	f, err := c.Verify()
	if err != nil {
		return nil, nil, err
	}
	return &c, f, nil
}
