package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"xiaoer/internal/platform"

	"github.com/chromedp/chromedp"

	"xiaoer/internal/access"
	"xiaoer/internal/app/apptest"
	"xiaoer/internal/appeal"
	"xiaoer/internal/civil"
	"xiaoer/internal/enterprise"
	"xiaoer/internal/i18n"
	"xiaoer/internal/rollup"
	"xiaoer/internal/store"
)

func queryID(t *testing.T, a *apptest.App, q string, args ...any) int64 {
	t.Helper()
	var id int64
	if err := a.DB.Read().QueryRow(t.Context(), q, args...).Scan(&id); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return id
}

func deptID(t *testing.T, a *apptest.App, name string) int64 {
	return queryID(t, a, "SELECT id FROM orgs WHERE name = ?", name)
}

func runJob(t *testing.T, a *apptest.App, name string) {
	t.Helper()
	for _, j := range a.Jobs.Jobs() {
		if j.Name == name {
			if err := a.Jobs.RunOnce(t.Context(), j); err != nil {
				t.Fatalf("job %s: %v", name, err)
			}
			return
		}
	}
	t.Fatalf("no job %s among %v", name, a.Jobs.Jobs())
}

// TestAppealDemo: the demo holds at least 100 appeals resolved in the first
// half of 2023, across the seed's categories and channels, some reopened,
// and open ones today of which a few are overdue and supervised.
func TestAppealDemo(t *testing.T) {
	a := apptest.Start(t)
	into := map[string]any{}
	if err := appeal.Summary(t.Context(), a.DB.Read(), access.SystemPrincipal("test"), civil.MustParse("2023-01-01"), civil.MustParse("2023-06-30"), into); err != nil {
		t.Fatal(err)
	}
	s := into["appeals"].(map[string]any)
	if s["resolved"].(int64) < 100 || s["received"].(int64) < 100 || s["reopened"].(int64) < 3 {
		t.Fatalf("H1 2023: %v", s)
	}
	for _, k := range []string{"response_rate", "resolution_rate", "satisfaction_rate", "on_time_rate"} {
		if r := s[k].(*float64); r == nil || *r <= 0.5 || *r >= 1 {
			t.Errorf("%s = %v: a believable rate below 1 expected", k, r)
		}
	}
	cats := s["by_category"].(map[string]int64)
	for _, c := range []string{"license", "land", "power", "water", "gas", "labor", "finance", "policy"} {
		if cats[c] == 0 {
			t.Errorf("no %s appeals in H1 2023", c)
		}
	}
	var channels int
	a.DB.Read().QueryRow(t.Context(), "SELECT COUNT(DISTINCT channel) FROM appeals WHERE received_on <= '2023-06-30'").Scan(&channels)
	if channels < 7 {
		t.Errorf("%d channels in 2023, want the seed's seven", channels)
	}
	// The office sees the same figures over the API.
	var v appeal.RatesView
	a.As("office").Get("/api/v1/appeals/rates?from=2023-01-01&to=2023-06-30").JSON(&v)
	if v.Total.Resolved != s["resolved"].(int64) || v.Total.Received != s["received"].(int64) {
		t.Errorf("rates API = %+v, summary = %v", v.Total, s)
	}
	// Today: open appeals, a few overdue and supervised, some in the dept account's inbox.
	var l struct {
		Items []appeal.Appeal `json:"items"`
		Total int             `json:"total"`
	}
	a.As("leader").Get("/api/v1/appeals?overdue=true&supervised=true").JSON(&l)
	if l.Total < 2 {
		t.Errorf("%d overdue and supervised appeals", l.Total)
	}
	a.As("dept").Get("/api/v1/appeals?inbox=true").JSON(&l)
	if l.Total < 3 || l.Items[0].DueOn.After(l.Items[len(l.Items)-1].DueOn) {
		t.Errorf("the dept inbox: %d, not by due date", l.Total)
	}
}

// TestAppealLifecycleOverHTTP walks an appeal from the enterprise's online
// filing to its close, with the refusals on the way.
func TestAppealLifecycleOverHTTP(t *testing.T) {
	a := apptest.Start(t)
	ent, office, dept, leader := a.As("ent"), a.As("office"), a.As("dept"), a.As("leader")
	scjg := deptID(t, a, "市场监督管理局")
	res := ent.Post("/api/v1/appeals", map[string]any{"category": "license", "content": "扩建车间需办理规划许可，请指导", "channel": "hotline"})
	if res.Status != 201 {
		t.Fatalf("file: %d %s", res.Status, res.Body)
	}
	var ap appeal.Appeal
	res.JSON(&ap)
	if ap.Channel != appeal.Online || ap.State != "received" || !strings.HasPrefix(ap.No, "SQ") || ap.EnterpriseName == "" {
		t.Fatalf("filed: %+v", ap)
	}
	path := "/api/v1/appeals/" + fmt.Sprint(ap.ID)
	act := func(c *apptest.Client, action string, body any, status int) appeal.Appeal {
		t.Helper()
		res := c.Post(path+"/actions/"+action, body)
		if res.Status != status {
			t.Fatalf("%s: %d %s, want %d", action, res.Status, res.Body, status)
		}
		var out appeal.Appeal
		if status == 200 {
			res.JSON(&out)
		}
		return out
	}
	// The department does not see it before it is dispatched.
	if res := dept.Get(path); res.Status != 404 {
		t.Fatalf("department before dispatch: %d", res.Status)
	}
	act(dept, "sign", nil, 404)
	act(ent, "accept", nil, 403)
	act(office, "close", nil, 409)
	act(office, "accept", map[string]any{"urgency": "urgent"}, 200)
	act(office, "dispatch", map[string]any{"department_org_id": "1"}, 400)
	got := act(office, "dispatch", map[string]any{"department_org_id": fmt.Sprint(scjg)}, 200)
	if got.DepartmentName != "市场监督管理局" || got.LimitWorkdays != 1 || got.DueOn.IsZero() {
		t.Fatalf("dispatched: %+v", got)
	}
	if res := dept.Get(path); res.Status != 200 {
		t.Fatalf("department after dispatch: %d", res.Status)
	}
	// The department now sees the enterprise in the registry, and not others.
	if res := dept.Get(fmt.Sprintf("/api/v1/enterprises/%d", ap.EnterpriseID)); res.Status != 200 {
		t.Fatalf("department reads the appeal's enterprise: %d", res.Status)
	}
	other := queryID(t, a, "SELECT id FROM enterprises WHERE id NOT IN (SELECT enterprise_id FROM appeals a JOIN appeal_departments d ON d.appeal_id = a.id WHERE d.org_id = ?) LIMIT 1", scjg)
	if res := dept.Get(fmt.Sprintf("/api/v1/enterprises/%d", other)); res.Status != 404 {
		t.Fatalf("department reads an unrelated enterprise: %d", res.Status)
	}
	act(dept, "sign", map[string]any{"date": "2020-01-01"}, 400)
	act(dept, "sign", nil, 200)
	act(leader, "supervise", map[string]any{"note": "尽快"}, 200)
	act(dept, "reply", map[string]any{}, 400)
	act(dept, "reply", map[string]any{"reply": "已派员上门指导，许可证已办结。"}, 200)
	act(ent, "revisit", map[string]any{"rating": "satisfied", "resolved": true}, 200)
	closed := act(office, "close", nil, 200)
	if closed.State != "closed" || !closed.Supervised || closed.Rating != appeal.Satisfied || len(closed.Actions) != 0 {
		t.Fatalf("closed: %+v", closed)
	}
	var evs []map[string]any
	ent.Get(path + "/events").JSON(&evs)
	var acts []string
	for _, e := range evs {
		acts = append(acts, e["action"].(string))
	}
	if strings.Join(acts, ",") != "create,accept,dispatch,sign,supervise,reply,revisit,close" {
		t.Fatalf("events: %v", acts)
	}
	// Another enterprise, a bank and an admin see nothing of it.
	for _, who := range []string{"bank", "admin"} {
		if res := a.As(who).Get(path); res.Status != 403 && res.Status != 404 {
			t.Errorf("%s reads the appeal: %d", who, res.Status)
		}
	}
	// Every item of the department's list is dispatched to it.
	var l struct {
		Items []appeal.Appeal `json:"items"`
	}
	dept.Get("/api/v1/appeals?limit=500").JSON(&l)
	for _, it := range l.Items {
		if it.DepartmentOrgID != scjg && !containsID(it.CoDepartmentIDs, scjg) {
			t.Errorf("department sees %s of department %d", it.No, it.DepartmentOrgID)
		}
	}
	// The export carries Chinese headers and every row, past its batches of 100.
	var all struct {
		Total int `json:"total"`
	}
	office.Get("/api/v1/appeals?limit=1").JSON(&all)
	res = office.Get("/api/v1/appeals?format=csv")
	lines := strings.Count(strings.TrimSpace(string(res.Body)), "\n")
	if res.Status != 200 || !strings.Contains(string(res.Body), "诉求编号") || all.Total <= 100 || lines != all.Total {
		t.Fatalf("export: %d, %d lines for %d appeals", res.Status, lines, all.Total)
	}
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// TestAppealPages files and handles an appeal through the forms, and
// renders every page in both languages.
func TestAppealPages(t *testing.T) {
	a := apptest.Start(t)
	office := a.BrowserLogin("office", "demo")
	ent := enterprise.Named[1].Name
	res := office.Form("/appeals", map[string][]string{"csrf": {office.CSRF}, "enterprise": {ent}, "channel": {"tea_meeting"},
		"category": {"power"}, "urgency": {"general"}, "content": {"午茶会上反映：新厂区需双回路供电"}, "received_on": {""}})
	if res.Status != 303 {
		t.Fatalf("file by form: %d %s", res.Status, res.Body)
	}
	loc := res.Header.Get("Location")
	if !strings.HasPrefix(loc, "/appeals/") {
		t.Fatalf("redirect to %q", loc)
	}
	page := office.Page(loc)
	if !strings.Contains(string(page.Body), "午茶会") || !strings.Contains(string(page.Body), "受理") {
		t.Fatalf("detail page after filing: %d", page.Status)
	}
	// A form error re-renders the form with the message.
	res = office.Form("/appeals", map[string][]string{"csrf": {office.CSRF}, "enterprise": {"不存在的公司"}, "channel": {"hotline"},
		"category": {"power"}, "content": {"x"}})
	if res.Status != 400 || !strings.Contains(string(res.Body), "请输入准确的企业名称") {
		t.Fatalf("bad enterprise: %d", res.Status)
	}
	gd := deptID(t, a, "国网大冶市供电公司")
	if res := office.Form(loc+"/actions/accept", map[string][]string{"csrf": {office.CSRF}}); res.Status != 303 {
		t.Fatalf("accept by form: %d %s", res.Status, res.Body)
	}
	if res := office.Form(loc+"/actions/dispatch", map[string][]string{"csrf": {office.CSRF}, "department_org_id": {fmt.Sprint(gd)},
		"co_department_org_ids": {fmt.Sprint(deptID(t, a, "经济发展局")), fmt.Sprint(deptID(t, a, "财政局"))}}); res.Status != 303 {
		t.Fatalf("dispatch by form: %d %s", res.Status, res.Body)
	}
	// A refused action shows the page again with the reason and its status.
	if res := office.Form(loc+"/actions/close", map[string][]string{"csrf": {office.CSRF}}); res.Status != 409 || !strings.Contains(string(res.Body), "不能执行") {
		t.Fatalf("close by form: %d", res.Status)
	}
	if body := string(office.Page(loc).Body); !strings.Contains(body, "国网大冶市供电公司") || !strings.Contains(body, "财政局") {
		t.Fatal("the dispatch is not on the page")
	}
	// A visit's red flag links to a prefilled form.
	visitLink := fmt.Sprintf("/appeals/new?enterprise_id=%d&channel=cadre_visit&flag=%s", queryID(t, a, "SELECT id FROM enterprises ORDER BY id LIMIT 1"), url.QueryEscape("用工短缺"))
	cadre := a.BrowserLogin("cadre", "demo")
	if body := string(cadre.Page(visitLink).Body); !strings.Contains(body, "用工短缺") || !strings.Contains(body, `value="cadre_visit" selected`) {
		t.Fatal("the prefilled form lacks the flag or the channel")
	}
	for _, tc := range []struct{ user, path, zh, en string }{
		{"office", "/appeals", "企业诉求", "Enterprise appeals"},
		{"office", "/appeals/new", "登记诉求", "File an appeal"},
		{"office", "/appeals/ranking", "部门诉求办理排名", "Departments ranked"},
		{"office", "/appeals/limits", "诉求办理时限", "Appeal time limits"},
		{"office", "/appeals?overdue=true", "超期诉求清单", "Overdue appeals"},
		{"office", "/outbox", "Webhook", "Webhooks"},
		{"dept", "/appeals", "待办诉求", "Appeals to handle"},
		{"dept", "/inbox", "我的消息", "My messages"},
		{"ent", "/appeals/new", "登记诉求", "File an appeal"},
		{"leader", "/", "超期诉求", "Overdue appeals"},
		{"dept", "/", "待签收诉求", "Appeals to sign"},
		{"ent", "/", "办理中的诉求", "Appeals in progress"},
		{"office", loc, "办理过程", "History"},
	} {
		c := a.BrowserLogin(tc.user, "demo")
		for lang, want := range map[string]string{"": tc.zh, "en": tc.en} {
			if want == "" {
				continue
			}
			c.Lang = lang
			res := c.Page(tc.path)
			if res.Status != 200 || !strings.Contains(string(res.Body), want) {
				t.Errorf("%s %s (lang %q): %d, missing %q", tc.user, tc.path, lang, res.Status, want)
			}
		}
	}
	// Limits by form: complex land appeals get 25 days.
	res = office.Form("/appeals/limits", map[string][]string{"csrf": {office.CSRF}, "sign_workdays": {"1"}, "reply_general": {"5"},
		"reply_complex": {"15"}, "reply_urgent": {"2"}, "max_extensions": {"2"}, "cat_land_complex": {"25"}})
	if res.Status != 303 {
		t.Fatalf("limits: %d %s", res.Status, res.Body)
	}
	var l appeal.Limits
	office.Get("/api/v1/appeals/limits").JSON(&l)
	if l.ReplyWorkdays(appeal.Land, appeal.Complex) != 25 || l.ReplyWorkdays(appeal.Land, appeal.General) != 5 || l.Reply[appeal.Urgent] != 2 {
		t.Fatalf("limits after the form: %+v", l)
	}
	if res := a.As("office").Do("PUT", "/api/v1/appeals/limits", map[string]any{"sign_workdays": 1, "reply_workdays": map[string]int{"general": 0, "complex": 15, "urgent": 1}, "max_extensions": 2}); res.Status != 400 || res.ErrorField() != "reply_workdays" {
		t.Fatalf("a zero limit: %d %s", res.Status, res.Body)
	}
}

// TestAppealOverdueJobAndInboxes runs the overdue job and the webhook
// delivery of the running app against a gateway that fails once.
func TestAppealOverdueJobAndInboxes(t *testing.T) {
	a := apptest.Start(t)
	var fails atomic.Int32
	fails.Store(1)
	var mu sync.Mutex
	var events []string
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fails.Add(-1) >= 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		b, _ := io.ReadAll(r.Body)
		var e struct {
			Event string `json:"event"`
			Data  struct {
				No string `json:"no"`
			} `json:"data"`
		}
		json.Unmarshal(b, &e)
		mu.Lock()
		events = append(events, e.Data.No+" "+e.Event)
		mu.Unlock()
	}))
	defer gw.Close()
	office := a.As("office")
	if res := office.Do("PUT", "/api/v1/webhook", map[string]any{"url": gw.URL, "secret": "k", "events": []string{"appeal."}}); res.Status != 200 || strings.Contains(string(res.Body), `"k"`) {
		t.Fatalf("webhook: %d %s", res.Status, res.Body)
	}
	var ap appeal.Appeal
	office.Post("/api/v1/appeals", map[string]any{"enterprise_id": fmt.Sprint(queryID(t, a, "SELECT MIN(id) FROM enterprises")),
		"channel": "hotline", "category": "water", "content": "水压不足"}).JSON(&ap)
	path := fmt.Sprintf("/api/v1/appeals/%d/actions/", ap.ID)
	office.Post(path+"accept", nil)
	if res := office.Post(path+"dispatch", map[string]any{"department_org_id": fmt.Sprint(deptID(t, a, "市场监督管理局"))}); res.Status != 200 {
		t.Fatalf("dispatch: %d %s", res.Status, res.Body)
	}
	dept := a.As("dept")
	var inbox struct {
		Items []struct {
			Kind, Title, Link string
		} `json:"items"`
	}
	dept.Get("/api/v1/notifications?unread=true").JSON(&inbox)
	if len(inbox.Items) == 0 || inbox.Items[0].Kind != "appeal.dispatched" || inbox.Items[0].Link != fmt.Sprintf("/appeals/%d", ap.ID) {
		t.Fatalf("dept's inbox: %+v", inbox.Items)
	}
	// Eight working days on, the appeal is overdue: the job flags it and tells the department.
	a.Clock.Set(a.Clock.Now().Add(12 * 24 * time.Hour))
	runJob(t, a, "appeals.overdue")
	office, dept = a.As("office"), a.As("dept") // the sessions expired meanwhile
	var got appeal.Appeal
	dept.Get(fmt.Sprintf("/api/v1/appeals/%d", ap.ID)).JSON(&got)
	if !got.Supervised || !got.Overdue || got.Light != "red" {
		t.Fatalf("after the overdue job: %+v", got)
	}
	dept.Get("/api/v1/notifications?unread=true").JSON(&inbox)
	if inbox.Items[0].Kind != "appeal.overdue" {
		t.Fatalf("dept's newest message: %+v", inbox.Items[0])
	}
	// The gateway is down at first; the job tries again after the backoff.
	runJob(t, a, "notify.deliver")
	var out struct {
		Items []struct {
			Event       string     `json:"event"`
			DeliveredAt *time.Time `json:"delivered_at"`
			Attempts    int        `json:"attempts"`
		} `json:"items"`
		Total int `json:"total"`
	}
	office.Get("/api/v1/outbox?failed=true").JSON(&out)
	if out.Total == 0 {
		t.Fatal("nothing waits after a failed delivery")
	}
	a.Clock.Advance(time.Hour)
	runJob(t, a, "notify.deliver")
	office = a.As("office")
	out.Total = -1
	office.Get("/api/v1/outbox?failed=true").JSON(&out)
	if out.Total != 0 {
		t.Fatalf("%d webhooks still undelivered", out.Total)
	}
	// The first delivery failed and came last, after its retry; the demo's
	// own appeals went overdue too.
	var ours []string
	mu.Lock()
	defer mu.Unlock()
	for _, e := range events {
		if no, ev, _ := strings.Cut(e, " "); no == ap.No {
			ours = append(ours, ev)
		}
	}
	if want := "appeal.accepted,appeal.dispatched,appeal.supervised,appeal.overdue,appeal.received"; strings.Join(ours, ",") != want {
		t.Fatalf("gateway received %v for %s, want %s", ours, ap.No, want)
	}
	if res := a.As("dept").Get("/api/v1/outbox"); res.Status != 403 {
		t.Fatalf("department reads the outbox: %d", res.Status)
	}
}

// Open311 documents as a client parses them.
type (
	o311Error struct {
		Code        int    `xml:"code" json:"code"`
		Description string `xml:"description" json:"description"`
	}
	o311Errors struct {
		XMLName xml.Name    `xml:"errors"`
		Errors  []o311Error `xml:"error"`
	}
	o311Services struct {
		XMLName  xml.Name `xml:"services"`
		Services []struct {
			Code     string `xml:"service_code"`
			Name     string `xml:"service_name"`
			Metadata bool   `xml:"metadata"`
			Type     string `xml:"type"`
			Group    string `xml:"group"`
		} `xml:"service"`
	}
	o311Definition struct {
		XMLName    xml.Name `xml:"service_definition"`
		Code       string   `xml:"service_code"`
		Attributes []struct {
			Variable bool   `xml:"variable"`
			Code     string `xml:"code"`
			Datatype string `xml:"datatype"`
			Required bool   `xml:"required"`
			Order    int    `xml:"order"`
			Values   []struct {
				Key  string `xml:"key"`
				Name string `xml:"name"`
			} `xml:"values>value"`
		} `xml:"attributes>attribute"`
	}
	o311Request struct {
		ID        string `xml:"service_request_id"`
		Status    string `xml:"status"`
		Code      string `xml:"service_code"`
		Desc      string `xml:"description"`
		Agency    string `xml:"agency_responsible"`
		Requested string `xml:"requested_datetime"`
		Updated   string `xml:"updated_datetime"`
		Expected  string `xml:"expected_datetime"`
		Notice    string `xml:"service_notice"`
	}
	o311Requests struct {
		XMLName  xml.Name      `xml:"service_requests"`
		Requests []o311Request `xml:"request"`
	}
	o311Discovery struct {
		XMLName   xml.Name `xml:"discovery"`
		Changeset string   `xml:"changeset"`
		Endpoints []struct {
			Specification string   `xml:"specification"`
			URL           string   `xml:"url"`
			Type          string   `xml:"type"`
			Formats       []string `xml:"formats>format"`
		} `xml:"endpoints>endpoint"`
	}
)

func parseXML(t *testing.T, res *apptest.Response, v any) {
	t.Helper()
	if ct := res.Header.Get("Content-Type"); ct != "text/xml; charset=utf-8" {
		t.Fatalf("content type %q", ct)
	}
	if !bytes.HasPrefix(res.Body, []byte(`<?xml version="1.0" encoding="utf-8"?>`)) || bytes.Contains(res.Body, []byte("xmlns")) {
		t.Fatalf("XML without its declaration or with a namespace: %.80s", res.Body)
	}
	if err := xml.Unmarshal(res.Body, v); err != nil {
		t.Fatalf("parse %s: %v", res.Body, err)
	}
}

func w3cOK(s string) bool {
	_, err := time.Parse(time.RFC3339, s)
	return err == nil && (strings.HasSuffix(s, "Z") || strings.Contains(s[10:], "+") || strings.Contains(s[10:], "-"))
}

// TestOpen311ClientFlow is an Open311 client: it discovers the endpoint,
// lists the services, reads a definition, files a request with an API key
// and reads it back — in XML and in JSON — and meets the spec's errors.
func TestOpen311ClientFlow(t *testing.T) {
	a := apptest.Start(t)
	admin := a.As("admin")
	token := func(user string) string {
		var tok struct {
			Token string `json:"token"`
		}
		admin.Post(fmt.Sprintf("/api/v1/users/%d/tokens", queryID(t, a, "SELECT id FROM users WHERE username = ?", user)), map[string]any{"name": "12345热线"}).JSON(&tok)
		return tok.Token
	}
	officeKey, entKey, deptKey := token("office"), token("ent"), token("dept")
	c := a.Anonymous()
	base := "/open311/v2/"

	var disc o311Discovery
	parseXML(t, c.Get(base+"discovery.xml"), &disc)
	if len(disc.Endpoints) != 1 || disc.Endpoints[0].Specification != "http://wiki.open311.org/GeoReport_v2" ||
		!strings.HasSuffix(disc.Endpoints[0].URL, "/open311/v2") || len(disc.Endpoints[0].Formats) != 2 {
		t.Fatalf("discovery: %+v", disc)
	}
	var discJ map[string]any
	c.Get(base + "discovery.json").JSON(&discJ)
	if eps, ok := discJ["endpoints"].([]any); !ok || len(eps) != 1 || len(eps[0].(map[string]any)["formats"].([]any)) != 2 {
		t.Fatalf("discovery.json: %v", discJ)
	}

	var svcs o311Services
	parseXML(t, c.Get(base+"services.xml"), &svcs)
	if len(svcs.Services) != len(appeal.Categories) || svcs.Services[0].Code != "license" || !svcs.Services[0].Metadata || svcs.Services[0].Type != "realtime" {
		t.Fatalf("services.xml: %+v", svcs)
	}
	var svcsJ []map[string]any
	res := c.Get(base + "services.json")
	if ct := res.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Fatalf("JSON content type %q", ct)
	}
	res.JSON(&svcsJ)
	if len(svcsJ) != len(appeal.Categories) || svcsJ[2]["service_code"] != "power" || svcsJ[2]["metadata"] != true {
		t.Fatalf("services.json: %v", svcsJ)
	}
	var def o311Definition
	parseXML(t, c.Get(base+"services/land.xml"), &def)
	if def.Code != "land" || len(def.Attributes) != 3 || def.Attributes[0].Code != "uscc" || !def.Attributes[0].Required ||
		def.Attributes[1].Datatype != "singlevaluelist" || len(def.Attributes[1].Values) != 3 || def.Attributes[0].Order != 1 {
		t.Fatalf("definition: %+v", def)
	}

	uscc := enterprise.DemoUSCC(101) // 大美科技
	form := func(key, code string, extra ...string) *apptest.Response {
		v := url.Values{"api_key": {key}, "service_code": {code}, "attribute[uscc]": {uscc}, "description": {"12345转来：厂区门口路灯不亮"},
			"address_string": {"大冶市罗家桥街道"}, "lat": {"30.09"}, "long": {"114.97"}, "first_name": {"伟"}, "last_name": {"张"}, "jurisdiction_id": {""}}
		for i := 0; i+1 < len(extra); i += 2 {
			v.Set(extra[i], extra[i+1])
		}
		return c.Form(base+"requests."+map[bool]string{true: "json", false: "xml"}[strings.HasPrefix(code, "j:")], v)
	}
	// XML: file and read back.
	res = form(officeKey, "infrastructure", "attribute[urgency]", "urgent")
	var created o311Requests
	parseXML(t, res, &created)
	if res.Status != 201 || len(created.Requests) != 1 || !strings.HasPrefix(created.Requests[0].ID, "SQ") || created.Requests[0].Notice == "" {
		t.Fatalf("create (XML): %d %s", res.Status, res.Body)
	}
	id := created.Requests[0].ID
	var back o311Requests
	parseXML(t, c.Get(base+"requests/"+id+".xml?api_key="+officeKey), &back)
	r := back.Requests[0]
	if r.ID != id || r.Status != "open" || r.Code != "infrastructure" || r.Desc != "12345转来：厂区门口路灯不亮" || !w3cOK(r.Requested) || !w3cOK(r.Updated) || !w3cOK(r.Expected) {
		t.Fatalf("read back (XML): %+v", r)
	}
	// Without a key the text is withheld.
	var pub o311Requests
	parseXML(t, c.Get(base+"requests/"+id+".xml"), &pub)
	if pub.Requests[0].Desc != "" || pub.Requests[0].Status != "open" {
		t.Fatalf("public read: %+v", pub.Requests[0])
	}
	// JSON: an enterprise's own key files for its own enterprise, online.
	v := url.Values{"api_key": {entKey}, "service_code": {"gas"}, "attribute[uscc]": {enterprise.DemoUSCC(100)}, "description": {"燃气压力不稳"}}
	res = c.Form(base+"requests.json", v)
	var createdJ []map[string]any
	res.JSON(&createdJ)
	if res.Status != 201 || len(createdJ) != 1 || createdJ[0]["token"] != nil {
		t.Fatalf("create (JSON): %d %s", res.Status, res.Body)
	}
	idJ, ok := createdJ[0]["service_request_id"].(string)
	if !ok {
		t.Fatalf("service_request_id is not a string: %v", createdJ[0])
	}
	var backJ []map[string]any
	c.Get(base + "requests/" + idJ + ".json?api_key=" + entKey).JSON(&backJ)
	rj := backJ[0]
	for _, k := range []string{"service_request_id", "status", "status_notes", "service_name", "service_code", "description", "agency_responsible",
		"service_notice", "requested_datetime", "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"} {
		if _, ok := rj[k]; !ok {
			t.Errorf("request lacks %s", k)
		}
	}
	if rj["status"] != "open" || rj["service_code"] != "gas" || rj["agency_responsible"] != nil || rj["lat"] != nil || !w3cOK(rj["requested_datetime"].(string)) {
		t.Fatalf("read back (JSON): %v", rj)
	}
	var stored appeal.Appeal
	a.As("office").Get(fmt.Sprintf("/api/v1/appeals/%d", queryID(t, a, "SELECT id FROM appeals WHERE no = ?", idJ))).JSON(&stored)
	if stored.Channel != appeal.Online || stored.State != "received" {
		t.Fatalf("the appeal behind the request: %+v", stored)
	}
	// The list: by id, by code and status, within 90 days.
	var list []map[string]any
	c.Get(base + "requests.json?service_request_id=" + id + "," + idJ + "&status=closed").JSON(&list)
	if len(list) != 2 {
		t.Fatalf("by ids (overriding status): %d", len(list))
	}
	c.Get(base + "requests.json?service_code=gas,infrastructure&status=open").JSON(&list)
	if len(list) != 2 {
		t.Fatalf("recent open gas and infrastructure requests: %d", len(list))
	}
	list = nil
	c.Get(base + "requests.json?start_date=2023-03-01T00:00:00%2B08:00&end_date=2023-05-29T00:00:00%2B08:00&status=closed&service_code=").JSON(&list)
	if len(list) == 0 {
		t.Fatal("no closed requests in spring 2023")
	}
	for _, x := range list {
		if x["status"] != "closed" || x["description"] != nil {
			t.Fatalf("spring 2023 list: %v", x)
		}
	}
	var tok []map[string]any
	c.Get(base + "tokens/" + id + ".json").JSON(&tok)
	if len(tok) != 1 || tok[0]["service_request_id"] != id || tok[0]["token"] != id {
		t.Fatalf("token: %v", tok)
	}

	// Errors, in the spec's format, with its statuses.
	count := func() int {
		var n int
		a.DB.Read().QueryRow(t.Context(), "SELECT COUNT(*) FROM appeals").Scan(&n)
		return n
	}
	before := count()
	for _, tc := range []struct {
		name   string
		res    *apptest.Response
		status int
	}{
		{"no api_key", c.Form(base+"requests.xml", url.Values{"service_code": {"gas"}, "description": {"x"}, "attribute[uscc]": {uscc}}), 403},
		{"a bad api_key", form("xt_nonsense", "gas"), 403},
		{"a session token is no api_key", form("abc", "gas"), 403},
		{"a department's key may not file", form(deptKey, "gas"), 403},
		{"unknown service", form(officeKey, "roads"), 404},
		{"no service_code", form(officeKey, ""), 400},
		{"no uscc", form(officeKey, "gas", "attribute[uscc]", ""), 400},
		{"an enterprise's key for another enterprise", c.Form(base+"requests.xml", url.Values{"api_key": {entKey}, "service_code": {"gas"}, "attribute[uscc]": {uscc}, "description": {"x"}}), 400},
		{"online from staff", form(officeKey, "gas", "attribute[channel]", "online"), 400},
		{"unknown definition", c.Get(base + "services/roads.xml"), 404},
		{"unknown request", c.Get(base + "requests/SQ19990101-00001.xml"), 404},
		{"unknown token", c.Get(base + "tokens/nope.xml"), 404},
		{"more than 90 days", c.Get(base + "requests.xml?start_date=2023-01-01T00:00:00Z&end_date=2023-06-30T00:00:00Z"), 400},
		{"not a W3C date", c.Get(base + "requests.xml?start_date=01/03/2023"), 400},
		{"a bad status", c.Get(base + "requests.xml?status=pending"), 400},
		{"an unknown format", c.Get(base + "services.csv"), 404},
	} {
		if tc.res.Status != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.name, tc.res.Status, tc.res.Body, tc.status)
			continue
		}
		var e o311Errors
		parseXML(t, tc.res, &e)
		if len(e.Errors) != 1 || e.Errors[0].Code != tc.status || e.Errors[0].Description == "" {
			t.Errorf("%s: error document %+v", tc.name, e)
		}
	}
	// JSON errors are an array.
	res = c.Get(base + "services/roads.json")
	var ej []o311Error
	res.JSON(&ej)
	if res.Status != 404 || len(ej) != 1 || ej[0].Code != 404 {
		t.Fatalf("JSON error: %d %s", res.Status, res.Body)
	}
	// Nothing was filed by the refused requests.
	if n := count(); n != before {
		t.Errorf("refused requests filed %d appeals", n-before)
	}
}

// TestBrowserAppealHandling: in Chromium, the department signs and replies
// to an appeal in its inbox, and the enterprise rates a reply with one
// click.
func TestBrowserAppealHandling(t *testing.T) {
	a := apptest.Start(t)
	ctx := apptest.Browser(t)
	login := func(user string) {
		t.Helper()
		err := apptest.Steps(ctx,
			chromedp.Navigate(a.URL+"/login"),
			chromedp.WaitVisible(`input[name=username]`),
			chromedp.SendKeys(`input[name=username]`, user),
			chromedp.SendKeys(`input[name=password]`, "demo"),
			chromedp.Submit(`input[name=password]`),
			chromedp.WaitVisible(`.sidebar`),
		)
		if err != nil {
			t.Fatal(err)
		}
	}
	login("dept")
	id := queryID(t, a, `SELECT a.id FROM appeals a JOIN orgs o ON o.id = a.department_org_id WHERE a.state = 'dispatched' AND o.name = '市场监督管理局' ORDER BY a.id DESC LIMIT 1`)
	err := apptest.Steps(ctx,
		chromedp.Navigate(a.URL+"/appeals"),
		chromedp.WaitVisible(fmt.Sprintf(`a[href="/appeals/%d"]`, id)),
		chromedp.Click(fmt.Sprintf(`a[href="/appeals/%d"]`, id)),
		chromedp.WaitVisible(`form[action$="/actions/sign"] button`),
		chromedp.Click(`form[action$="/actions/sign"] button`),
		chromedp.WaitVisible(`.flash`),
		chromedp.Click(`details.apl-action:last-of-type summary`),
		chromedp.WaitVisible(`form[action$="/actions/reply"] textarea`),
		chromedp.SendKeys(`form[action$="/actions/reply"] textarea`, "已上门核查，许可证当日办结。"),
		chromedp.Click(`form[action$="/actions/reply"] button`),
		chromedp.WaitVisible(`.apl-answer`),
	)
	if err != nil {
		t.Fatal(err)
	}
	if state, _ := apptest.Text(ctx, `.page-head .badge:last-child`); state != "已答复" {
		t.Fatalf("state after the reply: %q", state)
	}
	if reply, _ := apptest.Text(ctx, `.apl-answer`); !strings.Contains(reply, "当日办结") {
		t.Fatalf("reply on the page: %q", reply)
	}
	// The enterprise reads the reply in plain words and rates it with one click.
	mine := queryID(t, a, `SELECT id FROM appeals WHERE state = 'replied' AND enterprise_id = (SELECT enterprise_id FROM users WHERE username = 'ent')`)
	if err := apptest.Steps(ctx, chromedp.Click(`form[action="/logout"] button`), chromedp.WaitVisible(`input[name=username]`)); err != nil {
		t.Fatal(err)
	}
	login("ent")
	err = apptest.Steps(ctx,
		chromedp.Navigate(a.URL+fmt.Sprintf("/appeals/%d", mine)),
		chromedp.WaitVisible(`.apl-rate button[value=satisfied]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	if plain, _ := apptest.Text(ctx, `.apl-plain`); !strings.Contains(plain, "已答复") || !strings.Contains(plain, "评价") {
		t.Fatalf("plain words: %q", plain)
	}
	if err := apptest.Steps(ctx, chromedp.Click(`.apl-rate button[value=satisfied]`), chromedp.WaitNotPresent(`.apl-rate`)); err != nil {
		t.Fatal(err)
	}
	if state, _ := apptest.Text(ctx, `.page-head .badge:last-child`); state != "已回访" {
		t.Fatalf("state after rating: %q", state)
	}
	var got appeal.Appeal
	a.As("office").Get(fmt.Sprintf("/api/v1/appeals/%d", mine)).JSON(&got)
	if got.Rating != appeal.Satisfied || got.Resolved == nil || !*got.Resolved {
		t.Fatalf("rated: %s %v", got.Rating, got.Resolved)
	}
}

// TestAppealRollupsRebuildOnTheDemo rebuilds the appeal rollups of the
// demo — late replies, returns, extensions, reopenings, overdue appeals —
// from the recorded events and finds the running totals.
func TestAppealRollupsRebuildOnTheDemo(t *testing.T) {
	a := apptest.Start(t)
	ctx := t.Context()
	before, err := rollup.Snapshot(ctx, a.DB.Read(), appeal.MetricPrefix)
	if err != nil || len(before) < 100 {
		t.Fatalf("%d rollup rows, %v", len(before), err)
	}
	err = a.DB.WriteUnaudited(ctx, func(tx *store.Tx) error {
		if err := rollup.Clear(ctx, tx, appeal.MetricPrefix); err != nil {
			return err
		}
		return appeal.Rebuild(ctx, tx)
	})
	if err != nil {
		t.Fatal(err)
	}
	after, _ := rollup.Snapshot(ctx, a.DB.Read(), appeal.MetricPrefix)
	if !maps.Equal(before, after) {
		t.Fatalf("rebuilt rollups differ: %d rows running, %d rebuilt", len(before), len(after))
	}
}

// TestAppealFactsFollowTheScope: the enterprise page's appeal section shows
// what the reader may see of the enterprise's appeals.
func TestAppealFactsFollowTheScope(t *testing.T) {
	a := apptest.Start(t)
	ctx := t.Context()
	ent := queryID(t, a, "SELECT enterprise_id FROM users WHERE username = 'ent'")
	principal := func(user string) *access.Principal {
		p, err := a.Auth.PrincipalOf(ctx, queryID(t, a, "SELECT id FROM users WHERE username = ?", user))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	if len(a.Enterprises.Facts) == 0 {
		t.Fatal("the appeals module adds no facts to the enterprise page")
	}
	// The appeals section is the one titled 企业诉求.
	var facts func(context.Context, *access.Principal, int64, i18n.Lang) (*platform.Facts, error)
	for _, fn := range a.Enterprises.Facts {
		if f, err := fn(ctx, principal("office"), ent, i18n.ZH); err == nil && f != nil && f.Title == "企业诉求" {
			facts = fn
		}
	}
	if facts == nil {
		t.Fatal("no section titled 企业诉求 on the enterprise page")
	}
	f, err := facts(ctx, principal("office"), ent, i18n.ZH)
	if err != nil || f == nil || f.Title != "企业诉求" || len(f.Rows) < 3 || !strings.Contains(f.Href, fmt.Sprint(ent)) {
		t.Fatalf("office's facts: %+v, %v", f, err)
	}
	var total int
	a.DB.Read().QueryRow(ctx, "SELECT COUNT(*) FROM appeals WHERE enterprise_id = ?", ent).Scan(&total)
	var open, closed int
	fmt.Sscan(f.Rows[0].Value, &open)
	fmt.Sscan(f.Rows[1].Value, &closed)
	if open+closed != total {
		t.Errorf("facts count %d + %d, the enterprise has %d", open, closed, total)
	}
	// The bank sees no appeals, so no section.
	if f, err := facts(ctx, principal("bank"), ent, i18n.ZH); err != nil || f != nil {
		t.Errorf("bank's facts: %+v, %v", f, err)
	}
}
