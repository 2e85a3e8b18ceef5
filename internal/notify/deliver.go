package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"xiaoer/internal/store"
)

// Deliverer sends the outbox. Delivery is at least once: a gateway that
// answered but whose answer was lost gets the event again, with the same
// X-Xiaoer-Delivery id to recognise it by.
type Deliverer struct {
	DB     *store.DB
	Client *http.Client // with a timeout; nil: DefaultTimeout
	// MaxAttempts is how often one event is tried before it is left for an
	// operator to retry by hand; 0: DefaultMaxAttempts.
	MaxAttempts int
	// Backoff is the wait after the first failure; it doubles with every
	// further failure up to MaxBackoff. 0: DefaultBackoff.
	Backoff time.Duration
}

// Delivery defaults.
const (
	DefaultTimeout     = 10 * time.Second
	DefaultMaxAttempts = 10
	DefaultBackoff     = 30 * time.Second
	MaxBackoff         = time.Hour
	batch              = 100
)

func (d *Deliverer) maxAttempts() int {
	if d.MaxAttempts > 0 {
		return d.MaxAttempts
	}
	return DefaultMaxAttempts
}

// Wait returns the pause after the n-th failed attempt (n ≥ 1): Backoff,
// then twice that, and so on, never more than MaxBackoff.
func (d *Deliverer) Wait(n int) time.Duration {
	b := d.Backoff
	if b <= 0 {
		b = DefaultBackoff
	}
	for i := 1; i < n && b < MaxBackoff; i++ {
		b *= 2
	}
	return min(b, MaxBackoff)
}

type pending struct {
	id       int64
	event    string
	payload  string
	url      string
	attempts int
}

// Run delivers every event that is due, oldest first, and reports how many
// went out and how many failed this time.
func (d *Deliverer) Run(ctx context.Context) (sent, failed int, err error) {
	now := d.DB.Now().UTC()
	rows, err := d.DB.Read().Query(ctx, `SELECT id, event, payload, url, attempts FROM outbox
		WHERE delivered_at IS NULL AND next_attempt_at <= ? AND attempts < ? ORDER BY id LIMIT `+strconv.Itoa(batch), now, d.maxAttempts())
	if err != nil {
		return 0, 0, err
	}
	var due []pending
	for rows.Next() {
		var p pending
		if err := rows.Scan(&p.id, &p.event, &p.payload, &p.url, &p.attempts); err != nil {
			rows.Close()
			return 0, 0, err
		}
		due = append(due, p)
	}
	if err := rows.Close(); err != nil {
		return 0, 0, err
	}
	secret := ""
	if w, err := LoadWebhook(ctx, d.DB.Read()); err == nil {
		secret = w.Secret
	}
	for _, p := range due {
		if ctx.Err() != nil {
			return sent, failed, ctx.Err()
		}
		derr := d.post(ctx, p, secret)
		err := d.DB.WriteUnaudited(context.WithoutCancel(ctx), func(tx *store.Tx) error {
			now := tx.Now.UTC()
			if derr == nil {
				_, err := tx.Exec(ctx, "UPDATE outbox SET attempts = attempts + 1, delivered_at = ?, last_error = '' WHERE id = ?", now, p.id)
				return err
			}
			msg := derr.Error()
			if len(msg) > 500 {
				msg = msg[:500]
			}
			_, err := tx.Exec(ctx, "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?",
				now.Add(d.Wait(p.attempts+1)), msg, p.id)
			return err
		})
		if err != nil {
			return sent, failed, err
		}
		if derr == nil {
			sent++
		} else {
			failed++
		}
	}
	return sent, failed, nil
}

func (d *Deliverer) post(ctx context.Context, p pending, secret string) error {
	client := d.Client
	if client == nil {
		client = &http.Client{Timeout: DefaultTimeout}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url, bytes.NewReader([]byte(p.payload)))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "xiaoer-webhook")
	req.Header.Set("X-Xiaoer-Event", p.event)
	req.Header.Set("X-Xiaoer-Delivery", strconv.FormatInt(p.id, 10))
	if secret != "" {
		req.Header.Set("X-Xiaoer-Signature", "sha256="+Sign(secret, []byte(p.payload)))
	}
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("HTTP %d", res.StatusCode)
	}
	return nil
}

// Sign returns the hex HMAC-SHA256 of body under secret, as sent in
// X-Xiaoer-Signature.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// OutboxItem is one webhook in the outbox, for the operator's view.
type OutboxItem struct {
	ID            int64      `json:"id,string"`
	Event         string     `json:"event"`
	URL           string     `json:"url"`
	Attempts      int        `json:"attempts"`
	NextAttemptAt time.Time  `json:"next_attempt_at"`
	DeliveredAt   *time.Time `json:"delivered_at"`
	LastError     string     `json:"last_error"`
	CreatedAt     time.Time  `json:"created_at"`
	Payload       string     `json:"payload"`
}

// Outbox lists the webhook queue, newest first; failedOnly keeps the ones
// not delivered.
func Outbox(ctx context.Context, q store.Querier, failedOnly bool, beforeID int64, limit int) ([]OutboxItem, int, error) {
	var w store.Where
	if failedOnly {
		w.Add("delivered_at IS NULL")
	}
	where, args := w.SQL()
	var total int
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM outbox"+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	if beforeID > 0 {
		w.Add("id < ?", beforeID)
		where, args = w.SQL()
	}
	rows, err := q.Query(ctx, "SELECT id, event, url, attempts, next_attempt_at, delivered_at, last_error, created_at, payload FROM outbox"+
		where+" ORDER BY id DESC LIMIT "+strconv.Itoa(limit), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []OutboxItem
	for rows.Next() {
		var o OutboxItem
		if err := rows.Scan(&o.ID, &o.Event, &o.URL, &o.Attempts, &o.NextAttemptAt, &o.DeliveredAt, &o.LastError, &o.CreatedAt, &o.Payload); err != nil {
			return nil, 0, err
		}
		out = append(out, o)
	}
	return out, total, rows.Err()
}

// Retry puts an undelivered webhook back in the queue at once, with its
// attempts counted from zero (an operator fixed the gateway).
func Retry(ctx context.Context, db *store.DB, id int64) error {
	return db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.ExecOne(ctx, "UPDATE outbox SET attempts = 0, next_attempt_at = ? WHERE id = ? AND delivered_at IS NULL", tx.Now.UTC(), id); err != nil {
			return err
		}
		return auditRetry(ctx, tx, id)
	})
}
