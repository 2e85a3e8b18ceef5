// Package settings keeps the zone's adjustable settings — security policy,
// time limits, warning thresholds — as JSON values in one table. Each module
// declares its own settings type with defaults; a stored value overrides the
// defaults field by field.
package settings

import (
	"context"
	"encoding/json"
	"fmt"

	"xiaoer/internal/audit"
	"xiaoer/internal/errs"
	"xiaoer/internal/store"
)

// Load reads the setting key into v, which holds the defaults on entry.
// A missing key leaves v alone.
func Load(ctx context.Context, q store.Querier, key string, v any) error {
	var raw string
	err := q.QueryRow(ctx, "SELECT value FROM settings WHERE key = ?", key).Scan(&raw)
	if errs.Is(err, errs.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(raw), v); err != nil {
		return fmt.Errorf("settings: %s: %w", key, err)
	}
	return nil
}

// Save stores v under key in tx and audits the change from before.
func Save(ctx context.Context, tx *store.Tx, key string, before, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var by any
	if p := accessUser(ctx); p != 0 {
		by = p
	}
	if _, err := tx.Exec(ctx, `INSERT INTO settings (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		key, string(b), tx.Now, by); err != nil {
		return err
	}
	return audit.Append(ctx, tx, audit.Entry{Action: "settings.save", Object: "settings", ObjectID: key, Summary: audit.Change(before, v)})
}
