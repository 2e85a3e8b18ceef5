package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/i18n"
	"xiaoer/internal/money"
)

//go:embed templates/*.html
var baseTemplates embed.FS

//go:embed static
var staticFiles embed.FS

// NavItem is one link of the navigation, shown to the roles it allows.
type NavItem struct {
	Group string // i18n key of the heading it sits under
	Key   string // i18n key of its label
	Path  string
	Allow Allow
	Order int
}

// NavGroup is a heading with its links, as a page shows them.
type NavGroup struct {
	Label string
	Items []NavLink
}

// NavLink is a link as a page shows it.
type NavLink struct {
	Label  string
	Path   string
	Active bool
}

// View is what every page template receives.
type View struct {
	Lang   i18n.Lang
	Title  string
	User   *access.Principal
	CSRF   string
	Nav    []NavGroup
	Path   string
	Query  string
	Flash  string
	Demo   bool
	Zone   string
	Now    time.Time
	Status int
	Data   any
}

// T translates a catalog key in the view's language.
func (v *View) T(key string) string { return i18n.Tr(v.Lang, key) }

// UI renders the server-side pages. Templates are parsed once, at start-up;
// a page that fails to parse stops the start.
type UI struct {
	Zone i18n.Text
	Demo bool

	mu      sync.Mutex
	nav     []NavItem
	sources []fs.FS
	pages   map[string]*template.Template
	assets  map[string]string // file → content hash for cache busting
}

// NewUI returns a UI with the base layout.
func NewUI(zone i18n.Text) *UI {
	return &UI{Zone: zone, sources: []fs.FS{mustSub(baseTemplates, "templates")}}
}

func mustSub(f fs.FS, dir string) fs.FS {
	s, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return s
}

// AddTemplates adds a module's page templates: every *.html at the root of
// fsys is a page named after its file, defining "title" and "content".
func (u *UI) AddTemplates(fsys fs.FS) { u.sources = append(u.sources, fsys) }

// AddNav adds navigation links.
func (u *UI) AddNav(items ...NavItem) { u.nav = append(u.nav, items...) }

// Parse parses every page. Names must be unique across modules.
func (u *UI) Parse() error {
	base := template.New("base").Funcs(u.funcs())
	if _, err := base.ParseFS(u.sources[0], "*.html"); err != nil {
		return fmt.Errorf("web: base templates: %w", err)
	}
	u.pages = map[string]*template.Template{}
	for _, src := range u.sources[1:] {
		names, err := fs.Glob(src, "*.html")
		if err != nil {
			return err
		}
		for _, n := range names {
			name := strings.TrimSuffix(n, ".html")
			if _, dup := u.pages[name]; dup {
				return fmt.Errorf("web: two pages named %s", name)
			}
			t, err := base.Clone()
			if err != nil {
				return err
			}
			if _, err := t.ParseFS(src, n); err != nil {
				return fmt.Errorf("web: page %s: %w", name, err)
			}
			u.pages[name] = t
		}
	}
	// The error page lives with the layout.
	t, _ := base.Clone()
	u.pages["error"] = t
	u.assets = map[string]string{}
	fs.WalkDir(staticFiles, "static", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := staticFiles.ReadFile(p)
			sum := sha256.Sum256(b)
			u.assets[strings.TrimPrefix(p, "static/")] = hex.EncodeToString(sum[:4])
		}
		return nil
	})
	return nil
}

// HasPage reports whether a page template exists (tests).
func (u *UI) HasPage(name string) bool { _, ok := u.pages[name]; return ok }

// Render writes the page with status 200.
func (u *UI) Render(w http.ResponseWriter, r *http.Request, page string, title i18n.Text, data any) error {
	return u.RenderStatus(w, r, http.StatusOK, page, title, data)
}

// RenderStatus writes the page with status.
func (u *UI) RenderStatus(w http.ResponseWriter, r *http.Request, status int, page string, title i18n.Text, data any) error {
	t, ok := u.pages[page]
	if !ok {
		return fmt.Errorf("web: no page %s", page)
	}
	v := u.view(w, r, title.In(i18n.From(r.Context())), data)
	v.Status = status
	var buf bytes.Buffer
	entry := "layout"
	if page == "error" {
		entry = "error-page"
	}
	if err := t.ExecuteTemplate(&buf, entry, v); err != nil {
		return fmt.Errorf("web: render %s: %w", page, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// RenderError shows an error page with the message.
func (u *UI) RenderError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	title := i18n.T("出错了", "Something went wrong")
	if err := u.RenderStatus(w, r, status, "error", title, msg); err != nil {
		slog.Error("render error page", "err", err)
		http.Error(w, msg, status)
	}
}

func (u *UI) view(w http.ResponseWriter, r *http.Request, title string, data any) *View {
	lang := i18n.From(r.Context())
	v := &View{Lang: lang, Title: title, Path: r.URL.Path, Query: r.URL.RawQuery, Demo: u.Demo,
		Zone: u.Zone.In(lang), Now: time.Now(), Data: data}
	if id := IdentityOf(r); id != nil {
		v.User, v.CSRF = id.Principal, id.CSRF
	}
	v.Nav = u.navFor(v.User, lang, r.URL.Path)
	if c, err := r.Cookie(flashCookie); err == nil {
		if b, err := base64.RawURLEncoding.DecodeString(c.Value); err == nil {
			v.Flash = i18n.Tr(lang, string(b))
		}
		http.SetCookie(w, &http.Cookie{Name: flashCookie, Path: "/", MaxAge: -1})
	}
	return v
}

func (u *UI) navFor(p *access.Principal, lang i18n.Lang, current string) []NavGroup {
	if p == nil {
		return nil
	}
	items := slices.Clone(u.nav)
	slices.SortStableFunc(items, func(a, b NavItem) int { return a.Order - b.Order })
	var groups []NavGroup
	index := map[string]int{}
	best := ""
	for _, it := range items {
		if it.Allow.Permits(p) && (current == it.Path || strings.HasPrefix(current, strings.TrimSuffix(it.Path, "/")+"/")) && len(it.Path) > len(best) {
			best = it.Path
		}
	}
	for _, it := range items {
		if !it.Allow.Permits(p) {
			continue
		}
		gi, ok := index[it.Group]
		if !ok {
			gi = len(groups)
			index[it.Group] = gi
			groups = append(groups, NavGroup{Label: i18n.Tr(lang, it.Group)})
		}
		groups[gi].Items = append(groups[gi].Items, NavLink{Label: i18n.Tr(lang, it.Key), Path: it.Path, Active: it.Path == best})
	}
	return groups
}

const flashCookie = "xiaoer_flash"

// Flash leaves a one-time message (a catalog key) for the next page.
func Flash(w http.ResponseWriter, key string) {
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: base64.RawURLEncoding.EncodeToString([]byte(key)),
		Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: 60})
}

func (u *UI) funcs() template.FuncMap {
	return template.FuncMap{
		"t":  func(l i18n.Lang, key string) string { return i18n.Tr(l, key) },
		"tx": func(l i18n.Lang, t i18n.Text) string { return t.In(l) },
		"money": func(l i18n.Lang, fen int64) string {
			if l == i18n.EN {
				return money.FormatEn(fen)
			}
			return money.Format(fen)
		},
		"yuan": money.Yuan2,
		"date": func(d civil.Date) string { return d.String() },
		"datetime": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(civil.Zone).Format("2006-01-02 15:04")
		},
		"role": func(l i18n.Lang, r access.Role) string { return r.Label().In(l) },
		"deref": func(t *time.Time) time.Time {
			if t == nil {
				return time.Time{}
			}
			return *t
		},
		"add": func(a, b int) int { return a + b },
		"pct": func(v any) string {
			switch x := v.(type) {
			case float64:
				return fmt.Sprintf("%.1f%%", x*100)
			case *float64:
				if x == nil {
					return "—"
				}
				return fmt.Sprintf("%.1f%%", *x*100)
			}
			return "—"
		},
		"asset": func(name string) string {
			return "/static/" + name + "?v=" + u.assets[name]
		},
		"json": func(v any) (string, error) {
			b, err := json.Marshal(v)
			return string(b), err
		},
		"dict": func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return m
		},
		"list": func(v ...any) []any { return v },
		"seq": func(n int) []int {
			s := make([]int, n)
			for i := range s {
				s[i] = i
			}
			return s
		},
		"langSwitch": func(l i18n.Lang) string {
			if l == i18n.EN {
				return "zh-CN"
			}
			return "en"
		},
	}
}

// StaticHandler serves the embedded static files with long cache lifetimes
// (their URLs carry a content hash).
func (u *UI) StaticHandler() Handler {
	sub := mustSub(staticFiles, "static")
	fsrv := http.FileServerFS(sub)
	return func(w http.ResponseWriter, r *http.Request) error {
		name := strings.TrimPrefix(r.URL.Path, "/static/")
		if _, ok := u.assets[path.Clean(name)]; !ok {
			http.NotFound(w, r)
			return nil
		}
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/" + name
		fsrv.ServeHTTP(w, r2)
		return nil
	}
}

// LangHandler switches the page language and goes back to where the user was.
func LangHandler(w http.ResponseWriter, r *http.Request) error {
	l := i18n.Parse(r.URL.Query().Get("to"))
	http.SetCookie(w, &http.Cookie{Name: i18n.CookieName, Value: string(l), Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode})
	next := r.URL.Query().Get("next")
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		next = "/"
	}
	Redirect(w, r, next)
	return nil
}
