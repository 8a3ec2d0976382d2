package zk

import (
	"fmt"

	"agegate.dev/circuits/credential"
	"agegate.dev/circuits/days"
	"agegate.dev/circuits/trust"
)

// OpenWallet decodes a wallet's three files (credential, holder, trust list) and a
// request in plain values. The request's issuer root is the trust list's own root:
// a wallet that fetched the list from its verifier proves against that list.
func OpenWallet(credentialJSON, holderJSON, trustJSON []byte, today string, minAge, minAssurance int, nonce, audience, site string) (*Wallet, *Request, error) {
	_, fields, err := credential.ParseCredential(credentialJSON)
	if err != nil {
		return nil, nil, fmt.Errorf("credential: %w", err)
	}
	_, secret, err := credential.ParseHolder(holderJSON)
	if err != nil {
		return nil, nil, fmt.Errorf("holder: %w", err)
	}
	list, root, err := trust.Parse(trustJSON)
	if err != nil {
		return nil, nil, fmt.Errorf("trust list: %w", err)
	}
	day, err := days.Parse(today)
	if err != nil {
		return nil, nil, fmt.Errorf("today: %w", err)
	}
	if nonce == "" || audience == "" || site == "" {
		return nil, nil, fmt.Errorf("nonce, audience and site are required")
	}
	req := &Request{IssuerRoot: root, Today: day, MinAge: minAge, MinAssurance: minAssurance, Nonce: nonce, Audience: audience, SiteID: site}
	if _, err := req.Inputs(root); err != nil { // validates age and level ranges
		return nil, nil, err
	}
	return &Wallet{Credential: fields, Secret: secret, Trust: list}, req, nil
}
