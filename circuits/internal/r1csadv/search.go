package r1csadv

import (
	"fmt"
	"math/rand"
	"runtime"
	"slices"
	"sync"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/frontend"
)

// Defaults of SearchOptions.
const (
	DefaultMaxSingle = 64
	DefaultRandom    = 64
)

// randomRates are the per-decision deviation probabilities of Search's random mixtures,
// used in turn, so that both dense and sparse deviations are tried.
var randomRates = []float64{1.0 / 2, 1.0 / 16, 1.0 / 128, 1.0 / 1024}

// SearchOptions bounds a Search. Zero values take the defaults.
type SearchOptions struct {
	// Seed seeds the sampling of decisions, the random mixtures and EdgeValues.
	Seed int64
	// Values are the deviations tried; nil means EdgeValues(Seed).
	Values []fr.Element
	// MaxSingle caps how many decisions of the honest run get single deviations: every
	// FreeWire and Unassigned decision first, then hint outputs sampled without replacement
	// (seeded). 0 means DefaultMaxSingle; negative disables phase 1.
	MaxSingle int
	// Random is the number of random mixtures. 0 means DefaultRandom; negative disables.
	Random int
	// Workers is the number of concurrent solves; 0 means GOMAXPROCS.
	Workers int
}

// Search plays a cheating prover on the statement of assignment and returns the first
// strategy's Result whose wires satisfy every R1C by Check (and nil if none did), with the
// number of strategies it tried. In order, it tries:
//
//  0. the honest strategy (if it satisfies, the statement is not false: that Result is returned);
//  1. for each of up to MaxSingle decisions of the honest run (all FreeWire and Unassigned
//     decisions first, then a seeded sample of hint outputs) and each value v of Values other
//     than the honest one: every decision honest except that wire set to v (later honest values
//     are recomputed from the deviated state, e.g. hints rerun on the new inputs);
//  2. if the honest run had any FreeWire or Unassigned decision, for each v: FreeWiresTo(v);
//  3. Random mixtures: each decision honest, or with probability 1/2, 1/16, 1/128 or 1/1024
//     (in turn) a random element of Values (seeded by Seed and the mixture's index).
//
// The cost is about (1 + MaxSingle·len(Values) + len(Values) + Random) solves plus as many
// Checks, split over Workers; a Solve plus Check of a 16k-constraint system takes a few ms.
// Candidates run concurrently but "first" is in the order above, so the result depends only
// on the options. Search errors if Solve errors, or if Solve's and Check's lists of
// unsatisfied constraints ever differ (a bug in one of them).
func Search(ccs constraint.ConstraintSystem, assignment frontend.Circuit, opts SearchOptions) (found *Result, tried int, err error) {
	vec, err := witnessVector(assignment)
	if err != nil {
		return nil, 0, err
	}
	values := opts.Values
	if values == nil {
		values = EdgeValues(opts.Seed)
	}
	maxSingle := defaulted(opts.MaxSingle, DefaultMaxSingle)
	nbRandom := defaulted(opts.Random, DefaultRandom)
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}

	// phase 0
	base, ok, err := try(ccs, vec, Honest())
	if err != nil {
		return nil, 1, fmt.Errorf("r1csadv: Search: honest run: %w", err)
	}
	if ok {
		return base, 1, nil
	}

	var cands []func() Strategy
	// phase 1
	targets := singleTargets(base.Decisions, maxSingle, opts.Seed)
	for _, d := range targets {
		for _, v := range values {
			if v.Equal(&d.Honest) {
				continue
			}
			m := map[int]fr.Element{d.Wire: v}
			cands = append(cands, func() Strategy { return Override(m) })
		}
	}
	// phase 2
	if slices.ContainsFunc(base.Decisions, func(d Decision) bool { return d.Kind != HintOutput }) {
		for _, v := range values {
			cands = append(cands, func() Strategy { return FreeWiresTo(v) })
		}
	}
	// phase 3
	for j := 0; j < nbRandom; j++ {
		cands = append(cands, func() Strategy { return randomMixture(opts.Seed, j, values) })
	}

	found, n, err := runParallel(ccs, vec, cands, workers)
	return found, 1 + n, err
}

// defaulted maps 0 to def and a negative value to 0.
func defaulted(v, def int) int {
	switch {
	case v == 0:
		return def
	case v < 0:
		return 0
	}
	return v
}

// singleTargets picks up to max decisions: non-hint decisions first, then a seeded sample of
// hint outputs.
func singleTargets(ds []Decision, max int, seed int64) []Decision {
	var out, hints []Decision
	for _, d := range ds {
		if d.Kind == HintOutput {
			hints = append(hints, d)
		} else if len(out) < max {
			out = append(out, d)
		}
	}
	rng := rand.New(rand.NewSource(seed ^ 0x5eed))
	for _, i := range rng.Perm(len(hints)) {
		if len(out) >= max {
			break
		}
		out = append(out, hints[i])
	}
	return out
}

// randomMixture is mixture j of phase 3.
func randomMixture(seed int64, j int, values []fr.Element) Strategy {
	rng := rand.New(rand.NewSource(seed + int64(j)*0x3779b97f4a7c15))
	rate := randomRates[j%len(randomRates)]
	return StrategyFunc(func(d Decision) fr.Element {
		if len(values) == 0 || rng.Float64() >= rate {
			return d.Honest
		}
		return values[rng.Intn(len(values))]
	})
}

// try solves with st and reports whether Check accepts the wires.
func try(ccs constraint.ConstraintSystem, vec fr.Vector, st Strategy) (*Result, bool, error) {
	res, err := solveVector(ccs, vec, st)
	if err != nil {
		return nil, false, err
	}
	bad, err := Check(ccs, res.Wires)
	if err != nil {
		return nil, false, err
	}
	if !slices.Equal(bad, res.Unsatisfied) {
		return nil, false, fmt.Errorf("r1csadv: Solve says R1Cs %v are unsatisfied, Check says %v", head(res.Unsatisfied), head(bad))
	}
	return res, len(bad) == 0, nil
}

// head shortens a list for an error message.
func head(l []int) []int {
	if len(l) > 10 {
		return l[:10]
	}
	return l
}

// runParallel tries the candidates on workers goroutines and returns the satisfying Result
// of the lowest index, and how many candidates ran.
func runParallel(ccs constraint.ConstraintSystem, vec fr.Vector, cands []func() Strategy, workers int) (*Result, int, error) {
	var (
		mu       sync.Mutex
		next     int
		ran      int
		best     = len(cands)
		bestRes  *Result
		firstErr error
		wg       sync.WaitGroup
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				if i >= best || firstErr != nil {
					mu.Unlock()
					return
				}
				next++
				mu.Unlock()

				res, ok, err := try(ccs, vec, cands[i]())

				mu.Lock()
				ran++
				switch {
				case err != nil:
					if firstErr == nil {
						firstErr = fmt.Errorf("r1csadv: Search: candidate %d: %w", i, err)
					}
				case ok && i < best:
					best, bestRes = i, res
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, ran, firstErr
	}
	return bestRes, ran, nil
}
