package zk_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/big"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254/fp"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	groth16bn254 "github.com/consensys/gnark/backend/groth16/bn254"

	"agegate.dev/circuits/internal/fixture"
	"agegate.dev/circuits/zk"
)

var (
	setupOnce sync.Once
	pk        *groth16bn254.ProvingKey
	vk        *groth16bn254.VerifyingKey
)

// keys runs the dev setup once per test binary.
func keys(tb testing.TB) (*zk.Prover, *zk.Verifier) {
	tb.Helper()
	setupOnce.Do(func() {
		var err error
		pk, vk, err = zk.DevSetup()
		if err != nil {
			tb.Fatal(err)
		}
	})
	v, err := zk.NewVerifier(zk.MarshalVerifyingKey(vk))
	if err != nil {
		tb.Fatal(err)
	}
	return zk.NewProverFromKey(pk), v
}

func proveFixture(tb testing.TB) (*fixture.Fixture, []byte, *zk.PublicInputs, *zk.Verifier) {
	tb.Helper()
	p, v := keys(tb)
	f := fixture.New("1996-05-17", "2025-01-01", "2030-01-01", "2026-11-28", 18)
	proof, in, err := p.Prove(f.Wallet, f.Request)
	if err != nil {
		tb.Fatal(err)
	}
	return f, proof, in, v
}

func TestProve_validWallet_verifies(t *testing.T) {
	_, proof, in, v := proveFixture(t)
	if len(proof) != zk.ProofSize {
		t.Fatalf("proof is %d bytes", len(proof))
	}
	if err := v.Verify(proof, in); err != nil {
		t.Fatalf("valid proof refused: %v", err)
	}
	if err := v.VerifyEncoded(proof, in.Encode()); err != nil {
		t.Fatalf("valid encoded proof refused: %v", err)
	}
}

func TestVerify_eachPublicInputChanged_refused(t *testing.T) {
	_, proof, in, v := proveFixture(t)
	enc := in.Encode()
	for i := 0; i < zk.NbPublic; i++ {
		changed := bytes.Clone(enc)
		changed[i*32+31] ^= 1 // still canonical: the low bit of a value below r
		if err := v.VerifyEncoded(proof, changed); !errors.Is(err, zk.ErrProofInvalid) {
			t.Errorf("public input %d changed: got %v, want ErrProofInvalid", i+1, err)
		}
	}
}

func TestVerify_otherRequest_refused(t *testing.T) {
	f, proof, in, v := proveFixture(t)
	cases := map[string]func(r *zk.Request){
		"wrong challenge (nonce)":    func(r *zk.Request) { r.Nonce = "another" },
		"wrong challenge (audience)": func(r *zk.Request) { r.Audience = "https://evil.example" },
		"wrong scope (site)":         func(r *zk.Request) { r.SiteID = "other-shop" },
		"higher age":                 func(r *zk.Request) { r.MinAge = 21 },
		"other day":                  func(r *zk.Request) { r.Today++ },
		"higher assurance":           func(r *zk.Request) { r.MinAssurance = 3 },
	}
	for name, mutate := range cases {
		r := *f.Request
		mutate(&r)
		other, err := r.Inputs(in.Nullifier)
		if err != nil {
			t.Fatal(err)
		}
		if err := v.Verify(proof, other); !errors.Is(err, zk.ErrProofInvalid) {
			t.Errorf("%s: got %v, want ErrProofInvalid", name, err)
		}
	}
}

func TestVerify_malformedProofs_refused(t *testing.T) {
	_, proof, in, v := proveFixture(t)
	p := new(big.Int).Set(fp.Modulus())
	overP := make([]byte, 32)
	p.FillBytes(overP)
	cases := map[string][]byte{
		"empty":       {},
		"truncated":   proof[:255],
		"oversized":   append(bytes.Clone(proof), 0),
		"zeros":       make([]byte, zk.ProofSize),
		"A x = p":     append(append(bytes.Clone(overP), proof[32:64]...), proof[64:]...),
		"flag bits":   func() []byte { b := bytes.Clone(proof); b[0] |= 0x40; return b }(),
		"A off curve": func() []byte { b := bytes.Clone(proof); b[63] ^= 1; return b }(),
		"B off curve": func() []byte { b := bytes.Clone(proof); b[191] ^= 1; return b }(),
		"C off curve": func() []byte { b := bytes.Clone(proof); b[255] ^= 1; return b }(),
	}
	for name, b := range cases {
		if err := v.Verify(b, in); !errors.Is(err, zk.ErrProofMalformed) {
			t.Errorf("%s: got %v, want ErrProofMalformed", name, err)
		}
	}
	// A valid point that is not the proof's: well-formed but invalid.
	swapped := append(append(bytes.Clone(proof[192:]), proof[64:192]...), proof[:64]...)
	if err := v.Verify(swapped, in); !errors.Is(err, zk.ErrProofInvalid) {
		t.Errorf("swapped A and C: got %v", err)
	}
}

func TestVerify_inputAtOrAboveModulus_refused(t *testing.T) {
	_, proof, in, v := proveFixture(t)
	enc := in.Encode()
	r := make([]byte, 32)
	fr.Modulus().FillBytes(r)
	for i := 0; i < zk.NbPublic; i++ {
		b := bytes.Clone(enc)
		copy(b[i*32:], r)
		if err := v.VerifyEncoded(proof, b); !errors.Is(err, zk.ErrInputMalformed) {
			t.Errorf("input %d = r: got %v", i+1, err)
		}
		// nullifier + r is the same field element: a verifier that reduced mod r would accept it.
		sum := new(big.Int).Add(new(big.Int).SetBytes(enc[i*32:(i+1)*32]), fr.Modulus())
		if sum.BitLen() <= 256 {
			sum.FillBytes(b[i*32 : (i+1)*32])
			if err := v.VerifyEncoded(proof, b); !errors.Is(err, zk.ErrInputMalformed) {
				t.Errorf("input %d + r: got %v", i+1, err)
			}
		}
	}
	if err := v.VerifyEncoded(proof, enc[:200]); !errors.Is(err, zk.ErrInputMalformed) {
		t.Errorf("short inputs: got %v", err)
	}
}

// Each refusal has exactly one unmet condition, so a check that is removed makes its case fail
// (a too-young fixture that is also expired would be refused by the expiry check alone).
func TestProve_unsatisfiableRequests_refusedWithReason(t *testing.T) {
	p, _ := keys(t)
	young := fixture.New("2010-01-01", "2025-01-01", "2030-01-01", "2026-11-28", 18)
	expired := fixture.New("1990-01-01", "2025-01-01", "2026-06-01", "2026-11-28", 18)
	notYet := fixture.New("1990-01-01", "2026-11-29", "2030-01-01", "2026-11-28", 18)
	for name, c := range map[string]struct {
		f      *fixture.Fixture
		reason string
	}{
		"too young":     {young, "the holder is younger than 18"},
		"expired":       {expired, "the credential expired on 2026-06-01"},
		"not yet valid": {notYet, "the credential is valid from 2026-11-29"},
	} {
		_, _, err := p.Prove(c.f.Wallet, c.f.Request)
		if !errors.Is(err, zk.ErrUnsatisfiable) || !strings.Contains(err.Error(), c.reason) {
			t.Errorf("%s: got %v, want %q", name, err, c.reason)
		}
	}
	// the same young holder at 16 meets the request: the refusal above was for the age alone
	r := *young.Request
	r.MinAge = 16
	if _, _, err := young.Wallet.Assignment(&r); err != nil {
		t.Errorf("young holder at 16: %v", err)
	}
}

func TestKeys_roundTripAndFingerprint(t *testing.T) {
	_, v := keys(t)
	raw := zk.MarshalVerifyingKey(vk)
	if v.Fingerprint() != zk.Fingerprint(raw) || len(v.Fingerprint()) != 64 {
		t.Fatalf("fingerprint %q", v.Fingerprint())
	}
	dir := t.TempDir()
	if err := zk.SaveKeys(dir, pk, vk); err != nil {
		t.Fatal(err)
	}
	v2, err := zk.LoadVerifier(dir)
	if err != nil || v2.Fingerprint() != v.Fingerprint() {
		t.Fatalf("reloaded verifier: %v", err)
	}
	if _, err := zk.LoadProver(dir); err != nil {
		t.Fatalf("reloaded prover: %v", err)
	}
	if _, err := zk.NewVerifier(raw[:len(raw)-1]); err == nil {
		t.Fatal("truncated key accepted")
	}
	if _, err := zk.NewVerifier(append(bytes.Clone(raw), 0)); err == nil {
		t.Fatal("key with trailing byte accepted")
	}
	_ = os.Remove(dir)
}

func FuzzDecodeProof(f *testing.F) {
	_, proof, _, _ := proveFixture(f)
	f.Add(proof)
	f.Add(make([]byte, zk.ProofSize))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := zk.DecodeProof(b)
		if err != nil {
			return
		}
		if !bytes.Equal(zk.EncodeProof(p), b) {
			t.Fatal("a decoded proof does not re-encode to its bytes")
		}
	})
}

func FuzzDecodeInputs(f *testing.F) {
	f.Add(make([]byte, zk.InputsSize))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := zk.DecodeInputs(b)
		if err != nil {
			return
		}
		for i, e := range v {
			if got := e.Bytes(); !bytes.Equal(got[:], b[i*32:(i+1)*32]) {
				t.Fatal("non-canonical input accepted")
			}
		}
	})
}

// One Verifier shared by goroutines: a verification must not disturb another (the
// fixed-Q line tables are copied per call because gnark-crypto scales them in place).
func TestVerify_concurrentSharedVerifier_everyResultRight(t *testing.T) {
	f, proof, in, v := proveFixture(t)
	r := *f.Request
	r.MinAge = 21
	wrong, _ := r.Inputs(in.Nullifier)
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		go func(g int) {
			for i := 0; i < 15; i++ {
				if (i+g)%2 == 0 {
					if err := v.Verify(proof, in); err != nil {
						errs <- err
						return
					}
				} else if err := v.Verify(proof, wrong); !errors.Is(err, zk.ErrProofInvalid) {
					errs <- fmt.Errorf("wrong inputs: %v", err)
					return
				}
			}
			errs <- nil
		}(g)
	}
	for g := 0; g < 8; g++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
