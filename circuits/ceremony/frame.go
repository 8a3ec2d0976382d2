package ceremony

import (
	"encoding/binary"
	"fmt"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254"

	"agegate.dev/circuits/zk"
)

// mpcsetup's ReadFrom sizes its slices from the file: SrsCommons.ReadFrom (gnark v0.16.0
// mpcsetup/marshal.go:192-207) calls setContributionsZero(N) (phase1.go) with the uint64 N it
// read, allocating 4N−1 G1 and N G2 points, and Phase2.ReadFrom (marshal.go:117-153) makes
// slices of the uint16 commitment count and of the uint32 lengths of PKK and Z (gnark-crypto
// bn254 Decoder). A hostile N is a fatal out-of-memory error that no recover catches, so every
// such field is checked here first, against the domain and the compiled circuit.
//
// gnark-crypto's decoder picks each point's size (compressed 32/64 bytes or raw 64/128) from
// the two flag bits of its first byte; mpcsetup writes compressed points (curve.NewEncoder's
// default), and requiring a compressed flag (10, 11, or 01 for infinity) on every point fixes
// the offset of every later field, so the decoder reads the fields this walk checked.

const (
	g1c       = bn254.SizeOfG1AffineCompressed // 32
	g2c       = bn254.SizeOfG2AffineCompressed // 64
	flagMask  = 0b11 << 6
	proofSize = g1c + g2c // mpcsetup.UpdateProof: commitment [x]₁, proof of knowledge in G2
	hashSize  = 32        // SHA-256, the challenge a contribution carries
)

// shape is what the compiled circuit implies for the phase files.
type shape struct {
	domain  uint64 // FFT domain N = next power of two ≥ constraints
	private uint64 // private wires (internal + secret): len(Phase2.Parameters.G1.PKK)
}

func circuitShape() (shape, error) {
	ccs, err := zk.Compile()
	if err != nil {
		return shape{}, err
	}
	internal, secret, _ := ccs.GetNbVariables()
	return shape{
		domain:  ecc.NextPowerOfTwo(uint64(ccs.GetNbConstraints())),
		private: uint64(internal + secret),
	}, nil
}

// phase1Size is the length of a Phase1 encoding for domain n whose challenge has c bytes:
// three proofs, N (uint64), [β]₂, [τ¹…τ²ᴺ⁻²]₁, [τ¹…τᴺ⁻¹]₂, [βτ⁰…]₁, [ατ⁰…]₁, then the
// challenge with a one-byte length (marshal.go:19-36, 157-179).
func phase1Size(n uint64, c int) uint64 {
	return 3*proofSize + 8 + g2c + (2*n-2)*g1c + (n-1)*g2c + 2*n*g1c + 1 + uint64(c)
}

// phase2Size is the length of a Phase2 encoding without commitments: uint16 count (0), [δ]₁,
// PKK (uint32 length + points), Z (uint32 length + N−1 points), [δ]₂, the δ proof, the
// challenge (marshal.go:84-114).
func phase2Size(s shape, c int) uint64 {
	return 2 + g1c + 4 + s.private*g1c + 4 + (s.domain-1)*g1c + g2c + proofSize + 1 + uint64(c)
}

type walk struct {
	what string
	b    []byte
	off  uint64
}

func (w *walk) errorf(format string, a ...any) error {
	return fmt.Errorf("%s: byte %d: %s", w.what, w.off, fmt.Sprintf(format, a...))
}

// points checks n consecutive compressed points of size bytes each; the caller has checked the
// total length, so they are all inside b.
func (w *walk) points(field string, n uint64, size int) error {
	for i := uint64(0); i < n; i++ {
		if w.b[w.off]&flagMask == 0 {
			return w.errorf("%s[%d] is not in the compressed encoding mpcsetup writes", field, i)
		}
		w.off += uint64(size)
	}
	return nil
}

func (w *walk) challenge(c int) error {
	if got := int(w.b[w.off]); got != c {
		return w.errorf("challenge of %d bytes, want %d", got, c)
	}
	w.off += 1 + uint64(c)
	return nil
}

// checkPhase1Frame refuses b unless it is a Phase1 encoding for domain n with a challenge of
// c bytes (0 for the initial file, 32 for a contribution).
func checkPhase1Frame(what string, b []byte, n uint64, c int) error {
	w := &walk{what: what, b: b}
	const nAt = 3 * proofSize
	if len(b) >= nAt+8 {
		if got := binary.BigEndian.Uint64(b[nAt:]); got != n {
			w.off = nAt
			return w.errorf("a phase-1 file for domain size %d, the ceremony's is %d", got, n)
		}
	}
	if want := phase1Size(n, c); uint64(len(b)) != want {
		return fmt.Errorf("%s: %d bytes, a phase-1 file for domain %d is %d (truncated or padded)", what, len(b), n, want)
	}
	for _, p := range []string{"proof τ", "proof α", "proof β"} {
		if err := w.points(p+" commitment", 1, g1c); err != nil {
			return err
		}
		if err := w.points(p+" proof of knowledge", 1, g2c); err != nil {
			return err
		}
	}
	w.off += 8
	for _, f := range []struct {
		name string
		n    uint64
		size int
	}{{"[β]₂", 1, g2c}, {"[τⁱ]₁", 2*n - 2, g1c}, {"[τⁱ]₂", n - 1, g2c}, {"[βτⁱ]₁", n, g1c}, {"[ατⁱ]₁", n, g1c}} {
		if err := w.points(f.name, f.n, f.size); err != nil {
			return err
		}
	}
	return w.challenge(c)
}

// checkPhase2Frame refuses b unless it is a Phase2 encoding for circuit shape s, without
// commitments, with a challenge of c bytes.
func checkPhase2Frame(what string, b []byte, s shape, c int) error {
	w := &walk{what: what, b: b}
	if len(b) >= 2 {
		if got := binary.BigEndian.Uint16(b); got != 0 {
			return w.errorf("%d commitments, the circuit has none (plain Groth16)", got)
		}
	}
	const pkkAt = 2 + g1c
	if len(b) >= pkkAt+4 {
		if got := uint64(binary.BigEndian.Uint32(b[pkkAt:])); got != s.private {
			w.off = pkkAt
			return w.errorf("a phase-2 file for a circuit with %d private wires, this one has %d", got, s.private)
		}
	}
	zAt := pkkAt + 4 + s.private*g1c
	if uint64(len(b)) >= zAt+4 {
		if got := uint64(binary.BigEndian.Uint32(b[zAt:])); got != s.domain-1 {
			w.off = zAt
			return w.errorf("a phase-2 file for domain size %d, the ceremony's is %d", got+1, s.domain)
		}
	}
	if want := phase2Size(s, c); uint64(len(b)) != want {
		return fmt.Errorf("%s: %d bytes, a phase-2 file for this circuit is %d (truncated or padded)", what, len(b), want)
	}
	w.off = 2
	if err := w.points("[δ]₁", 1, g1c); err != nil {
		return err
	}
	w.off += 4
	if err := w.points("PKK", s.private, g1c); err != nil {
		return err
	}
	w.off += 4
	for _, f := range []struct {
		name string
		n    uint64
		size int
	}{{"Z", s.domain - 1, g1c}, {"[δ]₂", 1, g2c}, {"proof δ commitment", 1, g1c}, {"proof δ proof of knowledge", 1, g2c}} {
		if err := w.points(f.name, f.n, f.size); err != nil {
			return err
		}
	}
	return w.challenge(c)
}
