package zk_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/big"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	groth16bn254 "github.com/consensys/gnark/backend/groth16/bn254"
)

// keyField is one field of a raw key encoding, located from a decoded key's slice lengths
// (independently of zk's own framing check, which these tests are about).
type keyField struct {
	name      string
	off, size int
	kind      byte // '4' uint32 length/count, '8' uint64 count, 'p' points, 'b' other bytes
}

// vkLayout follows groth16/bn254 VerifyingKey.writeTo with RawEncoding (gnark v0.16.0 marshal.go:103-148).
func vkLayout(vk *groth16bn254.VerifyingKey) []keyField {
	var l layout
	l.add("G1.Alpha", 64, 'p')
	l.add("G1.Beta", 64, 'p')
	l.add("G2.Beta", 128, 'p')
	l.add("G2.Gamma", 128, 'p')
	l.add("G1.Delta", 64, 'p')
	l.add("G2.Delta", 128, 'p')
	l.add("len(G1.K)", 4, '4')
	l.add("G1.K", 64*len(vk.G1.K), 'p')
	l.add("len(PublicAndCommitmentCommitted)", 4, '4')
	l.add("nbCommitments", 4, '4')
	return l.fields
}

// pkLayout follows fft.Domain.WriteTo (gnark-crypto v0.21.0 fr/fft/domain.go:348-378) and
// groth16/bn254 ProvingKey.writeTo with RawEncoding (gnark v0.16.0 marshal.go:242-300).
func pkLayout(pk *groth16bn254.ProvingKey) []keyField {
	var l layout
	l.add("Domain.Cardinality", 8, '8')
	l.add("Domain elements", 5*fr.Bytes, 'b')
	l.add("Domain.withPrecompute", 1, 'b')
	l.add("G1.Alpha", 64, 'p')
	l.add("G1.Beta", 64, 'p')
	l.add("G1.Delta", 64, 'p')
	for _, s := range []struct {
		name string
		n    int
	}{{"G1.A", len(pk.G1.A)}, {"G1.B", len(pk.G1.B)}, {"G1.Z", len(pk.G1.Z)}, {"G1.K", len(pk.G1.K)}} {
		l.add("len("+s.name+")", 4, '4')
		l.add(s.name, 64*s.n, 'p')
	}
	l.add("G2.Beta", 128, 'p')
	l.add("G2.Delta", 128, 'p')
	l.add("len(G2.B)", 4, '4')
	l.add("G2.B", 128*len(pk.G2.B), 'p')
	l.add("nbWires", 8, '8')
	l.add("NbInfinityA", 8, '8')
	l.add("NbInfinityB", 8, '8')
	l.add("InfinityA", len(pk.InfinityA), 'b')
	l.add("InfinityB", len(pk.InfinityB), 'b')
	l.add("nbCommitments", 4, '4')
	return l.fields
}

type layout struct {
	fields []keyField
	off    int
}

func (l *layout) add(name string, size int, kind byte) {
	l.fields = append(l.fields, keyField{name, l.off, size, kind})
	l.off += size
}

func field(fields []keyField, name string) keyField {
	for _, f := range fields {
		if f.name == name {
			return f
		}
	}
	panic("no field " + name)
}

// hostileCase is one hostile variant of a real raw key, kept as an edit of it (so a test
// holds one multi-megabyte copy at a time, and a fuzz target can mutate edits): patch written
// at offset at, growing the key if it runs past the end, then the key cut to cut bytes.
type hostileCase struct {
	name  string
	key   string // "vk" or "pk"
	at    int
	patch []byte
	cut   int // -1: no cut
}

// edit applies an edit to a copy of raw; at and cut are clipped to its length.
func edit(raw []byte, at uint32, patch []byte, cut uint32) []byte {
	b := bytes.Clone(raw)
	o := int(at % uint32(len(b)+1))
	if end := o + len(patch); end > len(b) {
		b = append(b, make([]byte, end-len(b))...)
	}
	copy(b[o:], patch)
	if int64(cut) < int64(len(b)) {
		b = b[:cut]
	}
	return b
}

func (c hostileCase) apply(raw []byte) []byte {
	cut := uint32(0xFFFFFFFF)
	if c.cut >= 0 {
		cut = uint32(c.cut)
	}
	return edit(raw, uint32(c.at), c.patch, cut)
}

// hostileValues are the counts a hostile file puts in a length or count field: the largest
// uint32, 2^28, values the size of r (the top and bottom words of the scalar modulus) and more.
func hostileValues(kind byte) []uint64 {
	r := fr.Modulus()
	top32 := new(big.Int).Rsh(r, 256-32).Uint64()
	top64 := new(big.Int).Rsh(r, 256-64).Uint64()
	low64 := new(big.Int).And(r, new(big.Int).SetUint64(^uint64(0))).Uint64()
	if kind == '4' {
		return []uint64{0xFFFFFFFF, 1 << 28, top32, 1 << 31}
	}
	return []uint64{0xFFFFFFFF, 1 << 28, 1 << 40, 1 << 62, ^uint64(0), top64, low64}
}

func encode(kind byte, v uint64) []byte {
	if kind == '4' {
		return binary.BigEndian.AppendUint32(nil, uint32(v))
	}
	return binary.BigEndian.AppendUint64(nil, v)
}

func get(b []byte, f keyField) uint64 {
	if f.kind == '4' {
		return uint64(binary.BigEndian.Uint32(b[f.off:]))
	}
	return binary.BigEndian.Uint64(b[f.off:])
}

// hostileCases lists hostile variants of a real raw key: each length or count field set to
// hostile values and to its real value ±1, a truncation at and inside every field, a trailing
// byte, compressed and infinity flags on a point, and for the proving key a huge FFT domain with
// precomputation on (gnark-crypto then builds tables of that size), non-bool flag bytes, an
// inconsistent InfinityA, and a commitment key with a 0xFFFFFFFF basis length.
func hostileCases(key string, raw []byte, fields []keyField) []hostileCase {
	var cs []hostileCase
	add := func(name string, at int, patch []byte, cut int) {
		cs = append(cs, hostileCase{key + ": " + name, key, at, patch, cut})
	}
	for _, f := range fields {
		if f.kind != '4' && f.kind != '8' {
			continue
		}
		real := get(raw, f)
		values := append(hostileValues(f.kind), real+1)
		if real > 0 {
			values = append(values, real-1)
		}
		for _, v := range values {
			add(fmt.Sprintf("%s = %#x", f.name, v), f.off, encode(f.kind, v), -1)
		}
	}
	for _, f := range fields {
		add(fmt.Sprintf("truncated before %s (%d bytes)", f.name, f.off), 0, nil, f.off)
		if f.size > 1 {
			add(fmt.Sprintf("truncated inside %s (%d bytes)", f.name, f.off+f.size/2), 0, nil, f.off+f.size/2)
		}
	}
	add("one byte short", 0, nil, len(raw)-1)
	add("trailing byte", len(raw), []byte{0}, -1)
	add("trailing 0xFFFFFFFF", len(raw), []byte{0xff, 0xff, 0xff, 0xff}, -1)
	var point keyField
	for _, f := range fields {
		if f.kind == 'p' {
			point = f
			break
		}
	}
	add("compressed flag on "+point.name, point.off, []byte{raw[point.off] | 0x80}, -1)
	add("infinity flag on "+point.name, point.off, []byte{raw[point.off] | 0x40}, -1)
	switch key {
	case "vk":
		k := field(fields, "len(G1.K)")
		add("len(G1.K) = 0xFFFFFFFF followed by one point", k.off, encode('4', 0xFFFFFFFF), k.off+4+64)
		pc := field(fields, "len(PublicAndCommitmentCommitted)")
		// one list of 2^32−1 uint64s (32 GiB), then nbCommitments
		add("PublicAndCommitmentCommitted = [[0xFFFFFFFF uint64s]]", pc.off, bytes.Join([][]byte{encode('4', 1), encode('4', 0xFFFFFFFF), encode('4', 0)}, nil), -1)
	case "pk":
		card := field(fields, "Domain.Cardinality")
		pre := field(fields, "Domain.withPrecompute")
		for _, v := range []uint64{1 << 30, 1 << 40, 2 * get(raw, card)} {
			domain := bytes.Clone(raw[:pre.off+1])
			binary.BigEndian.PutUint64(domain[card.off:], v)
			domain[pre.off] = 1
			add(fmt.Sprintf("Domain.Cardinality = %#x with precomputation", v), 0, domain, -1)
		}
		add("Domain.withPrecompute = 2", pre.off, []byte{2}, -1)
		inf := field(fields, "InfinityA")
		add("InfinityA[0] = 2", inf.off, []byte{2}, -1)
		add("InfinityA[0] flipped", inf.off, []byte{raw[inf.off] ^ 1}, -1)
		nc := field(fields, "nbCommitments")
		// one pedersen.ProvingKey whose Basis claims 2^32−1 points
		add("nbCommitments = 1 followed by a 0xFFFFFFFF basis", nc.off, bytes.Join([][]byte{encode('4', 1), encode('4', 0xFFFFFFFF)}, nil), -1)
	}
	return cs
}
