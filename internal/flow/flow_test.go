package flow_test

import (
	"context"
	"testing"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/calendar"
	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/flow"
	"xiaoer/internal/i18n"
	"xiaoer/internal/store"
	"xiaoer/internal/store/storetest"
)

// permit is a small sample workflow: a permit application that is received,
// may wait for supplements (clock paused), is accepted (clock starts) and is
// decided (clock stops).
var permit = flow.Def{
	Entity:  "permit",
	Initial: "received",
	States: []flow.State{
		{Name: "received", Label: i18n.T("已收件", "Received")},
		{Name: "waiting", Label: i18n.T("待补正", "Waiting"), Paused: true},
		{Name: "accepted", Label: i18n.T("已受理", "Accepted")},
		{Name: "decided", Label: i18n.T("已办结", "Decided"), Terminal: true},
	},
	Actions: []flow.Action{
		{Name: "accept", Label: i18n.T("受理", "Accept"), From: []string{"received"}, To: "accepted",
			Roles: []access.Role{access.Clerk}, Clock: flow.Start},
		{Name: "ask", Label: i18n.T("要求补正", "Ask for more"), From: []string{"accepted"}, To: "waiting",
			Roles: []access.Role{access.Clerk}, Clock: flow.Pause,
			Fields: []flow.Field{{Name: "materials", Kind: flow.Text, Required: true, Label: i18n.T("补正材料", "Materials")}}},
		{Name: "supply", Label: i18n.T("补正", "Supply"), From: []string{"waiting"}, To: "accepted",
			Roles: []access.Role{access.Enterprise, access.Clerk}, Clock: flow.Resume},
		{Name: "decide", Label: i18n.T("办结", "Decide"), From: []string{"accepted"}, To: "decided",
			Roles: []access.Role{access.Clerk}, Clock: flow.Stop,
			Fields: []flow.Field{
				{Name: "outcome", Kind: flow.Enum, Enum: []string{"approved", "denied"}, Required: true, Label: i18n.T("结果", "Outcome")},
				{Name: "date", Kind: flow.Date, Required: true, Label: i18n.T("日期", "Date")},
				{Name: "fee_fen", Kind: flow.Money, Label: i18n.T("费用", "Fee")},
			}},
		{Name: "flag", Label: i18n.T("督办", "Supervise"), From: []string{"received", "accepted", "waiting"},
			Roles: []access.Role{access.Leader}},
	},
}

var (
	clerk  = &access.Principal{UserID: 1, Username: "clerk", Roles: []access.Role{access.Clerk}}
	ent    = &access.Principal{UserID: 2, Username: "ent", Roles: []access.Role{access.Enterprise}}
	leader = &access.Principal{UserID: 3, Username: "leader", Roles: []access.Role{access.Leader}}
)

func TestSampleDeclarationIsValid(t *testing.T) {
	if err := permit.Check(); err != nil {
		t.Fatal(err)
	}
}

func TestCheckRejectsBadDeclarations(t *testing.T) {
	bad := permit
	bad.Actions = append([]flow.Action{{Name: "x", Label: i18n.T("x", "x"), From: []string{"nowhere"}, To: "decided", Roles: []access.Role{access.Clerk}}}, permit.Actions...)
	if bad.Check() == nil {
		t.Error("action from an undeclared state accepted")
	}
	bad = permit
	bad.Actions = []flow.Action{{Name: "reopen", Label: i18n.T("重开", "Reopen"), From: []string{"decided"}, To: "received", Roles: []access.Role{access.Clerk}}}
	if bad.Check() == nil {
		t.Error("action leaving a terminal state accepted")
	}
	bad = permit
	bad.Initial = "draft"
	if bad.Check() == nil {
		t.Error("undeclared initial state accepted")
	}
}

func TestBeginErrors(t *testing.T) {
	for _, tc := range []struct {
		name, state, action string
		p                   *access.Principal
		body                string
		code                errs.Code
		field               string
	}{
		{"unknown action", "received", "fly", clerk, ``, errs.NotFound, ""},
		{"role may not", "received", "accept", ent, ``, errs.Forbidden, ""},
		{"state does not allow", "decided", "accept", clerk, ``, errs.Conflict, ""},
		{"missing required field", "accepted", "ask", clerk, `{}`, errs.Invalid, "materials"},
		{"unknown field", "received", "accept", clerk, `{"speed":1}`, errs.Invalid, "speed"},
		{"bad enum", "accepted", "decide", clerk, `{"outcome":"maybe","date":"2023-07-01"}`, errs.Invalid, "outcome"},
		{"bad date", "accepted", "decide", clerk, `{"outcome":"approved","date":"2023-13-01"}`, errs.Invalid, "date"},
		{"money not an integer", "accepted", "decide", clerk, `{"outcome":"approved","date":"2023-07-01","fee_fen":1.5}`, errs.Invalid, "fee_fen"},
		{"negative money", "accepted", "decide", clerk, `{"outcome":"approved","date":"2023-07-01","fee_fen":-100}`, errs.Invalid, "fee_fen"},
		{"note not text", "received", "accept", clerk, `{"note":5}`, errs.Invalid, "note"},
		{"not JSON", "received", "accept", clerk, `{`, errs.Invalid, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := permit.Begin(tc.state, tc.action, tc.p, []byte(tc.body))
			e := errs.As(err)
			if err == nil || e.Code != tc.code || e.Field != tc.field {
				t.Fatalf("err = %v (field %q), want %s on %q", err, e.Field, tc.code, tc.field)
			}
			if e.Msg.In(i18n.ZH) == "" || e.Msg.In(i18n.EN) == "" || e.Msg.In(i18n.ZH) == e.Msg.In(i18n.EN) {
				t.Fatalf("message not in both languages: %+v", e.Msg)
			}
		})
	}
}

func TestConflictMessageNamesStateAndAction(t *testing.T) {
	_, err := permit.Begin("decided", "accept", clerk, nil)
	e := errs.As(err)
	if got := e.Msg.In(i18n.ZH); got != "当前状态为「已办结」，不能执行「受理」" {
		t.Fatalf("zh = %s", got)
	}
	if got := e.Msg.In(i18n.EN); got != "The action “Accept” is not allowed while the record is “Decided”" {
		t.Fatalf("en = %s", got)
	}
}

func TestBeginDecodesInput(t *testing.T) {
	s, err := permit.Begin("accepted", "decide", clerk, []byte(`{"outcome":"approved","date":"2023-07-03","fee_fen":5000,"note":" 准予 "}`))
	if err != nil {
		t.Fatal(err)
	}
	if s.To != "decided" || s.Input.String("outcome") != "approved" || s.Input.Date("date") != civil.MustParse("2023-07-03") ||
		s.Input.Int("fee_fen") != 5000 || s.Input.Note != "准予" {
		t.Fatalf("step = %+v", s)
	}
	flag, err := permit.Begin("waiting", "flag", leader, nil)
	if err != nil || flag.To != "waiting" {
		t.Fatalf("a flag action changed the state: %+v, %v", flag, err)
	}
}

func TestAllowedFollowsStateAndRole(t *testing.T) {
	names := func(as []flow.Action) (out []string) {
		for _, a := range as {
			out = append(out, a.Name)
		}
		return
	}
	if got := names(permit.Allowed("accepted", clerk)); len(got) != 2 || got[0] != "ask" || got[1] != "decide" {
		t.Fatalf("clerk on accepted: %v", got)
	}
	if got := names(permit.Allowed("waiting", ent)); len(got) != 1 || got[0] != "supply" {
		t.Fatalf("enterprise on waiting: %v", got)
	}
}

func TestCheckDate(t *testing.T) {
	d := civil.MustParse
	today := d("2023-07-11")
	if err := flow.CheckDate("date", d("2024-01-01"), d("2023-01-01"), today); errs.CodeOf(err) != errs.Invalid {
		t.Error("a date in the future was accepted")
	}
	if err := flow.CheckDate("date", d("2022-12-31"), d("2023-01-01"), today); errs.CodeOf(err) != errs.Invalid {
		t.Error("a date before the previous stage was accepted")
	}
	if err := flow.CheckDate("date", d("2023-01-01"), d("2023-01-01"), today); err != nil {
		t.Errorf("the previous stage's own date was refused: %v", err)
	}
}

// TestRunWithClock drives one permit through the workflow on a real
// database: events are stored in order with actor and dates, each with an
// audit record, and the clock pauses while waiting for supplements.
func TestRunWithClock(t *testing.T) {
	db := storetest.Open(t)
	cal := calendar.New()
	ctx := access.With(context.Background(), clerk)
	state := permit.Initial
	var clock calendar.Clock
	const id = 77
	run := func(p *access.Principal, action, body string, on string) {
		t.Helper()
		step, err := permit.Begin(state, action, p, []byte(body))
		if err != nil {
			t.Fatalf("%s: %v", action, err)
		}
		day := civil.MustParse(on)
		step.ApplyClock(cal, &clock, day, 5)
		err = db.Write(access.With(ctx, p), func(tx *store.Tx) error {
			_, err := step.Record(access.With(ctx, p), tx, permit.Entity, id, day)
			return err
		})
		if err != nil {
			t.Fatalf("%s: %v", action, err)
		}
		state = step.To
	}
	run(clerk, "accept", ``, "2023-09-27")
	if clock.DueOn != civil.MustParse("2023-10-10") {
		t.Fatalf("due = %s, want 2023-10-10", clock.DueOn)
	}
	run(clerk, "ask", `{"materials":"营业执照复印件"}`, "2023-09-28")
	run(ent, "supply", ``, "2023-10-09")
	if clock.DueOn != civil.MustParse("2023-10-13") {
		t.Fatalf("due after supplement = %s, want 2023-10-13", clock.DueOn)
	}
	run(clerk, "decide", `{"outcome":"approved","date":"2023-10-12"}`, "2023-10-12")

	evs, err := flow.Events(ctx, db.Read(), permit.Entity, id)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ action, from, to, actor string }{
		{"accept", "received", "accepted", "clerk"},
		{"ask", "accepted", "waiting", "clerk"},
		{"supply", "waiting", "accepted", "ent"},
		{"decide", "accepted", "decided", "clerk"},
	}
	if len(evs) != len(want) {
		t.Fatalf("%d events, want %d", len(evs), len(want))
	}
	for i, w := range want {
		e := evs[i]
		if e.Action != w.action || e.From != w.from || e.To != w.to || e.Actor != w.actor {
			t.Errorf("event %d = %+v, want %+v", i, e, w)
		}
	}
	if evs[1].Data["materials"] != "营业执照复印件" || evs[3].On != civil.MustParse("2023-10-12") {
		t.Errorf("event data lost: %+v / %+v", evs[1].Data, evs[3])
	}
	recs, _ := audit.List(ctx, db.Read(), audit.Filter{Object: "permit"})
	if len(recs) != 4 || recs[0].Action != "permit.decide" {
		t.Fatalf("audit records = %+v", recs)
	}
}
