package days

import (
	"testing"
	"time"
)

func TestOf_epochAndKnownDates(t *testing.T) {
	cases := map[string]int{"1900-01-01": 0, "1900-03-01": 59, "2000-01-01": 36524, "2000-02-29": 36583, "2258-11-11": Max}
	for s, want := range cases {
		got, err := Parse(s)
		if err != nil || got != want {
			t.Errorf("Parse(%s) = %d, %v; want %d", s, got, err, want)
		}
		if Format(want) != s {
			t.Errorf("Format(%d) = %s; want %s", want, Format(want), s)
		}
	}
}

func TestParse_outOfRange_refused(t *testing.T) {
	for _, s := range []string{"1899-12-31", "2258-11-12", "2024-02-30", "24-01-01", ""} {
		if _, err := Parse(s); err == nil {
			t.Errorf("Parse(%q) accepted", s)
		}
	}
}

func TestMinusYears_leapDayClampsTo28February(t *testing.T) {
	got := MinusYears(time.Date(2026, 2, 28, 0, 0, 0, 0, time.UTC), 18)
	if got.Format(time.DateOnly) != "2008-02-28" {
		t.Fatalf("got %s", got.Format(time.DateOnly))
	}
	got = MinusYears(time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), 1)
	if got.Format(time.DateOnly) != "2023-02-28" {
		t.Fatalf("got %s", got.Format(time.DateOnly))
	}
	got = MinusYears(time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), 4)
	if got.Format(time.DateOnly) != "2020-02-29" {
		t.Fatalf("got %s", got.Format(time.DateOnly))
	}
}

// A person born on 29 February 2008 turns 18 on 1 March 2026, not on 28 February.
func TestCutoff_bornOnLeapDay_adultFromFirstMarch(t *testing.T) {
	birth, _ := Parse("2008-02-29")
	feb28, _ := Parse("2026-02-28")
	mar1, _ := Parse("2026-03-01")
	c1, _ := Cutoff(feb28, 18)
	c2, _ := Cutoff(mar1, 18)
	if birth <= c1 {
		t.Errorf("adult on 28 Feb: cutoff %s", Format(c1))
	}
	if birth > c2 {
		t.Errorf("not adult on 1 Mar: cutoff %s", Format(c2))
	}
}
