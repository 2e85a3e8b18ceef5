package app

import (
	"context"

	"xiaoer/internal/demo"
)

// loadDemo builds the demo zone into an empty database.
func loadDemo(ctx context.Context, a *App) error {
	d := demo.Deps{DB: a.DB, Auth: a.Auth}
	d.Modules = append(d.Modules, func(ctx context.Context, z *demo.Zone) error {
		return demo.AddAccounts(ctx, d, z, demo.PlatformAccounts(z))
	})
	return demo.Load(ctx, d)
}
