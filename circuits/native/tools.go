package main

/*
#include <stdint.h>
*/
import "C"

import (
	"crypto/rand"
	"encoding/json"

	"agegate.dev/circuits/credential"
	"agegate.dev/circuits/field"
	"agegate.dev/circuits/trust"
	"agegate.dev/circuits/zk"
)

//export agz_dev_setup
func agz_dev_setup(dir *C.uint8_t, dirLen C.int64_t) (status C.int32_t) {
	defer guard(&status)
	d, ok := in(dir, dirLen)
	if !ok || len(d) == 0 {
		return StatusArgumentInvalid
	}
	pk, vk, err := zk.DevSetup()
	if err != nil {
		return StatusInternal
	}
	if err := zk.SaveKeys(string(d), pk, vk); err != nil {
		return StatusArgumentInvalid
	}
	return StatusOK
}

func marshal(v any) []byte {
	b, _ := json.MarshalIndent(v, "", "  ")
	return append(b, '\n')
}

//export agz_circuit_id
func agz_circuit_id(out64 *C.uint8_t) (status C.int32_t) {
	defer guard(&status)
	dst, ok := out(out64, 64)
	if !ok {
		return StatusArgumentInvalid
	}
	id, err := zk.CircuitID()
	if err != nil {
		return StatusInternal
	}
	copy(dst, id)
	return StatusOK
}

//export agz_issuer_new
func agz_issuer_new(level C.int32_t, outBuf *C.uint8_t, capacity C.int64_t, written *C.int64_t) (status C.int32_t) {
	defer guard(&status)
	k, err := credential.NewIssuer(int(level), "", "", rand.Reader)
	if err != nil {
		return StatusArgumentInvalid
	}
	return writeJSON(marshal(k), outBuf, capacity, written)
}

//export agz_issuer_public
func agz_issuer_public(issuer *C.uint8_t, issuerLen C.int64_t, outBuf *C.uint8_t, capacity C.int64_t, written *C.int64_t) (status C.int32_t) {
	defer guard(&status)
	b, ok := in(issuer, issuerLen)
	if !ok {
		return StatusArgumentInvalid
	}
	p, err := credential.ParseIssuerPublic(b)
	if err != nil {
		return StatusArgumentInvalid
	}
	return writeJSON(marshal(p), outBuf, capacity, written)
}

//export agz_issue
func agz_issue(issuer *C.uint8_t, issuerLen C.int64_t, commitment *C.uint8_t,
	birthDay, issuedDay, expiryDay C.int32_t,
	outBuf *C.uint8_t, capacity C.int64_t, written *C.int64_t) (status C.int32_t) {
	defer guard(&status)
	b, ok1 := in(issuer, issuerLen)
	cb, ok2 := in(commitment, 32)
	if !ok1 || !ok2 || commitment == nil {
		return StatusArgumentInvalid
	}
	k, err := credential.ParseIssuerKey(b)
	if err != nil {
		return StatusKeyInvalid
	}
	c, err := field.FromBytes(cb)
	if err != nil {
		return StatusInputMalformed
	}
	cred, err := k.Issue(c, int(birthDay), int(issuedDay), int(expiryDay), rand.Reader)
	if err != nil || birthDay < 0 || expiryDay > C.int32_t(1<<17-1) {
		return StatusArgumentInvalid
	}
	return writeJSON(marshal(cred), outBuf, capacity, written)
}

//export agz_holder_new
func agz_holder_new(outBuf *C.uint8_t, capacity C.int64_t, written *C.int64_t) (status C.int32_t) {
	defer guard(&status)
	h, err := credential.NewHolder()
	if err != nil {
		return StatusInternal
	}
	return writeJSON(marshal(h), outBuf, capacity, written)
}

//export agz_holder_commitment
func agz_holder_commitment(holder *C.uint8_t, holderLen C.int64_t, commitmentOut *C.uint8_t) (status C.int32_t) {
	defer guard(&status)
	b, ok1 := in(holder, holderLen)
	dst, ok2 := out(commitmentOut, 32)
	if !ok1 || !ok2 {
		return StatusArgumentInvalid
	}
	_, s, err := credential.ParseHolder(b)
	if err != nil {
		return StatusArgumentInvalid
	}
	c := credential.Commitment(s)
	cb := c.Bytes()
	copy(dst, cb[:])
	return StatusOK
}

//export agz_trust_build
func agz_trust_build(issuers *C.uint8_t, issuersLen C.int64_t, outBuf *C.uint8_t, capacity C.int64_t, written *C.int64_t) (status C.int32_t) {
	defer guard(&status)
	b, ok := in(issuers, issuersLen)
	if !ok {
		return StatusArgumentInvalid
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return StatusArgumentInvalid
	}
	pubs := make([]credential.IssuerPublic, 0, len(raw))
	for _, r := range raw {
		p, err := credential.ParseIssuerPublic(r)
		if err != nil {
			return StatusArgumentInvalid
		}
		pubs = append(pubs, *p)
	}
	l, err := trust.Build(pubs)
	if err != nil {
		return StatusArgumentInvalid
	}
	return writeJSON(l.JSON(), outBuf, capacity, written)
}

//export agz_trust_root
func agz_trust_root(list *C.uint8_t, listLen C.int64_t, rootOut *C.uint8_t) (status C.int32_t) {
	defer guard(&status)
	b, ok1 := in(list, listLen)
	dst, ok2 := out(rootOut, 32)
	if !ok1 || !ok2 {
		return StatusArgumentInvalid
	}
	_, root, err := trust.Parse(b)
	if err != nil {
		return StatusArgumentInvalid
	}
	rb := root.Bytes()
	copy(dst, rb[:])
	return StatusOK
}
