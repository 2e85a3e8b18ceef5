package app

import (
	"context"

	"xiaoer/internal/enterprise"
	"xiaoer/internal/finance"
	"xiaoer/internal/platform"
	"xiaoer/internal/store"
)

// buildModules builds every business module, in the order their demo data
// is loaded: each module may use the services of those before it.
func (a *App) buildModules(d *platform.Deps) []platform.Module {
	a.Enterprises = &enterprise.Service{DB: d.DB, Cipher: d.Cipher}
	a.Auth.CheckEnterprise = func(ctx context.Context, q store.Querier, id int64) error { return enterprise.Exists(ctx, q, id) }
	a.Enterprises.Terms = append(a.Enterprises.Terms, finance.EnterpriseScope)
	modules := []platform.Module{
		enterprise.NewModule(d, a.Enterprises),
		finance.NewModule(d, &finance.Service{DB: d.DB, Cipher: d.Cipher, Calendar: d.Calendar.Cal}),
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
