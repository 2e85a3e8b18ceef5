package settings

import (
	"context"

	"xiaoer/internal/access"
)

func accessUser(ctx context.Context) int64 {
	if p := access.From(ctx); p != nil {
		return p.UserID
	}
	return 0
}
