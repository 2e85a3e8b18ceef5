package app

import (
	"context"

	"xiaoer/internal/enterprise"
	"xiaoer/internal/labor"
	"xiaoer/internal/platform"
	"xiaoer/internal/policy"
	"xiaoer/internal/store"
)

// buildModules builds every business module, in the order their demo data
// is loaded: each module may use the services of those before it.
func (a *App) buildModules(d *platform.Deps) []platform.Module {
	a.Enterprises = &enterprise.Service{DB: d.DB, Cipher: d.Cipher}
	a.Auth.CheckEnterprise = func(ctx context.Context, q store.Querier, id int64) error { return enterprise.Exists(ctx, q, id) }
	modules := []platform.Module{
		enterprise.NewModule(d, a.Enterprises),
		labor.NewModule(d, &labor.Service{DB: d.DB}),
		policy.NewModule(d, &policy.Service{DB: d.DB, Cipher: d.Cipher, Calendar: d.Calendar}),
	}
	for _, m := range modules {
		if m.Facts != nil {
			a.Enterprises.Facts = append(a.Enterprises.Facts, m.Facts)
		}
	}
	return modules
}

// Modules returns the business modules, in order (tests and the summary
// call their Summary and Rebuild).
func (a *App) Modules() []platform.Module { return a.modules }
