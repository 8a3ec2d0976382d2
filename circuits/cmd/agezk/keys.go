package main

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"agegate.dev/circuits/credential"
	"agegate.dev/circuits/days"
	"agegate.dev/circuits/field"
	"agegate.dev/circuits/trust"
	"agegate.dev/circuits/zk"
)

// writeJSON writes v as indented JSON, atomically, readable by the owner only when secret.
func writeJSON(path string, v any, secret bool) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	perm := os.FileMode(0o644)
	if secret {
		perm = 0o600
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return usage("cannot create %s: %v", dir, err)
		}
	}
	if err := zk.WriteFileAtomic(path, append(b, '\n'), perm); err != nil {
		return usage("cannot write %s: %v", path, err)
	}
	return nil
}

func runSetup(args []string, stdout io.Writer) error {
	fs := newFlags("setup")
	out := fs.String("out", "", "directory for pk.bin and vk.bin")
	if err := parse(fs, args, "out"); err != nil {
		return err
	}
	ccs, err := zk.Compile()
	if err != nil {
		return err
	}
	pk, vk, err := zk.DevSetup()
	if err != nil {
		return err
	}
	if err := zk.SaveKeys(*out, pk, vk); err != nil {
		return usage("cannot write keys: %v", err)
	}
	fmt.Fprintln(os.Stderr, "WARNING: single-party development setup: whoever ran it can forge proofs. Production keys come from a multi-party ceremony.")
	fmt.Fprintf(stdout, "constraints: %d\n", ccs.GetNbConstraints())
	fmt.Fprintf(stdout, "vk: %s\n", zk.Fingerprint(zk.MarshalVerifyingKey(vk)))
	return nil
}

func runIssuer(args []string, stdout io.Writer) error {
	fs := newFlags("issuer")
	out := fs.String("out", "", "issuer key file to write (keep it secret)")
	level := fs.Int("level", 2, "assurance level 1..4 (ITU-T X.1254)")
	name := fs.String("name", "", "display name")
	country := fs.String("country", "", "ISO 3166 country code")
	if err := parse(fs, args, "out"); err != nil {
		return err
	}
	k, err := credential.NewIssuer(*level, *name, *country, rand.Reader)
	if err != nil {
		return usage("%v", err)
	}
	if err := writeJSON(*out, k, true); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "public key: %s %s\n", k.PublicKey.X, k.PublicKey.Y)
	return nil
}

func runTrust(args []string, stdout io.Writer) error {
	fs := newFlags("trust")
	out := fs.String("out", "", "trust list file to write")
	if err := parse(fs, args, "out"); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usage("give at least one ISSUER.json")
	}
	var pubs []credential.IssuerPublic
	for _, path := range fs.Args() {
		b, err := readFile("issuer", path)
		if err != nil {
			return err
		}
		p, err := credential.ParseIssuerPublic(b)
		if err != nil {
			return usage("%s: %v", path, err)
		}
		pubs = append(pubs, *p)
	}
	l, err := trust.Build(pubs)
	if err != nil {
		return usage("%v", err)
	}
	if err := writeJSON(*out, l, false); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "root: %s\n", l.Root)
	return nil
}

func runHolder(args []string, stdout io.Writer) error {
	fs := newFlags("holder")
	out := fs.String("out", "", "holder file to write (keep it secret)")
	if err := parse(fs, args, "out"); err != nil {
		return err
	}
	h, err := credential.NewHolder()
	if err != nil {
		return err
	}
	s, _ := h.SecretElement()
	if err := writeJSON(*out, h, true); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "commitment: %s\n", field.Hex(credential.Commitment(s)))
	return nil
}

func runIssue(args []string, stdout io.Writer) error {
	fs := newFlags("issue")
	issuerPath := fs.String("issuer", "", "issuer key file")
	holderPath := fs.String("holder", "", "holder file (or --holder-commitment)")
	commitmentHex := fs.String("holder-commitment", "", "holder commitment, 64 hex digits")
	birth := fs.String("birth", "", "birth date YYYY-MM-DD")
	issued := fs.String("issued", "", "issue date YYYY-MM-DD (default today, UTC)")
	expiry := fs.String("expiry", "", "expiry date YYYY-MM-DD")
	out := fs.String("out", "", "credential file to write")
	if err := parse(fs, args, "issuer", "birth", "expiry", "out"); err != nil {
		return err
	}
	if (*holderPath == "") == (*commitmentHex == "") {
		return usage("give exactly one of --holder and --holder-commitment")
	}
	b, err := readFile("issuer", *issuerPath)
	if err != nil {
		return err
	}
	k, err := credential.ParseIssuerKey(b)
	if err != nil {
		return usage("%s: %v", *issuerPath, err)
	}
	var commitment fr.Element
	if *holderPath != "" {
		hb, err := readFile("holder", *holderPath)
		if err != nil {
			return err
		}
		_, s, err := credential.ParseHolder(hb)
		if err != nil {
			return usage("%s: %v", *holderPath, err)
		}
		commitment = credential.Commitment(s)
	} else if commitment, err = field.FromHex(*commitmentHex); err != nil {
		return usage("--holder-commitment: %v", err)
	}
	bd, err := days.Parse(*birth)
	if err != nil {
		return usage("--birth: %v", err)
	}
	ed, err := days.Parse(*expiry)
	if err != nil {
		return usage("--expiry: %v", err)
	}
	id := todayUTC()
	if *issued != "" {
		if id, err = days.Parse(*issued); err != nil {
			return usage("--issued: %v", err)
		}
	}
	cred, err := k.Issue(commitment, bd, id, ed, rand.Reader)
	if err != nil {
		return usage("%v", err)
	}
	if err := writeJSON(*out, cred, false); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "credential: %s\n", cred.CredentialID)
	return nil
}
