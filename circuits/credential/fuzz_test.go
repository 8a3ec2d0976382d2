package credential

import (
	"crypto/rand"
	"encoding/json"
	"testing"
)

func seeds(f *testing.F) {
	k, _ := NewIssuer(2, "Fuzz", "XX", rand.Reader)
	h, _ := NewHolder()
	s, _ := h.SecretElement()
	c, _ := k.Issue(Commitment(s), 30000, 45000, 47000, rand.Reader)
	for _, v := range []any{k, k.Public(), h, c} {
		b, _ := json.Marshal(v)
		f.Add(b)
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"type":"agegate-age-credential","version":1}`))
}

// Every decoder either refuses its input or returns a value that re-validates: no panic, no half-checked result.
func FuzzParseCredential(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		c, _, err := ParseCredential(b)
		if err != nil {
			return
		}
		if _, err := c.Verify(); err != nil {
			t.Fatalf("accepted credential does not re-verify: %v", err)
		}
	})
}

func FuzzParseIssuerKey(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := ParseIssuerKey(b)
		if err != nil {
			return
		}
		if _, err := k.private(); err != nil {
			t.Fatalf("accepted key has no usable private half: %v", err)
		}
		p := k.Public()
		if err := p.Validate(); err != nil {
			t.Fatalf("accepted key has an invalid public half: %v", err)
		}
	})
}

func FuzzParseHolder(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		_, s, err := ParseHolder(b)
		if err == nil && s.IsZero() {
			t.Fatal("zero secret accepted")
		}
	})
}
