package service

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/i18n"
	"xiaoer/internal/platform"
	"xiaoer/internal/rollup"
	"xiaoer/internal/store"
)

// SummaryKeys are the keys of the period summary the module fills.
var SummaryKeys = []string{"sites", "cases"}

// Rankings are the dashboard's league tables of sites: by cases received in
// the period, and by satisfaction (sites with at least ten evaluations).
func (s *Service) Rankings(ctx context.Context, q store.Querier, p *access.Principal, from, to civil.Date, lang i18n.Lang) ([]platform.Ranking, error) {
	rank, err := s.ranking(ctx, q, rollup.ScopeOf(p), from, to)
	if err != nil {
		return nil, err
	}
	pct := func(r *float64) string {
		if r == nil {
			return "—"
		}
		return fmt.Sprintf("%.1f%%", *r*100)
	}
	href := func(r SiteRank) string { return "/sites/" + strconv.FormatInt(r.SiteID, 10) }
	busy := platform.Ranking{Title: i18n.T("站点办件量排名", "Sites by cases received").In(lang),
		Columns: []string{i18n.T("收件", "Received").In(lang), i18n.T("办结", "Concluded").In(lang), i18n.T("满意率", "Satisfaction").In(lang)}}
	for _, r := range rank[:min(len(rank), 10)] {
		busy.Rows = append(busy.Rows, platform.RankRow{Name: r.Name, Href: href(r),
			Values: []string{strconv.FormatInt(r.Received, 10), strconv.FormatInt(r.Concluded, 10), pct(r.SatisfactionRate)}})
	}
	var rated []SiteRank
	for _, r := range rank {
		if r.Evaluations >= 10 {
			rated = append(rated, r)
		}
	}
	slices.SortStableFunc(rated, func(a, b SiteRank) int {
		switch {
		case *a.SatisfactionRate > *b.SatisfactionRate:
			return -1
		case *a.SatisfactionRate < *b.SatisfactionRate:
			return 1
		}
		return 0
	})
	liked := platform.Ranking{Title: i18n.T("站点好差评满意率排名", "Sites by satisfaction").In(lang),
		Columns: []string{i18n.T("满意率", "Satisfaction").In(lang), i18n.T("评价", "Evaluations").In(lang)}}
	for _, r := range rated[:min(len(rated), 10)] {
		liked.Rows = append(liked.Rows, platform.RankRow{Name: r.Name, Href: href(r),
			Values: []string{pct(r.SatisfactionRate), strconv.FormatInt(r.Evaluations, 10)}})
	}
	return []platform.Ranking{busy, liked}, nil
}

// Warnings are what needs a leader's attention now: cases overdue or near
// their limit, and bad reviews past their rectification date.
func (s *Service) Warnings(ctx context.Context, p *access.Principal, lang i18n.Lang) ([]platform.Card, error) {
	var w store.Where
	w.Scope(ReadCaseScope(p, "c"))
	in, args := store.In(OpenStates)
	// warning > 0 is what the index of lit cases (cases_warned) holds.
	w.Add("c.warning > 0 AND c.status IN ("+in+")", args...)
	where, wargs := w.SQL()
	var red, yellow int
	if err := s.DB.Read().QueryRow(ctx, "SELECT COALESCE(SUM(CASE WHEN c.warning = 2 THEN 1 ELSE 0 END), 0), "+
		"COALESCE(SUM(CASE WHEN c.warning = 1 THEN 1 ELSE 0 END), 0) FROM cases c"+where, wargs...).Scan(&red, &yellow); err != nil {
		return nil, err
	}
	var bw store.Where
	bw.Scope(readBadReviewScope(p))
	bw.Add("b.closed_on IS NULL AND b.due_on < ?", s.today())
	bwhere, bargs := bw.SQL()
	var late int
	if err := s.DB.Read().QueryRow(ctx, "SELECT COUNT(*) FROM bad_reviews b"+bwhere, bargs...).Scan(&late); err != nil {
		return nil, err
	}
	return []platform.Card{
		{Label: i18n.T("超期办件（红灯）", "Overdue cases (red)").In(lang), Value: strconv.Itoa(red), Href: "/cases?warning=red", Tone: "red"},
		{Label: i18n.T("临近期限办件（黄灯）", "Cases near their limit (yellow)").In(lang), Value: strconv.Itoa(yellow), Href: "/cases?warning=yellow", Tone: "yellow"},
		{Label: i18n.T("超期未整改差评", "Bad reviews past their date").In(lang), Value: strconv.Itoa(late), Href: "/bad-reviews?overdue=true", Tone: "red"},
	}, nil
}

// Drill returns the list behind a summary figure.
func Drill(key string, from, to civil.Date) string {
	period := "from=" + from.String() + "&to=" + to.String()
	switch key {
	case "cases.received":
		return "/cases?sort=new&" + period
	case "cases.remote":
		return "/cases?sort=new&channel=remote&" + period
	case "cases.overdue_open":
		return "/cases?overdue=true&status=accepted,in_process,special_procedure"
	case "cases.bad_reviews", "cases.bad_reviews_closed":
		return "/bad-reviews"
	case "sites.total":
		return "/sites"
	}
	return ""
}

// Facts is the service network's section of an enterprise's page: its
// cases and how it rated them.
func (s *Service) Facts(ctx context.Context, p *access.Principal, enterpriseID int64, lang i18n.Lang) (*platform.Facts, error) {
	var w store.Where
	w.Scope(ReadCaseScope(p, "c"))
	w.Add("c.enterprise_id = ?", enterpriseID)
	where, args := w.SQL()
	in, sargs := store.In(OpenStates)
	var total, open, rated int
	var score float64
	err := s.DB.Read().QueryRow(ctx, "SELECT COUNT(*), COALESCE(SUM(CASE WHEN c.status IN ("+in+") THEN 1 ELSE 0 END), 0), COUNT(ev.id), "+
		"COALESCE(AVG(ev.score), 0) FROM cases c LEFT JOIN evaluations ev ON ev.case_id = c.id"+where, append(sargs, args...)...).
		Scan(&total, &open, &rated, &score)
	if err != nil || total == 0 {
		return nil, err
	}
	href := "/cases?sort=new&enterprise_id=" + strconv.FormatInt(enterpriseID, 10)
	f := &platform.Facts{Title: i18n.T("政务服务办件", "Government-service cases").In(lang), Href: href, Rows: []platform.Fact{
		{Label: i18n.T("办件", "Cases").In(lang), Value: strconv.Itoa(total), Href: href},
		{Label: i18n.T("在办", "Open").In(lang), Value: strconv.Itoa(open)},
	}}
	if rated > 0 {
		f.Rows = append(f.Rows, platform.Fact{Label: i18n.T("平均评分", "Average rating").In(lang), Value: fmt.Sprintf("%.1f ★", score)})
	}
	return f, nil
}
