// Package apptest boots a whole xiaoer — real database, real HTTP server,
// the demo zone — for tests, and speaks to it as its users do.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"xiaoer/internal/app"
	"xiaoer/internal/store/storetest"
)

// Clock is a settable clock for tests of time limits and expiry.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Set sets the clock.
func (c *Clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// App is a running xiaoer under test.
type App struct {
	*app.App
	URL   string
	Clock *Clock
	t     testing.TB
}

// Options adjust the app under test.
type Options struct {
	NoDemo bool      // start empty instead of with the demo zone
	Now    time.Time // start the clock here (default: the real time)
}

// Start boots xiaoer on a fresh database (SQLite, or PostgreSQL when
// XIAOER_TEST_PG is set) with the demo zone, behind an httptest server.
func Start(t testing.TB, opts ...Options) *App {
	t.Helper()
	if !testing.Verbose() {
		slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	}
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	// The demo is loaded on today's clock, as a real start would; a test
	// that needs another day moves the clock once the zone is built.
	clock := &Clock{t: time.Now()}
	dsn, getenv := storetest.DSN(t), func(string) string { return "" }
	if !o.NoDemo {
		dsn, getenv = demoDSN(t), templateEnv
	}
	a, err := app.Open(context.Background(), app.Config{
		DB:      dsn,
		DataDir: t.TempDir(),
		Demo:    !o.NoDemo,
		Getenv:  getenv,
		Now:     clock.Now,
	})
	if err != nil {
		t.Fatalf("start xiaoer: %v", err)
	}
	if !o.Now.IsZero() {
		clock.Set(o.Now)
	}
	srv := httptest.NewServer(a.Server)
	t.Cleanup(func() {
		srv.Close()
		a.Close()
	})
	return &App{App: a, URL: srv.URL, Clock: clock, t: t}
}

// Client is one user's conversation with the app.
type Client struct {
	app   *App
	http  *http.Client
	Token string
	CSRF  string
	Lang  string
}

// Anonymous returns a client that is not signed in.
func (a *App) Anonymous() *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{app: a, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Login signs in through the API and returns a client using the bearer token.
func (a *App) Login(username, password string) *Client {
	a.t.Helper()
	c := a.Anonymous()
	res := c.Do("POST", "/api/v1/session", map[string]string{"username": username, "password": password})
	if res.Status != http.StatusOK {
		a.t.Fatalf("login %s: %d %s", username, res.Status, res.Body)
	}
	var s struct {
		Token string `json:"token"`
		CSRF  string `json:"csrf_token"`
	}
	res.JSON(&s)
	c.Token, c.CSRF = s.Token, s.CSRF
	return c
}

// As signs in a demo account.
func (a *App) As(username string) *Client { return a.Login(username, "demo") }

// Response is what came back.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	t      testing.TB
}

// JSON decodes the body into v.
func (r *Response) JSON(v any) {
	r.t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		r.t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// CSRF returns the anti-forgery token of the page in the response ("" if
// the page has no form).
func (r *Response) CSRF() string {
	m := csrfField.FindSubmatch(r.Body)
	if m == nil {
		return ""
	}
	return string(m[1])
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// Map decodes the body as a JSON object.
func (r *Response) Map() map[string]any {
	var m map[string]any
	r.JSON(&m)
	return m
}

// ErrorCode returns error.code of an error body.
func (r *Response) ErrorCode() string {
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
			Field   string `json:"field"`
		} `json:"error"`
	}
	json.Unmarshal(r.Body, &e)
	return e.Error.Code
}

// ErrorField returns error.field of an error body.
func (r *Response) ErrorField() string {
	var e struct {
		Error struct {
			Field string `json:"field"`
		} `json:"error"`
	}
	json.Unmarshal(r.Body, &e)
	return e.Error.Field
}

// ErrorMessage returns error.message of an error body.
func (r *Response) ErrorMessage() string {
	var e struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	json.Unmarshal(r.Body, &e)
	return e.Error.Message
}

// Do sends a request; body may be nil, a string/[]byte (sent as is) or a
// value (sent as JSON).
func (c *Client) Do(method, path string, body any) *Response {
	c.app.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			c.app.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, c.app.URL+path, rd)
	if err != nil {
		c.app.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	if c.Lang != "" {
		req.Header.Set("Accept-Language", c.Lang)
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.app.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return &Response{Status: res.StatusCode, Header: res.Header, Body: b, t: c.app.t}
}

// Get is Do("GET", path, nil).
func (c *Client) Get(path string) *Response { return c.Do("GET", path, nil) }

// Post is Do("POST", path, body).
func (c *Client) Post(path string, body any) *Response { return c.Do("POST", path, body) }

// Form posts an HTML form with the cookie session, adding the session's
// CSRF token unless the form carries a csrf field of its own.
func (c *Client) Form(path string, form map[string][]string) *Response {
	c.app.t.Helper()
	vals := url.Values{}
	for k, v := range form {
		vals[k] = v
	}
	if _, ok := vals["csrf"]; !ok && c.CSRF != "" {
		vals.Set("csrf", c.CSRF)
	}
	body := vals.Encode()
	req, _ := http.NewRequest("POST", c.app.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if c.Lang != "" {
		req.Header.Set("Accept-Language", c.Lang)
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.app.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return &Response{Status: res.StatusCode, Header: res.Header, Body: b, t: c.app.t}
}

// Page fetches a page with the cookie session.
func (c *Client) Page(path string) *Response {
	c.app.t.Helper()
	req, _ := http.NewRequest("GET", c.app.URL+path, nil)
	if c.Lang != "" {
		req.Header.Set("Accept-Language", c.Lang)
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.app.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return &Response{Status: res.StatusCode, Header: res.Header, Body: b, t: c.app.t}
}

// BrowserLogin signs in through the login form, as a browser does, and
// returns the client with its session cookie; CSRF is read from the session.
func (a *App) BrowserLogin(username, password string) *Client {
	a.t.Helper()
	c := a.Anonymous()
	res := c.Form("/login", map[string][]string{"username": {username}, "password": {password}})
	if res.Status != http.StatusSeeOther {
		a.t.Fatalf("form login %s: %d", username, res.Status)
	}
	me := c.Get("/api/v1/me")
	if me.Status != http.StatusOK {
		a.t.Fatalf("cookie session does not work: %d", me.Status)
	}
	c.CSRF = c.Page("/account").CSRF()
	return c
}
