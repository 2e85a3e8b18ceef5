package app_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"xiaoer/internal/access"
	"xiaoer/internal/app/apptest"
	"xiaoer/internal/civil"
	"xiaoer/internal/gen"
	"xiaoer/internal/stats"
)

// TestSummaryAgreesWithBruteForce builds random histories of cases, appeals
// and key projects, recomputes the rollups from their events, and for random
// periods compares every figure of the summary with the same figure counted
// directly from the raw records by the definitions of API.md.
func TestSummaryAgreesWithBruteForce(t *testing.T) {
	a := apptest.Start(t, apptest.Options{NoDemo: true})
	ctx := t.Context()
	g := &gen.Generator{DB: a.DB, Cal: a.Calendar.Cal, Enterprises: a.Enterprises}
	o := gen.Options{Enterprises: 300, Cases: 4000, Appeals: 1200, Projects: 400, Seed: 7,
		From: civil.MustParse("2021-01-01"), To: civil.MustParse("2023-12-31")}
	if err := g.Run(ctx, o); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Stats.Rebuild(ctx, true, nil); err != nil {
		t.Fatal(err)
	}
	sys := access.SystemPrincipal("test")
	q := a.DB.Read()
	count := func(query string, args ...any) float64 {
		t.Helper()
		var n float64
		if err := q.QueryRow(ctx, "SELECT COALESCE(("+query+"), 0)", args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return n
	}
	rate := func(num, den float64) *float64 {
		if den == 0 {
			return nil
		}
		r := num / den
		return &r
	}
	seen := map[string]int{}
	rng := rand.New(rand.NewPCG(3, 9))
	for i := range 24 {
		from := o.From.AddDays(rng.IntN(900))
		to := from.AddDays(rng.IntN(400))
		if i%4 == 0 { // a whole quarter
			from = civil.New(from.Year, (from.Month-1)/3*3+1, 1)
			to = from.AddMonths(3).AddDays(-1)
		}
		sum, err := a.Stats.Summary(ctx, sys, from, to)
		if err != nil {
			t.Fatal(err)
		}
		in := func(col string) string { return col + " >= ? AND " + col + " <= ?" }
		ev := func(entity, action string) float64 {
			return count("SELECT COUNT(*) FROM flow_events WHERE entity = ? AND action = ? AND "+in("on_date"), entity, action, from, to)
		}
		// Cases: flows by the day of the transition; open and overdue on to.
		closed := ev("case", "conclude")
		onTime := count("SELECT COUNT(*) FROM cases WHERE "+in("stopped_on")+" AND stopped_on <= due_on", from, to)
		overdue := count("SELECT COUNT(*) FROM cases WHERE clock_start <= ? AND (stopped_on IS NULL OR stopped_on > ?) AND due_on < ?", to, to, to)
		evals := count("SELECT COUNT(*) FROM evaluations WHERE "+in("evaluated_on"), from, to)
		good := count("SELECT COUNT(*) FROM evaluations WHERE score >= 3 AND "+in("evaluated_on"), from, to)
		// Appeals.
		dispatched := count("SELECT COUNT(*) FROM appeals WHERE "+in("dispatched_on"), from, to)
		signedInTime := count("SELECT COUNT(*) FROM appeals WHERE "+in("dispatched_on")+" AND signed_on <= sign_due_on", from, to)
		revisited := count("SELECT COUNT(*) FROM appeals WHERE "+in("revisited_on"), from, to)
		revResolved := count("SELECT COUNT(*) FROM appeals WHERE resolved = TRUE AND "+in("revisited_on"), from, to)
		revSatisfied := count("SELECT COUNT(*) FROM appeals WHERE rating IN ('satisfied', 'basically_satisfied') AND "+in("revisited_on"), from, to)
		aClosed := count("SELECT COUNT(*) FROM appeals WHERE "+in("closed_on"), from, to)
		aOnTime := count("SELECT COUNT(*) FROM appeals WHERE "+in("closed_on")+" AND replied_on <= due_on", from, to)
		aOverdue := count(`SELECT COUNT(*) FROM appeals WHERE dispatched_on <= ? AND due_on < ? AND (closed_on IS NULL OR closed_on > ?)
			AND NOT (replied_on IS NOT NULL AND replied_on <= due_on AND replied_on <= ?)`, to, to, to, to)
		want := map[string]any{
			"cases.received":            count("SELECT COUNT(*) FROM cases WHERE "+in("received_on"), from, to),
			"cases.accepted":            ev("case", "accept"),
			"cases.concluded":           closed,
			"cases.remote":              count("SELECT COUNT(*) FROM cases WHERE channel = 'remote' AND "+in("received_on"), from, to),
			"cases.overdue_open":        overdue,
			"cases.on_time_rate":        rate(onTime, closed+overdue),
			"cases.evaluations":         evals,
			"cases.satisfaction_rate":   rate(good, evals),
			"appeals.received":          count("SELECT COUNT(*) FROM appeals WHERE "+in("received_on"), from, to),
			"appeals.resolved":          count("SELECT COUNT(*) FROM appeals WHERE resolved = TRUE AND "+in("closed_on"), from, to),
			"appeals.response_rate":     rate(signedInTime, dispatched),
			"appeals.resolution_rate":   rate(revResolved, revisited),
			"appeals.satisfaction_rate": rate(revSatisfied, revisited),
			"appeals.on_time_rate":      rate(aOnTime, aClosed+aOverdue),
			"appeals.by_category.power": count("SELECT COUNT(*) FROM appeals WHERE category = 'power' AND "+in("received_on"), from, to),
		}
		for _, st := range []string{"signed", "started", "registered", "producing", "effective"} {
			want["projects."+st+".count"] = count("SELECT COUNT(*) FROM projects WHERE "+in(st+"_on"), from, to)
			want["projects."+st+".investment_fen"] = count("SELECT SUM(total_investment_fen) FROM projects WHERE "+in(st+"_on"), from, to)
		}
		for path, w := range want {
			if f, isNum := w.(float64); (isNum && f != 0) || (!isNum && w.(*float64) != nil) {
				seen[path]++
			} else {
				seen[path] += 0
			}
			v, null, ok := stats.Path(sum, path)
			if !ok {
				t.Fatalf("%s..%s: no %s in the summary", from, to, path)
			}
			switch w := w.(type) {
			case float64:
				if null || v != w {
					t.Errorf("%s..%s %s = %v, counted %v", from, to, path, v, w)
				}
			case *float64:
				if (w == nil) != null || (w != nil && math.Abs(v-*w) > 1e-9) {
					t.Errorf("%s..%s %s = %v (null %v), counted %v", from, to, path, v, null, fmt.Sprint(deref(w)))
				}
			}
		}
	}
	// And the running totals the generator's rebuild left are what a second
	// rebuild computes.
	for _, c := range must(a.Stats.Rebuild(ctx, false, nil)) {
		if !c.Matched {
			t.Errorf("%s: %v", c.Module, c.Differences)
		}
	}
	// The histories must have exercised every kind of figure.
	for path, n := range seen {
		if n == 0 {
			t.Errorf("no period had a nonzero %s: the test proved nothing about it", path)
		}
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
