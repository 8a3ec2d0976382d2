package r1csadv

import (
	"fmt"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
)

// Kind says why a value was not determined by the constraints when it was assigned.
type Kind int

const (
	// FreeWire is the unknown wire of an R1C whose multiplier is zero ("0·w = c").
	FreeWire Kind = iota
	// HintOutput is one output of a hint call; the constraints may or may not pin it later.
	HintOutput
	// Unassigned is a wire that no instruction assigns (gnark's solver fails on it).
	Unassigned
)

// String returns the name of the kind.
func (k Kind) String() string {
	switch k {
	case FreeWire:
		return "FreeWire"
	case HintOutput:
		return "HintOutput"
	case Unassigned:
		return "Unassigned"
	default:
		return fmt.Sprintf("Kind(%d)", int(k))
	}
}

// Decision is one value the constraints did not determine when it was assigned.
type Decision struct {
	// Seq is the position of this decision in Result.Decisions.
	Seq int
	// Kind is FreeWire, HintOutput or Unassigned.
	Kind Kind
	// Constraint is the R1C index for a FreeWire, -1 otherwise.
	Constraint int
	// Wire is the wire id the decision assigns.
	Wire int
	// Hint is the hint's name (cs.MHintsDependencies) for a HintOutput, "" otherwise.
	Hint string
	// Index is the output index within the hint call for a HintOutput, 0 otherwise.
	Index int
	// Honest is what gnark's honest solver would have used: 0 for a FreeWire or an
	// Unassigned wire, the hint's output for a HintOutput (0 if the hint failed).
	Honest fr.Element
	// Chosen is the value the Strategy chose; not yet set when the Strategy is called.
	Chosen fr.Element
	// Note explains an anomaly, e.g. the hint's error, or a zero coefficient on the wire.
	Note string
}

// String describes the decision for test logs.
func (d Decision) String() string {
	s := fmt.Sprintf("#%d %s wire %d", d.Seq, d.Kind, d.Wire)
	switch d.Kind {
	case FreeWire:
		s += fmt.Sprintf(" (R1C %d)", d.Constraint)
	case HintOutput:
		s += fmt.Sprintf(" (%s[%d])", d.Hint, d.Index)
	}
	s += fmt.Sprintf(" honest=%s chosen=%s", d.Honest.String(), d.Chosen.String())
	if d.Note != "" {
		s += " note: " + d.Note
	}
	return s
}

// Strategy chooses the value of each decision. d.Honest is gnark's choice; d.Chosen is not
// yet set. A Strategy may keep state (decisions come in instruction order), but then it must
// not be shared between concurrent Solve calls.
type Strategy interface {
	Choose(d Decision) fr.Element
}

// StrategyFunc adapts a function to a Strategy.
type StrategyFunc func(d Decision) fr.Element

// Choose calls f.
func (f StrategyFunc) Choose(d Decision) fr.Element { return f(d) }

// Honest returns the strategy of gnark's solver: every decision takes its honest value.
func Honest() Strategy {
	return StrategyFunc(func(d Decision) fr.Element { return d.Honest })
}

// Override returns a strategy that chooses byWire[d.Wire] for the decisions on the listed
// wires and the honest value for every other decision. Identifying decisions by wire (not by
// Seq) keeps the choice stable when an earlier deviation changes which decisions arise.
func Override(byWire map[int]fr.Element) Strategy {
	return StrategyFunc(func(d Decision) fr.Element {
		if v, ok := byWire[d.Wire]; ok {
			return v
		}
		return d.Honest
	})
}

// FreeWiresTo returns a strategy that sets every FreeWire and Unassigned wire to v and keeps
// every hint output honest.
func FreeWiresTo(v fr.Element) Strategy {
	return StrategyFunc(func(d Decision) fr.Element {
		if d.Kind == HintOutput {
			return d.Honest
		}
		return v
	})
}
