package main

import (
	"fmt"
	"io"
	"os"

	"agegate.dev/circuits/ceremony"
)

// Registered here rather than in main.go's table, whose alignment gofmt would redo.
func init() {
	commands["ceremony"] = command{"multi-party setup: init, contribute, phase2, seal, verify", runCeremony}
}

// runCeremony dispatches the multi-party setup (package ceremony; docs/ceremony.md):
//
//	agezk ceremony init       --dir D
//	agezk ceremony contribute --dir D [--name N]
//	agezk ceremony phase2     --dir D --beacon HEX
//	agezk ceremony seal       --dir D --beacon HEX --out KEYDIR
//	agezk ceremony verify     --dir D [--keys KEYDIR]
//
// Every refusal (a file that does not verify, a closed phase, a bad beacon) exits 2, like
// unreadable input: a ceremony directory that does not verify is not usable input.
func runCeremony(args []string, stdout io.Writer) error {
	subs := map[string]func([]string, io.Writer) error{
		"init": ceremonyInit, "contribute": ceremonyContribute, "phase2": ceremonyPhase2,
		"seal": ceremonySeal, "verify": ceremonyVerify,
	}
	if len(args) == 0 {
		return usage("ceremony needs a subcommand: init, contribute, phase2, seal or verify")
	}
	f, ok := subs[args[0]]
	if !ok {
		return usage("unknown ceremony subcommand %q (init, contribute, phase2, seal, verify)", args[0])
	}
	return f(args[1:], stdout)
}

func ceremonyInit(args []string, stdout io.Writer) error {
	fs := newFlags("ceremony init")
	dir := fs.String("dir", "", "ceremony directory to create")
	if err := parse(fs, args, "dir"); err != nil {
		return err
	}
	t, err := ceremony.Init(*dir)
	if err != nil {
		return usage("%v", err)
	}
	fmt.Fprintf(stdout, "circuit: %s\ndomain: %d\n%s: %s\n", t.CircuitID, t.DomainSize, t.Phase1.Files[0].File, t.Phase1.Files[0].SHA256)
	return nil
}

func ceremonyContribute(args []string, stdout io.Writer) error {
	fs := newFlags("ceremony contribute")
	dir := fs.String("dir", "", "ceremony directory")
	name := fs.String("name", "", "your name as it will appear in the transcript (optional)")
	if err := parse(fs, args, "dir"); err != nil {
		return err
	}
	e, err := ceremony.Contribute(*dir, *name)
	if err != nil {
		return usage("%v", err)
	}
	fmt.Fprintf(stdout, "%s\ncontribution: %s\n", e.File, e.SHA256)
	return nil
}

func beaconFlag(fs interface {
	String(name, value, usage string) *string
}) *string {
	return fs.String("beacon", "", "public random value fixed in advance, hex, at least 32 bytes")
}

func ceremonyPhase2(args []string, stdout io.Writer) error {
	fs := newFlags("ceremony phase2")
	dir := fs.String("dir", "", "ceremony directory")
	b := beaconFlag(fs)
	if err := parse(fs, args, "dir", "beacon"); err != nil {
		return err
	}
	beacon, err := ceremony.ParseBeacon(*b)
	if err != nil {
		return usage("--beacon: %v", err)
	}
	e, err := ceremony.StartPhase2(*dir, beacon)
	if err != nil {
		return usage("%v", err)
	}
	fmt.Fprintf(stdout, "%s: %s\n", e.File, e.SHA256)
	return nil
}

func ceremonySeal(args []string, stdout io.Writer) error {
	fs := newFlags("ceremony seal")
	dir := fs.String("dir", "", "ceremony directory")
	b := beaconFlag(fs)
	out := fs.String("out", "", "directory for pk.bin, vk.bin, circuit-id and transcript.json")
	if err := parse(fs, args, "dir", "beacon", "out"); err != nil {
		return err
	}
	beacon, err := ceremony.ParseBeacon(*b)
	if err != nil {
		return usage("--beacon: %v", err)
	}
	res, err := ceremony.Seal(*dir, beacon, *out)
	if err != nil {
		return usage("%v", err)
	}
	fmt.Fprintf(stdout, "vk: %s\n", res.Fingerprint)
	return nil
}

func ceremonyVerify(args []string, stdout io.Writer) error {
	fs := newFlags("ceremony verify")
	dir := fs.String("dir", "", "ceremony directory")
	keys := fs.String("keys", "", "key directory to compare with what the ceremony produces")
	if err := parse(fs, args, "dir"); err != nil {
		return err
	}
	res, err := ceremony.Verify(*dir, *keys)
	if err != nil {
		return usage("%v", err)
	}
	fmt.Fprintf(stdout, "phase 1: %d contributions", res.Phase1Contributions)
	if res.Transcript.Phase1.Beacon != "" {
		fmt.Fprintf(stdout, ", beacon %s", res.Transcript.Phase1.Beacon)
	}
	fmt.Fprintln(stdout)
	if p := res.Transcript.Phase2; p != nil {
		fmt.Fprintf(stdout, "phase 2: %d contributions", res.Phase2Contributions)
		if p.Beacon != "" {
			fmt.Fprintf(stdout, ", beacon %s", p.Beacon)
		}
		fmt.Fprintln(stdout)
	}
	if res.Fingerprint != "" {
		fmt.Fprintf(stdout, "vk: %s\n", res.Fingerprint)
	} else {
		fmt.Fprintln(os.Stderr, "the ceremony is not sealed yet: no keys")
	}
	return nil
}
