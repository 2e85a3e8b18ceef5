package appeal

import (
	"context"
	"sort"
	"strconv"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/rollup"
	"xiaoer/internal/store"
)

// Figures are the appeal figures of a period for one group (the whole
// scope, a department or a category), with the rates of API.md:
//
//	response_rate     = signed within the sign limit ÷ dispatched
//	resolution_rate   = revisited as resolved ÷ revisited
//	satisfaction_rate = (satisfied + basically satisfied) ÷ revisited
//	on_time_rate      = closed on time ÷ (closed + open and overdue)
//
// Flows count what happened in the period (a sign on time by the day of its
// dispatch); open and overdue is the stock on the last day.
type Figures struct {
	Key                string   `json:"key" doc:"department org id or category; empty for the total"`
	Name               string   `json:"name"`
	Received           int64    `json:"received"`
	Dispatched         int64    `json:"dispatched"`
	SignedOnTime       int64    `json:"signed_on_time"`
	Revisited          int64    `json:"revisited"`
	RevisitedResolved  int64    `json:"revisited_resolved"`
	RevisitedSatisfied int64    `json:"revisited_satisfied"`
	Reopened           int64    `json:"reopened"`
	Closed             int64    `json:"closed"`
	ClosedOnTime       int64    `json:"closed_on_time"`
	Resolved           int64    `json:"resolved" doc:"closed as resolved"`
	OverdueOpen        int64    `json:"overdue_open" doc:"open and overdue on the last day"`
	Supervised         int64    `json:"supervised"`
	ResponseRate       *float64 `json:"response_rate"`
	ResolutionRate     *float64 `json:"resolution_rate"`
	SatisfactionRate   *float64 `json:"satisfaction_rate"`
	OnTimeRate         *float64 `json:"on_time_rate"`
}

func (f *Figures) add(metric string, n int64) {
	switch metric {
	case mReceived:
		f.Received += n
	case mDispatched:
		f.Dispatched += n
	case mSignedOnTime:
		f.SignedOnTime += n
	case mRevisited:
		f.Revisited += n
	case mRevisitedResolved:
		f.RevisitedResolved += n
	case mRevisitedSatisfied:
		f.RevisitedSatisfied += n
	case mReopened:
		f.Reopened += n
	case mClosed:
		f.Closed += n
	case mClosedOnTime:
		f.ClosedOnTime += n
	case mResolved:
		f.Resolved += n
	case mOverdueOpen:
		f.OverdueOpen += n
	case mSupervised:
		f.Supervised += n
	}
}

func (f *Figures) rates() {
	f.ResponseRate = rollup.Rate(f.SignedOnTime, f.Dispatched)
	f.ResolutionRate = rollup.Rate(f.RevisitedResolved, f.Revisited)
	f.SatisfactionRate = rollup.Rate(f.RevisitedSatisfied, f.Revisited)
	f.OnTimeRate = rollup.Rate(f.ClosedOnTime, f.Closed+f.OverdueOpen)
}

var flowMetrics = []string{mReceived, mDispatched, mSignedOnTime, mRevisited, mRevisitedResolved, mRevisitedSatisfied,
	mReopened, mClosed, mClosedOnTime, mResolved, mSupervised}

// Grouping says how figures are grouped.
type Grouping string

// Groupings.
const (
	Total        Grouping = ""
	ByDepartment Grouping = "department"
	ByCategory   Grouping = "category"
)

// Compute returns the figures of from..to in scope, grouped by g (one row
// for Total). Department rows are keyed by the org id, "0" holding what was
// never dispatched.
func Compute(ctx context.Context, q store.Querier, sc rollup.Scope, from, to civil.Date, g Grouping) (map[string]*Figures, error) {
	if to.Before(from) {
		return nil, errs.Invalidf("to", "结束日期不能早于开始日期", "to must not be before from")
	}
	out := map[string]*Figures{}
	get := func(k string) *Figures {
		if g == Total {
			k = ""
		}
		f := out[k]
		if f == nil {
			f = &Figures{Key: k}
			out[k] = f
		}
		return f
	}
	metric := func(m string) string {
		if g == ByDepartment {
			return byDept(m)
		}
		return m
	}
	if g == Total {
		get("")
	}
	for _, m := range flowMetrics {
		byDim, err := rollup.SumByDim(ctx, q, sc, from, to, metric(m))
		if err != nil {
			return nil, err
		}
		for d, n := range byDim {
			get(d).add(m, n)
		}
	}
	stock, err := rollup.UptoByDim(ctx, q, sc, to, metric(mOverdueOpen))
	if err != nil {
		return nil, err
	}
	for d, n := range stock {
		get(d).add(mOverdueOpen, n)
	}
	for _, f := range out {
		f.rates()
	}
	return out, nil
}

// Summary fills the "appeals" keys of the period summary (API.md) within
// p's scope: received, resolved, the three rates, the on-time rate and
// received by category, plus the counts behind the rates.
func Summary(ctx context.Context, q store.Querier, p *access.Principal, from, to civil.Date, into map[string]any) error {
	if to.Before(from) {
		return errs.Invalidf("to", "结束日期不能早于开始日期", "to must not be before from")
	}
	sc := rollup.ScopeOf(p)
	sums, err := rollup.Sum(ctx, q, sc, from, to, flowMetrics...)
	if err != nil {
		return err
	}
	stock, err := rollup.Upto(ctx, q, sc, to, mOverdueOpen)
	if err != nil {
		return err
	}
	var f Figures
	for m, n := range sums {
		f.add(m, n)
	}
	f.add(mOverdueOpen, stock[mOverdueOpen])
	f.rates()
	byCat, err := rollup.SumByDim(ctx, q, sc, from, to, mReceived)
	if err != nil {
		return err
	}
	cats := map[string]int64{}
	for _, c := range Categories {
		cats[string(c)] = 0
	}
	for c, n := range byCat {
		cats[c] += n
	}
	into["appeals"] = map[string]any{
		"received": f.Received, "resolved": f.Resolved,
		"response_rate": f.ResponseRate, "resolution_rate": f.ResolutionRate,
		"satisfaction_rate": f.SatisfactionRate, "on_time_rate": f.OnTimeRate,
		"by_category": cats,
		"dispatched":  f.Dispatched, "signed_on_time": f.SignedOnTime, "revisited": f.Revisited,
		"closed": f.Closed, "closed_on_time": f.ClosedOnTime, "overdue_open": f.OverdueOpen,
		"reopened": f.Reopened, "supervised": f.Supervised,
	}
	return nil
}

// Ranking returns the departments' figures of a period, best first by the
// chosen rate (satisfaction by default), ties broken by the other rates.
func Ranking(ctx context.Context, q store.Querier, p *access.Principal, from, to civil.Date, by string) ([]Figures, error) {
	m, err := Compute(ctx, q, rollup.ScopeOf(p), from, to, ByDepartment)
	if err != nil {
		return nil, err
	}
	depts, err := Departments(ctx, q)
	if err != nil {
		return nil, err
	}
	var out []Figures
	for _, d := range depts {
		k := strconv.FormatInt(d.ID, 10)
		f := m[k]
		if f == nil {
			f = &Figures{Key: k}
			f.rates()
		}
		f.Name = d.Name
		out = append(out, *f)
	}
	rate := func(f Figures) [4]float64 {
		v := func(r *float64) float64 {
			if r == nil {
				return -1
			}
			return *r
		}
		rs := [4]float64{v(f.SatisfactionRate), v(f.ResponseRate), v(f.ResolutionRate), v(f.OnTimeRate)}
		switch by {
		case "response":
			rs[0], rs[1] = rs[1], rs[0]
		case "resolution":
			rs[0], rs[2] = rs[2], rs[0]
		case "on_time":
			rs[0], rs[3] = rs[3], rs[0]
		}
		return rs
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := rate(out[i]), rate(out[j])
		for k := range a {
			if a[k] != b[k] {
				return a[k] > b[k]
			}
		}
		return out[i].Dispatched > out[j].Dispatched
	})
	return out, nil
}
