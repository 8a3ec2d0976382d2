package ceremony

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"math/bits"
	"runtime"
	"slices"
	"sync"

	curve "github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark/backend/groth16/bn254/mpcsetup"
)

// decodeAhead decodes files[from:] on up to GOMAXPROCS goroutines, at most that many ahead of
// the consumer (a phase-1 object is 6 MB in memory, decoding one takes seconds: gnark-crypto
// decompresses the points one by one). get(i) waits for file i; stop must be called when done,
// so no goroutine outlives the caller.
func decodeAhead[T io.ReaderFrom](names []string, files [][]byte, from int, mk func() T) (get func(i int) (T, error), stop func()) {
	type res struct {
		v   T
		err error
	}
	out := make([]chan res, len(files))
	for i := range out {
		out[i] = make(chan res, 1)
	}
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	done := make(chan struct{})
	go func() {
		for i := from; i < len(files); i++ {
			select {
			case sem <- struct{}{}:
			case <-done:
				return
			}
			go func(i int) {
				v := mk()
				err := decode(names[i], v, files[i])
				out[i] <- res{v, err}
			}(i)
		}
	}()
	var once sync.Once
	return func(i int) (T, error) {
			r := <-out[i]
			<-sem
			return r.v, r.err
		}, func() {
			once.Do(func() { close(done) })
		}
}

// The deterministic part after phase 1, sealing it with the beacon and initialising phase 2
// for the circuit, costs about 40 s at 2^14 on two cores (mostly Phase2.Initialize's FFTs over
// curve points). Its result depends only on the last phase-1 file and the beacon, so it is
// kept for one (SHA-256 of that file, beacon) per process: Seal and Verify after StartPhase2 in
// the same process reuse it. Every other check runs again on every call.
var derived struct {
	sync.Mutex
	key     string
	commons *mpcsetup.SrsCommons
	initial []byte // phase2/0000.bin
	evals   *mpcsetup.Phase2Evaluations
}

func derivedKey(lastPhase1 []byte, beacon []byte) string {
	d := sha256.Sum256(lastPhase1)
	return hex.EncodeToString(d[:]) + "/" + hex.EncodeToString(beacon)
}

// cloneEvals copies the slices mpcsetup's Seal hands on to the keys (vk.G1.K aliases VKK).
func cloneEvals(e *mpcsetup.Phase2Evaluations) *mpcsetup.Phase2Evaluations {
	c := *e
	c.G1.A, c.G1.B, c.G1.VKK, c.G2.B = slices.Clone(e.G1.A), slices.Clone(e.G1.B), slices.Clone(e.G1.VKK), slices.Clone(e.G2.B)
	return &c
}

// checkZ compares the Z points of a phase2/0000.bin (framed by checkPhase2Frame) with the
// ones the sealed SRS gives: Z[i] = [τⁱ⁺ᴺ − τⁱ]₁ for i < N−1, in bit-reversed order
// (Phase2.Initialize, phase2.go:254-261). It costs N point subtractions, so a wrong beacon is
// refused before the 30-second initialisation; a match proves nothing on its own.
func checkZ(b []byte, s shape, commons *mpcsetup.SrsCommons) bool {
	n := int(s.domain)
	z := make([]curve.G1Affine, n)
	for i := 0; i < n-1; i++ {
		z[i].Sub(&commons.G1.Tau[i+n], &commons.G1.Tau[i])
	}
	shift := 64 - uint(bits.TrailingZeros(uint(n)))
	for i := 0; i < n; i++ {
		if j := int(bits.Reverse64(uint64(i)) >> shift); i < j {
			z[i], z[j] = z[j], z[i]
		}
	}
	off := 2 + g1c + 4 + int(s.private)*g1c + 4
	for i := 0; i < n-1; i++ {
		enc := z[i].Bytes()
		if string(enc[:]) != string(b[off+i*g1c:off+(i+1)*g1c]) {
			return false
		}
	}
	return true
}
