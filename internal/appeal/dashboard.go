package appeal

import (
	"context"
	"fmt"
	"net/url"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/i18n"
	"xiaoer/internal/platform"
	"xiaoer/internal/store"
)

func pct(r *float64) string {
	if r == nil {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", *r*100)
}

// rankings is the departments' league table by the three rates.
func (m *module) rankings(ctx context.Context, q store.Querier, p *access.Principal, from, to civil.Date, lang i18n.Lang) ([]platform.Ranking, error) {
	rows, err := Ranking(ctx, q, p, from, to, "")
	if err != nil {
		return nil, err
	}
	r := platform.Ranking{Title: i18n.T("部门诉求办理排名", "Departments by appeal handling").In(lang), Columns: []string{
		i18n.T("部门", "Department").In(lang), i18n.T("交办", "Dispatched").In(lang), i18n.T("响应率", "Response").In(lang),
		i18n.T("解决率", "Resolution").In(lang), i18n.T("满意率", "Satisfaction").In(lang), i18n.T("按时办结率", "On time").In(lang)}}
	for _, f := range rows {
		if f.Dispatched == 0 && f.Revisited == 0 {
			continue
		}
		r.Rows = append(r.Rows, platform.RankRow{Name: f.Name,
			Values: []string{fmt.Sprint(f.Dispatched), pct(f.ResponseRate), pct(f.ResolutionRate), pct(f.SatisfactionRate), pct(f.OnTimeRate)},
			Href:   "/appeals?department_org_id=" + f.Key + "&" + period(from, to)})
	}
	return []platform.Ranking{r}, nil
}

// warnings are the appeals needing a leader now: overdue, and supervised.
func (m *module) warnings(ctx context.Context, p *access.Principal, lang i18n.Lang) ([]platform.Card, error) {
	today := m.svc.today()
	return []platform.Card{
		{Label: i18n.T("超期未办结的诉求", "Overdue appeals").In(lang), Tone: "red", Href: "/appeals?overdue=true",
			Value: m.count(ctx, p, "a.state <> ? AND a.overdue_from IS NOT NULL AND a.overdue_from <= ?", StateClosed, today)},
		{Label: i18n.T("督办中的诉求", "Supervised appeals").In(lang), Tone: "yellow", Href: "/appeals?state=open&supervised=true",
			Value: m.count(ctx, p, "a.state <> ? AND a.supervised = TRUE", StateClosed)},
	}, nil
}

func period(from, to civil.Date) string {
	return url.Values{"from": {from.String()}, "to": {to.String()}}.Encode()
}

// Drill links the count of appeals received in a period to their list
// (the list filters by the day of receipt).
func Drill(key string, from, to civil.Date) string {
	if key == "appeals.received" {
		return "/appeals?" + period(from, to)
	}
	return ""
}
