package zk_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"agegate.dev/circuits/zk"
)

func TestVerifyingKeySize_devKey_exactLengthForThisCircuit(t *testing.T) {
	keys(t)
	if got := len(zk.MarshalVerifyingKey(vk)); got != zk.VerifyingKeySize {
		t.Fatalf("a dev verifying key is %d bytes, VerifyingKeySize %d", got, zk.VerifyingKeySize)
	}
	ccs, err := zk.Compile()
	if err != nil {
		t.Fatal(err)
	}
	if _, _, public := ccs.GetNbVariables(); public != zk.NbPublic+1 {
		t.Fatalf("the circuit has %d public wires, VerifyingKeySize assumes NbPublic+1 = %d", public, zk.NbPublic+1)
	}
}

func TestUnmarshalKeys_devKeys_reencodeToTheirBytes(t *testing.T) {
	keys(t)
	rawVK, rawPK := zk.MarshalVerifyingKey(vk), zk.MarshalProvingKey(pk)
	v, err := zk.UnmarshalVerifyingKey(rawVK)
	if err != nil {
		t.Fatal(err)
	}
	p, err := zk.UnmarshalProvingKey(rawPK)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(zk.MarshalVerifyingKey(v), rawVK) || !bytes.Equal(zk.MarshalProvingKey(p), rawPK) {
		t.Fatal("a decoded dev key does not re-encode to its bytes")
	}
}

// A hostile key (a 0xFFFFFFFF length prefix at the right total length) under a pin it does not
// match is refused by the fingerprint, before its bytes are parsed; under its own fingerprint
// the framing check refuses it.
func TestNewVerifierPinned_otherKey_refusedBeforeParsingNamingBoth(t *testing.T) {
	keys(t)
	raw := zk.MarshalVerifyingKey(vk)
	pin := zk.Fingerprint(raw)
	if v, err := zk.NewVerifierPinned(raw, pin); err != nil || v.Fingerprint() != pin {
		t.Fatalf("the pinned key itself: %v", err)
	}
	hostile := bytes.Clone(raw)
	binary.BigEndian.PutUint32(hostile[field(vkLayout(vk), "len(G1.K)").off:], 0xFFFFFFFF)
	_, err := zk.NewVerifierPinned(hostile, pin)
	if !errors.Is(err, zk.ErrFingerprintMismatch) || !strings.Contains(err.Error(), pin) || !strings.Contains(err.Error(), zk.Fingerprint(hostile)) {
		t.Fatalf("hostile key under another pin: got %v, want ErrFingerprintMismatch naming both fingerprints", err)
	}
	_, err = zk.NewVerifierPinned(hostile, zk.Fingerprint(hostile))
	if err == nil || errors.Is(err, zk.ErrFingerprintMismatch) || !strings.Contains(err.Error(), "len(G1.K)") {
		t.Fatalf("hostile key under its own pin: got %v, want the framing check's refusal", err)
	}
	for _, bad := range []string{"", strings.ToUpper(pin), pin[:63], pin + "0", strings.Repeat("g", 64)} {
		if _, err := zk.NewVerifierPinned(raw, bad); err == nil || errors.Is(err, zk.ErrFingerprintMismatch) {
			t.Errorf("pin %q: got %v, want a malformed-pin error", bad, err)
		}
	}
}

func FuzzUnmarshalVerifyingKey(f *testing.F) {
	keys(f)
	raw := zk.MarshalVerifyingKey(vk)
	f.Add(raw)
	for _, c := range hostileCases("vk", raw, vkLayout(vk)) {
		f.Add(c.apply(raw))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := zk.UnmarshalVerifyingKey(b)
		if err != nil {
			return
		}
		if !bytes.Equal(zk.MarshalVerifyingKey(k), b) {
			t.Fatal("an accepted verifying key does not re-encode to its bytes")
		}
		if _, err := zk.NewVerifier(b); err != nil {
			t.Fatalf("decodes but does not load: %v", err)
		}
	})
}

// FuzzUnmarshalProvingKey mutates edits of the real key (bytes patch written at offset at, then a
// cut to cut bytes) rather than whole keys: a random 5 MB input would stop at the first length
// prefix, while an edit of a real key reaches every field and gnark's decoder behind them.
func FuzzUnmarshalProvingKey(f *testing.F) {
	keys(f)
	raw := zk.MarshalProvingKey(pk)
	f.Add(uint32(0), []byte{}, uint32(0xFFFFFFFF))
	for _, c := range hostileCases("pk", raw, pkLayout(pk)) {
		cut := uint32(0xFFFFFFFF)
		if c.cut >= 0 {
			cut = uint32(c.cut)
		}
		f.Add(uint32(c.at), c.patch, cut)
	}
	f.Fuzz(func(t *testing.T, at uint32, patch []byte, cut uint32) {
		b := edit(raw, at, patch, cut)
		k, err := zk.UnmarshalProvingKey(b)
		if err != nil {
			return
		}
		if !bytes.Equal(zk.MarshalProvingKey(k), b) {
			t.Fatal("an accepted proving key does not re-encode to its bytes")
		}
	})
}
