// Package trust builds the trust list: the issuers a verifier accepts, committed
// to as a MiMC Merkle tree of fixed depth Depth.
//
// leaf(issuer) = Hash(DomainTrustLeaf, A.x, A.y, level); node = Hash(DomainTrustNode,
// left, right) (field.Hash: MiMC with a domain tag first, so a leaf is never a node and
// neither is ever a credential message); empty leaves are zero (no known preimage hashes
// to zero, so an empty slot cannot be proven). Version 2 is circuit v2's tree; a
// version 1 list (untagged hashes) is refused with ErrOldVersion.
// The root is the circuit's first public input; a wallet proves its issuer is one
// of the leaves without saying which.
package trust

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"agegate.dev/circuits/credential"
	"agegate.dev/circuits/field"
)

// Depth of the tree: up to 2^Depth = 256 issuers. The circuit is compiled for this depth.
const Depth = 8

// List is the trust list document.
type List struct {
	Type    string                    `json:"type"`
	Version int                       `json:"version"`
	Depth   int                       `json:"depth"`
	Root    string                    `json:"root"`
	Issuers []credential.IssuerPublic `json:"issuers"`
}

// Leaf is an issuer's leaf.
func Leaf(p *credential.IssuerPublic) (fr.Element, error) {
	a, err := p.PublicKey.DecodeKey()
	if err != nil {
		return fr.Element{}, err
	}
	return field.Hash(field.DomainTrustLeaf, a.X, a.Y, field.FromUint(uint64(p.Level))), nil
}

// Node is the parent of two nodes.
func Node(left, right fr.Element) fr.Element {
	return field.Hash(field.DomainTrustNode, left, right)
}

// Version is the trust list format version (circuit v2's tree hashing).
const Version = 2

// ErrOldVersion is returned for a version 1 list: its root is of circuit v1's tree.
var ErrOldVersion = errors.New("trust list version 1 is for agegate circuit v1, which is withdrawn; rebuild it with `agezk trust` from the issuers' public keys")

// Build makes a trust list from issuers' public parts, refusing duplicates and more than 2^Depth issuers.
func Build(issuers []credential.IssuerPublic) (*List, error) {
	l := &List{Type: "agegate-trust-list", Version: Version, Depth: Depth, Issuers: issuers}
	root, err := l.ComputeRoot()
	if err != nil {
		return nil, err
	}
	l.Root = field.Hex(root)
	return l, nil
}

func (l *List) leaves() ([]fr.Element, error) {
	if len(l.Issuers) == 0 {
		return nil, errors.New("trust list has no issuers")
	}
	if len(l.Issuers) > 1<<Depth {
		return nil, fmt.Errorf("trust list has %d issuers, at most %d fit", len(l.Issuers), 1<<Depth)
	}
	leaves := make([]fr.Element, 1<<Depth)
	// One leaf per key, whatever the level: a key listed at two levels would give two valid
	// leaves, and every holder of that issuer's credentials could prove the higher one.
	seen := map[[2]fr.Element]bool{}
	for i := range l.Issuers {
		if err := l.Issuers[i].Validate(); err != nil {
			return nil, fmt.Errorf("issuer %d: %w", i, err)
		}
		a, _ := l.Issuers[i].PublicKey.DecodeKey()
		if seen[[2]fr.Element{a.X, a.Y}] {
			return nil, fmt.Errorf("issuer %d is listed twice (one key, one level)", i)
		}
		seen[[2]fr.Element{a.X, a.Y}] = true
		leaves[i], _ = Leaf(&l.Issuers[i])
	}
	return leaves, nil
}

// ComputeRoot recomputes the root from the issuers, ignoring the Root field.
func (l *List) ComputeRoot() (fr.Element, error) {
	leaves, err := l.leaves()
	if err != nil {
		return fr.Element{}, err
	}
	for len(leaves) > 1 {
		next := make([]fr.Element, len(leaves)/2)
		for i := range next {
			next[i] = Node(leaves[2*i], leaves[2*i+1])
		}
		leaves = next
	}
	return leaves[0], nil
}

// Path is a Merkle path: at level i, Bits[i] = 1 when the node is a right child.
type Path struct {
	Bits     [Depth]uint
	Siblings [Depth]fr.Element
	Level    int
}

// PathFor returns the Merkle path of the issuer whose public key is key.
func (l *List) PathFor(key credential.Point) (*Path, error) {
	leaves, err := l.leaves()
	if err != nil {
		return nil, err
	}
	want, err := key.Decode()
	if err != nil {
		return nil, err
	}
	idx := -1
	for i := range l.Issuers {
		a, _ := l.Issuers[i].PublicKey.Decode()
		if a.Equal(&want) {
			idx = i
			break
		}
	}
	if idx < 0 {
		return nil, ErrNotTrusted
	}
	p := &Path{Level: l.Issuers[idx].Level}
	for d := 0; d < Depth; d++ {
		p.Bits[d] = uint(idx & 1)
		p.Siblings[d] = leaves[idx^1]
		next := make([]fr.Element, len(leaves)/2)
		for i := range next {
			next[i] = Node(leaves[2*i], leaves[2*i+1])
		}
		leaves, idx = next, idx>>1
	}
	return p, nil
}

// ErrNotTrusted is returned when an issuer is not in the list.
var ErrNotTrusted = errors.New("the credential's issuer is not in the trust list")

// Parse decodes a trust list and checks that its root matches its issuers.
func Parse(data []byte) (*List, fr.Element, error) {
	var l List
	if err := credential.UnmarshalStrict(data, &l); err != nil {
		return nil, fr.Element{}, err
	}
	if l.Type == "agegate-trust-list" && l.Version == 1 {
		return nil, fr.Element{}, ErrOldVersion
	}
	if l.Type != "agegate-trust-list" || l.Version != Version {
		return nil, fr.Element{}, fmt.Errorf("not an agegate trust list version %d", Version)
	}
	if l.Depth != Depth {
		return nil, fr.Element{}, fmt.Errorf("trust list depth %d, this build supports %d", l.Depth, Depth)
	}
	root, err := l.ComputeRoot()
	if err != nil {
		return nil, fr.Element{}, err
	}
	if l.Root != field.Hex(root) {
		return nil, fr.Element{}, errors.New("trust list root does not match its issuers")
	}
	return &l, root, nil
}

// JSON encodes the list with indentation.
func (l *List) JSON() []byte {
	b, _ := json.MarshalIndent(l, "", "  ")
	return append(b, '\n')
}
