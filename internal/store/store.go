// Package store opens xiaoer's database — an embedded SQLite file or a
// PostgreSQL server — and gives the modules one way to read and write it.
//
// Queries are written once with ? placeholders and run unchanged on both
// engines; the store rebinds them to $n for PostgreSQL. Writes go through
// Write, which owns the transaction, retries when the engine asks for it,
// and refuses to commit a change that appended no audit record.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"
)

// Dialect is the database engine behind a DB.
type Dialect int

// The two engines.
const (
	SQLite Dialect = iota
	Postgres
)

func (d Dialect) String() string {
	if d == Postgres {
		return "postgres"
	}
	return "sqlite"
}

// DB is an open database: a writer and a reader pool.
type DB struct {
	Dialect Dialect
	Path    string // the SQLite file; "" for PostgreSQL

	w   *sql.DB // SQLite: one connection, immediate transactions
	r   *sql.DB // SQLite: read-only pool; PostgreSQL: the same pool as w
	now func() time.Time

	rebound sync.Map // query text → PostgreSQL text

	// memo keeps small facts derived from this database's rows (the rollup
	// package's org paths), per database, for packages that need them.
	memo sync.Map

	// SQLite: prepared statements by query text, for the writer and the
	// readers. The pure-Go engine spends more time parsing a statement than
	// running it; PostgreSQL's driver keeps its own cache per connection.
	wstmts, rstmts *stmtCache

	// SQLite: the group committer's queue (see group).
	queue   chan *writeReq
	quit    chan struct{}
	stopped chan struct{}
}

// IsPostgres reports whether dsn names a PostgreSQL server rather than a file.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens the database named by dsn: a postgres:// URL or a SQLite file
// path (created, with its folder, if missing). It does not migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	db := &DB{now: time.Now}
	if IsPostgres(dsn) {
		db.Dialect = Postgres
		// Two pools, as on SQLite: a transaction that also reads through the
		// reader never waits for a connection held by another transaction,
		// so a burst of writers cannot starve the pool into a standstill.
		w, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("store: open postgres: %w", err)
		}
		w.SetMaxOpenConns(16)
		w.SetMaxIdleConns(8)
		w.SetConnMaxIdleTime(5 * time.Minute)
		r, err := sql.Open("pgx", dsn)
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("store: open postgres: %w", err)
		}
		r.SetMaxOpenConns(32)
		r.SetMaxIdleConns(16)
		r.SetConnMaxIdleTime(5 * time.Minute)
		db.w, db.r = w, r
	} else {
		if err := db.openSQLite(dsn); err != nil {
			return nil, err
		}
	}
	if err := db.r.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	return db, nil
}

// sqlitePragmas are applied to every pooled connection through the DSN.
// busy_timeout comes first so that even the WAL switch waits for a lock held
// by another process (a backup, a second command) instead of failing.
var sqlitePragmas = []string{
	"busy_timeout(10000)",
	"journal_mode(WAL)",
	"synchronous(NORMAL)", // WAL + NORMAL: a killed process loses nothing committed
	"foreign_keys(ON)",
	"cache_size(-32000)",
	// Temporary tables and large sorts (a rollup verification, a
	// migration's GROUP BY) spill to files beyond the cache, rather than
	// holding gigabytes in the process.
	"temp_store(FILE)",
}

func (db *DB) openSQLite(path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o750); err != nil {
		return fmt.Errorf("store: create data folder: %w", err)
	}
	db.Path = abs
	q := url.Values{}
	for _, p := range sqlitePragmas {
		q.Add("_pragma", p)
	}
	base := "file:" + abs + "?" + q.Encode()
	// One writer connection: SQLite allows one writer at a time anyway, and
	// queueing in Go is fairer and cheaper than spinning on SQLITE_BUSY.
	// BEGIN IMMEDIATE takes the write lock up front, so a transaction never
	// fails half-way when it upgrades from reading to writing.
	w, err := sql.Open("sqlite", base+"&_txlock=immediate")
	if err != nil {
		return fmt.Errorf("store: open sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	// Readers never block the writer in WAL mode.
	r, err := sql.Open("sqlite", base+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return fmt.Errorf("store: open sqlite: %w", err)
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	r.SetConnMaxIdleTime(10 * time.Minute)
	// The writer connects first so the file and its WAL exist before readers.
	if err := w.Ping(); err != nil {
		w.Close()
		r.Close()
		return fmt.Errorf("store: open %s: %w", abs, err)
	}
	db.w, db.r = w, r
	db.wstmts = &stmtCache{db: w, deferred: true, m: map[string]*sql.Stmt{}, wanted: map[string]bool{}}
	db.rstmts = &stmtCache{db: r, m: map[string]*sql.Stmt{}}
	db.startCommitter()
	return nil
}

// stmtCache prepares each query text once. It holds at most maxStmts
// statements: texts built on the fly (IN lists, LIMITs) beyond that run
// unprepared rather than grow it without end.
//
// The writer pool has a single connection, which a transaction holds: a
// statement first seen inside a transaction runs unprepared and is only
// noted, then prepared once the transaction has let the connection go.
type stmtCache struct {
	db       *sql.DB
	deferred bool // prepare later (the writer) rather than at once (the readers)
	mu       sync.Mutex
	m        map[string]*sql.Stmt
	wanted   map[string]bool
}

const maxStmts = 1000

// get returns the prepared statement of query, or nil when it is not cached
// (the caller then runs the query directly). The lock is never held while
// a statement is prepared: preparing needs a connection, and a caller that
// holds one (a transaction on the single writer) may be waiting for the
// lock.
func (c *stmtCache) get(ctx context.Context, query string) *sql.Stmt {
	// SQLite carries out a pragma's assignment when it prepares it: one
	// prepared for later would take effect at that later time.
	if c == nil || strings.HasPrefix(query, "PRAGMA") {
		return nil
	}
	c.mu.Lock()
	if st, ok := c.m[query]; ok {
		c.mu.Unlock()
		return st
	}
	if len(c.m)+len(c.wanted) >= maxStmts || c.m == nil {
		c.mu.Unlock()
		return nil
	}
	if c.deferred {
		c.wanted[query] = true
		c.mu.Unlock()
		return nil
	}
	c.mu.Unlock()
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	return c.keep(query, st)
}

// keep stores a freshly prepared statement, or closes it and returns the
// one another caller stored first.
func (c *stmtCache) keep(query string, st *sql.Stmt) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[query]; ok || c.m == nil {
		st.Close()
		return old
	}
	c.m[query] = st
	return st
}

// prepareWanted prepares the statements noted inside transactions; the
// caller must not hold a connection of the pool.
func (c *stmtCache) prepareWanted(ctx context.Context) {
	if c == nil {
		return
	}
	c.mu.Lock()
	queries := make([]string, 0, len(c.wanted))
	for q := range c.wanted {
		queries = append(queries, q)
	}
	clear(c.wanted)
	c.mu.Unlock()
	for _, q := range queries {
		if st, err := c.db.PrepareContext(ctx, q); err == nil {
			c.keep(q, st)
		}
	}
}

func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	c.m = nil
}

// Close closes both pools.
func (db *DB) Close() error {
	if db.quit != nil {
		close(db.quit)
		<-db.stopped
	}
	db.wstmts.close()
	db.rstmts.close()
	err := db.w.Close()
	if db.r != db.w {
		if e := db.r.Close(); err == nil {
			err = e
		}
	}
	return err
}

// SetClock replaces the clock (tests).
func (db *DB) SetClock(now func() time.Time) { db.now = now }

// Now returns the current time by the database's clock.
func (db *DB) Now() time.Time { return db.now() }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.r.PingContext(ctx) }

// Stats returns the pool statistics of the writer and reader pools.
func (db *DB) Stats() (w, r sql.DBStats) { return db.w.Stats(), db.r.Stats() }

// Querier runs queries; both the reader and a transaction are Queriers.
type Querier interface {
	Exec(ctx context.Context, query string, args ...any) (sql.Result, error)
	Query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) *Row
	Dialect() Dialect
}

// Read returns a Querier over the reader pool.
func (db *DB) Read() Querier { return reader{db} }

type reader struct{ db *DB }

func (q reader) Dialect() Dialect { return q.db.Dialect }

func (q reader) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return nil, errors.New("store: Exec on the reader; use Write")
}

func (q reader) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := q.db.rstmts.get(ctx, query); st != nil {
		rows, err := st.QueryContext(ctx, args...)
		return rows, translate(err)
	}
	rows, err := q.db.r.QueryContext(ctx, q.db.bind(query), args...)
	return rows, translate(err)
}

func (q reader) QueryRow(ctx context.Context, query string, args ...any) *Row {
	rows, err := q.Query(ctx, query, args...)
	return &Row{rows: rows, err: err}
}

// Tx is a write transaction. Its Now is fixed when it begins, so every row
// it writes carries the same time.
type Tx struct {
	tx      *sql.Tx
	db      *DB
	Now     time.Time
	audited int
	after   []func()
	before  []func() error
	local   map[any]any
}

// BeforeCommit runs f once fn has succeeded, just before the commit (and
// before the audit check): a batched audit record is written there.
func (tx *Tx) BeforeCommit(f func() error) { tx.before = append(tx.before, f) }

// Local returns a value kept with this transaction under key.
func (tx *Tx) Local(key any) any { return tx.local[key] }

// SetLocal keeps a value with this transaction (state that one package
// accumulates over the statements of a transaction).
func (tx *Tx) SetLocal(key, v any) {
	if tx.local == nil {
		tx.local = map[any]any{}
	}
	tx.local[key] = v
}

// finish runs the before-commit functions and checks the audit rule.
func (tx *Tx) finish(audit bool) error {
	for _, f := range tx.before {
		if err := f(); err != nil {
			return err
		}
	}
	if audit && tx.audited == 0 {
		return errs.Wrap(ErrUnaudited, "store")
	}
	return nil
}

// Dialect returns the engine of the transaction.
func (tx *Tx) Dialect() Dialect { return tx.db.Dialect }

// DB returns the database of the transaction.
func (tx *Tx) DB() *DB { return tx.db }

// Memo returns the database's memo: a map in which packages keep facts
// derived from its rows, by keys of their own types.
func (db *DB) Memo() *sync.Map { return &db.memo }

// Exec runs a statement.
func (tx *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := tx.db.wstmts.get(ctx, query); st != nil {
		res, err := tx.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
		return res, translate(err)
	}
	res, err := tx.tx.ExecContext(ctx, tx.db.bind(query), args...)
	return res, translate(err)
}

// Query runs a query inside the transaction.
func (tx *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := tx.db.wstmts.get(ctx, query); st != nil {
		rows, err := tx.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
		return rows, translate(err)
	}
	rows, err := tx.tx.QueryContext(ctx, tx.db.bind(query), args...)
	return rows, translate(err)
}

// QueryRow runs a query expected to return at most one row.
func (tx *Tx) QueryRow(ctx context.Context, query string, args ...any) *Row {
	rows, err := tx.Query(ctx, query, args...)
	return &Row{rows: rows, err: err}
}

// Insert runs an INSERT … RETURNING id and returns the id.
func (tx *Tx) Insert(ctx context.Context, query string, args ...any) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, query, args...).Scan(&id)
	return id, err
}

// ExecOne runs a statement that must change exactly one row; zero rows is
// errs.ErrNotFound (the record is gone or outside the caller's scope).
func (tx *Tx) ExecOne(ctx context.Context, query string, args ...any) error {
	res, err := tx.Exec(ctx, query, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return translate(err)
	}
	if n == 0 {
		return errs.ErrNotFound
	}
	return nil
}

// MarkAudited records that an audit entry was appended in this transaction.
// The audit package calls it; Write refuses to commit without one.
func (tx *Tx) MarkAudited() { tx.audited++ }

// AfterCommit runs f once the transaction has committed (notifications,
// cache refreshes); it never runs for a rolled-back attempt.
func (tx *Tx) AfterCommit(f func()) { tx.after = append(tx.after, f) }

// ErrUnaudited is returned by Write when the function changed data without
// appending an audit record: every write must leave a trace.
var ErrUnaudited = errors.New("store: write without an audit record")

// Write runs fn in a transaction and commits it if fn returns nil. fn may
// run more than once: when the engine reports a transient conflict (SQLite
// busy beyond its timeout, PostgreSQL serialization failure or deadlock) the
// whole transaction is retried, so fn must not keep state across attempts.
func (db *DB) Write(ctx context.Context, fn func(tx *Tx) error) error {
	return db.write(ctx, true, fn)
}

// WriteUnaudited is Write for bookkeeping that is not a user's change and is
// audited elsewhere or not at all by design: refreshing a session's
// last-seen time, a job's own progress marker.
func (db *DB) WriteUnaudited(ctx context.Context, fn func(tx *Tx) error) error {
	return db.write(ctx, false, fn)
}

func (db *DB) write(ctx context.Context, audit bool, fn func(tx *Tx) error) error {
	if db.queue != nil {
		err := db.group(ctx, audit, fn)
		if !errors.Is(err, errRetry) {
			return err
		}
		// The group could not commit: this write tries again on its own.
	}
	var err error
	for attempt := range 8 {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(attempt*attempt) * 5 * time.Millisecond):
			}
		}
		var after []func()
		after, err = db.tryWrite(ctx, audit, fn)
		db.wstmts.prepareWanted(context.WithoutCancel(ctx))
		if err == nil {
			for _, f := range after {
				f()
			}
			return nil
		}
		if !errors.Is(err, errRetry) {
			return err
		}
	}
	return errs.Wrap(err, "store: gave up after retries")
}

func (db *DB) tryWrite(ctx context.Context, audit bool, fn func(tx *Tx) error) ([]func(), error) {
	stx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, translate(err)
	}
	// A panic in fn must not keep the (single) writer connection.
	defer func() {
		if p := recover(); p != nil {
			stx.Rollback()
			panic(p)
		}
	}()
	tx := &Tx{tx: stx, db: db, Now: db.now()}
	if err := fn(tx); err != nil {
		stx.Rollback()
		return nil, translate(err)
	}
	if err := tx.finish(audit); err != nil {
		stx.Rollback()
		return nil, translate(err)
	}
	if err := stx.Commit(); err != nil {
		return nil, translate(err)
	}
	return tx.after, nil
}

// Group commit (SQLite). The single writer connection commits the writes
// that arrive while it is busy in one transaction, and answers each only
// after that transaction has committed: committing (writing the WAL) is
// what costs most per write, and under load a group shares it.
//
// A write that fails without having changed anything — most refusals
// (validation, a state that does not allow an action) happen before the
// first change — is simply left out of the group. One that fails after
// changing rows cannot be undone alone (savepoints would make every
// statement keep a journal, which costs more than it saves), so the group
// is rolled back and each of its writes runs again on its own.

// writeReq is one write waiting for the committer.
type writeReq struct {
	ctx   context.Context
	audit bool
	fn    func(tx *Tx) error
	done  chan error
	after []func()
	panic any
}

// maxGroup bounds how many writes share a transaction.
const maxGroup = 128

func (db *DB) startCommitter() {
	db.queue = make(chan *writeReq, 4*maxGroup)
	db.quit = make(chan struct{})
	db.stopped = make(chan struct{})
	go func() {
		defer close(db.stopped)
		for {
			select {
			case <-db.quit:
				for {
					select {
					case r := <-db.queue:
						r.done <- errClosed
					default:
						return
					}
				}
			case r := <-db.queue:
				batch := []*writeReq{r}
			more:
				for len(batch) < maxGroup {
					select {
					case r := <-db.queue:
						batch = append(batch, r)
					default:
						break more
					}
				}
				db.commitGroup(batch)
			}
		}
	}()
}

var errClosed = errors.New("store: the database is closed")

// group hands a write to the committer and waits for its outcome.
func (db *DB) group(ctx context.Context, audit bool, fn func(tx *Tx) error) error {
	r := &writeReq{ctx: ctx, audit: audit, fn: fn, done: make(chan error, 1)}
	select {
	case db.queue <- r:
	case <-db.quit:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	err := <-r.done
	if r.panic != nil {
		panic(r.panic)
	}
	if err == nil {
		for _, f := range r.after {
			f()
		}
	}
	return err
}

// commitGroup runs a group of writes in one transaction.
func (db *DB) commitGroup(batch []*writeReq) {
	bg := context.Background()
	retryAll := func(list []*writeReq, cause error) {
		for _, r := range list {
			r.done <- fmt.Errorf("%w: %v", errRetry, cause)
		}
	}
	stx, err := db.w.BeginTx(bg, nil)
	if err != nil {
		retryAll(batch, err)
		return
	}
	changes := func() (int64, error) {
		var n int64
		err := stx.QueryRowContext(bg, "SELECT total_changes()").Scan(&n)
		return n, err
	}
	before, err := changes()
	if err != nil {
		stx.Rollback()
		retryAll(batch, err)
		return
	}
	var ok []*writeReq
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.done <- err
			continue
		}
		tx := &Tx{tx: stx, db: db, Now: db.now()}
		ferr := runWrite(r, tx)
		if ferr == nil {
			ferr = tx.finish(r.audit)
		}
		after, err := changes()
		if err != nil {
			ferr = err
		}
		if ferr == nil {
			r.after = tx.after
			ok = append(ok, r)
			before = after
			continue
		}
		if err == nil && after == before && r.panic == nil {
			r.done <- translate(ferr)
			continue
		}
		stx.Rollback()
		if r.panic != nil {
			r.done <- ferr
		} else {
			retryAll([]*writeReq{r}, ferr)
		}
		retryAll(ok, ferr)
		retryAll(batch[i+1:], ferr)
		return
	}
	err = stx.Commit()
	db.wstmts.prepareWanted(bg)
	for _, r := range ok {
		if err != nil {
			r.done <- fmt.Errorf("%w: %v", errRetry, err)
		} else {
			r.done <- nil
		}
	}
}

// runWrite runs a write's function, catching a panic to re-raise it in the
// writer's own goroutine.
func runWrite(r *writeReq, tx *Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			r.panic = p
			err = fmt.Errorf("store: panic in a write: %v", p)
		}
	}()
	return r.fn(tx)
}

// bind rewrites ? placeholders to $1, $2 … for PostgreSQL, once per query text.
func (db *DB) bind(query string) string {
	if db.Dialect != Postgres {
		return query
	}
	if q, ok := db.rebound.Load(query); ok {
		return q.(string)
	}
	q := Rebind(query)
	db.rebound.Store(query, q)
	return q
}

// Rebind turns ? placeholders into $n, leaving quoted text alone.
func Rebind(query string) string {
	var b strings.Builder
	b.Grow(len(query) + 8)
	n := 0
	var quote byte
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(fmt.Sprint(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// Row is the result of QueryRow. Scan reports errs.ErrNotFound for no row.
type Row struct {
	rows *sql.Rows
	err  error
}

// Scan copies the row's columns into dest.
func (r *Row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	defer r.rows.Close()
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return translate(err)
		}
		return errs.ErrNotFound
	}
	if err := r.rows.Scan(dest...); err != nil {
		return translate(err)
	}
	return translate(r.rows.Close())
}

// Err returns the error of the query, if any, without scanning.
func (r *Row) Err() error { return r.err }

// Null returns nil for the zero value of v, so that optional references
// (0 = none) and empty optional text are stored as NULL.
func Null[T comparable](v T) any {
	var zero T
	if v == zero {
		return nil
	}
	return v
}

// Z returns a scanner that reads NULL as the zero value of T.
func Z[T any](p *T) sql.Scanner { return zeroScanner[T]{p} }

type zeroScanner[T any] struct{ p *T }

func (z zeroScanner[T]) Scan(src any) error {
	var n sql.Null[T]
	if err := n.Scan(src); err != nil {
		return err
	}
	*z.p = n.V
	return nil
}

// In returns "?, ?, ?" for n placeholders and the values as []any.
func In[T any](vals []T) (string, []any) {
	if len(vals) == 0 {
		return "NULL", nil
	}
	args := make([]any, len(vals))
	for i, v := range vals {
		args[i] = v
	}
	return strings.TrimSuffix(strings.Repeat("?, ", len(vals)), ", "), args
}

// Generic messages for translated driver errors; modules that know better
// (a duplicate credit code, say) check the sentinel and say so.
var (
	msgDuplicate = i18n.T("记录已存在，不能重复", "This record already exists")
	msgReference = i18n.T("引用的记录不存在或仍被使用", "A referenced record does not exist or is still in use")
	msgCheck     = i18n.T("数据不符合约束", "The data violates a rule of the database")
	msgAppend    = i18n.T("审计日志只能追加，不能修改或删除", "The audit log is append-only")
)

// Sentinels a module can test with errors.Is.
var (
	ErrDuplicate  = errors.New("duplicate key")
	ErrReference  = errors.New("foreign key violation")
	ErrCheck      = errors.New("check constraint violation")
	ErrAppendOnly = errors.New("append-only table")
	errRetry      = errors.New("transient: retry")
)

// Backup writes a consistent copy of a SQLite database to path while the
// database stays in use (VACUUM INTO). PostgreSQL is backed up with its own
// tools (pg_dump); see the operator guide.
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.Dialect == Postgres {
		return errors.New("store: back up PostgreSQL with pg_dump (see docs/operations.md)")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	if _, err := os.Stat(abs); err == nil {
		return fmt.Errorf("store: %s exists; choose a new file", abs)
	}
	_, err = db.w.ExecContext(ctx, "VACUUM INTO ?", abs)
	return translate(err)
}

// Optimize refreshes the statistics SQLite's query planner chooses indexes
// by: without them it may read every appeal through the org index rather
// than the few overdue ones through theirs. analysis_limit bounds the work
// to milliseconds even on a file of many gigabytes. PostgreSQL's autovacuum
// keeps its statistics by itself.
func (db *DB) Optimize(ctx context.Context) error {
	if db.Dialect != SQLite {
		return nil
	}
	var analysed int
	if err := db.w.QueryRowContext(ctx, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_stat1'").Scan(&analysed); err != nil {
		return err
	}
	stmt := "PRAGMA optimize=0x10002"
	if analysed == 0 {
		stmt = "ANALYZE"
	}
	if _, err := db.w.ExecContext(ctx, "PRAGMA analysis_limit=1000"); err != nil {
		return err
	}
	_, err := db.w.ExecContext(ctx, stmt)
	return err
}
