package project

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"time"

	"xiaoer/internal/access"
	"xiaoer/internal/i18n"
	"xiaoer/internal/jobs"
	"xiaoer/internal/platform"
)

//go:embed templates/*.html
var templates embed.FS

// Templates returns the module's pages.
func Templates() fs.FS { s, _ := fs.Sub(templates, "templates"); return s }

// NewModule builds the key-project module's part of the app.
func NewModule(d *platform.Deps, svc *Service) platform.Module {
	h := &Handler{Svc: svc, UI: d.UI}
	return platform.Module{
		Name:      "project",
		Routes:    h.Routes(),
		Nav:       Nav(),
		Templates: Templates(),
		Jobs: []jobs.Job{{Name: "project.warnings", Every: time.Hour, Run: func(ctx context.Context) error {
			_, err := svc.RefreshLights(ctx)
			return err
		}}},
		Demo:    (&demoLoader{d: d, svc: svc}).load,
		Home:    svc.home,
		Facts:   svc.facts,
		Summary: svc.Summary,
		Rebuild: svc.Rebuild,
		Metrics: []string{MetricPrefix},

		SummaryKeys: []string{"projects"},
		Rankings:    svc.rankings,
		Warnings:    svc.warnings,
		Drill:       Drill,
	}
}

// EnterpriseTerm lets the cadre and commissioner of a project see its
// enterprise in the registry.
func EnterpriseTerm(p *access.Principal, s *access.Scope, alias string) {
	if p.UserID != 0 && p.Has(access.Cadre, access.ProjectOffice) {
		s.Or(alias+".id IN (SELECT enterprise_id FROM projects WHERE leader_user_id = ? OR commissioner_user_id = ?)", p.UserID, p.UserID)
	}
}

// home returns the project figures of a home page: the projects in scope
// and the red ones.
func (s *Service) home(ctx context.Context, p *access.Principal, lang i18n.Lang) []platform.Card {
	if !p.Has(access.ProjectOffice, access.Leader, access.Cadre) {
		return nil
	}
	totals, err := s.ByStage(ctx, p, Filter{})
	if err != nil {
		return nil
	}
	var n int
	var fen int64
	for st, t := range totals {
		if st.Open() {
			n += t.Count
			fen += t.InvestmentFen
		}
	}
	_, reds, err := s.List(ctx, p, Filter{Light: Red, Limit: 1})
	if err != nil {
		return nil
	}
	label := i18n.T("在建重点项目", "Projects under way")
	if !p.Has(access.ProjectOffice, access.Leader) {
		label = i18n.T("我包保或服务的项目", "My projects")
	}
	return []platform.Card{
		{Label: label.In(lang), Value: fmt.Sprint(n), Unit: i18n.F("个 · %s", "· %s", moneyText(fen)).In(lang), Href: "/projects"},
		{Label: i18n.T("红灯预警项目", "Red-light projects").In(lang), Value: fmt.Sprint(reds), Href: "/projects?light=red", Tone: "red"},
	}
}

// facts is the module's section of an enterprise's page: its projects.
func (s *Service) facts(ctx context.Context, p *access.Principal, enterpriseID int64, lang i18n.Lang) (*platform.Facts, error) {
	items, total, err := s.List(ctx, p, Filter{EnterpriseID: enterpriseID, Limit: 20})
	if err != nil || total == 0 {
		return nil, err
	}
	f := &platform.Facts{Title: i18n.T("重点项目", "Key projects").In(lang), Href: fmt.Sprintf("/projects?enterprise_id=%d", enterpriseID)}
	for _, pr := range items {
		tone := ""
		if pr.Light != Green {
			tone = string(pr.Light)
		}
		f.Rows = append(f.Rows, platform.Fact{Label: pr.Name, Href: fmt.Sprintf("/projects/%d", pr.ID), Tone: tone,
			Value: pr.Stage.Label().In(lang) + " · " + moneyText(pr.TotalInvestmentFen).In(lang)})
	}
	return f, nil
}
