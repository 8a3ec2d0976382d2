package main

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"agegate.dev/circuits/oid4vp"
	"agegate.dev/circuits/zk"
)

func runWallet(args []string, stdout io.Writer) error {
	fs := newFlags("wallet")
	credPath := fs.String("credential", "", "credential file")
	holderPath := fs.String("holder", "", "holder file")
	keys := fs.String("keys", "", "key directory with pk.bin (default: fetch the gateway's proving key)")
	decline := fs.Bool("decline", false, "decline the request: tell the gateway (error=access_denied) and prove nothing")
	roots := fs.String("x5c-roots", "", "PEM file of CA certificates the request's x5c chain must lead to (default: trust the gateway's origin and JWKS)")
	if err := parse(fs, args, "credential", "holder"); err != nil {
		return err
	}
	if *roots != "" {
		pem, err := readFile("x5c-roots", *roots)
		if err != nil {
			return err
		}
		oid4vp.Roots = x509.NewCertPool()
		if !oid4vp.Roots.AppendCertsFromPEM(pem) {
			return usage("x5c-roots: no PEM certificate in %s", *roots)
		}
	}
	if fs.NArg() != 1 {
		return usage("give exactly one LINK (openid4vp://… or https://…)")
	}
	cb, err := readFile("credential", *credPath)
	if err != nil {
		return err
	}
	hb, err := readFile("holder", *holderPath)
	if err != nil {
		return err
	}
	requestURI, clientID, err := oid4vp.ParseLink(fs.Arg(0))
	if err != nil {
		return usage("%v", err)
	}
	ro, err := oid4vp.FetchRequestObject(requestURI, clientID)
	if err != nil {
		return refused("request refused: %v", err)
	}
	name := ro.AgeGate.SiteName
	if name == "" {
		name = ro.AgeGate.Site
	}
	fmt.Fprintf(stdout, "%s asks: are you %d or older?\n", name, ro.AgeGate.MinAge)
	if ro.AgeGate.SiteOrigin != "" || ro.AgeGate.ConfirmationCode != "" {
		fmt.Fprintf(stdout, "site %s, confirmation code %s (the gate shows the same)\n", ro.AgeGate.SiteOrigin, ro.AgeGate.ConfirmationCode)
	}
	if *decline {
		status, body, err := oid4vp.PostError(ro, "access_denied")
		if err != nil {
			return refused("posting the refusal: %v", err)
		}
		if status/100 != 2 {
			return refused("the gateway refused the refusal: %d %s", status, body)
		}
		fmt.Fprintf(stdout, "declined: %d %s\n", status, body)
		return nil
	}
	trustJSON, err := oid4vp.Fetch(ro.AgeGate.TrustListURI, requestURI)
	if err != nil {
		return refused("trust list: %v", err)
	}
	var pkRaw []byte
	if *keys != "" {
		if pkRaw, err = os.ReadFile(filepath.Join(*keys, zk.ProvingKeyFile)); err != nil {
			return usage("keys: %v", err)
		}
	} else if pkRaw, err = oid4vp.Fetch(ro.AgeGate.ProvingKeyURI, requestURI); err != nil {
		return refused("proving key: %v", err)
	}
	// The signed request names the key's SHA-256: a gateway (or a network in between) cannot
	// hand this wallet a key that would not hide the witness.
	if err := zk.CheckProvingKeyDigest(pkRaw, ro.AgeGate.PKSha256); err != nil {
		return refused("%v", err)
	}
	prover, err := zk.NewProver(pkRaw)
	if err != nil {
		return refused("proving key: %v", err)
	}
	vpToken, err := oid4vp.Prove(prover, ro, cb, hb, trustJSON)
	if errors.Is(err, zk.ErrUnsatisfiable) {
		// the credential cannot answer: say so to the gate (no reason given), so it can start again
		_, _, _ = oid4vp.PostError(ro, "access_denied")
		return refused("%v", err)
	} else if err != nil {
		return refused("%v", err)
	}
	// A lost connection or a 503 is retried against the same response URI (5 posts at most).
	status, body, lost, err := oid4vp.PostRetrying(ro, vpToken, 5, time.Sleep)
	if err != nil {
		return refused("posting the response: %v", err)
	}
	if lost && status == 409 && strings.Contains(body, "nonce_replayed") {
		return refused("the gateway already had this response: an earlier attempt whose answer was lost may have been verified; the site's page shows the outcome")
	}
	if status/100 != 2 {
		return refused("the gateway rejected the proof: %d %s", status, body)
	}
	fmt.Fprintf(stdout, "verified: %d %s\n", status, body)
	return nil
}
