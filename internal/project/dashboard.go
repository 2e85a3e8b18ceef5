package project

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

// rankings is the commissioners' (金牌保姆) table for the year the period
// ends in.
func (s *Service) rankings(ctx context.Context, q store.Querier, p *access.Principal, from, to civil.Date, lang i18n.Lang) ([]platform.Ranking, error) {
	r, err := s.Rank(ctx, p, to.Year)
	if err != nil {
		return nil, err
	}
	out := platform.Ranking{Title: i18n.F("%d年项目专员（金牌保姆）评分", "Commissioners' scores %d", to.Year).In(lang), Columns: []string{
		i18n.T("项目专员", "Commissioner").In(lang), i18n.T("服务项目", "Projects").In(lang), i18n.T("按期推进", "On-time moves").In(lang),
		i18n.T("解决问题", "Problems solved").In(lang), i18n.T("得分", "Score").In(lang)}}
	for _, sc := range r.Items {
		out.Rows = append(out.Rows, platform.RankRow{Name: sc.Name,
			Values: []string{fmt.Sprint(sc.Projects), fmt.Sprintf("%d/%d", sc.MovesOnTime, sc.MovesPlanned), fmt.Sprint(sc.ProblemsSolved), fmt.Sprintf("%.1f", sc.Total)},
			Href:   fmt.Sprintf("/projects?commissioner_user_id=%d", sc.UserID)})
	}
	return []platform.Ranking{out}, nil
}

// warnings are the red projects: stalled, late or silent.
func (s *Service) warnings(ctx context.Context, p *access.Principal, lang i18n.Lang) ([]platform.Card, error) {
	_, reds, err := s.List(ctx, p, Filter{Light: Red, Limit: 1})
	if err != nil {
		return nil, err
	}
	_, stalled, err := s.List(ctx, p, Filter{Stage: Stalled, Limit: 1})
	if err != nil {
		return nil, err
	}
	return []platform.Card{
		{Label: i18n.T("红色预警项目", "Projects in red").In(lang), Value: fmt.Sprint(reds), Tone: "red", Href: "/projects?light=red"},
		{Label: i18n.T("停滞项目", "Stalled projects").In(lang), Value: fmt.Sprint(stalled), Tone: "yellow", Href: "/projects?stage=stalled"},
	}, nil
}

// Drill links a stage's count in the summary to the projects that reached
// the stage in the period.
func Drill(key string, from, to civil.Date) string {
	for st := range yearColumn {
		if key == "projects."+string(st)+".count" || key == "projects."+string(st)+".investment_fen" {
			return "/projects?" + url.Values{"year_stage": {string(st)}, "from": {from.String()}, "to": {to.String()}}.Encode()
		}
	}
	return ""
}
