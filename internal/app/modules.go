package app

import (
	"context"

	"xiaoer/internal/enterprise"
	"xiaoer/internal/innovation"
	"xiaoer/internal/place"
	"xiaoer/internal/platform"
	"xiaoer/internal/store"
)

// buildModules builds every business module, in the order their demo data
// is loaded: each module may use the services of those before it.
func (a *App) buildModules(d *platform.Deps) []platform.Module {
	a.Enterprises = &enterprise.Service{DB: d.DB, Cipher: d.Cipher}
	a.Auth.CheckEnterprise = func(ctx context.Context, q store.Querier, id int64) error { return enterprise.Exists(ctx, q, id) }
	modules := []platform.Module{
		enterprise.NewModule(d, a.Enterprises),
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
