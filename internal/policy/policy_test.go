package policy_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/calendar"
	"xiaoer/internal/civil"
	"xiaoer/internal/enterprise"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
	"xiaoer/internal/labor"
	"xiaoer/internal/org"
	"xiaoer/internal/pii"
	"xiaoer/internal/policy"
	"xiaoer/internal/rollup"
	"xiaoer/internal/store"
	"xiaoer/internal/store/storetest"
)

// zone is a small zone: two streets, enterprises in each, and the people
// who act in it.
type zone struct {
	db      *store.DB
	svc     *policy.Service
	lab     *labor.Service
	ents    []int64 // ents[0], ents[1] in street A; ents[2] in street B
	office  *access.Principal
	officeB *access.Principal // the office of street B only
	ent     *access.Principal // enterprise user of ents[0]
	leader  *access.Principal
	sys     *access.Principal
}

// today is the zone's clock: mid-July 2023.
var today = civil.New(2023, 7, 15)

func newZone(t testing.TB, n int) *zone {
	t.Helper()
	db := storetest.Open(t)
	db.SetClock(func() time.Time { return today.Time().Add(10 * time.Hour) })
	key := make([]byte, 32)
	cipher, err := pii.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	z := &zone{db: db, lab: &labor.Service{DB: db},
		svc: &policy.Service{DB: db, Cipher: cipher, Calendar: &calendar.Service{DB: db, Cal: calendar.New()}},
		sys: access.SystemPrincipal("test")}
	ctx := access.With(context.Background(), z.sys)
	ents := &enterprise.Service{DB: db, Cipher: cipher}
	err = db.Write(ctx, func(tx *store.Tx) error {
		zn, err := org.CreateTx(ctx, tx, org.Input{Name: "高新区", Kind: org.Zone})
		if err != nil {
			return err
		}
		a, err := org.CreateTx(ctx, tx, org.Input{Name: "罗家桥街道", Kind: org.Street, ParentID: zn.ID})
		if err != nil {
			return err
		}
		b, err := org.CreateTx(ctx, tx, org.Input{Name: "金湖街道", Kind: org.Street, ParentID: zn.ID})
		if err != nil {
			return err
		}
		for i := range n {
			street := a
			if i == 2 {
				street = b
			}
			id, err := ents.CreateTx(ctx, tx, z.sys, enterprise.Input{USCC: enterprise.DemoUSCC(500 + i), Name: fmt.Sprintf("测试企业%02d", i),
				OrgID: street.ID, IndustryCode: "3612", Scale: enterprise.Medium, Employees: 50 + i})
			if err != nil {
				return err
			}
			z.ents = append(z.ents, id)
		}
		z.office = &access.Principal{Username: "office", Roles: []access.Role{access.ServiceOffice}, OrgID: zn.ID, OrgPath: zn.Path}
		z.officeB = &access.Principal{Username: "officeb", Roles: []access.Role{access.ServiceOffice}, OrgID: b.ID, OrgPath: b.Path}
		z.leader = &access.Principal{Username: "leader", Roles: []access.Role{access.Leader}, OrgID: zn.ID, OrgPath: zn.Path}
		z.ent = &access.Principal{Username: "ent", Roles: []access.Role{access.Enterprise}, OrgID: a.ID, OrgPath: a.Path, EnterpriseID: z.ents[0]}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return z
}

func (z *zone) ctx(p *access.Principal) context.Context {
	return access.With(context.Background(), p)
}

func (z *zone) policy(t testing.TB, in policy.PolicyInput) policy.Policy {
	t.Helper()
	if in.Name == "" {
		in.Name = "测试政策"
	}
	if in.OpenFrom.IsZero() {
		in.OpenFrom = civil.New(2023, 1, 1)
	}
	if in.BudgetFen == 0 {
		in.BudgetFen = 1_000_000
	}
	if in.Rule == "" {
		in.Rule = "employees > 0"
	}
	if in.AmountRule == "" {
		in.AmountRule = "1000"
	}
	p, err := z.svc.CreatePolicy(z.ctx(z.office), z.office, in)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func body(kv ...any) []byte {
	m := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	b, _ := json.Marshal(m)
	return b
}

func (z *zone) act(t testing.TB, p *access.Principal, id int64, action string, kv ...any) error {
	t.Helper()
	_, err := z.svc.Act(z.ctx(p), p, id, action, body(kv...))
	return err
}

func (z *zone) mustAct(t testing.TB, p *access.Principal, id int64, action string, kv ...any) {
	t.Helper()
	if err := z.act(t, p, id, action, kv...); err != nil {
		t.Fatalf("%s: %v", action, err)
	}
}

// apply files an application under an apply-mode policy for enterprise e.
func (z *zone) apply(t testing.TB, pol int64, e int64, on string) int64 {
	t.Helper()
	a, err := z.svc.CreateApplication(z.ctx(z.office), z.office, policy.ApplicationInput{PolicyID: pol, EnterpriseID: e,
		BankName: "湖北银行", BankAccount: "6222020200112233445", Date: civil.MustParse(on)})
	if err != nil {
		t.Fatal(err)
	}
	return a.ID
}

func TestFlowIsValid(t *testing.T) {
	if err := policy.Flow.Check(); err != nil {
		t.Fatal(err)
	}
}

func TestApplyModeRunsEveryStateAndRefusesTheRest(t *testing.T) {
	z := newZone(t, 3)
	pol := z.policy(t, policy.PolicyInput{Mode: policy.Apply, AmountRule: "5000"})
	id := z.apply(t, pol.ID, z.ents[0], "2023-03-01")
	steps := []struct {
		p      *access.Principal
		action string
		kv     []any
		state  string
	}{
		{z.office, "return", []any{"date", "2023-03-02", "reason", "缺审计报告"}, policy.Returned},
		{z.ent, "submit", []any{"date", "2023-03-05", "materials", "补交审计报告"}, policy.Submitted},
		{z.office, "accept", []any{"date", "2023-03-06"}, policy.Accepted},
		{z.office, "review", []any{"date", "2023-03-10", "amount_fen", 400_000}, policy.Reviewed},
		{z.office, "publicize", []any{"date", "2023-03-13"}, policy.Publicized},
		{z.office, "approve", []any{"date", "2023-03-27"}, policy.Approved},
		{z.office, "pay", []any{"date", "2023-04-03"}, policy.Paid},
	}
	for _, s := range steps {
		// Every other action is refused in this state (409, or 403 for the
		// wrong role, or 400 for a missing field — never a silent change).
		a, _ := z.svc.GetApplication(z.ctx(z.office), z.office, id)
		if a.State == policy.Submitted {
			if err := z.act(t, z.office, id, "approve", "date", "2023-03-03"); !errs.Is(err, errs.Conflict) {
				t.Fatalf("approve while submitted: %v, want 409", err)
			}
			if err := z.act(t, z.office, id, "confirm", "bank_name", "x", "bank_account", "6222020200112233445"); !errs.Is(err, errs.Forbidden) {
				t.Fatalf("office confirming: %v, want 403", err)
			}
		}
		z.mustAct(t, s.p, id, s.action, s.kv...)
		a, _ = z.svc.GetApplication(z.ctx(z.office), z.office, id)
		if a.State != s.state {
			t.Fatalf("after %s state = %s, want %s", s.action, a.State, s.state)
		}
	}
	if err := z.act(t, z.office, id, "reject", "reason", "x"); !errs.Is(err, errs.Conflict) {
		t.Fatalf("reject after payment: %v, want 409", err)
	}
	got, _ := z.svc.GetPolicy(z.ctx(z.office), z.office, pol.ID)
	if got.PaidFen != 400_000 || got.CommittedFen != 400_000 {
		t.Fatalf("ledger paid %d committed %d, want 400000 both", got.PaidFen, got.CommittedFen)
	}
	evs, _ := z.svc.Events(z.ctx(z.office), z.office, id)
	if len(evs) != len(steps)+1 || evs[0].To != policy.Submitted || evs[len(evs)-1].To != policy.Paid {
		t.Fatalf("history = %+v", evs)
	}
}

func TestAutoModeRunsFromCandidateToPaid(t *testing.T) {
	z := newZone(t, 3)
	pol := z.policy(t, policy.PolicyInput{Mode: policy.Auto, Rule: "employees >= 51", AmountRule: "100 * employees"})
	res, err := z.svc.Publish(z.ctx(z.office), z.office, pol.ID, policy.PublishInput{Date: civil.New(2023, 4, 3)})
	if err != nil || res.Created != 2 || res.AmountFen != (51+52)*10_000 {
		t.Fatalf("publish = %+v, %v; want the two enterprises with 51+ employees", res, err)
	}
	again, err := z.svc.Publish(z.ctx(z.office), z.office, pol.ID, policy.PublishInput{Date: civil.New(2023, 4, 4)})
	if err != nil || again.Created != 0 || again.Skipped != 2 {
		t.Fatalf("second publish = %+v, %v; want both skipped", again, err)
	}
	list, _, _, _ := z.svc.ListApplications(z.ctx(z.office), z.office, policy.ApplicationFilter{PolicyID: pol.ID, EnterpriseID: z.ents[1]})
	if len(list) != 1 || list[0].State != policy.Candidate || len(list[0].Reasons) != 1 || !list[0].Reasons[0].Holds {
		t.Fatalf("candidate = %+v", list)
	}
	id := list[0].ID
	if err := z.act(t, z.office, id, "publicize", "date", "2023-04-05"); !errs.Is(err, errs.Conflict) {
		t.Fatalf("publicize before the enterprise confirmed: %v, want 409", err)
	}
	// ents[1]'s own user confirms with its bank account.
	own := &access.Principal{Username: "ent1", Roles: []access.Role{access.Enterprise}, OrgPath: z.ent.OrgPath, EnterpriseID: z.ents[1]}
	if err := z.act(t, own, id, "confirm", "date", "2023-04-06", "bank_name", "湖北银行"); !errs.Is(err, errs.Invalid) {
		t.Fatalf("confirm without an account: %v, want 400", err)
	}
	z.mustAct(t, own, id, "confirm", "date", "2023-04-06", "bank_name", "湖北银行", "bank_account", "6222 0202 0011 2233 445")
	z.mustAct(t, z.office, id, "publicize", "date", "2023-04-10")
	z.mustAct(t, z.office, id, "approve", "date", "2023-04-20")
	z.mustAct(t, z.office, id, "pay", "date", "2023-04-28")
	a, _ := z.svc.GetApplication(z.ctx(z.office), z.office, id)
	if a.State != policy.Paid || a.ApprovedFen != 510_000 || a.PaidOn != civil.New(2023, 4, 28) {
		t.Fatalf("application = %+v", a)
	}
}

func TestAnEnterpriseSeesAndActsOnlyOnItsOwn(t *testing.T) {
	z := newZone(t, 3)
	pol := z.policy(t, policy.PolicyInput{Mode: policy.Auto})
	if _, err := z.svc.Publish(z.ctx(z.office), z.office, pol.ID, policy.PublishInput{Date: civil.New(2023, 4, 3)}); err != nil {
		t.Fatal(err)
	}
	list, _, _, _ := z.svc.ListApplications(z.ctx(z.ent), z.ent, policy.ApplicationFilter{})
	if len(list) != 1 || list[0].EnterpriseID != z.ents[0] {
		t.Fatalf("enterprise sees %d applications, want its own one", len(list))
	}
	all, _, _, _ := z.svc.ListApplications(z.ctx(z.office), z.office, policy.ApplicationFilter{})
	var other int64
	for _, a := range all {
		if a.EnterpriseID == z.ents[1] {
			other = a.ID
		}
	}
	if _, err := z.svc.GetApplication(z.ctx(z.ent), z.ent, other); !errs.Is(err, errs.NotFound) {
		t.Fatalf("another enterprise's application: %v, want 404", err)
	}
	if err := z.act(t, z.ent, other, "confirm", "bank_name", "x", "bank_account", "6222020200112233445"); !errs.Is(err, errs.NotFound) {
		t.Fatalf("confirming another's: %v, want 404", err)
	}
	if _, err := z.svc.Reveal(z.ctx(z.ent), z.ent, other); !errs.Is(err, errs.NotFound) {
		t.Fatalf("revealing another's account: %v, want 404", err)
	}
	// The office of street B sees only street B's enterprise.
	b, _, _, _ := z.svc.ListApplications(z.ctx(z.officeB), z.officeB, policy.ApplicationFilter{})
	if len(b) != 1 || b[0].EnterpriseID != z.ents[2] {
		t.Fatalf("street B office sees %+v", b)
	}
	if _, err := z.svc.CreateApplication(z.ctx(z.ent), z.ent, policy.ApplicationInput{PolicyID: pol.ID, EnterpriseID: z.ents[1],
		BankName: "x", BankAccount: "6222020200112233445"}); err == nil {
		t.Fatal("an enterprise applied for another")
	}
}

func TestBankAccountIsMaskedAndRevealingIsAudited(t *testing.T) {
	z := newZone(t, 3)
	pol := z.policy(t, policy.PolicyInput{Mode: policy.Apply})
	id := z.apply(t, pol.ID, z.ents[0], "2023-03-01")
	a, _ := z.svc.GetApplication(z.ctx(z.ent), z.ent, id)
	if a.BankAccount != "6222***********3445" {
		t.Fatalf("account shown as %q, want masked", a.BankAccount)
	}
	var raw []byte
	var idx string
	if err := z.db.Read().QueryRow(context.Background(), "SELECT bank_account_enc, bank_account_idx FROM policy_applications WHERE id = ?", id).Scan(&raw, &idx); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "6222020200112233445") || idx == "" {
		t.Fatal("the account is stored in clear")
	}
	full, err := z.svc.Reveal(z.ctx(z.ent), z.ent, id)
	if err != nil || full != "6222020200112233445" {
		t.Fatalf("reveal = %q, %v", full, err)
	}
	if _, err := z.svc.Reveal(z.ctx(z.leader), z.leader, id); !errs.Is(err, errs.NotFound) {
		t.Fatalf("a leader revealing: %v, want 404", err)
	}
	recs, err := audit.List(context.Background(), z.db.Read(), audit.Filter{Action: "policy.reveal"})
	if err != nil || len(recs) != 1 || strings.Contains(recs[0].Summary, "6222020200112233445") {
		t.Fatalf("reveal audit = %+v, %v", recs, err)
	}
	// Nothing in the history or the audit log holds the account in clear.
	rows, _ := z.db.Read().Query(context.Background(), "SELECT data FROM flow_events UNION ALL SELECT summary FROM audit_log")
	defer rows.Close()
	for rows.Next() {
		var s string
		rows.Scan(&s)
		if strings.Contains(s, "6222020200112233445") {
			t.Fatalf("account in clear in %s", s)
		}
	}
}

func TestApprovalWaitsForThePublicityPeriod(t *testing.T) {
	z := newZone(t, 3)
	pol := z.policy(t, policy.PolicyInput{Mode: policy.Apply, PublicityDays: ptr(5)})
	id := z.apply(t, pol.ID, z.ents[0], "2023-04-03")
	z.mustAct(t, z.office, id, "accept", "date", "2023-04-03")
	z.mustAct(t, z.office, id, "review", "date", "2023-04-03")
	// From Thursday 27 April, five working days: 28 April, then after the
	// May Day holiday (29 April – 3 May) 4, 5 and 6 May (a Saturday made a
	// working day) and Monday 8 May.
	z.mustAct(t, z.office, id, "publicize", "date", "2023-04-27")
	a, _ := z.svc.GetApplication(z.ctx(z.office), z.office, id)
	if a.PublicityEndsOn != civil.New(2023, 5, 8) {
		t.Fatalf("publicity ends %s", a.PublicityEndsOn)
	}
	err := z.act(t, z.office, id, "approve", "date", "2023-05-08")
	if !errs.Is(err, errs.Conflict) || !strings.Contains(errs.As(err).Msg.In(i18n.ZH), "2023-05-08") ||
		!strings.Contains(errs.As(err).Msg.In(i18n.EN), "2023-05-09") {
		t.Fatalf("approve on the last day of publicity: %v", err)
	}
	z.mustAct(t, z.office, id, "approve", "date", "2023-05-09")
}

func ptr[T any](v T) *T { return &v }

func TestLedgerRefusesApprovalsOverTheBudget(t *testing.T) {
	z := newZone(t, 3)
	pol := z.policy(t, policy.PolicyInput{Mode: policy.Apply, BudgetFen: 25_000_000, AmountRule: "100000", PublicityDays: ptr(0)})
	var ids []int64
	for _, e := range z.ents {
		id := z.apply(t, pol.ID, e, "2023-03-01")
		for _, a := range []string{"accept", "review", "publicize"} {
			z.mustAct(t, z.office, id, a, "date", "2023-03-02")
		}
		ids = append(ids, id)
	}
	z.mustAct(t, z.office, ids[0], "approve", "date", "2023-03-03")
	z.mustAct(t, z.office, ids[1], "approve", "date", "2023-03-03", "amount_fen", 14_000_000)
	err := z.act(t, z.office, ids[2], "approve", "date", "2023-03-03")
	e := errs.As(err)
	if e.Code != errs.Conflict || !strings.Contains(e.Msg.In(i18n.ZH), "仅剩 1万元") || !strings.Contains(e.Msg.In(i18n.EN), "only CNY 10,000.00 is left") {
		t.Fatalf("over budget: %v (%s)", err, e.Msg.In(i18n.ZH))
	}
	a, _ := z.svc.GetApplication(z.ctx(z.office), z.office, ids[2])
	if a.State != policy.Publicized {
		t.Fatalf("refused approval left the state %s", a.State)
	}
	// Lowering the budget below what is committed is refused too.
	_, err = z.svc.UpdatePolicy(z.ctx(z.office), z.office, pol.ID, policy.PolicyInput{Name: pol.Name, Mode: pol.Mode, Rule: pol.Rule,
		AmountRule: pol.AmountRule, OpenFrom: pol.OpenFrom, BudgetFen: 20_000_000})
	if !errs.Is(err, errs.Conflict) {
		t.Fatalf("budget below committed: %v, want 409", err)
	}
}

func TestFiftyParallelApprovalsNeverOverspend(t *testing.T) {
	z := newZone(t, 50)
	// Room for 20 approvals of 1,000 yuan and half of another.
	pol := z.policy(t, policy.PolicyInput{Mode: policy.Auto, BudgetFen: 2_050_000, AmountRule: "1000", PublicityDays: ptr(0)})
	if _, err := z.svc.Publish(z.ctx(z.office), z.office, pol.ID, policy.PublishInput{Date: civil.New(2023, 3, 1)}); err != nil {
		t.Fatal(err)
	}
	list, _, _, _ := z.svc.ListApplications(z.ctx(z.office), z.office, policy.ApplicationFilter{PolicyID: pol.ID})
	if len(list) != 50 {
		t.Fatalf("%d candidates, want 50", len(list))
	}
	both := &access.Principal{Username: "both", System: true, OrgPath: "/", Roles: []access.Role{access.Enterprise, access.ServiceOffice}}
	for _, a := range list {
		z.mustAct(t, both, a.ID, "confirm", "date", "2023-03-02", "bank_name", "湖北银行", "bank_account", "6222020200112233445")
		z.mustAct(t, z.office, a.ID, "publicize", "date", "2023-03-03")
	}
	var wg sync.WaitGroup
	results := make([]error, len(list))
	for i, a := range list {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, results[i] = z.svc.Act(z.ctx(z.office), z.office, a.ID, "approve", body("date", "2023-03-06"))
		}()
	}
	wg.Wait()
	ok, over := 0, 0
	for _, err := range results {
		switch {
		case err == nil:
			ok++
		case errs.Is(err, errs.Conflict):
			over++
		default:
			t.Errorf("unexpected: %v", err)
		}
	}
	got, _ := z.svc.GetPolicy(z.ctx(z.office), z.office, pol.ID)
	if ok != 20 || over != 30 || got.CommittedFen != 2_000_000 {
		t.Fatalf("%d approved, %d refused, committed %d; want 20, 30, 2000000", ok, over, got.CommittedFen)
	}
	var sum int64
	z.db.Read().QueryRow(context.Background(), "SELECT COALESCE(SUM(approved_fen), 0) FROM policy_applications WHERE policy_id = ? AND state = ?",
		pol.ID, policy.Approved).Scan(&sum)
	if sum != got.CommittedFen {
		t.Fatalf("approved applications sum to %d, the ledger says %d", sum, got.CommittedFen)
	}
}

func TestCandidatesCarryAmountAndReasons(t *testing.T) {
	z := newZone(t, 3)
	ctx := z.ctx(z.office)
	if _, err := z.svc.SetFacts(ctx, z.office, z.ents[0], policy.FactsInput{InsuredMonths: 12, InsurancePaidFen: 1_000_000}); err != nil {
		t.Fatal(err)
	}
	if _, err := z.svc.SetFacts(ctx, z.office, z.ents[1], policy.FactsInput{InsuredMonths: 6, InsurancePaidFen: 5_000_000}); err != nil {
		t.Fatal(err)
	}
	pol := z.policy(t, policy.PolicyInput{Mode: policy.Auto, Rule: `insured_months >= 12 && street == "罗家桥街道"`,
		AmountRule: "min(insurance_paid * 0.6, 5000)"})
	list, err := z.svc.Candidates(ctx, z.office, pol.ID, civil.Date{}, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if list.Total != 1 || len(list.Items) != 1 || list.Items[0].EnterpriseID != z.ents[0] || list.Items[0].AmountFen != 500_000 {
		t.Fatalf("candidates = %+v", list)
	}
	c := list.Items[0]
	if len(c.Reasons) != 2 || !c.Reasons[0].Holds || !c.Reasons[1].Holds {
		t.Fatalf("reasons = %+v", c.Reasons)
	}
	want := map[string]string{"insured_months": "12", "street": `"罗家桥街道"`, "insurance_paid": "10000"}
	for _, f := range c.Facts {
		if w, ok := want[f.Name]; ok && w != f.Value {
			t.Errorf("fact %s = %s, want %s", f.Name, f.Value, w)
		}
		delete(want, f.Name)
	}
	if len(want) != 0 {
		t.Errorf("facts missing: %v", want)
	}
	// The rule tested before saving gives the same for the enterprise.
	ev, err := z.svc.TestRule(ctx, z.office, policy.TestInput{Rule: pol.Rule, AmountRule: pol.AmountRule, EnterpriseID: z.ents[1]})
	if err != nil || ev.Eligible || ev.Reasons[0].Holds {
		t.Fatalf("test on a 6-month enterprise = %+v, %v", ev, err)
	}
	if _, err := z.svc.TestRule(ctx, z.office, policy.TestInput{Rule: "insured_month >= 12", AmountRule: "1", EnterpriseID: z.ents[0]}); !errs.Is(err, errs.Invalid) {
		t.Fatalf("test of a rule with an unknown fact: %v, want 400", err)
	}
}

func TestPlacementsReceivedAreAFact(t *testing.T) {
	z := newZone(t, 3)
	sys := z.ctx(z.sys)
	err := z.db.Write(sys, func(tx *store.Tx) error {
		ev, err := z.lab.CreateEventTx(sys, tx, z.sys, labor.EventInput{Name: "春风行动", Kind: labor.Onsite, Date: civil.New(2023, 2, 1),
			Enterprises: labor.IDs{z.ents[0]}})
		if err != nil {
			return err
		}
		for _, d := range []civil.Date{civil.New(2022, 12, 30), civil.New(2023, 2, 2), civil.New(2023, 3, 1)} {
			if d.Before(civil.New(2023, 2, 1)) {
				continue
			}
			if _, err := z.lab.CreatePlacementTx(sys, tx, z.sys, labor.PlacementInput{EnterpriseID: z.ents[0], EventID: ev, Date: d, Workers: 7}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	pol := z.policy(t, policy.PolicyInput{Mode: policy.Auto, OpenFrom: civil.New(2023, 2, 15), Rule: "placements > 0", AmountRule: "1500 * placements"})
	list, err := z.svc.Candidates(z.ctx(z.office), z.office, pol.ID, civil.Date{}, 0, 0)
	if err != nil || list.Total != 1 || list.Items[0].AmountFen != 7*150_000 {
		t.Fatalf("candidates = %+v, %v; want 7 workers placed since the policy opened", list, err)
	}
}

func TestEligibleListsOpenPoliciesTheRulesSelect(t *testing.T) {
	z := newZone(t, 3)
	z.policy(t, policy.PolicyInput{Name: "开放", Mode: policy.Apply, Rule: `street == "罗家桥街道"`})
	z.policy(t, policy.PolicyInput{Name: "他街", Mode: policy.Apply, Rule: `street == "金湖街道"`})
	z.policy(t, policy.PolicyInput{Name: "已截止", Mode: policy.Apply, OpenTo: civil.New(2023, 6, 30)})
	list, err := z.svc.Eligible(z.ctx(z.ent), z.ent, 0)
	if err != nil || len(list) != 1 || list[0].Policy.Name != "开放" {
		t.Fatalf("eligible = %+v, %v", list, err)
	}
	if _, err := z.svc.Eligible(z.ctx(z.ent), z.ent, z.ents[2]); !errs.Is(err, errs.NotFound) {
		t.Fatalf("another enterprise's list: %v, want 404", err)
	}
}

func TestRebuildEqualsRunningTotals(t *testing.T) {
	z := newZone(t, 3)
	pol := z.policy(t, policy.PolicyInput{Mode: policy.Apply, Category: policy.LaborSubsidy, PublicityDays: ptr(0)})
	auto := z.policy(t, policy.PolicyInput{Mode: policy.Auto, PublicityDays: ptr(0)})
	for i, e := range z.ents {
		id := z.apply(t, pol.ID, e, fmt.Sprintf("2023-03-%02d", 1+i))
		for _, a := range []string{"accept", "review", "publicize", "approve", "pay"}[:3+i] {
			z.mustAct(t, z.office, id, a, "date", fmt.Sprintf("2023-04-%02d", 1+i))
		}
	}
	if _, err := z.svc.Publish(z.ctx(z.office), z.office, auto.ID, policy.PublishInput{Date: civil.New(2023, 5, 1)}); err != nil {
		t.Fatal(err)
	}
	both := &access.Principal{Username: "both", System: true, OrgPath: "/", Roles: []access.Role{access.Enterprise, access.ServiceOffice}}
	list, _, _, _ := z.svc.ListApplications(z.ctx(z.office), z.office, policy.ApplicationFilter{PolicyID: auto.ID})
	for _, a := range list {
		z.mustAct(t, both, a.ID, "confirm", "date", "2023-05-02", "bank_name", "x", "bank_account", "6222020200112233445")
		z.mustAct(t, z.office, a.ID, "publicize", "date", "2023-05-03")
		z.mustAct(t, z.office, a.ID, "approve", "date", "2023-05-04")
		if a.EnterpriseID == z.ents[2] {
			z.mustAct(t, z.office, a.ID, "pay", "date", "2023-06-30")
		}
	}
	ctx := context.Background()
	running, err := rollup.Snapshot(ctx, z.db.Read(), "policy.")
	if err != nil {
		t.Fatal(err)
	}
	err = z.db.WriteUnaudited(ctx, func(tx *store.Tx) error {
		if err := rollup.Clear(ctx, tx, "policy."); err != nil {
			return err
		}
		return policy.Rebuild(ctx, tx)
	})
	if err != nil {
		t.Fatal(err)
	}
	rebuilt, _ := rollup.Snapshot(ctx, z.db.Read(), "policy.")
	if len(running) == 0 || fmt.Sprint(running) != fmt.Sprint(rebuilt) {
		t.Fatalf("running %v\nrebuilt %v", running, rebuilt)
	}
	// And the summary gives the hand-computed figures: 3 apply-mode
	// applications in March, 3 confirmations in May; paid in H1: the third
	// enterprise's 1000 yuan twice — under the labour subsidy in April and
	// the other policy in June — which is one distinct enterprise.
	into := map[string]any{}
	if err := policy.Summary(ctx, z.db.Read(), z.sys, civil.New(2023, 1, 1), civil.New(2023, 6, 30), into); err != nil {
		t.Fatal(err)
	}
	p := into["policy"].(map[string]any)
	if p["applications"] != int64(6) || p["paid_fen"] != int64(200_000) || p["paid_enterprises"] != int64(1) || p["payments"] != int64(2) ||
		into["labor"].(map[string]any)["subsidy_paid_fen"] != int64(100_000) {
		t.Fatalf("summary = %v", into)
	}
	// A period holding only April's payment.
	if err := policy.Summary(ctx, z.db.Read(), z.sys, civil.New(2023, 4, 1), civil.New(2023, 4, 30), into); err != nil {
		t.Fatal(err)
	}
	if p := into["policy"].(map[string]any); p["paid_enterprises"] != int64(1) || p["paid_fen"] != int64(100_000) || p["applications"] != int64(0) {
		t.Fatalf("April = %v", p)
	}
}
