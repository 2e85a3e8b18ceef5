package app

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"runtime"
	"time"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/i18n"
	"xiaoer/internal/platform"
	"xiaoer/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

func templatesFS() fs.FS { s, _ := fs.Sub(templates, "templates"); return s }

var started = time.Now()

// platformRoutes are the routes of the platform itself.
func (a *App) platformRoutes() []web.Route {
	return []web.Route{
		web.Handle("GET /{$}", web.SignedIn, a.home),
		web.Handle("GET /healthz", web.Public, a.healthz).Doc("健康检查：数据库可用时返回200", nil, Health{}),
		web.Handle("GET /metrics", web.Public, func(w http.ResponseWriter, r *http.Request) error {
			a.Server.Metrics.ServeHTTP(w, r)
			return nil
		}),
		web.Handle("GET /api/v1/openapi.json", web.Public, a.openapi).Doc("本接口的OpenAPI 3文档", nil, nil),
		web.Handle("GET /static/{file...}", web.Public, a.UI.StaticHandler()),
		web.Handle("GET /lang", web.Public, web.LangHandler),
	}
}

// Health is the answer of /healthz.
type Health struct {
	Status   string `json:"status"`
	Database string `json:"database"`
	Version  string `json:"version"`
}

func (a *App) healthz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	h := Health{Status: "ok", Database: a.DB.Dialect.String(), Version: Version}
	var one int
	if err := a.DB.Read().QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
		h.Status = "unavailable"
		return web.JSON(w, http.StatusServiceUnavailable, h)
	}
	return web.OK(w, h)
}

func (a *App) openapi(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(web.OpenAPI(a.Server.Routes(), Version))
}

func (a *App) collectMetrics(w io.Writer) {
	ws, rs := a.DB.Stats()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	fmt.Fprintln(w, "# TYPE xiaoer_db_connections gauge")
	fmt.Fprintf(w, "xiaoer_db_connections{pool=\"writer\",state=\"in_use\"} %d\n", ws.InUse)
	fmt.Fprintf(w, "xiaoer_db_connections{pool=\"reader\",state=\"in_use\"} %d\n", rs.InUse)
	fmt.Fprintf(w, "xiaoer_db_connections{pool=\"reader\",state=\"idle\"} %d\n", rs.Idle)
	fmt.Fprintln(w, "# TYPE xiaoer_db_wait_seconds_total counter")
	fmt.Fprintf(w, "xiaoer_db_wait_seconds_total{pool=\"writer\"} %g\n", ws.WaitDuration.Seconds())
	fmt.Fprintf(w, "xiaoer_db_wait_seconds_total{pool=\"reader\"} %g\n", rs.WaitDuration.Seconds())
	fmt.Fprintln(w, "# TYPE xiaoer_go_goroutines gauge")
	fmt.Fprintf(w, "xiaoer_go_goroutines %d\n", runtime.NumGoroutine())
	fmt.Fprintln(w, "# TYPE xiaoer_go_heap_bytes gauge")
	fmt.Fprintf(w, "xiaoer_go_heap_bytes %d\n", m.HeapAlloc)
	fmt.Fprintln(w, "# TYPE xiaoer_uptime_seconds gauge")
	fmt.Fprintf(w, "xiaoer_uptime_seconds %g\n", time.Since(started).Seconds())
	var seq int64
	if a.DB.Read().QueryRow(context.Background(), "SELECT seq FROM audit_head WHERE id = 1").Scan(&seq) == nil {
		fmt.Fprintln(w, "# TYPE xiaoer_audit_records gauge")
		fmt.Fprintf(w, "xiaoer_audit_records %d\n", seq)
	}
}

// Card is one figure on a home page.
type Card = platform.Card

// homeCards are the figures each role sees first. Modules add theirs here as
// they land.
func (a *App) homeCards(ctx context.Context, p *access.Principal, lang i18n.Lang) []Card {
	var cards []Card
	count := func(q string, args ...any) string {
		var n int
		if err := a.DB.Read().QueryRow(ctx, q, args...).Scan(&n); err != nil {
			return "—"
		}
		return fmt.Sprint(n)
	}
	now := a.DB.Now()
	today := civil.Of(now).Time().UTC()
	if p.Has(access.Sysadmin, access.Secadmin) {
		cards = append(cards,
			Card{Label: i18n.T("用户", "Users").In(lang), Value: count("SELECT COUNT(*) FROM users WHERE disabled = FALSE"), Href: "/users"},
			Card{Label: i18n.T("锁定中的账号", "Locked accounts").In(lang), Value: count("SELECT COUNT(*) FROM users WHERE locked_until > ?", now.UTC()), Href: "/users?locked=true", Tone: "yellow"},
		)
	}
	if p.Has(access.Sysadmin) {
		cards = append(cards, Card{Label: i18n.T("组织机构", "Organisations").In(lang), Value: count("SELECT COUNT(*) FROM orgs"), Href: "/orgs"})
	}
	if p.Has(access.Secadmin, access.Auditor) {
		cards = append(cards, Card{Label: i18n.T("今日登录失败", "Failed logins today").In(lang),
			Value: count("SELECT COUNT(*) FROM audit_log WHERE action = 'login' AND outcome <> 'ok' AND at >= ?", today),
			Href:  "/audit?action=login&outcome=failed", Tone: "red"})
	}
	if p.Has(access.Auditor) {
		cards = append(cards, Card{Label: i18n.T("审计记录", "Audit records").In(lang), Value: count("SELECT seq FROM audit_head WHERE id = 1"), Href: "/audit"})
	}
	for _, m := range a.modules {
		if m.Home != nil {
			cards = append(cards, m.Home(ctx, p, lang)...)
		}
	}
	return cards
}

func (a *App) home(w http.ResponseWriter, r *http.Request) error {
	p := web.Principal(r)
	lang := i18n.From(r.Context())
	return a.UI.Render(w, r, "home", i18n.T("首页", "Home"), map[string]any{
		"Cards": a.homeCards(r.Context(), p, lang),
		"Today": civil.Of(a.DB.Now()),
	})
}
