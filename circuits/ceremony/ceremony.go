package ceremony

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	groth16bn254 "github.com/consensys/gnark/backend/groth16/bn254"
	"github.com/consensys/gnark/backend/groth16/bn254/mpcsetup"
	cs "github.com/consensys/gnark/constraint/bn254"

	"agegate.dev/circuits/zk"
)

// Result is what Verify and Seal establish about a ceremony directory.
type Result struct {
	Transcript *Transcript
	// Phase1Contributions and Phase2Contributions count the verified contributions.
	Phase1Contributions, Phase2Contributions int
	// Fingerprint is zk.Fingerprint of the sealed verifying key, "" while phase 2 is open.
	Fingerprint string
	PK          *groth16bn254.ProvingKey
	VK          *groth16bn254.VerifyingKey
}

// guard runs f, turning a panic in gnark (which assumes well-formed input) into an error.
func guard(what string, f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: malformed (%v)", what, r)
		}
	}()
	return f()
}

func decode(what string, v io.ReaderFrom, b []byte) error {
	return guard(what, func() error {
		n, err := v.ReadFrom(bytes.NewReader(b))
		if err != nil {
			return fmt.Errorf("%s: %v", what, err)
		}
		if n != int64(len(b)) {
			return fmt.Errorf("%s: %d trailing bytes", what, int64(len(b))-n)
		}
		return nil
	})
}

func encode(v io.WriterTo) []byte {
	var buf bytes.Buffer
	if _, err := v.WriteTo(&buf); err != nil {
		panic(err) // writing to a bytes.Buffer cannot fail
	}
	return buf.Bytes()
}

func sum(b []byte) string {
	d := sha256.Sum256(b)
	return hex.EncodeToString(d[:])
}

// readEntry reads one listed file, checks its hash against the transcript and its framing
// against the circuit; it does not decode it.
func readEntry(dir string, e Entry, i int, s shape) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(e.File)))
	if err != nil {
		return nil, err
	}
	if got := sum(b); got != e.SHA256 {
		return nil, fmt.Errorf("%s: its SHA-256 is %s, the transcript lists %s (altered or replaced)", e.File, got, e.SHA256)
	}
	c := hashSize
	if i == 0 {
		c = 0
	}
	if filepath.Dir(filepath.FromSlash(e.File)) == Phase1Dir {
		err = checkPhase1Frame(e.File, b, s.domain, c)
	} else {
		err = checkPhase2Frame(e.File, b, s, c)
	}
	if err != nil {
		return nil, err
	}
	if i > 0 && hex.EncodeToString(b[len(b)-hashSize:]) != e.Challenge {
		return nil, fmt.Errorf("%s: carries challenge %x, the transcript lists %s", e.File, b[len(b)-hashSize:], e.Challenge)
	}
	return b, nil
}

// checkNoStrayFiles refuses files in a phase directory that the transcript does not list, so
// no one can leave a branch of the ceremony beside the one verified.
func checkNoStrayFiles(dir, phase string, p *Phase) error {
	listed := map[string]bool{}
	if p != nil {
		for _, e := range p.Files {
			listed[e.File] = true
		}
	}
	ents, err := os.ReadDir(filepath.Join(dir, phase))
	if errors.Is(err, os.ErrNotExist) && p == nil {
		return nil
	}
	if err != nil {
		return err
	}
	for _, de := range ents {
		if name := phase + "/" + de.Name(); !listed[name] {
			return fmt.Errorf("%s is not in the transcript (a stray or unrecorded contribution)", name)
		}
	}
	return nil
}

// initialPhase1 is the encoding of mpcsetup.NewPhase1(n): phase1/0000.bin.
func initialPhase1(n uint64) []byte { return encode(mpcsetup.NewPhase1(n)) }

func compiledR1CS() (*cs.R1CS, error) {
	ccs, err := zk.Compile()
	if err != nil {
		return nil, err
	}
	r, ok := ccs.(*cs.R1CS)
	if !ok {
		return nil, fmt.Errorf("the compiled circuit is a %T, not a BN254 R1CS", ccs)
	}
	return r, nil
}

// Init creates a ceremony in dir (created if missing, refused if it already holds one):
// phase1/0000.bin for the circuit's domain and the transcript.
func Init(dir string) (*Transcript, error) {
	s, err := circuitShape()
	if err != nil {
		return nil, err
	}
	id, err := zk.CircuitID()
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(dir, TranscriptFile)); err == nil {
		return nil, fmt.Errorf("%s already holds a ceremony", dir)
	}
	if err := os.MkdirAll(filepath.Join(dir, Phase1Dir), 0o755); err != nil {
		return nil, err
	}
	if err := checkNoStrayFiles(dir, Phase1Dir, &Phase{}); err != nil {
		return nil, err
	}
	b := initialPhase1(s.domain)
	name := fileName(Phase1Dir, 0)
	if err := zk.WriteFileAtomic(filepath.Join(dir, filepath.FromSlash(name)), b, 0o644); err != nil {
		return nil, err
	}
	t := &Transcript{Type: transcriptType, Version: transcriptVersion, CircuitID: id, DomainSize: s.domain,
		Phase1: Phase{Files: []Entry{{File: name, SHA256: sum(b)}}}}
	return t, t.save(dir)
}

// Contribute adds one contribution with fresh randomness from crypto/rand (drawn inside
// gnark's Contribute, never stored) to the open phase, after checking that the last file has
// the hash the transcript lists and verifies against its predecessor (phase1/0000.bin: that it
// is the initial file; phase2/0000.bin is checked only by Verify, which re-derives it). It
// writes the next file, then the transcript, each atomically, and returns the new entry; its
// SHA256 is the hash the contributor publishes.
func Contribute(dir, name string) (Entry, error) {
	if err := checkName(name); err != nil {
		return Entry{}, err
	}
	s, err := circuitShape()
	if err != nil {
		return Entry{}, err
	}
	t, _, err := readTranscript(dir, s)
	if err != nil {
		return Entry{}, err
	}
	phase, p := Phase1Dir, &t.Phase1
	switch {
	case t.Phase2 != nil && t.Phase2.Beacon != "":
		return Entry{}, errors.New("the ceremony is sealed: its phase-2 beacon was applied")
	case t.Phase2 != nil:
		phase, p = Phase2Dir, t.Phase2
	}
	if err := checkNoStrayFiles(dir, phase, p); err != nil {
		return Entry{}, err
	}
	last := len(p.Files) - 1
	b, err := readEntry(dir, p.Files[last], last, s)
	if err != nil {
		return Entry{}, err
	}
	names := []string{"", p.Files[last].File}
	files := [][]byte{nil, b}
	if last > 0 {
		prevBytes, err := readEntry(dir, p.Files[last-1], last-1, s)
		if err != nil {
			return Entry{}, err
		}
		names[0], files[0] = p.Files[last-1].File, prevBytes
	}
	var next io.WriterTo
	if phase == Phase1Dir {
		cur := mpcsetup.NewPhase1(s.domain)
		if last == 0 && !bytes.Equal(b, initialPhase1(s.domain)) {
			return Entry{}, fmt.Errorf("%s is not the initial phase-1 file for domain %d", p.Files[0].File, s.domain)
		}
		if last > 0 {
			if cur, err = extends(names, files, func() *mpcsetup.Phase1 { return new(mpcsetup.Phase1) }); err != nil {
				return Entry{}, err
			}
		}
		if err := guard("contribution", func() error { cur.Contribute(); return nil }); err != nil {
			return Entry{}, err
		}
		next = cur
	} else {
		cur := new(mpcsetup.Phase2)
		if last == 0 {
			err = decode(p.Files[0].File, cur, b)
		} else {
			cur, err = extends(names, files, func() *mpcsetup.Phase2 { return new(mpcsetup.Phase2) })
		}
		if err != nil {
			return Entry{}, err
		}
		if err := guard("contribution", func() error { cur.Contribute(); return nil }); err != nil {
			return Entry{}, err
		}
		next = cur
	}
	out := encode(next)
	e := Entry{File: fileName(phase, last+1), SHA256: sum(out), Challenge: p.Files[last].SHA256, Name: name}
	path := filepath.Join(dir, filepath.FromSlash(e.File))
	if _, err := os.Stat(path); err == nil {
		return Entry{}, fmt.Errorf("%s already exists", e.File)
	}
	if err := zk.WriteFileAtomic(path, out, 0o644); err != nil {
		return Entry{}, err
	}
	p.Files = append(p.Files, e)
	return e, t.save(dir)
}

// verifier is a phase object of mpcsetup.
type verifier[T any] interface {
	io.ReaderFrom
	io.WriterTo
	Verify(next T) error
}

// extends decodes files[0] and files[1] (concurrently) and checks with mpcsetup's Verify that
// the second extends the first; it returns the second.
func extends[T verifier[T]](names []string, files [][]byte, mk func() T) (T, error) {
	get, stop := decodeAhead(names, files, 0, mk)
	defer stop()
	var zero T
	prev, err := get(0)
	if err != nil {
		return zero, err
	}
	next, err := get(1)
	if err != nil {
		return zero, err
	}
	if err := guard(names[1], func() error { return prev.Verify(next) }); err != nil {
		return zero, fmt.Errorf("%s does not extend %s: %v", names[1], names[0], err)
	}
	return next, nil
}

// state is a ceremony directory whose files have been read, hashed and framed.
type state struct {
	dir   string
	s     shape
	t     *Transcript
	raw   []byte   // transcript.json as read
	files [][]byte // phase 1 then phase 2, in transcript order
}

func load(dir string) (*state, error) {
	s, err := circuitShape()
	if err != nil {
		return nil, err
	}
	t, raw, err := readTranscript(dir, s)
	if err != nil {
		return nil, err
	}
	st := &state{dir: dir, s: s, t: t, raw: raw}
	if err := checkNoStrayFiles(dir, Phase1Dir, &t.Phase1); err != nil {
		return nil, err
	}
	if err := checkNoStrayFiles(dir, Phase2Dir, t.Phase2); err != nil {
		return nil, err
	}
	for _, p := range []*Phase{&t.Phase1, t.Phase2} {
		if p == nil {
			continue
		}
		for i, e := range p.Files {
			b, err := readEntry(dir, e, i, s)
			if err != nil {
				return nil, err
			}
			st.files = append(st.files, b)
		}
	}
	return st, nil
}

// verifyPhase1 re-runs mpcsetup.VerifyPhase1 file by file (VerifyPhase1 is this loop of
// Verify then Seal, phase1.go), so a failure names its file. With a beacon it returns the
// sealed SRS; without, the last contribution.
func (st *state) verifyPhase1(beacon []byte) (*mpcsetup.SrsCommons, *mpcsetup.Phase1, error) {
	files := st.t.Phase1.Files
	if !bytes.Equal(st.files[0], initialPhase1(st.s.domain)) {
		return nil, nil, fmt.Errorf("%s is not the initial phase-1 file for domain %d", files[0].File, st.s.domain)
	}
	prev := mpcsetup.NewPhase1(st.s.domain)
	names := entryNames(files)
	get, stop := decodeAhead(names, st.files[:len(files)], 1, func() *mpcsetup.Phase1 { return new(mpcsetup.Phase1) })
	defer stop()
	for i := 1; i < len(files); i++ {
		next, err := get(i)
		if err != nil {
			return nil, nil, err
		}
		if err := guard(files[i].File, func() error { return prev.Verify(next) }); err != nil {
			return nil, nil, fmt.Errorf("%s does not extend %s: %v", files[i].File, files[i-1].File, err)
		}
		prev = next
	}
	if beacon == nil {
		return nil, prev, nil
	}
	derived.Lock()
	hit := derived.key == derivedKey(st.files[len(files)-1], beacon)
	c := derived.commons
	derived.Unlock()
	if hit {
		return c, nil, nil
	}
	var commons mpcsetup.SrsCommons
	err := guard("phase-1 seal", func() error { commons = prev.Seal(beacon); return nil })
	return &commons, nil, err
}

func entryNames(es []Entry) []string {
	n := make([]string, len(es))
	for i, e := range es {
		n[i] = e.File
	}
	return n
}

// phase2Initial returns phase2/0000.bin and the evaluations Seal needs, for the SRS that the
// last phase-1 file sealed with beacon gives. A non-nil listed (phase2/0000.bin as found) is
// first compared on its Z points, which is cheap, and refused on a mismatch.
func (st *state) phase2Initial(commons *mpcsetup.SrsCommons, beacon, listed []byte) ([]byte, *mpcsetup.Phase2Evaluations, error) {
	key := derivedKey(st.files[len(st.t.Phase1.Files)-1], beacon)
	derived.Lock()
	defer derived.Unlock()
	if derived.key == key {
		return derived.initial, cloneEvals(derived.evals), nil
	}
	if listed != nil && !checkZ(listed, st.s, commons) {
		return nil, nil, errWrongInitial(st.t.Phase2.Files[0].File)
	}
	r1cs, err := compiledR1CS()
	if err != nil {
		return nil, nil, err
	}
	p := new(mpcsetup.Phase2)
	var evals mpcsetup.Phase2Evaluations
	if err := guard("phase-2 initialisation", func() error { evals = p.Initialize(r1cs, commons); return nil }); err != nil {
		return nil, nil, err
	}
	derived.key, derived.commons, derived.initial, derived.evals = key, commons, encode(p), cloneEvals(&evals)
	return derived.initial, &evals, nil
}

func errWrongInitial(name string) error {
	return fmt.Errorf("%s is not what phase 1 sealed with its beacon gives for this circuit (wrong beacon, or a beacon applied twice?)", name)
}

// verify checks everything the directory holds; sealing (phase 1 with beacon1 when phase 2
// is not yet open, phase 2 with beacon2) is applied only for a non-nil beacon argument.
func (st *state) verify(beacon1, beacon2 []byte) (*Result, *mpcsetup.SrsCommons, *mpcsetup.Phase2, *mpcsetup.Phase2Evaluations, error) {
	t := st.t
	res := &Result{Transcript: t, Phase1Contributions: len(t.Phase1.Files) - 1}
	if beacon1 == nil && t.Phase1.Beacon != "" {
		beacon1, _ = hex.DecodeString(t.Phase1.Beacon)
	}
	commons, _, err := st.verifyPhase1(beacon1)
	if err != nil || commons == nil {
		return res, nil, nil, nil, err
	}
	if t.Phase2 == nil {
		return res, commons, nil, nil, nil
	}
	files := t.Phase2.Files
	res.Phase2Contributions = len(files) - 1
	n1 := len(t.Phase1.Files)
	initial, evals, err := st.phase2Initial(commons, beacon1, st.files[n1])
	if err != nil {
		return nil, nil, nil, nil, err
	}
	if !bytes.Equal(initial, st.files[n1]) {
		return nil, nil, nil, nil, errWrongInitial(files[0].File)
	}
	prev := new(mpcsetup.Phase2)
	if err := decode(files[0].File, prev, initial); err != nil {
		return nil, nil, nil, nil, err
	}
	get, stop := decodeAhead(entryNames(files), st.files[n1:], 1, func() *mpcsetup.Phase2 { return new(mpcsetup.Phase2) })
	defer stop()
	for i := 1; i < len(files); i++ {
		next, err := get(i)
		if err != nil {
			return nil, nil, nil, nil, err
		}
		if err := guard(files[i].File, func() error { return prev.Verify(next) }); err != nil {
			return nil, nil, nil, nil, fmt.Errorf("%s does not extend %s: %v", files[i].File, files[i-1].File, err)
		}
		prev = next
	}
	if beacon2 == nil && t.Phase2.Beacon != "" {
		beacon2, _ = hex.DecodeString(t.Phase2.Beacon)
	}
	if beacon2 != nil {
		if err := guard("phase-2 seal", func() error {
			pk, vk := prev.Seal(commons, evals, beacon2)
			res.PK, res.VK = pk.(*groth16bn254.ProvingKey), vk.(*groth16bn254.VerifyingKey)
			return nil
		}); err != nil {
			return nil, nil, nil, nil, err
		}
		res.Fingerprint = zk.Fingerprint(zk.MarshalVerifyingKey(res.VK))
		if t.VKFingerprint != "" && t.VKFingerprint != res.Fingerprint {
			return nil, nil, nil, nil, fmt.Errorf("the sealed verifying key's fingerprint is %s, the transcript lists %s (wrong beacon?)", res.Fingerprint, t.VKFingerprint)
		}
	}
	return res, commons, prev, evals, nil
}

// StartPhase2 verifies phase 1, seals it with beacon (applied once: refused if phase 1 is
// already sealed) and writes phase2/0000.bin, the circuit's initial phase-2 parameters.
func StartPhase2(dir string, beacon []byte) (Entry, error) {
	if len(beacon) < MinBeaconBytes {
		return Entry{}, fmt.Errorf("beacon is %d bytes, at least %d needed", len(beacon), MinBeaconBytes)
	}
	st, err := load(dir)
	if err != nil {
		return Entry{}, err
	}
	if st.t.Phase1.Beacon != "" || st.t.Phase2 != nil {
		return Entry{}, errors.New("phase 1 is already sealed: its beacon was applied, it is not applied twice")
	}
	if len(st.t.Phase1.Files) < 2 {
		return Entry{}, errors.New("phase 1 has no contribution yet: sealing it now would give keys anyone can forge")
	}
	_, commons, _, _, err := st.verify(beacon, nil)
	if err != nil {
		return Entry{}, err
	}
	b, _, err := st.phase2Initial(commons, beacon, nil)
	if err != nil {
		return Entry{}, err
	}
	if err := os.MkdirAll(filepath.Join(dir, Phase2Dir), 0o755); err != nil {
		return Entry{}, err
	}
	if err := checkNoStrayFiles(dir, Phase2Dir, &Phase{}); err != nil {
		return Entry{}, err
	}
	e := Entry{File: fileName(Phase2Dir, 0), SHA256: sum(b)}
	if err := zk.WriteFileAtomic(filepath.Join(dir, filepath.FromSlash(e.File)), b, 0o644); err != nil {
		return Entry{}, err
	}
	st.t.Phase1.Beacon = hex.EncodeToString(beacon)
	st.t.Phase2 = &Phase{Files: []Entry{e}}
	return e, st.t.save(dir)
}

// Seal verifies the whole ceremony, applies beacon to phase 2 (once: refused if already
// sealed), records the verifying key's fingerprint in the transcript and writes keyDir/pk.bin,
// vk.bin, circuit-id (zk.SaveKeys) and a copy of the transcript.
func Seal(dir string, beacon []byte, keyDir string) (*Result, error) {
	if len(beacon) < MinBeaconBytes {
		return nil, fmt.Errorf("beacon is %d bytes, at least %d needed", len(beacon), MinBeaconBytes)
	}
	st, err := load(dir)
	if err != nil {
		return nil, err
	}
	switch {
	case st.t.Phase2 == nil:
		return nil, errors.New("phase 2 is not open: run phase2 first")
	case st.t.Phase2.Beacon != "":
		return nil, errors.New("the ceremony is already sealed: its phase-2 beacon was applied, it is not applied twice")
	case len(st.t.Phase2.Files) < 2:
		return nil, errors.New("phase 2 has no contribution yet: sealing it now would give keys anyone can forge")
	case hex.EncodeToString(beacon) == st.t.Phase1.Beacon:
		return nil, errors.New("the phase-2 beacon equals phase 1's: use a fresh public value fixed after the last contribution")
	}
	res, _, _, _, err := st.verify(nil, beacon)
	if err != nil {
		return nil, err
	}
	st.t.Phase2.Beacon = hex.EncodeToString(beacon)
	st.t.VKFingerprint = res.Fingerprint
	if err := st.t.save(dir); err != nil {
		return nil, err
	}
	if err := zk.SaveKeys(keyDir, res.PK, res.VK); err != nil {
		return nil, err
	}
	if err := zk.WriteFileAtomic(filepath.Join(keyDir, TranscriptFile), st.t.marshal(), 0o644); err != nil {
		return nil, err
	}
	return res, nil
}

// Verify re-checks a ceremony directory from its files alone: the transcript, every file's
// hash and framing, phase1/0000.bin is the initial file, each contribution verifies against its
// predecessor in order (mpcsetup Phase1.Verify / Phase2.Verify), phase2/0000.bin is exactly what
// phase 1 sealed with its beacon gives for this circuit, and a sealed ceremony's keys have the
// recorded fingerprint. With keyDir non-empty the ceremony must be sealed and keyDir's pk.bin,
// vk.bin, circuit-id and transcript.json must be byte for byte what it produces.
func Verify(dir, keyDir string) (*Result, error) {
	st, err := load(dir)
	if err != nil {
		return nil, err
	}
	res, _, _, _, err := st.verify(nil, nil)
	if err != nil {
		return nil, err
	}
	if keyDir == "" {
		return res, nil
	}
	if res.VK == nil {
		return nil, errors.New("the ceremony is not sealed: it has no keys to compare")
	}
	id, err := zk.CircuitID()
	if err != nil {
		return nil, err
	}
	for _, f := range []struct {
		name string
		want []byte
	}{
		{zk.VerifyingKeyFile, zk.MarshalVerifyingKey(res.VK)},
		{zk.ProvingKeyFile, zk.MarshalProvingKey(res.PK)},
		{zk.CircuitIDFile, []byte(id + "\n")},
		{TranscriptFile, st.raw},
	} {
		got, err := os.ReadFile(filepath.Join(keyDir, f.name))
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(got, f.want) {
			if f.name == zk.VerifyingKeyFile {
				return nil, fmt.Errorf("%s: fingerprint %s, the ceremony's key is %s", filepath.Join(keyDir, f.name), zk.Fingerprint(got), res.Fingerprint)
			}
			return nil, fmt.Errorf("%s is not what the ceremony produces", filepath.Join(keyDir, f.name))
		}
	}
	return res, nil
}
