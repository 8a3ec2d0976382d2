package zk

import (
	"encoding/binary"
	"fmt"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
)

// Keys can come from untrusted places (a downloaded pk.bin, a vk.bin an operator was handed),
// and gnark's decoders size each slice from the length prefix they read: a prefix of 2^32−1
// makes Go allocate 256 GiB, a fatal error that no recover catches. So before any byte reaches
// a decoder, the framing below walks the encoding exactly as gnark v0.16.0 and gnark-crypto
// v0.21.0 read it, checks every length and count against the one the compiled circuit implies,
// and checks the fields fill the input exactly. It allocates nothing.
//
// Only gnark's raw (uncompressed) encoding, the one MarshalVerifyingKey and MarshalProvingKey
// write, is accepted. gnark's decoder chooses a point's size (32/64 or 64/128 bytes) from the
// two flag bits of its first byte; requiring the uncompressed flag (00) on every point fixes
// the offset of every later field, so the decoder reads the same prefixes this walk checked.

const (
	g1Size = bn254.SizeOfG1AffineUncompressed // 64
	g2Size = bn254.SizeOfG2AffineUncompressed // 128
	// bn254's flag bits (gnark-crypto ecc/bn254/marshal.go, mMask); 00 is uncompressed.
	pointFlags = 0b11 << 6
)

// VerifyingKeySize is the length of a raw verifying key of this circuit: α₁, β₁, β₂, γ₂, δ₁,
// δ₂, then K (a uint32 count and NbPublic+1 points: one per public input and one for the
// constant wire), an empty PublicAndCommitmentCommitted (uint32 0) and no commitment keys
// (uint32 0). gnark v0.16.0 groth16/bn254 VerifyingKey.writeTo (marshal.go:103-148).
const VerifyingKeySize = 3*g1Size + 3*g2Size + 4 + (NbPublic+1)*g1Size + 4 + 4

// frame reads a raw key encoding field by field, without decoding or allocating.
type frame struct {
	what string // "verifying key" or "proving key", for errors
	b    []byte
	off  int
}

func (f *frame) errorf(field, format string, a ...any) error {
	return fmt.Errorf("%s: %s (byte %d): %s", f.what, field, f.off, fmt.Sprintf(format, a...))
}

// take consumes n bytes, refusing to run past the end.
func (f *frame) take(field string, n uint64) ([]byte, error) {
	if left := uint64(len(f.b) - f.off); n > left {
		return nil, f.errorf(field, "needs %d bytes, %d left", n, left)
	}
	s := f.b[f.off : f.off+int(n)]
	f.off += int(n)
	return s, nil
}

func (f *frame) uint32(field string) (uint64, error) {
	b, err := f.take(field, 4)
	if err != nil {
		return 0, err
	}
	return uint64(binary.BigEndian.Uint32(b)), nil
}

func (f *frame) uint64(field string) (uint64, error) {
	b, err := f.take(field, 8)
	if err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint64(b), nil
}

// points consumes n uncompressed points of size bytes each (n is already bounded by the circuit).
func (f *frame) points(field string, n uint64, size int) error {
	start := f.off
	b, err := f.take(field, n*uint64(size))
	if err != nil {
		return err
	}
	for i := 0; i < len(b); i += size {
		if b[i]&pointFlags != 0 {
			f.off = start + i
			return f.errorf(field, "point %d is not in the raw (uncompressed) encoding", i/size)
		}
	}
	return nil
}

// slice consumes a uint32 length prefix and that many points, refusing a length above limit (or
// other than limit when exact): the check gnark-crypto's Decoder does not make before make().
func (f *frame) slice(field string, size int, limit uint64, exact bool) (uint64, error) {
	n, err := f.uint32("len(" + field + ")")
	if err != nil {
		return 0, err
	}
	if n > limit || (exact && n != limit) {
		f.off -= 4
		want := "exactly"
		if !exact {
			want = "at most"
		}
		return 0, f.errorf("len("+field+")", "%d, the circuit needs %s %d", n, want, limit)
	}
	return n, f.points(field, n, size)
}

// zero consumes a uint32 count that must be 0 (commitments, which this circuit has none of).
func (f *frame) zero(field string) error {
	n, err := f.uint32(field)
	if err != nil {
		return err
	}
	if n != 0 {
		f.off -= 4
		return f.errorf(field, "%d, the circuit has none (plain Groth16)", n)
	}
	return nil
}

// bools consumes InfinityA or InfinityB: one byte per wire, each 0 or 1 (binary.Read would take
// any non-zero byte as true), with exactly count ones.
func (f *frame) bools(field string, n, count uint64) error {
	start := f.off
	b, err := f.take(field, n)
	if err != nil {
		return err
	}
	var ones uint64
	for i, x := range b {
		if x > 1 {
			f.off = start + i
			return f.errorf(field, "byte %d is %d, not a bool (0 or 1)", i, x)
		}
		ones += uint64(x)
	}
	if ones != count {
		return f.errorf(field, "%d wires at infinity, the key's count says %d", ones, count)
	}
	return nil
}

func (f *frame) end() error {
	if f.off != len(f.b) {
		return f.errorf("end", "%d trailing bytes", len(f.b)-f.off)
	}
	return nil
}

// checkVerifyingKeyFrame refuses a raw verifying key unless it is VerifyingKeySize bytes laid out
// as gnark v0.16.0's VerifyingKey.readFrom (groth16/bn254/marshal.go:165-226) reads them, with
// every count the one of this circuit.
func checkVerifyingKeyFrame(raw []byte) error {
	if len(raw) != VerifyingKeySize {
		return fmt.Errorf("verifying key: %d bytes, want %d (the raw encoding for %d public inputs, no commitments)", len(raw), VerifyingKeySize, NbPublic)
	}
	f := &frame{what: "verifying key", b: raw}
	for _, p := range []struct {
		name string
		size int
	}{{"G1.Alpha", g1Size}, {"G1.Beta", g1Size}, {"G2.Beta", g2Size}, {"G2.Gamma", g2Size}, {"G1.Delta", g1Size}, {"G2.Delta", g2Size}} {
		if err := f.points(p.name, 1, p.size); err != nil {
			return err
		}
	}
	if _, err := f.slice("G1.K", g1Size, NbPublic+1, true); err != nil {
		return err
	}
	// [][]uint64 (marshal.go:186, gnark-crypto Decoder *[][]uint64): a uint32 count of lists.
	if err := f.zero("len(PublicAndCommitmentCommitted)"); err != nil {
		return err
	}
	if err := f.zero("nbCommitments"); err != nil {
		return err
	}
	return f.end()
}

// provingKeyShape is what the compiled circuit implies for its proving key.
type provingKeyShape struct {
	cardinality uint64 // FFT domain: the next power of two ≥ the number of constraints
	wires       uint64 // internal + secret + public
	public      uint64 // public wires, the constant one included
}

func compiledProvingKeyShape() (provingKeyShape, error) {
	ccs, err := Compile()
	if err != nil {
		return provingKeyShape{}, err
	}
	internal, secret, public := ccs.GetNbVariables()
	return provingKeyShape{
		cardinality: ecc.NextPowerOfTwo(uint64(ccs.GetNbConstraints())),
		wires:       uint64(internal + secret + public),
		public:      uint64(public),
	}, nil
}

// checkProvingKeyFrame refuses a raw proving key unless its framing, read in the order of
// gnark v0.16.0's ProvingKey.readFrom (groth16/bn254/marshal.go:315-373), is the one gnark's
// Setup (setup.go:75-331) and mpcsetup's Seal produce for a circuit of shape s without
// commitments, and it fills raw exactly.
func checkProvingKeyFrame(raw []byte, s provingKeyShape) error {
	f := &frame{what: "proving key", b: raw}
	// fft.Domain.ReadFrom (gnark-crypto fr/fft/domain.go:381-418): uint64 Cardinality, five fr
	// elements (refused by gnark if ≥ r), one bool; with that bool set it precomputes tables of
	// Cardinality elements, on other goroutines.
	card, err := f.uint64("Domain.Cardinality")
	if err != nil {
		return err
	}
	if card != s.cardinality {
		f.off -= 8
		return f.errorf("Domain.Cardinality", "%d, the circuit's domain is %d", card, s.cardinality)
	}
	if _, err := f.take("Domain elements", 5*fr.Bytes); err != nil {
		return err
	}
	pre, err := f.take("Domain.withPrecompute", 1)
	if err != nil {
		return err
	}
	if pre[0] > 1 {
		f.off--
		return f.errorf("Domain.withPrecompute", "%d, not a bool", pre[0])
	}
	for _, name := range []string{"G1.Alpha", "G1.Beta", "G1.Delta"} {
		if err := f.points(name, 1, g1Size); err != nil {
			return err
		}
	}
	// A and B leave out the wires whose point is at infinity (setup.go:195-219).
	nA, err := f.slice("G1.A", g1Size, s.wires, false)
	if err != nil {
		return err
	}
	nB, err := f.slice("G1.B", g1Size, s.wires, false)
	if err != nil {
		return err
	}
	// deg H = n−2, so n−1 points (setup.go:248).
	if _, err := f.slice("G1.Z", g1Size, s.cardinality-1, true); err != nil {
		return err
	}
	// One point per private wire (setup.go:98, 256).
	if _, err := f.slice("G1.K", g1Size, s.wires-s.public, true); err != nil {
		return err
	}
	for _, name := range []string{"G2.Beta", "G2.Delta"} {
		if err := f.points(name, 1, g2Size); err != nil {
			return err
		}
	}
	if _, err := f.slice("G2.B", g2Size, nB, true); err != nil {
		return err
	}
	// uint64 nbWires; readFrom makes InfinityA and InfinityB of this length (marshal.go:347-348).
	wires, err := f.uint64("nbWires")
	if err != nil {
		return err
	}
	if wires != s.wires {
		f.off -= 8
		return f.errorf("nbWires", "%d, the circuit has %d", wires, s.wires)
	}
	// The prover makes slices of nbWires − NbInfinity elements and walks InfinityA/B to fill them,
	// on its own goroutines (prove.go:147-168): the counts must agree with A, B and the bools.
	infA, err := f.uint64("NbInfinityA")
	if err != nil {
		return err
	}
	if infA != s.wires-nA {
		f.off -= 8
		return f.errorf("NbInfinityA", "%d, but G1.A has %d of %d wires", infA, nA, s.wires)
	}
	infB, err := f.uint64("NbInfinityB")
	if err != nil {
		return err
	}
	if infB != s.wires-nB {
		f.off -= 8
		return f.errorf("NbInfinityB", "%d, but G1.B has %d of %d wires", infB, nB, s.wires)
	}
	if err := f.bools("InfinityA", s.wires, infA); err != nil {
		return err
	}
	if err := f.bools("InfinityB", s.wires, infB); err != nil {
		return err
	}
	// Each commitment key would follow as a pedersen.ProvingKey with its own prefixes.
	if err := f.zero("nbCommitments"); err != nil {
		return err
	}
	return f.end()
}
