package service

import (
	"cmp"
	"context"
	"slices"
	"strconv"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/rollup"
	"xiaoer/internal/store"
)

// SiteRank is one site's line in the period's ranking.
type SiteRank struct {
	SiteID           int64    `json:"site_id,string"`
	Name             string   `json:"name"`
	Level            Level    `json:"level"`
	Received         int64    `json:"received"`
	Concluded        int64    `json:"concluded"`
	Evaluations      int64    `json:"evaluations"`
	SatisfactionRate *float64 `json:"satisfaction_rate"`
}

// Summary fills the "sites" and "cases" keys of the period summary
// (API.md) within p's scope.
//
// Definitions where API.md leaves a choice:
//   - sites.total counts the sites opened on or before `to` (a site
//     without an opening date counts);
//   - received, accepted, concluded count the transitions dated in the
//     period; concluded is 办结 (approved or denied) — returned and
//     withdrawn cases are not "closed" for on_time_rate;
//   - overdue_open counts the cases open (accepted, not concluded,
//     returned or withdrawn) and overdue at the end of `to`; a case paused
//     in a special procedure counts only if it was already late when it
//     paused;
//   - on_time_rate = concluded on time in the period ÷ (concluded in the
//     period + overdue_open), on time meaning concluded no later than the
//     due date;
//   - remote counts the cases received in the period through the remote
//     channel — a remote session accepted as a case creates one, so those
//     are included; remote_sessions counts the sessions themselves;
//   - evaluations, bad_reviews and satisfaction_rate by the evaluation's
//     date; bad_reviews_closed by the date of closing.
func (s *Service) Summary(ctx context.Context, q store.Querier, p *access.Principal, from, to civil.Date, into map[string]any) error {
	sc := rollup.ScopeOf(p)
	sites, err := s.siteStock(ctx, q, sc, to)
	if err != nil {
		return err
	}
	into["sites"] = sites
	flows, err := rollup.Sum(ctx, q, sc, from, to, mReceived, mOnline, mRemote, mAccepted, mNotAccepted, mConcluded, mOnTime,
		mEvaluations, mSatisfied, mBadReviews, mBadClosed, mRemoteSessions)
	if err != nil {
		return err
	}
	open, err := rollup.Upto(ctx, q, sc, to, mOverdueOpen)
	if err != nil {
		return err
	}
	// The sites' league table is the dashboard's (Rankings), not part of
	// the summary: it reads every site's rows.
	into["cases"] = map[string]any{
		"received":           flows[mReceived],
		"accepted":           flows[mAccepted],
		"concluded":          flows[mConcluded],
		"overdue_open":       open[mOverdueOpen],
		"on_time_rate":       rollup.Rate(flows[mOnTime], flows[mConcluded]+open[mOverdueOpen]),
		"remote":             flows[mRemote],
		"evaluations":        flows[mEvaluations],
		"satisfaction_rate":  rollup.Rate(flows[mSatisfied], flows[mEvaluations]),
		"bad_reviews":        flows[mBadReviews],
		"bad_reviews_closed": flows[mBadClosed],
		"online":             flows[mOnline],
		"not_accepted":       flows[mNotAccepted],
		"concluded_on_time":  flows[mOnTime],
		"remote_sessions":    flows[mRemoteSessions],
	}
	return nil
}

func (s *Service) siteStock(ctx context.Context, q store.Querier, sc rollup.Scope, to civil.Date) (map[string]any, error) {
	var w store.Where
	w.Add("(opened_on IS NULL OR opened_on <= ?)", to)
	if sc.Path != "" && sc.Path != "/" {
		w.Add("org_id IN (SELECT id FROM orgs WHERE path LIKE ?)", sc.Path+"%")
	}
	where, args := w.SQL()
	rows, err := q.Query(ctx, "SELECT level, COUNT(*) FROM sites"+where+" GROUP BY level", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byLevel := map[string]int64{}
	for _, l := range Levels {
		byLevel[string(l)] = 0
	}
	var total int64
	for rows.Next() {
		var l string
		var n int64
		if err := rows.Scan(&l, &n); err != nil {
			return nil, err
		}
		byLevel[l] = n
		total += n
	}
	return map[string]any{"total": total, "by_level": byLevel}, rows.Err()
}

// ranking lists the sites with cases or evaluations in the period, most
// cases received first.
func (s *Service) ranking(ctx context.Context, q store.Querier, sc rollup.Scope, from, to civil.Date) ([]SiteRank, error) {
	by, err := rollup.SumByDims(ctx, q, sc, from, to, mReceived, mConcluded, mEvaluations, mSatisfied)
	if err != nil {
		return nil, err
	}
	ids := map[int64]bool{}
	for _, m := range by {
		for dim, v := range m {
			if id, err := strconv.ParseInt(dim, 10, 64); err == nil && v != 0 {
				ids[id] = true
			}
		}
	}
	out := []SiteRank{}
	if len(ids) == 0 {
		return out, nil
	}
	list := make([]int64, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	in, args := store.In(list)
	rows, err := q.Query(ctx, "SELECT id, name, level FROM sites WHERE id IN ("+in+")", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var r SiteRank
		if err := rows.Scan(&r.SiteID, &r.Name, &r.Level); err != nil {
			return nil, err
		}
		d := siteDim(r.SiteID)
		r.Received, r.Concluded, r.Evaluations = by[mReceived][d], by[mConcluded][d], by[mEvaluations][d]
		r.SatisfactionRate = rollup.Rate(by[mSatisfied][d], r.Evaluations)
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b SiteRank) int {
		if c := cmp.Compare(b.Received, a.Received); c != 0 {
			return c
		}
		return cmp.Compare(a.SiteID, b.SiteID)
	})
	return out, rows.Err()
}
