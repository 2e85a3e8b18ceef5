// Package audit keeps the append-only log of every write and every login
// attempt. Each record is chained to the one before it by an SM3 hash, so
// that altering or removing any record by hand breaks the chain at that
// record; Verify finds the first break.
//
// Records are appended inside the transaction of the change they describe:
// a change and its record commit together or not at all.
package audit

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/emmansun/gmsm/sm3"

	"xiaoer/internal/access"
	"xiaoer/internal/store"
)

// Outcomes of an audited action.
const (
	OK     = "ok"
	Failed = "failed"
	Denied = "denied"
)

// Entry is what a module says about one change.
type Entry struct {
	Action   string // dotted, module first: "user.create", "case.accept", "login"
	Object   string // the kind of record: "user", "case"
	ObjectID any    // its id (int64 or string)
	Outcome  string // OK unless said otherwise
	// Summary is a small before/after description, marshalled to JSON. It must
	// never hold personal data in clear: pass masked values.
	Summary any
	// Username names the account for records written before anyone is signed
	// in (a failed login); otherwise the principal in the context is used.
	Username string
	UserID   int64
}

// Record is one stored audit record.
type Record struct {
	Seq      int64     `json:"seq"`
	At       time.Time `json:"at"`
	UserID   int64     `json:"user_id,omitempty"`
	Username string    `json:"username"`
	Action   string    `json:"action"`
	Object   string    `json:"object_type"`
	ObjectID string    `json:"object_id"`
	Outcome  string    `json:"outcome"`
	IP       string    `json:"ip"`
	Summary  string    `json:"summary"`
	PrevHash string    `json:"prev_hash"`
	Hash     string    `json:"hash"`
}

// Change returns a summary of a change from before to after.
func Change(before, after any) map[string]any {
	return map[string]any{"before": before, "after": after}
}

type batchKey struct{}

// batch folds the records of one transaction.
type batch struct {
	action  string
	n       int
	actions map[string]int
}

// Batched returns ctx in which Append folds all the records of each
// transaction into one record, action, written just before the commit and
// counting them by action. It is for bulk loads — the demo zone, the
// province-scale generator — whose every row is not a person's act; the
// rows themselves (and their workflow events) are still written.
func Batched(ctx context.Context, action string) context.Context {
	return context.WithValue(ctx, batchKey{}, action)
}

// Append adds e to the log inside tx.
func Append(ctx context.Context, tx *store.Tx, e Entry) error {
	if action, ok := ctx.Value(batchKey{}).(string); ok {
		b, _ := tx.Local(batchKey{}).(*batch)
		if b == nil {
			b = &batch{action: action, actions: map[string]int{}}
			tx.SetLocal(batchKey{}, b)
			plain := context.WithValue(ctx, batchKey{}, nil)
			tx.BeforeCommit(func() error {
				return Append(plain, tx, Entry{Action: b.action, Object: "batch", Summary: map[string]any{"records": b.n, "actions": b.actions}})
			})
		}
		b.n++
		b.actions[e.Action]++
		return nil
	}
	r := Record{
		At:       tx.Now.UTC().Truncate(time.Microsecond),
		Username: e.Username,
		UserID:   e.UserID,
		Action:   e.Action,
		Object:   e.Object,
		ObjectID: idString(e.ObjectID),
		Outcome:  e.Outcome,
		IP:       access.ClientIP(ctx),
	}
	if r.Outcome == "" {
		r.Outcome = OK
	}
	if p := access.From(ctx); p != nil {
		if r.Username == "" {
			r.Username = p.Username
		}
		if r.UserID == 0 {
			r.UserID = p.UserID
		}
	}
	if r.Username == "" {
		r.Username = "anonymous"
	}
	if e.Summary != nil {
		b, err := json.Marshal(e.Summary)
		if err != nil {
			return fmt.Errorf("audit: summary: %w", err)
		}
		r.Summary = string(b)
	}
	// Taking the head row first serialises appenders on PostgreSQL (row lock
	// until commit) and returns the next number and the previous hash at once.
	if err := tx.QueryRow(ctx, "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash").Scan(&r.Seq, &r.PrevHash); err != nil {
		return fmt.Errorf("audit: head: %w", err)
	}
	r.Hash = r.computeHash()
	if _, err := tx.Exec(ctx, `INSERT INTO audit_log (seq, at, user_id, username, action, object_type, object_id, outcome, ip, summary, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.Seq, r.At, store.Null(r.UserID), r.Username, r.Action, r.Object, r.ObjectID, r.Outcome, r.IP, r.Summary, r.PrevHash, r.Hash); err != nil {
		return fmt.Errorf("audit: insert: %w", err)
	}
	if _, err := tx.Exec(ctx, "UPDATE audit_head SET hash = ? WHERE id = 1", r.Hash); err != nil {
		return fmt.Errorf("audit: head: %w", err)
	}
	tx.MarkAudited()
	return nil
}

func idString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case int64:
		if x == 0 {
			return ""
		}
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case string:
		return x
	}
	return fmt.Sprint(v)
}

// computeHash is SM3 over the previous hash and every field of the record,
// each field length-prefixed so that no two records serialise alike.
func (r *Record) computeHash() string {
	h := sm3.New()
	for _, f := range []string{
		r.PrevHash,
		strconv.FormatInt(r.Seq, 10),
		r.At.UTC().Format(time.RFC3339Nano),
		strconv.FormatInt(r.UserID, 10),
		r.Username, r.Action, r.Object, r.ObjectID, r.Outcome, r.IP, r.Summary,
	} {
		fmt.Fprintf(h, "%d:%s;", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Break is the first record at which the chain does not hold.
type Break struct {
	Seq    int64
	Reason string
}

func (b *Break) Error() string { return fmt.Sprintf("audit record %d: %s", b.Seq, b.Reason) }

// Verify walks the whole log in order and returns the number of records
// checked and the first break, or nil if the chain is whole. progress, if
// not nil, is called every 10,000 records.
func Verify(ctx context.Context, q store.Querier, progress func(n int64)) (int64, *Break, error) {
	rows, err := q.Query(ctx, `SELECT seq, at, user_id, username, action, object_type, object_id, outcome, ip, summary, prev_hash, hash
		FROM audit_log ORDER BY seq`)
	if err != nil {
		return 0, nil, err
	}
	defer rows.Close()
	var n, want int64 = 0, 1
	prev := ""
	for rows.Next() {
		var r Record
		if err := rows.Scan(&r.Seq, &r.At, store.Z(&r.UserID), &r.Username, &r.Action, &r.Object, &r.ObjectID, &r.Outcome, &r.IP, &r.Summary, &r.PrevHash, &r.Hash); err != nil {
			return n, nil, err
		}
		n++
		if progress != nil && n%10000 == 0 {
			progress(n)
		}
		switch {
		case r.Seq != want:
			return n, &Break{want, fmt.Sprintf("missing; the next record found is %d", r.Seq)}, nil
		case r.PrevHash != prev:
			return n, &Break{r.Seq, "its link to the previous record does not match"}, nil
		case r.computeHash() != r.Hash:
			return n, &Break{r.Seq, "its content does not match its hash (altered)"}, nil
		}
		prev, want = r.Hash, want+1
	}
	if err := rows.Err(); err != nil {
		return n, nil, err
	}
	var headSeq int64
	var headHash string
	if err := q.QueryRow(ctx, "SELECT seq, hash FROM audit_head WHERE id = 1").Scan(&headSeq, &headHash); err != nil {
		return n, nil, err
	}
	if headSeq != want-1 || headHash != prev {
		return n, &Break{want, fmt.Sprintf("the chain head says %d records but %d were found (records removed at the end)", headSeq, want-1)}, nil
	}
	return n, nil, nil
}

// Filter selects audit records for the auditor.
type Filter struct {
	Username  string
	Action    string // prefix: "user." matches every user action
	Object    string
	ObjectID  string
	Outcome   string
	From, To  time.Time // To exclusive; zero means open
	BeforeSeq int64     // cursor: records with a smaller seq
	Limit     int
}

// List returns records newest first.
func List(ctx context.Context, q store.Querier, f Filter) ([]Record, error) {
	var where []string
	var args []any
	add := func(cond string, a any) { where = append(where, cond); args = append(args, a) }
	if f.Username != "" {
		add("username = ?", f.Username)
	}
	if f.Action != "" {
		add("action LIKE ?", strings.ReplaceAll(f.Action, "%", "")+"%")
	}
	if f.Object != "" {
		add("object_type = ?", f.Object)
	}
	if f.ObjectID != "" {
		add("object_id = ?", f.ObjectID)
	}
	if f.Outcome != "" {
		add("outcome = ?", f.Outcome)
	}
	if !f.From.IsZero() {
		add("at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		add("at < ?", f.To.UTC())
	}
	if f.BeforeSeq > 0 {
		add("seq < ?", f.BeforeSeq)
	}
	query := "SELECT seq, at, user_id, username, action, object_type, object_id, outcome, ip, summary, prev_hash, hash FROM audit_log"
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY seq DESC"
	if f.Limit > 0 {
		query += " LIMIT " + strconv.Itoa(f.Limit)
	}
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		var r Record
		if err := rows.Scan(&r.Seq, &r.At, store.Z(&r.UserID), &r.Username, &r.Action, &r.Object, &r.ObjectID, &r.Outcome, &r.IP, &r.Summary, &r.PrevHash, &r.Hash); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
