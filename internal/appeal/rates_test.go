package appeal_test

import (
	"maps"
	"math"
	"testing"

	"xiaoer/internal/access"
	"xiaoer/internal/appeal"
	"xiaoer/internal/civil"
	"xiaoer/internal/rollup"
	"xiaoer/internal/store"
)

func TestFlowIsValid(t *testing.T) {
	if err := appeal.Flow.Check(); err != nil {
		t.Fatal(err)
	}
}

// march plays eight appeals through March 2023 (no holidays that month;
// limits: sign within 1 working day, reply within 5). It returns their ids.
//
//	A1 license D1: dispatched 1st (sign by 2nd, reply by 8th), signed 2nd, replied 7th, satisfied+resolved 8th, closed 8th.
//	A2 license D1: dispatched 2nd (sign by 3rd, reply by 9th), signed 6th (late), replied 13th (late),
//	   basically satisfied, not resolved 14th, closed 14th.
//	A3 land D2: dispatched 6th (by 7th / 13th), signed 6th, replied 10th, unsatisfied 13th, reopened 13th;
//	   dispatched again 14th (by 15th / 21st), signed 15th, replied 20th, satisfied+resolved 21st, closed 22nd.
//	A4 license: dispatched 15th to D2, which asks to return it; re-dispatched 16th to D1 (by 17th / 23rd),
//	   signed 17th, never replied: overdue from the 24th.
//	A5 power D2: dispatched 20th (by 21st / 27th), signed 21st, extended on the 22nd to the 31st,
//	   replied 30th, satisfied+resolved 31st, still open.
//	A6 policy: answered directly by the office 8th, satisfied+resolved 9th, closed 9th.
//	A7 water D1: accepted 27th, dispatched 28th (by 29th / 4 April), not signed by the 31st.
//	A8 license D1: dispatched 9th (by 10th / 16th), signed 10th, replied 21st (late), not revisited:
//	   open and overdue from the 17th.
func march(f *fixture) map[string]int64 {
	ids := map[string]int64{}
	d1, d2 := map[string]any{"department_org_id": f.id(f.d1)}, map[string]any{"department_org_id": f.id(f.d2)}
	file := func(name string, c appeal.Category, day string) int64 {
		f.at(day)
		a := f.file(f.office, appeal.Input{EnterpriseID: f.e1, Channel: appeal.Hotline, Category: c, Content: name + " 的诉求"})
		ids[name] = a.ID
		return a.ID
	}
	on := func(day string, p *access.Principal, id int64, action string, body map[string]any) {
		f.t.Helper()
		f.at(day)
		f.act(p, id, action, body)
	}
	ok := map[string]any{"rating": "satisfied", "resolved": true}
	reply := map[string]any{"reply": "已办理"}

	a1 := file("A1", appeal.License, "2023-03-01")
	on("2023-03-01", f.office, a1, "accept", nil)
	on("2023-03-01", f.office, a1, "dispatch", d1)
	a2 := file("A2", appeal.License, "2023-03-02")
	on("2023-03-02", f.office, a2, "accept", nil)
	on("2023-03-02", f.office, a2, "dispatch", d1)
	on("2023-03-02", f.dept1, a1, "sign", nil)
	a3 := file("A3", appeal.Land, "2023-03-06")
	on("2023-03-06", f.office, a3, "accept", nil)
	on("2023-03-06", f.office, a3, "dispatch", d2)
	on("2023-03-06", f.dept2, a3, "sign", nil)
	on("2023-03-06", f.dept1, a2, "sign", nil)
	on("2023-03-07", f.dept1, a1, "reply", reply)
	on("2023-03-08", f.ent1, a1, "revisit", ok)
	on("2023-03-08", f.office, a1, "close", nil)
	a6 := file("A6", appeal.Policy, "2023-03-08")
	on("2023-03-08", f.office, a6, "answer", map[string]any{"reply": "政策已解读"})
	on("2023-03-09", f.office, a6, "revisit", ok)
	on("2023-03-09", f.office, a6, "close", nil)
	a8 := file("A8", appeal.License, "2023-03-09")
	on("2023-03-09", f.office, a8, "accept", nil)
	on("2023-03-09", f.office, a8, "dispatch", d1)
	on("2023-03-10", f.dept1, a8, "sign", nil)
	on("2023-03-10", f.dept2, a3, "reply", reply)
	on("2023-03-13", f.dept1, a2, "reply", reply)
	on("2023-03-13", f.office, a3, "revisit", map[string]any{"rating": "unsatisfied", "resolved": false})
	on("2023-03-13", f.ent1, a3, "reopen", nil)
	on("2023-03-14", f.office, a2, "revisit", map[string]any{"rating": "basically_satisfied", "resolved": false})
	on("2023-03-14", f.office, a2, "close", nil)
	on("2023-03-14", f.office, a3, "dispatch", d2)
	a4 := file("A4", appeal.License, "2023-03-15")
	on("2023-03-15", f.office, a4, "accept", nil)
	on("2023-03-15", f.office, a4, "dispatch", d2)
	on("2023-03-15", f.dept2, a4, "request_return", map[string]any{"reason": "不属于本部门"})
	on("2023-03-15", f.dept2, a3, "sign", nil)
	on("2023-03-16", f.office, a4, "dispatch", d1)
	on("2023-03-17", f.dept1, a4, "sign", nil)
	a5 := file("A5", appeal.Power, "2023-03-20")
	on("2023-03-20", f.office, a5, "accept", nil)
	on("2023-03-20", f.office, a5, "dispatch", d2)
	on("2023-03-20", f.dept2, a3, "reply", reply)
	on("2023-03-21", f.dept2, a5, "sign", nil)
	on("2023-03-21", f.office, a3, "revisit", ok)
	on("2023-03-21", f.dept1, a8, "reply", reply)
	on("2023-03-22", f.dept2, a5, "extend", map[string]any{"due_on": "2023-03-31", "reason": "需现场勘查"})
	on("2023-03-22", f.office, a3, "close", nil)
	a7 := file("A7", appeal.Water, "2023-03-27")
	on("2023-03-27", f.office, a7, "accept", nil)
	on("2023-03-28", f.office, a7, "dispatch", d1)
	on("2023-03-30", f.dept2, a5, "reply", reply)
	on("2023-03-31", f.ent1, a5, "revisit", ok)
	return ids
}

func near(a *float64, want float64) bool { return a != nil && math.Abs(*a-want) < 1e-9 }

// val prints a rate.
func val(r *float64) any {
	if r == nil {
		return "null"
	}
	return *r
}

func TestRatesComputedByHand(t *testing.T) {
	f := newFixture(t)
	march(f)
	q := f.db.Read()
	sys := access.SystemPrincipal("test")
	d := civil.MustParse

	into := map[string]any{}
	if err := appeal.Summary(f.ctx, q, sys, d("2023-03-01"), d("2023-03-31"), into); err != nil {
		t.Fatal(err)
	}
	s := into["appeals"].(map[string]any)
	// received: A1–A8 = 8.
	// resolved (closed as resolved): A1, A3, A6 = 3 (A2 closed unresolved).
	// response: dispatches A1, A2, A3 ×2, A4 (to D1; the dispatch to D2 was returned), A5, A7, A8 = 8;
	//   signed within a day of their dispatch: A1, A3 ×2, A4, A5, A8 = 6 → 6/8 = 0.75.
	// revisits: A1, A2, A3 ×2, A5, A6 = 6; resolved: A1, A3 (2nd), A5, A6 = 4 → 4/6;
	//   satisfied or basically: all but A3's first = 5 → 5/6.
	// on time: closed A1, A2, A3, A6 = 4, of which on time A1, A3 (last round), A6 = 3;
	//   open and overdue on the 31st: A4 (since the 24th), A8 (replied late) = 2 → 3 / (4 + 2) = 0.5.
	if s["received"] != int64(8) || s["resolved"] != int64(3) {
		t.Errorf("received %v, resolved %v; want 8 and 3", s["received"], s["resolved"])
	}
	for _, c := range []struct {
		key  string
		want float64
	}{{"response_rate", 0.75}, {"resolution_rate", 4.0 / 6}, {"satisfaction_rate", 5.0 / 6}, {"on_time_rate", 0.5}} {
		if r, _ := s[c.key].(*float64); !near(r, c.want) {
			t.Errorf("%s = %v, want %v", c.key, val(r), c.want)
		}
	}
	cats := s["by_category"].(map[string]int64)
	// license A1, A2, A4, A8; land A3; power A5; policy A6; water A7.
	if want := map[string]int64{"license": 4, "land": 1, "power": 1, "water": 1, "gas": 0, "labor": 0, "finance": 0,
		"policy": 1, "legal": 0, "infrastructure": 0, "other": 0}; !maps.Equal(cats, want) {
		t.Errorf("by_category = %v, want %v", cats, want)
	}
	if s["reopened"] != int64(1) || s["overdue_open"] != int64(2) || s["dispatched"] != int64(8) {
		t.Errorf("reopened %v, overdue_open %v, dispatched %v; want 1, 2, 8", s["reopened"], s["overdue_open"], s["dispatched"])
	}

	// 1–10 March: closed A1 (8th) and A6 (9th), both on time; open and overdue on the 10th: A2
	// (due the 9th, replied the 13th) → 2 / (2 + 1).
	early := map[string]any{}
	if err := appeal.Summary(f.ctx, q, sys, d("2023-03-01"), d("2023-03-10"), early); err != nil {
		t.Fatal(err)
	}
	if r := early["appeals"].(map[string]any)["on_time_rate"].(*float64); !near(r, 2.0/3) {
		t.Errorf("on_time_rate 1–10 March = %v, want 2/3", val(r))
	}

	byDept, err := appeal.Compute(f.ctx, q, rollup.ScopeOf(sys), d("2023-03-01"), d("2023-03-31"), appeal.ByDepartment)
	if err != nil {
		t.Fatal(err)
	}
	// D1: dispatched A1, A2, A4, A7, A8 = 5; on time A1, A4, A8 = 3 → 0.6; revisits A1, A2: resolved 1 → 0.5,
	//   satisfied 2 → 1; closed A1, A2 (on time 1) + overdue A4, A8 → 1 / (2 + 2) = 0.25.
	// D2: dispatched A3 ×2, A5 = 3 (A4's returned dispatch withdrawn), all signed on time → 1; revisits A3 ×2, A5:
	//   resolved 2, satisfied 2 → 2/3 each; closed A3 on time, none overdue → 1.
	for _, c := range []struct {
		dept                                   int64
		dispatched                             int64
		response, resolution, satisfaction, ot float64
	}{{f.d1, 5, 0.6, 0.5, 1, 0.25}, {f.d2, 3, 1, 2.0 / 3, 2.0 / 3, 1}} {
		g := byDept[f.id(c.dept)]
		if g == nil {
			t.Errorf("no figures for department %d", c.dept)
			continue
		}
		if g.Dispatched != c.dispatched || !near(g.ResponseRate, c.response) || !near(g.ResolutionRate, c.resolution) ||
			!near(g.SatisfactionRate, c.satisfaction) || !near(g.OnTimeRate, c.ot) {
			t.Errorf("department %d: %+v, rates %v %v %v %v; want dispatched %d and rates %v %v %v %v", c.dept, g,
				val(g.ResponseRate), val(g.ResolutionRate), val(g.SatisfactionRate), val(g.OnTimeRate),
				c.dispatched, c.response, c.resolution, c.satisfaction, c.ot)
		}
	}
	// The answered appeal A6 was never dispatched: it sits with department 0.
	if g := byDept["0"]; g == nil || g.Revisited != 1 || g.Closed != 1 || g.Dispatched != 0 {
		t.Errorf("undispatched figures = %+v", g)
	}

	// Nothing to divide is null, not zero.
	empty := map[string]any{}
	appeal.Summary(f.ctx, q, sys, d("2022-01-01"), d("2022-12-31"), empty)
	if r := empty["appeals"].(map[string]any)["response_rate"].(*float64); r != nil {
		t.Errorf("response_rate of an empty year = %v, want null", *r)
	}
	// The zone's rollups, rebuilt from the events, are the running totals.
	checkRebuild(t, f)
}

// checkRebuild rebuilds the appeal rollups, reading three appeals at a
// time so that the ranges' edges fall between appeals, and compares them
// with the running totals.
func checkRebuild(t *testing.T, f *fixture) {
	t.Helper()
	defer appeal.SetRebuildSpan(3)()
	before, err := rollup.Snapshot(f.ctx, f.db.Read(), appeal.MetricPrefix)
	if err != nil {
		t.Fatal(err)
	}
	if len(before) == 0 {
		t.Fatal("no rollups to compare")
	}
	err = f.db.WriteUnaudited(f.ctx, func(tx *store.Tx) error {
		if err := rollup.Clear(f.ctx, tx, appeal.MetricPrefix); err != nil {
			return err
		}
		return appeal.Rebuild(f.ctx, tx)
	})
	if err != nil {
		t.Fatal(err)
	}
	after, err := rollup.Snapshot(f.ctx, f.db.Read(), appeal.MetricPrefix)
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(before, after) {
		for k, v := range before {
			if after[k] != v {
				t.Errorf("%s: running %d, rebuilt %d", k, v, after[k])
			}
		}
		for k, v := range after {
			if _, ok := before[k]; !ok {
				t.Errorf("%s: only rebuilt, %d", k, v)
			}
		}
	}
}
