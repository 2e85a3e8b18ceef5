package web

import (
	"context"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"xiaoer/internal/access"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
)

// Identity is who a request comes from and how it proved it.
type Identity struct {
	Principal *access.Principal
	CSRF      string // the session's anti-forgery token; "" for API tokens
	Cookie    bool   // signed in by the session cookie (a browser)
}

// Authenticator finds the identity of a request. It returns (nil, nil) when
// the request carries no credentials, and an error when it carries ones
// that are no longer good (an expired session): the route decides whether
// that matters.
type Authenticator func(r *http.Request) (*Identity, error)

type identityKey struct{}

// IdentityOf returns the identity of the request, or nil.
func IdentityOf(r *http.Request) *Identity {
	id, _ := r.Context().Value(identityKey{}).(*Identity)
	return id
}

// Principal returns the principal of the request (nil when anonymous).
func Principal(r *http.Request) *access.Principal { return access.From(r.Context()) }

// CSRFHeader carries the anti-forgery token on API calls made by a browser
// session; form posts carry it in the field CSRFField.
const (
	CSRFHeader = "X-CSRF-Token"
	CSRFField  = "csrf"
)

// Server is xiaoer's HTTP handler: the route table behind the middleware.
type Server struct {
	routes  []Route
	handler http.Handler
	auth    Authenticator
	ui      *UI
	Metrics *Metrics
}

// NewServer builds the handler for routes. Two routes with one pattern are
// an error, found at start-up.
func NewServer(routes []Route, auth Authenticator, ui *UI) (srv *Server, err error) {
	s := &Server{routes: routes, auth: auth, ui: ui, Metrics: NewMetrics()}
	mux := http.NewServeMux()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("web: %v", r)
		}
	}()
	for _, rt := range routes {
		mux.Handle(rt.Method+" "+rt.Path, s.wrap(rt))
	}
	mux.Handle("/", s.wrap(Route{Path: "/", Allow: Public, Handler: s.notFound}))
	var h http.Handler = mux
	h = http.NewCrossOriginProtection().Handler(h)
	h = s.authenticate(h)
	h = withLang(h)
	h = securityHeaders(h)
	h = s.observe(h)
	s.handler = h
	return s, nil
}

// Routes returns the route table.
func (s *Server) Routes() []Route { return s.routes }

// ServeHTTP serves a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) error {
	return errs.NotFoundf("页面不存在：%s", "Page not found: %s", r.URL.Path)
}

// wrap applies the route's body limit, sign-in, role and anti-forgery
// checks, and renders the handler's error.
func (s *Server) wrap(rt Route) http.Handler {
	limit := rt.MaxBody
	if limit == 0 {
		limit = DefaultMaxBody
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		if info, ok := r.Context().Value(infoKey{}).(*reqInfo); ok {
			info.route = rt.Method + " " + rt.Path
			if rt.Path == "/" {
				info.route = "unmatched"
			}
			if p := access.From(r.Context()); p != nil {
				info.user = p.Username
			}
		}
		err := s.check(rt, r)
		if err == nil {
			err = rt.Handler(w, r)
		}
		if err != nil {
			s.fail(w, r, rt.IsAPI() || strings.HasPrefix(r.URL.Path, "/api/"), err)
		}
	})
}

func (s *Server) check(rt Route, r *http.Request) error {
	if rt.Allow.public {
		return nil
	}
	id := IdentityOf(r)
	if id == nil {
		if err, ok := r.Context().Value(authErrKey{}).(error); ok {
			return err
		}
		return errs.New(errs.Unauthenticated, "", i18n.T("请先登录", "Please sign in"))
	}
	if !rt.Allow.Permits(id.Principal) {
		return errs.Forbiddenf("您的角色无权访问此功能", "Your role may not use this function")
	}
	if id.Cookie && unsafeMethod(r.Method) {
		token := r.Header.Get(CSRFHeader)
		if token == "" && !rt.IsAPI() {
			token = r.PostFormValue(CSRFField)
		}
		if subtle.ConstantTimeCompare([]byte(token), []byte(id.CSRF)) != 1 || id.CSRF == "" {
			return errs.Forbiddenf("表单已失效，请刷新页面后重试", "The form has expired; reload the page and try again")
		}
	}
	return nil
}

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

// fail renders err: JSON for the API, a page (or the login page) otherwise.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, api bool, err error) {
	if api || s.ui == nil {
		WriteError(w, r, err)
		return
	}
	e := errs.As(err)
	if e.Code == errs.Unauthenticated {
		Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()))
		return
	}
	if e.Code == errs.Internal {
		slog.ErrorContext(r.Context(), "internal error", "method", r.Method, "path", r.URL.Path, "err", e.Err)
	}
	s.ui.RenderError(w, r, StatusOf(e), e.Msg.In(i18n.From(r.Context())))
}

type authErrKey struct{}

func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := access.WithClientIP(r.Context(), ClientIP(r))
		if s.auth != nil {
			id, err := s.auth(r)
			switch {
			case err != nil:
				ctx = context.WithValue(ctx, authErrKey{}, err)
			case id != nil:
				ctx = context.WithValue(ctx, identityKey{}, id)
				ctx = access.With(ctx, id.Principal)
			}
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// ClientIP returns the address of the client that opened the connection.
func ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func withLang(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l := i18n.FromRequest(r)
		w.Header().Set("Content-Language", string(l))
		next.ServeHTTP(w, r.WithContext(i18n.With(r.Context(), l)))
	})
}

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// recorder remembers the status a handler wrote.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *recorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// reqInfo is filled in by the inner layers for the outer one to log.
type reqInfo struct {
	route string
	user  string
}

type infoKey struct{}

// observe logs each request, counts it for /metrics and turns a panic into
// a 500 that keeps the server up.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w}
		info := &reqInfo{route: "unmatched"}
		r = r.WithContext(context.WithValue(r.Context(), infoKey{}, info))
		defer func() {
			if p := recover(); p != nil {
				slog.ErrorContext(r.Context(), "panic", "path", r.URL.Path, "panic", p, "stack", string(debug.Stack()))
				if rec.status == 0 {
					WriteError(rec, r.WithContext(i18n.With(r.Context(), i18n.FromRequest(r))), errs.Wrap(fmt.Errorf("panic: %v", p), "handler"))
				}
			}
			d := time.Since(start)
			s.Metrics.observe(info.route, rec.status, d)
			if !strings.HasPrefix(r.URL.Path, "/static/") && r.URL.Path != "/metrics" && r.URL.Path != "/healthz" {
				slog.InfoContext(r.Context(), "request", "method", r.Method, "path", r.URL.Path, "status", rec.status,
					"ms", float64(d.Microseconds())/1000, "bytes", rec.bytes, "user", info.user, "ip", ClientIP(r))
			}
		}()
		next.ServeHTTP(rec, r)
	})
}

// Redirect answers a form post or a page request with 303 See Other.
func Redirect(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// PathID reads the {name} path value as an id; anything else is a 404.
func PathID(r *http.Request, name string) (int64, error) {
	var id int64
	s := r.PathValue(name)
	if _, err := fmt.Sscan(s, &id); err != nil || id <= 0 || fmt.Sprint(id) != s {
		return 0, errs.ErrNotFound
	}
	return id, nil
}
