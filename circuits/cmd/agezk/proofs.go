package main

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"agegate.dev/circuits/credential"
	"agegate.dev/circuits/days"
	"agegate.dev/circuits/field"
	"agegate.dev/circuits/trust"
	"agegate.dev/circuits/zk"
)

func todayUTC() int {
	d, _ := days.Of(time.Now().UTC())
	return d
}

// ProofFile is the JSON document `agezk prove` writes and `agezk verify` reads.
type ProofFile struct {
	Type         string `json:"type"`
	Version      int    `json:"version"`
	VK           string `json:"vk"`
	Proof        string `json:"proof"`
	Nullifier    string `json:"nullifier"`
	IssuerRoot   string `json:"issuer_root"`
	CutoffDay    int    `json:"cutoff_day"`
	Today        int    `json:"today"`
	MinAssurance int    `json:"min_assurance"`
	Challenge    string `json:"challenge"`
	Scope        string `json:"scope"`
}

// requestFlags are the flags prove and verify share.
type requestFlags struct {
	keys, trust, today, audience, nonce, scope *string
	minAge, minAssurance                       *int
}

func addRequestFlags(fs interface {
	String(string, string, string) *string
	Int(string, int, string) *int
}) *requestFlags {
	return &requestFlags{
		keys:         fs.String("keys", "", "key directory (pk.bin, vk.bin)"),
		trust:        fs.String("trust", "", "trust list file"),
		today:        fs.String("today", "", "the verifier's date YYYY-MM-DD"),
		audience:     fs.String("audience", "", "the verifier's audience (client id)"),
		nonce:        fs.String("nonce", "", "the check's nonce"),
		scope:        fs.String("scope", "", "the site id the nullifier is for"),
		minAge:       fs.Int("min-age", 0, "minimum age"),
		minAssurance: fs.Int("min-assurance", 1, "minimum issuer assurance level 1..4"),
	}
}

var requestRequired = []string{"keys", "trust", "min-age", "today", "audience", "nonce", "scope"}

func runProve(args []string, stdout io.Writer) error {
	fs := newFlags("prove")
	rf := addRequestFlags(fs)
	credPath := fs.String("credential", "", "credential file")
	holderPath := fs.String("holder", "", "holder file")
	out := fs.String("out", "", "proof file to write")
	if err := parse(fs, args, append(requestRequired, "credential", "holder", "out")...); err != nil {
		return err
	}
	cb, err := readFile("credential", *credPath)
	if err != nil {
		return err
	}
	hb, err := readFile("holder", *holderPath)
	if err != nil {
		return err
	}
	tb, err := readFile("trust list", *rf.trust)
	if err != nil {
		return err
	}
	wallet, req, err := zk.OpenWallet(cb, hb, tb, *rf.today, *rf.minAge, *rf.minAssurance, *rf.nonce, *rf.audience, *rf.scope)
	if err != nil {
		return usage("%v", err)
	}
	prover, err := zk.LoadProver(*rf.keys)
	if err != nil {
		return usage("keys: %v", err)
	}
	verifier, err := zk.LoadVerifier(*rf.keys)
	if err != nil {
		return usage("keys: %v", err)
	}
	proof, in, err := prover.Prove(wallet, req)
	if errors.Is(err, zk.ErrUnsatisfiable) {
		return refused("%v", err)
	} else if err != nil {
		return err
	}
	pf := ProofFile{Type: "agegate-proof", Version: zk.CircuitVersion, VK: verifier.Fingerprint(),
		Proof: base64.RawURLEncoding.EncodeToString(proof), Nullifier: field.Hex(in.Nullifier),
		IssuerRoot: field.Hex(in.IssuerRoot), CutoffDay: in.CutoffDay, Today: in.Today, MinAssurance: in.MinAssurance,
		Challenge: field.Hex(in.Challenge), Scope: field.Hex(in.Scope)}
	if err := writeJSON(*out, pf, false); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "nullifier: %s\n", pf.Nullifier)
	return nil
}

func runVerify(args []string, stdout io.Writer) error {
	fs := newFlags("verify")
	rf := addRequestFlags(fs)
	proofPath := fs.String("proof", "", "proof file")
	snarkjsDir := fs.String("export-snarkjs", "", "also write verification_key.json, proof.json and public.json for snarkjs into this directory")
	if err := parse(fs, args, append(requestRequired, "proof")...); err != nil {
		return err
	}
	pb, err := readFile("proof", *proofPath)
	if err != nil {
		return err
	}
	var pf ProofFile
	if err := credential.UnmarshalStrict(pb, &pf); err != nil || pf.Type != "agegate-proof" {
		return usage("%s is not an agegate proof file", *proofPath)
	}
	if err := zk.CheckCircuitVersion(pf.Version); err != nil {
		return usage("%s: proof file version %d: %v", *proofPath, pf.Version, err)
	}
	tb, err := readFile("trust list", *rf.trust)
	if err != nil {
		return err
	}
	_, root, err := trust.Parse(tb)
	if err != nil {
		return usage("trust list: %v", err)
	}
	today, err := days.Parse(*rf.today)
	if err != nil {
		return usage("--today: %v", err)
	}
	verifier, err := zk.LoadVerifier(filepath.Clean(*rf.keys))
	if err != nil {
		return usage("keys: %v", err)
	}
	proof, err := base64.RawURLEncoding.DecodeString(pf.Proof)
	if err != nil {
		return refused("proof is not base64url")
	}
	nullifier, err := field.FromHex(pf.Nullifier)
	if err != nil {
		return refused("nullifier: %v", err)
	}
	if pf.VK != verifier.Fingerprint() {
		return refused("proof was made for verifying key %s, not %s", pf.VK, verifier.Fingerprint())
	}
	req := zk.Request{IssuerRoot: root, Today: today, MinAge: *rf.minAge, MinAssurance: *rf.minAssurance,
		Nonce: *rf.nonce, Audience: *rf.audience, SiteID: *rf.scope}
	in, err := req.Inputs(nullifier)
	if err != nil {
		return usage("%v", err)
	}
	// The inputs come from the flags, never from the proof file: only the nullifier is the prover's.
	if err := verifier.Verify(proof, in); err != nil {
		return refused("%v", err)
	}
	if *snarkjsDir != "" {
		if err := exportSnarkjs(*snarkjsDir, *rf.keys, proof, in); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "valid: age >= %d, assurance >= %d, nullifier %s\n", *rf.minAge, *rf.minAssurance, pf.Nullifier)
	return nil
}

// exportSnarkjs writes the verified proof in snarkjs's JSON forms.
func exportSnarkjs(dir, keys string, proof []byte, in *zk.PublicInputs) error {
	raw, err := os.ReadFile(filepath.Join(keys, zk.VerifyingKeyFile))
	if err != nil {
		return usage("keys: %v", err)
	}
	vk, err := zk.ExportSnarkjsKey(raw)
	if err != nil {
		return err
	}
	p, public, err := zk.ExportSnarkjsProof(proof, in)
	if err != nil {
		return err
	}
	for name, v := range map[string]any{"verification_key.json": vk, "proof.json": p, "public.json": public} {
		if err := writeJSON(filepath.Join(dir, name), v, false); err != nil {
			return err
		}
	}
	return nil
}
