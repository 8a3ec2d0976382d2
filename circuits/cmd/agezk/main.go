// Command agezk is the circuits' command-line tool for issuers, wallets and operators:
//
//	agezk setup   --out KEYDIR
//	agezk issuer  --out issuer.json [--level 1..4] [--name N] [--country CC]
//	agezk trust   --out trust.json ISSUER.json...
//	agezk holder  --out holder.json
//	agezk issue   --issuer issuer.json (--holder holder.json | --holder-commitment HEX)
//	              --birth YYYY-MM-DD --expiry YYYY-MM-DD [--issued YYYY-MM-DD] --out cred.json
//	agezk prove   --keys KEYDIR --trust trust.json --credential cred.json --holder holder.json
//	              --min-age N --today YYYY-MM-DD [--min-assurance L] --audience A --nonce NONCE
//	              --scope SITE --out proof.json
//	agezk verify  --keys KEYDIR --trust trust.json --proof proof.json --min-age N --today YYYY-MM-DD
//	              [--min-assurance L] --audience A --nonce NONCE --scope SITE
//	agezk wallet  --credential cred.json --holder holder.json [--keys KEYDIR] LINK
//
// Exit status: 0 success (for verify: the proof is valid), 1 a refusal (verify:
// the proof is invalid; prove: the credential cannot satisfy the request; wallet:
// the gateway rejected the proof), 2 bad usage or unreadable input. The reason
// goes to stderr.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
)

// exitError carries an exit status with its message.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

func usage(format string, a ...any) error {
	return &exitError{2, fmt.Errorf(format, a...)}
}

func refused(format string, a ...any) error {
	return &exitError{1, fmt.Errorf(format, a...)}
}

type command struct {
	summary string
	run     func(args []string, stdout io.Writer) error
}

var commands = map[string]command{
	"setup":  {"single-party development setup of the circuit keys", runSetup},
	"issuer": {"new issuer key", runIssuer},
	"trust":  {"trust list from issuers' public parts", runTrust},
	"holder": {"new holder secret", runHolder},
	"issue":  {"sign a credential for a holder", runIssue},
	"prove":  {"prove a request from a credential", runProve},
	"verify": {"verify a proof against a request", runVerify},
	"wallet": {"answer an openid4vp:// or https request link", runWallet},
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printUsage(stderr)
		return 2
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "agezk: unknown command %q\n", args[0])
		printUsage(stderr)
		return 2
	}
	err := cmd.run(args[1:], stdout)
	if err == nil {
		return 0
	}
	if errors.Is(err, flag.ErrHelp) {
		return 2
	}
	fmt.Fprintf(stderr, "agezk %s: %v\n", args[0], err)
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return 2
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: agezk COMMAND [flags]   (agezk COMMAND -h for its flags)")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-7s %s\n", n, commands[n].summary)
	}
}

// newFlags returns a flag set that reports errors instead of exiting.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("agezk "+name, flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	return fs
}

// parse parses flags, then checks required ones and positional arguments.
func parse(fs *flag.FlagSet, args []string, required ...string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usage("%v", err)
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, r := range required {
		if !set[r] {
			return usage("--%s is required", r)
		}
	}
	return nil
}

func readFile(what, path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, usage("cannot read %s: %v", what, err)
	}
	return b, nil
}
