package appeal_test

import (
	"slices"
	"testing"

	"xiaoer/internal/access"
	"xiaoer/internal/appeal"
	"xiaoer/internal/errs"
	"xiaoer/internal/flow"
	"xiaoer/internal/i18n"
	"xiaoer/internal/notify"
)

// kinds returns the kinds of a user's notifications, oldest first.
func (f *fixture) kinds(p *access.Principal) []string {
	f.t.Helper()
	ns, _, err := (&notify.Inbox{DB: f.db}).List(f.ctx, p.UserID, false, 0, 100, i18n.ZH)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for i := len(ns) - 1; i >= 0; i-- {
		out = append(out, ns[i].Kind)
	}
	return out
}

func (f *fixture) outbox() []string {
	f.t.Helper()
	items, _, err := notify.Outbox(f.ctx, f.db.Read(), false, 0, 100)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for i := len(items) - 1; i >= 0; i-- {
		out = append(out, items[i].Event)
	}
	return out
}

// TestTransitionsTellWhomTheyConcern follows one appeal and checks each
// inbox and the webhook outbox.
func TestTransitionsTellWhomTheyConcern(t *testing.T) {
	f := newFixture(t)
	if err := notify.SaveWebhook(access.With(f.ctx, f.office), f.db, notify.Webhook{URL: "http://gateway.local/hook"}); err != nil {
		t.Fatal(err)
	}
	f.at("2023-03-01")
	a := f.file(f.ent1, appeal.Input{Category: appeal.License, Content: "许可证"})
	f.act(f.office, a.ID, "accept", nil)
	f.act(f.office, a.ID, "dispatch", map[string]any{"department_org_id": f.id(f.d1), "co_department_org_ids": []string{f.id(f.d2)}})
	f.act(f.dept1, a.ID, "sign", nil)
	f.act(f.dept1, a.ID, "reply", map[string]any{"reply": "已发证"})
	f.act(f.ent1, a.ID, "revisit", map[string]any{"rating": "unsatisfied", "resolved": false})
	f.act(f.ent1, a.ID, "reopen", nil)
	f.act(f.office, a.ID, "dispatch", map[string]any{"department_org_id": f.id(f.d1)})
	f.act(f.dept1, a.ID, "sign", nil)
	f.act(f.dept1, a.ID, "reply", map[string]any{"reply": "已重新办理"})
	f.act(f.office, a.ID, "revisit", map[string]any{"rating": "satisfied", "resolved": true})
	f.act(f.office, a.ID, "close", nil)

	for _, c := range []struct {
		who  string
		p    *access.Principal
		want []string
	}{
		{"office", f.office, []string{"appeal.received", "appeal.reopened"}},
		{"lead department", f.dept1, []string{"appeal.dispatched", "appeal.revisited", "appeal.reopened", "appeal.dispatched", "appeal.revisited"}},
		{"lead department's unit", f.dept1sub, []string{"appeal.dispatched", "appeal.revisited", "appeal.reopened", "appeal.dispatched", "appeal.revisited"}},
		{"co-department (first round only)", f.dept2, []string{"appeal.dispatched"}},
		{"enterprise", f.ent1, []string{"appeal.replied", "appeal.replied", "appeal.closed"}},
		{"another enterprise", f.ent2, nil},
		{"leader", f.leader, nil},
	} {
		if got := f.kinds(c.p); !slices.Equal(got, c.want) {
			t.Errorf("%s got %v, want %v", c.who, got, c.want)
		}
	}
	want := []string{"appeal.received", "appeal.accepted", "appeal.dispatched", "appeal.signed", "appeal.replied", "appeal.revisited",
		"appeal.reopened", "appeal.dispatched", "appeal.signed", "appeal.replied", "appeal.revisited", "appeal.closed"}
	if got := f.outbox(); !slices.Equal(got, want) {
		t.Errorf("outbox = %v\nwant %v", got, want)
	}
	// A refused action announces nothing.
	if _, err := f.try(f.office, a.ID, "close", nil); !errs.Is(err, errs.Conflict) {
		t.Fatalf("close a closed appeal: %v", err)
	}
	if got := f.outbox(); len(got) != len(want) {
		t.Errorf("a refused action queued a webhook: %v", got)
	}
}

// TestSuperviseAndTheOverdueJob: a leader raises 督办 without changing the
// state; the job raises it on overdue appeals by itself, tells the
// department and the office once, and sends the office's daily list once a
// day.
func TestSuperviseAndTheOverdueJob(t *testing.T) {
	f := newFixture(t)
	f.at("2023-03-01")
	dispatch := func(content string) int64 {
		a := f.file(f.office, appeal.Input{EnterpriseID: f.e1, Channel: appeal.Hotline, Category: appeal.License, Content: content})
		f.act(f.office, a.ID, "accept", nil)
		f.act(f.office, a.ID, "dispatch", map[string]any{"department_org_id": f.id(f.d1)})
		return a.ID
	}
	early, late, onTime := dispatch("领导督办"), dispatch("超期"), dispatch("按时")
	f.act(f.dept1, onTime, "sign", nil)
	f.at("2023-03-02")
	if _, err := f.try(f.office, early, "supervise", nil); !errs.Is(err, errs.Forbidden) {
		t.Fatalf("office supervises: %v", err)
	}
	a := f.act(f.leader, early, "supervise", map[string]any{"note": "请加快"})
	if !a.Supervised || a.State != appeal.StateDispatched {
		t.Fatalf("after 督办: supervised %v, state %s", a.Supervised, a.State)
	}
	if got := f.kinds(f.dept1); !slices.Equal(got, []string{"appeal.dispatched", "appeal.dispatched", "appeal.dispatched", "appeal.supervised"}) {
		t.Fatalf("department's inbox: %v", got)
	}
	f.act(f.dept1, onTime, "reply", map[string]any{"reply": "已办"})

	// Due on 8 March; on the 9th the two unreplied ones are overdue.
	f.at("2023-03-08")
	if run, err := f.svc.RunOverdue(f.ctx); err != nil || run != (appeal.OverdueRun{}) {
		t.Fatalf("on the due day: %+v, %v", run, err)
	}
	f.at("2023-03-09")
	run, err := f.svc.RunOverdue(f.ctx)
	if err != nil || run.Supervised != 1 || run.Notified != 2 || run.Digests != 1 {
		t.Fatalf("the day after: %+v, %v", run, err)
	}
	if run, err := f.svc.RunOverdue(f.ctx); err != nil || run != (appeal.OverdueRun{}) {
		t.Fatalf("run again the same day: %+v, %v", run, err)
	}
	got, _ := f.svc.Get(f.ctx, f.office, late)
	if !got.Supervised || !got.Overdue || got.Light != "red" {
		t.Fatalf("the late appeal: supervised %v, overdue %v, light %s", got.Supervised, got.Overdue, got.Light)
	}
	evs, _ := flow.Events(f.ctx, f.db.Read(), "appeal", late)
	last := evs[len(evs)-1]
	if last.Action != "supervise" || last.Actor != "system" || last.Data["auto"] != true || last.From != last.To {
		t.Fatalf("the automatic 督办 event: %+v", last)
	}
	if got := f.kinds(f.office); !slices.Equal(got[len(got)-3:], []string{"appeal.overdue", "appeal.overdue", "appeal.overdue_list"}) {
		t.Fatalf("office's inbox: %v", got)
	}
	as, total, _, _ := f.svc.List(f.ctx, f.office, appeal.Filter{Overdue: true, Limit: 10})
	if total != 2 || as[0].ID != late || as[1].ID != early {
		t.Fatalf("the overdue list: %d", total)
	}
	// The next day brings a new list, but no repeated notices.
	f.at("2023-03-10")
	if run, _ := f.svc.RunOverdue(f.ctx); run != (appeal.OverdueRun{Digests: 1}) {
		t.Fatalf("next day: %+v", run)
	}
	// A replied-late appeal stays on the list until it is closed.
	f.act(f.dept1, late, "sign", nil)
	f.act(f.dept1, late, "reply", map[string]any{"reply": "迟到的答复"})
	if _, total, _, _ := f.svc.List(f.ctx, f.office, appeal.Filter{Overdue: true, Limit: 10}); total != 2 {
		t.Fatalf("overdue after a late reply: %d", total)
	}
	f.act(f.office, late, "revisit", map[string]any{"rating": "satisfied", "resolved": true})
	f.act(f.office, late, "close", nil)
	if _, total, _, _ := f.svc.List(f.ctx, f.office, appeal.Filter{Overdue: true, Limit: 10}); total != 1 {
		t.Fatalf("overdue after the close: %d", total)
	}
	checkRebuild(t, f)
}
