// Package rollup keeps the running totals behind the dashboard. A module
// calls Add in the same transaction as each transition it counts (a case
// accepted, a project started, a loan disbursed), so that the totals never
// disagree with the records; the summary for any period then reads whole
// months from the monthly rows and the ragged ends from the daily rows.
//
// Figures that are a state at a date rather than a flow ("open and overdue
// on 30 June") are kept as +1/−1 markers on the days the state begins and
// ends; Upto sums them from the beginning of time.
package rollup

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/store"
)

// Add adds delta to metric on day, for the org node and dimension, in tx:
// to the node and each of its ancestors, as the subtree's total and, when
// there is a dimension, as the subtree's value under it.
//
// The values a transaction adds are summed in memory and written just
// before it commits, in one statement per table (Flush): a case's
// transition touches some twenty rows, which one round trip then carries.
// A transaction adding very many is flushed on the way (flushAt).
func Add(ctx context.Context, tx *store.Tx, metric string, day civil.Date, orgID int64, dim string, delta int64) error {
	if delta == 0 {
		return nil
	}
	if day.IsZero() {
		return fmt.Errorf("rollup: %s without a day", metric)
	}
	chain, err := ancestors(ctx, tx, orgID)
	if err != nil {
		return err
	}
	b, ok := tx.Local(bufferKey{}).(*buffer)
	if !ok {
		b = &buffer{day: map[cell]int64{}, month: map[cell]int64{}}
		tx.SetLocal(bufferKey{}, b)
		tx.BeforeCommit(func() error { return Flush(ctx, tx) })
	}
	d, m := day.String(), month(day)
	for _, org := range chain {
		b.add(metric, org, "", d, m, delta)
		if dim != "" {
			b.add(dimMetric(metric), org, dim, d, m, delta)
		}
	}
	if len(b.day) >= flushAt {
		return Flush(ctx, tx)
	}
	return nil
}

// flushAt is how many day rows a transaction's buffer holds before Add
// writes them out: a rebuild of millions of records then needs tens of
// megabytes, not gigabytes. The writes add to the rows, so flushing early
// changes nothing but when. (A variable so that tests can flush often.)
var flushAt = 100_000

type bufferKey struct{}

type cell struct {
	metric string
	org    int64
	dim    string
	period string
}

// buffer holds the rollup rows a transaction adds until Flush.
type buffer struct{ day, month map[cell]int64 }

func (b *buffer) add(metric string, org int64, dim, day, month string, delta int64) {
	b.day[cell{metric, org, dim, day}] += delta
	b.month[cell{metric, org, dim, month}] += delta
}

// Flush writes what the transaction's Adds have summed so far: to the
// rollups, or while the transaction is staged (Stage) to its staging
// tables. A commit flushes by itself.
func Flush(ctx context.Context, tx *store.Tx) error {
	b, ok := tx.Local(bufferKey{}).(*buffer)
	if !ok || len(b.day)+len(b.month) == 0 {
		return nil
	}
	defer clear(b.day)
	defer clear(b.month)
	staged := tx.Local(stagedKey{}) != nil
	for _, t := range []struct {
		table, col string
		rows       map[cell]int64
	}{{"rollup_day", "day", b.day}, {"rollup_month", "month", b.month}} {
		const per = 5000
		args := make([]any, 0, min(per, len(t.rows))*5)
		n := 0
		flush := func() error {
			if n == 0 {
				return nil
			}
			q := "INSERT INTO " + t.table + " (metric, org_id, dim, " + t.col + ", value) VALUES " +
				strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?), ", n), ", ")
			if staged {
				q = strings.Replace(q, t.table, t.table+stagedSuffix, 1)
			} else {
				q += " ON CONFLICT (metric, org_id, dim, " + t.col + ") DO UPDATE SET value = " + t.table + ".value + excluded.value"
			}
			_, err := tx.Exec(ctx, q, args...)
			args, n = args[:0], 0
			return err
		}
		// In key order, so that the rows go into the b-tree at its end
		// rather than all over it (and parallel transactions on
		// PostgreSQL lock the rows they share in one order).
		cells := make([]cell, 0, len(t.rows))
		for c, v := range t.rows {
			if v != 0 {
				cells = append(cells, c)
			}
		}
		slices.SortFunc(cells, func(a, b cell) int {
			return cmp.Or(strings.Compare(a.metric, b.metric), cmp.Compare(a.org, b.org), strings.Compare(a.dim, b.dim), strings.Compare(a.period, b.period))
		})
		for _, c := range cells {
			args = append(args, c.metric, c.org, c.dim, c.period, t.rows[c])
			if n++; n == per {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if err := flush(); err != nil {
			return err
		}
	}
	return nil
}

type stagedKey struct{}

// stagedSuffix names the temporary tables a staged transaction writes.
const stagedSuffix = "_staged"

// Stage has tx's later Adds written as plain rows to temporary tables, and
// Settle sum them into the rollups in one sorted pass. A rebuild writes
// tens of millions of values: added to the rollup tables one upsert at a
// time they would each seek through a large b-tree, where appending to a
// table without a key and sorting once is several times cheaper.
func Stage(ctx context.Context, tx *store.Tx) error {
	if err := Flush(ctx, tx); err != nil {
		return err
	}
	for _, t := range tables {
		if _, err := tx.Exec(ctx, "CREATE TEMPORARY TABLE "+t.table+stagedSuffix+" (metric TEXT NOT NULL, org_id BIGINT NOT NULL, dim TEXT NOT NULL, "+
			t.col+" TEXT NOT NULL, value BIGINT NOT NULL)"); err != nil {
			return err
		}
	}
	tx.SetLocal(stagedKey{}, true)
	return nil
}

// Settle adds what Stage set aside to the rollups, and has Adds write to
// them directly again.
func Settle(ctx context.Context, tx *store.Tx) error {
	if err := Flush(ctx, tx); err != nil {
		return err
	}
	tx.SetLocal(stagedKey{}, nil)
	for _, t := range tables {
		// "WHERE 1 = 1" tells SQLite's parser that ON CONFLICT belongs to
		// the INSERT, not to a join.
		if _, err := tx.Exec(ctx, "INSERT INTO "+t.table+" (metric, org_id, dim, "+t.col+", value) SELECT metric, org_id, dim, "+t.col+", SUM(value) FROM "+
			t.table+stagedSuffix+" WHERE 1 = 1 GROUP BY metric, org_id, dim, "+t.col+" HAVING SUM(value) <> 0 ORDER BY metric, org_id, dim, "+t.col+
			" ON CONFLICT (metric, org_id, dim, "+t.col+") DO UPDATE SET value = "+t.table+".value + excluded.value"); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DROP TABLE "+t.table+stagedSuffix); err != nil {
			return err
		}
	}
	return nil
}

// dimMetric is the name under which a metric's rows by dimension are kept:
// apart from its totals, so that a ranking reads only the rows it ranks.
func dimMetric(metric string) string { return metric + "@" }

func month(d civil.Date) string { return d.String()[:7] }

// pathKey keys an org node's materialised path in the database's memo: the
// ancestors of a node change only when the node moves, and then the org
// package calls Forget.
type pathKey int64

// Forget drops the cached paths of db's org nodes, after the tree changed.
func Forget(db *store.DB) {
	db.Memo().Range(func(k, _ any) bool {
		if _, ok := k.(pathKey); ok {
			db.Memo().Delete(k)
		}
		return true
	})
}

// ancestors returns the node and its ancestors, the node first. A record
// with no org (0) counts only in the unscoped total kept at node 0.
//
// SQLite has one writer, so a path read from the memo cannot change under a
// transaction. PostgreSQL writes in parallel: there each transaction reads
// its nodes' paths itself, locking them against a move (Move) until it
// commits, so that no value is added to ancestors a node has just left.
func ancestors(ctx context.Context, tx *store.Tx, orgID int64) ([]int64, error) {
	if orgID == 0 {
		return []int64{0}, nil
	}
	shared := tx.Dialect() == store.SQLite
	memo := tx.DB().Memo()
	p, ok := memo.Load(pathKey(orgID))
	if !ok || !shared {
		// Within the transaction the path is kept with it; it joins the
		// database's memo only once committed (a node created by a
		// transaction that rolls back must not be remembered).
		local, _ := tx.Local(pathKey(0)).(map[int64]string)
		if local == nil {
			local = map[int64]string{}
			tx.SetLocal(pathKey(0), local)
			if shared {
				tx.AfterCommit(func() {
					for id, path := range local {
						memo.Store(pathKey(id), path)
					}
				})
			}
		}
		path, ok := local[orgID]
		if !ok {
			q := "SELECT path FROM orgs WHERE id = ?"
			if !shared {
				q += " FOR SHARE"
			}
			if err := tx.QueryRow(ctx, q, orgID).Scan(&path); err != nil {
				return nil, fmt.Errorf("rollup: org %d: %w", orgID, err)
			}
			local[orgID] = path
		}
		p = path
	}
	chain, err := pathIDs(p.(string))
	if err != nil {
		return nil, fmt.Errorf("rollup: org %d: %w", orgID, err)
	}
	slices.Reverse(chain)
	return chain, nil
}

// pathIDs returns the ids of a materialised path "/1/4/9/", root first.
func pathIDs(path string) ([]int64, error) {
	var ids []int64
	for _, part := range strings.Split(strings.Trim(path, "/"), "/") {
		id, err := strconv.ParseInt(part, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("bad path %q", path)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// Move carries the totals of the node at oldPath, which now stands at
// newPath with its subtree, from the ancestors it left to those it joined,
// in tx: the node's own rows (totals and dimensions) are its subtree's, so
// they are taken from the one and added to the other. The org package calls
// it after it has rewritten the paths (and so, on PostgreSQL, waited for the
// transactions still adding to the node).
func Move(ctx context.Context, tx *store.Tx, oldPath, newPath string) error {
	before, err := pathIDs(oldPath)
	if err != nil {
		return fmt.Errorf("rollup: %w", err)
	}
	after, err := pathIDs(newPath)
	if err != nil {
		return fmt.Errorf("rollup: %w", err)
	}
	if err := Flush(ctx, tx); err != nil {
		return err
	}
	node := before[len(before)-1]
	if after[len(after)-1] != node {
		return fmt.Errorf("rollup: %s and %s are not one node", oldPath, newPath)
	}
	var shifts []struct{ org, sign int64 }
	for _, a := range before[:len(before)-1] {
		if !slices.Contains(after, a) {
			shifts = append(shifts, struct{ org, sign int64 }{a, -1})
		}
	}
	for _, a := range after[:len(after)-1] {
		if !slices.Contains(before, a) {
			shifts = append(shifts, struct{ org, sign int64 }{a, 1})
		}
	}
	for _, t := range tables {
		// The key starts with the metric: the node's rows are read one
		// metric at a time, each a seek.
		metrics, err := distinctMetrics(ctx, tx, t.table)
		if err != nil {
			return err
		}
		for _, m := range metrics {
			for _, sh := range shifts {
				if _, err := tx.Exec(ctx, "INSERT INTO "+t.table+" (metric, org_id, dim, "+t.col+", value) SELECT metric, CAST(? AS BIGINT), dim, "+t.col+", CAST(? AS BIGINT) * value FROM "+t.table+
					" WHERE metric = ? AND org_id = ? ON CONFLICT (metric, org_id, dim, "+t.col+") DO UPDATE SET value = "+t.table+".value + excluded.value",
					sh.org, sh.sign, m, node); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// distinctMetrics lists the metrics of a rollup table, jumping from one to
// the next along the key instead of reading every row.
func distinctMetrics(ctx context.Context, tx *store.Tx, table string) ([]string, error) {
	var out []string
	last := ""
	for {
		var m *string
		if err := tx.QueryRow(ctx, "SELECT MIN(metric) FROM "+table+" WHERE metric > ?", last).Scan(&m); err != nil {
			return nil, err
		}
		if m == nil {
			return out, nil
		}
		out = append(out, *m)
		last = *m
	}
}

// Scope limits a sum to the org subtree at Path ("/" or "" for everything).
type Scope struct{ Path string }

// ScopeOf returns the rollup scope of a principal: zone-wide roles see their
// org subtree; the system sees all.
func ScopeOf(p *access.Principal) Scope {
	if p == nil || p.System {
		return Scope{Path: "/"}
	}
	return Scope{Path: p.OrgPath}
}

// all reports whether the scope is everything.
func (s Scope) all() bool { return s.Path == "" || s.Path == "/" }

// node returns the org id the scope starts at.
func (s Scope) node() (int64, error) {
	parts := strings.Split(strings.Trim(s.Path, "/"), "/")
	return strconv.ParseInt(parts[len(parts)-1], 10, 64)
}

// Sum returns, for each metric, the total over the days from..to inclusive.
// Metrics with nothing recorded are 0.
func Sum(ctx context.Context, q store.Querier, sc Scope, from, to civil.Date, metrics ...string) (map[string]int64, error) {
	out := make(map[string]int64, len(metrics))
	for _, m := range metrics {
		out[m] = 0
	}
	err := sum(ctx, q, sc, from, to, metrics, false, func(metric, dim string, v int64) { out[metric] += v })
	return out, err
}

// SumByDim returns the total of one metric per dimension over from..to.
func SumByDim(ctx context.Context, q store.Querier, sc Scope, from, to civil.Date, metric string) (map[string]int64, error) {
	out := map[string]int64{}
	err := sum(ctx, q, sc, from, to, []string{metric}, true, func(_, dim string, v int64) { out[dim] += v })
	return out, err
}

// SumByDims returns the totals of several metrics per dimension over
// from..to, in one pass over the rows: metric → dim → total.
func SumByDims(ctx context.Context, q store.Querier, sc Scope, from, to civil.Date, metrics ...string) (map[string]map[string]int64, error) {
	out := make(map[string]map[string]int64, len(metrics))
	for _, m := range metrics {
		out[m] = map[string]int64{}
	}
	err := sum(ctx, q, sc, from, to, metrics, true, func(metric, dim string, v int64) { out[metric][dim] += v })
	return out, err
}

// Upto returns, for each metric, the total of everything recorded up to and
// including day to: the level of a +1/−1 state metric on that day.
func Upto(ctx context.Context, q store.Querier, sc Scope, to civil.Date, metrics ...string) (map[string]int64, error) {
	return Sum(ctx, q, sc, civil.New(1900, 1, 1), to, metrics...)
}

// UptoByDim is Upto per dimension.
func UptoByDim(ctx context.Context, q store.Querier, sc Scope, to civil.Date, metric string) (map[string]int64, error) {
	return SumByDim(ctx, q, sc, civil.New(1900, 1, 1), to, metric)
}

// sum splits from..to into whole months (monthly rows) and the days at
// either end (daily rows), read from the scope's own node (the roots of the
// tree for everything).
func sum(ctx context.Context, q store.Querier, sc Scope, from, to civil.Date, metrics []string, byDim bool, add func(metric, dim string, v int64)) error {
	if len(metrics) == 0 || to.Before(from) {
		return nil
	}
	// First whole month: the month of from if from is its first day.
	firstWhole := civil.New(from.Year, from.Month, 1)
	if from.Day != 1 {
		firstWhole = firstWhole.AddMonths(1)
	}
	// Last whole month: the month of to if to is its last day.
	lastWhole := civil.New(to.Year, to.Month, 1)
	if to.AddDays(1).Month == to.Month {
		lastWhole = lastWhole.AddMonths(-1)
	}
	type span struct {
		table, col, lo, hi string
	}
	var spans []span
	if !lastWhole.Before(firstWhole) {
		spans = append(spans, span{"rollup_month", "month", month(firstWhole), month(lastWhole)})
		if from.Before(firstWhole) {
			spans = append(spans, span{"rollup_day", "day", from.String(), firstWhole.AddDays(-1).String()})
		}
		if afterLast := lastWhole.AddMonths(1); !to.Before(afterLast) {
			spans = append(spans, span{"rollup_day", "day", afterLast.String(), to.String()})
		}
	} else {
		spans = append(spans, span{"rollup_day", "day", from.String(), to.String()})
	}
	names := metrics
	if byDim {
		names = make([]string, len(metrics))
		for i, m := range metrics {
			names[i] = dimMetric(m)
		}
	}
	in, margs := store.In(names)
	var where string
	var wargs []any
	if sc.all() {
		// Everything: the rows of the roots of the tree, and of records
		// kept without an org.
		where = " AND org_id IN (SELECT id FROM orgs WHERE parent_id IS NULL UNION ALL SELECT 0)"
	} else {
		node, err := sc.node()
		if err != nil {
			return fmt.Errorf("rollup: bad scope %q", sc.Path)
		}
		where, wargs = " AND org_id = ?", []any{node}
	}
	if byDim {
		where += " AND dim <> ''"
	} else {
		where += " AND dim = ''"
	}
	dimCol, group := "''", "metric"
	if byDim {
		dimCol, group = "dim", "metric, dim"
	}
	for _, sp := range spans {
		query := "SELECT metric, " + dimCol + ", SUM(value) FROM " + sp.table + " WHERE metric IN (" + in + ")" + where +
			" AND " + sp.col + " >= ? AND " + sp.col + " <= ? GROUP BY " + group
		args := append(append(append([]any{}, margs...), wargs...), sp.lo, sp.hi)
		rows, err := q.Query(ctx, query, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var m, dim string
			var v int64
			if err := rows.Scan(&m, &dim, &v); err != nil {
				rows.Close()
				return err
			}
			add(strings.TrimSuffix(m, "@"), dim, v)
		}
		if err := rows.Close(); err != nil {
			return err
		}
	}
	return nil
}

// prefixRange returns the bounds [lo, hi) of the metric names starting with
// p, for a range seek on the key (metric names are ASCII, compared by bytes).
func prefixRange(p string) (string, string) {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0x7f {
			b[i]++
			return p, string(b[:i+1])
		}
	}
	return p, "\x7f"
}

// Clear removes every row of the metrics starting with any of prefixes,
// before a rebuild.
func Clear(ctx context.Context, tx *store.Tx, prefixes ...string) error {
	if err := Flush(ctx, tx); err != nil {
		return err
	}
	for _, p := range prefixes {
		lo, hi := prefixRange(p)
		for _, t := range []string{"rollup_day", "rollup_month"} {
			if _, err := tx.Exec(ctx, "DELETE FROM "+t+" WHERE metric >= ? AND metric < ?", lo, hi); err != nil {
				return err
			}
		}
	}
	return nil
}

// Snapshot returns every daily and monthly row of the metrics with the
// prefixes, as "metric|day-or-month|org|dim" → value: two snapshots compare
// a rebuild with the running totals.
func Snapshot(ctx context.Context, q store.Querier, prefixes ...string) (map[string]int64, error) {
	out := map[string]int64{}
	for _, p := range prefixes {
		lo, hi := prefixRange(p)
		rows, err := q.Query(ctx, `SELECT metric, day, org_id, dim, value FROM rollup_day WHERE metric >= ? AND metric < ?
			UNION ALL SELECT metric, month, org_id, dim, value FROM rollup_month WHERE metric >= ? AND metric < ?`,
			lo, hi, lo, hi)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var m, day, dim string
			var org, v int64
			if err := rows.Scan(&m, &day, &org, &dim, &v); err != nil {
				rows.Close()
				return nil, err
			}
			if v != 0 {
				out[strings.Join([]string{m, day, fmt.Sprint(org), dim}, "|")] = v
			}
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// tables are the rollup tables with their period columns.
var tables = []struct{ table, col string }{{"rollup_day", "day"}, {"rollup_month", "month"}}

// Keep copies the daily and monthly rows of the metrics with the prefixes
// aside, in tx, for Differences to compare a rebuild with. The copies are
// temporary tables of the transaction's connection: a verification rolls
// the transaction back and the copies with it, and the database, not the
// process, holds the rows (tens of millions at a province's scale).
func Keep(ctx context.Context, tx *store.Tx, prefixes ...string) error {
	if err := Flush(ctx, tx); err != nil {
		return err
	}
	metricType := "TEXT"
	if tx.Dialect() == store.Postgres {
		metricType = `TEXT COLLATE "C"` // as the tables' own, so that the keys join
	}
	for _, t := range tables {
		kept := t.table + "_kept"
		if _, err := tx.Exec(ctx, "CREATE TEMPORARY TABLE "+kept+" (metric "+metricType+" NOT NULL, org_id BIGINT NOT NULL, dim TEXT NOT NULL, "+
			t.col+" TEXT NOT NULL, value BIGINT NOT NULL, PRIMARY KEY (metric, org_id, dim, "+t.col+"))"); err != nil {
			return err
		}
		for _, p := range prefixes {
			lo, hi := prefixRange(p)
			if _, err := tx.Exec(ctx, "INSERT INTO "+kept+" SELECT metric, org_id, dim, "+t.col+", value FROM "+t.table+
				" WHERE metric >= ? AND metric < ? AND value <> 0", lo, hi); err != nil {
				return err
			}
		}
	}
	return nil
}

// Differences compares the rows of the metrics with the prefixes with the
// rows Keep set aside. It returns how many keys differ and the first max
// of them in key order, each as "metric|day-or-month|org|dim: running x,
// recomputed y" (running being the kept value).
func Differences(ctx context.Context, tx *store.Tx, max int, prefixes ...string) (int, []string, error) {
	if err := Flush(ctx, tx); err != nil {
		return 0, nil, err
	}
	// Each side is read along the other's key: the kept rows that now
	// differ or are gone, and the rows now present that were not kept.
	var parts []string
	var args []any
	for _, t := range tables {
		kept := t.table + "_kept"
		on := " ON n.metric = k.metric AND n.org_id = k.org_id AND n.dim = k.dim AND n." + t.col + " = k." + t.col
		parts = append(parts, "SELECT k.metric AS m, k."+t.col+" AS p, k.org_id AS o, k.dim AS d, k.value AS was, COALESCE(n.value, 0) AS now FROM "+
			kept+" k LEFT JOIN "+t.table+" n"+on+" WHERE COALESCE(n.value, 0) <> k.value")
		for _, p := range prefixes {
			lo, hi := prefixRange(p)
			parts = append(parts, "SELECT n.metric, n."+t.col+", n.org_id, n.dim, 0, n.value FROM "+t.table+" n LEFT JOIN "+kept+" k"+on+
				" WHERE n.metric >= ? AND n.metric < ? AND n.value <> 0 AND k.metric IS NULL")
			args = append(args, lo, hi)
		}
	}
	diff := "(" + strings.Join(parts, " UNION ALL ") + ") diff"
	var total int
	if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM "+diff, args...).Scan(&total); err != nil {
		return 0, nil, err
	}
	rows, err := tx.Query(ctx, "SELECT m, p, o, d, was, now FROM "+diff+" ORDER BY m, p, o, d LIMIT ?", append(args, max)...)
	if err != nil {
		return 0, nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var m, period, dim string
		var org, was, is int64
		if err := rows.Scan(&m, &period, &org, &dim, &was, &is); err != nil {
			return 0, nil, err
		}
		out = append(out, fmt.Sprintf("%s|%s|%d|%s: running %d, recomputed %d", m, period, org, dim, was, is))
	}
	return total, out, rows.Err()
}

// Count returns how many daily and monthly rows the metrics with the
// prefixes have, leaving out those that came to 0 (where a flush fell
// between a +1 and its −1).
func Count(ctx context.Context, q store.Querier, prefixes ...string) (int, error) {
	total := 0
	for _, p := range prefixes {
		var n int
		lo, hi := prefixRange(p)
		if err := q.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM rollup_day WHERE metric >= ? AND metric < ? AND value <> 0)
			+ (SELECT COUNT(*) FROM rollup_month WHERE metric >= ? AND metric < ? AND value <> 0)`, lo, hi, lo, hi).Scan(&n); err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}

// Rate returns num/den, or nil when den is 0 (API.md: null when there is
// nothing to divide).
func Rate(num, den int64) *float64 {
	if den == 0 {
		return nil
	}
	r := float64(num) / float64(den)
	return &r
}
