// Package jobs runs the platform's scheduled work — recomputing warnings,
// raising overdue flags, delivering the webhook outbox — on fixed intervals
// inside the server, recording each run so that an operator can see when a
// job last succeeded.
package jobs

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"xiaoer/internal/access"
	"xiaoer/internal/store"
)

// Job is a piece of scheduled work.
type Job struct {
	Name  string
	Every time.Duration
	Run   func(ctx context.Context) error
}

// Runner runs jobs until its context ends.
type Runner struct {
	DB   *store.DB
	jobs []Job
	wg   sync.WaitGroup
}

// Add registers a job.
func (r *Runner) Add(j Job) { r.jobs = append(r.jobs, j) }

// Jobs lists the registered jobs.
func (r *Runner) Jobs() []Job { return r.jobs }

// Start runs every job once soon after start and then on its interval.
func (r *Runner) Start(ctx context.Context) {
	for _, j := range r.jobs {
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			t := time.NewTimer(2 * time.Second)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					r.RunOnce(ctx, j)
					t.Reset(j.Every)
				}
			}
		}()
	}
}

// Wait waits for the job goroutines to stop after the context ends.
func (r *Runner) Wait() { r.wg.Wait() }

// RunOnce runs a job now as the system principal and records the run.
func (r *Runner) RunOnce(ctx context.Context, j Job) error {
	ctx = access.With(ctx, access.SystemPrincipal("job:"+j.Name))
	start := time.Now()
	r.DB.WriteUnaudited(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO jobs (name, last_started_at, runs) VALUES (?, ?, 1)
			ON CONFLICT (name) DO UPDATE SET last_started_at = excluded.last_started_at, runs = jobs.runs + 1`, j.Name, tx.Now)
		return err
	})
	err := j.Run(ctx)
	msg := ""
	if err != nil {
		msg = err.Error()
		slog.Error("job failed", "job", j.Name, "err", err)
	} else {
		slog.Debug("job done", "job", j.Name, "ms", time.Since(start).Milliseconds())
	}
	r.DB.WriteUnaudited(context.WithoutCancel(ctx), func(tx *store.Tx) error {
		if err != nil {
			_, e := tx.Exec(ctx, "UPDATE jobs SET last_error = ? WHERE name = ?", msg, j.Name)
			return e
		}
		_, e := tx.Exec(ctx, "UPDATE jobs SET last_ok_at = ?, last_error = '' WHERE name = ?", tx.Now, j.Name)
		return e
	})
	return err
}
