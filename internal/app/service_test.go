package app_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/civil"
	"xiaoer/internal/i18n"
	"xiaoer/internal/rollup"
	"xiaoer/internal/service"
	"xiaoer/internal/store"

	"xiaoer/internal/app/apptest"
)

// inZone is a moment of a day in the zone's time.
func inZone(d string, hour int) time.Time {
	return civil.MustParse(d).Time().Add(time.Duration(hour) * time.Hour)
}

type me struct {
	User struct {
		ID           string `json:"id"`
		SiteID       string `json:"site_id"`
		EnterpriseID string `json:"enterprise_id"`
	} `json:"user"`
}

func whoAmI(t *testing.T, c *apptest.Client) me {
	t.Helper()
	var m me
	c.Get("/api/v1/me").JSON(&m)
	return m
}

// matterAt finds a matter offered by a site by its exact name.
func matterAt(t *testing.T, c *apptest.Client, site, name string) string {
	t.Helper()
	var l struct {
		Items []struct {
			MatterID string `json:"matter_id"`
			Matter   struct {
				Name string `json:"name"`
			} `json:"matter"`
		} `json:"items"`
	}
	res := c.Get("/api/v1/sites/" + site + "/matters?limit=500&q=" + url.QueryEscape(name))
	res.JSON(&l)
	for _, m := range l.Items {
		if m.Matter.Name == name {
			return m.MatterID
		}
	}
	t.Fatalf("%s is not offered at site %s: %s", name, site, res.Body)
	return ""
}

type caseJSON struct {
	ID       string `json:"id"`
	Number   string `json:"number"`
	Status   string `json:"status"`
	Outcome  string `json:"outcome"`
	Channel  string `json:"channel"`
	DueOn    string `json:"due_on"`
	Overdue  bool   `json:"overdue"`
	Warning  string `json:"warning"`
	SiteID   string `json:"site_id"`
	Applicnt *struct {
		IDNumber string `json:"id_number"`
	} `json:"applicant"`
}

func TestServiceCaseWorkflowOverHTTP(t *testing.T) {
	a := apptest.Start(t, apptest.Options{Now: inZone("2023-09-27", 10)})
	clerk, other, leader := a.As("clerk"), a.As("clerk2"), a.As("leader")
	site := whoAmI(t, clerk).User.SiteID
	matter := matterAt(t, clerk, site, "小餐饮经营许可（新办）")
	res := clerk.Post("/api/v1/cases", map[string]any{"matter_id": matter, "materials": []string{"小餐饮经营许可申请书"},
		"applicant": map[string]string{"name": "王小二", "id_number": "11010519491231002X", "phone": "13900001111"},
		"then":      map[string]string{"action": "accept"}})
	if res.Status != http.StatusCreated {
		t.Fatalf("receive: %d %s", res.Status, res.Body)
	}
	var c caseJSON
	res.JSON(&c)
	if c.Status != "accepted" || c.DueOn != "2023-10-10" || !strings.HasPrefix(c.Number, "YRV-20230927-") || c.Applicnt.IDNumber != "110***********002X" {
		t.Fatalf("received case %+v", c)
	}
	path := "/api/v1/cases/" + c.ID
	for _, tc := range []struct {
		who    *apptest.Client
		method string
		path   string
		body   any
		status int
	}{
		{clerk, "POST", path + "/actions/deliver", nil, 409},
		{clerk, "POST", path + "/actions/accept", nil, 409},
		{other, "GET", path, nil, 404},
		{other, "POST", path + "/actions/start_processing", nil, 404},
		{other, "GET", path + "/events", nil, 404},
		{leader, "POST", path + "/actions/start_processing", nil, 403},
		{leader, "GET", path, nil, 200},
		{clerk, "POST", path + "/actions/conclude", map[string]string{"outcome": "maybe"}, 400},
		{clerk, "POST", path + "/actions/start_processing", map[string]string{"note": "审查中"}, 200},
	} {
		if res := tc.who.Do(tc.method, tc.path, tc.body); res.Status != tc.status {
			t.Errorf("%s %s: %d %s, want %d", tc.method, tc.path, res.Status, res.Body, tc.status)
		}
	}
	// Two working days in the special procedure move the due date by two.
	a.Clock.Set(inZone("2023-10-09", 10))
	clerk = a.As("clerk") // the session has long expired
	if res := clerk.Post(path+"/actions/start_special", nil); res.Status != 200 {
		t.Fatalf("start_special: %d %s", res.Status, res.Body)
	}
	a.Clock.Set(inZone("2023-10-11", 10))
	clerk = a.As("clerk")
	clerk.Post(path+"/actions/end_special", nil).JSON(&c)
	if c.DueOn != "2023-10-12" || c.Status != "in_process" {
		t.Fatalf("after the special procedure: %+v", c)
	}
	res = clerk.Post(path+"/actions/conclude", map[string]string{"outcome": "approved"})
	res.JSON(&c)
	if res.Status != 200 || c.Status != "concluded" || c.Overdue {
		t.Fatalf("conclude: %d %s", res.Status, res.Body)
	}
	var evs []struct{ Action, From, To string }
	clerk.Get(path + "/events").JSON(&evs)
	var got []string
	for _, e := range evs {
		got = append(got, e.Action)
	}
	if want := []string{"receive", "accept", "start_processing", "start_special", "end_special", "conclude"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("events %v", got)
	}
	// The receipt prints with the number and the due date.
	page := clerk.Get("/cases/" + c.ID + "/receipt/accept")
	if page.Status != 200 || !bytes.Contains(page.Body, []byte(c.Number)) || !bytes.Contains(page.Body, []byte("2023-10-12")) || !bytes.Contains(page.Body, []byte("受理通知书")) {
		t.Fatalf("receipt: %d", page.Status)
	}
	// Revealing the applicant is audited.
	if res := clerk.Get(path + "/applicant"); res.Status != 200 || !bytes.Contains(res.Body, []byte("11010519491231002X")) {
		t.Fatalf("reveal: %d %s", res.Status, res.Body)
	}
	recs, _ := audit.List(t.Context(), a.DB.Read(), audit.Filter{Action: "service.reveal"})
	if len(recs) != 1 || strings.Contains(recs[0].Summary, "11010519491231002X") {
		t.Fatalf("reveal audit: %+v", recs)
	}
}

func TestServiceEnterpriseAppliesOnlineAndRates(t *testing.T) {
	a := apptest.Start(t, apptest.Options{Now: inZone("2023-07-12", 10)})
	ent, clerk, office := a.As("ent"), a.As("clerk"), a.As("office")
	site := whoAmI(t, clerk).User.SiteID
	matter := matterAt(t, clerk, site, "食品经营许可（新办）")
	res := ent.Post("/api/v1/cases", map[string]any{"site_id": site, "matter_id": matter})
	if res.Status != 201 {
		t.Fatalf("apply: %d %s", res.Status, res.Body)
	}
	var c caseJSON
	res.JSON(&c)
	if c.Status != "received" || c.Channel != "online" {
		t.Fatalf("application %+v", c)
	}
	// Only what the site offers, and only for itself.
	community := ""
	var ms struct {
		Items []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"items"`
	}
	office.Get("/api/v1/matters?q=" + url.QueryEscape("居住证申领")).JSON(&ms)
	if len(ms.Items) == 1 {
		community = ms.Items[0].ID
	}
	if res := ent.Post("/api/v1/cases", map[string]any{"site_id": site, "matter_id": community}); res.Status != 400 || res.ErrorField() != "matter_id" {
		t.Fatalf("a matter the site does not offer: %d %s", res.Status, res.Body)
	}
	var mine int64
	fmt.Sscan(whoAmI(t, ent).User.EnterpriseID, &mine)
	if res := ent.Post("/api/v1/cases", map[string]any{"site_id": site, "matter_id": matter, "enterprise_id": fmt.Sprint(mine + 1)}); res.Status != 403 {
		t.Fatalf("applying for another enterprise: %d %s", res.Status, res.Body)
	}
	if res := ent.Post("/api/v1/cases/"+c.ID+"/actions/accept", nil); res.Status != 403 {
		t.Fatalf("the enterprise accepts its own case: %d", res.Status)
	}
	// The clerk sees it among the online cases, and handles it.
	var list struct {
		Items []caseJSON `json:"items"`
	}
	clerk.Get("/api/v1/cases?channel=online&status=received&from=2023-07-12").JSON(&list)
	if len(list.Items) != 1 || list.Items[0].ID != c.ID {
		t.Fatalf("clerk's online list: %+v", list.Items)
	}
	for _, s := range []struct{ action, body string }{{"accept", ""}, {"start_processing", ""}, {"conclude", `{"outcome":"approved"}`}} {
		if res := clerk.Post("/api/v1/cases/"+c.ID+"/actions/"+s.action, s.body); res.Status != 200 {
			t.Fatalf("%s: %d %s", s.action, res.Status, res.Body)
		}
	}
	ent.Get("/api/v1/cases/" + c.ID).JSON(&c)
	if c.Status != "concluded" || c.Outcome != "approved" {
		t.Fatalf("the enterprise follows: %+v", c)
	}
	if res := ent.Post("/api/v1/cases/"+c.ID+"/evaluation", map[string]any{"score": 2, "comment": "审批慢"}); res.Status != 201 {
		t.Fatalf("evaluate: %d %s", res.Status, res.Body)
	}
	if res := ent.Post("/api/v1/cases/"+c.ID+"/evaluation", map[string]any{"score": 5}); res.Status != 409 {
		t.Fatalf("second evaluation: %d", res.Status)
	}
	var bads struct {
		Items []struct {
			ID     string `json:"id"`
			CaseID string `json:"case_id"`
			Status string `json:"status"`
			DueOn  string `json:"due_on"`
		} `json:"items"`
	}
	ent.Get("/api/v1/bad-reviews").JSON(&bads)
	if len(bads.Items) == 0 || bads.Items[0].CaseID != c.ID || bads.Items[0].Status != "verifying" || bads.Items[0].DueOn != "2023-08-02" {
		t.Fatalf("the enterprise's bad reviews: %+v", bads.Items)
	}
	bad := "/api/v1/bad-reviews/" + bads.Items[0].ID
	if res := ent.Post(bad+"/actions/rectify", nil); res.Status != 403 {
		t.Fatalf("the enterprise rectifies: %d", res.Status)
	}
	for _, s := range []string{"explain", "revisit", "close"} {
		if res := office.Post(bad+"/actions/"+s, map[string]string{"note": s}); res.Status != 200 {
			t.Fatalf("%s: %d %s", s, res.Status, res.Body)
		}
	}
	var evs []struct{ Action, To string }
	ent.Get(bad + "/events").JSON(&evs)
	if len(evs) != 4 || evs[3].To != "closed" {
		t.Fatalf("the enterprise follows the rectification: %+v", evs)
	}
	// It may withdraw an application of its own.
	res = ent.Post("/api/v1/cases", map[string]any{"site_id": site, "matter_id": matter})
	res.JSON(&c)
	if res := ent.Post("/api/v1/cases/"+c.ID+"/actions/withdraw", nil); res.Status != 200 {
		t.Fatalf("withdraw: %d %s", res.Status, res.Body)
	}
}

func TestServiceRemoteSessionCreatesARemoteCase(t *testing.T) {
	a := apptest.Start(t, apptest.Options{Now: inZone("2023-07-12", 11)})
	clerk := a.As("clerk")
	site := whoAmI(t, clerk).User.SiteID
	matter := matterAt(t, clerk, site, "异地就医备案")
	res := clerk.Post("/api/v1/remote-sessions", map[string]any{"matter_id": matter, "outcome": "accepted",
		"started_at": "2023-07-12T10:30:00+08:00", "ended_at": "2023-07-12T10:45:00+08:00", "agent_name": "医保服务大厅 2号窗 刘芳",
		"applicant": map[string]string{"name": "赵六", "id_number": "11010519491231002X"}})
	if res.Status != 201 {
		t.Fatalf("record: %d %s", res.Status, res.Body)
	}
	var s struct {
		ID     string `json:"id"`
		CaseID string `json:"case_id"`
	}
	res.JSON(&s)
	var c caseJSON
	clerk.Get("/api/v1/cases/" + s.CaseID).JSON(&c)
	if c.Channel != "remote" || c.Status != "accepted" || c.SiteID != site {
		t.Fatalf("the remote case: %+v", c)
	}
	if res := clerk.Get("/api/v1/remote-sessions/" + s.ID); res.Status != 200 {
		t.Fatalf("the clerk reads the session: %d", res.Status)
	}
	if res := a.As("clerk2").Get("/api/v1/remote-sessions/" + s.ID); res.Status != 404 {
		t.Fatalf("another site's clerk reads a session: %d", res.Status)
	}
}

// TestServiceSummaryFromDemo fills the summary's keys from the demo's real
// data, checks them against the records, and rebuilds the rollups to the
// same totals.
func TestServiceSummaryFromDemo(t *testing.T) {
	a := apptest.Start(t, apptest.Options{Now: inZone("2023-07-12", 9)})
	svc := &service.Service{DB: a.DB, Cipher: a.Cipher, Cal: a.Calendar.Cal}
	office, err := a.Auth.PrincipalOf(t.Context(), userID(t, a, "office"))
	if err != nil {
		t.Fatal(err)
	}
	from, to := civil.MustParse("2023-01-01"), civil.MustParse("2023-06-30")
	into := map[string]any{}
	if err := svc.Summary(t.Context(), a.DB.Read(), office, from, to, into); err != nil {
		t.Fatal(err)
	}
	cases := into["cases"].(map[string]any)
	for _, k := range []string{"received", "accepted", "concluded", "overdue_open", "on_time_rate", "remote", "evaluations", "satisfaction_rate", "bad_reviews", "bad_reviews_closed"} {
		if _, ok := cases[k]; !ok {
			t.Errorf("cases.%s missing", k)
		}
	}
	count := func(q string, args ...any) int64 {
		var n int64
		if err := a.DB.Read().QueryRow(t.Context(), q, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	want := map[string]int64{
		"received":    count("SELECT COUNT(*) FROM cases WHERE received_on BETWEEN ? AND ?", from, to),
		"remote":      count("SELECT COUNT(*) FROM cases WHERE channel = 'remote' AND received_on BETWEEN ? AND ?", from, to),
		"evaluations": count("SELECT COUNT(*) FROM evaluations WHERE evaluated_on BETWEEN ? AND ?", from, to),
		"bad_reviews": count("SELECT COUNT(*) FROM bad_reviews WHERE opened_on BETWEEN ? AND ?", from, to),
		"concluded":   count("SELECT COUNT(*) FROM flow_events WHERE entity = 'case' AND action = 'conclude' AND on_date BETWEEN ? AND ?", from, to),
	}
	for k, v := range want {
		if cases[k] != v {
			t.Errorf("cases.%s = %v, records say %d", k, cases[k], v)
		}
	}
	if want["received"] < 2800 || want["remote"] == 0 || want["bad_reviews"] == 0 {
		t.Errorf("the demo is thin: %v", want)
	}
	if r := cases["satisfaction_rate"].(*float64); r == nil || *r < 0.9 || *r > 1 {
		t.Errorf("satisfaction_rate = %v", r)
	}
	if r := cases["on_time_rate"].(*float64); r == nil || *r < 0.8 || *r >= 1 {
		t.Errorf("on_time_rate = %v", r)
	}
	sites := into["sites"].(map[string]any)
	byLevel := sites["by_level"].(map[string]int64)
	if sites["total"].(int64) < 30 || byLevel["micro_site"] < 20 || byLevel["district_hall"] != 1 || byLevel["street_hall"] != 3 || byLevel["community_station"] != 10 {
		t.Errorf("sites = %v", sites)
	}
	ranks := must(svc.Rankings(t.Context(), a.DB.Read(), access.SystemPrincipal("test"),
		civil.MustParse("2023-01-01"), civil.MustParse("2023-06-30"), i18n.ZH))
	if rows := ranks[0].Rows; len(rows) != 10 || rows[0].Name != "雨润广场政务V站" {
		t.Errorf("the busiest sites: %+v", rows)
	}
	// The same figures through the statistics API, and the dashboard ranks
	// the sites.
	var api struct {
		Sites struct {
			Total   int64            `json:"total"`
			ByLevel map[string]int64 `json:"by_level"`
		} `json:"sites"`
		Cases map[string]any `json:"cases"`
	}
	leader := a.As("leader")
	res := leader.Get("/api/v1/stats/summary?from=2023-01-01&to=2023-06-30")
	res.JSON(&api)
	if res.Status != 200 || api.Sites.Total != sites["total"].(int64) || api.Sites.ByLevel["micro_site"] != byLevel["micro_site"] {
		t.Errorf("stats summary sites: %d %+v", res.Status, api.Sites)
	}
	for k, v := range want {
		if api.Cases[k] != float64(v) {
			t.Errorf("stats summary cases.%s = %v, want %d", k, api.Cases[k], v)
		}
	}
	if r, ok := api.Cases["satisfaction_rate"].(float64); !ok || r != *cases["satisfaction_rate"].(*float64) {
		t.Errorf("stats summary satisfaction_rate = %v", api.Cases["satisfaction_rate"])
	}
	if page := leader.Get("/dashboard?from=2023-01-01&to=2023-06-30"); !bytes.Contains(page.Body, []byte("站点办件量排名")) ||
		!bytes.Contains(page.Body, []byte("雨润广场政务V站")) {
		t.Errorf("the dashboard does not rank the sites: %d", page.Status)
	}
	before, _ := rollup.Snapshot(t.Context(), a.DB.Read(), service.MetricPrefix)
	err = a.DB.Write(access.With(t.Context(), access.SystemPrincipal("test")), func(tx *store.Tx) error {
		if err := rollup.Clear(t.Context(), tx, service.MetricPrefix); err != nil {
			return err
		}
		if err := svc.Rebuild(t.Context(), tx); err != nil {
			return err
		}
		return audit.Append(t.Context(), tx, audit.Entry{Action: "rollup.rebuild"})
	})
	if err != nil {
		t.Fatal(err)
	}
	after, _ := rollup.Snapshot(t.Context(), a.DB.Read(), service.MetricPrefix)
	if !reflect.DeepEqual(before, after) {
		t.Fatalf("rebuild differs from the running totals: %d rows vs %d", len(after), len(before))
	}
}

func userID(t *testing.T, a *apptest.App, username string) int64 {
	var id int64
	if err := a.DB.Read().QueryRow(t.Context(), "SELECT id FROM users WHERE username = ?", username).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestServiceWarningsPutRedFirst(t *testing.T) {
	a := apptest.Start(t, apptest.Options{Now: inZone("2023-07-12", 9)})
	svc := &service.Service{DB: a.DB, Cipher: a.Cipher, Cal: a.Calendar.Cal}
	// The lights as of 12 July, then seven weeks later: some cases turn.
	if _, err := svc.RefreshWarnings(t.Context()); err != nil {
		t.Fatal(err)
	}
	a.Clock.Set(inZone("2023-08-31", 9))
	n, err := svc.RefreshWarnings(t.Context())
	if err != nil || n == 0 {
		t.Fatalf("refresh: %d %v", n, err)
	}
	var list struct {
		Items []caseJSON `json:"items"`
	}
	a.As("office").Get("/api/v1/cases?limit=500").JSON(&list)
	seenOther := false
	reds := 0
	for _, c := range list.Items {
		if c.Warning == "red" {
			reds++
			if seenOther {
				t.Fatalf("a red case after a non-red one: %+v", c)
			}
		} else {
			seenOther = true
		}
	}
	if reds == 0 {
		t.Fatal("no red case first in the office's list")
	}
	var page struct {
		Total int `json:"total"`
	}
	a.As("office").Get("/api/v1/cases?warning=red&limit=1").JSON(&page)
	if page.Total != reds && reds < 500 {
		t.Fatalf("warning=red lists %d, the list started with %d red", page.Total, reds)
	}
}

func TestServiceMatterCatalogRoundTripsThroughExcel(t *testing.T) {
	a := apptest.Start(t)
	office := a.As("office")
	res := office.Get("/api/v1/matters?format=xlsx")
	if res.Status != 200 {
		t.Fatalf("export: %d", res.Status)
	}
	imp := office.Do("POST", "/api/v1/matters/import", res.Body)
	var r service.ImportResult
	imp.JSON(&r)
	if imp.Status != 200 || r.Created != 0 || r.Updated < 200 || len(r.Errors) != 0 {
		t.Fatalf("re-import: %d %s", imp.Status, imp.Body)
	}
	// A sheet with one good and two bad rows.
	f := excelize.NewFile()
	rows := [][]any{
		{"事项编码", "事项名称", "实施部门", "事项类型", "行使层级", "办件类型", "法定时限(工作日)", "承诺时限(工作日)", "申请材料", "网上可办"},
		{"NEW-001", "户外广告设置许可", "城市管理局", "行政许可", "区级", "承诺件", 20, 5, "申请书；设计图", "是"},
		{"NEW-002", "坏时限", "城市管理局", "行政许可", "区级", "承诺件", 5, 10, "", "否"},
		{"NEW-003", "坏类型", "城市管理局", "许可", "区级", "即办件", 5, 0, "", "否"},
	}
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		f.SetSheetRow("Sheet1", cell, &row)
	}
	var buf bytes.Buffer
	f.Write(&buf)
	imp = office.Do("POST", "/api/v1/matters/import", buf.Bytes())
	r = service.ImportResult{}
	imp.JSON(&r)
	if r.Created != 1 || len(r.Errors) != 2 || r.Errors[0].Row != 3 || r.Errors[0].Field != "promised_limit_workdays" || r.Errors[1].Row != 4 || r.Errors[1].Field != "type" {
		t.Fatalf("import with bad rows: %s", imp.Body)
	}
	if res := a.As("clerk").Do("POST", "/api/v1/matters/import", buf.Bytes()); res.Status != 403 {
		t.Fatalf("a clerk imports: %d", res.Status)
	}
}

func TestServicePagesRender(t *testing.T) {
	a := apptest.Start(t)
	var caseID, badID int64
	a.DB.Read().QueryRow(t.Context(), "SELECT id FROM cases WHERE site_id = (SELECT id FROM sites WHERE code = 'YRV') AND status = 'not_accepted' LIMIT 1").Scan(&caseID)
	a.DB.Read().QueryRow(t.Context(), "SELECT id FROM bad_reviews LIMIT 1").Scan(&badID)
	clients := map[string]*apptest.Client{}
	for _, tc := range []struct{ user, path, zh, en string }{
		{"clerk", "/service/workspace", "窗口收件", "Receive a case"},
		{"clerk", "/service/workspace?matter=" + url.QueryEscape("食品经营许可"), "食品经营许可（新办）", "Choose a matter"},
		{"clerk", "/cases", "办件", "Cases"},
		{"clerk", fmt.Sprintf("/cases/%d", caseID), "不予受理", "Not accepted"},
		{"clerk", fmt.Sprintf("/cases/%d/receipt/reject", caseID), "不予受理通知书", "Notice of non-acceptance"},
		{"clerk", "/remote-sessions", "远程会话", "Remote sessions"},
		{"office", "/sites", "雨润广场政务V站", "Service sites"},
		{"office", "/matters", "事项目录", "Matter catalog"},
		{"office", "/bad-reviews", "差评整改", "Bad reviews"},
		{"office", fmt.Sprintf("/bad-reviews/%d", badID), "差评整改", "Bad review"},
		{"office", "/service/settings", "差评整改时限", "Working days to rectify"},
		{"ent", "/service/apply", "网上申请", "Apply online"},
		{"leader", "/sites", "服务站点", "Service sites"},
	} {
		c := clients[tc.user]
		if c == nil {
			c = a.BrowserLogin(tc.user, "demo")
			clients[tc.user] = c
		}
		for lang, want := range map[string]string{"": tc.zh, "en": tc.en} {
			c.Lang = lang
			res := c.Page(tc.path)
			if res.Status != http.StatusOK || !strings.Contains(string(res.Body), want) {
				t.Errorf("%s %s (lang %q): %d, missing %q", tc.user, tc.path, lang, res.Status, want)
			}
		}
	}
	if res := a.BrowserLogin("clerk2", "demo").Page(fmt.Sprintf("/cases/%d", caseID)); res.Status != http.StatusNotFound {
		t.Errorf("another site's clerk opens the case page: %d", res.Status)
	}
	if res := a.BrowserLogin("leader", "demo").Page("/service/workspace"); res.Status != http.StatusForbidden {
		t.Errorf("a leader opens the workspace: %d", res.Status)
	}
}

// TestServiceClerkReceivesACaseInTheBrowser receives a case in Chromium as
// a clerk does at the window: search the matter, name the enterprise, press
// Enter.
func TestServiceClerkReceivesACaseInTheBrowser(t *testing.T) {
	// The browser keeps the session cookie only while it has not expired by
	// the real clock: this test runs today.
	a := apptest.Start(t)
	today := civil.Of(time.Now())
	number := fmt.Sprintf("YRV-%04d%02d%02d-", today.Year, today.Month, today.Day)
	due := a.Calendar.Cal.AddWorkdays(today, 5).String()
	ctx := apptest.Browser(t)
	err := apptest.Steps(ctx,
		chromedp.Navigate(a.URL+"/login"),
		chromedp.WaitVisible(`input[name=username]`),
		chromedp.SendKeys(`input[name=username]`, "clerk"),
		chromedp.SendKeys(`input[name=password]`, "demo"),
		chromedp.Submit(`input[name=password]`),
		chromedp.WaitVisible(`.sidebar`),
		chromedp.Navigate(a.URL+"/service/workspace"),
		chromedp.WaitVisible(`input[name=matter]`),
		// Type the matter and press Enter; then the enterprise and Enter.
		chromedp.SendKeys(`input[name=matter]`, "小餐饮经营许可（新办）\r"),
		chromedp.WaitVisible(`#svc-receive`),
		chromedp.SendKeys(`input[name=enterprise]`, "湖北祥邦新能源科技有限公司\r"),
		chromedp.WaitVisible(`.timeline`),
	)
	if err != nil {
		t.Fatal(err)
	}
	title, _ := apptest.Text(ctx, `main h1`)
	props, _ := apptest.Text(ctx, `dl.props`)
	flash, _ := apptest.Text(ctx, `.flash`)
	if !strings.Contains(title, number) || !strings.Contains(props, "湖北祥邦新能源科技有限公司") || !strings.Contains(props, due) || flash == "" {
		t.Fatalf("case page: %q / %q / %q", title, props, flash)
	}
	badge, _ := apptest.Text(ctx, `.page-head .badge`)
	if !strings.Contains(badge, "已受理") {
		t.Fatalf("status %q", badge)
	}
}
