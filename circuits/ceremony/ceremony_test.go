package ceremony

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"agegate.dev/circuits/internal/fixture"
	"agegate.dev/circuits/zk"
)

var (
	beacon1 = bytes.Repeat([]byte{0x11}, 32)
	beacon2 = bytes.Repeat([]byte{0x22}, 32)

	shared struct {
		once   sync.Once
		root   string // removed by TestMain
		dir    string // the sealed ceremony; tests copy it before changing anything
		keys   string
		result *Result
		err    error
	}
)

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.root != "" {
		os.RemoveAll(shared.root)
	}
	os.Exit(code)
}

// ceremony runs one 3+3-party ceremony at the circuit's real size, once per test binary.
func ceremony(t *testing.T) (dir, keys string, res *Result) {
	t.Helper()
	shared.once.Do(func() {
		shared.root, shared.err = os.MkdirTemp("", "ceremony-test")
		if shared.err != nil {
			return
		}
		shared.dir = filepath.Join(shared.root, "ceremony")
		shared.keys = filepath.Join(shared.root, "keys")
		step := func(what string, f func() error) {
			if shared.err != nil {
				return
			}
			start := time.Now()
			shared.err = f()
			t.Logf("%-22s %v", what, time.Since(start).Round(time.Millisecond))
		}
		step("init", func() error { _, err := Init(shared.dir); return err })
		for _, n := range []string{"alice", "bob", "carol"} {
			step("phase 1 contribute", func() error { _, err := Contribute(shared.dir, n); return err })
		}
		step("phase2 (beacon)", func() error { _, err := StartPhase2(shared.dir, beacon1); return err })
		for _, n := range []string{"dave", "erin", "frank"} {
			step("phase 2 contribute", func() error { _, err := Contribute(shared.dir, n); return err })
		}
		step("seal", func() error {
			var err error
			shared.result, err = Seal(shared.dir, beacon2, shared.keys)
			return err
		})
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.dir, shared.keys, shared.result
}

// copyCeremony copies the sealed ceremony into a fresh directory.
func copyCeremony(t *testing.T) string {
	t.Helper()
	src, _, _ := ceremony(t)
	dst := t.TempDir()
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if info.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func readT(t *testing.T, dir string) *Transcript {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, TranscriptFile))
	if err != nil {
		t.Fatal(err)
	}
	var tr Transcript
	if err := json.Unmarshal(b, &tr); err != nil {
		t.Fatal(err)
	}
	return &tr
}

func writeT(t *testing.T, dir string, tr *Transcript) {
	t.Helper()
	if err := tr.save(dir); err != nil {
		t.Fatal(err)
	}
}

// rewrite replaces a listed file and makes the transcript list its new hash, so the check
// under test is the cryptographic or framing one, not the hash.
func rewrite(t *testing.T, dir, name string, b []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(name)), b, 0o644); err != nil {
		t.Fatal(err)
	}
	tr := readT(t, dir)
	for _, p := range []*Phase{&tr.Phase1, tr.Phase2} {
		for i := range p.Files {
			if p.Files[i].File == name {
				p.Files[i].SHA256 = sum(b)
				if i+1 < len(p.Files) {
					p.Files[i+1].Challenge = sum(b)
				}
			}
		}
	}
	writeT(t, dir, tr)
}

func readBin(t *testing.T, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func wantRefused(t *testing.T, dir, keys, contains string) {
	t.Helper()
	start := time.Now()
	_, err := Verify(dir, keys)
	t.Logf("refused in %v: %v", time.Since(start).Round(time.Millisecond), err)
	if err == nil {
		t.Fatal("Verify accepted it")
	}
	if !strings.Contains(err.Error(), contains) {
		t.Fatalf("error %q does not say %q", err, contains)
	}
}

func TestCeremony_threePartiesEachPhase_keysProveAndVerify(t *testing.T) {
	dir, keys, res := ceremony(t)
	for _, f := range []string{"phase1/0000.bin", "phase1/0001.bin", "phase2/0000.bin", "phase2/0001.bin"} {
		fi, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d bytes", f, fi.Size())
	}
	start := time.Now()
	got, err := Verify(dir, keys)
	if err != nil {
		t.Fatalf("the ceremony's own directory refused: %v", err)
	}
	t.Logf("verify --keys: %v", time.Since(start).Round(time.Millisecond))
	if got.Phase1Contributions != 3 || got.Phase2Contributions != 3 || got.Fingerprint != res.Fingerprint {
		t.Fatalf("verify: %d+%d contributions, fingerprint %s; seal gave %s", got.Phase1Contributions, got.Phase2Contributions, got.Fingerprint, res.Fingerprint)
	}
	if tr := readT(t, dir); tr.VKFingerprint != res.Fingerprint || tr.Phase1.Files[2].Name != "bob" {
		t.Fatalf("transcript: fingerprint %s, names %+v", tr.VKFingerprint, tr.Phase1.Files)
	}

	// The keys as a wallet and a gateway load them: through zk's framing checks.
	prover, err := zk.LoadProver(keys)
	if err != nil {
		t.Fatalf("sealed pk.bin refused by zk: %v", err)
	}
	verifier, err := zk.LoadVerifier(keys)
	if err != nil {
		t.Fatalf("sealed vk.bin refused by zk: %v", err)
	}
	if verifier.Fingerprint() != res.Fingerprint || !zk.KeysCurrent(keys) {
		t.Fatalf("fingerprint %s, want %s; keys current: %v", verifier.Fingerprint(), res.Fingerprint, zk.KeysCurrent(keys))
	}
	f := fixture.New("1996-05-17", "2025-01-01", "2030-01-01", "2026-11-28", 18)
	proof, in, err := prover.Prove(f.Wallet, f.Request)
	if err != nil {
		t.Fatal(err)
	}
	if err := verifier.Verify(proof, in); err != nil {
		t.Fatalf("proof with the ceremony's keys refused: %v", err)
	}
	proof2, in2, err := zk.NewProverFromKey(res.PK).Prove(f.Wallet, f.Request)
	if err != nil {
		t.Fatal(err)
	}
	if err := verifier.Verify(proof2, in2); err != nil {
		t.Fatalf("proof with the in-memory sealed key refused: %v", err)
	}
	var one fr.Element
	one.SetOne()
	in.Nullifier.Add(&in.Nullifier, &one)
	if err := verifier.Verify(proof, in); err == nil {
		t.Fatal("proof verified with another nullifier")
	}
}

func TestVerify_flippedByteInContribution_refused(t *testing.T) {
	dir := copyCeremony(t)
	b := readBin(t, dir, "phase1/0003.bin") // the last one: no later file carries its hash
	b[3*proofSize+8+g2c+5*g1c+7] ^= 1       // inside [τ⁶]₁
	if err := os.WriteFile(filepath.Join(dir, "phase1", "0003.bin"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	wantRefused(t, dir, "", "the transcript lists") // the hash first
	rewrite(t, dir, "phase1/0003.bin", b)           // then, with the hash made to match, gnark
	wantRefused(t, dir, "", "phase1/0003.bin")
}

func TestVerify_swappedPointsInContribution_refusedByPairingCheck(t *testing.T) {
	dir := copyCeremony(t)
	b := readBin(t, dir, "phase1/0003.bin")
	at := 3*proofSize + 8 + g2c + 2*g1c // [τ³]₁ and [τ⁴]₁: valid points, wrong powers
	var tmp [g1c]byte
	copy(tmp[:], b[at:])
	copy(b[at:at+g1c], b[at+g1c:at+2*g1c])
	copy(b[at+g1c:], tmp[:])
	rewrite(t, dir, "phase1/0003.bin", b)
	wantRefused(t, dir, "", "phase1/0003.bin does not extend phase1/0002.bin")
}

func TestVerify_reorderedTranscript_refused(t *testing.T) {
	dir := copyCeremony(t)
	tr := readT(t, dir)
	tr.Phase1.Files[1], tr.Phase1.Files[2] = tr.Phase1.Files[2], tr.Phase1.Files[1]
	writeT(t, dir, tr)
	wantRefused(t, dir, "", "reordered")

	// Files renamed to match the reordered entries: the challenges no longer chain.
	dir = copyCeremony(t)
	tr = readT(t, dir)
	f1, f2 := readBin(t, dir, "phase1/0001.bin"), readBin(t, dir, "phase1/0002.bin")
	os.WriteFile(filepath.Join(dir, "phase1", "0001.bin"), f2, 0o644)
	os.WriteFile(filepath.Join(dir, "phase1", "0002.bin"), f1, 0o644)
	tr.Phase1.Files[1], tr.Phase1.Files[2] = tr.Phase1.Files[2], tr.Phase1.Files[1]
	tr.Phase1.Files[1].File, tr.Phase1.Files[2].File = "phase1/0001.bin", "phase1/0002.bin"
	writeT(t, dir, tr)
	wantRefused(t, dir, "", "challenge")
}

func TestVerify_wrongBeacon_refused(t *testing.T) {
	dir := copyCeremony(t)
	tr := readT(t, dir)
	tr.Phase2.Beacon = strings.Repeat("33", 32)
	writeT(t, dir, tr)
	wantRefused(t, dir, "", "fingerprint")

	dir = copyCeremony(t)
	tr = readT(t, dir)
	tr.Phase1.Beacon = strings.Repeat("44", 32)
	writeT(t, dir, tr)
	wantRefused(t, dir, "", "wrong beacon")
}

func TestVerify_truncatedFile_refusedBeforeDecoding(t *testing.T) {
	dir := copyCeremony(t)
	for _, name := range []string{"phase1/0002.bin", "phase2/0001.bin"} {
		b := readBin(t, dir, name)
		rewrite(t, dir, name, b[:len(b)-1])
		wantRefused(t, dir, "", "truncated")
		rewrite(t, dir, name, b)
	}
}

func TestVerify_repeatedContribution_refused(t *testing.T) {
	dir := copyCeremony(t)
	tr := readT(t, dir)
	os.WriteFile(filepath.Join(dir, "phase2", "0003.bin"), readBin(t, dir, "phase2/0002.bin"), 0o644)
	e := tr.Phase2.Files[2]
	e.File = "phase2/0003.bin"
	tr.Phase2.Files[3] = e
	writeT(t, dir, tr)
	wantRefused(t, dir, "", "repeats phase2/0002.bin")
}

func TestVerify_otherDomainSize_refusedBeforeDecoding(t *testing.T) {
	dir := copyCeremony(t)
	small := initialPhase1(1 << 13)
	rewrite(t, dir, "phase1/0000.bin", small)
	wantRefused(t, dir, "", "domain size 8192")

	dir = copyCeremony(t)
	tr := readT(t, dir)
	tr.DomainSize = 1 << 15
	writeT(t, dir, tr)
	wantRefused(t, dir, "", "domain size 32768")
}

func TestVerify_hostileLengthPrefixes_refusedWithoutAllocating(t *testing.T) {
	dir := copyCeremony(t)
	b := readBin(t, dir, "phase1/0001.bin")
	binary.BigEndian.PutUint64(b[3*proofSize:], 1<<40) // N: setContributionsZero would make 2^42 points
	rewrite(t, dir, "phase1/0001.bin", b)
	wantRefused(t, dir, "", "domain size 1099511627776")

	dir = copyCeremony(t)
	b = readBin(t, dir, "phase2/0001.bin")
	binary.BigEndian.PutUint32(b[2+g1c:], 1<<31) // len(PKK)
	rewrite(t, dir, "phase2/0001.bin", b)
	wantRefused(t, dir, "", "private wires")

	dir = copyCeremony(t)
	b = readBin(t, dir, "phase2/0001.bin")
	binary.BigEndian.PutUint16(b, 0xffff) // the commitment count
	rewrite(t, dir, "phase2/0001.bin", b)
	wantRefused(t, dir, "", "commitments")

	// A raw (uncompressed) point would shift every later offset.
	dir = copyCeremony(t)
	b = readBin(t, dir, "phase1/0003.bin")
	b[3*proofSize+8+g2c] &^= flagMask
	rewrite(t, dir, "phase1/0003.bin", b)
	wantRefused(t, dir, "", "compressed encoding")
}

func TestVerify_strayOrMismatchedKeys_refused(t *testing.T) {
	dir := copyCeremony(t)
	os.WriteFile(filepath.Join(dir, "phase1", "0004.bin"), readBin(t, dir, "phase1/0003.bin"), 0o644)
	wantRefused(t, dir, "", "not in the transcript")

	dir = copyCeremony(t)
	_, keys, _ := ceremony(t)
	other := t.TempDir()
	pk, vk, err := zk.DevSetup()
	if err != nil {
		t.Fatal(err)
	}
	if err := zk.SaveKeys(other, pk, vk); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(keys, TranscriptFile))
	os.WriteFile(filepath.Join(other, TranscriptFile), b, 0o644)
	wantRefused(t, dir, other, "fingerprint")
}

func TestContributeSealStartPhase2_onClosedPhasesOrBadInput_refused(t *testing.T) {
	dir := copyCeremony(t)
	if _, err := StartPhase2(dir, beacon2); err == nil || !strings.Contains(err.Error(), "applied") {
		t.Fatalf("phase-1 beacon applied twice: %v", err)
	}
	if _, err := Seal(dir, bytes.Repeat([]byte{0x55}, 32), t.TempDir()); err == nil || !strings.Contains(err.Error(), "applied") {
		t.Fatalf("phase-2 beacon applied twice: %v", err)
	}
	if _, err := Contribute(dir, "late"); err == nil || !strings.Contains(err.Error(), "sealed") {
		t.Fatalf("contribution after seal: %v", err)
	}
	for _, s := range []string{"zz" + strings.Repeat("00", 31), strings.Repeat("ab", 31), "0x" + strings.Repeat("ab", 32)} {
		if _, err := ParseBeacon(s); err == nil {
			t.Fatalf("beacon %q accepted", s)
		}
	}
	if _, err := Contribute(dir, "bad\nname"); err == nil {
		t.Fatal("name with a newline accepted")
	}
}

func TestContribute_lastFileNotExtendingPredecessor_refused(t *testing.T) {
	dir := copyCeremony(t)
	tr := readT(t, dir)
	// Reopen phase 2 at its third contribution, with that file replaced by the first's.
	tr.Phase2.Files, tr.Phase2.Beacon, tr.VKFingerprint = tr.Phase2.Files[:3], "", ""
	writeT(t, dir, tr)
	os.Remove(filepath.Join(dir, "phase2", "0003.bin"))
	s, err := circuitShape()
	if err != nil {
		t.Fatal(err)
	}
	b := readBin(t, dir, "phase2/0002.bin")
	at := 2 + g1c + 4 + int(s.private)*g1c + 4 // Z[0] and Z[1] swapped: valid points, wrong values
	var tmp [g1c]byte
	copy(tmp[:], b[at:])
	copy(b[at:at+g1c], b[at+g1c:at+2*g1c])
	copy(b[at+g1c:], tmp[:])
	rewrite(t, dir, "phase2/0002.bin", b)
	_, err = Contribute(dir, "victim")
	if err == nil || !strings.Contains(err.Error(), "phase2/0002.bin does not extend phase2/0001.bin") {
		t.Fatalf("contribution on a file that does not extend its predecessor: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "phase2", "0003.bin")); err == nil {
		t.Fatal("a refused contribution wrote a file")
	}
}
