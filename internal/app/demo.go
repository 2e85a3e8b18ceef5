package app

import (
	"context"

	"xiaoer/internal/demo"
)

// loadDemo builds the demo zone into an empty database.
func loadDemo(ctx context.Context, a *App) error {
	return demo.Load(ctx, a.DB, a.Auth, a.modules)
}
