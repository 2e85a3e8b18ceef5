package auth

import (
	"context"
	"time"

	"xiaoer/internal/errs"
	"xiaoer/internal/settings"
	"xiaoer/internal/store"
)

// Policy is the security policy the security administrator keeps. The
// defaults are the 等保 level-3 baseline; the policy may only be made
// stricter than that.
type Policy struct {
	MaxFailures    int `json:"max_failures" doc:"failed logins before the account locks (3–5)"`
	LockMinutes    int `json:"lock_minutes" doc:"how long a locked account stays locked (15–1440)"`
	IdleMinutes    int `json:"idle_minutes" doc:"idle time before a session ends (5–30)"`
	AbsoluteHours  int `json:"absolute_hours" doc:"longest life of a session (1–12)"`
	MinPasswordLen int `json:"min_password_length" doc:"shortest password accepted (10–64)"`
}

// DefaultPolicy is the baseline.
var DefaultPolicy = Policy{MaxFailures: 5, LockMinutes: 15, IdleMinutes: 30, AbsoluteHours: 12, MinPasswordLen: 10}

const policyKey = "security.policy"

// Validate refuses a policy weaker than the baseline or absurdly strict.
func (p Policy) Validate() error {
	check := func(field string, v, lo, hi int) error {
		if v < lo || v > hi {
			return errs.Invalidf(field, "%s 应在%d到%d之间", "%s must be between %d and %d", field, lo, hi)
		}
		return nil
	}
	for _, c := range []error{
		check("max_failures", p.MaxFailures, 3, 5),
		check("lock_minutes", p.LockMinutes, 15, 1440),
		check("idle_minutes", p.IdleMinutes, 5, 30),
		check("absolute_hours", p.AbsoluteHours, 1, 12),
		check("min_password_length", p.MinPasswordLen, 10, 64),
	} {
		if c != nil {
			return c
		}
	}
	return nil
}

// Idle returns the idle timeout.
func (p Policy) Idle() time.Duration { return time.Duration(p.IdleMinutes) * time.Minute }

// Absolute returns the absolute session lifetime.
func (p Policy) Absolute() time.Duration { return time.Duration(p.AbsoluteHours) * time.Hour }

// Lock returns the lock duration.
func (p Policy) Lock() time.Duration { return time.Duration(p.LockMinutes) * time.Minute }

// LoadPolicy reads the policy.
func LoadPolicy(ctx context.Context, q store.Querier) (Policy, error) {
	p := DefaultPolicy
	err := settings.Load(ctx, q, policyKey, &p)
	return p, err
}

// SavePolicy stores a new policy.
func (s *Service) SavePolicy(ctx context.Context, p Policy) error {
	if err := p.Validate(); err != nil {
		return err
	}
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		before, err := LoadPolicy(ctx, tx)
		if err != nil {
			return err
		}
		return settings.Save(ctx, tx, policyKey, before, p)
	})
	if err == nil {
		s.policy.Store(&p)
	}
	return err
}

// Policy returns the policy in force.
func (s *Service) Policy() Policy { return *s.policy.Load() }
