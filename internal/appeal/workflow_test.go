package appeal_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"xiaoer/internal/access"
	"xiaoer/internal/appeal"
	"xiaoer/internal/audit"
	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/flow"
	"xiaoer/internal/store"
)

// TestWorkflowRefusals checks that each wrong move is refused with the
// right code and changes nothing.
func TestWorkflowRefusals(t *testing.T) {
	f := newFixture(t)
	f.at("2023-03-01")
	fresh := f.file(f.office, appeal.Input{EnterpriseID: f.e1, Channel: appeal.Hotline, Category: appeal.License, Content: "新登记"})
	disp := f.file(f.office, appeal.Input{EnterpriseID: f.e1, Channel: appeal.Hotline, Category: appeal.License, Content: "已派单"})
	f.act(f.office, disp.ID, "accept", nil)
	f.act(f.office, disp.ID, "dispatch", map[string]any{"department_org_id": f.id(f.d1), "co_department_org_ids": []string{f.id(f.d2)}})
	ret := f.file(f.office, appeal.Input{EnterpriseID: f.e1, Channel: appeal.Hotline, Category: appeal.License, Content: "退单"})
	f.act(f.office, ret.ID, "accept", nil)
	f.act(f.office, ret.ID, "dispatch", map[string]any{"department_org_id": f.id(f.d1)})
	f.act(f.dept1, ret.ID, "request_return", map[string]any{"reason": "不归我们"})
	f.act(f.office, ret.ID, "refuse_return", map[string]any{"note": "属于贵局职责"})
	answered := f.file(f.ent1, appeal.Input{Category: appeal.Policy, Content: "已答复"})
	f.act(f.office, answered.ID, "answer", map[string]any{"reply": "已答复"})
	rated := f.file(f.ent1, appeal.Input{Category: appeal.Land, Content: "已回访"})
	f.act(f.office, rated.ID, "answer", map[string]any{"reply": "已答复"})
	f.act(f.ent1, rated.ID, "revisit", map[string]any{"rating": "satisfied", "resolved": true})

	f.at("2023-03-02")
	for _, tc := range []struct {
		name   string
		p      *access.Principal
		id     int64
		action string
		body   map[string]any
		code   errs.Code
		field  string
	}{
		{"unknown action", f.office, fresh.ID, "fly", nil, errs.NotFound, ""},
		{"enterprise may not accept", f.ent1, fresh.ID, "accept", nil, errs.Forbidden, ""},
		{"office may not sign", f.office, disp.ID, "sign", nil, errs.Forbidden, ""},
		{"department may not dispatch", f.dept1, disp.ID, "dispatch", map[string]any{"department_org_id": f.id(f.d1)}, errs.Forbidden, ""},
		{"leader may not close", f.leader, rated.ID, "close", nil, errs.Forbidden, ""},
		{"close a received appeal", f.office, fresh.ID, "close", nil, errs.Conflict, ""},
		{"reply before signing", f.dept1, disp.ID, "reply", map[string]any{"reply": "x"}, errs.Conflict, ""},
		{"revisit before a reply", f.office, disp.ID, "revisit", map[string]any{"rating": "satisfied", "resolved": true}, errs.Conflict, ""},
		{"reopen a satisfied appeal", f.ent1, rated.ID, "reopen", nil, errs.Conflict, ""},
		{"department outside the dispatch", f.dept2, fresh.ID, "sign", nil, errs.NotFound, ""},
		{"another enterprise's appeal", f.ent2, rated.ID, "reopen", nil, errs.NotFound, ""},
		{"a co-department may not sign", f.dept2, disp.ID, "sign", nil, errs.Forbidden, ""},
		{"a second return after a refusal", f.dept1, ret.ID, "request_return", map[string]any{"reason": "还是不归我们"}, errs.Conflict, ""},
		{"dispatch before accepting", f.office, fresh.ID, "dispatch", map[string]any{"department_org_id": f.id(f.d1)}, errs.Conflict, ""},
		{"a department dates its own sign", f.dept1, disp.ID, "sign", map[string]any{"date": "2023-03-01"}, errs.Invalid, "date"},
		{"a date in the future", f.office, fresh.ID, "accept", map[string]any{"date": "2023-03-03"}, errs.Invalid, "date"},
		{"a date before the last stage", f.office, rated.ID, "close", map[string]any{"date": "2023-02-28"}, errs.Invalid, "date"},
		{"extend to an earlier day", f.dept1, disp.ID, "extend", map[string]any{"due_on": "2023-03-07", "reason": "x"}, errs.Invalid, "due_on"},
		{"extend without a reason", f.dept1, disp.ID, "extend", map[string]any{"due_on": "2023-03-20"}, errs.Invalid, "reason"},
		{"revisit without resolved", f.office, answered.ID, "revisit", map[string]any{"rating": "satisfied"}, errs.Invalid, "resolved"},
		{"a rating not on the scale", f.ent1, answered.ID, "revisit", map[string]any{"rating": "great", "resolved": true}, errs.Invalid, "rating"},
		{"a field the action does not take", f.office, answered.ID, "revisit", map[string]any{"rating": "satisfied", "resolved": true, "score": 5}, errs.Invalid, "score"},
		{"admins see no appeals", f.admin, fresh.ID, "accept", nil, errs.NotFound, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := f.svc.Get(f.ctx, access.SystemPrincipal("t"), tc.id)
			_, err := f.try(tc.p, tc.id, tc.action, tc.body)
			e := errs.As(err)
			if err == nil || e.Code != tc.code || e.Field != tc.field {
				t.Fatalf("err = %v (field %q); want %s on %q", err, e.Field, tc.code, tc.field)
			}
			after, _ := f.svc.Get(f.ctx, access.SystemPrincipal("t"), tc.id)
			if after.State != before.State || after.UpdatedAt != before.UpdatedAt {
				t.Fatalf("a refused action changed the appeal: %s → %s", before.State, after.State)
			}
		})
	}
	// A street is not a department: dispatching there is refused on its field
	// once the appeal is accepted.
	f.act(f.office, fresh.ID, "accept", nil)
	if _, err := f.try(f.office, fresh.ID, "dispatch", map[string]any{"department_org_id": f.id(f.street)}); errs.As(err).Field != "department_org_id" {
		t.Errorf("dispatch to a street: %v", err)
	}
	// A returned dispatch goes to another department, or back by refusal.
	ret2 := f.file(f.office, appeal.Input{EnterpriseID: f.e1, Channel: appeal.Hotline, Category: appeal.License, Content: "改派"})
	f.act(f.office, ret2.ID, "accept", nil)
	f.act(f.office, ret2.ID, "dispatch", map[string]any{"department_org_id": f.id(f.d1)})
	f.act(f.dept1, ret2.ID, "request_return", map[string]any{"reason": "x"})
	if _, err := f.try(f.office, ret2.ID, "dispatch", map[string]any{"department_org_id": f.id(f.d1)}); errs.As(err).Field != "department_org_id" {
		t.Errorf("re-dispatch to the same department: %v", err)
	}
	if a := f.act(f.office, ret2.ID, "dispatch", map[string]any{"department_org_id": f.id(f.d2)}); a.State != appeal.StateDispatched || a.DepartmentOrgID != f.d2 {
		t.Errorf("re-dispatch: %+v", a)
	}
	// The refused department must sign now.
	if a := f.act(f.dept1, ret.ID, "sign", nil); a.State != appeal.StateSigned {
		t.Errorf("sign after refusal: %s", a.State)
	}
}

func TestExtensionsAreLimited(t *testing.T) {
	f := newFixture(t)
	f.at("2023-03-01")
	a := f.file(f.office, appeal.Input{EnterpriseID: f.e1, Channel: appeal.Hotline, Category: appeal.Gas, Content: "用气"})
	f.act(f.office, a.ID, "accept", map[string]any{"urgency": "complex"})
	a = f.act(f.office, a.ID, "dispatch", map[string]any{"department_org_id": f.id(f.d1)})
	// Complex: 15 working days from 1 March is 22 March.
	if a.DueOn != civil.MustParse("2023-03-22") || a.LimitWorkdays != 15 || a.SignDueOn != civil.MustParse("2023-03-02") {
		t.Fatalf("due %s (%d days), sign by %s", a.DueOn, a.LimitWorkdays, a.SignDueOn)
	}
	a = f.act(f.dept1, a.ID, "extend", map[string]any{"due_on": "2023-03-29", "reason": "需专家论证"})
	if a.State != appeal.StateDispatched || a.DueOn != civil.MustParse("2023-03-29") || a.Extensions != 1 || a.LimitWorkdays != 20 {
		t.Fatalf("after one extension: %s, due %s, %d extensions, %d days", a.State, a.DueOn, a.Extensions, a.LimitWorkdays)
	}
	f.act(f.dept1, a.ID, "extend", map[string]any{"due_on": "2023-03-31", "reason": "再延"})
	if _, err := f.try(f.dept1, a.ID, "extend", map[string]any{"due_on": "2023-04-10", "reason": "第三次"}); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("third extension: %v, want 409", err)
	}
	f.at("2023-04-03")
	b := f.file(f.office, appeal.Input{EnterpriseID: f.e1, Channel: appeal.Hotline, Category: appeal.Gas, Content: "用气2"})
	f.act(f.office, b.ID, "accept", nil)
	b = f.act(f.office, b.ID, "dispatch", map[string]any{"department_org_id": f.id(f.d1)})
	f.at("2023-04-14")
	if _, err := f.try(f.dept1, b.ID, "extend", map[string]any{"due_on": "2023-04-20", "reason": "晚了"}); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("extension after the due day %s: %v, want 409", b.DueOn, err)
	}
	// Every extension is audited.
	recs, err := audit.List(f.ctx, f.db.Read(), audit.Filter{Action: "appeal.extend"})
	if err != nil || len(recs) != 2 {
		t.Fatalf("audit records of extensions: %d, %v", len(recs), err)
	}
}

// TestScopes files appeals as each role and checks who sees which: a
// department only what is dispatched to it (or to a unit beneath it), an
// enterprise only its own, a cadre its assigned enterprises' and what it
// filed, a clerk what it filed, the project office project problems, admins
// nothing.
func TestScopes(t *testing.T) {
	f := newFixture(t)
	f.at("2023-03-01")
	own1 := f.file(f.ent1, appeal.Input{Category: appeal.License, Content: "甲企业自己提交"})
	own2 := f.file(f.ent2, appeal.Input{Category: appeal.Land, Content: "乙企业自己提交"})
	byCadre := f.file(f.cadre, appeal.Input{EnterpriseID: f.e1, Channel: appeal.CadreVisit, Category: appeal.Labor, Content: "走访发现"})
	byClerk := f.file(f.clerk, appeal.Input{EnterpriseID: f.e2, Channel: appeal.Hotline, Category: appeal.Water, Content: "窗口代登记"})
	project := f.file(f.office, appeal.Input{EnterpriseID: f.e2, Channel: appeal.ProjectCh, ProjectID: 7, Category: appeal.Power, Content: "项目用电"})
	for _, id := range []int64{own1.ID, own2.ID} {
		f.act(f.office, id, "accept", nil)
	}
	f.act(f.office, own1.ID, "dispatch", map[string]any{"department_org_id": f.id(f.d1sub)})
	f.act(f.office, own2.ID, "dispatch", map[string]any{"department_org_id": f.id(f.d2), "co_department_org_ids": []string{f.id(f.d1)}})

	all := []int64{own1.ID, own2.ID, byCadre.ID, byClerk.ID, project.ID}
	for _, tc := range []struct {
		who  string
		p    *access.Principal
		sees []int64
	}{
		{"office", f.office, all},
		{"leader", f.leader, all},
		{"department 1 (co-department of own2, parent of own1's)", f.dept1, []int64{own1.ID, own2.ID}},
		{"department 1's unit", f.dept1sub, []int64{own1.ID}},
		{"department 2", f.dept2, []int64{own2.ID}},
		{"enterprise 1", f.ent1, []int64{own1.ID, byCadre.ID}},
		{"enterprise 2", f.ent2, []int64{own2.ID, byClerk.ID, project.ID}},
		{"cadre (assigned to enterprise 1)", f.cadre, []int64{own1.ID, byCadre.ID}},
		{"clerk", f.clerk, []int64{byClerk.ID}},
		{"project office", f.projects, []int64{project.ID}},
		{"sysadmin", f.admin, nil},
	} {
		t.Run(tc.who, func(t *testing.T) {
			as, total, _, err := f.svc.List(f.ctx, tc.p, appeal.Filter{Limit: 50})
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, a := range as {
				got = append(got, a.ID)
			}
			slices.Sort(got)
			want := slices.Clone(tc.sees)
			slices.Sort(want)
			if !slices.Equal(got, want) || total != len(want) {
				t.Fatalf("sees %v (total %d), want %v", got, total, want)
			}
			for _, id := range all {
				_, err := f.svc.Get(f.ctx, tc.p, id)
				if slices.Contains(want, id) != (err == nil) {
					t.Errorf("get %d: %v", id, err)
				}
				if err != nil && !errs.Is(err, errs.NotFound) {
					t.Errorf("get %d outside the scope: %v, want 404", id, err)
				}
			}
		})
	}
	// A department sees the enterprises of its appeals in the registry, and
	// no other.
	if _, err := f.svc.Enterprises.Get(f.ctx, f.dept2, f.e2); err != nil {
		t.Errorf("department 2 cannot see the enterprise of its appeal: %v", err)
	}
	if _, err := f.svc.Enterprises.Get(f.ctx, f.dept2, f.e1); !errs.Is(err, errs.NotFound) {
		t.Errorf("department 2 sees an enterprise it has no appeal of: %v", err)
	}
	// Filing is scoped too: an enterprise only for itself, a clerk not online,
	// a department not at all.
	if _, err := f.svc.Create(f.ctx, f.ent1, appeal.Input{EnterpriseID: f.e2, Category: appeal.Other, Content: "x"}); errs.As(err).Field != "enterprise_id" {
		t.Errorf("enterprise files for another: %v", err)
	}
	if _, err := f.svc.Create(f.ctx, f.clerk, appeal.Input{EnterpriseID: f.e2, Channel: appeal.Online, Category: appeal.Other, Content: "x"}); errs.As(err).Field != "channel" {
		t.Errorf("clerk files online: %v", err)
	}
	if _, err := f.svc.Create(f.ctx, f.cadre, appeal.Input{EnterpriseID: f.e2, Channel: appeal.CadreVisit, Category: appeal.Other, Content: "x"}); errs.As(err).Field != "enterprise_id" {
		t.Errorf("cadre files for an enterprise not assigned: %v", err)
	}
	if _, err := f.svc.Create(f.ctx, f.dept1, appeal.Input{EnterpriseID: f.e1, Channel: appeal.Hotline, Category: appeal.Other, Content: "x"}); !errs.Is(err, errs.Forbidden) {
		t.Errorf("department files: %v", err)
	}
	// Only the lead acts: department 1 reads own2 as a co-department but may not sign it.
	a, _ := f.svc.Get(f.ctx, f.dept1, own2.ID)
	if len(a.Actions) != 0 {
		t.Errorf("a co-department is offered %v", a.Actions)
	}
	if a, _ := f.svc.Get(f.ctx, f.dept2, own2.ID); !slices.Equal(a.Actions, []string{"sign", "request_return", "extend"}) {
		t.Errorf("the lead is offered %v", a.Actions)
	}
	// own1 went to department 1's unit: the unit signs it (its parent could too).
	if a := f.act(f.dept1sub, own1.ID, "sign", nil); a.State != appeal.StateSigned {
		t.Errorf("unit signs: %s", a.State)
	}
}

// TestVisitAndProjectLinks checks the references an appeal carries.
func TestVisitAndProjectLinks(t *testing.T) {
	f := newFixture(t)
	f.at("2023-03-01")
	var visit int64
	err := f.db.Write(f.ctx, func(tx *store.Tx) error {
		var err error
		visit, err = tx.Insert(f.ctx, "INSERT INTO visits (enterprise_id, cadre_user_id, date, flags, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
			f.e1, f.cadre.UserID, "2023-02-28", "expanding", tx.Now)
		if err != nil {
			return err
		}
		return audit.Append(f.ctx, tx, audit.Entry{Action: "visit.create"})
	})
	if err != nil {
		t.Fatal(err)
	}
	a := f.file(f.cadre, appeal.Input{EnterpriseID: f.e1, Channel: appeal.CadreVisit, VisitID: visit, VisitFlag: "expanding",
		Category: appeal.Land, Content: "扩产缺地", ReceivedOn: civil.MustParse("2023-02-28")})
	if a.VisitID != visit || a.VisitFlag != "expanding" || a.ReceivedOn != civil.MustParse("2023-02-28") || a.No != "SQ20230228-"+pad(a.ID) {
		t.Fatalf("appeal from a visit: %+v", a)
	}
	if _, err := f.svc.Create(f.ctx, f.office, appeal.Input{EnterpriseID: f.e2, Channel: appeal.CadreVisit, VisitID: visit,
		Category: appeal.Land, Content: "别家的走访"}); errs.As(err).Field != "visit_id" {
		t.Errorf("another enterprise's visit: %v", err)
	}
	if _, err := f.svc.Create(f.ctx, f.office, appeal.Input{EnterpriseID: f.e2, Channel: appeal.ProjectCh, Category: appeal.Land, Content: "项目"}); errs.As(err).Field != "project_id" {
		t.Errorf("project channel without a project: %v", err)
	}
	// The projects module's check decides about project ids.
	f.svc.CheckProject = func(ctx context.Context, q store.Querier, id, ent int64) error {
		if id != 7 || ent != f.e2 {
			return errs.Invalidf("project_id", "项目不存在", "No such project")
		}
		return nil
	}
	if _, err := f.svc.Create(f.ctx, f.office, appeal.Input{EnterpriseID: f.e2, Channel: appeal.ProjectCh, ProjectID: 8, Category: appeal.Land, Content: "项目"}); errs.As(err).Field != "project_id" {
		t.Errorf("unknown project: %v", err)
	}
	if p := f.file(f.office, appeal.Input{EnterpriseID: f.e2, Channel: appeal.ProjectCh, ProjectID: 7, Category: appeal.Land, Content: "项目"}); p.ProjectID != 7 {
		t.Errorf("project appeal: %+v", p)
	}
	if as, total, _, _ := f.svc.List(f.ctx, f.office, appeal.Filter{ProjectID: 7, Limit: 10}); total != 1 || as[0].ProjectID != 7 {
		t.Errorf("appeals of project 7: %d", total)
	}
}

func pad(id int64) string { return fmt.Sprintf("%05d", id) }

// TestHistoryRecordsEveryStep checks the events of a whole life.
func TestHistoryRecordsEveryStep(t *testing.T) {
	f := newFixture(t)
	march(f)
	evs, err := flow.Events(f.ctx, f.db.Read(), "appeal", 3)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range evs {
		got = append(got, e.Action+":"+e.To)
	}
	want := []string{"create:received", "accept:accepted", "dispatch:dispatched", "sign:signed", "reply:replied", "revisit:revisited",
		"reopen:reopened", "dispatch:dispatched", "sign:signed", "reply:replied", "revisit:revisited", "close:closed"}
	if !slices.Equal(got, want) {
		t.Fatalf("A3's history = %v", got)
	}
	if evs[2].Data["due_on"] != "2023-03-13" || evs[2].Data["sign_due_on"] != "2023-03-07" {
		t.Errorf("the dispatch keeps its due dates: %v", evs[2].Data)
	}
}
