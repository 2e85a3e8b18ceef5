package project_test

import (
	"testing"

	"xiaoer/internal/audit"
	"xiaoer/internal/errs"
	"xiaoer/internal/project"
)

// TestWarnings checks each rule of the lights on 2023-07-11 with the
// default rules (60 days yellow, 90 red, 30 days late turns red, monthly
// report), then the daily job as time passes and the rules change.
func TestWarnings(t *testing.T) {
	w := newWorld(t)
	mk := func(name string, actual, planned map[string]string) int64 {
		in := w.input(name, 800)
		in.Actual, in.Planned = actual, planned
		return w.create(w.office, in).ID
	}
	fresh := mk("新签", map[string]string{"signed": "2023-06-01"}, nil)
	quiet := mk("两月未动", map[string]string{"signed": "2023-05-01"}, nil)
	stuck := mk("四月未动", map[string]string{"signed": "2023-03-01"}, nil)
	late := mk("开工逾期", map[string]string{"signed": "2023-06-20"}, map[string]string{"started": "2023-07-01"})
	veryLate := mk("开工严重逾期", map[string]string{"signed": "2023-04-20"}, map[string]string{"started": "2023-05-01"})
	building := mk("在建未报", map[string]string{"signed": "2023-05-01", "started": "2023-05-15"}, nil)
	stalled := mk("停滞", map[string]string{"signed": "2023-06-01"}, nil)
	w.act(w.office, stalled, "stall", "2023-07-01")
	in := w.input("已达效", 800)
	in.Actual = map[string]string{"signed": "2022-01-01", "started": "2022-02-01", "producing": "2022-12-01"}
	in.Agreement.CommittedTaxFen = 1
	done := w.create(w.office, in).ID
	w.act(w.office, done, "reach_effect", "2023-01-01", "achieved_tax_fen", 1)

	check := func(id int64, light project.Light, codes ...string) {
		t.Helper()
		pr, err := w.svc.Get(w.ctx, w.office, id)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range pr.Warnings {
			got = append(got, r.Code)
		}
		if pr.Light != light || len(got) != len(codes) {
			t.Fatalf("%s: %s %v, want %s %v", pr.Name, pr.Light, got, light, codes)
		}
		for i := range codes {
			if got[i] != codes[i] {
				t.Fatalf("%s: reasons %v, want %v", pr.Name, got, codes)
			}
		}
	}
	check(fresh, project.Green)
	check(quiet, project.Yellow, "stale")
	check(stuck, project.Red, "stale")
	check(late, project.Yellow, "late")
	check(veryLate, project.Red, "stale", "late")
	check(building, project.Yellow, "no_report")
	check(stalled, project.Red, "stalled")
	check(done, project.Green)

	// Reporting June clears the missing report at once.
	if err := w.svc.PutProgress(w.ctx, w.commissioner, building, project.ProgressInput{Month: "2023-06", InvestedFen: 1}); err != nil {
		t.Fatal(err)
	}
	check(building, project.Green)

	// The list puts red first.
	items, _, err := w.svc.List(w.ctx, w.office, project.Filter{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	seen := project.Red
	for _, it := range items {
		if rank(it.Light) < rank(seen) {
			t.Fatalf("%s (%s) after a %s project", it.Name, it.Light, seen)
		}
		seen = it.Light
	}

	// A month later the job finds what changed; a second run finds nothing.
	w.setToday("2023-08-11")
	n, err := w.svc.RefreshLights(w.ctx)
	if err != nil || n == 0 {
		t.Fatalf("refresh: %d %v", n, err)
	}
	check(fresh, project.Yellow, "stale")
	check(building, project.Yellow, "stale", "no_report") // 88 days, and July is missing
	check(late, project.Red, "late")
	if n, err := w.svc.RefreshLights(w.ctx); err != nil || n != 0 {
		t.Fatalf("second refresh changed %d, %v", n, err)
	}
	recs, _ := audit.List(w.ctx, w.db.Read(), audit.Filter{Action: "project.warnings"})
	if len(recs) != 1 {
		t.Fatalf("%d audit records of the job", len(recs))
	}

	// Stricter rules apply to every project at once.
	err = w.svc.SaveRules(w.ctx, w.office, project.Rules{StaleYellowDays: 5, StaleRedDays: 10, LateRedDays: 60, MonthlyReport: false})
	if err != nil {
		t.Fatal(err)
	}
	check(fresh, project.Red, "stale")
	check(building, project.Red, "stale")
	check(late, project.Red, "stale", "late")
	if pr, _ := w.svc.Get(w.ctx, w.office, late); pr.Warnings[1].Light != project.Yellow {
		t.Fatalf("41 days late under a 60-day rule: %+v", pr.Warnings[1])
	}
	if err := w.svc.SaveRules(w.ctx, w.office, project.Rules{StaleYellowDays: 90, StaleRedDays: 60}); errs.CodeOf(err) != errs.Invalid {
		t.Fatalf("red before yellow accepted: %v", err)
	}
	if err := w.svc.SaveRules(w.ctx, w.cadreA, project.DefaultRules); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("cadre changes the rules: %v", err)
	}
}

func rank(l project.Light) int {
	for i, x := range project.Lights {
		if x == l {
			return i
		}
	}
	return 9
}
