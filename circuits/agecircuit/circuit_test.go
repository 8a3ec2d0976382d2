package agecircuit_test

import (
	"crypto/rand"
	"math/big"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254/twistededwards"
	"github.com/consensys/gnark/backend"
	"github.com/consensys/gnark/test"

	"agegate.dev/circuits/agecircuit"
	"agegate.dev/circuits/credential"
	"agegate.dev/circuits/internal/fixture"
	"agegate.dev/circuits/trust"
	"agegate.dev/circuits/zk"
)

// valid returns a satisfying assignment for f, failing the test if there is none.
func valid(t *testing.T, f *fixture.Fixture) *agecircuit.Circuit {
	t.Helper()
	c, _, err := f.Wallet.Assignment(f.Request)
	if err != nil {
		t.Fatalf("assignment: %v", err)
	}
	return c
}

func check(t *testing.T, opts ...test.TestingOption) {
	t.Helper()
	assert := test.NewAssert(t)
	opts = append(opts, test.WithCurves(ecc.BN254), test.WithBackends(backend.GROTH16))
	assert.CheckCircuit(&agecircuit.Circuit{}, opts...)
}

func TestCircuit_constraintCount_atMost20000(t *testing.T) {
	ccs, err := zk.Compile()
	if err != nil {
		t.Fatal(err)
	}
	n := ccs.GetNbConstraints()
	t.Logf("constraints: %d, public inputs: %d", n, ccs.GetNbPublicVariables()-1)
	if n > 20000 {
		t.Fatalf("%d constraints, budget 20000", n)
	}
	if n > 1<<14 {
		t.Errorf("%d constraints: above 2^14 the prover's FFT domain doubles and proving slows by about 40%%", n)
	}
	if ccs.GetNbPublicVariables()-1 != zk.NbPublic {
		t.Fatalf("%d public inputs", ccs.GetNbPublicVariables()-1)
	}
}

func TestCircuit_thirtyYearOld_satisfied(t *testing.T) {
	f := fixture.New("1996-05-17", "2025-01-01", "2030-01-01", "2026-11-28", 18)
	check(t, test.WithValidAssignment(valid(t, f)))
}

func TestCircuit_exactlyMinAgeToday_satisfied(t *testing.T) {
	f := fixture.New("2008-11-28", "2025-01-01", "2030-01-01", "2026-11-28", 18)
	check(t, test.WithValidAssignment(valid(t, f)))
}

func TestCircuit_oneDayTooYoung_unsatisfied(t *testing.T) {
	f := fixture.New("2008-11-28", "2025-01-01", "2030-01-01", "2026-11-28", 18)
	c := valid(t, f)
	// the day before the 18th birthday: cutoff 2008-11-27 < birth
	c.Today, c.CutoffDay = fixture.Day("2026-11-27"), fixture.Day("2008-11-27")
	check(t, test.WithInvalidAssignment(c))
	if _, _, err := f.Wallet.Assignment(&zk.Request{IssuerRoot: f.Request.IssuerRoot, Today: fixture.Day("2026-11-27"), MinAge: 18, MinAssurance: 2, SiteID: "s"}); err == nil {
		t.Fatal("wallet accepted a request the holder is too young for")
	}
}

func TestCircuit_bornOn29February_adultOnFirstMarchOnly(t *testing.T) {
	f := fixture.New("2008-02-29", "2025-01-01", "2030-01-01", "2026-03-01", 18)
	ok := valid(t, f)
	bad := valid(t, f)
	bad.Today, bad.CutoffDay = fixture.Day("2026-02-28"), fixture.Day("2008-02-28")
	check(t, test.WithValidAssignment(ok), test.WithInvalidAssignment(bad))
}

func TestCircuit_expiredCredential_unsatisfied(t *testing.T) {
	f := fixture.New("1990-01-01", "2025-01-01", "2026-11-27", "2026-11-27", 18)
	c := valid(t, f)
	c.Today = fixture.Day("2026-11-28")
	check(t, test.WithInvalidAssignment(c))
}

func TestCircuit_notYetIssued_unsatisfied(t *testing.T) {
	f := fixture.New("1990-01-01", "2026-11-28", "2030-01-01", "2026-11-28", 18)
	c := valid(t, f)
	c.Today = fixture.Day("2026-11-27")
	check(t, test.WithInvalidAssignment(c))
}

func TestCircuit_issuerNotInList_unsatisfied(t *testing.T) {
	f := fixture.New("1990-01-01", "2025-01-01", "2030-01-01", "2026-11-28", 18)
	// A credential signed by the untrusted issuer, proven against a list that has it,
	// then presented against the verifier's root.
	cred, err := f.Untrusted.Issue(credential.Commitment(f.Secret), fixture.Day("1990-01-01"), fixture.Day("2025-01-01"), fixture.Day("2030-01-01"), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	fields, _ := cred.Verify()
	list, _ := trust.Build([]credential.IssuerPublic{f.Other.Public(), f.Untrusted.Public()})
	root, _ := list.ComputeRoot()
	req := *f.Request
	req.IssuerRoot = root
	c, _, err := (&zk.Wallet{Credential: fields, Secret: f.Secret, Trust: list}).Assignment(&req)
	if err != nil {
		t.Fatal(err)
	}
	c.IssuerRoot = valid(t, f).IssuerRoot
	check(t, test.WithInvalidAssignment(c))
}

func TestCircuit_levelTooLow_unsatisfied(t *testing.T) {
	f := fixture.New("1990-01-01", "2025-01-01", "2030-01-01", "2026-11-28", 18)
	asksFour := valid(t, f)
	asksFour.MinAssurance = 4 // the issuer is listed at level 3
	claimsFour := valid(t, f)
	claimsFour.Level, claimsFour.MinAssurance = 4, 4 // lying about the level breaks the leaf
	zero := valid(t, f)
	zero.MinAssurance = 0
	check(t, test.WithInvalidAssignment(asksFour), test.WithInvalidAssignment(claimsFour), test.WithInvalidAssignment(zero))
}

func TestCircuit_wrongScopeOrNullifier_unsatisfied(t *testing.T) {
	f := fixture.New("1990-01-01", "2025-01-01", "2030-01-01", "2026-11-28", 18)
	scope := valid(t, f)
	scope.Scope = big.NewInt(12345)
	nullifier := valid(t, f)
	nullifier.Nullifier = big.NewInt(12345)
	secret := valid(t, f)
	secret.HolderSecret = big.NewInt(7) // someone else's secret: commitment no longer signed
	check(t, test.WithInvalidAssignment(scope), test.WithInvalidAssignment(nullifier), test.WithInvalidAssignment(secret))
}

func TestCircuit_forgedSignature_unsatisfied(t *testing.T) {
	f := fixture.New("1990-01-01", "2025-01-01", "2030-01-01", "2026-11-28", 18)
	order := twistededwards.GetEdwardsCurve().Order
	plusOrder := valid(t, f)
	s := plusOrder.SignatureS.(*big.Int)
	plusOrder.SignatureS = new(big.Int).Add(s, &order) // same point, non-canonical scalar
	flipped := valid(t, f)
	flipped.SignatureS = new(big.Int).Add(s, big.NewInt(1))
	birth := valid(t, f)
	birth.BirthDay, birth.CutoffDay = fixture.Day("1980-01-01"), fixture.Day("1980-01-01") // a field the issuer did not sign
	check(t, test.WithInvalidAssignment(plusOrder), test.WithInvalidAssignment(flipped), test.WithInvalidAssignment(birth))
}
