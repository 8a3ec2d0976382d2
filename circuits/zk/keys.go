package zk

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend/groth16"
	groth16bn254 "github.com/consensys/gnark/backend/groth16/bn254"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"

	"agegate.dev/circuits/agecircuit"
)

// File names inside a key directory.
const (
	ProvingKeyFile   = "pk.bin"
	VerifyingKeyFile = "vk.bin"
)

// NbPublic is the number of public inputs.
const NbPublic = 7

var (
	compileOnce sync.Once
	compiled    constraint.ConstraintSystem
	compileErr  error
)

// Compile returns the circuit's R1CS, compiled once per process.
func Compile() (constraint.ConstraintSystem, error) {
	compileOnce.Do(func() {
		compiled, compileErr = frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, &agecircuit.Circuit{})
		if compileErr == nil && len(compiled.GetCommitments().CommitmentIndexes()) != 0 {
			compileErr = errors.New("the circuit uses Groth16 commitments; it must stay plain Groth16")
		}
	})
	return compiled, compileErr
}

// CircuitIDFile names the file in a key directory that records which circuit the keys are for.
const CircuitIDFile = "circuit-id"

var (
	circuitIDOnce sync.Once
	circuitID     string
)

// CircuitID is the hex SHA-256 of the circuit's version line and its compiled constraint
// system: two builds with the same ID have the same circuit, so cached keys stay usable
// exactly while it holds, and keys of circuit v1 are never taken for v2's.
func CircuitID() (string, error) {
	ccs, err := Compile()
	if err != nil {
		return "", err
	}
	circuitIDOnce.Do(func() {
		h := sha256.New()
		fmt.Fprintf(h, "agegate-age-circuit/v%d\n", agecircuit.Version)
		if _, err := ccs.WriteTo(h); err != nil {
			panic(err) // hashing cannot fail
		}
		circuitID = hex.EncodeToString(h.Sum(nil))
	})
	return circuitID, nil
}

// KeysCurrent reports whether dir holds keys made for this build's circuit.
func KeysCurrent(dir string) bool {
	id, err := CircuitID()
	if err != nil {
		return false
	}
	b, err := os.ReadFile(filepath.Join(dir, CircuitIDFile))
	if err != nil || string(bytes.TrimSpace(b)) != id {
		return false
	}
	for _, f := range []string{ProvingKeyFile, VerifyingKeyFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return false
		}
	}
	return true
}

// DevSetup runs a single-party Groth16 setup. Whoever runs it knows the toxic
// waste and can forge proofs: for development and tests only. Production keys
// come from a multi-party ceremony (gnark's mpcsetup), and the gateway pins the
// fingerprint of the resulting verifying key.
func DevSetup() (*groth16bn254.ProvingKey, *groth16bn254.VerifyingKey, error) {
	ccs, err := Compile()
	if err != nil {
		return nil, nil, err
	}
	pk, vk, err := groth16.Setup(ccs)
	if err != nil {
		return nil, nil, err
	}
	return pk.(*groth16bn254.ProvingKey), vk.(*groth16bn254.VerifyingKey), nil
}

// MarshalVerifyingKey returns the raw serialisation whose SHA-256 is the fingerprint.
func MarshalVerifyingKey(vk *groth16bn254.VerifyingKey) []byte {
	var buf bytes.Buffer
	if _, err := vk.WriteRawTo(&buf); err != nil {
		panic(err) // writing to a bytes.Buffer cannot fail
	}
	return buf.Bytes()
}

// MarshalProvingKey returns the raw serialisation of pk.
func MarshalProvingKey(pk *groth16bn254.ProvingKey) []byte {
	var buf bytes.Buffer
	if _, err := pk.WriteRawTo(&buf); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// Fingerprint is the lower-case hex SHA-256 of a raw verifying key.
func Fingerprint(rawVK []byte) string {
	d := sha256.Sum256(rawVK)
	return hex.EncodeToString(d[:])
}

// ErrFingerprintMismatch is returned (wrapped, with both fingerprints) by NewVerifierPinned
// for a verifying key that is not the pinned one.
var ErrFingerprintMismatch = errors.New("the verifying key is not the pinned one")

// CheckFingerprint compares Fingerprint(rawVK) with pin, exact lower-case hex, without parsing
// rawVK. A pin that is not 64 lower-case hex digits is an error of its own, naming it.
func CheckFingerprint(rawVK []byte, pin string) error {
	if len(pin) != 64 || strings.Trim(pin, "0123456789abcdef") != "" {
		return fmt.Errorf("pinned fingerprint %q is not 64 lower-case hex digits", pin)
	}
	if got := Fingerprint(rawVK); got != pin {
		return fmt.Errorf("%w: its fingerprint is %s, the pinned one %s", ErrFingerprintMismatch, got, pin)
	}
	return nil
}

// ErrProvingKeyDigest is returned for a proving key whose SHA-256 is not the one expected.
var ErrProvingKeyDigest = errors.New("proving key is not the one the request names")

// ProvingKeyDigest is the lower-case hex SHA-256 of a raw proving key: the request object
// carries it (agegate.pk_sha256) so a wallet proves only with the gateway's own key.
func ProvingKeyDigest(rawPK []byte) string { return Fingerprint(rawPK) }

// CheckProvingKeyDigest compares a raw proving key's SHA-256 with the expected one, before
// anything is parsed.
func CheckProvingKeyDigest(rawPK []byte, want string) error {
	if len(want) != 64 || strings.Trim(want, "0123456789abcdef") != "" {
		return fmt.Errorf("%w: the expected SHA-256 %q is not 64 lower-case hex digits", ErrProvingKeyDigest, want)
	}
	if got := ProvingKeyDigest(rawPK); got != want {
		return fmt.Errorf("%w: its SHA-256 is %s, the request names %s", ErrProvingKeyDigest, got, want)
	}
	return nil
}

// UnmarshalVerifyingKey decodes a raw verifying key and checks that it is one for
// this circuit: NbPublic inputs and no commitment keys. The bytes may be hostile: before
// gnark's decoder sees them, their length must be VerifyingKeySize and every length prefix
// and point flag the one this circuit's key has (keyframe.go), so no allocation depends on them.
func UnmarshalVerifyingKey(raw []byte) (*groth16bn254.VerifyingKey, error) {
	if err := checkVerifyingKeyFrame(raw); err != nil {
		return nil, err
	}
	var vk groth16bn254.VerifyingKey
	n, err := readFromNoPanic(&vk, raw)
	if err != nil {
		return nil, fmt.Errorf("verifying key: %w", err)
	}
	if n != int64(len(raw)) {
		return nil, errors.New("verifying key: trailing bytes")
	}
	if len(vk.G1.K) != NbPublic+1 || len(vk.CommitmentKeys) != 0 || len(vk.PublicAndCommitmentCommitted) != 0 {
		return nil, errors.New("verifying key is not for the age circuit")
	}
	return &vk, nil
}

// UnmarshalProvingKey decodes a raw proving key and checks it has the compiled circuit's shape.
// The bytes may be hostile: before gnark's decoder sees them, every length prefix and count is
// checked against the compiled circuit (FFT domain, wires, public wires), the points must be in
// the raw encoding, and the fields must fill raw exactly (keyframe.go), so the decoder allocates
// no more than this circuit's key needs.
func UnmarshalProvingKey(raw []byte) (*groth16bn254.ProvingKey, error) {
	shape, err := compiledProvingKeyShape()
	if err != nil {
		return nil, err
	}
	if err := checkProvingKeyFrame(raw, shape); err != nil {
		return nil, err
	}
	var pk groth16bn254.ProvingKey
	n, err := readFromNoPanic(&pk, raw)
	if err != nil {
		return nil, fmt.Errorf("proving key: %w", err)
	}
	if n != int64(len(raw)) {
		return nil, errors.New("proving key: trailing bytes")
	}
	if pk.Domain.Cardinality != shape.cardinality ||
		uint64(len(pk.InfinityA)) != shape.wires || len(pk.CommitmentKeys) != 0 {
		return nil, errors.New("proving key is not for the age circuit")
	}
	if err := checkProvingKeyContent(&pk); err != nil {
		return nil, err
	}
	return &pk, nil
}

// readFromNoPanic guards gnark's decoders, which may panic on hostile input.
func readFromNoPanic(v interface {
	ReadFrom(r io.Reader) (int64, error)
}, raw []byte) (n int64, err error) {
	defer func() {
		if r := recover(); r != nil {
			n, err = 0, fmt.Errorf("malformed encoding (%v)", r)
		}
	}()
	return v.ReadFrom(bytes.NewReader(raw))
}

// SaveKeys writes pk.bin and vk.bin into dir, each atomically (temp file + rename).
func SaveKeys(dir string, pk *groth16bn254.ProvingKey, vk *groth16bn254.VerifyingKey) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := WriteFileAtomic(filepath.Join(dir, ProvingKeyFile), MarshalProvingKey(pk), 0o644); err != nil {
		return err
	}
	if err := WriteFileAtomic(filepath.Join(dir, VerifyingKeyFile), MarshalVerifyingKey(vk), 0o644); err != nil {
		return err
	}
	id, err := CircuitID()
	if err != nil {
		return err
	}
	// Written last: a directory whose circuit-id matches holds both keys.
	return WriteFileAtomic(filepath.Join(dir, CircuitIDFile), []byte(id+"\n"), 0o644)
}

// LoadVerifier reads dir/vk.bin.
func LoadVerifier(dir string) (*Verifier, error) {
	raw, err := os.ReadFile(filepath.Join(dir, VerifyingKeyFile))
	if err != nil {
		return nil, err
	}
	return NewVerifier(raw)
}

// LoadProver reads dir/pk.bin.
func LoadProver(dir string) (*Prover, error) {
	raw, err := os.ReadFile(filepath.Join(dir, ProvingKeyFile))
	if err != nil {
		return nil, err
	}
	return NewProver(raw)
}

// WriteFileAtomic writes data to path through a temporary file in the same
// directory and a rename, so a reader never sees a half-written file.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
