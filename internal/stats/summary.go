// Package stats turns the modules' rollups into the figures leaders read:
// the period summary of API.md, trends, the dashboard (驾驶舱), the
// narrative brief written in the manner of the seed article, and their
// exports. It owns no records; every figure comes from a module's Summary.
package stats

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/platform"
	"xiaoer/internal/store"
)

// Service assembles summaries from the modules.
type Service struct {
	DB      *store.DB
	Modules []platform.Module
	// Zone names the zone in report titles.
	Zone string
}

// Readers may read statistics: the zone's leaders and offices, each within
// their org subtree.
var Readers = []access.Role{access.Leader, access.ServiceOffice, access.ProjectOffice}

// MaxPeriod is the longest period a summary covers.
const MaxPeriod = 20 * 366

// CheckPeriod validates from..to.
func CheckPeriod(from, to civil.Date) error {
	switch {
	case from.IsZero():
		return errs.Invalidf("from", "请给出起始日期 from（YYYY-MM-DD）", "from (YYYY-MM-DD) is required")
	case to.IsZero():
		return errs.Invalidf("to", "请给出截止日期 to（YYYY-MM-DD）", "to (YYYY-MM-DD) is required")
	case to.Before(from):
		return errs.Invalidf("to", "截止日期不能早于起始日期", "to must not be before from")
	case from.DaysUntil(to) > MaxPeriod:
		return errs.Invalidf("to", "统计期间不能超过20年", "The period must not exceed 20 years")
	}
	return nil
}

// skeleton is the summary of API.md with every fixed key at zero (rates
// null), so that the shape holds even for a module with nothing to say.
func skeleton(from, to civil.Date) map[string]any {
	zero := func(keys ...string) map[string]any {
		m := map[string]any{}
		for _, k := range keys {
			m[k] = 0
		}
		return m
	}
	stage := func() map[string]any { return map[string]any{"count": 0, "investment_fen": 0} }
	cases := zero("received", "accepted", "concluded", "overdue_open", "remote", "evaluations", "bad_reviews", "bad_reviews_closed")
	cases["on_time_rate"], cases["satisfaction_rate"] = nil, nil
	appeals := zero("received", "resolved")
	for _, r := range []string{"response_rate", "resolution_rate", "satisfaction_rate", "on_time_rate"} {
		appeals[r] = nil
	}
	appeals["by_category"] = map[string]any{}
	innovation := zero("high_tech_enterprises", "tech_smes", "events", "partnership_universities", "partnership_enterprises")
	innovation["platforms"] = zero("national", "provincial", "municipal", "district")
	return map[string]any{
		"from":  from.String(),
		"to":    to.String(),
		"sites": map[string]any{"total": 0, "by_level": zero("district_hall", "street_hall", "community_station", "micro_site")},
		"cases": cases,
		"projects": map[string]any{"signed": stage(), "started": stage(), "registered": stage(), "producing": stage(),
			"effective": stage(), "started_and_producing_same_year": 0},
		"appeals":    appeals,
		"labor":      zero("events", "placements", "subsidy_paid_fen"),
		"policy":     zero("applications", "paid_enterprises", "paid_fen"),
		"finance":    zero("needs", "needs_fen", "loans", "loans_fen"),
		"innovation": innovation,
	}
}

// CanRead reports whether p may read statistics.
func CanRead(p *access.Principal) bool { return p != nil && (p.System || p.Has(Readers...)) }

// Summary returns the period summary within p's scope, as plain JSON values
// (maps, float64 numbers, nil rates).
func (s *Service) Summary(ctx context.Context, p *access.Principal, from, to civil.Date) (map[string]any, error) {
	return s.summary(ctx, p, from, to, nil)
}

// readable checks that p may read the statistics of from..to.
func readable(p *access.Principal, from, to civil.Date) error {
	if !CanRead(p) {
		return errs.Forbiddenf("只有领导、营商办和项目办可以查看统计", "Only leaders and the offices read statistics")
	}
	return CheckPeriod(from, to)
}

func (s *Service) summary(ctx context.Context, p *access.Principal, from, to civil.Date, only []string) (map[string]any, error) {
	if err := readable(p, from, to); err != nil {
		return nil, err
	}
	out := skeleton(from, to)
	q := s.DB.Read()
	for _, m := range s.Modules {
		if m.Summary == nil {
			continue
		}
		if only != nil && len(m.SummaryKeys) > 0 && !overlaps(only, m.SummaryKeys) {
			continue
		}
		if err := m.Summary(ctx, q, p, from, to, out); err != nil {
			return nil, err
		}
	}
	// Normalise whatever the modules put in (structs, typed maps) to plain
	// JSON values, so paths and templates read one shape.
	b, err := json.Marshal(out)
	if err != nil {
		return nil, err
	}
	var norm map[string]any
	err = json.Unmarshal(b, &norm)
	return norm, err
}

func overlaps(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

// Path reads a numeric key path ("projects.started.count") of a summary.
// null reports a JSON null (a rate with nothing to divide); ok is false
// when the path does not lead to a number or a null.
func Path(sum map[string]any, path string) (v float64, null, ok bool) {
	var cur any = sum
	for _, part := range strings.Split(path, ".") {
		m, isMap := cur.(map[string]any)
		if !isMap {
			return 0, false, false
		}
		if cur, ok = m[part]; !ok {
			return 0, false, false
		}
	}
	switch x := cur.(type) {
	case float64:
		return x, false, true
	case nil:
		return 0, true, true
	}
	return 0, false, false
}

// Num reads a number of a summary, 0 when absent or null.
func Num(sum map[string]any, path string) float64 {
	v, _, _ := Path(sum, path)
	return v
}

// Int reads a count or an amount of a summary.
func Int(sum map[string]any, path string) int64 { return int64(Num(sum, path)) }

// Rate reads a rate of a summary; nil when null.
func Rate(sum map[string]any, path string) *float64 {
	v, null, ok := Path(sum, path)
	if !ok || null {
		return nil
	}
	return &v
}

// Point is one bucket of a trend.
type Point struct {
	From  civil.Date `json:"from"`
	To    civil.Date `json:"to"`
	Value *float64   `json:"value"`
}

// Trend is the answer of GET /stats/trend.
type Trend struct {
	Metric string  `json:"metric"`
	By     string  `json:"by"`
	Points []Point `json:"points"`
}

// Buckets splits from..to into calendar months or ISO weeks (Monday first),
// the first and last clipped to the period.
func Buckets(from, to civil.Date, by string) ([][2]civil.Date, error) {
	var out [][2]civil.Date
	start := from
	for !start.After(to) {
		var end civil.Date
		switch by {
		case "month":
			end = civil.New(start.Year, start.Month+1, 1).AddDays(-1)
		case "week":
			wd := int(start.Weekday())
			if wd == 0 {
				wd = 7
			}
			end = start.AddDays(7 - wd)
		default:
			return nil, errs.Invalidf("by", "by 只能是 month 或 week", "by must be month or week")
		}
		if end.After(to) {
			end = to
		}
		out = append(out, [2]civil.Date{start, end})
		start = end.AddDays(1)
		if len(out) > 600 {
			return nil, errs.Invalidf("to", "趋势最多600个时段，请缩短期间或按月统计", "A trend has at most 600 points; shorten the period or use months")
		}
	}
	return out, nil
}

// Trend returns one summary metric per bucket of from..to.
func (s *Service) Trend(ctx context.Context, p *access.Principal, metric string, from, to civil.Date, by string) (Trend, error) {
	if err := CheckPeriod(from, to); err != nil {
		return Trend{}, err
	}
	if metric == "" || metric == "from" || metric == "to" {
		return Trend{}, errs.Invalidf("metric", "请给出指标，如 cases.accepted", "metric is required, e.g. cases.accepted")
	}
	if _, _, ok := Path(skeletonPlain(from, to), metric); !ok {
		// Modules may add keys beyond the fixed ones: check against a real
		// summary of the first day before giving up.
		sum, err := s.summary(ctx, p, from, from, []string{strings.Split(metric, ".")[0]})
		if err != nil {
			return Trend{}, err
		}
		if _, _, ok := Path(sum, metric); !ok {
			return Trend{}, errs.Invalidf("metric", "没有数值指标 %s", "There is no numeric metric %s", metric)
		}
	}
	buckets, err := Buckets(from, to, by)
	if err != nil {
		return Trend{}, err
	}
	t := Trend{Metric: metric, By: by, Points: make([]Point, 0, len(buckets))}
	only := []string{strings.Split(metric, ".")[0]}
	for _, b := range buckets {
		sum, err := s.summary(ctx, p, b[0], b[1], only)
		if err != nil {
			return Trend{}, err
		}
		pt := Point{From: b[0], To: b[1]}
		if v, null, _ := Path(sum, metric); !null {
			pt.Value = &v
		}
		t.Points = append(t.Points, pt)
	}
	return t, nil
}

func skeletonPlain(from, to civil.Date) map[string]any {
	b, _ := json.Marshal(skeleton(from, to))
	var m map[string]any
	json.Unmarshal(b, &m)
	return m
}

// Previous returns the period of the same length just before from..to.
func Previous(from, to civil.Date) (civil.Date, civil.Date) {
	// Whole months (a quarter, a half-year) compare with the same number of
	// months before; other periods with the same number of days.
	if from.Day == 1 && to.AddDays(1).Day == 1 {
		months := (to.Year-from.Year)*12 + int(to.Month-from.Month) + 1
		pf := from.AddMonths(-months)
		return pf, from.AddDays(-1)
	}
	n := from.DaysUntil(to)
	return from.AddDays(-n - 1), from.AddDays(-1)
}

// Period is a named period for the picker.
type Period struct {
	Key      string
	From, To civil.Date
}

// Periods are the picker's presets around today.
func Periods(today civil.Date) []Period {
	y, m := today.Year, today.Month
	q := (int(m)-1)/3*3 + 1
	h := 1
	if m > 6 {
		h = 7
	}
	return []Period{
		{"month", civil.New(y, m, 1), civil.New(y, m+1, 1).AddDays(-1)},
		{"quarter", civil.New(y, timeMonth(q), 1), civil.New(y, timeMonth(q+3), 1).AddDays(-1)},
		{"half", civil.New(y, timeMonth(h), 1), civil.New(y, timeMonth(h+6), 1).AddDays(-1)},
		{"year", civil.New(y, 1, 1), civil.New(y, 12, 31)},
	}
}

func timeMonth(m int) time.Month { return time.Month(m) }

// Label writes a period the Chinese way: 2023年1-6月, 2023年, 2023年3月5日至7月11日.
func Label(from, to civil.Date) string {
	switch {
	case from.Day == 1 && to.AddDays(1).Day == 1 && from.Year == to.Year && from.Month == 1 && to.Month == 12:
		return strconv.Itoa(from.Year) + "年"
	case from.Day == 1 && to.AddDays(1).Day == 1 && from.Year == to.Year && from.Month == to.Month:
		return strconv.Itoa(from.Year) + "年" + strconv.Itoa(int(from.Month)) + "月"
	case from.Day == 1 && to.AddDays(1).Day == 1 && from.Year == to.Year:
		return strconv.Itoa(from.Year) + "年" + strconv.Itoa(int(from.Month)) + "-" + strconv.Itoa(int(to.Month)) + "月"
	case from.Year == to.Year:
		return strconv.Itoa(from.Year) + "年" + strconv.Itoa(int(from.Month)) + "月" + strconv.Itoa(from.Day) + "日至" +
			strconv.Itoa(int(to.Month)) + "月" + strconv.Itoa(to.Day) + "日"
	}
	return from.Chinese() + "至" + to.Chinese()
}
