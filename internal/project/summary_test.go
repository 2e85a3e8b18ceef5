package project_test

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/project"
	"xiaoer/internal/rollup"
	"xiaoer/internal/store"
)

func summaryOf(t *testing.T, w *world, p *access.Principal, from, to string) map[string]any {
	t.Helper()
	into := map[string]any{}
	if err := w.svc.Summary(w.ctx, w.db.Read(), p, civil.MustParse(from), civil.MustParse(to), into); err != nil {
		t.Fatal(err)
	}
	return into["projects"].(map[string]any)
}

func stageSum(s map[string]any, st string) (int64, int64) {
	m := s[st].(map[string]any)
	return m["count"].(int64), m["investment_fen"].(int64)
}

// TestSummaryCountsStageTransitionsInThePeriod checks the summary keys:
// by the actual date of each transition (back-entered ones included), with
// the planned total investment, and started_and_producing_same_year counted
// when a project goes into production in the calendar year it started.
func TestSummaryCountsStageTransitionsInThePeriod(t *testing.T) {
	w := newWorld(t)
	mk := func(name string, wan int64, actual map[string]string) project.Project {
		in := w.input(name, wan)
		in.Actual = actual
		return w.create(w.office, in)
	}
	mk("当年开工当年投产", 1000, map[string]string{"signed": "2022-12-01", "started": "2023-02-01", "producing": "2023-06-01"})
	b := mk("跨年投产", 2000, map[string]string{"signed": "2022-06-01", "started": "2022-10-01", "producing": "2023-03-01"})
	mk("下半年投产", 4000, map[string]string{"signed": "2023-01-03", "started": "2023-01-10", "producing": "2023-07-01"})
	other := w.input("乙街道", 8000)
	other.EnterpriseID, other.Actual = w.entB, map[string]string{"signed": "2023-03-01", "started": "2023-04-01"}
	w.create(w.office, other)

	s := summaryOf(t, w, w.office, "2023-01-01", "2023-06-30")
	check := func(s map[string]any, st string, n, wan int64) {
		t.Helper()
		if c, fen := stageSum(s, st); c != n || fen != wan*1_000_000 {
			t.Errorf("%s = %d, %d fen; want %d, %d万元", st, c, fen, n, wan)
		}
	}
	check(s, "signed", 2, 12000)
	check(s, "started", 3, 13000)
	check(s, "registered", 0, 0)
	check(s, "producing", 2, 3000)
	check(s, "effective", 0, 0)
	if n := s["started_and_producing_same_year"].(int64); n != 1 {
		t.Errorf("same year in H1 = %d, want 1", n)
	}
	year := summaryOf(t, w, w.office, "2023-01-01", "2023-12-31")
	check(year, "producing", 3, 7000)
	if n := year["started_and_producing_same_year"].(int64); n != 2 {
		t.Errorf("same year in 2023 = %d, want 2", n)
	}
	// The street office's summary covers its street only.
	check(summaryOf(t, w, w.streetOffice, "2023-01-01", "2023-06-30"), "started", 1, 8000)

	// Changing the planned investment moves the totals with it.
	in := w.input("跨年投产", 2500)
	in.Actual = nil
	if _, err := w.svc.Update(w.ctx, w.office, b.ID, in); err != nil {
		t.Fatal(err)
	}
	check(summaryOf(t, w, w.office, "2023-01-01", "2023-06-30"), "producing", 2, 3500)
}

// TestRebuildEqualsRunningTotals drives random projects through random
// histories — back-entry, live actions, stalls, terminations, changes of
// investment and place — and checks that rebuilding the rollups from the
// stage events gives exactly the running totals.
func TestRebuildEqualsRunningTotals(t *testing.T) {
	w := newWorld(t)
	w.setToday("2024-12-31")
	rng := rand.New(rand.NewPCG(7, 11))
	day := func(from civil.Date, maxDays int) civil.Date { return from.AddDays(rng.IntN(maxDays + 1)) }
	places := []int64{w.street1.ID, w.street2.ID, w.street3.ID}
	for i := range 60 {
		in := w.input(fmt.Sprintf("随机%02d", i), int64(100+rng.IntN(5000)))
		in.EnterpriseID, in.OrgID = 0, places[rng.IntN(3)]
		signed := day(civil.MustParse("2021-01-01"), 900)
		in.Actual = map[string]string{"signed": signed.String()}
		last := signed
		// Back-enter a random prefix of the later stages.
		for _, st := range []string{"started", "registered", "producing"} {
			if rng.IntN(3) == 0 {
				break
			}
			if st == "registered" && (in.TotalInvestmentFen < project.RegisterThresholdFen || rng.IntN(2) == 0) {
				continue
			}
			last = day(last, 200)
			in.Actual[st] = last.String()
		}
		pr := w.create(w.office, in)
		// Then a few live actions, whatever the workflow allows.
		for range rng.IntN(4) {
			cur, _ := w.svc.Get(w.ctx, w.office, pr.ID)
			acts := project.Def.Allowed(string(cur.Stage), w.office)
			if len(acts) == 0 {
				break
			}
			a := acts[rng.IntN(len(acts))]
			on := day(cur.LastStageOn(), 120)
			if on.After(civil.MustParse("2024-12-31")) {
				on = civil.MustParse("2024-12-31")
			}
			w.svc.Act(w.ctx, w.office, pr.ID, a.Name, body(on.String())) // refusals (thresholds, indicators) are part of the test
		}
		if rng.IntN(4) == 0 {
			cur, _ := w.svc.Get(w.ctx, w.office, pr.ID)
			up := w.input(cur.Name, int64(100+rng.IntN(5000)))
			up.EnterpriseID, up.OrgID, up.Actual = 0, places[rng.IntN(3)], nil
			if _, err := w.svc.Update(w.ctx, w.office, pr.ID, up); err != nil {
				t.Fatal(err)
			}
		}
	}
	running, err := rollup.Snapshot(w.ctx, w.db.Read(), project.MetricPrefix)
	if err != nil {
		t.Fatal(err)
	}
	if len(running) < 50 {
		t.Fatalf("only %d rollup rows: the history is too thin to test", len(running))
	}
	err = w.db.Write(w.ctx, func(tx *store.Tx) error {
		tx.MarkAudited()
		if err := rollup.Clear(w.ctx, tx, project.MetricPrefix); err != nil {
			return err
		}
		return w.svc.Rebuild(w.ctx, tx)
	})
	if err != nil {
		t.Fatal(err)
	}
	rebuilt, err := rollup.Snapshot(w.ctx, w.db.Read(), project.MetricPrefix)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(running, rebuilt) {
		for k, v := range running {
			if rebuilt[k] != v {
				t.Errorf("%s: running %d, rebuilt %d", k, v, rebuilt[k])
			}
		}
		for k, v := range rebuilt {
			if _, ok := running[k]; !ok {
				t.Errorf("%s: only rebuilt (%d)", k, v)
			}
		}
	}
	// And the stage dates of every project are those of its events.
	items, _, _ := w.svc.List(w.ctx, w.office, project.Filter{Limit: 100})
	for _, pr := range items {
		evs, _ := w.svc.Events(w.ctx, w.office, pr.ID)
		for _, e := range evs {
			if st := project.Stage(e.To); e.Action != "resume" && e.Action != "stall" && e.Action != "terminate" && pr.Actual[st] != e.On {
				t.Fatalf("%s: %s on %s, but the project says %s", pr.Name, e.Action, e.On, pr.Actual[st])
			}
		}
	}
}
