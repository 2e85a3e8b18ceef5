package finance_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/auth"
	"xiaoer/internal/calendar"
	"xiaoer/internal/civil"
	"xiaoer/internal/enterprise"
	"xiaoer/internal/errs"
	"xiaoer/internal/finance"
	"xiaoer/internal/i18n"
	"xiaoer/internal/money"
	"xiaoer/internal/org"
	"xiaoer/internal/pii"
	"xiaoer/internal/rollup"
	"xiaoer/internal/store"
	"xiaoer/internal/store/storetest"
)

// today is the date the tests live on: the seed article's.
var today = civil.MustParse("2023-07-11")

// env is a small zone: one street with two enterprises, three banks, and
// one user of each role that takes part in financing.
type env struct {
	t                   *testing.T
	ctx                 context.Context
	db                  *store.DB
	svc                 *finance.Service
	zone, street        org.Org
	bankA, bankB, bankC org.Org
	ent1, ent2          int64
	office, leader      *access.Principal
	ent1User, ent2User  *access.Principal
	bankAUser           *access.Principal
	bankBUser           *access.Principal
	bankCUser           *access.Principal
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db := storetest.Open(t)
	db.SetClock(func() time.Time { return today.Time().Add(10 * time.Hour) })
	cipher, err := pii.NewCipher(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, db: db, svc: &finance.Service{DB: db, Cipher: cipher, Calendar: calendar.New()}}
	sys := access.SystemPrincipal("test")
	e.ctx = access.With(context.Background(), sys)
	users, err := auth.NewService(e.ctx, db, cipher)
	if err != nil {
		t.Fatal(err)
	}
	users.DemoMode = true
	ents := &enterprise.Service{DB: db, Cipher: cipher}
	ids := map[string]int64{}
	err = db.Write(e.ctx, func(tx *store.Tx) error {
		var err error
		mk := func(o *org.Org, in org.Input) {
			if err == nil {
				*o, err = org.CreateTx(e.ctx, tx, in)
			}
		}
		mk(&e.zone, org.Input{Name: "测试园区", Kind: org.Zone})
		mk(&e.street, org.Input{Name: "测试街道", Kind: org.Street, ParentID: e.zone.ID})
		mk(&e.bankA, org.Input{Name: "甲银行", Kind: org.Bank, ParentID: e.zone.ID})
		mk(&e.bankB, org.Input{Name: "乙银行", Kind: org.Bank, ParentID: e.zone.ID})
		mk(&e.bankC, org.Input{Name: "丙银行", Kind: org.Bank, ParentID: e.zone.ID})
		if err != nil {
			return err
		}
		for i, name := range []string{"测试生物科技有限公司", "测试包装有限公司"} {
			id, err := ents.CreateTx(e.ctx, tx, sys, enterprise.Input{USCC: enterprise.DemoUSCC(500 + i), Name: name, OrgID: e.street.ID,
				IndustryCode: "2761", Scale: enterprise.Small, ContactName: "张三", ContactPhone: fmt.Sprintf("1380000000%d", i)})
			if err != nil {
				return err
			}
			ids[name] = id
		}
		e.ent1, e.ent2 = ids["测试生物科技有限公司"], ids["测试包装有限公司"]
		for _, u := range []struct {
			name string
			role access.Role
			org  int64
			ent  int64
		}{
			{"office", access.ServiceOffice, e.zone.ID, 0},
			{"leader", access.Leader, e.zone.ID, 0},
			{"ent1", access.Enterprise, e.street.ID, e.ent1},
			{"ent2", access.Enterprise, e.street.ID, e.ent2},
			{"banka", access.Bank, e.bankA.ID, 0},
			{"bankb", access.Bank, e.bankB.ID, 0},
			{"bankc", access.Bank, e.bankC.ID, 0},
		} {
			created, err := users.CreateTx(e.ctx, tx, auth.NewUser{Username: u.name, Name: u.name, OrgID: u.org, Roles: []access.Role{u.role},
				EnterpriseID: u.ent, Password: "demo", Demo: true})
			if err != nil {
				return err
			}
			ids[u.name] = created.ID
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, p := range map[string]**access.Principal{"office": &e.office, "leader": &e.leader, "ent1": &e.ent1User, "ent2": &e.ent2User,
		"banka": &e.bankAUser, "bankb": &e.bankBUser, "bankc": &e.bankCUser} {
		if *p, err = users.PrincipalOf(e.ctx, ids[name]); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// qualify gives an enterprise a qualification valid from..to.
func (e *env) qualify(id int64, kind enterprise.QualificationKind, from, to string) {
	e.t.Helper()
	err := e.db.Write(e.ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(e.ctx, "INSERT INTO qualifications (enterprise_id, kind, valid_from, valid_to, created_at) VALUES (?, ?, ?, ?, ?)",
			id, kind, from, to, tx.Now); err != nil {
			return err
		}
		return audit.Append(e.ctx, tx, audit.Entry{Action: "test.qualify", Object: "enterprise", ObjectID: id})
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) product(p *access.Principal, in finance.ProductInput) finance.Product {
	e.t.Helper()
	pr, err := e.svc.CreateProduct(access.With(e.ctx, p), p, in)
	if err != nil {
		e.t.Fatalf("product %s: %v", in.Name, err)
	}
	return pr
}

func (e *env) post(p *access.Principal, in finance.NeedInput) finance.Need {
	e.t.Helper()
	n, err := e.svc.Post(access.With(e.ctx, p), p, in)
	if err != nil {
		e.t.Fatalf("post: %v", err)
	}
	return n
}

func (e *env) act(p *access.Principal, id int64, action string, body map[string]any) (finance.Need, error) {
	b, _ := json.Marshal(body)
	return e.svc.Act(access.With(e.ctx, p), p, id, action, b)
}

func (e *env) mustAct(p *access.Principal, id int64, action string, body map[string]any) finance.Need {
	e.t.Helper()
	n, err := e.act(p, id, action, body)
	if err != nil {
		e.t.Fatalf("%s by %s: %v", action, p.Username, err)
	}
	return n
}

func wantCode(t *testing.T, what string, err error, code errs.Code) {
	t.Helper()
	if errs.CodeOf(err) != code || err == nil {
		t.Fatalf("%s: err = %v, want %s", what, err, code)
	}
}

func need(amountWan int64, term int, g finance.Guarantee) finance.NeedInput {
	return finance.NeedInput{AmountFen: amountWan * money.Wan, TermMonths: term, Purpose: "流动资金", Guarantee: g}
}

func TestFlowIsValid(t *testing.T) {
	if err := finance.Flow.Check(); err != nil {
		t.Fatal(err)
	}
}

// TestWorkflowStates drives a need from posting to disbursement and checks
// that every action out of its state is a conflict.
func TestWorkflowStates(t *testing.T) {
	e := newEnv(t)
	in := need(500, 24, finance.Credit)
	in.PostedOn = civil.MustParse("2023-07-03")
	n := e.post(e.ent1User, in)
	if n.Status != finance.Posted || n.EnterpriseID != e.ent1 {
		t.Fatalf("posted need = %+v", n)
	}
	for _, a := range []string{"approve_credit", "deny_credit", "disburse"} {
		_, err := e.act(e.bankAUser, n.ID, a, map[string]any{"amount_fen": 100, "date": "2023-07-11"})
		wantCode(t, a+" while posted", err, errs.Conflict)
	}
	n = e.mustAct(e.bankAUser, n.ID, "take", map[string]any{"date": "2023-07-10"})
	if n.Status != finance.Taken || n.TakenByOrgID != e.bankA.ID || n.RespondedOn != civil.MustParse("2023-07-10") {
		t.Fatalf("taken need = %+v", n)
	}
	for _, a := range []string{"take", "decline"} {
		_, err := e.act(e.bankAUser, n.ID, a, nil)
		wantCode(t, a+" while taken", err, errs.Conflict)
	}
	_, err := e.act(e.ent1User, n.ID, "cancel", nil)
	wantCode(t, "cancel after taken", err, errs.Conflict)
	_, err = e.act(e.bankAUser, n.ID, "disburse", map[string]any{"amount_fen": 100, "date": "2023-07-11"})
	wantCode(t, "disburse before credit", err, errs.Conflict)
	n = e.mustAct(e.bankAUser, n.ID, "approve_credit", map[string]any{"amount_fen": 5_000_000_00, "date": "2023-07-10"})
	if n.Status != finance.CreditApproved || n.CreditFen != 5_000_000_00 {
		t.Fatalf("approved need = %+v", n)
	}
	n = e.mustAct(e.bankAUser, n.ID, "disburse", map[string]any{"amount_fen": 4_000_000_00, "date": "2023-07-11"})
	if n.Status != finance.Disbursed || n.LoanFen != 4_000_000_00 || n.LoanOn != today || n.ClosedOn != today {
		t.Fatalf("disbursed need = %+v", n)
	}
	for _, a := range []string{"take", "approve_credit", "disburse", "cancel"} {
		_, err := e.act(e.bankAUser, n.ID, a, map[string]any{"amount_fen": 100, "date": "2023-07-11"})
		if a == "cancel" {
			wantCode(t, "bank cancels", err, errs.Forbidden)
			continue
		}
		wantCode(t, a+" after disbursement", err, errs.Conflict)
	}
	evs, err := e.svc.Events(e.ctx, e.office, n.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ev := range evs {
		got = append(got, ev.Action+":"+ev.To)
	}
	want := []string{"post:posted", "take:taken", "approve_credit:credit_approved", "disburse:disbursed"}
	if !slices.Equal(got, want) {
		t.Fatalf("events = %v, want %v", got, want)
	}

	// Deny and cancel end a need too.
	d := e.post(e.ent1User, need(100, 12, finance.Credit))
	e.mustAct(e.bankAUser, d.ID, "take", nil)
	if d = e.mustAct(e.bankAUser, d.ID, "deny_credit", map[string]any{"note": "资料不全"}); d.Status != finance.CreditDenied {
		t.Fatalf("denied: %s", d.Status)
	}
	in.AmountFen = 100 * money.Wan
	c := e.post(e.ent1User, in)
	// Cancelled within the limit: the clock stopped in time.
	if c = e.mustAct(e.ent1User, c.ID, "cancel", map[string]any{"date": "2023-07-04"}); c.Status != finance.Cancelled || c.Overdue || c.Light != "green" {
		t.Fatalf("cancelled: %s, overdue %v, light %s", c.Status, c.Overdue, c.Light)
	}
	_, err = e.act(e.bankAUser, c.ID, "take", nil)
	wantCode(t, "take a cancelled need", err, errs.NotFound) // no longer open: out of the bank's sight
}

// TestRolesMayOnlyTakeTheirActions: the engine refuses a role an action is
// not declared for, whatever the state.
func TestRolesMayOnlyTakeTheirActions(t *testing.T) {
	e := newEnv(t)
	n := e.post(e.office, finance.NeedInput{EnterpriseID: e.ent1, AmountFen: 100 * money.Wan, TermMonths: 12, Purpose: "周转", Guarantee: finance.Credit})
	for _, tc := range []struct {
		who    *access.Principal
		action string
	}{
		{e.office, "take"}, {e.leader, "decline"}, {e.ent1User, "take"}, {e.bankAUser, "cancel"}, {e.office, "cancel"},
	} {
		_, err := e.act(tc.who, n.ID, tc.action, nil)
		wantCode(t, tc.who.Username+" "+tc.action, err, errs.Forbidden)
	}
	_, err := e.act(e.bankAUser, n.ID, "fly", nil)
	wantCode(t, "unknown action", err, errs.NotFound)
	_, err = e.svc.Post(e.ctx, e.bankAUser, need(100, 12, finance.Credit))
	wantCode(t, "bank posts a need", err, errs.Forbidden)
	_, err = e.svc.Post(e.ctx, e.ent1User, finance.NeedInput{EnterpriseID: e.ent2, AmountFen: 100, TermMonths: 1, Purpose: "x", Guarantee: finance.Credit})
	wantCode(t, "enterprise posts for another", err, errs.Forbidden)
	_, err = e.svc.CreateProduct(e.ctx, e.office, finance.ProductInput{Name: "x", MinFen: 1, MaxFen: 2, RateMin: 3, RateMax: 4, TermMonthsMax: 12, Guarantee: []finance.Guarantee{finance.Credit}})
	wantCode(t, "office publishes a product", err, errs.Forbidden)
	_, err = e.svc.CreateProduct(e.ctx, e.bankAUser, finance.ProductInput{BankOrgID: e.bankB.ID, Name: "x", MinFen: 1, MaxFen: 2, RateMin: 3, RateMax: 4, TermMonthsMax: 12, Guarantee: []finance.Guarantee{finance.Credit}})
	wantCode(t, "bank publishes for another bank", err, errs.Forbidden)
	_, err = e.svc.Recommend(e.ctx, e.bankAUser, n.ID, 1, "", civil.Date{})
	wantCode(t, "bank recommends", err, errs.Forbidden)
}

// TestBankScopes: a need routed to bank A does not exist for bank B; an
// open need is every bank's until one takes it, then only that bank's; a
// bank sees the contact person only once it took the need, masked.
func TestBankScopes(t *testing.T) {
	e := newEnv(t)
	routed := e.post(e.ent1User, finance.NeedInput{AmountFen: 100 * money.Wan, TermMonths: 12, Purpose: "周转", Guarantee: finance.Credit, BankOrgID: e.bankA.ID})
	if _, err := e.svc.Get(e.ctx, e.bankBUser, routed.ID); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("bank B reads bank A's routed need: %v", err)
	}
	for _, a := range []string{"take", "decline"} {
		_, err := e.act(e.bankBUser, routed.ID, a, nil)
		wantCode(t, "bank B "+a+"s bank A's need", err, errs.NotFound)
	}
	if _, err := e.svc.Matches(e.ctx, e.bankBUser, routed.ID, i18n.ZH); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("bank B matches bank A's need: %v", err)
	}
	if _, err := e.svc.Events(e.ctx, e.bankBUser, routed.ID); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("bank B reads bank A's need's events: %v", err)
	}
	a, err := e.svc.Get(e.ctx, e.bankAUser, routed.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a.ContactName != "" || a.ContactPhone != "" || a.Enterprise.USCC == "" {
		t.Fatalf("bank A sees before taking: contact %q %q, uscc %q", a.ContactName, a.ContactPhone, a.Enterprise.USCC)
	}
	if _, err := e.svc.RevealContact(e.ctx, e.bankAUser, routed.ID); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("reveal before taking: %v", err)
	}

	open := e.post(e.ent2User, need(200, 12, finance.Credit))
	for _, b := range []*access.Principal{e.bankAUser, e.bankBUser, e.bankCUser} {
		if _, err := e.svc.Get(e.ctx, b, open.ID); err != nil {
			t.Fatalf("%s cannot see an open need: %v", b.Username, err)
		}
	}
	taken := e.mustAct(e.bankBUser, open.ID, "take", nil)
	if taken.ContactName != "张三" || taken.ContactPhone != "138****0001" {
		t.Fatalf("taking bank sees contact %q %q, want the name and a masked phone", taken.ContactName, taken.ContactPhone)
	}
	for _, b := range []*access.Principal{e.bankAUser, e.bankCUser} {
		if _, err := e.svc.Get(e.ctx, b, open.ID); errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("%s still sees the need bank B took: %v", b.Username, err)
		}
		_, err := e.act(b, open.ID, "approve_credit", map[string]any{"amount_fen": 100})
		wantCode(t, b.Username+" approves bank B's need", err, errs.NotFound)
	}
	c, err := e.svc.RevealContact(access.With(e.ctx, e.bankBUser), e.bankBUser, open.ID)
	if err != nil || c.ContactPhone != "13800000001" {
		t.Fatalf("reveal: %+v %v", c, err)
	}
	recs, _ := audit.List(e.ctx, e.db.Read(), audit.Filter{Object: finance.Entity})
	if len(recs) == 0 || recs[0].Action != "finance.reveal" || recs[0].Username != "bankb" {
		t.Fatalf("the reveal was not audited: %+v", recs[:1])
	}

	// Lists: a bank sees no other bank's needs.
	for _, b := range []*access.Principal{e.bankAUser, e.bankBUser, e.bankCUser} {
		items, total, err := e.svc.List(e.ctx, b, finance.NeedFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range items {
			if (n.BankOrgID != 0 && n.BankOrgID != b.OrgID) || (n.TakenByOrgID != 0 && n.TakenByOrgID != b.OrgID) {
				t.Errorf("%s lists need %d of another bank", b.Username, n.ID)
			}
		}
		want := map[int64]int{e.bankA.ID: 1, e.bankB.ID: 1, e.bankC.ID: 0}[b.OrgID]
		if total != want {
			t.Errorf("%s lists %d needs, want %d", b.Username, total, want)
		}
	}
	// Enterprises see only their own; the office and the leader everything.
	if _, err := e.svc.Get(e.ctx, e.ent2User, routed.ID); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("another enterprise reads the need: %v", err)
	}
	if _, total, _ := e.svc.List(e.ctx, e.leader, finance.NeedFilter{}); total != 2 {
		t.Fatalf("leader sees %d needs", total)
	}
	if l, err := e.svc.Get(e.ctx, e.leader, open.ID); err != nil || l.ContactPhone != "138****0001" {
		t.Fatalf("leader sees contact %q (%v), want masked", l.ContactPhone, err)
	}
	if o, _ := e.svc.Get(e.ctx, e.office, open.ID); o.ContactPhone != "13800000001" {
		t.Fatalf("office sees contact %q, want it in full", o.ContactPhone)
	}

	// The registry: a bank sees the enterprises whose needs were routed to
	// it or that it took, and none other.
	ents := &enterprise.Service{DB: e.db, Cipher: e.svc.Cipher, Terms: []enterprise.ScopeTerm{finance.EnterpriseScope}}
	for _, tc := range []struct {
		bank *access.Principal
		ent  int64
		sees bool
	}{{e.bankAUser, e.ent1, true}, {e.bankAUser, e.ent2, false}, {e.bankBUser, e.ent2, true}, {e.bankBUser, e.ent1, false}, {e.bankCUser, e.ent1, false}} {
		_, err := ents.Get(e.ctx, tc.bank, tc.ent)
		if (err == nil) != tc.sees {
			t.Errorf("%s reads enterprise %d: %v, want seen=%v", tc.bank.Username, tc.ent, err, tc.sees)
		}
	}
}

// TestOpenNeedDeclines: a bank's decline of an open need leaves it to the
// others; the need ends declined when every bank has declined; a routed
// need ends declined at its bank's decline.
func TestOpenNeedDeclines(t *testing.T) {
	e := newEnv(t)
	open := e.post(e.ent1User, need(100, 12, finance.Credit))
	n := e.mustAct(e.bankAUser, open.ID, "decline", map[string]any{"note": "不符合"})
	if n.Status != finance.Posted || len(n.Declines) != 1 || n.Declines[0].BankOrgID != e.bankA.ID {
		t.Fatalf("after one decline: %s %+v", n.Status, n.Declines)
	}
	_, err := e.act(e.bankAUser, open.ID, "decline", nil)
	wantCode(t, "decline twice", err, errs.Conflict)
	_, err = e.act(e.bankAUser, open.ID, "take", nil)
	wantCode(t, "take after declining", err, errs.Conflict)
	if waiting, _, _ := e.svc.List(e.ctx, e.bankAUser, finance.NeedFilter{Waiting: true}); len(waiting) != 0 {
		t.Fatalf("a declined need is still in bank A's inbox")
	}
	if waiting, _, _ := e.svc.List(e.ctx, e.bankBUser, finance.NeedFilter{Waiting: true}); len(waiting) != 1 {
		t.Fatalf("bank B's inbox lacks the need bank A declined")
	}
	b, _ := e.svc.Get(e.ctx, e.bankBUser, open.ID)
	if len(b.Declines) != 0 {
		t.Fatalf("bank B sees bank A's decline: %+v", b.Declines)
	}
	if o, _ := e.svc.Get(e.ctx, e.office, open.ID); len(o.Declines) != 1 {
		t.Fatalf("the office does not see the decline: %+v", o.Declines)
	}
	if evs, _ := e.svc.Events(e.ctx, e.bankBUser, open.ID); len(evs) != 1 {
		t.Fatalf("bank B sees %d events, want only the posting", len(evs))
	}
	e.mustAct(e.bankBUser, open.ID, "decline", nil)
	if n = e.mustAct(e.bankCUser, open.ID, "decline", nil); n.Status != finance.Declined || n.RespondedOn != today {
		t.Fatalf("after every bank declined: %s", n.Status)
	}
	if _, err := e.svc.Get(e.ctx, e.bankAUser, open.ID); err != nil {
		t.Fatalf("a bank lost sight of the need it declined: %v", err)
	}

	taken := e.post(e.ent1User, need(100, 12, finance.Credit))
	e.mustAct(e.bankAUser, taken.ID, "decline", nil)
	if n = e.mustAct(e.bankBUser, taken.ID, "take", nil); n.Status != finance.Taken {
		t.Fatalf("take after another's decline: %s", n.Status)
	}
	if _, err := e.svc.Get(e.ctx, e.bankAUser, taken.ID); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("bank A still sees the need bank B took: %v", err)
	}

	routed := e.post(e.ent1User, finance.NeedInput{AmountFen: 100 * money.Wan, TermMonths: 12, Purpose: "周转", Guarantee: finance.Credit, BankOrgID: e.bankC.ID})
	if n = e.mustAct(e.bankCUser, routed.ID, "decline", nil); n.Status != finance.Declined {
		t.Fatalf("routed decline: %s", n.Status)
	}
}

// TestConcurrentTakesOneWins: banks racing for one open need — exactly one
// takes it; the others are told it is gone or was just taken, and the
// rollups count one take. Banks declining at once all count, and the last
// ends the need.
func TestConcurrentTakesOneWins(t *testing.T) {
	e := newEnv(t)
	for round := range 5 {
		n := e.post(e.ent1User, need(100, 12, finance.Credit))
		banks := []*access.Principal{e.bankAUser, e.bankBUser, e.bankCUser}
		errc := make(chan error, len(banks))
		start := make(chan struct{})
		for _, b := range banks {
			go func() {
				<-start
				_, err := e.act(b, n.ID, "take", nil)
				errc <- err
			}()
		}
		close(start)
		won := 0
		for range banks {
			switch err := <-errc; {
			case err == nil:
				won++
			case errs.Is(err, errs.NotFound), errs.Is(err, errs.Conflict):
			default:
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if won != 1 {
			t.Fatalf("round %d: %d banks took the need", round, won)
		}
	}
	// Every bank declining at once ends the need declined.
	for round := range 5 {
		n := e.post(e.ent1User, need(100, 12, finance.Credit))
		errc := make(chan error, 3)
		start := make(chan struct{})
		for _, b := range []*access.Principal{e.bankAUser, e.bankBUser, e.bankCUser} {
			go func() {
				<-start
				_, err := e.act(b, n.ID, "decline", nil)
				errc <- err
			}()
		}
		close(start)
		for range 3 {
			if err := <-errc; err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if got, _ := e.svc.Get(e.ctx, e.office, n.ID); got.Status != finance.Declined || len(got.Declines) != 3 {
			t.Fatalf("round %d: after three declines at once: %s, %d declines", round, got.Status, len(got.Declines))
		}
	}
	sums, err := rollup.Sum(e.ctx, e.db.Read(), rollup.Scope{Path: "/"}, today, today, "finance.taken")
	if err != nil || sums["finance.taken"] != 5 {
		t.Fatalf("takes counted: %v %v", sums, err)
	}
	rebuildAgrees(t, e)
}

// TestDisbursedNeverExceedsCredit: more than the credit is a conflict that
// names the field; the credit itself, or less, goes through.
func TestDisbursedNeverExceedsCredit(t *testing.T) {
	e := newEnv(t)
	n := e.post(e.ent1User, need(100, 12, finance.Credit))
	e.mustAct(e.bankAUser, n.ID, "take", nil)
	e.mustAct(e.bankAUser, n.ID, "approve_credit", map[string]any{"amount_fen": 100 * money.Wan})
	_, err := e.act(e.bankAUser, n.ID, "disburse", map[string]any{"amount_fen": 100*money.Wan + 1, "date": "2023-07-11"})
	if ee := errs.As(err); ee.Code != errs.Conflict || ee.Field != "amount_fen" ||
		ee.Msg.In(i18n.ZH) != "放款金额"+money.Format(100*money.Wan+1)+"超过授信金额100万元" {
		t.Fatalf("over-disbursement: %v (%s, %q)", err, ee.Field, ee.Msg.In(i18n.ZH))
	}
	_, err = e.act(e.bankAUser, n.ID, "disburse", map[string]any{"amount_fen": 100 * money.Wan})
	wantCode(t, "disburse without a date", err, errs.Invalid)
	_, err = e.act(e.bankAUser, n.ID, "disburse", map[string]any{"amount_fen": 100 * money.Wan, "date": "2023-07-12"})
	wantCode(t, "disburse in the future", err, errs.Invalid)
	_, err = e.act(e.bankAUser, n.ID, "disburse", map[string]any{"amount_fen": 100 * money.Wan, "date": "2023-07-10"})
	wantCode(t, "disburse before the credit", err, errs.Invalid)
	if n = e.mustAct(e.bankAUser, n.ID, "disburse", map[string]any{"amount_fen": 100 * money.Wan, "date": "2023-07-11"}); n.LoanFen != 100*money.Wan {
		t.Fatalf("loan = %d", n.LoanFen)
	}
}

// TestGreenChannelLimits: the response limit is three working days, one on
// the green channel, until the office sets others; needs keep the limit
// they were posted with.
func TestGreenChannelLimits(t *testing.T) {
	e := newEnv(t)
	cal := calendar.New()
	posted := civil.MustParse("2023-06-21") // before 端午 (22–24 June, 25 June a make-up working day)
	in := need(100, 12, finance.Credit)
	in.PostedOn = posted
	normal := e.post(e.ent1User, in)
	in.GreenChannel = true
	green := e.post(e.ent1User, in)
	if normal.LimitWorkdays != 3 || normal.DueOn != cal.AddWorkdays(posted, 3) || normal.DueOn != civil.MustParse("2023-06-27") {
		t.Fatalf("normal: limit %d due %s", normal.LimitWorkdays, normal.DueOn)
	}
	if green.LimitWorkdays != 1 || green.DueOn != civil.MustParse("2023-06-25") {
		t.Fatalf("green: limit %d due %s", green.LimitWorkdays, green.DueOn)
	}
	if !green.Overdue || green.Light != "red" {
		t.Fatalf("an unanswered green need from June is not overdue: %+v", green)
	}
	if err := e.svc.SaveLimits(e.ctx, e.office, finance.Limits{ResponseWorkdays: 2, GreenWorkdays: 3}); errs.CodeOf(err) != errs.Invalid {
		t.Fatalf("green limit longer than the normal one accepted: %v", err)
	}
	if err := e.svc.SaveLimits(e.ctx, e.bankAUser, finance.Limits{ResponseWorkdays: 5, GreenWorkdays: 2}); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("a bank set the limits: %v", err)
	}
	if err := e.svc.SaveLimits(access.With(e.ctx, e.office), e.office, finance.Limits{ResponseWorkdays: 5, GreenWorkdays: 2}); err != nil {
		t.Fatal(err)
	}
	later := e.post(e.ent1User, in)
	if later.LimitWorkdays != 2 || later.DueOn != cal.AddWorkdays(posted, 2) {
		t.Fatalf("after the change: limit %d due %s", later.LimitWorkdays, later.DueOn)
	}
	if n, _ := e.svc.Get(e.ctx, e.office, green.ID); n.LimitWorkdays != 1 {
		t.Fatalf("an earlier need changed its limit: %d", n.LimitWorkdays)
	}
	// The inbox puts the green channel first, then the oldest.
	items, _, _ := e.svc.List(e.ctx, e.bankAUser, finance.NeedFilter{Waiting: true})
	var order []int64
	for _, n := range items {
		order = append(order, n.ID)
	}
	if !slices.Equal(order, []int64{later.ID, green.ID, normal.ID}) {
		t.Fatalf("inbox order = %v, want %v", order, []int64{later.ID, green.ID, normal.ID})
	}
	// Page by page, the inbox keeps its order on either engine.
	var paged []int64
	f := finance.NeedFilter{Waiting: true, Limit: 1}
	for range 5 {
		page, _, err := e.svc.List(e.ctx, e.bankAUser, f)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		paged = append(paged, page[0].ID)
		f.AfterGreen, f.AfterPosted, f.BeforeID = page[0].GreenChannel, page[0].PostedOn, page[0].ID
	}
	if !slices.Equal(paged, order) {
		t.Fatalf("inbox paged = %v, want %v", paged, order)
	}
	// Late answers are counted late.
	n := e.mustAct(e.bankAUser, green.ID, "take", map[string]any{"date": "2023-06-26"})
	if n.ResponseWorkdays == nil || *n.ResponseWorkdays != 2 || !n.Overdue {
		t.Fatalf("late take: %+v", n)
	}
	n = e.mustAct(e.bankAUser, normal.ID, "take", map[string]any{"date": "2023-06-26"})
	if n.Overdue || n.Light != "green" {
		t.Fatalf("a take in time is overdue: %+v", n)
	}
}

func TestProductRules(t *testing.T) {
	e := newEnv(t)
	in := finance.ProductInput{Name: "科技贷", MinFen: 100 * money.Wan, MaxFen: 1000 * money.Wan, RateMin: 3.45, RateMax: 4.35,
		TermMonthsMax: 36, Guarantee: []finance.Guarantee{finance.Credit, finance.Credit}, Requires: []enterprise.QualificationKind{enterprise.TechSME}}
	p := e.product(e.bankAUser, in)
	if p.BankOrgID != e.bankA.ID || p.RateMin != 3.45 || p.RateMax != 4.35 || !slices.Equal(p.Guarantee, []finance.Guarantee{finance.Credit}) || !p.Active {
		t.Fatalf("product = %+v", p)
	}
	_, err := e.svc.CreateProduct(e.ctx, e.bankAUser, in)
	if ee := errs.As(err); ee.Code != errs.Conflict || ee.Field != "name" {
		t.Fatalf("duplicate name: %v", err)
	}
	for field, mutate := range map[string]func(*finance.ProductInput){
		"rate_min":        func(x *finance.ProductInput) { x.RateMin = 3.455 },
		"rate_max":        func(x *finance.ProductInput) { x.RateMax = 3 },
		"max_fen":         func(x *finance.ProductInput) { x.MaxFen = x.MinFen - 1 },
		"guarantee":       func(x *finance.ProductInput) { x.Guarantee = []finance.Guarantee{"gold"} },
		"requires":        func(x *finance.ProductInput) { x.Requires = []enterprise.QualificationKind{"famous"} },
		"term_months_max": func(x *finance.ProductInput) { x.TermMonthsMax = 0 },
	} {
		bad := in
		bad.Name = "另一个"
		mutate(&bad)
		_, err := e.svc.CreateProduct(e.ctx, e.bankAUser, bad)
		if ee := errs.As(err); ee.Code != errs.Invalid || ee.Field != field {
			t.Errorf("%s: %v (field %q)", field, err, ee.Field)
		}
	}
	in.RateMin = 3.2
	if _, err := e.svc.UpdateProduct(e.ctx, e.bankBUser, p.ID, in); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("bank B changes bank A's product: %v", err)
	}
	off := false
	in.Active = &off
	if p, err = e.svc.UpdateProduct(e.ctx, e.bankAUser, p.ID, in); err != nil || p.RateMin != 3.2 || p.Active {
		t.Fatalf("update: %+v %v", p, err)
	}
}

// TestMatchingReasons ranks three products for a need and says why each
// fits or not; qualifications count only while valid today.
func TestMatchingReasons(t *testing.T) {
	e := newEnv(t)
	sci := e.product(e.bankAUser, finance.ProductInput{Name: "科技贷", MinFen: 100 * money.Wan, MaxFen: 1000 * money.Wan, RateMin: 3.45, RateMax: 4.35,
		TermMonthsMax: 36, Guarantee: []finance.Guarantee{finance.Credit}, Requires: []enterprise.QualificationKind{enterprise.TechSME}})
	small := e.product(e.bankBUser, finance.ProductInput{Name: "小微信用贷", MinFen: 10 * money.Wan, MaxFen: 300 * money.Wan, RateMin: 3.5, RateMax: 4.2,
		TermMonthsMax: 12, Guarantee: []finance.Guarantee{finance.Credit}})
	mort := e.product(e.bankCUser, finance.ProductInput{Name: "抵押贷", MinFen: 50 * money.Wan, MaxFen: 5000 * money.Wan, RateMin: 3.55, RateMax: 4.6,
		TermMonthsMax: 60, Guarantee: []finance.Guarantee{finance.Mortgage}})
	generic := e.product(e.bankCUser, finance.ProductInput{Name: "经营贷", MinFen: 50 * money.Wan, MaxFen: 5000 * money.Wan, RateMin: 4.0, RateMax: 5,
		TermMonthsMax: 60, Guarantee: []finance.Guarantee{finance.Credit, finance.Mortgage}})
	e.qualify(e.ent1, enterprise.TechSME, "2022-01-01", "2022-12-31") // expired
	n := e.post(e.ent1User, need(500, 24, finance.Credit))

	reasons := func(m finance.Match) map[string]bool {
		out := map[string]bool{}
		for _, r := range m.Reasons {
			out[r.Code] = out[r.Code] || r.OK
			if r.Text == "" {
				t.Errorf("reason %s without text", r.Code)
			}
		}
		return out
	}
	ms, err := e.svc.Matches(e.ctx, e.ent1User, n.ID, i18n.ZH)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 4 || ms[0].Product.ID != generic.ID || !ms[0].Eligible {
		t.Fatalf("without the qualification the general product ranks first: %+v", ms)
	}
	if r := reasons(ms[1]); ms[1].Product.ID != sci.ID || ms[1].Eligible || r["qualification"] || !r["amount"] || !r["term"] {
		t.Fatalf("science credit without a valid tech_sme: %+v", ms[1])
	}

	e.qualify(e.ent1, enterprise.TechSME, "2023-01-01", "2023-12-31")
	ms, _ = e.svc.Matches(e.ctx, e.ent1User, n.ID, i18n.ZH)
	byID := map[int64]finance.Match{}
	for _, m := range ms {
		byID[m.Product.ID] = m
	}
	if ms[0].Product.ID != sci.ID || !ms[0].Eligible || ms[0].Score != 30+20+20+20+5+3 {
		t.Fatalf("with tech_sme the science credit ranks first with 98: %+v", ms[0])
	}
	if m := byID[generic.ID]; !m.Eligible || m.Score != 30+20+20+15+5+2 {
		t.Fatalf("general product: %+v", m)
	}
	if r := reasons(byID[small.ID]); byID[small.ID].Eligible || r["amount"] || r["term"] || !r["guarantee"] {
		t.Fatalf("small credit: %+v", byID[small.ID])
	}
	if r := reasons(byID[mort.ID]); byID[mort.ID].Eligible || r["guarantee"] || !r["amount"] {
		t.Fatalf("mortgage: %+v", byID[mort.ID])
	}
	want := "企业持有有效的科技型中小企业资质"
	if !slices.ContainsFunc(ms[0].Reasons, func(r finance.Reason) bool { return r.OK && r.Text == want }) {
		t.Fatalf("reasons lack %q: %+v", want, ms[0].Reasons)
	}

	// A routed need: the other banks' products cannot serve it.
	in := need(500, 24, finance.Credit)
	in.BankOrgID = e.bankC.ID
	routed := e.post(e.ent1User, in)
	ms, _ = e.svc.Matches(e.ctx, e.office, routed.ID, i18n.EN)
	for _, m := range ms {
		r := reasons(m)
		if m.Product.BankOrgID != e.bankC.ID && (m.Eligible || r["bank"]) {
			t.Errorf("product of another bank eligible for a routed need: %+v", m)
		}
	}
	if ms[0].Product.ID != generic.ID || ms[0].Reasons[len(ms[0].Reasons)-1].Text != "The enterprise prefers 丙银行" {
		t.Fatalf("routed need's first match: %+v", ms[0])
	}

	// The office recommends only a product that fits.
	_, err = e.svc.Recommend(e.ctx, e.office, n.ID, mort.ID, "", civil.Date{})
	if ee := errs.As(err); ee.Code != errs.Invalid || ee.Field != "product_id" || ee.Msg.In(i18n.EN) != "The product does not fit this need: Does not take Unsecured (credit)" {
		t.Fatalf("recommending an unfit product: %v / %q", err, ee.Msg.In(i18n.EN))
	}
	r, err := e.svc.Recommend(access.With(e.ctx, e.office), e.office, n.ID, sci.ID, "比对后推荐", civil.Date{})
	if err != nil || r.RecommendedProductID != sci.ID || r.RecommendedProductName != "科技贷" {
		t.Fatalf("recommend: %+v %v", r, err)
	}
	if ms, _ = e.svc.Matches(e.ctx, e.ent1User, n.ID, i18n.ZH); !ms[0].Recommended {
		t.Fatal("the recommended product is not marked")
	}
	// The recommended product's bank lends under it when it takes the need.
	if tk := e.mustAct(e.bankAUser, n.ID, "take", nil); tk.ProductID != sci.ID {
		t.Fatalf("taken under product %d, want %d", tk.ProductID, sci.ID)
	}
	_, err = e.svc.Recommend(e.ctx, e.office, n.ID, sci.ID, "", civil.Date{})
	wantCode(t, "recommend after taking", err, errs.Conflict)
	// A bank lends only under its own active products.
	other := e.post(e.ent1User, need(100, 12, finance.Credit))
	_, err = e.act(e.bankAUser, other.ID, "take", map[string]any{"product_id": fmt.Sprint(small.ID)})
	if ee := errs.As(err); ee.Code != errs.Invalid || ee.Field != "product_id" {
		t.Fatalf("take under another bank's product: %v", err)
	}
}

// TestPostingRules: what a need must hold, and back-entry dates.
func TestPostingRules(t *testing.T) {
	e := newEnv(t)
	for field, in := range map[string]finance.NeedInput{
		"amount_fen":    {AmountFen: 0, TermMonths: 12, Purpose: "x", Guarantee: finance.Credit},
		"term_months":   {AmountFen: 1, TermMonths: 0, Purpose: "x", Guarantee: finance.Credit},
		"purpose":       {AmountFen: 1, TermMonths: 12, Purpose: " ", Guarantee: finance.Credit},
		"guarantee":     {AmountFen: 1, TermMonths: 12, Purpose: "x", Guarantee: "gold"},
		"bank_org_id":   {AmountFen: 1, TermMonths: 12, Purpose: "x", Guarantee: finance.Credit, BankOrgID: e.street.ID},
		"posted_on":     {AmountFen: 1, TermMonths: 12, Purpose: "x", Guarantee: finance.Credit, PostedOn: today.AddDays(1)},
		"contact_phone": {AmountFen: 1, TermMonths: 12, Purpose: "x", Guarantee: finance.Credit, ContactPhone: "123"},
	} {
		_, err := e.svc.Post(e.ctx, e.ent1User, in)
		if ee := errs.As(err); ee.Code != errs.Invalid || ee.Field != field {
			t.Errorf("%s: %v (field %q)", field, err, ee.Field)
		}
	}
	_, err := e.svc.Post(e.ctx, e.office, need(1, 1, finance.Credit))
	if ee := errs.As(err); ee.Code != errs.Invalid || ee.Field != "enterprise_id" {
		t.Fatalf("office posts without an enterprise: %v", err)
	}
	in := need(100, 12, finance.Credit)
	in.PostedOn = civil.MustParse("2023-03-01")
	n := e.post(e.ent1User, in)
	_, err = e.act(e.bankAUser, n.ID, "take", map[string]any{"date": "2023-02-28"})
	wantCode(t, "take before posting", err, errs.Invalid)
	_, err = e.act(e.bankAUser, n.ID, "take", map[string]any{"date": "2023-03-01", "speed": 1})
	wantCode(t, "unknown field", err, errs.Invalid)
}

// scenario runs a fixed history whose figures are worked out by hand in
// TestSummaryHandComputed.
func scenario(e *env) {
	e.t.Helper()
	post := func(p *access.Principal, wan int64, on string, bank int64, green bool) int64 {
		in := need(wan, 12, finance.Credit)
		in.PostedOn, in.BankOrgID, in.GreenChannel = civil.MustParse(on), bank, green
		return e.post(p, in).ID
	}
	// 1: open, posted Tue 3 Jan (2 Jan is a holiday); A takes Thu 5 Jan
	// (2 working days, limit 3: in time), credit 300万 on 10 Jan, 250万 lent
	// on 20 Jan.
	n1 := post(e.ent1User, 300, "2023-01-03", 0, false)
	e.mustAct(e.bankAUser, n1, "take", map[string]any{"date": "2023-01-05"})
	e.mustAct(e.bankAUser, n1, "approve_credit", map[string]any{"amount_fen": 300 * money.Wan, "date": "2023-01-10"})
	e.mustAct(e.bankAUser, n1, "disburse", map[string]any{"amount_fen": 250 * money.Wan, "date": "2023-01-20"})
	// 2: routed to B, green (limit 1), posted Fri 3 Feb; B takes Tue 7 Feb
	// (2 working days: late), credit denied 10 Feb.
	n2 := post(e.ent2User, 100, "2023-02-03", e.bankB.ID, true)
	e.mustAct(e.bankBUser, n2, "take", map[string]any{"date": "2023-02-07"})
	e.mustAct(e.bankBUser, n2, "deny_credit", map[string]any{"date": "2023-02-10"})
	// 3: open, posted Wed 1 Mar; C declines Thu 2 Mar (1 day), A declines
	// Mon 6 Mar (3 days), B takes Tue 7 Mar (4 days: late), 80万 on 8 Mar
	// and lent in full on 15 Mar.
	n3 := post(e.ent1User, 80, "2023-03-01", 0, false)
	e.mustAct(e.bankCUser, n3, "decline", map[string]any{"date": "2023-03-02"})
	e.mustAct(e.bankAUser, n3, "decline", map[string]any{"date": "2023-03-06"})
	e.mustAct(e.bankBUser, n3, "take", map[string]any{"date": "2023-03-07"})
	e.mustAct(e.bankBUser, n3, "approve_credit", map[string]any{"amount_fen": 80 * money.Wan, "date": "2023-03-08"})
	e.mustAct(e.bankBUser, n3, "disburse", map[string]any{"amount_fen": 80 * money.Wan, "date": "2023-03-15"})
	// 4: open, posted Mon 3 Apr, never answered: due Fri 7 Apr (5 Apr is
	// 清明), overdue from 8 Apr.
	post(e.ent2User, 50, "2023-04-03", 0, false)
	// 5: routed to C, posted Mon 8 May, cancelled by the enterprise Tue 9 May.
	n5 := post(e.ent1User, 40, "2023-05-08", e.bankC.ID, false)
	e.mustAct(e.ent1User, n5, "cancel", map[string]any{"date": "2023-05-09"})
	// 6: routed to A, posted Mon 5 Jun, A declines Mon 12 Jun (5 days: late).
	n6 := post(e.ent2User, 60, "2023-06-05", e.bankA.ID, false)
	e.mustAct(e.bankAUser, n6, "decline", map[string]any{"date": "2023-06-12"})
}

// TestSummaryHandComputed checks the period summary and the bank ranking
// against figures worked out by hand from the scenario.
func TestSummaryHandComputed(t *testing.T) {
	e := newEnv(t)
	scenario(e)
	get := func(from, to string) map[string]any {
		into := map[string]any{}
		if err := e.svc.Summary(e.ctx, e.db.Read(), e.leader, civil.MustParse(from), civil.MustParse(to), into); err != nil {
			t.Fatal(err)
		}
		return into["finance"].(map[string]any)
	}
	f := func(v float64) *float64 { return &v }
	h1 := get("2023-01-01", "2023-06-30")
	want := map[string]any{
		"needs": int64(6), "needs_fen": int64(630 * money.Wan), "loans": int64(2), "loans_fen": int64(330 * money.Wan),
		"credits": int64(2), "credits_fen": int64(380 * money.Wan), "credit_denied": int64(1),
		"taken": int64(3), "declined": int64(3),
		"take_rate": f(0.5), "approval_rate": f(2.0 / 3), "avg_response_workdays": f(float64(2+2+1+3+4+5) / 6),
		"response_on_time_rate": f(3.0 / 6),
		"in_progress":           int64(1), "overdue_open": int64(1),
	}
	for k, w := range want {
		if !reflect.DeepEqual(h1[k], w) {
			t.Errorf("H1 %s = %v, want %v", k, show(h1[k]), show(w))
		}
	}
	// Flows by date of the transition: March alone.
	mar := get("2023-03-01", "2023-03-31")
	if mar["needs"] != int64(1) || mar["loans_fen"] != int64(80*money.Wan) || mar["declined"] != int64(2) || mar["taken"] != int64(1) {
		t.Errorf("March = %v", mar)
	}
	// Stocks on a day: on 7 April, n4's due day, it is the one need in
	// progress and not yet overdue; from 8 April it is overdue.
	if d := get("2023-04-07", "2023-04-07"); d["in_progress"] != int64(1) || d["overdue_open"] != int64(0) {
		t.Errorf("7 April: %v", d)
	}
	if d := get("2023-04-08", "2023-04-08"); d["overdue_open"] != int64(1) {
		t.Errorf("8 April: %v", d)
	}
	// n2 (green, due Mon 6 Feb) was taken on 7 Feb: never counted as
	// waiting past its limit on any day's close.
	for _, day := range []string{"2023-02-06", "2023-02-07"} {
		if d := get(day, day); d["overdue_open"] != int64(0) || d["in_progress"] != int64(1) {
			t.Errorf("%s: %v", day, d)
		}
	}

	banks, err := e.svc.Banks(e.ctx, e.leader, civil.MustParse("2023-01-01"), civil.MustParse("2023-06-30"))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]finance.BankFigures{}
	for _, b := range banks {
		got[b.BankName] = b
	}
	a, b, c := got["甲银行"], got["乙银行"], got["丙银行"]
	if a.Answers != 3 || a.Taken != 1 || *a.AvgResponseWorkdays != float64(2+3+5)/3 || a.Late != 1 || a.LoansFen != 250*money.Wan || a.Credits != 1 {
		t.Errorf("bank A = %+v", a)
	}
	if b.Answers != 2 || b.Taken != 2 || b.Late != 2 || *b.ApprovalRate != 0.5 || b.LoansFen != 80*money.Wan {
		t.Errorf("bank B = %+v", b)
	}
	if c.Answers != 1 || c.Declined != 1 || *c.OnTimeRate != 1 || c.LoansFen != 0 || c.TakeRate == nil || *c.TakeRate != 0 {
		t.Errorf("bank C = %+v", c)
	}
	if banks[0].BankName != "甲银行" || banks[1].BankName != "乙银行" {
		t.Errorf("ranking by amount lent: %s, %s", banks[0].BankName, banks[1].BankName)
	}
	if a.Waiting != 1 || b.Waiting != 1 || c.Waiting != 1 {
		t.Errorf("waiting now: %d %d %d, want n4 for each", a.Waiting, b.Waiting, c.Waiting)
	}
	own, err := e.svc.Banks(e.ctx, e.bankBUser, civil.MustParse("2023-01-01"), civil.MustParse("2023-06-30"))
	if err != nil || len(own) != 1 || own[0].BankOrgID != e.bankB.ID || own[0].LoansFen != 80*money.Wan {
		t.Errorf("bank B's own ranking: %+v %v", own, err)
	}
	if _, err := e.svc.Banks(e.ctx, e.ent1User, civil.MustParse("2023-01-01"), today); errs.CodeOf(err) != errs.Forbidden {
		t.Errorf("an enterprise reads the bank ranking: %v", err)
	}
	rebuildAgrees(t, e)
}

func show(v any) any {
	if p, ok := v.(*float64); ok && p != nil {
		return *p
	}
	return v
}

// rebuildAgrees clears the module's rollups, rebuilds them from the records
// and compares them with the running totals.
func rebuildAgrees(t *testing.T, e *env) {
	t.Helper()
	before, err := rollup.Snapshot(e.ctx, e.db.Read(), finance.Metrics...)
	if err != nil {
		t.Fatal(err)
	}
	if len(before) == 0 {
		t.Fatal("no rollups were kept")
	}
	err = e.db.Write(e.ctx, func(tx *store.Tx) error {
		if err := rollup.Clear(e.ctx, tx, finance.Metrics...); err != nil {
			return err
		}
		if err := e.svc.Rebuild(e.ctx, tx); err != nil {
			return err
		}
		return audit.Append(e.ctx, tx, audit.Entry{Action: "test.rebuild"})
	})
	if err != nil {
		t.Fatal(err)
	}
	after, err := rollup.Snapshot(e.ctx, e.db.Read(), finance.Metrics...)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(before, after) {
		for k, v := range before {
			if after[k] != v {
				t.Errorf("%s: running %d, rebuilt %d", k, v, after[k])
			}
		}
		for k, v := range after {
			if _, ok := before[k]; !ok {
				t.Errorf("%s: rebuilt %d, not in the running totals", k, v)
			}
		}
	}
}

// TestRebuildEqualsRunningTotals plays random histories and checks that a
// rebuild from the records gives the running totals exactly.
func TestRebuildEqualsRunningTotals(t *testing.T) {
	e := newEnv(t)
	rnd := rand.New(rand.NewPCG(7, 11))
	cal := calendar.New()
	banks := []*access.Principal{e.bankAUser, e.bankBUser, e.bankCUser}
	for i := 0; i < 60; i++ {
		owner := []*access.Principal{e.ent1User, e.ent2User}[rnd.IntN(2)]
		in := need(int64(10+rnd.IntN(990)), 1+rnd.IntN(60), finance.Guarantees[rnd.IntN(4)])
		in.PostedOn = civil.New(2023, time.Month(1+rnd.IntN(6)), 1+rnd.IntN(28))
		in.GreenChannel = rnd.IntN(4) == 0
		routed := rnd.IntN(3) == 0
		var router *access.Principal
		if routed {
			router = banks[rnd.IntN(3)]
			in.BankOrgID = router.OrgID
		}
		n := e.post(owner, in)
		day := in.PostedOn
		step := func() string {
			day = cal.AddWorkdays(day, rnd.IntN(4))
			if day.After(today) {
				day = today
			}
			return day.String()
		}
		switch rnd.IntN(6) {
		case 0: // left waiting, perhaps with declines
			if !routed {
				for _, b := range banks[:rnd.IntN(3)] {
					e.mustAct(b, n.ID, "decline", map[string]any{"date": step()})
				}
			}
			continue
		case 1:
			e.mustAct(owner, n.ID, "cancel", map[string]any{"date": step()})
			continue
		case 2:
			b := router
			if b == nil {
				b = banks[rnd.IntN(3)]
			}
			if !routed {
				for _, o := range banks {
					if o != b {
						e.mustAct(o, n.ID, "decline", map[string]any{"date": step()})
					}
				}
			}
			e.mustAct(b, n.ID, "decline", map[string]any{"date": step()})
			continue
		}
		taker := router
		if taker == nil {
			taker = banks[rnd.IntN(3)]
			if rnd.IntN(2) == 0 {
				for _, o := range banks {
					if o != taker {
						e.mustAct(o, n.ID, "decline", map[string]any{"date": step()})
						break
					}
				}
			}
		}
		e.mustAct(taker, n.ID, "take", map[string]any{"date": step()})
		if rnd.IntN(4) == 0 {
			e.mustAct(taker, n.ID, "deny_credit", map[string]any{"date": step()})
			continue
		}
		credit := in.AmountFen - int64(rnd.IntN(5))*money.Wan
		e.mustAct(taker, n.ID, "approve_credit", map[string]any{"amount_fen": credit, "date": step()})
		if rnd.IntN(3) > 0 {
			e.mustAct(taker, n.ID, "disburse", map[string]any{"amount_fen": credit - int64(rnd.IntN(3))*money.Wan, "date": step()})
		}
	}
	rebuildAgrees(t, e)

	// And the summary adds up to the records.
	var loans, loansFen, needsN, needsFen int64
	items, _, err := e.svc.List(e.ctx, e.office, finance.NeedFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range items {
		needsN++
		needsFen += n.AmountFen
		if n.Status == finance.Disbursed {
			loans++
			loansFen += n.LoanFen
		}
	}
	into := map[string]any{}
	if err := e.svc.Summary(e.ctx, e.db.Read(), e.leader, civil.MustParse("2023-01-01"), today, into); err != nil {
		t.Fatal(err)
	}
	s := into["finance"].(map[string]any)
	if s["needs"] != needsN || s["needs_fen"] != needsFen || s["loans"] != loans || s["loans_fen"] != loansFen {
		t.Fatalf("summary %v, records: %d needs %d fen, %d loans %d fen", s, needsN, needsFen, loans, loansFen)
	}
}
