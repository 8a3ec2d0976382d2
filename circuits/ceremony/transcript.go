package ceremony

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"agegate.dev/circuits/zk"
)

// Names inside a ceremony directory.
const (
	TranscriptFile = "transcript.json"
	Phase1Dir      = "phase1"
	Phase2Dir      = "phase2"

	transcriptType    = "agegate-ceremony-transcript"
	transcriptVersion = 1
	// MinBeaconBytes is the shortest beacon accepted: a SHA-256-sized public random value.
	MinBeaconBytes = 32
	maxNameLen     = 64
)

// Transcript is transcript.json. It is read strictly: unknown fields, trailing data and any
// encoding other than the one this package writes are refused.
type Transcript struct {
	Type       string `json:"type"`
	Version    int    `json:"version"`
	CircuitID  string `json:"circuit_id"`
	DomainSize uint64 `json:"domain_size"`
	Phase1     Phase  `json:"phase1"`
	Phase2     *Phase `json:"phase2,omitempty"`
	// VKFingerprint is set by Seal: zk.Fingerprint of the verifying key.
	VKFingerprint string `json:"vk_fingerprint,omitempty"`
}

// Phase lists a phase's files in order; Beacon (hex) is set when the phase is sealed.
type Phase struct {
	Files  []Entry `json:"files"`
	Beacon string  `json:"beacon,omitempty"`
}

// Entry is one file. SHA256 is the file's hash, which is also mpcsetup's hash of the object
// (the challenge the next contribution signs); Challenge is the one this file carries (the
// previous file's SHA256, empty for 0000.bin); Name is the contributor's, as they gave it.
type Entry struct {
	File      string `json:"file"`
	SHA256    string `json:"sha256"`
	Challenge string `json:"challenge,omitempty"`
	Name      string `json:"name,omitempty"`
}

func (t *Transcript) marshal() []byte {
	b, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		panic(err) // plain structs always marshal
	}
	return append(b, '\n')
}

func (t *Transcript) save(dir string) error {
	return zk.WriteFileAtomic(filepath.Join(dir, TranscriptFile), t.marshal(), 0o644)
}

func fileName(phase string, i int) string { return fmt.Sprintf("%s/%04d.bin", phase, i) }

func isHex(s string, n int) bool {
	return len(s) == n && strings.Trim(s, "0123456789abcdef") == ""
}

// checkName refuses a contributor name that could mislead a reader of the transcript.
func checkName(name string) error {
	if len(name) > maxNameLen {
		return fmt.Errorf("name is %d bytes, at most %d", len(name), maxNameLen)
	}
	for _, r := range name {
		if !unicode.IsPrint(r) || r == unicode.ReplacementChar {
			return fmt.Errorf("name %q has a non-printable character", name)
		}
	}
	return nil
}

// ParseBeacon decodes a beacon given in hex (either case, no prefix), refusing one shorter
// than MinBeaconBytes.
func ParseBeacon(s string) ([]byte, error) {
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("beacon %q is not hex: %v", s, err)
	}
	if len(b) < MinBeaconBytes {
		return nil, fmt.Errorf("beacon is %d bytes, at least %d needed (a public random value such as a block hash or a drand round's randomness)", len(b), MinBeaconBytes)
	}
	return b, nil
}

// readTranscript reads and checks dir/transcript.json against this build's circuit: its
// shape, the circuit ID, the domain size, file names in order, hashes in canonical hex, each
// challenge the previous file's hash, no file twice, and beacons only where a phase is closed.
func readTranscript(dir string, s shape) (*Transcript, []byte, error) {
	raw, err := os.ReadFile(filepath.Join(dir, TranscriptFile))
	if err != nil {
		return nil, nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var t Transcript
	if err := dec.Decode(&t); err != nil {
		return nil, nil, fmt.Errorf("%s: %v", TranscriptFile, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, nil, fmt.Errorf("%s: trailing data", TranscriptFile)
	}
	if !bytes.Equal(t.marshal(), raw) {
		return nil, nil, fmt.Errorf("%s is not in the form agezk writes (edited by hand?)", TranscriptFile)
	}
	if t.Type != transcriptType || t.Version != transcriptVersion {
		return nil, nil, fmt.Errorf("%s: type %q version %d, want %q version %d", TranscriptFile, t.Type, t.Version, transcriptType, transcriptVersion)
	}
	id, err := zk.CircuitID()
	if err != nil {
		return nil, nil, err
	}
	if t.CircuitID != id {
		return nil, nil, fmt.Errorf("the ceremony is for circuit %s, this build's circuit is %s", t.CircuitID, id)
	}
	if t.DomainSize != s.domain {
		return nil, nil, fmt.Errorf("the ceremony is for domain size %d, the circuit's is %d", t.DomainSize, s.domain)
	}
	seen := map[string]string{}
	for _, ph := range []struct {
		name string
		p    *Phase
	}{{Phase1Dir, &t.Phase1}, {Phase2Dir, t.Phase2}} {
		if ph.p == nil {
			continue
		}
		if len(ph.p.Files) == 0 {
			return nil, nil, fmt.Errorf("%s: %s lists no files", TranscriptFile, ph.name)
		}
		for i, e := range ph.p.Files {
			if want := fileName(ph.name, i); e.File != want {
				return nil, nil, fmt.Errorf("%s: %s entry %d names %q, want %q (reordered or renamed)", TranscriptFile, ph.name, i, e.File, want)
			}
			if !isHex(e.SHA256, 64) {
				return nil, nil, fmt.Errorf("%s: %s: sha256 %q is not 64 lower-case hex digits", TranscriptFile, e.File, e.SHA256)
			}
			if prev, dup := seen[e.SHA256]; dup {
				return nil, nil, fmt.Errorf("%s repeats %s (the same file twice is not a contribution)", e.File, prev)
			}
			seen[e.SHA256] = e.File
			want := ""
			if i > 0 {
				want = ph.p.Files[i-1].SHA256
			}
			if e.Challenge != want {
				return nil, nil, fmt.Errorf("%s: %s carries challenge %q, want the previous file's hash %q", TranscriptFile, e.File, e.Challenge, want)
			}
			if i == 0 && e.Name != "" {
				return nil, nil, fmt.Errorf("%s: %s is not a contribution and has no name", TranscriptFile, e.File)
			}
			if err := checkName(e.Name); err != nil {
				return nil, nil, fmt.Errorf("%s: %s: %v", TranscriptFile, e.File, err)
			}
		}
		if ph.p.Beacon != "" {
			if !isHex(ph.p.Beacon, len(ph.p.Beacon)) || len(ph.p.Beacon) < 2*MinBeaconBytes || len(ph.p.Beacon)%2 != 0 {
				return nil, nil, fmt.Errorf("%s: %s beacon %q is not lower-case hex of at least %d bytes", TranscriptFile, ph.name, ph.p.Beacon, MinBeaconBytes)
			}
			if len(ph.p.Files) < 2 {
				return nil, nil, fmt.Errorf("%s: %s is sealed without a contribution", TranscriptFile, ph.name)
			}
		}
	}
	switch {
	case t.Phase2 != nil && t.Phase1.Beacon == "":
		return nil, nil, fmt.Errorf("%s: phase 2 is open but phase 1 has no beacon", TranscriptFile)
	case t.Phase2 == nil && t.Phase1.Beacon != "":
		return nil, nil, fmt.Errorf("%s: phase 1 is sealed but phase 2 was not opened", TranscriptFile)
	case t.Phase2 != nil && t.Phase2.Beacon != "" && t.Phase2.Beacon == t.Phase1.Beacon:
		return nil, nil, fmt.Errorf("%s: the same beacon is applied to both phases", TranscriptFile)
	case (t.Phase2 != nil && t.Phase2.Beacon != "") != (t.VKFingerprint != ""):
		return nil, nil, fmt.Errorf("%s: a sealed phase 2 and a vk fingerprint go together", TranscriptFile)
	case t.VKFingerprint != "" && !isHex(t.VKFingerprint, 64):
		return nil, nil, fmt.Errorf("%s: vk_fingerprint %q is not 64 lower-case hex digits", TranscriptFile, t.VKFingerprint)
	}
	return &t, raw, nil
}
