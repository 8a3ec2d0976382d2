// Package days converts calendar dates to the circuit's day numbers and back.
//
// A day number counts days since 1900-01-01 (day 0) in the proleptic Gregorian
// calendar. The circuit range-checks every day number to Bits bits, so the
// representable dates run from 1900-01-01 to 2258-11-11 inclusive; anything
// outside is refused here, before it reaches a prover or a verifier.
package days

import (
	"fmt"
	"time"
)

// Bits is the width every day number is range-checked to in the circuit.
const Bits = 17

// Max is the largest representable day number.
const Max = 1<<Bits - 1

var epoch = time.Date(1900, time.January, 1, 0, 0, 0, 0, time.UTC)

// Of returns the day number of the calendar date of t (its year, month and day, whatever its location).
func Of(t time.Time) (int, error) {
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	// Unix seconds, not time.Sub: a Duration saturates at about 292 years.
	n := int((d.Unix() - epoch.Unix()) / 86400)
	if n < 0 || n > Max {
		return 0, fmt.Errorf("date %s outside 1900-01-01..%s", d.Format(time.DateOnly), Date(Max).Format(time.DateOnly))
	}
	return n, nil
}

// Parse reads a YYYY-MM-DD date and returns its day number.
func Parse(s string) (int, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0, fmt.Errorf("date %q is not YYYY-MM-DD", s)
	}
	return Of(t)
}

// Date returns the date (UTC midnight) of day number n.
func Date(n int) time.Time { return epoch.AddDate(0, 0, n) }

// Format returns day number n as YYYY-MM-DD.
func Format(n int) string { return Date(n).Format(time.DateOnly) }

// MinusYears returns the date years before t, clamping 29 February to 28 February
// in a common year, exactly as java.time.LocalDate.minusYears does. Go's AddDate
// would normalise 2007-02-29 to 2007-03-01 instead, one day too late for a cutoff.
func MinusYears(t time.Time, years int) time.Time {
	y, m, d := t.Year()-years, t.Month(), t.Day()
	if m == time.February && d == 29 && !isLeap(y) {
		d = 28
	}
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Cutoff returns the day number of today.MinusYears(minAge): a person is at least
// minAge years old on today if and only if birthDay <= Cutoff(today, minAge).
func Cutoff(today int, minAge int) (int, error) {
	if minAge < 0 || minAge > 150 {
		return 0, fmt.Errorf("min age %d outside 0..150", minAge)
	}
	return Of(MinusYears(Date(today), minAge))
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }
