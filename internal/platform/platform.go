// Package platform is the contract between the app and its business
// modules: the services a module is built with (Deps) and what a module
// gives back (Module) — its routes, pages, links, jobs, demo data, home-page
// figures, the facts it adds to an enterprise's page and its section of the
// period summary.
package platform

import (
	"context"
	"io/fs"

	"xiaoer/internal/access"
	"xiaoer/internal/auth"
	"xiaoer/internal/calendar"
	"xiaoer/internal/civil"
	"xiaoer/internal/i18n"
	"xiaoer/internal/jobs"
	"xiaoer/internal/org"
	"xiaoer/internal/pii"
	"xiaoer/internal/store"
	"xiaoer/internal/web"
)

// Deps are the platform services every module is built with.
type Deps struct {
	DB       *store.DB
	Cipher   *pii.Cipher
	Calendar *calendar.Service
	Auth     *auth.Service
	Orgs     *org.Service
	UI       *web.UI
	Demo     bool
}

// Module is what a business module gives the app. Every field is optional.
type Module struct {
	Name      string
	Routes    []web.Route
	Nav       []web.NavItem
	Templates fs.FS
	Jobs      []jobs.Job
	// Demo adds the module's part of the demo zone; modules run in the order
	// the app lists them, each seeing the zone built so far.
	Demo func(ctx context.Context, z *Zone) error
	// Home returns the figures a principal sees first on the home page.
	Home func(ctx context.Context, p *access.Principal, lang i18n.Lang) []Card
	// Facts returns what the module knows about one enterprise, for the
	// enterprise's page (一企一档). The principal's scope still applies.
	Facts func(ctx context.Context, p *access.Principal, enterpriseID int64, lang i18n.Lang) (*Facts, error)
	// Summary fills the module's keys of the period summary (API.md), from
	// rollups and stock figures, within the scope of p.
	Summary func(ctx context.Context, q store.Querier, p *access.Principal, from, to civil.Date, into map[string]any) error
	// SummaryKeys are the top-level keys of the summary that Summary fills;
	// a trend of one key asks only the modules concerned.
	SummaryKeys []string
	// Rankings returns the module's league tables for the dashboard
	// (sites by cases and satisfaction, departments by the three rates …).
	Rankings func(ctx context.Context, q store.Querier, p *access.Principal, from, to civil.Date, lang i18n.Lang) ([]Ranking, error)
	// Warnings returns what needs a leader's attention now (overdue cases
	// and appeals, stalled projects), each with the list behind it.
	Warnings func(ctx context.Context, p *access.Principal, lang i18n.Lang) ([]Card, error)
	// Drill returns the list page of the records behind a summary figure
	// (key path such as "cases.accepted"), or "" when there is none.
	Drill func(key string, from, to civil.Date) string
	// Rebuild recomputes the module's rollups from its records and events,
	// inside tx (the rollups of its metrics have been cleared).
	Rebuild func(ctx context.Context, tx *store.Tx) error
	// Metrics lists the rollup metric prefixes the module owns.
	Metrics []string
}

// Card is one figure on a home page.
type Card struct {
	Label string
	Value string
	Unit  string
	Href  string
	Tone  string // "", "red", "yellow", "green"
}

// Ranking is one league table on the dashboard.
type Ranking struct {
	Title   string
	Columns []string
	Rows    []RankRow
}

// RankRow is one line of a ranking: a name, its figures, and a link.
type RankRow struct {
	Name   string
	Values []string
	Href   string
}

// Facts is one module's section on an enterprise's page.
type Facts struct {
	Title string
	Href  string // a list of the records behind it, filtered to the enterprise
	Rows  []Fact
}

// Fact is one line of a Facts section.
type Fact struct {
	Label string
	Value string
	Href  string
	Tone  string
}

// Zone is the demo zone as built so far: ids by name, for modules that add
// their demo records to it.
type Zone struct {
	ID           int64
	Streets      map[string]int64
	Communities  map[string]int64
	Parks        map[string]int64
	Departments  map[string]int64
	Banks        map[string]int64
	Universities map[string]int64
	Users        map[string]int64 // by username
	Enterprises  map[string]int64 // by name
	Sites        map[string]int64 // by name
	Projects     map[string]int64 // by name
	// Extra holds anything one module hands to a later one.
	Extra map[string]any
}

// NewZone returns an empty zone.
func NewZone() *Zone {
	return &Zone{Streets: map[string]int64{}, Communities: map[string]int64{}, Parks: map[string]int64{},
		Departments: map[string]int64{}, Banks: map[string]int64{}, Universities: map[string]int64{},
		Users: map[string]int64{}, Enterprises: map[string]int64{}, Sites: map[string]int64{}, Projects: map[string]int64{},
		Extra: map[string]any{}}
}
