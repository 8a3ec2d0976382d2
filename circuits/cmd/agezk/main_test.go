package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var (
	keysOnce sync.Once
	keysDir  string
)

// TestMain removes the shared key directory after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if keysDir != "" {
		os.RemoveAll(filepath.Dir(keysDir))
	}
	os.Exit(code)
}

// agezk runs the CLI in-process and returns its exit status, stdout and stderr.
func agezk(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// world makes keys (once), an issuer, a trust list, a holder and a credential in a temp dir.
func world(t *testing.T, birth string) string {
	t.Helper()
	keysOnce.Do(func() {
		dir, err := os.MkdirTemp("", "agezk-keys")
		if err != nil {
			t.Fatal(err)
		}
		keysDir = filepath.Join(dir, "keys")
		if code, _, e := agezk(t, "setup", "--out", keysDir); code != 0 {
			t.Fatalf("setup: %s", e)
		}
	})
	d := t.TempDir()
	p := func(n string) string { return filepath.Join(d, n) }
	steps := [][]string{
		{"issuer", "--out", p("issuer.json"), "--level", "3", "--country", "DE"},
		{"trust", "--out", p("trust.json"), p("issuer.json")},
		{"holder", "--out", p("holder.json")},
		{"issue", "--issuer", p("issuer.json"), "--holder", p("holder.json"), "--birth", birth, "--issued", "2025-01-01", "--expiry", "2030-01-01", "--out", p("cred.json")},
	}
	for _, s := range steps {
		if code, _, e := agezk(t, s...); code != 0 {
			t.Fatalf("%v: %d %s", s, code, e)
		}
	}
	return d
}

func request(d string, minAge string) []string {
	return []string{"--keys", keysDir, "--trust", filepath.Join(d, "trust.json"), "--min-age", minAge, "--today", "2026-11-28",
		"--audience", "http://localhost:8090", "--nonce", "n-1", "--scope", "demo-shop"}
}

func TestProveVerify_adult_exit0AndOtherAgeExit1(t *testing.T) {
	d := world(t, "2000-02-29")
	args := append([]string{"prove", "--credential", filepath.Join(d, "cred.json"), "--holder", filepath.Join(d, "holder.json"), "--out", filepath.Join(d, "proof.json")}, request(d, "18")...)
	if code, out, e := agezk(t, args...); code != 0 || !strings.HasPrefix(out, "nullifier: ") {
		t.Fatalf("prove: %d %q %s", code, out, e)
	}
	verify := append([]string{"verify", "--proof", filepath.Join(d, "proof.json")}, request(d, "18")...)
	if code, out, e := agezk(t, verify...); code != 0 || !strings.HasPrefix(out, "valid") {
		t.Fatalf("verify: %d %q %s", code, out, e)
	}
	older := append([]string{"verify", "--proof", filepath.Join(d, "proof.json")}, request(d, "21")...)
	if code, _, e := agezk(t, older...); code != 1 || !strings.Contains(e, "does not verify") {
		t.Fatalf("verify for 21: %d %s", code, e)
	}
	otherSite := append(append([]string{"verify", "--proof", filepath.Join(d, "proof.json")}, request(d, "18")...), "--scope", "other-shop")
	if code, _, _ := agezk(t, otherSite...); code != 1 {
		t.Fatalf("verify for another site: %d", code)
	}
}

func TestProve_tooYoungOrUntrusted_exit1WithReason(t *testing.T) {
	d := world(t, "2010-06-01")
	args := append([]string{"prove", "--credential", filepath.Join(d, "cred.json"), "--holder", filepath.Join(d, "holder.json"), "--out", filepath.Join(d, "proof.json")}, request(d, "18")...)
	if code, _, e := agezk(t, args...); code != 1 || !strings.Contains(e, "younger than 18") {
		t.Fatalf("too young: %d %s", code, e)
	}
	if _, err := os.Stat(filepath.Join(d, "proof.json")); err == nil {
		t.Fatal("a refused prove wrote a proof file")
	}
	// a trust list without the credential's issuer
	if code, _, e := agezk(t, "issuer", "--out", filepath.Join(d, "other.json")); code != 0 {
		t.Fatal(e)
	}
	if code, _, e := agezk(t, "trust", "--out", filepath.Join(d, "trust.json"), filepath.Join(d, "other.json")); code != 0 {
		t.Fatal(e)
	}
	args = append([]string{"prove", "--credential", filepath.Join(d, "cred.json"), "--holder", filepath.Join(d, "holder.json"), "--out", filepath.Join(d, "proof.json")}, request(d, "16")...)
	if code, _, e := agezk(t, args...); code != 1 || !strings.Contains(e, "not in the trust list") {
		t.Fatalf("untrusted: %d %s", code, e)
	}
}

func TestCommands_badUsageOrUnreadableInput_exit2(t *testing.T) {
	d := t.TempDir()
	bad := filepath.Join(d, "bad.json")
	os.WriteFile(bad, []byte(`{"type":"agegate-proof","version":1,"extra":true}`), 0o644)
	for _, args := range [][]string{
		{},
		{"nope"},
		{"verify"},
		{"verify", "--keys", d, "--trust", filepath.Join(d, "missing.json"), "--proof", bad, "--min-age", "18", "--today", "2026-11-28", "--audience", "a", "--nonce", "n", "--scope", "s"},
		{"issuer", "--out", filepath.Join(d, "i.json"), "--level", "5"},
		{"issue", "--issuer", bad, "--birth", "2000-01-01", "--issued", "2025-01-01", "--expiry", "2030-01-01", "--out", filepath.Join(d, "c.json")},
		{"holder"},
		{"trust", "--out", filepath.Join(d, "t.json")},
		{"wallet", "--credential", bad, "--holder", bad},
	} {
		if code, _, e := agezk(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, e)
		}
	}
}

func TestIssue_holderCommitmentInsteadOfHolder_sameCredentialHolder(t *testing.T) {
	d := world(t, "1990-01-01")
	code, out, _ := agezk(t, "holder", "--out", filepath.Join(d, "h2.json"))
	if code != 0 {
		t.Fatal(out)
	}
	commitment := strings.TrimSpace(strings.TrimPrefix(out, "commitment: "))
	if code, _, e := agezk(t, "issue", "--issuer", filepath.Join(d, "issuer.json"), "--holder-commitment", commitment,
		"--birth", "1990-01-01", "--issued", "2025-01-01", "--expiry", "2030-01-01", "--out", filepath.Join(d, "c2.json")); code != 0 {
		t.Fatal(e)
	}
	b, _ := os.ReadFile(filepath.Join(d, "c2.json"))
	if !strings.Contains(string(b), commitment) {
		t.Fatal("credential does not carry the holder commitment")
	}
	if code, _, e := agezk(t, "issue", "--issuer", filepath.Join(d, "issuer.json"), "--holder-commitment", strings.Repeat("f", 64),
		"--birth", "1990-01-01", "--issued", "2025-01-01", "--expiry", "2030-01-01", "--out", filepath.Join(d, "c3.json")); code != 2 || !strings.Contains(e, "--holder-commitment") {
		t.Fatalf("a commitment >= r: exit %d: %s", code, e)
	}
}
