// Package notify tells people and other systems what happened: a message in
// a user's in-app inbox, and a webhook in the outbox for SMS and messaging
// gateways. Both are written inside the transaction of the change they
// announce, so that a committed change is never left unannounced and a
// rolled-back one never announced; a job delivers the outbox with retries.
// Any module may use it.
package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
	"xiaoer/internal/settings"
	"xiaoer/internal/store"
)

// Message is one notification, as sent to any number of users.
type Message struct {
	// Kind says what it is about ("appeal.dispatched"), for filters and for
	// not sending one thing twice.
	Kind  string
	Title i18n.Text
	Body  i18n.Text
	Link  string // a page of xiaoer, "/appeals/12"
}

// Send puts m in the inbox of each user, once per user, inside tx.
func Send(ctx context.Context, tx *store.Tx, users []int64, m Message) error {
	users = slices.Clone(users)
	slices.Sort(users)
	users = slices.Compact(users)
	for _, u := range users {
		if u == 0 {
			continue
		}
		if _, err := tx.Exec(ctx, `INSERT INTO notifications (user_id, kind, title, title_en, body, body_en, link, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, u, m.Kind, m.Title.Zh, m.Title.En, m.Body.Zh, m.Body.En, m.Link, tx.Now.UTC()); err != nil {
			return err
		}
	}
	return nil
}

// usersQuery selects enabled users holding a role; callers add the org rule.
const usersQuery = `SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id JOIN orgs o ON o.id = u.org_id
	WHERE r.role = ? AND u.disabled = FALSE AND `

func ids(ctx context.Context, q store.Querier, query string, args ...any) ([]int64, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// UsersIn returns the users holding role whose org is orgID or beneath it:
// the staff of a department.
func UsersIn(ctx context.Context, q store.Querier, role access.Role, orgID int64) ([]int64, error) {
	return ids(ctx, q, usersQuery+"o.path LIKE (SELECT path FROM orgs WHERE id = ?) || '%' ORDER BY u.id", role, orgID)
}

// UsersOver returns the users holding role whose org is orgID or above it:
// the service office of the zone over a street.
func UsersOver(ctx context.Context, q store.Querier, role access.Role, orgID int64) ([]int64, error) {
	return ids(ctx, q, usersQuery+"(SELECT path FROM orgs WHERE id = ?) LIKE o.path || '%' ORDER BY u.id", role, orgID)
}

// EnterpriseUsers returns the enabled enterprise users of an enterprise.
func EnterpriseUsers(ctx context.Context, q store.Querier, enterpriseID int64) ([]int64, error) {
	return ids(ctx, q, `SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id
		WHERE r.role = ? AND u.enterprise_id = ? AND u.disabled = FALSE ORDER BY u.id`, access.Enterprise, enterpriseID)
}

// Webhook is where the outbox sends events: one gateway, which fans out to
// SMS, WeCom or DingTalk as the zone has arranged.
type Webhook struct {
	URL string `json:"url" doc:"http(s) URL that receives each event as a JSON POST; empty: no webhooks"`
	// Secret signs each delivery (header X-Xiaoer-Signature: sha256=HMAC of
	// the body) so that the gateway can tell it came from xiaoer.
	Secret string `json:"secret,omitempty" doc:"write-only; reads show only whether one is set"`
	// Events limits the webhook to events with these prefixes ("appeal."); empty: all.
	Events []string `json:"events"`
}

// WebhookKey is the settings key of the webhook.
const WebhookKey = "notify.webhook"

// Validate checks the webhook settings.
func (w *Webhook) Validate() error {
	w.URL = strings.TrimSpace(w.URL)
	if w.URL != "" {
		u, err := url.Parse(w.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return errs.Invalidf("url", "地址应为 http:// 或 https:// 开头的完整网址", "url must be a full http:// or https:// address")
		}
	}
	if len(w.URL) > 500 || len(w.Secret) > 200 {
		return errs.Invalidf("url", "地址或密钥过长", "url or secret is too long")
	}
	for i, e := range w.Events {
		w.Events[i] = strings.TrimSpace(e)
	}
	w.Events = slices.DeleteFunc(w.Events, func(e string) bool { return e == "" })
	return nil
}

// LoadWebhook reads the webhook settings.
func LoadWebhook(ctx context.Context, q store.Querier) (Webhook, error) {
	var w Webhook
	err := settings.Load(ctx, q, WebhookKey, &w)
	return w, err
}

// SaveWebhook stores the webhook settings, audited with the secret
// redacted. An empty secret keeps the one stored.
func SaveWebhook(ctx context.Context, db *store.DB, w Webhook) error {
	if err := w.Validate(); err != nil {
		return err
	}
	return db.Write(ctx, func(tx *store.Tx) error {
		old, err := LoadWebhook(ctx, tx)
		if err != nil {
			return err
		}
		if w.Secret == "" {
			w.Secret = old.Secret
		}
		b, err := json.Marshal(w)
		if err != nil {
			return err
		}
		var by any
		if p := access.From(ctx); p != nil && p.UserID != 0 {
			by = p.UserID
		}
		if _, err := tx.Exec(ctx, `INSERT INTO settings (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			WebhookKey, string(b), tx.Now.UTC(), by); err != nil {
			return err
		}
		return audit.Append(ctx, tx, audit.Entry{Action: "settings.save", Object: "settings", ObjectID: WebhookKey,
			Summary: audit.Change(old.redacted(), w.redacted())})
	})
}

// redacted is the webhook without its secret, for the audit log and reads.
func (w Webhook) redacted() Webhook {
	if w.Secret != "" {
		w.Secret = "******"
	}
	if w.Events == nil {
		w.Events = []string{}
	}
	return w
}

// wants reports whether the webhook takes event.
func (w Webhook) wants(event string) bool {
	if w.URL == "" {
		return false
	}
	if len(w.Events) == 0 {
		return true
	}
	return slices.ContainsFunc(w.Events, func(p string) bool { return strings.HasPrefix(event, p) })
}

// Envelope is the JSON body of every webhook delivery.
type Envelope struct {
	Event string          `json:"event"`
	At    time.Time       `json:"at"`
	Data  json.RawMessage `json:"data"`
}

// Publish writes event with data to the outbox for the configured webhook,
// inside tx; with no webhook configured (or one that does not take the
// event) it writes nothing.
func Publish(ctx context.Context, tx *store.Tx, event string, data any) error {
	w, err := LoadWebhook(ctx, tx)
	if err != nil || !w.wants(event) {
		return err
	}
	d, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("notify: %s: %w", event, err)
	}
	body, err := json.Marshal(Envelope{Event: event, At: tx.Now.UTC(), Data: d})
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO outbox (event, payload, url, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, 0, ?, ?)`,
		event, string(body), w.URL, tx.Now.UTC(), tx.Now.UTC())
	return err
}

// Notification is one message in a user's inbox, in the reader's language.
type Notification struct {
	ID        int64      `json:"id,string"`
	Kind      string     `json:"kind"`
	Title     string     `json:"title"`
	Body      string     `json:"body"`
	Link      string     `json:"link"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at"`
}

// Inbox reads and marks a user's notifications.
type Inbox struct{ DB *store.DB }

// List returns one page of the user's notifications, newest first, and how
// many there are.
func (b *Inbox) List(ctx context.Context, userID int64, unread bool, beforeID int64, limit int, lang i18n.Lang) ([]Notification, int, error) {
	var w store.Where
	w.Add("user_id = ?", userID)
	if unread {
		w.Add("read_at IS NULL")
	}
	q := b.DB.Read()
	where, args := w.SQL()
	var total int
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM notifications"+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	if beforeID > 0 {
		w.Add("id < ?", beforeID)
		where, args = w.SQL()
	}
	rows, err := q.Query(ctx, `SELECT id, kind, title, title_en, body, body_en, link, created_at, read_at FROM notifications`+where+
		fmt.Sprintf(" ORDER BY id DESC LIMIT %d", limit), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []Notification
	for rows.Next() {
		var n Notification
		var t, b i18n.Text
		if err := rows.Scan(&n.ID, &n.Kind, &t.Zh, &t.En, &b.Zh, &b.En, &n.Link, &n.CreatedAt, &n.ReadAt); err != nil {
			return nil, 0, err
		}
		n.Title, n.Body = t.In(lang), b.In(lang)
		out = append(out, n)
	}
	return out, total, rows.Err()
}

// Unread counts the user's unread notifications.
func (b *Inbox) Unread(ctx context.Context, userID int64) (int, error) {
	var n int
	err := b.DB.Read().QueryRow(ctx, "SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL", userID).Scan(&n)
	return n, err
}

// MarkRead marks one of the user's notifications read and returns its link;
// another user's notification is not found. Reading is bookkeeping, not a
// change of business data, so it is not audited.
func (b *Inbox) MarkRead(ctx context.Context, userID, id int64) (string, error) {
	var link string
	err := b.DB.WriteUnaudited(ctx, func(tx *store.Tx) error {
		if err := tx.QueryRow(ctx, "SELECT link FROM notifications WHERE id = ? AND user_id = ?", id, userID).Scan(&link); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "UPDATE notifications SET read_at = ? WHERE id = ? AND read_at IS NULL", tx.Now.UTC(), id)
		return err
	})
	return link, err
}

// MarkAllRead marks every notification of the user read.
func (b *Inbox) MarkAllRead(ctx context.Context, userID int64) error {
	return b.DB.WriteUnaudited(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL", tx.Now.UTC(), userID)
		return err
	})
}

// SentToday reports whether a notification of kind went to the user since
// the start of day (local time of the zone): daily digests go out once.
func SentToday(ctx context.Context, q store.Querier, userID int64, kind string, dayStart time.Time) (bool, error) {
	var n int
	err := q.QueryRow(ctx, "SELECT COUNT(*) FROM notifications WHERE user_id = ? AND kind = ? AND created_at >= ?", userID, kind, dayStart.UTC()).Scan(&n)
	return n > 0, err
}

// auditRetry records that an operator put a dead delivery back in the queue.
func auditRetry(ctx context.Context, tx *store.Tx, id int64) error {
	return audit.Append(ctx, tx, audit.Entry{Action: "outbox.retry", Object: "outbox", ObjectID: id})
}
