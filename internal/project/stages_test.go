package project_test

import (
	"strings"
	"testing"

	"xiaoer/internal/audit"
	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
	"xiaoer/internal/project"
)

func TestFlowIsValid(t *testing.T) {
	if err := project.Def.Check(); err != nil {
		t.Fatal(err)
	}
}

// TestStagesFollowTheirOrder walks a project through every stage and
// checks that steps out of order are a 409 and change nothing.
func TestStagesFollowTheirOrder(t *testing.T) {
	w := newWorld(t)
	in := w.input("智能制造项目", 2000)
	in.Actual = map[string]string{"signed": "2023-01-05"}
	in.Agreement = project.Agreement{CommittedOutputFen: 100, CommittedTaxFen: 10}
	pr := w.create(w.office, in)
	if pr.Stage != project.Signed || pr.Actual[project.Signed] != civil.MustParse("2023-01-05") {
		t.Fatalf("created as %s on %v", pr.Stage, pr.Actual)
	}
	conflict := func(action string) {
		t.Helper()
		_, err := w.svc.Act(w.ctx, w.office, pr.ID, action, body("2023-07-01"))
		wantErr(t, err, errs.Conflict, "")
	}
	conflict("produce")
	conflict("reach_effect")
	conflict("resume")
	w.act(w.commissioner, pr.ID, "start", "2023-02-01")
	conflict("start")
	w.act(w.cadreA, pr.ID, "register", "2023-03-01")
	conflict("register")
	w.act(w.office, pr.ID, "produce", "2023-06-01")
	got := w.act(w.office, pr.ID, "reach_effect", "2023-07-10", "achieved_output_fen", 100, "achieved_tax_fen", 10)
	if got.Stage != project.Effective {
		t.Fatalf("stage = %s", got.Stage)
	}
	for _, a := range []string{"stall", "terminate", "start"} {
		conflict(a)
	}
	want := map[project.Stage]string{project.Signed: "2023-01-05", project.Started: "2023-02-01", project.Registered: "2023-03-01",
		project.Producing: "2023-06-01", project.Effective: "2023-07-10"}
	for st, d := range want {
		if got.Actual[st] != civil.MustParse(d) {
			t.Errorf("actual %s = %s, want %s", st, got.Actual[st], d)
		}
	}
	if _, err := w.svc.Act(w.ctx, w.office, pr.ID, "fly", body("2023-07-10")); errs.CodeOf(err) != errs.NotFound {
		t.Errorf("unknown action: %v", err)
	}
}

// TestStallResumesToTheStageItWasIn stalls a started and a registered
// project and resumes each to where it was; termination ends a stalled one.
func TestStallResumesToTheStageItWasIn(t *testing.T) {
	w := newWorld(t)
	a := w.create(w.office, w.input("甲", 800))
	w.act(w.office, a.ID, "start", "2023-02-01")
	w.act(w.office, a.ID, "register", "2023-02-10")
	st := w.act(w.office, a.ID, "stall", "2023-03-01")
	if st.Stage != project.Stalled || st.StalledFrom != project.Registered || st.Actual[project.Stalled] != civil.MustParse("2023-03-01") {
		t.Fatalf("stalled: %s from %s %v", st.Stage, st.StalledFrom, st.Actual)
	}
	if _, err := w.svc.Act(w.ctx, w.office, a.ID, "produce", body("2023-04-01")); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("produce while stalled: %v", err)
	}
	back := w.act(w.office, a.ID, "resume", "2023-04-01")
	if back.Stage != project.Registered || back.StalledFrom != "" {
		t.Fatalf("resumed to %s (from %q)", back.Stage, back.StalledFrom)
	}
	if _, ok := back.Actual[project.Stalled]; ok {
		t.Error("a resumed project still shows a stall date")
	}
	b := w.create(w.office, w.input("乙", 800))
	w.act(w.office, b.ID, "stall", "2023-03-01")
	if got := w.act(w.office, b.ID, "resume", "2023-03-05"); got.Stage != project.Signed {
		t.Fatalf("a project stalled before its start resumed to %s", got.Stage)
	}
	w.act(w.office, b.ID, "stall", "2023-03-06")
	end := w.act(w.office, b.ID, "terminate", "2023-03-07")
	if end.Stage != project.Terminated || end.Actual[project.Terminated] != civil.MustParse("2023-03-07") {
		t.Fatalf("terminated: %s %v", end.Stage, end.Actual)
	}
}

// TestRegisterNeedsStartAndThreshold checks the 入库 rule: after the start,
// and only with a planned total investment of at least 5,000,000 yuan.
func TestRegisterNeedsStartAndThreshold(t *testing.T) {
	w := newWorld(t)
	small := w.create(w.office, w.input("小项目", 499))
	_, err := w.svc.Act(w.ctx, w.office, small.ID, "register", body("2023-02-01"))
	e := wantErr(t, err, errs.Conflict, "")
	if !strings.Contains(e.Msg.In(i18n.ZH), "尚未开工") || !strings.Contains(e.Msg.In(i18n.EN), "has not started") {
		t.Fatalf("register before start: %s / %s", e.Msg.In(i18n.ZH), e.Msg.In(i18n.EN))
	}
	w.act(w.office, small.ID, "start", "2023-02-01")
	_, err = w.svc.Act(w.ctx, w.office, small.ID, "register", body("2023-02-10"))
	e = wantErr(t, err, errs.Conflict, "")
	if zh := e.Msg.In(i18n.ZH); !strings.Contains(zh, "499万元") || !strings.Contains(zh, "500万元") {
		t.Fatalf("zh = %s", zh)
	}
	if en := e.Msg.In(i18n.EN); !strings.Contains(en, "5,000,000 yuan") || !strings.Contains(en, "CNY 4.99 m") {
		t.Fatalf("en = %s", en)
	}
	// Under the threshold a project goes into production without 入库.
	if got := w.act(w.office, small.ID, "produce", "2023-03-01"); got.Stage != project.Producing {
		t.Fatalf("stage = %s", got.Stage)
	}
	exact := w.create(w.office, w.input("刚好500万", 500))
	w.act(w.office, exact.ID, "start", "2023-02-01")
	if got := w.act(w.office, exact.ID, "register", "2023-02-01"); got.Stage != project.Registered {
		t.Fatalf("5,000,000 yuan exactly: %s", got.Stage)
	}
}

// TestActionDates checks the dates of actions: never in the future, never
// before the previous stage, the previous stage's own day allowed.
func TestActionDates(t *testing.T) {
	w := newWorld(t)
	in := w.input("日期", 800)
	in.Actual = map[string]string{"signed": "2023-03-01"}
	pr := w.create(w.office, in)
	_, err := w.svc.Act(w.ctx, w.office, pr.ID, "start", body("2023-07-12"))
	wantErr(t, err, errs.Invalid, "date")
	_, err = w.svc.Act(w.ctx, w.office, pr.ID, "start", body("2023-02-28"))
	wantErr(t, err, errs.Invalid, "date")
	_, err = w.svc.Act(w.ctx, w.office, pr.ID, "start", nil)
	wantErr(t, err, errs.Invalid, "date")
	_, err = w.svc.Act(w.ctx, w.office, pr.ID, "start", []byte(`{"date":"2023-03-01","speed":1}`))
	wantErr(t, err, errs.Invalid, "speed")
	w.act(w.office, pr.ID, "start", "2023-03-01")
	w.act(w.office, pr.ID, "stall", "2023-05-01")
	// Resuming may not be dated before the stall.
	_, err = w.svc.Act(w.ctx, w.office, pr.ID, "resume", body("2023-04-30"))
	wantErr(t, err, errs.Invalid, "date")
	w.act(w.office, pr.ID, "resume", "2023-07-11")
}

// TestBackEntryOnCreate enters a project signed in 2024 and started in
// 2025 on a day in 2025: both dates are kept, each as its own event, and
// bad back-entries are refused naming the field.
func TestBackEntryOnCreate(t *testing.T) {
	w := newWorld(t)
	w.setToday("2025-06-01")
	in := w.input("补录项目", 3000)
	in.Actual = map[string]string{"signed": "2024-03-01", "started": "2025-01-15", "registered": "2025-02-20"}
	in.Planned = map[string]string{"started": "2024-12-31", "producing": "2025-12-31"}
	pr := w.create(w.office, in)
	if pr.Stage != project.Registered || pr.Actual[project.Signed] != civil.MustParse("2024-03-01") ||
		pr.Actual[project.Started] != civil.MustParse("2025-01-15") || pr.Actual[project.Registered] != civil.MustParse("2025-02-20") {
		t.Fatalf("back-entered project: %s %v", pr.Stage, pr.Actual)
	}
	evs, err := w.svc.Events(w.ctx, w.office, pr.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 3 || evs[0].Action != "create" || evs[1].Action != "start" || evs[2].Action != "register" ||
		evs[1].On != civil.MustParse("2025-01-15") || evs[1].Data["back_entry"] != true || evs[0].Actor != "项目办 (office1)" {
		t.Fatalf("events = %+v", evs)
	}
	// Signing defaults to today.
	in = w.input("今天签约", 100)
	in.Actual = nil
	today := w.create(w.office, in)
	if today.Actual[project.Signed] != civil.MustParse("2025-06-01") {
		t.Fatalf("default signing date = %s", today.Actual[project.Signed])
	}
	for _, tc := range []struct {
		actual map[string]string
		code   errs.Code
		field  string
	}{
		{map[string]string{"signed": "2025-06-02"}, errs.Invalid, "actual.signed"},
		{map[string]string{"signed": "2024-03-01", "started": "2024-02-01"}, errs.Invalid, "actual.started"},
		{map[string]string{"signed": "2024-03-01", "started": "2025-07-01"}, errs.Invalid, "actual.started"},
		{map[string]string{"signed": "2024-03-01", "producing": "2025-01-01"}, errs.Invalid, "actual.producing"},
		{map[string]string{"signed": "2024-03-01", "started": "2024-04-01", "registered": "2024-05-01"}, errs.Conflict, "actual.registered"},
		{map[string]string{"signed": "2024-03-01", "started": "2024-04-01", "producing": "2024-05-01", "effective": "2025-05-01"}, errs.Conflict, "actual.effective"},
		{map[string]string{"signed": "2024-13-01"}, errs.Invalid, "actual.signed"},
		{map[string]string{"stalled": "2024-03-01"}, errs.Invalid, "actual.stalled"},
	} {
		in := w.input("坏补录", 400)
		in.Actual = tc.actual
		_, err := w.svc.Create(w.ctx, w.office, in)
		wantErr(t, err, tc.code, tc.field)
	}
	// A refused back-entry leaves nothing behind.
	if _, n, _ := w.svc.List(w.ctx, w.office, project.Filter{Q: "坏补录"}); n != 0 {
		t.Fatalf("%d half-written projects", n)
	}
}

// TestReachEffectChecksTheAgreement refuses 达效 until the agreement's
// indicators are recorded and met, saying what is missing.
func TestReachEffectChecksTheAgreement(t *testing.T) {
	w := newWorld(t)
	produce := func(in project.Input) project.Project {
		pr := w.create(w.office, in)
		w.act(w.office, pr.ID, "start", "2023-01-10")
		return w.act(w.office, pr.ID, "produce", "2023-05-10")
	}
	none := produce(w.input("无指标", 800))
	_, err := w.svc.Act(w.ctx, w.office, none.ID, "reach_effect", body("2023-07-01"))
	if e := wantErr(t, err, errs.Conflict, ""); !strings.Contains(e.Msg.In(i18n.ZH), "未约定") {
		t.Fatalf("no indicators: %s", e.Msg.In(i18n.ZH))
	}
	in := w.input("有指标", 800)
	in.Agreement = project.Agreement{CommittedOutputFen: 50_000_000_00, CommittedTaxFen: 3_000_000_00}
	pr := produce(in)
	_, err = w.svc.Act(w.ctx, w.office, pr.ID, "reach_effect", body("2023-07-01"))
	e := wantErr(t, err, errs.Conflict, "")
	if zh := e.Msg.In(i18n.ZH); !strings.Contains(zh, "尚未登记实际年产值") || !strings.Contains(zh, "尚未登记实际年税收") {
		t.Fatalf("missing figures: %s", zh)
	}
	_, err = w.svc.Act(w.ctx, w.office, pr.ID, "reach_effect", body("2023-07-01", "achieved_output_fen", 60_000_000_00, "achieved_tax_fen", 2_000_000_00))
	e = wantErr(t, err, errs.Conflict, "")
	if zh := e.Msg.In(i18n.ZH); strings.Contains(zh, "年产值") || !strings.Contains(zh, "实际年税收 200万元 低于约定的 300万元") {
		t.Fatalf("tax below: %s", zh)
	}
	got := w.act(w.office, pr.ID, "reach_effect", "2023-07-01", "achieved_output_fen", 60_000_000_00, "achieved_tax_fen", 3_000_000_00)
	if got.Stage != project.Effective || got.Agreement.AchievedTaxFen != 3_000_000_00 || got.Agreement.AchievedOutputFen != 60_000_000_00 {
		t.Fatalf("effective: %s %+v", got.Stage, got.Agreement)
	}
}

// TestHistoryShowsWhoMovedWhatWhen checks the events and their audit trail.
func TestHistoryShowsWhoMovedWhatWhen(t *testing.T) {
	w := newWorld(t)
	pr := w.create(w.office, w.input("历史", 800))
	w.setToday("2023-07-12")
	w.act(w.commissioner, pr.ID, "start", "2023-07-01", "note", "桩基施工")
	w.act(w.cadreA, pr.ID, "stall", "2023-07-12")
	evs, err := w.svc.Events(w.ctx, w.entUser, pr.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ action, from, to, actor, on string }{
		{"create", "", "signed", "项目办 (office1)", "2023-01-02"},
		{"start", "signed", "started", "专员一 (comm1)", "2023-07-01"},
		{"stall", "started", "stalled", "包保甲 (cadrea)", "2023-07-12"},
	}
	if len(evs) != len(want) {
		t.Fatalf("%d events", len(evs))
	}
	for i, x := range want {
		e := evs[i]
		if e.Action != x.action || e.From != x.from || e.To != x.to || e.Actor != x.actor || e.On != civil.MustParse(x.on) || e.At.IsZero() {
			t.Errorf("event %d = %+v, want %+v", i, e, x)
		}
	}
	if evs[1].Note != "桩基施工" || evs[2].At.Before(evs[1].At) {
		t.Errorf("note or order lost: %+v", evs)
	}
	recs, err := audit.List(w.ctx, w.db.Read(), audit.Filter{Object: "project"})
	if err != nil {
		t.Fatal(err)
	}
	actions := map[string]string{}
	for _, r := range recs {
		actions[r.Action] = r.Username
	}
	if actions["project.create"] != "office1" || actions["project.start"] != "comm1" || actions["project.stall"] != "cadrea" {
		t.Fatalf("audit = %v", actions)
	}
	if _, err := w.svc.Events(w.ctx, w.cadreB, pr.ID); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("history out of scope: %v", err)
	}
}

// TestUpdateKeepsStagesAndChecksAssignment edits a project: actual dates
// cannot be edited, a cadre cannot reassign, the project office can.
func TestUpdateKeepsStagesAndChecksAssignment(t *testing.T) {
	w := newWorld(t)
	pr := w.create(w.office, w.input("修改", 800))
	w.act(w.office, pr.ID, "start", "2023-03-01")
	in := w.input("修改后", 900)
	in.Actual = map[string]string{"started": "2023-01-01"}
	_, err := w.svc.Update(w.ctx, w.office, pr.ID, in)
	wantErr(t, err, errs.Invalid, "actual")
	in.Actual = nil
	in.CommissionerUserID = w.cadreB.UserID
	in.LandMu = 12_500
	in.FixedInvestmentFen = 600 * 1_000_000
	got, err := w.svc.Update(w.ctx, w.cadreA, pr.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if got.CommissionerUserID != w.commissioner.UserID || got.Name != "修改后" || got.Stage != project.Started {
		t.Fatalf("cadre update: %+v", got)
	}
	if got.InvestmentIntensity == nil || *got.InvestmentIntensity != 48 {
		t.Fatalf("intensity = %v, want 600万元 / 12.5亩 = 48", got.InvestmentIntensity)
	}
	got, err = w.svc.Update(w.ctx, w.office, pr.ID, in)
	if err != nil || got.CommissionerUserID != w.cadreB.UserID {
		t.Fatalf("office reassigns: %v %+v", err, got)
	}
	in.LeaderUserID = w.entUser.UserID
	_, err = w.svc.Update(w.ctx, w.office, pr.ID, in)
	wantErr(t, err, errs.Invalid, "leader_user_id")
	in.LeaderUserID = w.cadreA.UserID
	in.LeadDepartmentID = w.street1.ID
	_, err = w.svc.Update(w.ctx, w.office, pr.ID, in)
	wantErr(t, err, errs.Invalid, "lead_department_id")
}

func TestMuParsesExactly(t *testing.T) {
	for s, want := range map[string]project.Mu{"120.35": 120_350, "0.001": 1, "7": 7000, "120.35亩": 120_350} {
		if got, err := project.ParseMu(s); err != nil || got != want {
			t.Errorf("ParseMu(%q) = %d, %v", s, got, err)
		}
	}
	for _, s := range []string{"1.2345", "-1", "abc", "", "100001"} {
		if _, err := project.ParseMu(s); err == nil {
			t.Errorf("ParseMu(%q) accepted", s)
		}
	}
	if s := project.Mu(120_350).String(); s != "120.35" {
		t.Errorf("String = %s", s)
	}
}
