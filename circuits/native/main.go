// Command native is the C ABI of the circuits module, built with
// `go build -buildmode=c-shared -o libagezk.so ./native` and loaded from Java by
// dev.agegate.zk.NativeLib (JNA direct mapping).
//
// Contract of every exported function:
//   - it returns an int32 status from the Status enum below (keep in sync with
//     dev.agegate.zk.ZkStatus);
//   - inputs are caller-owned (pointer, length) byte buffers, read and never kept;
//   - outputs go to caller-allocated buffers: fixed 32/256-byte ones, or (out,
//     capacity, *written) for JSON, where BUFFER_TOO_SMALL sets *written to the
//     size needed so the caller can retry;
//   - no Go memory and no C string crosses the boundary;
//   - a panic is recovered and reported as INTERNAL: bad input never crashes the host.
//     A recover cannot catch Go's fatal out-of-memory error, so key bytes are checked
//     against the circuit's framing before gnark decodes them (zk/keyframe.go); a pinned
//     verifying key is hashed and compared by the Java caller before it gets here.
//
// Keys are loaded once and held behind opaque uint64 handles.
package main

/*
#include <stdint.h>
*/
import "C"

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"unsafe"

	"agegate.dev/circuits/zk"
)

// Status codes. Keep in sync with dev.agegate.zk.ZkStatus (Java).
const (
	StatusOK              = 0
	StatusProofInvalid    = 1
	StatusProofMalformed  = 2
	StatusInputMalformed  = 3
	StatusKeyInvalid      = 4
	StatusHandleInvalid   = 5
	StatusBufferTooSmall  = 6
	StatusArgumentInvalid = 7
	StatusUnsatisfiable   = 8
	StatusInternal        = 9
)

var (
	nextHandle atomic.Uint64
	handles    sync.Map // uint64 -> *zk.Verifier | *zk.Prover
)

func main() {}

// in views a caller buffer; nil with n > 0, or n < 0, is an argument error.
func in(p *C.uint8_t, n C.int64_t) ([]byte, bool) {
	if n < 0 || (p == nil && n > 0) {
		return nil, false
	}
	if n == 0 {
		return []byte{}, true
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(p)), int(n)), true
}

// out views a caller output buffer of exactly n bytes.
func out(p *C.uint8_t, n int) ([]byte, bool) {
	if p == nil {
		return nil, false
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(p)), n), true
}

// writeJSON copies data to (p, capacity) and stores its length in *written.
func writeJSON(data []byte, p *C.uint8_t, capacity C.int64_t, written *C.int64_t) C.int32_t {
	if written == nil || capacity < 0 || (p == nil && capacity > 0) {
		return StatusArgumentInvalid
	}
	*written = C.int64_t(len(data))
	if int64(len(data)) > int64(capacity) {
		return StatusBufferTooSmall
	}
	if len(data) > 0 {
		copy(unsafe.Slice((*byte)(unsafe.Pointer(p)), len(data)), data)
	}
	return StatusOK
}

func guard(status *C.int32_t) {
	if r := recover(); r != nil {
		*status = StatusInternal
	}
}

func store(v any, handle *C.uint64_t) C.int32_t {
	h := nextHandle.Add(1)
	handles.Store(h, v)
	*handle = C.uint64_t(h)
	return StatusOK
}

//export agz_verifier_load
func agz_verifier_load(vk *C.uint8_t, vkLen C.int64_t, handle *C.uint64_t) (status C.int32_t) {
	defer guard(&status)
	raw, ok := in(vk, vkLen)
	if !ok || handle == nil {
		return StatusArgumentInvalid
	}
	v, err := zk.NewVerifier(raw)
	if err != nil {
		return StatusKeyInvalid
	}
	return store(v, handle)
}

//export agz_prover_load
func agz_prover_load(pk *C.uint8_t, pkLen C.int64_t, handle *C.uint64_t) (status C.int32_t) {
	defer guard(&status)
	raw, ok := in(pk, pkLen)
	if !ok || handle == nil {
		return StatusArgumentInvalid
	}
	p, err := zk.NewProver(raw)
	if err != nil {
		return StatusKeyInvalid
	}
	return store(p, handle)
}

//export agz_free
func agz_free(handle C.uint64_t) (status C.int32_t) {
	defer guard(&status)
	if _, loaded := handles.LoadAndDelete(uint64(handle)); !loaded {
		return StatusHandleInvalid
	}
	return StatusOK
}

//export agz_verifier_fingerprint
func agz_verifier_fingerprint(handle C.uint64_t, fingerprint *C.uint8_t) (status C.int32_t) {
	defer guard(&status)
	v, ok := verifier(handle)
	if !ok {
		return StatusHandleInvalid
	}
	dst, ok := out(fingerprint, 64)
	if !ok {
		return StatusArgumentInvalid
	}
	copy(dst, v.Fingerprint())
	return StatusOK
}

func verifier(handle C.uint64_t) (*zk.Verifier, bool) {
	v, ok := handles.Load(uint64(handle))
	if !ok {
		return nil, false
	}
	ver, ok := v.(*zk.Verifier)
	return ver, ok
}

//export agz_verify
func agz_verify(handle C.uint64_t, proof *C.uint8_t, proofLen C.int64_t, inputs *C.uint8_t, inputsLen C.int64_t) (status C.int32_t) {
	defer guard(&status)
	v, ok := verifier(handle)
	if !ok {
		return StatusHandleInvalid
	}
	p, ok1 := in(proof, proofLen)
	i, ok2 := in(inputs, inputsLen)
	if !ok1 || !ok2 {
		return StatusArgumentInvalid
	}
	return verifyStatus(v.VerifyEncoded(p, i))
}

func verifyStatus(err error) C.int32_t {
	switch {
	case err == nil:
		return StatusOK
	case errors.Is(err, zk.ErrInputMalformed):
		return StatusInputMalformed
	case errors.Is(err, zk.ErrProofMalformed):
		return StatusProofMalformed
	case errors.Is(err, zk.ErrProofInvalid):
		return StatusProofInvalid
	default:
		return StatusInternal
	}
}

// proveRequest is the JSON request of agz_prove.
type proveRequest struct {
	Today        string `json:"today"`
	MinAge       int    `json:"min_age"`
	MinAssurance int    `json:"min_assurance"`
	Nonce        string `json:"nonce"`
	Audience     string `json:"audience"`
	Site         string `json:"site"`
}

//export agz_prove
func agz_prove(handle C.uint64_t,
	credential *C.uint8_t, credentialLen C.int64_t,
	holder *C.uint8_t, holderLen C.int64_t,
	trustList *C.uint8_t, trustLen C.int64_t,
	request *C.uint8_t, requestLen C.int64_t,
	proofOut *C.uint8_t, nullifierOut *C.uint8_t) (status C.int32_t) {
	defer guard(&status)
	v, ok := handles.Load(uint64(handle))
	if !ok {
		return StatusHandleInvalid
	}
	prover, ok := v.(*zk.Prover)
	if !ok {
		return StatusHandleInvalid
	}
	c, ok1 := in(credential, credentialLen)
	h, ok2 := in(holder, holderLen)
	t, ok3 := in(trustList, trustLen)
	r, ok4 := in(request, requestLen)
	pOut, ok5 := out(proofOut, zk.ProofSize)
	nOut, ok6 := out(nullifierOut, 32)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) {
		return StatusArgumentInvalid
	}
	var pr proveRequest
	if err := json.Unmarshal(r, &pr); err != nil {
		return StatusArgumentInvalid
	}
	wallet, req, err := zk.OpenWallet(c, h, t, pr.Today, pr.MinAge, pr.MinAssurance, pr.Nonce, pr.Audience, pr.Site)
	if err != nil {
		return StatusArgumentInvalid
	}
	// Proving fans out over goroutines. The calling goroutine is locked to the
	// foreign (JVM) thread, and every hand-off with a locked M is a thread switch,
	// so prove on an ordinary goroutine and wait once.
	type result struct {
		proof  []byte
		inputs *zk.PublicInputs
		err    error
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- result{err: fmt.Errorf("prover panic: %v", r)}
			}
		}()
		p, in, err := prover.Prove(wallet, req)
		done <- result{p, in, err}
	}()
	res := <-done
	proof, inputs, err := res.proof, res.inputs, res.err
	if errors.Is(err, zk.ErrUnsatisfiable) {
		return StatusUnsatisfiable
	} else if err != nil {
		return StatusInternal
	}
	copy(pOut, proof)
	nb := inputs.Nullifier.Bytes()
	copy(nOut, nb[:])
	return StatusOK
}
