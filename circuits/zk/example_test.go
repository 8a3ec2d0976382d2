package zk_test

import (
	"crypto/rand"
	"fmt"

	"agegate.dev/circuits/credential"
	"agegate.dev/circuits/days"
	"agegate.dev/circuits/trust"
	"agegate.dev/circuits/zk"
)

// Example runs the whole life of a proof: an issuer signs a credential for a
// holder's commitment, a verifier asks "18 or older?", the wallet proves, the
// verifier checks the proof against public inputs it computed itself.
func Example() {
	pk, vk, _ := zk.DevSetup() // single-party: for development only
	issuer, _ := credential.NewIssuer(3, "Example issuer", "DE", rand.Reader)
	list, _ := trust.Build([]credential.IssuerPublic{issuer.Public()})
	root, _ := list.ComputeRoot()

	holder, _ := credential.NewHolder()
	secret, _ := holder.SecretElement()
	birth, _ := days.Parse("2000-02-29")
	issued, _ := days.Parse("2025-01-01")
	expiry, _ := days.Parse("2030-01-01")
	cred, _ := issuer.Issue(credential.Commitment(secret), birth, issued, expiry, rand.Reader)
	fields, _ := cred.Verify()

	today, _ := days.Parse("2026-11-28")
	req := &zk.Request{IssuerRoot: root, Today: today, MinAge: 18, MinAssurance: 2,
		Nonce: "a-fresh-nonce", Audience: "https://gateway.example", SiteID: "demo-shop"}
	proof, in, err := zk.NewProverFromKey(pk).Prove(&zk.Wallet{Credential: fields, Secret: secret, Trust: list}, req)
	if err != nil {
		fmt.Println("prove:", err)
		return
	}
	verifier, _ := zk.NewVerifier(zk.MarshalVerifyingKey(vk))
	fmt.Println("proof bytes:", len(proof))
	fmt.Println("verified:", verifier.Verify(proof, in) == nil)
	req.MinAge = 30
	in30, _ := req.Inputs(in.Nullifier)
	fmt.Println("verified for 30+:", verifier.Verify(proof, in30) == nil)
	// Output:
	// proof bytes: 256
	// verified: true
	// verified for 30+: false
}
