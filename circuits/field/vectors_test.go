package field_test

import (
	"encoding/json"
	"flag"
	"os"
	"testing"

	"agegate.dev/circuits/agecircuit"
	"agegate.dev/circuits/days"
	"agegate.dev/circuits/field"
)

var update = flag.Bool("update", false, "rewrite testdata/vectors.json")

// Vectors are shared with the Java binding's tests (PublicInputsTest), which must compute the same values.
type Vectors struct {
	CircuitVersion int // the Java binding's PublicInputs.CIRCUIT_VERSION must equal it
	Challenges     []struct{ Nonce, Audience, Hex string }
	Scopes         []struct{ Site, Hex string }
	Cutoffs        []struct {
		Today  string
		MinAge int
		Cutoff string
		Day    int
	}
}

func compute() Vectors {
	v := Vectors{CircuitVersion: agecircuit.Version}
	for _, c := range [][2]string{{"n0nce", "http://localhost:8090"}, {"", ""}, {"ab", "c"}, {"a", "bc"}, {"ünïcödé", "https://gateway.example/é"}} {
		v.Challenges = append(v.Challenges, struct{ Nonce, Audience, Hex string }{c[0], c[1], field.Hex(field.Challenge(c[0], c[1]))})
	}
	for _, s := range []string{"demo-shop", "", "a-very-long-site-identifier-with-more-than-thirty-two-bytes"} {
		v.Scopes = append(v.Scopes, struct{ Site, Hex string }{s, field.Hex(field.Scope(s))})
	}
	for _, c := range []struct {
		t string
		n int
	}{{"2026-11-28", 18}, {"2026-02-28", 18}, {"2026-03-01", 18}, {"2024-02-29", 21}, {"2024-02-29", 4}, {"2000-01-01", 0}} {
		today, _ := days.Parse(c.t)
		cut, _ := days.Cutoff(today, c.n)
		v.Cutoffs = append(v.Cutoffs, struct {
			Today  string
			MinAge int
			Cutoff string
			Day    int
		}{c.t, c.n, days.Format(cut), cut})
	}
	return v
}

func TestVectors_matchTestdata(t *testing.T) {
	got, _ := json.MarshalIndent(compute(), "", "  ")
	path := "../testdata/vectors.json"
	if *update {
		if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != string(got)+"\n" {
		t.Fatalf("vectors changed; if intended, run go test ./field -run Vectors -update and update the Java side")
	}
}
