// Package r1csadv is test support: an adversarial solver for a compiled gnark BN254 R1CS
// (Groth16) constraint system.
//
// gnark's honest solver (constraint/bn254/solver.go, solveR1C and solveHintGeneric) makes two
// kinds of choices on the prover's behalf: when an R1C leaves its one unsolved wire with a zero
// multiplier ("0·w = c", e.g. q·b = a from api.DivUnchecked with a = b = 0) it silently keeps
// w = 0, and it runs every hint honestly. A cheating prover chooses all of those values freely;
// the only thing a Groth16 proof attests to is that the full wire vector satisfies every R1C.
// Solve replays the instruction stream of the compiled system and hands every such choice to a
// Strategy, so a test can play that prover and show that no choice satisfies the constraints
// for a false statement (or, for a deliberately broken circuit, that one does).
//
// # API
//
//	type Kind int // FreeWire, HintOutput, Unassigned
//	type Decision struct { Seq int; Kind Kind; Constraint, Wire int; Hint string; Index int;
//	                       Honest, Chosen fr.Element; Note string }
//	type Strategy interface { Choose(d Decision) fr.Element }
//	type StrategyFunc func(d Decision) fr.Element
//	func Honest() Strategy
//	func Override(byWire map[int]fr.Element) Strategy
//	func FreeWiresTo(v fr.Element) Strategy
//
//	func Solve(ccs constraint.ConstraintSystem, assignment frontend.Circuit, st Strategy) (*Result, error)
//	func SolveWitness(ccs constraint.ConstraintSystem, w witness.Witness, st Strategy) (*Result, error)
//	type Result struct { Wires []fr.Element; Decisions []Decision; Unsatisfied []int }
//	func (r *Result) Satisfied() bool
//	func Check(ccs constraint.ConstraintSystem, wires []fr.Element) ([]int, error)
//
//	func EdgeValues(seed int64) []fr.Element
//	type SearchOptions struct { Seed int64; Values []fr.Element; MaxSingle, Random, Workers int }
//	func Search(ccs constraint.ConstraintSystem, assignment frontend.Circuit, opts SearchOptions) (*Result, int, error)
//
// Check returns an error besides the indices (the brief's signature had none): it fails closed
// on a system it cannot evaluate (not a BN254 R1CS, commitments, wrong wire count, wire 0 ≠ 1)
// instead of returning an empty, "satisfied" list.
//
// # Wire layout and instruction stream
//
// Wires are laid out exactly as gnark's solver lays them out (newSolver in
// constraint/bn254/solver.go): wire 0 is the constant 1, then the public inputs (cs.Public,
// whose first name is the one wire), then the secret inputs (cs.Secret), in the order of
// frontend.NewWitness, then the internal wires. Instructions are executed in the order of
// cs.Instructions; that order is a valid topological order (gnark's cs.Levels is derived from
// it in System.AddInstruction, constraint/core.go), so executing sequentially is equivalent to
// gnark's level-parallel run.
//
// Only two blueprints are supported, the only two the age circuit contains:
// *constraint.BlueprintGenericR1C (calldata: nbWords, len L, len R, len O, then (coeffID, wireID)
// pairs, constraint/blueprint_r1cs.go) and *constraint.BlueprintGenericHint (calldata: nbWords,
// hintID, nbInputs, per input a length-prefixed list of (coeffID, wireID) pairs, then the output
// wire range [start, end), constraint/blueprint_hint.go). Any other blueprint, a SparseR1CS
// (PLONK), another curve, or a system with commitments (api.Commit) is an error, never skipped.
// Coefficient IDs index the system's coefficient table (cs.Coefficients, an []fr.Element);
// a term whose wire ID is math.MaxUint32 is a constant (constraint/term.go).
//
// # Decisions
//
// For an R1C L·R = O, Solve evaluates L, R and O on the known wires. With no unknown wire it
// just checks. With one unknown term k·w: in O, w = (L·R − O₀)/k; in L, w = (O − L₀·R)/(k·R);
// in R, w = (O − L·R₀)/(k·L). When that multiplier (k, k·R or k·L) is zero, w is a FreeWire
// decision: gnark would keep 0 (or, for k = 0, panic in divByCoeff); the Strategy chooses. A
// constraint with more than one unknown term is an error (gnark panics on it too). For a hint,
// Solve evaluates its inputs (all must be known), runs the registered hint function
// (solver.GetRegisteredHint; gnark's std packages register theirs in init), and every output
// is a HintOutput decision whose honest value is what the hint returned (reduced mod r, as
// gnark does), or 0 if the hint failed or panicked (Decision.Note says why). A wire that no
// instruction assigns is an Unassigned decision (gnark's solver would fail on it).
//
// Solve never stops at an unsatisfied constraint: it records the R1C index and continues, so
// Result.Unsatisfied lists every failing constraint.
//
// # Cost
//
// The decompressed program (terms, blueprint kinds, resolved hint functions) and the R1Cs
// used by Check are computed once per constraint system and cached, keyed by its pointer (and
// its instruction count, so a system that grew is recompiled); the cache lives as long as the
// process, which is fine for tests. Measured on 2 cores (AMD EPYC): a 3,001-constraint test
// circuit with 2,550 hint outputs solves in ~1.5–2 ms, Check ~0.6 ms, a default Search (833
// strategies) ~1 s; the 15.6k-constraint age circuit (144k terms, 1k divisions) solves in
// ~9.5 ms and a default Search takes ~5 s. Search's cost is bounded by its options; see
// SearchOptions and Search.
package r1csadv
