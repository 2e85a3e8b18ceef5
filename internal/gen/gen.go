// Package gen builds a province-scale database for benchmarks: an org tree,
// enterprises, service sites and matters, and millions of cases, appeals and
// key projects with their workflow events. Rows are written in large
// multi-row inserts (one audit record per transaction), and the rollups are
// then recomputed by each module's own Rebuild from the events — the same
// accounting the live system does, so the dashboard read over generated
// data is the dashboard read over real data.
package gen

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/calendar"
	"xiaoer/internal/civil"
	"xiaoer/internal/enterprise"
	"xiaoer/internal/org"
	"xiaoer/internal/store"
)

// Options say how much to generate.
type Options struct {
	Enterprises int
	Cases       int
	Appeals     int
	Projects    int
	Seed        uint64
	// From and To bound the business dates of the generated history.
	From, To civil.Date
}

// Progress reports a stage's progress.
type Progress func(stage string, done, total int)

// Generator writes generated records through one database.
type Generator struct {
	DB          *store.DB
	Cal         *calendar.Calendar
	Enterprises *enterprise.Service
	Progress    Progress

	r   *rand.Rand
	o   Options
	ctx context.Context
	now time.Time

	zone        int64
	communities []int64
	departments []int64
	entIDs      []int64
	entOrg      map[int64]int64
	sites       []site
	matters     []matter
}

type site struct{ id, org int64 }

type matter struct {
	id    int64
	limit int
}

// batchRows is how many records a transaction writes.
const batchRows = 20000

// Run generates everything o asks for.
func (g *Generator) Run(ctx context.Context, o Options) error {
	if o.From.IsZero() {
		o.From = civil.MustParse("2020-01-01")
	}
	if o.To.IsZero() {
		o.To = civil.Of(g.DB.Now()).AddDays(-1)
	}
	g.o, g.r, g.now = o, rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15)), g.DB.Now()
	g.ctx = audit.Batched(access.With(ctx, access.SystemPrincipal("gen")), "gen.batch")
	if g.Progress == nil {
		g.Progress = func(string, int, int) {}
	}
	steps := []struct {
		name string
		run  func() error
	}{
		{"org tree", g.tree},
		{"enterprises", g.enterprises},
		{"sites and matters", g.network},
		{"cases", g.cases},
		{"appeals", g.appeals},
		{"projects", g.projects},
	}
	for _, s := range steps {
		if err := s.run(); err != nil {
			return fmt.Errorf("gen %s: %w", s.name, err)
		}
	}
	return nil
}

// write runs fn in one audited (batched) transaction.
func (g *Generator) write(fn func(tx *store.Tx) error) error {
	return g.DB.Write(g.ctx, func(tx *store.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		// The batch's single audit record says what the generator wrote.
		return audit.Append(g.ctx, tx, audit.Entry{Action: "gen.rows", Object: "gen"})
	})
}

// tree makes a province-like tree — a zone with 60 streets of 8
// communities, 20 departments — unless the database has one.
func (g *Generator) tree() error {
	q := g.DB.Read()
	if err := q.QueryRow(g.ctx, "SELECT id FROM orgs WHERE kind = 'zone' ORDER BY id LIMIT 1").Scan(&g.zone); err != nil && !isNotFound(err) {
		return err
	}
	if g.zone == 0 {
		err := g.write(func(tx *store.Tx) error {
			z, err := org.CreateTx(g.ctx, tx, org.Input{Name: "湖北省高新区（模拟）", Kind: org.Zone, Code: "GEN-ZONE"})
			if err != nil {
				return err
			}
			g.zone = z.ID
			for i := range 60 {
				s, err := org.CreateTx(g.ctx, tx, org.Input{Name: fmt.Sprintf("第%d街道", i+1), Kind: org.Street, ParentID: z.ID, Code: fmt.Sprintf("GEN-S%02d", i+1)})
				if err != nil {
					return err
				}
				for j := range 8 {
					if _, err := org.CreateTx(g.ctx, tx, org.Input{Name: fmt.Sprintf("第%d街道第%d社区", i+1, j+1), Kind: org.Community, ParentID: s.ID,
						Code: fmt.Sprintf("GEN-S%02dC%d", i+1, j+1)}); err != nil {
						return err
					}
				}
			}
			for i := range 20 {
				if _, err := org.CreateTx(g.ctx, tx, org.Input{Name: fmt.Sprintf("模拟职能部门%d", i+1), Kind: org.Department, ParentID: z.ID, Code: fmt.Sprintf("GEN-D%02d", i+1)}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	rows, err := q.Query(g.ctx, "SELECT id, kind FROM orgs WHERE kind IN ('community', 'park', 'department') ORDER BY id")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var kind string
		if err := rows.Scan(&id, &kind); err != nil {
			return err
		}
		if kind == "department" {
			g.departments = append(g.departments, id)
		} else {
			g.communities = append(g.communities, id)
		}
	}
	if len(g.communities) == 0 || len(g.departments) == 0 {
		return fmt.Errorf("the org tree needs communities and departments")
	}
	return rows.Err()
}

func isNotFound(err error) bool { return err != nil && strings.Contains(err.Error(), "not_found") }

// enterprises generates the registry with the enterprise module's generator
// and reads back every enterprise's id and org.
func (g *Generator) enterprises() error {
	places, err := enterprise.Places(g.ctx, g.DB.Read())
	if err != nil {
		return err
	}
	var first int64
	if err := g.DB.Read().QueryRow(g.ctx, "SELECT COUNT(*) FROM enterprises").Scan(&first); err != nil {
		return err
	}
	eg := enterprise.NewGen(g.o.Seed, places, first+1, civil.Of(g.now))
	sys := access.SystemPrincipal("gen")
	for done := 0; done < g.o.Enterprises; {
		rows := make([]enterprise.Generated, min(5000, g.o.Enterprises-done))
		for i := range rows {
			rows[i].Input = eg.Next()
			rows[i].Qualifications = eg.Qualifications(&rows[i].Input)
		}
		if _, err := g.Enterprises.Generate(g.ctx, sys, "xiaoer gen", rows); err != nil {
			return err
		}
		done += len(rows)
		g.Progress("enterprises", done, g.o.Enterprises)
	}
	g.entOrg = map[int64]int64{}
	rows, err := g.DB.Read().Query(g.ctx, "SELECT id, org_id FROM enterprises ORDER BY id")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, o int64
		if err := rows.Scan(&id, &o); err != nil {
			return err
		}
		g.entIDs = append(g.entIDs, id)
		g.entOrg[id] = o
	}
	if len(g.entIDs) == 0 && (g.o.Cases > 0 || g.o.Appeals > 0 || g.o.Projects > 0) {
		return fmt.Errorf("there are no enterprises to attach cases, appeals and projects to")
	}
	return rows.Err()
}

// network makes a micro-site per community (and a hall per street) and a
// catalog of 200 matters, unless there are sites already.
func (g *Generator) network() error {
	var n int
	if err := g.DB.Read().QueryRow(g.ctx, "SELECT COUNT(*) FROM sites").Scan(&n); err != nil {
		return err
	}
	if n == 0 && g.o.Cases > 0 {
		err := g.write(func(tx *store.Tx) error {
			next, err := nextID(g.ctx, tx, "sites")
			if err != nil {
				return err
			}
			var rows [][]any
			for i, c := range g.communities {
				rows = append(rows, []any{next + int64(i), fmt.Sprintf("G%04d", i+1), fmt.Sprintf("模拟政务小站%d", i+1), "micro_site", "政务小站", c, tx.Now, tx.Now})
			}
			if err := insert(g.ctx, tx, "sites", []string{"id", "code", "name", "level", "kind", "org_id", "created_at", "updated_at"}, rows); err != nil {
				return err
			}
			next, err = nextID(g.ctx, tx, "matters")
			if err != nil {
				return err
			}
			rows = rows[:0]
			for i := range 200 {
				limit := []int{1, 3, 5, 10, 15, 20}[i%6]
				kind := "promised"
				if i%10 == 0 {
					kind, limit = "instant", 0
				}
				rows = append(rows, []any{next + int64(i), fmt.Sprintf("GEN%04d", i+1), fmt.Sprintf("模拟政务服务事项%d", i+1), "行政许可",
					[]string{"city", "district", "street", "community"}[i%4], kind, max(limit, 1) * 2, limit, tx.Now, tx.Now})
			}
			if err := insert(g.ctx, tx, "matters", []string{"id", "code", "name", "type", "handling_level", "kind", "legal_limit_workdays",
				"promised_limit_workdays", "created_at", "updated_at"}, rows); err != nil {
				return err
			}
			return fixSequences(g.ctx, tx, "sites", "matters")
		})
		if err != nil {
			return err
		}
	}
	q := g.DB.Read()
	rows, err := q.Query(g.ctx, "SELECT id, org_id FROM sites ORDER BY id")
	if err != nil {
		return err
	}
	for rows.Next() {
		var s site
		if err := rows.Scan(&s.id, &s.org); err != nil {
			rows.Close()
			return err
		}
		g.sites = append(g.sites, s)
	}
	rows.Close()
	rows, err = q.Query(g.ctx, "SELECT id, promised_limit_workdays FROM matters ORDER BY id")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var m matter
		if err := rows.Scan(&m.id, &m.limit); err != nil {
			return err
		}
		g.matters = append(g.matters, m)
	}
	return rows.Err()
}

// day returns a random working day in the generated period.
func (g *Generator) day() civil.Date {
	span := g.o.From.DaysUntil(g.o.To)
	d := g.o.From.AddDays(g.r.IntN(span + 1))
	for !g.Cal.IsWorkday(d) {
		d = d.AddDays(1)
	}
	if d.After(g.o.To) {
		d = g.o.To
	}
	return d
}

// at returns a time in working hours on day d.
func (g *Generator) at(d civil.Date) time.Time {
	return d.Time().Add(time.Duration(8*60+30+g.r.IntN(8*60)) * time.Minute)
}

type event struct {
	entity   string
	id       int64
	action   string
	from, to string
	on       civil.Date
	data     map[string]any
}

var eventCols = []string{"entity", "entity_id", "action", "from_state", "to_state", "on_date", "at", "actor", "data"}

func (g *Generator) eventRow(e event) []any {
	data := "{}"
	if e.data != nil {
		b, _ := json.Marshal(e.data)
		data = string(b)
	}
	return []any{e.entity, e.id, e.action, e.from, e.to, e.on, g.at(e.on).UTC(), "gen", data}
}

// nextID returns the id after the largest in table.
func nextID(ctx context.Context, tx *store.Tx, table string) (int64, error) {
	var max int64
	err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(id), 0) FROM "+table).Scan(&max)
	return max + 1, err
}

// fixSequences moves PostgreSQL's id sequences past the ids written by
// hand, so that the application's own inserts go on from there.
func fixSequences(ctx context.Context, tx *store.Tx, tables ...string) error {
	if tx.Dialect() != store.Postgres {
		return nil
	}
	for _, t := range tables {
		if _, err := tx.Exec(ctx, "SELECT setval(pg_get_serial_sequence('"+t+"', 'id'), COALESCE((SELECT MAX(id) FROM "+t+"), 0) + 1, false)"); err != nil {
			return err
		}
	}
	return nil
}

// insert writes rows with multi-row INSERTs of at most ~30,000 parameters.
func insert(ctx context.Context, tx *store.Tx, table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	per := max(1, 30000/len(cols))
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	head := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES "
	for len(rows) > 0 {
		n := min(per, len(rows))
		args := make([]any, 0, n*len(cols))
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		if _, err := tx.Exec(ctx, head+strings.TrimSuffix(strings.Repeat(one+", ", n), ", "), args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}
