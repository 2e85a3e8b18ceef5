package labor

import (
	"context"
	"fmt"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/i18n"
	"xiaoer/internal/platform"
	"xiaoer/internal/rollup"
	"xiaoer/internal/store"
)

// The module's rollup metrics. Each is kept on the business date of the
// record (an event's date, a placement's date, a demand's posting date) and
// the org node it belongs to (the event's organiser, the enterprise's org
// when the record was made).
const (
	MetricEvents          = "labor.events"    // one per event; dim = kind
	MetricPositions       = "labor.positions" // positions offered at events
	MetricAttendees       = "labor.attendees"
	MetricHires           = "labor.hires"            // agreements reached at events
	MetricPlacements      = "labor.placements"       // workers placed
	MetricDemands         = "labor.demands"          // demands posted
	MetricDemandHeadcount = "labor.demand_headcount" // workers asked for by them
)

// Section returns the period summary's map for key, creating it: the
// labour section is filled by two modules (the subsidy figure comes from
// the policy ledger), whichever runs first.
func Section(into map[string]any, key string) map[string]any {
	m, ok := into[key].(map[string]any)
	if !ok {
		m = map[string]any{}
		into[key] = m
	}
	return m
}

// Summary fills the "labor" keys of the period summary from the rollups:
// events held and workers placed in the period (by their dates), and the
// positions, attendees, hires and demands beside them.
func Summary(ctx context.Context, q store.Querier, p *access.Principal, from, to civil.Date, into map[string]any) error {
	sums, err := rollup.Sum(ctx, q, rollup.ScopeOf(p), from, to, MetricEvents, MetricPositions, MetricAttendees, MetricHires,
		MetricPlacements, MetricDemands, MetricDemandHeadcount)
	if err != nil {
		return err
	}
	byKind, err := rollup.SumByDim(ctx, q, rollup.ScopeOf(p), from, to, MetricEvents)
	if err != nil {
		return err
	}
	kinds := map[string]int64{}
	for _, k := range EventKinds {
		kinds[string(k)] = byKind[string(k)]
	}
	m := Section(into, "labor")
	m["events"] = sums[MetricEvents]
	m["events_by_kind"] = kinds
	m["placements"] = sums[MetricPlacements]
	m["positions"] = sums[MetricPositions]
	m["attendees"] = sums[MetricAttendees]
	m["hires"] = sums[MetricHires]
	m["demands"] = sums[MetricDemands]
	m["demand_headcount"] = sums[MetricDemandHeadcount]
	if _, ok := m["subsidy_paid_fen"]; !ok {
		m["subsidy_paid_fen"] = int64(0)
	}
	return nil
}

// Rebuild recomputes the module's rollups from its records, inside tx.
func Rebuild(ctx context.Context, tx *store.Tx) error {
	type row struct {
		day    civil.Date
		org    int64
		dim    string
		values []int64
	}
	collect := func(query string, n int) ([]row, error) {
		rows, err := tx.Query(ctx, query)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []row
		for rows.Next() {
			r := row{values: make([]int64, n)}
			dest := []any{&r.day, &r.org, &r.dim}
			for i := range r.values {
				dest = append(dest, &r.values[i])
			}
			if err := rows.Scan(dest...); err != nil {
				return nil, err
			}
			out = append(out, r)
		}
		return out, rows.Err()
	}
	apply := func(rows []row, metrics ...string) error {
		for _, r := range rows {
			for i, m := range metrics {
				dim := ""
				if i == 0 {
					dim = r.dim
				}
				if err := rollup.Add(ctx, tx, m, r.day, r.org, dim, r.values[i]); err != nil {
					return err
				}
			}
		}
		return nil
	}
	events, err := collect(`SELECT date, org_id, kind, COUNT(*), SUM(positions), SUM(attendees), SUM(hires)
		FROM labor_events GROUP BY date, org_id, kind`, 4)
	if err != nil {
		return err
	}
	if err := apply(events, MetricEvents, MetricPositions, MetricAttendees, MetricHires); err != nil {
		return err
	}
	placed, err := collect(`SELECT date, org_id, '', SUM(workers) FROM labor_placements GROUP BY date, org_id`, 1)
	if err != nil {
		return err
	}
	if err := apply(placed, MetricPlacements); err != nil {
		return err
	}
	demands, err := collect(`SELECT posted_on, org_id, '', COUNT(*), SUM(headcount) FROM labor_demands GROUP BY posted_on, org_id`, 2)
	if err != nil {
		return err
	}
	return apply(demands, MetricDemands, MetricDemandHeadcount)
}

// home returns the labour figures a principal sees first: the shortage for
// the office and leaders, an enterprise's own open demands.
func (s *Service) home(ctx context.Context, p *access.Principal, lang i18n.Lang) []platform.Card {
	if !p.Has(access.Leader, access.ServiceOffice, access.Enterprise) {
		return nil
	}
	var w store.Where
	w.Scope(readScope(p, "e"))
	w.Add("d.closed = ? AND d.filled < d.headcount", false)
	where, args := w.SQL()
	args = append([]any{s.today()}, args...)
	var n, short, late int64
	err := s.DB.Read().QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(d.headcount - d.filled), 0),
		COALESCE(SUM(CASE WHEN d.need_by < ? THEN 1 ELSE 0 END), 0)`+demandFrom+where, args...).Scan(&n, &short, &late)
	if err != nil {
		return nil
	}
	tone := ""
	if late > 0 {
		tone = "red"
	}
	if p.Has(access.Enterprise) && !p.Has(access.Leader, access.ServiceOffice) {
		return []platform.Card{{Label: i18n.T("我的缺工申报（未满足）", "My open labour demands").In(lang), Value: fmt.Sprint(n),
			Unit: i18n.F("缺%d人", "%d short", short).In(lang), Href: "/labor/demands", Tone: tone}}
	}
	return []platform.Card{{Label: i18n.T("企业缺工", "Labour shortage").In(lang), Value: fmt.Sprint(short),
		Unit: i18n.F("人 · %d条申报", "workers · %d demands", n).In(lang), Href: "/labor/shortage", Tone: tone}}
}

// warnings are the open demands past their need-by date, for the leader.
func (s *Service) warnings(ctx context.Context, p *access.Principal, lang i18n.Lang) ([]platform.Card, error) {
	var w store.Where
	w.Scope(readScope(p, "e"))
	w.Add("d.closed = ? AND d.filled < d.headcount AND d.need_by < ?", false, s.today())
	where, args := w.SQL()
	var n, short int64
	if err := s.DB.Read().QueryRow(ctx, "SELECT COUNT(*), COALESCE(SUM(d.headcount - d.filled), 0)"+demandFrom+where, args...).Scan(&n, &short); err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, nil
	}
	return []platform.Card{{Label: i18n.T("逾期未满足的缺工", "Labour demands past their date").In(lang), Value: fmt.Sprint(n),
		Unit: i18n.F("条，缺%d人", "· %d workers short", short).In(lang), Href: "/labor/shortage", Tone: "red"}}, nil
}

// facts is the labour section of an enterprise's page.
func (s *Service) facts(ctx context.Context, p *access.Principal, enterpriseID int64, lang i18n.Lang) (*platform.Facts, error) {
	var w store.Where
	w.Add("e.id = ?", enterpriseID)
	w.Scope(readScope(p, "e"))
	where, args := w.SQL()
	var open, short, placed, events int64
	var last civil.Date
	err := s.DB.Read().QueryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM labor_demands d WHERE d.enterprise_id = e.id AND d.closed = ? AND d.filled < d.headcount),
		(SELECT COALESCE(SUM(d.headcount - d.filled), 0) FROM labor_demands d WHERE d.enterprise_id = e.id AND d.closed = ?),
		(SELECT COALESCE(SUM(pl.workers), 0) FROM labor_placements pl WHERE pl.enterprise_id = e.id),
		(SELECT MAX(pl.date) FROM labor_placements pl WHERE pl.enterprise_id = e.id),
		(SELECT COUNT(*) FROM labor_event_enterprises x WHERE x.enterprise_id = e.id)
		FROM enterprises e`+where, append([]any{false, false}, args...)...).Scan(&open, &short, &placed, &last, &events)
	if err != nil {
		return nil, err
	}
	id := fmt.Sprint(enterpriseID)
	f := &platform.Facts{Title: i18n.T("招工稳岗", "Recruitment").In(lang), Href: "/labor/demands?enterprise_id=" + id}
	f.Rows = append(f.Rows,
		platform.Fact{Label: i18n.T("未满足的缺工申报", "Open labour demands").In(lang), Value: i18n.F("%d条，缺%d人", "%d, %d workers short", open, short).In(lang),
			Href: "/labor/demands?open=true&enterprise_id=" + id},
		platform.Fact{Label: i18n.T("累计送工到岗", "Workers placed").In(lang), Value: i18n.F("%d人", "%d", placed).In(lang),
			Href: "/labor/placements?enterprise_id=" + id},
		platform.Fact{Label: i18n.T("参加招聘活动", "Recruitment events joined").In(lang), Value: i18n.F("%d场", "%d", events).In(lang),
			Href: "/labor/events?enterprise_id=" + id},
	)
	if !last.IsZero() {
		f.Rows[1].Value += " · " + i18n.F("最近 %s", "latest %s", last).In(lang)
	}
	return f, nil
}
