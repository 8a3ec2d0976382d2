package agecircuit_test

// Adversarial tests: the prover here is not gnark's honest solver. It chooses every value
// the constraints leave open (internal/r1csadv: a wire a "0·w = 0" constraint does not fix,
// every hint output) and the test asserts that no choice satisfies the constraint system
// for a false statement. Each attack is first shown to work on circuit v1 (circuitV1, a
// test-only copy) where v1 had the hole, so the test for v2 is one that fails on v1.

import (
	"crypto/rand"
	"math/big"
	"sync"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr/mimc"
	"github.com/consensys/gnark-crypto/ecc/bn254/twistededwards"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"

	"agegate.dev/circuits/agecircuit"
	"agegate.dev/circuits/credential"
	"agegate.dev/circuits/field"
	"agegate.dev/circuits/internal/fixture"
	"agegate.dev/circuits/internal/r1csadv"
	"agegate.dev/circuits/trust"
	"agegate.dev/circuits/zk"
)

var (
	v1Once sync.Once
	v1CCS  constraint.ConstraintSystem
)

func compiledV1(t *testing.T) constraint.ConstraintSystem {
	t.Helper()
	v1Once.Do(func() {
		var err error
		v1CCS, err = frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, &circuitV1{})
		if err != nil {
			panic(err)
		}
	})
	return v1CCS
}

func compiledV2(t *testing.T) constraint.ConstraintSystem {
	t.Helper()
	ccs, err := zk.Compile()
	if err != nil {
		t.Fatal(err)
	}
	return ccs
}

func bigOf(e fr.Element) *big.Int { return e.BigInt(new(big.Int)) }

func sqrtMinusOne() fr.Element {
	var one, m, i fr.Element
	one.SetOne()
	m.Neg(&one)
	i.Sqrt(&m)
	return i
}

// searchOptions bound each adversarial search: every free wire and 8 sampled hint outputs
// get every edge value, plus 8 random mixtures (about 120 solves, a second or two). The
// exhaustive per-hint-output sweep is TestHarness_validWitness_noFreeWire_everyHintOutputPinned.
var searchOptions = r1csadv.SearchOptions{Seed: 1, MaxSingle: 8, Random: 8}

// refuses runs the adversary against assignment on ccs and fails the test if any choice
// satisfies every constraint.
func refuses(t *testing.T, ccs constraint.ConstraintSystem, assignment frontend.Circuit) {
	t.Helper()
	found, tried, err := r1csadv.Search(ccs, assignment, searchOptions)
	if err != nil {
		t.Fatalf("search: %v", err)
	}
	if found != nil {
		t.Fatalf("a cheating prover satisfies every constraint (after %d strategies); its choices: %v", tried, found.Decisions)
	}
	t.Logf("refused: %d adversarial strategies, none satisfies the constraints", tried)
}

// accepts asserts that the adversary finds a satisfying assignment (used on circuit v1 to
// show the attack is real).
func accepts(t *testing.T, ccs constraint.ConstraintSystem, assignment frontend.Circuit) *r1csadv.Result {
	t.Helper()
	found, tried, err := r1csadv.Search(ccs, assignment, searchOptions)
	if err != nil {
		t.Fatalf("search: %v", err)
	}
	if found == nil {
		t.Fatalf("the attack does not work on circuit v1 (%d strategies): the test would prove nothing", tried)
	}
	if bad := mustCheck(t, ccs, found.Wires); len(bad) != 0 {
		t.Fatalf("Search returned a result that fails Check: %v", bad)
	}
	return found
}

func mustCheck(t *testing.T, ccs constraint.ConstraintSystem, wires []fr.Element) []int {
	t.Helper()
	bad, err := r1csadv.Check(ccs, wires)
	if err != nil {
		t.Fatal(err)
	}
	return bad
}

// tree folds leaves (padded with zero leaves) into a trust tree with node and returns the
// root and the path of leaf idx; v1Tree and v2Tree are circuit v1's (untagged MiMC) and v2's.
func tree(node func(l, r fr.Element) fr.Element, leaves []fr.Element, idx int) (root fr.Element, bits [trust.Depth]uint, siblings [trust.Depth]fr.Element) {
	level := make([]fr.Element, 1<<trust.Depth)
	copy(level, leaves)
	for d := 0; d < trust.Depth; d++ {
		bits[d] = uint(idx & 1)
		siblings[d] = level[idx^1]
		next := make([]fr.Element, len(level)/2)
		for i := range next {
			next[i] = node(level[2*i], level[2*i+1])
		}
		level, idx = next, idx>>1
	}
	return level[0], bits, siblings
}

func v1Tree(leaves []fr.Element, idx int) (fr.Element, [trust.Depth]uint, [trust.Depth]fr.Element) {
	return tree(func(l, r fr.Element) fr.Element { return field.MiMC(l, r) }, leaves, idx)
}

func v2Tree(leaves []fr.Element, idx int) (fr.Element, [trust.Depth]uint, [trust.Depth]fr.Element) {
	return tree(trust.Node, leaves, idx)
}

// statement is what a cheating prover claims, in plain values, and the private values it
// uses; v1 and v2 turn it into each circuit's assignment with that circuit's hashes.
type statement struct {
	birth, issued, expiry, today, cutoff int
	minAssurance, level                  int
	secret, credID                       fr.Element
	key, r                               twistededwards.PointAffine
	s                                    *big.Int
	otherLeaves                          []fr.Element // the trust list's other leaves (index 0..), the key's leaf goes last
	scope, challenge                     fr.Element
	nullifier                            *fr.Element // nil: the honest nullifier of the circuit
}

func (st *statement) v1() *circuitV1 {
	leaf := field.MiMC(st.key.X, st.key.Y, field.FromUint(uint64(st.level)))
	root, bits, sib := v1Tree(append(append([]fr.Element{}, st.otherLeaves...), leaf), len(st.otherLeaves))
	n := field.MiMC(st.secret, st.scope)
	if st.nullifier != nil {
		n = *st.nullifier
	}
	c := &circuitV1{
		IssuerRoot: bigOf(root), CutoffDay: st.cutoff, Today: st.today, MinAssurance: st.minAssurance,
		Challenge: bigOf(st.challenge), Scope: bigOf(st.scope), Nullifier: bigOf(n),
		HolderSecret: bigOf(st.secret), CredentialID: bigOf(st.credID),
		BirthDay: st.birth, IssuedDay: st.issued, ExpiryDay: st.expiry, Level: st.level,
	}
	c.IssuerKey.A.X, c.IssuerKey.A.Y = bigOf(st.key.X), bigOf(st.key.Y)
	c.Signature.R.X, c.Signature.R.Y, c.Signature.S = bigOf(st.r.X), bigOf(st.r.Y), st.s
	for i := range bits {
		c.PathBits[i], c.Siblings[i] = bits[i], bigOf(sib[i])
	}
	return c
}

func (st *statement) v2() *agecircuit.Circuit {
	leaf := field.Hash(field.DomainTrustLeaf, st.key.X, st.key.Y, field.FromUint(uint64(st.level)))
	root, bits, sib := v2Tree(append(append([]fr.Element{}, st.otherLeaves...), leaf), len(st.otherLeaves))
	n := credential.Nullifier(st.secret, st.scope)
	if st.nullifier != nil {
		n = *st.nullifier
	}
	c := &agecircuit.Circuit{
		IssuerRoot: bigOf(root), CutoffDay: st.cutoff, Today: st.today, MinAssurance: st.minAssurance,
		Challenge: bigOf(st.challenge), Scope: bigOf(st.scope), Nullifier: bigOf(n),
		HolderSecret: bigOf(st.secret), CredentialID: bigOf(st.credID),
		BirthDay: st.birth, IssuedDay: st.issued, ExpiryDay: st.expiry, Level: st.level,
	}
	c.IssuerKey.X, c.IssuerKey.Y = bigOf(st.key.X), bigOf(st.key.Y)
	c.SignatureR.X, c.SignatureR.Y, c.SignatureS = bigOf(st.r.X), bigOf(st.r.Y), st.s
	for i := range bits {
		c.PathBits[i], c.Siblings[i] = bits[i], bigOf(sib[i])
	}
	return c
}

// unsignedClaim is a false statement: "a listed issuer signed that I was born on
// 1990-01-01", made up by someone who has no credential, with a listed issuer's real
// public key and no signature yet.
func unsignedClaim(t *testing.T) (*statement, *fixture.Fixture) {
	t.Helper()
	f := fixture.New("1990-01-01", "2025-01-01", "2030-01-01", "2026-11-28", 18)
	in, err := f.Request.Inputs(fr.Element{})
	if err != nil {
		t.Fatal(err)
	}
	key, _ := f.Issuer.PublicKey.Decode()
	other := f.Other.Public()
	otherLeaf, _ := trust.Leaf(&other)
	var secret fr.Element
	secret.SetRandom()
	return &statement{
		birth: fixture.Day("1990-01-01"), issued: fixture.Day("2025-01-01"), expiry: fixture.Day("2030-01-01"),
		today: in.Today, cutoff: in.CutoffDay, minAssurance: 2, level: 3,
		secret: secret, credID: field.FromUint(1), key: key, s: big.NewInt(1),
		otherLeaves: []fr.Element{otherLeaf}, scope: in.Scope, challenge: in.Challenge,
	}, f
}

// The forgery of the review: R = (0, 0), S = 1, no signature at all. On v1 the first
// cofactor doubling of (0, 0) is 0/0, the prover picks √−1, and (√−1, 0) → (0, −1) → (0, 1)
// passes; the honest solver picks 0 and fails, which is why CheckCircuit never saw it.
func TestForgery_offCurveR_acceptedByV1_refusedByV2(t *testing.T) {
	st, _ := unsignedClaim(t)
	st.r = twistededwards.PointAffine{} // (0, 0): not on the curve

	v1 := compiledV1(t)
	honest, err := r1csadv.Solve(v1, st.v1(), r1csadv.Honest())
	if err != nil {
		t.Fatal(err)
	}
	if honest.Satisfied() {
		t.Fatal("the honest solver satisfies v1 too: the forgery needs no adversary?")
	}
	forged, err := r1csadv.Solve(v1, st.v1(), r1csadv.FreeWiresTo(sqrtMinusOne()))
	if err != nil {
		t.Fatal(err)
	}
	if !forged.Satisfied() || len(mustCheck(t, v1, forged.Wires)) != 0 {
		t.Fatalf("the v1 forgery does not reproduce: %d constraints unsatisfied", len(forged.Unsatisfied))
	}
	free := 0
	for _, d := range forged.Decisions {
		if d.Kind == r1csadv.FreeWire {
			free++
		}
	}
	t.Logf("v1: anyone proves 18 with no signature; %d free wire(s) chosen as √−1", free)
	accepts(t, v1, st.v1()) // the generic search finds it too

	refuses(t, compiledV2(t), st.v2())
	for _, r := range []twistededwards.PointAffine{{X: field.FromUint(1)}, {Y: field.FromUint(2)}, {X: sqrtMinusOne()}} {
		st.r = r // (√−1, 0) is on the curve, of order 4: refused by the signature equation, not the curve check
		refuses(t, compiledV2(t), st.v2())
	}
}

// A trust list that lists a small-order key: under it the cofactored check accepts a
// signature on any message (R = [S]G). Native code refuses such keys (trust tests);
// the circuit refuses them too, whatever root the verifier was given.
func TestForgery_smallOrderIssuerKey_acceptedByV1_refusedByV2(t *testing.T) {
	st, _ := unsignedClaim(t)
	var one, minusOne fr.Element
	one.SetOne()
	minusOne.Neg(&one)
	i := sqrtMinusOne()
	var iNeg fr.Element
	iNeg.Neg(&i)
	base := twistededwards.GetEdwardsCurve().Base
	s := big.NewInt(123456789)
	var r twistededwards.PointAffine
	r.ScalarMultiplication(&base, s)
	st.r, st.s, st.level = r, s, 4
	for name, key := range map[string]twistededwards.PointAffine{
		"identity (0,1)": {Y: one}, "order 2 (0,-1)": {Y: minusOne}, "order 4 (√−1,0)": {X: i}, "order 4 (−√−1,0)": {X: iNeg},
	} {
		t.Run(name, func(t *testing.T) {
			st.key = key
			accepts(t, compiledV1(t), st.v1())
			refuses(t, compiledV2(t), st.v2())
		})
	}
}

// S + ℓ is the same point [S]G, so it satisfies the group equation: only the range check
// of S refuses it. (gnark v0.16's eddsa, which circuitV1 now uses, refuses it as well; v1
// was built on v0.14, which also accepted S = ℓ. The range check alone is tested on its
// bound in signature_internal_test.go.)
func TestForgery_scalarPlusOrder_refused(t *testing.T) {
	f := fixture.New("1990-01-01", "2025-01-01", "2030-01-01", "2026-11-28", 18)
	c := valid(t, f)
	order := twistededwards.GetEdwardsCurve().Order
	c.SignatureS = new(big.Int).Add(c.SignatureS.(*big.Int), &order)
	refuses(t, compiledV2(t), c)
}

// With a non-boolean path bit b, Select(b, x, y) = y + b(x − y) is any affine mix, and a
// prover hangs any leaf under a real node: here an untrusted issuer's own, honestly signed
// credential. A copy of the Merkle fold without the boolean constraint accepts it, which
// shows the attack is real; the circuit refuses it.
func TestForgery_nonBooleanPathBit_refused(t *testing.T) {
	f := fixture.New("1990-01-01", "2025-01-01", "2030-01-01", "2026-11-28", 18)
	cred, err := f.Untrusted.Issue(credential.Commitment(f.Secret), fixture.Day("1990-01-01"), fixture.Day("2025-01-01"), fixture.Day("2030-01-01"), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	fields, _ := cred.Verify()
	own, _ := trust.Build([]credential.IssuerPublic{f.Untrusted.Public()})
	req := *f.Request
	req.IssuerRoot, _ = own.ComputeRoot()
	c, _, err := (&zk.Wallet{Credential: fields, Secret: f.Secret, Trust: own}).Assignment(&req)
	if err != nil {
		t.Fatal(err)
	}
	// The real tree's first two leaves are Other and Issuer; hang the untrusted leaf n' at
	// level 0 so that left = L0 and right = L1: s = L0 + L1 − n', b = (L0 − n') / (s − n').
	other, issuer, untrusted := f.Other.Public(), f.Issuer.Public(), f.Untrusted.Public()
	l0, _ := trust.Leaf(&other)
	l1, _ := trust.Leaf(&issuer)
	n, _ := trust.Leaf(&untrusted)
	var s, b, num, den fr.Element
	s.Add(&l0, &l1).Sub(&s, &n)
	num.Sub(&l0, &n)
	den.Sub(&s, &n)
	b.Div(&num, &den)
	path, err := f.Trust.PathFor(f.Issuer.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	c.IssuerRoot = bigOf(f.Request.IssuerRoot)
	c.PathBits[0], c.Siblings[0] = bigOf(b), bigOf(s)
	for d := 1; d < trust.Depth; d++ {
		c.PathBits[d], c.Siblings[d] = path.Bits[d], bigOf(path.Siblings[d])
	}

	loose := &looseMerkle{Root: c.IssuerRoot, Leaf: bigOf(n)}
	for d := range loose.Bits {
		loose.Bits[d], loose.Siblings[d] = c.PathBits[d], c.Siblings[d]
	}
	looseCCS, err := frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, &looseMerkle{})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := r1csadv.Solve(looseCCS, loose, r1csadv.Honest()); err != nil || !res.Satisfied() {
		t.Fatalf("without the boolean constraint the attack should work (err %v)", err)
	}
	refuses(t, compiledV2(t), c)
}

// looseMerkle is MerkleRoot with the selection written as arithmetic and no boolean
// constraint on the path bits (gnark's api.Select asserts its condition boolean as well).
type looseMerkle struct {
	Root     frontend.Variable `gnark:",public"`
	Leaf     frontend.Variable
	Bits     [trust.Depth]frontend.Variable
	Siblings [trust.Depth]frontend.Variable
}

func (m *looseMerkle) Define(api frontend.API) error {
	node := m.Leaf
	for i := range m.Bits {
		left := api.Add(node, api.Mul(m.Bits[i], api.Sub(m.Siblings[i], node)))
		right := api.Add(m.Siblings[i], api.Mul(m.Bits[i], api.Sub(node, m.Siblings[i])))
		node = agecircuit.Hash(api, field.DomainTrustNode, left, right)
	}
	api.AssertIsEqual(m.Root, node)
	return nil
}

// A birth date after the cutoff makes cutoff − birth wrap to r − k; the prover chooses the
// bits of its 17-bit decomposition (hint outputs) and no choice sums to r − k.
func TestForgery_wrappedDateDifferences_refused(t *testing.T) {
	f := fixture.New("2008-11-28", "2025-01-01", "2030-01-01", "2026-11-28", 18)
	young := valid(t, f)
	young.Today, young.CutoffDay = fixture.Day("2026-11-27"), fixture.Day("2008-11-27")
	expired := valid(t, f)
	expired.Today = fixture.Day("2030-01-02")
	early := valid(t, f)
	early.Today = fixture.Day("2024-12-31")
	huge := valid(t, f) // a day number of 2^17 (beyond the range) as the cutoff
	huge.CutoffDay = 1 << 17
	for name, c := range map[string]*agecircuit.Circuit{"one day too young": young, "expired": expired, "not yet issued": early, "cutoff out of range": huge} {
		t.Run(name, func(t *testing.T) { refuses(t, compiledV2(t), c) })
	}
}

// A trust leaf with level 0 or 5, built by someone bypassing the native checks: the
// circuit's 2-bit range checks refuse both, whatever the minimum asked.
func TestForgery_levelOutsideOneToFour_refused(t *testing.T) {
	f := fixture.New("1990-01-01", "2025-01-01", "2030-01-01", "2026-11-28", 18)
	for _, tc := range []struct{ level, min int }{{0, 1}, {5, 4}, {5, 1}, {0, 0}} {
		c := valid(t, f)
		key, _ := f.Issuer.PublicKey.Decode()
		leaf := field.Hash(field.DomainTrustLeaf, key.X, key.Y, field.FromUint(uint64(tc.level)))
		root, bits, sib := v2Tree([]fr.Element{leaf}, 0)
		c.IssuerRoot, c.Level, c.MinAssurance = bigOf(root), tc.level, tc.min
		for i := range bits {
			c.PathBits[i], c.Siblings[i] = bits[i], bigOf(sib[i])
		}
		refuses(t, compiledV2(t), c)
	}
}

// The issuer knows the commitment it signed. On v1 the nullifier was one MiMC step from
// it, so the issuer's guess is exactly what a valid v1 proof carries; on v2 that guess is
// refused (the native test in credential shows it is not the v2 nullifier either).
func TestForgery_nullifierFromCommitment_refused(t *testing.T) {
	st, _ := unsignedClaim(t)
	commitmentV1 := field.MiMC(st.secret)
	if guess := extend(commitmentV1, st.scope); guess != field.MiMC(st.secret, st.scope) {
		t.Fatal("the v1 linkage no longer reproduces")
	}
	f := fixture.New("1990-01-01", "2025-01-01", "2030-01-01", "2026-11-28", 18)
	c := valid(t, f)
	guess := extend(credential.Commitment(f.Secret), field.Scope(f.Request.SiteID))
	c.Nullifier = bigOf(guess)
	refuses(t, compiledV2(t), c)
}

// The general harness on circuit v2: an honest witness leaves no wire free (no 0·w = 0 is
// ever met), and every hint output is pinned: changing any one of them breaks a constraint.
func TestHarness_validWitness_noFreeWire_everyHintOutputPinned(t *testing.T) {
	f := fixture.New("1990-01-01", "2025-01-01", "2030-01-01", "2026-11-28", 18)
	ccs := compiledV2(t)
	res, err := r1csadv.Solve(ccs, valid(t, f), r1csadv.Honest())
	if err != nil {
		t.Fatal(err)
	}
	if !res.Satisfied() {
		t.Fatalf("honest witness unsatisfied: %v", res.Unsatisfied[:1])
	}
	hints := 0
	for _, d := range res.Decisions {
		if d.Kind != r1csadv.HintOutput {
			t.Fatalf("the valid witness leaves %s undetermined", d)
		}
		hints++
	}
	values := r1csadv.EdgeValues(7)
	step := 8 // every eighth hint output, each to every edge value: ~1,000 solves
	if testing.Short() {
		step = 32
	}
	tried := 0
	for k := 0; k < len(res.Decisions); k += step {
		d := res.Decisions[k]
		for _, v := range values {
			if v.Equal(&d.Honest) {
				continue
			}
			alt, err := r1csadv.Solve(ccs, valid(t, f), r1csadv.Override(map[int]fr.Element{d.Wire: v}))
			if err != nil {
				t.Fatal(err)
			}
			if alt.Satisfied() {
				t.Fatalf("hint output %s can be changed to %s and the constraints still hold", d, v.String())
			}
			tried++
		}
	}
	t.Logf("%d constraints, %d hint outputs, 0 free wires; %d single deviations all refused", ccs.GetNbConstraints(), hints, tried)
}

// The general harness over false statements the other tests name one by one.
func TestHarness_falseStatements_noChoiceSatisfies(t *testing.T) {
	f := fixture.New("1990-01-01", "2025-01-01", "2030-01-01", "2026-11-28", 18)
	ccs := compiledV2(t)
	mutate := map[string]func(c *agecircuit.Circuit){
		"birth date not signed": func(c *agecircuit.Circuit) { c.BirthDay = fixture.Day("2016-01-01") },
		"another scope":         func(c *agecircuit.Circuit) { c.Scope = big.NewInt(5) },
		"level claimed higher":  func(c *agecircuit.Circuit) { c.Level, c.MinAssurance = 4, 4 },
		"signature S + 1":       func(c *agecircuit.Circuit) { c.SignatureS = new(big.Int).Add(c.SignatureS.(*big.Int), big.NewInt(1)) },
		"issuer key of another": func(c *agecircuit.Circuit) {
			k, _ := f.Other.PublicKey.Decode()
			c.IssuerKey.X, c.IssuerKey.Y = bigOf(k.X), bigOf(k.Y)
		},
	}
	for name, m := range mutate {
		t.Run(name, func(t *testing.T) {
			c := valid(t, f)
			m(c)
			refuses(t, ccs, c)
		})
	}
}

// extend continues a MiMC chain from a published hash value, as anyone holding it can
// (MiMC has no length padding).
func extend(state fr.Element, elems ...fr.Element) fr.Element {
	h := mimc.NewMiMC()
	b := state.Bytes()
	if err := h.SetState(b[:]); err != nil {
		panic(err)
	}
	for _, e := range elems {
		eb := e.Bytes()
		h.Write(eb[:])
	}
	var out fr.Element
	out.SetBytes(h.Sum(nil))
	return out
}
