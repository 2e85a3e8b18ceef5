package appeal

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
	"xiaoer/internal/store"
)

//go:embed templates/*.html
var templates embed.FS

// NewModule builds the appeals' part of the app.
func NewModule(d *platform.Deps, svc *Service) platform.Module {
	h := &Handler{Svc: svc, UI: d.UI}
	sub, _ := fs.Sub(templates, "templates")
	m := &module{svc: svc}
	return platform.Module{
		Name:      "appeal",
		Routes:    h.Routes(),
		Nav:       Nav(),
		Templates: sub,
		Jobs: []jobs.Job{{Name: "appeals.overdue", Every: 15 * time.Minute, Run: func(ctx context.Context) error {
			_, err := svc.RunOverdue(ctx)
			return err
		}}},
		Demo:    (&demoLoader{d: d, svc: svc}).load,
		Home:    m.home,
		Facts:   m.facts,
		Summary: Summary,
		Rebuild: Rebuild,
		Metrics: []string{MetricPrefix},

		SummaryKeys: []string{"appeals"},
		Rankings:    m.rankings,
		Warnings:    m.warnings,
		Drill:       Drill,
	}
}

type module struct{ svc *Service }

// count counts the appeals p may see that match extra.
func (m *module) count(ctx context.Context, p *access.Principal, extra string, args ...any) string {
	var w store.Where
	w.Scope(m.svc.ReadScope(p, "a"))
	w.Add(extra, args...)
	where, wargs := w.SQL()
	var n int
	if err := m.svc.DB.Read().QueryRow(ctx, "SELECT COUNT(*) FROM appeals a"+where, wargs...).Scan(&n); err != nil {
		return "—"
	}
	return fmt.Sprint(n)
}

func (m *module) home(ctx context.Context, p *access.Principal, lang i18n.Lang) []platform.Card {
	if p.IsAdmin() {
		return nil
	}
	today := m.svc.today()
	card := func(key, value, href, tone string) platform.Card {
		return platform.Card{Label: i18n.Tr(lang, key), Value: value, Unit: i18n.Tr(lang, "apl.unit"), Href: href, Tone: tone}
	}
	overdue := m.count(ctx, p, "a.state <> ? AND a.overdue_from IS NOT NULL AND a.overdue_from <= ?", StateClosed, today)
	var cards []platform.Card
	switch {
	case p.Has(access.Department):
		cards = append(cards,
			card("apl.card.to_sign", m.count(ctx, p, "a.state = ?", StateDispatched), "/appeals?view=inbox", ""),
			card("apl.card.to_reply", m.count(ctx, p, "a.state = ?", StateSigned), "/appeals?view=inbox", ""),
			card("apl.card.overdue", overdue, "/appeals?overdue=true", "red"))
	case p.Has(access.ServiceOffice):
		cards = append(cards,
			card("apl.card.to_accept", m.count(ctx, p, "a.state IN (?, ?)", StateReceived, StateAccepted), "/appeals?state=received", ""),
			card("apl.card.returns", m.count(ctx, p, "a.state = ?", StateReturnRequested), "/appeals?state=return_requested", "yellow"),
			card("apl.card.overdue", overdue, "/appeals?overdue=true", "red"))
	case p.Has(access.Leader):
		cards = append(cards,
			card("apl.card.overdue", overdue, "/appeals?overdue=true", "red"),
			card("apl.card.supervised", m.count(ctx, p, "a.state <> ? AND a.supervised = TRUE", StateClosed), "/appeals?state=open&supervised=true", "yellow"))
	case p.Has(access.Enterprise):
		cards = append(cards,
			card("apl.card.mine_open", m.count(ctx, p, "a.state <> ?", StateClosed), "/appeals?state=open", ""),
			card("apl.card.to_rate", m.count(ctx, p, "a.state IN (?, ?)", StateReplied, StateAnswered), "/appeals?state=replied", "yellow"))
	case p.Has(access.Cadre, access.Clerk, access.ProjectOffice):
		cards = append(cards, card("apl.card.open", m.count(ctx, p, "a.state <> ?", StateClosed), "/appeals?state=open", ""))
	}
	return cards
}

func (m *module) facts(ctx context.Context, p *access.Principal, enterpriseID int64, lang i18n.Lang) (*platform.Facts, error) {
	as, total, _, err := m.svc.List(i18n.With(ctx, lang), p, Filter{EnterpriseID: enterpriseID, Limit: 5})
	if err != nil {
		return nil, err
	}
	if total == 0 {
		return nil, nil
	}
	f := &platform.Facts{Title: i18n.Tr(lang, "apl.facts"), Href: fmt.Sprintf("/appeals?enterprise_id=%d", enterpriseID)}
	open := m.count(ctx, p, "a.enterprise_id = ? AND a.state <> ?", enterpriseID, StateClosed)
	closed := m.count(ctx, p, "a.enterprise_id = ? AND a.state = ?", enterpriseID, StateClosed)
	f.Rows = append(f.Rows,
		platform.Fact{Label: i18n.Tr(lang, "apl.facts.open"), Value: open, Href: fmt.Sprintf("/appeals?enterprise_id=%d&state=open", enterpriseID)},
		platform.Fact{Label: i18n.Tr(lang, "apl.facts.closed"), Value: closed, Href: fmt.Sprintf("/appeals?enterprise_id=%d&state=closed", enterpriseID)})
	for _, a := range as {
		tone := ""
		if a.Overdue {
			tone = "red"
		}
		f.Rows = append(f.Rows, platform.Fact{Label: a.No + " " + a.Category.Label().In(lang), Value: a.StateLabel, Href: link(&a), Tone: tone})
	}
	return f, nil
}
