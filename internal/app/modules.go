package app

import (
	"context"

	"xiaoer/internal/appeal"
	"xiaoer/internal/enterprise"
	"xiaoer/internal/finance"
	"xiaoer/internal/innovation"
	"xiaoer/internal/labor"
	"xiaoer/internal/notify"
	"xiaoer/internal/open311"
	"xiaoer/internal/place"
	"xiaoer/internal/platform"
	"xiaoer/internal/policy"
	"xiaoer/internal/project"
	"xiaoer/internal/service"
	"xiaoer/internal/store"
)

// buildModules builds every business module, in the order their demo data
// is loaded: each module may use the services of those before it.
func (a *App) buildModules(d *platform.Deps) []platform.Module {
	a.Enterprises = &enterprise.Service{DB: d.DB, Cipher: d.Cipher}
	a.Auth.CheckEnterprise = func(ctx context.Context, q store.Querier, id int64) error { return enterprise.Exists(ctx, q, id) }
	services := &service.Service{DB: d.DB, Cipher: d.Cipher, Cal: d.Calendar.Cal}
	a.Auth.CheckSite = service.SiteExists
	projects := &project.Service{DB: d.DB}
	appeals := &appeal.Service{DB: d.DB, Cal: d.Calendar.Cal, Enterprises: a.Enterprises, CheckProject: project.BelongsTo}
	projects.ProblemsSolved = func(ctx context.Context, userID int64, year int) (int, error) {
		return appeal.SolvedOnProjects(ctx, d.DB.Read(), userID, year)
	}
	// Who sees an enterprise widens with the records that link them to it.
	a.Enterprises.Terms = append(a.Enterprises.Terms, project.EnterpriseTerm, appeal.EnterpriseTerm, finance.EnterpriseScope)
	modules := []platform.Module{
		enterprise.NewModule(d, a.Enterprises),
		service.NewModule(d, services),
		project.NewModule(d, projects),
		appeal.NewModule(d, appeals),
		notify.NewModule(d),
		open311.NewModule(d, appeals),
		labor.NewModule(d, &labor.Service{DB: d.DB}),
		policy.NewModule(d, &policy.Service{DB: d.DB, Cipher: d.Cipher, Calendar: d.Calendar}),
		finance.NewModule(d, &finance.Service{DB: d.DB, Cipher: d.Cipher, Calendar: d.Calendar.Cal}),
		innovation.NewModule(d, &innovation.Service{DB: d.DB, Enterprises: a.Enterprises}),
		place.NewModule(d, &place.Service{DB: d.DB}),
	}
	for _, m := range modules {
		if m.Facts != nil {
			a.Enterprises.Facts = append(a.Enterprises.Facts, m.Facts)
		}
	}
	return modules
}

// Modules returns the business modules in load order: their summaries,
// rebuilds and metrics are read through it.
func (a *App) Modules() []platform.Module { return a.modules }
