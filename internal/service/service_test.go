package service_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strconv"
	"sync"
	"testing"
	"time"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/calendar"
	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
	"xiaoer/internal/org"
	"xiaoer/internal/pii"
	"xiaoer/internal/rollup"
	"xiaoer/internal/service"
	"xiaoer/internal/store"
	"xiaoer/internal/store/storetest"
)

func TestFlowIsValid(t *testing.T) {
	for _, d := range []*struct {
		name string
		err  error
	}{{"case", service.CaseFlow.Check()}, {"bad_review", service.BadReviewFlow.Check()}} {
		if d.err != nil {
			t.Errorf("%s: %v", d.name, d.err)
		}
	}
}

// fixture is a small network: one zone, two sites, a promised matter of 5
// working days, an instant matter, and clerks of each site.
type fixture struct {
	svc            *service.Service
	db             *store.DB
	ctx            context.Context
	zone           int64
	site, other    int64
	promised, inst int64
	clerk, clerk2  *access.Principal
	office         *access.Principal
}

var sys = access.SystemPrincipal("test")

func newFixture(t *testing.T, today string) *fixture {
	t.Helper()
	db := storetest.Open(t)
	now := civil.MustParse(today).Time().Add(10 * time.Hour)
	db.SetClock(func() time.Time { return now })
	key := make([]byte, 32)
	c, err := pii.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{svc: &service.Service{DB: db, Cipher: c, Cal: calendar.New()}, db: db, ctx: access.With(context.Background(), sys)}
	err = db.Write(f.ctx, func(tx *store.Tx) error {
		z, err := org.CreateTx(f.ctx, tx, org.Input{Name: "测试高新区", Kind: org.Zone})
		if err != nil {
			return err
		}
		f.zone = z.ID
		if f.site, err = f.svc.CreateSiteTx(f.ctx, tx, sys, service.SiteInput{Code: "YRV", Name: "雨润广场政务V站", Level: service.MicroSite, Kind: "政务V站", OrgID: z.ID}); err != nil {
			return err
		}
		if f.other, err = f.svc.CreateSiteTx(f.ctx, tx, sys, service.SiteInput{Code: "ZZ", Name: "智能制造产业园政务小站", Level: service.MicroSite, Kind: "政务小站", OrgID: z.ID}); err != nil {
			return err
		}
		if f.promised, err = f.svc.CreateMatterTx(f.ctx, tx, sys, service.MatterInput{Code: "M-PROMISED", Name: "食品经营许可（新办）", Type: "行政许可",
			HandlingLevel: service.DistrictLevel, Kind: service.Promised, LegalLimitWorkdays: 20, PromisedLimitWorkdays: 5,
			Materials: []string{"申请书", "营业执照"}, Online: true}); err != nil {
			return err
		}
		if f.inst, err = f.svc.CreateMatterTx(f.ctx, tx, sys, service.MatterInput{Code: "M-INSTANT", Name: "个体工商户设立登记", Type: "行政许可",
			HandlingLevel: service.DistrictLevel, Kind: service.Instant, LegalLimitWorkdays: 15}); err != nil {
			return err
		}
		for _, site := range []int64{f.site, f.other} {
			if err := f.svc.OfferMattersTx(f.ctx, tx, sys, site, []service.SiteMatterInput{{MatterID: f.promised, Mode: service.Local}, {MatterID: f.inst, Mode: service.Local}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	f.clerk = &access.Principal{UserID: 0, Username: "c1", Roles: []access.Role{access.Clerk}, SiteID: f.site}
	f.clerk2 = &access.Principal{UserID: 0, Username: "c2", Roles: []access.Role{access.Clerk}, SiteID: f.other}
	f.office = &access.Principal{Username: "office", Roles: []access.Role{access.ServiceOffice}, OrgPath: "/"}
	return f
}

// at is a moment in working hours of day d.
func at(d string) time.Time { return civil.MustParse(d).Time().Add(9*time.Hour + 30*time.Minute) }

var person = &service.Applicant{Name: "张三", IDNumber: "11010519491231002X", Phone: "13812345678"}

func (f *fixture) receive(t *testing.T, p *access.Principal, matter int64, on, then string) int64 {
	t.Helper()
	var id int64
	err := f.db.Write(f.ctx, func(tx *store.Tx) error {
		var err error
		in := service.CaseInput{MatterID: matter, SiteID: p.SiteID, Applicant: person}
		if then != "" {
			in.Then = json.RawMessage(then)
		}
		id, err = f.svc.ReceiveTx(f.ctx, tx, p, in, at(on))
		return err
	})
	if err != nil {
		t.Fatalf("receive on %s: %v", on, err)
	}
	return id
}

func (f *fixture) act(p *access.Principal, id int64, action, on, body string) error {
	return f.db.Write(f.ctx, func(tx *store.Tx) error {
		return f.svc.ActTx(f.ctx, tx, p, id, action, []byte(body), at(on))
	})
}

func (f *fixture) mustAct(t *testing.T, p *access.Principal, id int64, action, on, body string) {
	t.Helper()
	if err := f.act(p, id, action, on, body); err != nil {
		t.Fatalf("%s on %s: %v", action, on, err)
	}
}

func (f *fixture) due(t *testing.T, id int64) civil.Date {
	t.Helper()
	c, err := f.svc.GetCase(f.ctx, sys, id)
	if err != nil {
		t.Fatal(err)
	}
	return c.DueOn
}

// The example: accepted on 2023-09-27 (the National Day holiday
// and its make-up days in between) with a limit of 5 working days, the case
// is due on 2023-10-10; days in a special procedure move it later, and so do
// days spent waiting for a supplement before acceptance.
func TestDueDateCountsWorkingDaysAndPauses(t *testing.T) {
	f := newFixture(t, "2023-10-31")
	a := f.receive(t, f.clerk, f.promised, "2023-09-27", `{"action":"accept"}`)
	if got := f.due(t, a); got != civil.MustParse("2023-10-10") {
		t.Fatalf("accepted 2023-09-27: due %s, want 2023-10-10", got)
	}
	// Special procedure from Mon 10-09 to Wed 10-11: two working days paused.
	f.mustAct(t, f.clerk, a, "start_processing", "2023-09-28", "")
	f.mustAct(t, f.clerk, a, "start_special", "2023-10-09", "")
	f.mustAct(t, f.clerk, a, "end_special", "2023-10-11", "")
	if got := f.due(t, a); got != civil.MustParse("2023-10-12") {
		t.Fatalf("after two paused working days: due %s, want 2023-10-12", got)
	}
	c, _ := f.svc.GetCase(f.ctx, sys, a)
	if c.PausedWorkdays != 2 || c.LimitWorkdays != 5 {
		t.Fatalf("paused %d, limit %d", c.PausedWorkdays, c.LimitWorkdays)
	}

	// Received on Mon 09-25 complete: due 10-08 (a make-up Sunday counts).
	b := f.receive(t, f.clerk, f.promised, "2023-09-25", `{"action":"accept"}`)
	if got := f.due(t, b); got != civil.MustParse("2023-10-08") {
		t.Fatalf("accepted 2023-09-25: due %s, want 2023-10-08", got)
	}
	// Received the same day but incomplete: two working days waiting for
	// the supplement move the acceptance, and the due date, two working
	// days later — to the 2023-10-10.
	s := f.receive(t, f.clerk, f.promised, "2023-09-25", `{"action":"request_supplement","materials":"营业执照（原件）"}`)
	if c, _ := f.svc.GetCase(f.ctx, sys, s); c.Status != service.SupplementRequired || c.Supplement != "营业执照（原件）" || !c.DueOn.IsZero() {
		t.Fatalf("after request_supplement: %+v", c)
	}
	f.mustAct(t, f.clerk, s, "supplement", "2023-09-27", "")
	f.mustAct(t, f.clerk, s, "accept", "2023-09-27", "")
	if got := f.due(t, s); got != civil.MustParse("2023-10-10") {
		t.Fatalf("supplemented and accepted 2023-09-27: due %s, want 2023-10-10", got)
	}
	// Concluded after the due date: overdue for good.
	f.mustAct(t, f.clerk, s, "start_processing", "2023-10-09", "")
	f.mustAct(t, f.clerk, s, "conclude", "2023-10-11", `{"outcome":"approved"}`)
	if c, _ := f.svc.GetCase(f.ctx, sys, s); !c.Overdue || c.Status != service.Concluded || c.Outcome != "approved" {
		t.Fatalf("concluded late: overdue %v, %s %s", c.Overdue, c.Status, c.Outcome)
	}
}

func TestInstantMatterIsConcludedInOneSitting(t *testing.T) {
	f := newFixture(t, "2023-07-11")
	id := f.receive(t, f.clerk, f.inst, "2023-07-10", `{"action":"conclude","outcome":"approved"}`)
	c, err := f.svc.GetCase(f.ctx, sys, id)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != service.Concluded || c.Outcome != "approved" || c.DueOn != civil.MustParse("2023-07-10") || c.Overdue || c.ConcludedAt == nil {
		t.Fatalf("instant case: %+v", c)
	}
	evs, _ := f.svc.CaseEvents(f.ctx, sys, id)
	var actions []string
	for _, e := range evs {
		actions = append(actions, e.Action)
	}
	if !reflect.DeepEqual(actions, []string{"receive", "accept", "conclude"}) {
		t.Fatalf("events %v", actions)
	}
	// A promised matter cannot be concluded on receipt.
	err = f.db.Write(f.ctx, func(tx *store.Tx) error {
		_, err := f.svc.ReceiveTx(f.ctx, tx, f.clerk, service.CaseInput{MatterID: f.promised, Applicant: person,
			Then: json.RawMessage(`{"action":"conclude","outcome":"approved"}`)}, at("2023-07-10"))
		return err
	})
	if e := errs.As(err); e.Code != errs.Invalid || e.Field != "then" {
		t.Fatalf("promised matter concluded on receipt: %v", err)
	}
}

func TestWorkflowIsEnforced(t *testing.T) {
	f := newFixture(t, "2023-07-11")
	id := f.receive(t, f.clerk, f.promised, "2023-07-03", "")
	for _, tc := range []struct {
		name   string
		p      *access.Principal
		action string
		body   string
		code   errs.Code
	}{
		{"conclude before acceptance", f.clerk, "conclude", `{"outcome":"approved"}`, errs.Conflict},
		{"deliver before conclusion", f.clerk, "deliver", ``, errs.Conflict},
		{"another site's clerk", f.clerk2, "accept", ``, errs.NotFound},
		{"a leader", &access.Principal{Roles: []access.Role{access.Leader}, OrgPath: "/"}, "accept", ``, errs.NotFound},
		{"reject without a reason", f.clerk, "reject", `{}`, errs.Invalid},
		{"unknown action", f.clerk, "approve", ``, errs.NotFound},
	} {
		if err := f.act(tc.p, id, tc.action, "2023-07-04", tc.body); errs.CodeOf(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	f.mustAct(t, f.office, id, "accept", "2023-07-04", "")
	if err := f.act(f.clerk, id, "accept", "2023-07-04", ""); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("accepting twice: %v", err)
	}
	// An action may not be dated before the previous one.
	if err := f.act(f.clerk, id, "start_processing", "2023-07-03", ""); errs.CodeOf(err) != errs.Invalid {
		t.Fatalf("back-dated before the previous stage: %v", err)
	}
	// The other site's clerk sees nothing of it.
	if _, err := f.svc.GetCase(f.ctx, f.clerk2, id); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("other clerk reads: %v", err)
	}
	if list, total, _ := f.svc.ListCases(f.ctx, f.clerk2, service.CaseFilter{}); total != 0 || len(list) != 0 {
		t.Fatalf("other clerk lists %d", total)
	}
}

func TestPersonalDataIsEncryptedAndMasked(t *testing.T) {
	f := newFixture(t, "2023-07-11")
	id := f.receive(t, f.clerk, f.promised, "2023-07-03", "")
	var enc []byte
	var idx string
	if err := f.db.Read().QueryRow(f.ctx, "SELECT applicant_id_enc, applicant_id_idx FROM cases WHERE id = ?", id).Scan(&enc, &idx); err != nil {
		t.Fatal(err)
	}
	if len(enc) == 0 || string(enc) == person.IDNumber || idx == "" {
		t.Fatalf("ID number stored as %q / %q", enc, idx)
	}
	c, _ := f.svc.GetCase(f.ctx, f.clerk, id)
	if c.Applicant.IDNumber != "110***********002X" || c.Applicant.Phone != "138****5678" {
		t.Fatalf("shown as %+v", c.Applicant)
	}
	full, err := f.svc.RevealApplicant(f.ctx, f.clerk, id)
	if err != nil || full.IDNumber != person.IDNumber {
		t.Fatalf("reveal: %+v %v", full, err)
	}
	var n int
	f.db.Read().QueryRow(f.ctx, "SELECT COUNT(*) FROM audit_log WHERE action = 'service.reveal' AND object_id = ?", fmt.Sprint(id)).Scan(&n)
	if n != 1 {
		t.Fatalf("%d reveal audit records", n)
	}
	// Found by the full ID number through the blind index.
	if _, total, _ := f.svc.ListCases(f.ctx, f.clerk, service.CaseFilter{Q: person.IDNumber}); total != 1 {
		t.Fatalf("search by ID number: %d", total)
	}
	// A bad ID number is refused.
	err = f.db.Write(f.ctx, func(tx *store.Tx) error {
		_, err := f.svc.ReceiveTx(f.ctx, tx, f.clerk, service.CaseInput{MatterID: f.promised,
			Applicant: &service.Applicant{Name: "李四", IDNumber: "110105194912310021"}}, at("2023-07-03"))
		return err
	})
	if e := errs.As(err); e.Field != "applicant.id_number" {
		t.Fatalf("bad ID number: %v", err)
	}
}

func TestCaseNumbersAreReadableAndConsecutive(t *testing.T) {
	f := newFixture(t, "2023-07-11")
	a := f.receive(t, f.clerk, f.promised, "2023-07-03", "")
	b := f.receive(t, f.clerk, f.promised, "2023-07-03", "")
	c := f.receive(t, f.clerk2, f.promised, "2023-07-03", "")
	var got []string
	for _, id := range []int64{a, b, c} {
		x, _ := f.svc.GetCase(f.ctx, sys, id)
		got = append(got, x.Number)
	}
	if want := []string{"YRV-20230703-0001", "YRV-20230703-0002", "ZZ-20230703-0001"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("numbers %v, want %v", got, want)
	}
}

func TestOneEvaluationPerCaseAndTheBadReviewFlow(t *testing.T) {
	f := newFixture(t, "2023-07-31")
	id := f.receive(t, f.clerk, f.inst, "2023-07-03", `{"action":"conclude","outcome":"approved"}`)
	open := f.receive(t, f.clerk, f.promised, "2023-07-03", "")
	eval := func(p *access.Principal, cid int64, score int) (int64, error) {
		var eid int64
		err := f.db.Write(f.ctx, func(tx *store.Tx) error {
			var err error
			eid, err = f.svc.EvaluateTx(f.ctx, tx, p, cid, service.EvaluationInput{Score: score, Comment: "等太久"}, at("2023-07-04"))
			return err
		})
		return eid, err
	}
	if _, err := eval(f.clerk, open, 5); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("rating an open case: %v", err)
	}
	if _, err := eval(f.clerk2, id, 5); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("another site's clerk rates: %v", err)
	}
	if _, err := eval(f.clerk, id, 2); err != nil {
		t.Fatal(err)
	}
	if _, err := eval(f.clerk, id, 5); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("second evaluation: %v", err)
	}
	list, total, err := f.svc.ListBadReviews(f.ctx, f.office, service.BadReviewFilter{})
	if err != nil || total != 1 {
		t.Fatalf("bad reviews: %d %v", total, err)
	}
	b := list[0]
	// 15 working days from 2023-07-04.
	if b.Status != service.Verifying || b.DueOn != civil.MustParse("2023-07-25") || b.Score != 2 {
		t.Fatalf("bad review %+v", b)
	}
	step := func(action, on, body string) error {
		return f.db.Write(f.ctx, func(tx *store.Tx) error {
			return f.svc.ActOnBadReviewTx(f.ctx, tx, f.office, b.ID, action, []byte(body), at(on))
		})
	}
	if err := step("close", "2023-07-05", ""); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("close while verifying: %v", err)
	}
	if err := f.db.Write(f.ctx, func(tx *store.Tx) error {
		return f.svc.ActOnBadReviewTx(f.ctx, tx, f.clerk, b.ID, "rectify", nil, at("2023-07-05"))
	}); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("a clerk acts on a bad review: %v", err)
	}
	for _, s := range []struct{ action, body string }{{"rectify", ""}, {"revisit", `{"rating":"satisfied"}`}, {"close", ""}} {
		if err := step(s.action, "2023-07-06", s.body); err != nil {
			t.Fatalf("%s: %v", s.action, err)
		}
	}
	b, _ = f.svc.GetBadReview(f.ctx, f.office, b.ID)
	if b.Status != service.Closed || b.ClosedOn != civil.MustParse("2023-07-06") || b.Overdue {
		t.Fatalf("closed: %+v", b)
	}
}

func TestBadReviewLimitIsASetting(t *testing.T) {
	f := newFixture(t, "2023-07-31")
	if _, err := f.svc.SaveSettings(f.ctx, f.office, service.Settings{BadReviewWorkdays: 5}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SaveSettings(f.ctx, f.clerk, service.Settings{BadReviewWorkdays: 5}); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("a clerk changes settings: %v", err)
	}
	id := f.receive(t, f.clerk, f.inst, "2023-07-03", `{"action":"conclude","outcome":"approved"}`)
	if err := f.db.Write(f.ctx, func(tx *store.Tx) error {
		_, err := f.svc.EvaluateTx(f.ctx, tx, f.clerk, id, service.EvaluationInput{Score: 1}, at("2023-07-03"))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	list, _, _ := f.svc.ListBadReviews(f.ctx, f.office, service.BadReviewFilter{})
	if len(list) != 1 || list[0].DueOn != civil.MustParse("2023-07-10") {
		t.Fatalf("due with a 5-day limit: %+v", list)
	}
}

// history drives random cases through random, valid paths over a few
// weeks, dated in order, so that the rollups see every kind of transition:
// supplements, refusals, special procedures, late and timely conclusions,
// returns, withdrawals and evaluations.
func history(t *testing.T, f *fixture, seed uint64, n int) {
	t.Helper()
	rnd := rand.New(rand.NewPCG(seed, 7))
	cal := f.svc.Cal
	start := civil.MustParse("2023-06-01")
	for i := range n {
		day := cal.AddWorkdays(start, rnd.IntN(20))
		matter := f.promised
		if rnd.IntN(4) == 0 {
			matter = f.inst
		}
		p := f.clerk
		if rnd.IntN(2) == 0 {
			p = f.clerk2
		}
		id := f.receive(t, p, matter, day.String(), "")
		on := day
		next := func() string {
			on = cal.AddWorkdays(on, rnd.IntN(4))
			return on.String()
		}
		try := func(action, body string) bool {
			return f.act(p, id, action, next(), body) == nil
		}
		for steps := 0; steps < 12; steps++ {
			c, _ := f.svc.GetCase(f.ctx, sys, id)
			var options []func() bool
			switch c.Status {
			case service.Received:
				options = []func() bool{func() bool { return try("accept", "") }, func() bool { return try("accept", "") },
					func() bool { return try("request_supplement", `{"materials":"x"}`) }, func() bool { return try("reject", `{"reason":"x"}`) },
					func() bool { return try("withdraw", "") }}
			case service.SupplementRequired:
				options = []func() bool{func() bool { return try("supplement", "") }, func() bool { return try("reject", `{"reason":"x"}`) }}
			case service.Accepted:
				options = []func() bool{func() bool { return try("start_processing", "") }, func() bool { return try("conclude", `{"outcome":"approved"}`) }}
			case service.InProcess:
				options = []func() bool{func() bool { return try("conclude", `{"outcome":"denied"}`) }, func() bool { return try("conclude", `{"outcome":"approved"}`) },
					func() bool { return try("start_special", "") }, func() bool { return try("return", "") }}
			case service.SpecialProcedure:
				options = []func() bool{func() bool { return try("end_special", "") }, func() bool { return try("withdraw", "") }}
			case service.Concluded:
				options = []func() bool{func() bool { return try("deliver", "") }}
			}
			if len(options) == 0 || rnd.IntN(10) == 0 {
				break
			}
			if !options[rnd.IntN(len(options))]() {
				t.Fatalf("case %d: a valid step failed in %s", i, c.Status)
			}
		}
		if c, _ := f.svc.GetCase(f.ctx, sys, id); (c.Status == service.Concluded || c.Status == service.Delivered) && rnd.IntN(2) == 0 {
			if err := f.db.Write(f.ctx, func(tx *store.Tx) error {
				_, err := f.svc.EvaluateTx(f.ctx, tx, p, id, service.EvaluationInput{Score: 1 + rnd.IntN(5)}, at(next()))
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestRebuildEqualsRunningTotals replays random histories and checks that
// recomputing the rollups from the records gives exactly the running totals.
func TestRebuildEqualsRunningTotals(t *testing.T) {
	t.Cleanup(service.SetRebuildSpan(7)) // 80 cases in a dozen ranges
	f := newFixture(t, "2023-09-30")
	history(t, f, 1, 80)
	before, err := rollup.Snapshot(f.ctx, f.db.Read(), service.MetricPrefix)
	if err != nil {
		t.Fatal(err)
	}
	if len(before) == 0 {
		t.Fatal("no rollups")
	}
	err = f.db.Write(f.ctx, func(tx *store.Tx) error {
		if err := rollup.Clear(f.ctx, tx, service.MetricPrefix); err != nil {
			return err
		}
		if err := f.svc.Rebuild(f.ctx, tx); err != nil {
			return err
		}
		return audit.Append(f.ctx, tx, audit.Entry{Action: "rollup.rebuild"})
	})
	if err != nil {
		t.Fatal(err)
	}
	after, _ := rollup.Snapshot(f.ctx, f.db.Read(), service.MetricPrefix)
	if !reflect.DeepEqual(before, after) {
		for k, v := range before {
			if after[k] != v {
				t.Errorf("%s: running %d, rebuilt %d", k, v, after[k])
			}
		}
		for k, v := range after {
			if _, ok := before[k]; !ok {
				t.Errorf("%s: only rebuilt (%d)", k, v)
			}
		}
	}
}

// TestOverdueOpenMatchesTheClocks checks the +1/−1 markers against a
// brute-force count: for every day, the cases whose clock — as it stood at
// the end of that day — was open and overdue.
func TestOverdueOpenMatchesTheClocks(t *testing.T) {
	f := newFixture(t, "2023-09-30")
	history(t, f, 2, 80)
	type state struct {
		on civil.Date
		k  calendar.Clock
	}
	byCase := map[int64][]state{}
	rows, err := f.db.Read().Query(f.ctx, "SELECT entity_id, on_date, data FROM flow_events WHERE entity = 'case' ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var on civil.Date
		var data string
		rows.Scan(&id, &on, &data)
		var d struct {
			Clock *calendar.Clock `json:"clock"`
		}
		json.Unmarshal([]byte(data), &d)
		if d.Clock != nil {
			byCase[id] = append(byCase[id], state{on, *d.Clock})
		}
	}
	rows.Close()
	most := int64(0)
	for day := civil.MustParse("2023-06-01"); !day.After(civil.MustParse("2023-09-30")); day = day.AddDays(1) {
		want := int64(0)
		for _, states := range byCase {
			var k *calendar.Clock
			for i := range states {
				if !states[i].on.After(day) {
					k = &states[i].k
				}
			}
			if k != nil && k.StoppedOn.IsZero() && k.Overdue(day) {
				want++
			}
		}
		got, err := rollup.Upto(f.ctx, f.db.Read(), rollup.Scope{Path: "/"}, day, "cases.overdue_open")
		if err != nil {
			t.Fatal(err)
		}
		if got["cases.overdue_open"] != want {
			t.Fatalf("%s: overdue_open %d, clocks say %d", day, got["cases.overdue_open"], want)
		}
		most = max(most, want)
	}
	if most < 2 {
		t.Fatalf("the history never had two cases open and overdue (%d): the test proves nothing", most)
	}
}

// TestSummaryFromRecords computes the summary's figures by hand from the
// records and compares.
func TestSummaryFromRecords(t *testing.T) {
	f := newFixture(t, "2023-09-30")
	history(t, f, 3, 60)
	from, to := civil.MustParse("2023-06-05"), civil.MustParse("2023-06-23")
	into := map[string]any{}
	if err := f.svc.Summary(f.ctx, f.db.Read(), f.office, from, to, into); err != nil {
		t.Fatal(err)
	}
	cases := into["cases"].(map[string]any)
	count := func(q string, args ...any) int64 {
		var n int64
		if err := f.db.Read().QueryRow(f.ctx, q, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	ev := func(action string) int64 {
		return count("SELECT COUNT(*) FROM flow_events WHERE entity = 'case' AND action = ? AND on_date BETWEEN ? AND ?", action, from, to)
	}
	received := count("SELECT COUNT(*) FROM cases WHERE received_on BETWEEN ? AND ?", from, to)
	concluded := ev("conclude")
	onTime := count("SELECT COUNT(*) FROM cases WHERE status IN ('concluded','delivered') AND stopped_on BETWEEN ? AND ? AND stopped_on <= due_on", from, to)
	evals := count("SELECT COUNT(*) FROM evaluations WHERE evaluated_on BETWEEN ? AND ?", from, to)
	good := count("SELECT COUNT(*) FROM evaluations WHERE evaluated_on BETWEEN ? AND ? AND score >= 3", from, to)
	bad := count("SELECT COUNT(*) FROM evaluations WHERE evaluated_on BETWEEN ? AND ? AND score <= 2", from, to)
	open := cases["overdue_open"].(int64)
	for k, want := range map[string]int64{"received": received, "accepted": ev("accept"), "concluded": concluded, "evaluations": evals,
		"bad_reviews": bad, "remote": 0, "bad_reviews_closed": 0} {
		if cases[k] != want {
			t.Errorf("%s = %v, want %d", k, cases[k], want)
		}
	}
	if r := cases["on_time_rate"].(*float64); concluded+open == 0 || *r != float64(onTime)/float64(concluded+open) {
		t.Errorf("on_time_rate = %v, want %d/%d", *r, onTime, concluded+open)
	}
	if r := cases["satisfaction_rate"].(*float64); evals == 0 || *r != float64(good)/float64(evals) {
		t.Errorf("satisfaction_rate = %v, want %d/%d", r, good, evals)
	}
	sites := into["sites"].(map[string]any)
	if sites["total"] != int64(2) || sites["by_level"].(map[string]int64)["micro_site"] != 2 {
		t.Errorf("sites = %v", sites)
	}
	ranks, err := f.svc.Rankings(f.ctx, f.db.Read(), f.office, from, to, i18n.ZH)
	if err != nil {
		t.Fatal(err)
	}
	if rows := ranks[0].Rows; len(rows) != 2 || atoi(t, rows[0].Values[0])+atoi(t, rows[1].Values[0]) != received ||
		atoi(t, rows[0].Values[0]) < atoi(t, rows[1].Values[0]) {
		t.Errorf("the sites by cases received: %+v, %d received", rows, received)
	}
}

// TestCaseNumbersUnderConcurrency receives many cases at one site on one
// day at once: every one gets its own consecutive number, on either engine.
func TestCaseNumbersUnderConcurrency(t *testing.T) {
	f := newFixture(t, "2023-07-11")
	const n = 40
	var wg sync.WaitGroup
	errc := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.svc.Receive(f.ctx, f.clerk, service.CaseInput{MatterID: f.promised, Applicant: person})
			errc <- err
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			t.Fatal(err)
		}
	}
	list, total, err := f.svc.ListCases(f.ctx, sys, service.CaseFilter{Limit: 100})
	if err != nil || total != n {
		t.Fatalf("%d cases, %v", total, err)
	}
	seen := map[string]bool{}
	for _, c := range list {
		seen[c.Number] = true
	}
	for i := 1; i <= n; i++ {
		if num := fmt.Sprintf("YRV-20230711-%04d", i); !seen[num] {
			t.Errorf("no case %s", num)
		}
	}
}

func atoi(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
