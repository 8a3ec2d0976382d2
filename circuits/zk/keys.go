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

	groth16bn254 "github.com/consensys/gnark/backend/groth16/bn254"
)

// File names inside a key directory.
const (
	ProvingKeyFile   = "pk.bin"
	VerifyingKeyFile = "vk.bin"
)

// NbPublic is the number of public inputs.
const NbPublic = 7

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
