package app

import (
	"context"

	"xiaoer/internal/enterprise"
	"xiaoer/internal/platform"
	"xiaoer/internal/service"
	"xiaoer/internal/store"
)

// buildModules builds every business module, in the order their demo data
// is loaded: each module may use the services of those before it.
func (a *App) buildModules(d *platform.Deps) []platform.Module {
	a.Enterprises = &enterprise.Service{DB: d.DB, Cipher: d.Cipher}
	a.Auth.CheckEnterprise = func(ctx context.Context, q store.Querier, id int64) error { return enterprise.Exists(ctx, q, id) }
	svc := &service.Service{DB: d.DB, Cipher: d.Cipher, Cal: d.Calendar.Cal}
	a.Auth.CheckSite = service.SiteExists
	modules := []platform.Module{
		enterprise.NewModule(d, a.Enterprises),
		service.NewModule(d, svc),
	}
	for _, m := range modules {
		if m.Facts != nil {
			a.Enterprises.Facts = append(a.Enterprises.Facts, m.Facts)
		}
	}
	return modules
}
