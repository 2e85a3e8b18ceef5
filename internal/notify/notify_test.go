package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
	"xiaoer/internal/notify"
	"xiaoer/internal/store"
	"xiaoer/internal/store/storetest"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
func newClock(t time.Time) *clock    { return &clock{t: t} }
func ctxOf() context.Context {
	return access.With(context.Background(), access.SystemPrincipal("test"))
}
func write(t *testing.T, db *store.DB, fn func(tx *store.Tx) error) error {
	t.Helper()
	return db.Write(ctxOf(), func(tx *store.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return audit.Append(ctxOf(), tx, audit.Entry{Action: "test"})
	})
}

// users makes an org and two users; it returns their ids.
func users(t *testing.T, db *store.DB) (int64, int64) {
	var a, b int64
	err := write(t, db, func(tx *store.Tx) error {
		org, err := tx.Insert(ctxOf(), "INSERT INTO orgs (name, kind, path, created_at) VALUES ('园区', 'zone', '/1/', ?) RETURNING id", tx.Now)
		if err != nil {
			return err
		}
		ins := func(name string) (int64, error) {
			return tx.Insert(ctxOf(), `INSERT INTO users (username, name, org_id, password_hash, created_at, updated_at)
				VALUES (?, ?, ?, 'x', ?, ?) RETURNING id`, name, name, org, tx.Now, tx.Now)
		}
		if a, err = ins("alice"); err != nil {
			return err
		}
		b, err = ins("bob")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return a, b
}

func TestInboxBelongsToItsUser(t *testing.T) {
	db := storetest.Open(t)
	alice, bob := users(t, db)
	err := write(t, db, func(tx *store.Tx) error {
		return notify.Send(ctxOf(), tx, []int64{alice, alice, bob}, notify.Message{Kind: "appeal.dispatched",
			Title: i18n.T("新派单", "Dispatched"), Body: i18n.T("请签收", "Please sign"), Link: "/appeals/1"})
	})
	if err != nil {
		t.Fatal(err)
	}
	inbox := &notify.Inbox{DB: db}
	ns, total, err := inbox.List(ctxOf(), alice, false, 0, 10, i18n.EN)
	if err != nil || total != 1 || ns[0].Title != "Dispatched" || ns[0].Link != "/appeals/1" || ns[0].ReadAt != nil {
		t.Fatalf("alice's inbox (a duplicate recipient gets one): %+v, %d, %v", ns, total, err)
	}
	if _, err := inbox.MarkRead(ctxOf(), bob, ns[0].ID); !errs.Is(err, errs.NotFound) {
		t.Fatalf("bob marks alice's message: %v", err)
	}
	if link, err := inbox.MarkRead(ctxOf(), alice, ns[0].ID); err != nil || link != "/appeals/1" {
		t.Fatalf("mark read: %q %v", link, err)
	}
	if n, _ := inbox.Unread(ctxOf(), alice); n != 0 {
		t.Fatalf("alice has %d unread", n)
	}
	if n, _ := inbox.Unread(ctxOf(), bob); n != 1 {
		t.Fatalf("bob has %d unread", n)
	}
}

func TestPublishOnlyToAConfiguredWebhookAndOnlyOnCommit(t *testing.T) {
	db := storetest.Open(t)
	count := func() int {
		var n int
		db.Read().QueryRow(ctxOf(), "SELECT COUNT(*) FROM outbox").Scan(&n)
		return n
	}
	publish := func(event string) error {
		return write(t, db, func(tx *store.Tx) error { return notify.Publish(ctxOf(), tx, event, map[string]any{"id": "1"}) })
	}
	if err := publish("appeal.dispatched"); err != nil || count() != 0 {
		t.Fatalf("without a webhook: %d rows, %v", count(), err)
	}
	if err := notify.SaveWebhook(ctxOf(), db, notify.Webhook{URL: "ftp://gateway"}); errs.As(err).Field != "url" {
		t.Fatalf("an ftp webhook: %v", err)
	}
	if err := notify.SaveWebhook(ctxOf(), db, notify.Webhook{URL: "http://gateway.local/hook", Events: []string{"appeal."}}); err != nil {
		t.Fatal(err)
	}
	if err := publish("appeal.dispatched"); err != nil || count() != 1 {
		t.Fatalf("with a webhook: %d rows, %v", count(), err)
	}
	if err := publish("case.accepted"); err != nil || count() != 1 {
		t.Fatalf("an event the webhook does not take: %d rows, %v", count(), err)
	}
	// A transaction that fails leaves no webhook behind.
	boom := errors.New("boom")
	err := db.Write(ctxOf(), func(tx *store.Tx) error {
		if err := notify.Publish(ctxOf(), tx, "appeal.replied", nil); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) || count() != 1 {
		t.Fatalf("rolled back: %d rows, %v", count(), err)
	}
}

// TestDeliveryRetriesWithBackoff sends two webhooks to a gateway that fails
// twice and then recovers: each failure waits twice as long as the last,
// and every event arrives exactly as queued, signed.
func TestDeliveryRetriesWithBackoff(t *testing.T) {
	db := storetest.Open(t)
	c := newClock(time.Date(2023, 3, 1, 2, 0, 0, 0, time.UTC))
	db.SetClock(c.now)
	var mu sync.Mutex
	fails := 2
	var got []notify.Envelope
	var sigs, ids []string
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if fails > 0 {
			fails--
			http.Error(w, "down", http.StatusBadGateway)
			return
		}
		b, _ := io.ReadAll(r.Body)
		var e notify.Envelope
		json.Unmarshal(b, &e)
		got = append(got, e)
		sigs = append(sigs, r.Header.Get("X-Xiaoer-Signature")+"|"+notify.Sign("s3cret", b))
		ids = append(ids, r.Header.Get("X-Xiaoer-Delivery"))
		w.WriteHeader(http.StatusNoContent)
	}))
	defer gw.Close()
	if err := notify.SaveWebhook(ctxOf(), db, notify.Webhook{URL: gw.URL, Secret: "s3cret"}); err != nil {
		t.Fatal(err)
	}
	for _, ev := range []string{"appeal.dispatched", "appeal.replied"} {
		if err := write(t, db, func(tx *store.Tx) error { return notify.Publish(ctxOf(), tx, ev, map[string]string{"no": ev}) }); err != nil {
			t.Fatal(err)
		}
	}
	d := &notify.Deliverer{DB: db, Client: &http.Client{Timeout: 2 * time.Second}, Backoff: time.Minute}
	run := func() (int, int) {
		t.Helper()
		sent, failed, err := d.Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return sent, failed
	}
	// Both fail at 02:00: the gateway is down. They wait a minute.
	if s, f := run(); s != 0 || f != 2 {
		t.Fatalf("first run: %d sent, %d failed", s, f)
	}
	if s, f := run(); s+f != 0 {
		t.Fatalf("nothing is due before the backoff ends: %d sent, %d failed", s, f)
	}
	c.add(time.Minute)
	// At 02:01 the gateway is back.
	if s, f := run(); s != 2 || f != 0 {
		t.Fatalf("after the backoff: %d sent, %d failed", s, f)
	}
	if len(got) != 2 || got[0].Event != "appeal.dispatched" || string(got[1].Data) != `{"no":"appeal.replied"}` {
		t.Fatalf("received %+v", got)
	}
	for _, s := range sigs {
		if s[:7] != "sha256=" || s[7:71] != s[72:] {
			t.Errorf("signature %s", s)
		}
	}
	items, _, _ := notify.Outbox(ctxOf(), db.Read(), false, 0, 10)
	for _, it := range items {
		if it.DeliveredAt == nil || it.Attempts != 2 || it.LastError != "" {
			t.Errorf("outbox row %+v", it)
		}
	}
	if ids[0] == ids[1] || ids[0] == "" {
		t.Errorf("delivery ids %v", ids)
	}
	// The secret never reaches the audit log or a read of the settings.
	recs, _ := audit.List(ctxOf(), db.Read(), audit.Filter{Action: "settings.save"})
	if len(recs) != 1 || strings.Contains(recs[0].Summary, "s3cret") || !strings.Contains(recs[0].Summary, "******") {
		t.Errorf("audit of the webhook settings: %+v", recs)
	}
	if s, f := run(); s+f != 0 {
		t.Fatalf("delivered webhooks went again: %d, %d", s, f)
	}
}

func TestBackoffDoublesUpToACap(t *testing.T) {
	d := &notify.Deliverer{Backoff: 30 * time.Second}
	for n, want := range map[int]time.Duration{1: 30 * time.Second, 2: time.Minute, 3: 2 * time.Minute, 8: 64 * time.Minute, 20: time.Hour} {
		if want > notify.MaxBackoff {
			want = notify.MaxBackoff
		}
		if got := d.Wait(n); got != want {
			t.Errorf("wait after failure %d = %s, want %s", n, got, want)
		}
	}
}

func TestGivenUpDeliveriesWaitForAnOperator(t *testing.T) {
	db := storetest.Open(t)
	c := newClock(time.Date(2023, 3, 1, 2, 0, 0, 0, time.UTC))
	db.SetClock(c.now)
	var up atomic.Bool
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !up.Load() {
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	defer gw.Close()
	notify.SaveWebhook(ctxOf(), db, notify.Webhook{URL: gw.URL})
	write(t, db, func(tx *store.Tx) error { return notify.Publish(ctxOf(), tx, "appeal.overdue", nil) })
	d := &notify.Deliverer{DB: db, MaxAttempts: 3, Backoff: time.Second}
	for range 5 {
		d.Run(context.Background())
		c.add(time.Hour)
	}
	items, _, _ := notify.Outbox(ctxOf(), db.Read(), true, 0, 10)
	if len(items) != 1 || items[0].Attempts != 3 || items[0].LastError != "HTTP 500" {
		t.Fatalf("after giving up: %+v", items)
	}
	up.Store(true)
	if err := notify.Retry(ctxOf(), db, items[0].ID); err != nil {
		t.Fatal(err)
	}
	if s, _, _ := d.Run(context.Background()); s != 1 {
		t.Fatalf("retried by hand: %d sent", s)
	}
	if err := notify.Retry(ctxOf(), db, items[0].ID); !errs.Is(err, errs.NotFound) {
		t.Fatalf("retrying a delivered webhook: %v", err)
	}
}
