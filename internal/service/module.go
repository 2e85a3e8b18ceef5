package service

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"time"

	"xiaoer/internal/access"
	"xiaoer/internal/i18n"
	"xiaoer/internal/jobs"
	"xiaoer/internal/platform"
	"xiaoer/internal/store"
	"xiaoer/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Templates returns the module's pages.
func Templates() fs.FS { s, _ := fs.Sub(templates, "templates"); return s }

// NewModule builds the service network's part of the app.
func NewModule(d *platform.Deps, svc *Service) platform.Module {
	h := &Handler{Svc: svc, UI: d.UI}
	return platform.Module{
		Name:      "service",
		Routes:    h.Routes(),
		Nav:       Nav(),
		Templates: Templates(),
		Jobs: []jobs.Job{{Name: "service.warnings", Every: 10 * time.Minute, Run: func(ctx context.Context) error {
			n, err := svc.RefreshWarnings(ctx)
			if n > 0 {
				slog.Info("case warnings refreshed", "changed", n)
			}
			return err
		}}},
		Demo:        (&demoLoader{d: d, svc: svc}).load,
		Home:        svc.home,
		Facts:       svc.Facts,
		Summary:     svc.Summary,
		SummaryKeys: SummaryKeys,
		Rankings:    svc.Rankings,
		Warnings:    svc.Warnings,
		Drill:       Drill,
		Rebuild:     svc.Rebuild,
		Metrics:     []string{MetricPrefix},
	}
}

// Nav returns the module's navigation links.
func Nav() []web.NavItem {
	return []web.NavItem{
		{Group: "nav.service", Key: "svc.nav.workspace", Path: "/service/workspace", Allow: web.Roles(access.Clerk), Order: 200},
		{Group: "nav.service", Key: "svc.nav.apply", Path: "/service/apply", Allow: web.Roles(access.Enterprise), Order: 201},
		{Group: "nav.service", Key: "svc.nav.cases", Path: "/cases", Allow: caseReaders, Order: 202},
		{Group: "nav.service", Key: "svc.nav.remote", Path: "/remote-sessions", Allow: netReaders, Order: 203},
		{Group: "nav.service", Key: "svc.nav.bad_reviews", Path: "/bad-reviews", Allow: badReaders, Order: 204},
		{Group: "nav.service", Key: "svc.nav.sites", Path: "/sites", Allow: readers, Order: 205},
		{Group: "nav.service", Key: "svc.nav.matters", Path: "/matters", Allow: readers, Order: 206},
		{Group: "nav.service", Key: "svc.nav.settings", Path: "/service/settings", Allow: office, Order: 207},
	}
}

// home returns the figures a principal sees first.
func (s *Service) home(ctx context.Context, p *access.Principal, lang i18n.Lang) []platform.Card {
	if !p.Has(access.Clerk, access.ServiceOffice, access.Leader, access.Enterprise) {
		return nil
	}
	var w store.Where
	w.Scope(ReadCaseScope(p, "c"))
	in, args := store.In(OpenStates)
	w.Add("c.status IN ("+in+")", args...)
	where, wargs := w.SQL()
	count := func(extra string) string {
		var n int
		if err := s.DB.Read().QueryRow(ctx, "SELECT COUNT(*) FROM cases c"+where+extra, wargs...).Scan(&n); err != nil {
			return "—"
		}
		return fmt.Sprint(n)
	}
	cards := []platform.Card{
		{Label: i18n.T("在办办件", "Open cases").In(lang), Value: count(""), Href: "/cases?status=accepted,in_process,special_procedure"},
	}
	if !p.Has(access.Enterprise) || p.Has(access.Clerk, access.ServiceOffice, access.Leader) {
		cards = append(cards,
			platform.Card{Label: i18n.T("红灯（超期）", "Red (overdue)").In(lang), Value: count(" AND c.warning > 0 AND c.warning = 2"), Href: "/cases?warning=red", Tone: "red"},
			platform.Card{Label: i18n.T("黄灯（临近期限）", "Yellow (near the limit)").In(lang), Value: count(" AND c.warning > 0 AND c.warning = 1"), Href: "/cases?warning=yellow", Tone: "yellow"})
	}
	var waiting int
	var w2 store.Where
	w2.Scope(ReadCaseScope(p, "c"))
	w2.Add("c.status IN (?, ?)", Received, SupplementRequired)
	wh, a2 := w2.SQL()
	if s.DB.Read().QueryRow(ctx, "SELECT COUNT(*) FROM cases c"+wh, a2...).Scan(&waiting) == nil {
		cards = append(cards, platform.Card{Label: i18n.T("待受理", "Awaiting acceptance").In(lang), Value: fmt.Sprint(waiting), Href: "/cases?status=received,supplement_required"})
	}
	return cards
}
