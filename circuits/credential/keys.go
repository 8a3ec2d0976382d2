package credential

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/twistededwards/eddsa"

	"agegate.dev/circuits/field"
)

// IssuerPublic is what a trust list holds about an issuer: never a secret.
type IssuerPublic struct {
	Type      string `json:"type"`
	Version   int    `json:"version"`
	Name      string `json:"name,omitempty"`
	Country   string `json:"country,omitempty"`
	Level     int    `json:"level"`
	PublicKey Point  `json:"public_key"`
}

// IssuerKey is an issuer's signing key file: the public part plus the private key.
type IssuerKey struct {
	IssuerPublic
	PrivateKey string `json:"private_key"`
}

// NewIssuer generates an issuer key with an assurance level 1..4 (ITU-T X.1254).
func NewIssuer(level int, name, country string, random io.Reader) (*IssuerKey, error) {
	if level < 1 || level > 4 {
		return nil, fmt.Errorf("level %d outside 1..4", level)
	}
	if random == nil {
		random = rand.Reader
	}
	priv, err := eddsa.GenerateKey(random)
	if err != nil {
		return nil, err
	}
	return &IssuerKey{
		IssuerPublic: IssuerPublic{Type: "agegate-issuer", Version: 1, Name: name, Country: country, Level: level, PublicKey: EncodePoint(priv.PublicKey.A)},
		PrivateKey:   hex.EncodeToString(priv.Bytes()),
	}, nil
}

// Public returns the part of the key that may be published.
func (k *IssuerKey) Public() IssuerPublic {
	p := k.IssuerPublic
	p.Type = "agegate-issuer"
	return p
}

func (k *IssuerKey) private() (*eddsa.PrivateKey, error) {
	b, err := hex.DecodeString(k.PrivateKey)
	if err != nil {
		return nil, errors.New("private_key is not hex")
	}
	var priv eddsa.PrivateKey
	if _, err := priv.SetBytes(b); err != nil {
		return nil, fmt.Errorf("private_key: %w", err)
	}
	pub, err := k.PublicKey.Decode()
	if err != nil || !pub.Equal(&priv.PublicKey.A) {
		return nil, errors.New("public_key does not match private_key")
	}
	return &priv, nil
}

// Validate checks an issuer's public part: type, level and key.
func (p *IssuerPublic) Validate() error {
	if p.Type != "agegate-issuer" || p.Version != 1 {
		return errors.New("not an agegate issuer version 1")
	}
	if p.Level < 1 || p.Level > 4 {
		return fmt.Errorf("level %d outside 1..4", p.Level)
	}
	_, err := p.PublicKey.DecodeKey()
	return err
}

// ParseIssuerKey decodes an issuer key file and checks that its halves match.
func ParseIssuerKey(data []byte) (*IssuerKey, error) {
	var k IssuerKey
	if err := UnmarshalStrict(data, &k); err != nil {
		return nil, err
	}
	if err := k.IssuerPublic.Validate(); err != nil {
		return nil, err
	}
	if k.PrivateKey == "" {
		return nil, errors.New("no private_key: this is an issuer's public part, not its key")
	}
	if _, err := k.private(); err != nil {
		return nil, err
	}
	return &k, nil
}

// ParseIssuerPublic decodes an issuer's public part. A full key file is accepted
// too (its private key is ignored and never copied), so operators can pass either.
func ParseIssuerPublic(data []byte) (*IssuerPublic, error) {
	var k IssuerKey
	if err := UnmarshalStrict(data, &k); err != nil {
		return nil, err
	}
	p := k.IssuerPublic
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &p, nil
}

// Holder is the wallet's secret. It never leaves the wallet.
type Holder struct {
	Type    string `json:"type"`
	Version int    `json:"version"`
	Secret  string `json:"secret"`
}

// NewHolder draws a uniformly random holder secret.
func NewHolder() (*Holder, error) {
	var s fr.Element
	if _, err := s.SetRandom(); err != nil {
		return nil, err
	}
	return &Holder{Type: "agegate-holder", Version: 1, Secret: field.Hex(s)}, nil
}

// SecretElement decodes the secret; zero is refused (it would make the commitment guessable).
func (h *Holder) SecretElement() (fr.Element, error) {
	if h.Type != "agegate-holder" || h.Version != 1 {
		return fr.Element{}, errors.New("not an agegate holder version 1")
	}
	s, err := field.FromHex(h.Secret)
	if err != nil {
		return s, fmt.Errorf("secret: %w", err)
	}
	if s.IsZero() {
		return s, errors.New("secret is zero")
	}
	return s, nil
}

// Commitment is Hash(DomainCommitment, secret): what an issuer signs into a credential.
func Commitment(secret fr.Element) fr.Element { return field.Hash(field.DomainCommitment, secret) }

// Nullifier is Hash(DomainNullifier, scope, secret): one value per holder and site,
// unlinkable across sites. The secret is the last block, so the value needs the secret
// itself: the commitment (which the issuer knows) is a hash in another domain and no
// compression step leads from it to a nullifier.
func Nullifier(secret, scope fr.Element) fr.Element {
	return field.Hash(field.DomainNullifier, scope, secret)
}

// ParseHolder decodes a holder file.
func ParseHolder(data []byte) (*Holder, fr.Element, error) {
	var h Holder
	if err := UnmarshalStrict(data, &h); err != nil {
		return nil, fr.Element{}, err
	}
	s, err := h.SecretElement()
	return &h, s, err
}
