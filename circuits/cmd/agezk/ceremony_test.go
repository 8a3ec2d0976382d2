package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The full ceremony (3+3 contributions at the circuit's real size, seal, a proof with the
// sealed key, and every refusal of Verify) is tested in package ceremony: at 2^14 it takes
// minutes, and running it again through the CLI would double that. These tests run the
// commands themselves on what is cheap: init, verify of a fresh directory, and the refusals
// that come before any cryptography.

func TestCeremony_initThenVerify_exit0(t *testing.T) {
	d := filepath.Join(t.TempDir(), "D")
	code, out, e := agezk(t, "ceremony", "init", "--dir", d)
	if code != 0 || !strings.Contains(out, "domain: 16384") || !strings.Contains(out, "phase1/0000.bin: ") {
		t.Fatalf("init: %d %q %q", code, out, e)
	}
	code, out, e = agezk(t, "ceremony", "verify", "--dir", d)
	if code != 0 || !strings.Contains(out, "phase 1: 0 contributions") {
		t.Fatalf("verify: %d %q %q", code, out, e)
	}
	if code, _, e = agezk(t, "ceremony", "init", "--dir", d); code != 2 || !strings.Contains(e, "already holds a ceremony") {
		t.Fatalf("init twice: %d %q", code, e)
	}
	beacon := strings.Repeat("ab", 32)
	if code, _, e = agezk(t, "ceremony", "phase2", "--dir", d, "--beacon", beacon); code != 2 || !strings.Contains(e, "no contribution") {
		t.Fatalf("phase2 without contributions: %d %q", code, e)
	}
	if code, _, e = agezk(t, "ceremony", "seal", "--dir", d, "--beacon", beacon, "--out", t.TempDir()); code != 2 || !strings.Contains(e, "not open") {
		t.Fatalf("seal before phase 2: %d %q", code, e)
	}
	if code, _, e = agezk(t, "ceremony", "verify", "--dir", d, "--keys", t.TempDir()); code != 2 || !strings.Contains(e, "not sealed") {
		t.Fatalf("verify --keys of an open ceremony: %d %q", code, e)
	}

	// A truncated initial file, with the transcript left as it was.
	p := filepath.Join(d, "phase1", "0000.bin")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(p, b[:len(b)-7], 0o644)
	if code, _, e = agezk(t, "ceremony", "verify", "--dir", d); code != 2 || !strings.Contains(e, "SHA-256") {
		t.Fatalf("verify of a truncated file: %d %q", code, e)
	}
	if code, _, e = agezk(t, "ceremony", "contribute", "--dir", d); code != 2 || !strings.Contains(e, "SHA-256") {
		t.Fatalf("contribute on a truncated file: %d %q", code, e)
	}
}

func TestCeremony_badUsage_exit2(t *testing.T) {
	d := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"ceremony"}, "subcommand"},
		{[]string{"ceremony", "bake", "--dir", d}, "unknown ceremony subcommand"},
		{[]string{"ceremony", "init"}, "--dir is required"},
		{[]string{"ceremony", "phase2", "--dir", d}, "--beacon is required"},
		{[]string{"ceremony", "phase2", "--dir", d, "--beacon", "not-hex"}, "not hex"},
		{[]string{"ceremony", "phase2", "--dir", d, "--beacon", strings.Repeat("ab", 31)}, "at least 32"},
		{[]string{"ceremony", "seal", "--dir", d, "--beacon", "0x" + strings.Repeat("ab", 32), "--out", d}, "not hex"},
		{[]string{"ceremony", "seal", "--dir", d, "--beacon", strings.Repeat("ab", 32)}, "--out is required"},
		{[]string{"ceremony", "verify", "--dir", d}, "transcript.json"},
		{[]string{"ceremony", "contribute", "--dir", d, "--seed", "1"}, "flag provided but not defined"},
	} {
		code, _, e := agezk(t, c.args...)
		if code != 2 || !strings.Contains(e, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, e, c.want)
		}
	}
}
