package oid4vp

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// A response whose connection is lost is posted again to the same URI; a 503 is retried after
// its Retry-After; the retry's answer is what the wallet reports, with lost set.
func TestPostRetrying_connectionLostThen503ThenVerified(t *testing.T) {
	var n atomic.Int32
	var waited []time.Duration
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch n.Add(1) {
		case 1: // the node dies mid-request
			c, _, err := w.(http.Hijacker).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			c.Close()
		case 2:
			w.Header().Set("Retry-After", "2")
			w.WriteHeader(http.StatusServiceUnavailable)
		default:
			w.Write([]byte(`{"status":"verified"}`))
		}
	}))
	defer srv.Close()
	ro := &RequestObject{ResponseURI: srv.URL + "/v1/responses/r", State: "s"}
	status, body, lost, err := PostRetrying(ro, "vp", 5, func(d time.Duration) { waited = append(waited, d) })
	if err != nil || status != 200 || body != `{"status":"verified"}` || !lost {
		t.Fatalf("got %d %q lost=%v err=%v", status, body, lost, err)
	}
	if n.Load() != 3 || len(waited) != 2 || waited[0] != 250*time.Millisecond || waited[1] != 2*time.Second {
		t.Fatalf("posts %d, waits %v", n.Load(), waited)
	}
}

// A refusal is final: no retry.
func TestPostRetrying_refusal_notRetried(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.WriteHeader(http.StatusUnprocessableEntity)
	}))
	defer srv.Close()
	status, _, lost, err := PostRetrying(&RequestObject{ResponseURI: srv.URL}, "vp", 5, func(time.Duration) { t.Fatal("waited") })
	if err != nil || status != 422 || lost || n.Load() != 1 {
		t.Fatalf("got %d lost=%v err=%v after %d posts", status, lost, err, n.Load())
	}
}

// Every attempt losing its connection ends in the error, after exactly attempts posts.
func TestPostRetrying_alwaysLost_errorAfterAttempts(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		c, _, _ := w.(http.Hijacker).Hijack()
		c.Close()
	}))
	defer srv.Close()
	var waited []time.Duration
	_, _, lost, err := PostRetrying(&RequestObject{ResponseURI: srv.URL}, "vp", 3, func(d time.Duration) { waited = append(waited, d) })
	if err == nil || !lost || n.Load() != 3 {
		t.Fatalf("lost=%v err=%v after %d posts", lost, err, n.Load())
	}
	// A backoff between lost attempts (a load balancer needs time to notice a dead node), none after the last.
	if len(waited) != 2 || waited[0] != 250*time.Millisecond || waited[1] != 500*time.Millisecond {
		t.Fatalf("waits %v", waited)
	}
}

func TestLostBackoff_doublesFrom250msCappedAt4s(t *testing.T) {
	want := []time.Duration{250 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second, 4 * time.Second}
	for i, w := range want {
		if got := LostBackoff(i); got != w {
			t.Fatalf("LostBackoff(%d) = %v, want %v", i, got, w)
		}
	}
}
