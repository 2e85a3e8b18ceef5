package enterprise

import (
	"context"
	"fmt"
	"log/slog"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/i18n"
	"xiaoer/internal/platform"
	"xiaoer/internal/web"
)

// NewModule builds the enterprise registry's part of the app.
func NewModule(d *platform.Deps, svc *Service) platform.Module {
	h := &Handler{Svc: svc, UI: d.UI}
	return platform.Module{
		Name:      "enterprise",
		Routes:    append(h.Routes(), h.pageRoutes()...),
		Nav:       Nav(),
		Templates: Templates(),
		Demo:      (&demoLoader{d: d, svc: svc}).load,
		Home:      svc.home,
		Metrics:   []string{MetricPrefix},
		Rebuild:   Rebuild,
	}
}

// Nav returns the module's navigation links.
func Nav() []web.NavItem {
	return []web.NavItem{
		{Group: "nav.enterprises", Key: "nav.enterprises.list", Path: "/enterprises", Allow: readers, Order: 100},
		{Group: "nav.enterprises", Key: "nav.enterprises.import", Path: "/enterprises/import", Allow: writers, Order: 101},
	}
}

// home returns the registry's figures for the home page: the registry and
// its high-tech enterprises for the zone's offices, the assigned
// enterprises and this year's visits for a cadre.
func (s *Service) home(ctx context.Context, p *access.Principal, lang i18n.Lang) []platform.Card {
	q := s.DB.Read()
	count := func(sql string, args ...any) string {
		var n int
		if err := q.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
			slog.ErrorContext(ctx, "enterprise home card", "err", err)
			return "—"
		}
		return fmt.Sprint(n)
	}
	today := civil.Of(s.DB.Now())
	var cards []platform.Card
	if p.Has(access.Leader, access.ServiceOffice, access.ProjectOffice) {
		// Their scope is their org subtree: counted from the org index alone.
		cards = append(cards, platform.Card{Label: i18n.T("在册企业", "Registered enterprises").In(lang),
			Value: count("SELECT COUNT(*) FROM enterprises WHERE org_id IN (SELECT id FROM orgs WHERE path LIKE ?)", p.OrgPath+"%"),
			Unit:  i18n.T("家", "").In(lang), Href: "/enterprises"})
		n, err := CountHolding(ctx, q, p.OrgPath, HighTech, today)
		v := fmt.Sprint(n)
		if err != nil {
			slog.ErrorContext(ctx, "enterprise home card", "err", err)
			v = "—"
		}
		cards = append(cards, platform.Card{Label: i18n.T("有效高新技术企业", "Valid high-tech enterprises").In(lang),
			Value: v, Unit: i18n.T("家", "").In(lang), Href: "/enterprises?qualification=high_tech", Tone: "green"})
	}
	if p.Has(access.Cadre) {
		cards = append(cards,
			platform.Card{Label: i18n.T("我包保的企业", "Enterprises assigned to me").In(lang),
				Value: count("SELECT COUNT(*) FROM enterprises WHERE cadre_user_id = ?", p.UserID), Unit: i18n.T("家", "").In(lang),
				Href: fmt.Sprintf("/enterprises?cadre_user_id=%d", p.UserID)},
			platform.Card{Label: i18n.T("今年走访", "Visits this year").In(lang),
				Value: count("SELECT COUNT(*) FROM visits WHERE cadre_user_id = ? AND date >= ?", p.UserID, civil.New(today.Year, 1, 1)),
				Unit:  i18n.T("次", "").In(lang), Href: fmt.Sprintf("/enterprises?cadre_user_id=%d", p.UserID)})
	}
	return cards
}
