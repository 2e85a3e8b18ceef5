package app_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"xiaoer/internal/app/apptest"
	"xiaoer/internal/audit"
)

func TestLoginAndMe(t *testing.T) {
	a := apptest.Start(t)
	c := a.As("admin")
	res := c.Get("/api/v1/me")
	if res.Status != 200 {
		t.Fatalf("me: %d %s", res.Status, res.Body)
	}
	var me struct {
		User struct {
			Username string   `json:"username"`
			Roles    []string `json:"roles"`
		} `json:"user"`
		Scope struct {
			OrgPath string `json:"org_path"`
		} `json:"scope"`
	}
	res.JSON(&me)
	if me.User.Username != "admin" || len(me.User.Roles) != 1 || me.User.Roles[0] != "sysadmin" || me.Scope.OrgPath == "" {
		t.Fatalf("me = %+v", me)
	}
	if res := a.Anonymous().Get("/api/v1/me"); res.Status != 401 || res.ErrorCode() != "unauthenticated" {
		t.Fatalf("anonymous me: %d %s", res.Status, res.Body)
	}
}

func TestWrongPasswordsLockTheAccount(t *testing.T) {
	a := apptest.Start(t)
	anon := a.Anonymous()
	login := func(pw string) *apptest.Response {
		return anon.Post("/api/v1/session", map[string]string{"username": "leader", "password": pw})
	}
	for i := 1; i <= 4; i++ {
		if res := login("wrong"); res.Status != 401 {
			t.Fatalf("attempt %d: %d %s", i, res.Status, res.Body)
		}
	}
	if res := login("wrong"); res.Status != 423 || res.ErrorCode() != "locked" {
		t.Fatalf("fifth wrong password: %d %s, want 423", res.Status, res.Body)
	}
	if res := login("demo"); res.Status != 423 {
		t.Fatalf("right password while locked: %d, want 423", res.Status)
	}
	a.Clock.Advance(15*time.Minute + time.Second)
	if res := login("demo"); res.Status != 200 {
		t.Fatalf("after 15 minutes: %d %s, want 200", res.Status, res.Body)
	}
	// Every attempt left an audit record, and the chain holds.
	recs, _ := audit.List(t.Context(), a.DB.Read(), audit.Filter{Username: "leader", Action: "login"})
	if len(recs) != 7 {
		t.Fatalf("%d login records for leader, want 7", len(recs))
	}
	if _, brk, err := audit.Verify(t.Context(), a.DB.Read(), nil); brk != nil || err != nil {
		t.Fatalf("chain: %v %v", brk, err)
	}
}

func TestUnknownUserLooksLikeWrongPassword(t *testing.T) {
	a := apptest.Start(t)
	res := a.Anonymous().Post("/api/v1/session", map[string]string{"username": "nobody", "password": "x"})
	if res.Status != 401 || res.ErrorMessage() != "用户名或密码错误" {
		t.Fatalf("%d %s", res.Status, res.Body)
	}
}

func TestSessionsExpire(t *testing.T) {
	a := apptest.Start(t)
	c := a.As("office")
	a.Clock.Advance(29 * time.Minute)
	if res := c.Get("/api/v1/me"); res.Status != 200 {
		t.Fatalf("after 29 idle minutes: %d", res.Status)
	}
	a.Clock.Advance(31 * time.Minute)
	if res := c.Get("/api/v1/me"); res.Status != 401 {
		t.Fatalf("after 31 idle minutes: %d, want 401", res.Status)
	}
	// A busy session still ends after 12 hours.
	c = a.As("office")
	for range 12 * 3 {
		a.Clock.Advance(20 * time.Minute)
		if res := c.Get("/api/v1/me"); res.Status != 200 && a.Clock.Now().Before(time.Now().Add(12*time.Hour-time.Minute)) {
			t.Fatalf("active session ended early: %d", res.Status)
		}
	}
	if res := c.Get("/api/v1/me"); res.Status != 401 {
		t.Fatalf("after 12 hours: %d, want 401", res.Status)
	}
}

func TestLogoutEndsTheSession(t *testing.T) {
	a := apptest.Start(t)
	c := a.As("leader")
	if res := c.Do("DELETE", "/api/v1/session", nil); res.Status != 204 {
		t.Fatalf("logout: %d", res.Status)
	}
	if res := c.Get("/api/v1/me"); res.Status != 401 {
		t.Fatalf("after logout: %d", res.Status)
	}
}

func TestDemoAccountsOnlyInDemoMode(t *testing.T) {
	a := apptest.Start(t)
	a.Auth.DemoMode = false
	res := a.Anonymous().Post("/api/v1/session", map[string]string{"username": "admin", "password": "demo"})
	if res.Status != 403 {
		t.Fatalf("demo login outside demo mode: %d %s", res.Status, res.Body)
	}
}

func countUsers(t *testing.T, a *apptest.App) int {
	var n int
	if err := a.DB.Read().QueryRow(t.Context(), "SELECT COUNT(*) FROM users").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestBadInputIsRefusedClearlyAndChangesNothing(t *testing.T) {
	a := apptest.Start(t)
	c := a.As("admin")
	var org int64
	a.DB.Read().QueryRow(t.Context(), "SELECT id FROM orgs WHERE kind = 'zone'").Scan(&org)
	before := countUsers(t, a)
	big := `{"username":"` + strings.Repeat("x", 11<<20) + `"}`
	for _, tc := range []struct {
		name, body  string
		status      int
		code, field string
		zh, en      string
	}{
		{"malformed", `{"username":`, 400, "invalid", "", "不完整", "cut short"},
		{"not JSON", `hello`, 400, "invalid", "", "不是有效的JSON", "not valid JSON"},
		{"unknown field", `{"username":"zhang3","nickname":"x"}`, 400, "invalid", "nickname", "不认识的字段", "Unknown field"},
		{"wrong type", `{"username":123}`, 400, "invalid", "username", "类型错误", "wrong type"},
		{"two values", `{"username":"a"}{"username":"b"}`, 400, "invalid", "", "只能包含一个", "exactly one"},
		{"weak password", `{"username":"zhang3","name":"张三","org_id":"` + itoa(org) + `","roles":["leader"],"password":"short"}`, 400, "invalid", "password", "密码", "password"},
		{"admin roles combined", `{"username":"zhang3","name":"张三","org_id":"` + itoa(org) + `","roles":["sysadmin","auditor"],"password":"Xiaoer#2023pass"}`, 400, "invalid", "roles", "三员分立", "separate"},
		{"missing org", `{"username":"zhang3","name":"张三","org_id":"99999","roles":["leader"],"password":"Xiaoer#2023pass"}`, 400, "invalid", "org_id", "组织", "org"},
		{"duplicate username", `{"username":"leader","name":"张三","org_id":"` + itoa(org) + `","roles":["leader"],"password":"Xiaoer#2023pass"}`, 409, "conflict", "username", "已被使用", "taken"},
		{"oversize", big, 413, "too_large", "", "10 MiB", "10 MiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, lang := range []string{"", "en"} {
				c.Lang = lang
				res := c.Post("/api/v1/users", tc.body)
				want := tc.zh
				if lang == "en" {
					want = tc.en
				}
				if res.Status != tc.status || res.ErrorCode() != tc.code || res.ErrorField() != tc.field || !strings.Contains(res.ErrorMessage(), want) {
					t.Errorf("lang %q: %d %s; want %d %s field %q containing %q", lang, res.Status, res.Body, tc.status, tc.code, tc.field, want)
				}
			}
			c.Lang = ""
		})
	}
	if after := countUsers(t, a); after != before {
		t.Fatalf("bad requests changed the users: %d → %d", before, after)
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestRolesGuardRoutes(t *testing.T) {
	a := apptest.Start(t)
	for _, tc := range []struct {
		user, method, path string
		status             int
	}{
		{"leader", "POST", "/api/v1/users", 403},
		{"auditor", "POST", "/api/v1/users", 403},
		{"security", "GET", "/api/v1/audit", 403},
		{"admin", "GET", "/api/v1/audit", 403},
		{"auditor", "GET", "/api/v1/audit", 200},
		{"admin", "PUT", "/api/v1/security/policy", 403},
		{"bank", "GET", "/api/v1/users", 403},
		{"office", "GET", "/api/v1/users", 200},
		{"leader", "GET", "/api/v1/orgs", 200},
		{"leader", "POST", "/api/v1/orgs", 403},
	} {
		res := a.As(tc.user).Do(tc.method, tc.path, "{}")
		if res.Status != tc.status {
			t.Errorf("%s %s %s: %d, want %d (%s)", tc.user, tc.method, tc.path, res.Status, tc.status, res.Body)
		}
	}
}

func TestCreateUserAndSignIn(t *testing.T) {
	a := apptest.Start(t)
	c := a.As("admin")
	var zone int64
	a.DB.Read().QueryRow(t.Context(), "SELECT id FROM orgs WHERE kind = 'zone'").Scan(&zone)
	res := c.Post("/api/v1/users", map[string]any{"username": "wang.wu", "name": "王五", "org_id": itoa(zone),
		"roles": []string{"leader"}, "phone": "13812345678", "password": "Dayehu#2023"})
	if res.Status != 201 {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	u := res.Map()
	if u["phone"] != "138****5678" {
		t.Fatalf("phone shown as %v, want masked", u["phone"])
	}
	// The phone number is stored encrypted.
	var raw []byte
	a.DB.Read().QueryRow(t.Context(), "SELECT phone_enc FROM users WHERE username = 'wang.wu'").Scan(&raw)
	if len(raw) == 0 || strings.Contains(string(raw), "13812345678") {
		t.Fatalf("phone stored as %q", raw)
	}
	w := a.Login("wang.wu", "Dayehu#2023")
	if res := w.Get("/api/v1/me"); res.Status != 200 {
		t.Fatalf("new user me: %d", res.Status)
	}
}

func TestCSRFGuardsCookieSessions(t *testing.T) {
	a := apptest.Start(t)
	c := a.BrowserLogin("office", "demo")
	body := map[string]any{"kind": "holiday", "name": "防汛"}
	if res := c.Do("PUT", "/api/v1/calendar/days/2023-07-12", body); res.Status != 403 {
		t.Fatalf("cookie PUT without token: %d, want 403", res.Status)
	}
	if res := c.Form("/calendar/days", map[string][]string{"date": {"2023-07-12"}, "kind": {"holiday"}}); res.Status != 403 {
		t.Fatalf("form post without token: %d, want 403", res.Status)
	}
	// With the session's token the same post goes through.
	var csrf string
	a.DB.Read().QueryRow(t.Context(), "SELECT csrf FROM sessions WHERE ended_at IS NULL ORDER BY id DESC LIMIT 1").Scan(&csrf)
	if res := c.Form("/calendar/days", map[string][]string{"date": {"2023-07-12"}, "kind": {"holiday"}, "csrf": {csrf}}); res.Status != 303 {
		t.Fatalf("form post with token: %d %s", res.Status, res.Body)
	}
}

func TestAPITokens(t *testing.T) {
	a := apptest.Start(t)
	admin := a.As("admin")
	var leader int64
	a.DB.Read().QueryRow(t.Context(), "SELECT id FROM users WHERE username = 'leader'").Scan(&leader)
	res := admin.Post("/api/v1/users/"+itoa(leader)+"/tokens", map[string]any{"name": "省平台对接"})
	if res.Status != 201 {
		t.Fatalf("issue: %d %s", res.Status, res.Body)
	}
	tok := res.Map()
	machine := a.Anonymous()
	machine.Token = tok["token"].(string)
	if res := machine.Get("/api/v1/me"); res.Status != 200 {
		t.Fatalf("token me: %d", res.Status)
	}
	if res := admin.Do("DELETE", "/api/v1/tokens/"+tok["id"].(string), nil); res.Status != 204 {
		t.Fatalf("revoke: %d", res.Status)
	}
	if res := machine.Get("/api/v1/me"); res.Status != 401 {
		t.Fatalf("revoked token: %d, want 401", res.Status)
	}
}

func TestSecurityPolicyOnlyTightens(t *testing.T) {
	a := apptest.Start(t)
	s := a.As("security")
	weak := map[string]int{"max_failures": 10, "lock_minutes": 15, "idle_minutes": 30, "absolute_hours": 12, "min_password_length": 10}
	if res := s.Do("PUT", "/api/v1/security/policy", weak); res.Status != 400 || res.ErrorField() != "max_failures" {
		t.Fatalf("weaker policy: %d %s", res.Status, res.Body)
	}
	strict := map[string]int{"max_failures": 3, "lock_minutes": 30, "idle_minutes": 15, "absolute_hours": 8, "min_password_length": 12}
	if res := s.Do("PUT", "/api/v1/security/policy", strict); res.Status != 200 {
		t.Fatalf("stricter policy: %d %s", res.Status, res.Body)
	}
	anon := a.Anonymous()
	for i := 0; i < 2; i++ {
		anon.Post("/api/v1/session", map[string]string{"username": "cadre", "password": "x"})
	}
	if res := anon.Post("/api/v1/session", map[string]string{"username": "cadre", "password": "x"}); res.Status != 423 {
		t.Fatalf("third failure under a 3-failure policy: %d", res.Status)
	}
}

func TestAuditorVerifiesTheChain(t *testing.T) {
	a := apptest.Start(t)
	res := a.As("auditor").Post("/api/v1/audit/verify", nil)
	if res.Status != 200 {
		t.Fatalf("%d %s", res.Status, res.Body)
	}
	v := res.Map()
	if v["ok"] != true || v["records"].(float64) < 10 {
		t.Fatalf("verify = %v", v)
	}
}

func TestCalendarAPI(t *testing.T) {
	a := apptest.Start(t)
	c := a.As("leader")
	if res := c.Get("/api/v1/calendar/deadline?from=2023-09-27&workdays=5"); res.Status != 200 || strings.TrimSpace(string(res.Body)) != `{"due":"2023-10-10"}` {
		t.Fatalf("deadline: %d %s", res.Status, res.Body)
	}
	if res := c.Get("/api/v1/calendar/deadline?from=2023-09-31&workdays=5"); res.Status != 400 || res.ErrorField() != "from" {
		t.Fatalf("bad date: %d %s", res.Status, res.Body)
	}
	var y struct {
		Holidays []string `json:"holidays"`
		Workdays []string `json:"workdays"`
	}
	c.Get("/api/v1/calendar/2023").JSON(&y)
	if len(y.Workdays) != 7 || y.Workdays[0] != "2023-01-28" {
		t.Fatalf("2023 make-up days = %v", y.Workdays)
	}
	// A local holiday moves deadlines at once.
	o := a.As("office")
	if res := o.Do("PUT", "/api/v1/calendar/days/2023-09-28", map[string]string{"kind": "holiday", "name": "本地调整"}); res.Status != 200 {
		t.Fatalf("set day: %d %s", res.Status, res.Body)
	}
	if res := c.Get("/api/v1/calendar/deadline?from=2023-09-27&workdays=5"); strings.TrimSpace(string(res.Body)) != `{"due":"2023-10-11"}` {
		t.Fatalf("deadline after local holiday: %s", res.Body)
	}
	if res := c.Do("PUT", "/api/v1/calendar/days/2023-09-29", map[string]string{"kind": "holiday"}); res.Status != 403 {
		t.Fatalf("leader edits calendar: %d", res.Status)
	}
}

func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	a := apptest.Start(t)
	res := a.Anonymous().Get("/api/v1/openapi.json")
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	res.JSON(&doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi = %q", doc.OpenAPI)
	}
	n := 0
	for _, r := range a.Routes() {
		if !strings.HasPrefix(r.Path, "/api/") {
			continue
		}
		n++
		if _, ok := doc.Paths[r.Path][strings.ToLower(r.Method)]; !ok {
			t.Errorf("%s %s is not in the OpenAPI document", r.Method, r.Path)
		}
		if r.Summary == "" {
			t.Errorf("%s %s has no summary", r.Method, r.Path)
		}
	}
	if n < 20 {
		t.Fatalf("only %d API routes", n)
	}
}

func TestHealthAndMetrics(t *testing.T) {
	a := apptest.Start(t)
	c := a.Anonymous()
	if res := c.Get("/healthz"); res.Status != 200 {
		t.Fatalf("healthz: %d", res.Status)
	}
	a.As("leader").Get("/api/v1/me")
	res := c.Get("/metrics")
	if !strings.Contains(string(res.Body), `xiaoer_http_requests_total{route="GET /api/v1/me",code="200"} 1`) {
		t.Fatalf("metrics lack the request:\n%s", res.Body)
	}
}

func TestNotFound(t *testing.T) {
	a := apptest.Start(t)
	c := a.As("leader")
	if res := c.Get("/api/v1/nothing"); res.Status != 404 || res.ErrorCode() != "not_found" {
		t.Fatalf("api 404: %d %s", res.Status, res.Body)
	}
	if res := c.Get("/api/v1/users/abc"); res.Status != 404 {
		t.Fatalf("bad id: %d", res.Status)
	}
}

func TestPagesRenderInBothLanguages(t *testing.T) {
	a := apptest.Start(t)
	for _, tc := range []struct {
		user, path, zh, en string
	}{
		{"admin", "/", "您好", "Hello"},
		{"admin", "/users", "用户管理", "Users"},
		{"admin", "/users/new", "新建用户", "New user"},
		{"admin", "/orgs", "组织机构", "Organisations"},
		{"auditor", "/audit", "审计日志", "Audit log"},
		{"security", "/security", "安全策略", "Security policy"},
		{"office", "/calendar", "工作日历", "Working calendar"},
		{"leader", "/account", "我的账号", "My account"},
	} {
		c := a.BrowserLogin(tc.user, "demo")
		for lang, want := range map[string]string{"": tc.zh, "en": tc.en} {
			c.Lang = lang
			res := c.Page(tc.path)
			if res.Status != http.StatusOK || !strings.Contains(string(res.Body), want) {
				t.Errorf("%s %s (lang %q): %d, missing %q", tc.user, tc.path, lang, res.Status, want)
			}
		}
	}
	anon := a.Anonymous()
	if res := anon.Page("/users"); res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login?next=") {
		t.Fatalf("anonymous page: %d %s", res.Status, res.Header.Get("Location"))
	}
	if res := anon.Page("/login"); !strings.Contains(string(res.Body), "演示账号") {
		t.Fatal("the login page does not list the demo accounts")
	}
	if res := a.BrowserLogin("leader", "demo").Page("/users"); res.Status != http.StatusForbidden {
		t.Fatalf("leader on /users: %d", res.Status)
	}
}

// TestListLinksKeepTheirFilters: the export and next-page links of a
// filtered list carry the filters as a real query string.
func TestListLinksKeepTheirFilters(t *testing.T) {
	a := apptest.Start(t)
	body := string(a.BrowserLogin("admin", "demo").Page("/users?role=leader&limit=1").Body)
	if !strings.Contains(body, `href="/api/v1/users?role=leader&amp;format=xlsx"`) {
		t.Errorf("the export link lost its filter")
	}
	if !strings.Contains(body, `href="?role=leader&amp;cursor=`) {
		t.Errorf("the next-page link lost its filter")
	}
	dash := string(a.BrowserLogin("leader", "demo").Page("/dashboard?from=2023-01-01&to=2023-03-31").Body)
	if !strings.Contains(dash, `href="/reports/brief?from=2023-01-01&amp;to=2023-03-31"`) {
		t.Errorf("the dashboard's report link lost its period")
	}
}
