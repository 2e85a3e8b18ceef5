package calendar

import (
	"context"
	"strings"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/store"
)

// Service keeps the local changes to the calendar in the database and
// keeps the in-memory Calendar in step with them.
type Service struct {
	DB  *store.DB
	Cal *Calendar
}

// Load reads the local changes into the calendar.
func (s *Service) Load(ctx context.Context) error {
	rows, err := s.DB.Read().Query(ctx, "SELECT day, kind, name FROM calendar_days ORDER BY day")
	if err != nil {
		return err
	}
	defer rows.Close()
	var local []Day
	for rows.Next() {
		var d Day
		if err := rows.Scan(&d.Date, &d.Kind, &d.Name); err != nil {
			return err
		}
		local = append(local, d)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	s.Cal.SetLocal(local)
	return nil
}

// DayInput is the body of a local change.
type DayInput struct {
	Kind Kind   `json:"kind" doc:"holiday, workday, or normal to undo a national entry"`
	Name string `json:"name"`
}

// SetDay records a local change for one date.
func (s *Service) SetDay(ctx context.Context, d civil.Date, in DayInput) error {
	in.Name = strings.TrimSpace(in.Name)
	switch {
	case in.Kind != Holiday && in.Kind != Workday && in.Kind != Normal:
		return errs.Invalidf("kind", "类型应为 holiday（放假）、workday（上班）或 normal（恢复常规）", "kind must be holiday, workday or normal")
	case len([]rune(in.Name)) > 50:
		return errs.Invalidf("name", "名称不能超过50字", "name must be at most 50 characters")
	}
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		var by any
		if p := access.From(ctx); p != nil && p.UserID != 0 {
			by = p.UserID
		}
		if _, err := tx.Exec(ctx, `INSERT INTO calendar_days (day, kind, name, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, name = excluded.name, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			d, in.Kind, in.Name, tx.Now, by); err != nil {
			return err
		}
		return audit.Append(ctx, tx, audit.Entry{Action: "calendar.set", Object: "calendar_day", ObjectID: d.String(), Summary: in})
	})
	if err != nil {
		return err
	}
	return s.Load(ctx)
}

// ClearDay removes a local change.
func (s *Service) ClearDay(ctx context.Context, d civil.Date) error {
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := tx.ExecOne(ctx, "DELETE FROM calendar_days WHERE day = ?", d); err != nil {
			return err
		}
		return audit.Append(ctx, tx, audit.Entry{Action: "calendar.clear", Object: "calendar_day", ObjectID: d.String()})
	})
	if err != nil {
		return err
	}
	return s.Load(ctx)
}
