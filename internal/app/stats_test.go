package app_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"xiaoer/internal/access"
	"xiaoer/internal/app/apptest"
	"xiaoer/internal/civil"
	"xiaoer/internal/stats"
	"xiaoer/internal/store"
)

func TestSummaryHasEveryKeyOfTheContract(t *testing.T) {
	a := apptest.Start(t)
	res := a.As("leader").Get("/api/v1/stats/summary?from=2023-01-01&to=2023-06-30")
	if res.Status != 200 {
		t.Fatalf("%d %s", res.Status, res.Body)
	}
	sum := res.Map()
	for _, path := range []string{
		"from", "to", "sites.total", "sites.by_level.district_hall", "sites.by_level.street_hall", "sites.by_level.community_station", "sites.by_level.micro_site",
		"cases.received", "cases.accepted", "cases.concluded", "cases.overdue_open", "cases.on_time_rate", "cases.remote", "cases.evaluations",
		"cases.satisfaction_rate", "cases.bad_reviews", "cases.bad_reviews_closed",
		"projects.signed.count", "projects.signed.investment_fen", "projects.started.count", "projects.registered.count",
		"projects.producing.investment_fen", "projects.effective.count", "projects.started_and_producing_same_year",
		"appeals.received", "appeals.resolved", "appeals.response_rate", "appeals.resolution_rate", "appeals.satisfaction_rate", "appeals.on_time_rate", "appeals.by_category",
		"labor.events", "labor.placements", "labor.subsidy_paid_fen", "policy.applications", "policy.paid_enterprises", "policy.paid_fen",
		"finance.needs", "finance.needs_fen", "finance.loans", "finance.loans_fen",
		"innovation.high_tech_enterprises", "innovation.tech_smes", "innovation.platforms.national", "innovation.platforms.provincial",
		"innovation.platforms.municipal", "innovation.platforms.district", "innovation.events", "innovation.partnership_universities", "innovation.partnership_enterprises",
	} {
		var cur any = sum
		for _, part := range strings.Split(path, ".") {
			m, ok := cur.(map[string]any)
			if !ok {
				t.Fatalf("%s: %v is not an object", path, cur)
			}
			if cur, ok = m[part]; !ok {
				t.Errorf("summary lacks %s", path)
				break
			}
		}
	}
	if sum["from"] != "2023-01-01" || sum["to"] != "2023-06-30" {
		t.Errorf("period = %v..%v", sum["from"], sum["to"])
	}
}

func TestStatsAreForLeadersAndOffices(t *testing.T) {
	a := apptest.Start(t)
	for user, want := range map[string]int{"leader": 200, "office": 200, "projects": 200, "cadre": 403, "ent": 403, "bank": 403, "admin": 403, "dept": 403} {
		if res := a.As(user).Get("/api/v1/stats/summary?from=2023-01-01&to=2023-06-30"); res.Status != want {
			t.Errorf("%s: %d, want %d", user, res.Status, want)
		}
	}
	c := a.As("leader")
	for _, q := range []string{"from=2023-01-01", "from=2023-06-30&to=2023-01-01", "from=2023-02-30&to=2023-03-01", "from=1990-01-01&to=2023-01-01"} {
		if res := c.Get("/api/v1/stats/summary?" + q); res.Status != 400 {
			t.Errorf("%s: %d, want 400", q, res.Status)
		}
	}
	if res := c.Get("/api/v1/stats/trend?metric=cases.nothing&from=2023-01-01&to=2023-06-30"); res.Status != 400 || res.ErrorField() != "metric" {
		t.Errorf("unknown metric: %d %s", res.Status, res.Body)
	}
}

func TestTrendHasOnePointPerMonth(t *testing.T) {
	a := apptest.Start(t)
	var tr struct {
		Metric string `json:"metric"`
		Points []struct {
			From, To string
			Value    *float64
		} `json:"points"`
	}
	a.As("leader").Get("/api/v1/stats/trend?metric=projects.started.count&from=2023-01-01&to=2023-06-30&by=month").JSON(&tr)
	if tr.Metric != "projects.started.count" || len(tr.Points) != 6 || tr.Points[5].From != "2023-06-01" || tr.Points[5].To != "2023-06-30" {
		t.Fatalf("trend = %+v", tr)
	}
	for _, p := range tr.Points {
		if p.Value == nil {
			t.Fatalf("a count is null in %+v", p)
		}
	}
}

func TestBriefAndExports(t *testing.T) {
	a := apptest.Start(t)
	c := a.As("leader")
	res := c.Get("/api/v1/reports/brief?from=2023-01-01&to=2023-06-30")
	if res.Status != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/markdown") {
		t.Fatalf("brief: %d %s", res.Status, res.Header.Get("Content-Type"))
	}
	md := string(res.Body)
	for _, want := range []string{"# 大冶湖高新技术产业开发区2023年1-6月优化营商环境工作情况", "## 一、延伸服务触角", "## 二、", "## 三、", "厚植创新沃土"} {
		if !strings.Contains(md, want) {
			t.Errorf("brief lacks %q", want)
		}
	}
	res = c.Get("/api/v1/reports/brief?from=2023-01-01&to=2023-06-30&format=docx")
	if _, err := zip.NewReader(bytes.NewReader(res.Body), int64(len(res.Body))); res.Status != 200 || err != nil {
		t.Fatalf("docx: %d %v", res.Status, err)
	}
	res = c.Get("/api/v1/stats/export?from=2023-01-01&to=2023-06-30")
	f, err := excelize.OpenReader(bytes.NewReader(res.Body))
	if res.Status != 200 || err != nil {
		t.Fatalf("xlsx: %d %v", res.Status, err)
	}
	sheets := f.GetSheetList()
	if len(sheets) != 5 || sheets[0] != "政务服务网络" {
		t.Fatalf("sheets = %v", sheets)
	}
	title, _ := f.GetCellValue(sheets[2], "A1")
	if !strings.Contains(title, "2023年1-6月") {
		t.Fatalf("sheet title = %q", title)
	}
}

func TestDashboardAndBriefPages(t *testing.T) {
	a := apptest.Start(t)
	c := a.BrowserLogin("leader", "demo")
	for path, want := range map[string]string{
		"/dashboard": "驾驶舱 · 2023年1-6月",
		"/dashboard?from=2023-01-01&to=2023-03-31": "2023年1-3月",
		"/dashboard?screen=1":                      "退出大屏",
		"/reports/brief":                           "优化营商环境工作情况",
	} {
		res := c.Page(path)
		if res.Status != 200 || !strings.Contains(string(res.Body), want) {
			t.Errorf("%s: %d, missing %q", path, res.Status, want)
		}
	}
	// Rankings, warnings and the links behind the figures.
	body := string(c.Page("/dashboard").Body)
	for _, want := range []string{"部门诉求办理排名", "银行对接融资排名", "项目专员（金牌保姆）评分", "超期未办结的诉求", "红色预警项目",
		`href="/projects?from=2023-01-01&amp;to=2023-06-30&amp;year_stage=started"`, `href="/appeals?from=2023-01-01&amp;to=2023-06-30"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the dashboard lacks %q", want)
		}
	}
	if res := a.BrowserLogin("cadre", "demo").Page("/dashboard"); res.Status != 403 {
		t.Errorf("cadre on the dashboard: %d", res.Status)
	}
}

// TestBrowserDashboardDrawsCharts opens the dashboard in Chromium: the
// ECharts library embedded in the binary draws every trend chart.
func TestBrowserDashboardDrawsCharts(t *testing.T) {
	if _, err := os.Stat("../web/static/vendor/echarts.min.js"); err != nil {
		if os.Getenv("XIAOER_REQUIRE_BROWSER") != "" {
			t.Fatal("ECharts is not in internal/web/static/vendor: run make assets")
		}
		t.Skip("ECharts not built (make assets)")
	}
	a := apptest.Start(t)
	ctx := apptest.Browser(t)
	err := apptest.Steps(ctx,
		chromedp.Navigate(a.URL+"/login"),
		chromedp.SendKeys(`input[name=username]`, "leader"),
		chromedp.SendKeys(`input[name=password]`, "demo"),
		chromedp.Submit(`input[name=password]`),
		chromedp.WaitVisible(`.sidebar`),
		chromedp.Navigate(a.URL+"/dashboard"),
		chromedp.WaitVisible(`.chart[data-rendered] canvas`),
	)
	if err != nil {
		t.Fatal(err)
	}
	title, _ := apptest.Text(ctx, `main h1`)
	if !strings.Contains(title, "2023年1-6月") {
		t.Errorf("dashboard title = %q", title)
	}
}

// TestDrillDownListsTheRecordsBehindAFigure: the list a dashboard figure
// links to holds as many records as the figure says.
func TestDrillDownListsTheRecordsBehindAFigure(t *testing.T) {
	a := apptest.Start(t)
	c := a.As("leader")
	sum := c.Get("/api/v1/stats/summary?from=2023-01-01&to=2023-06-30").Map()
	num := func(path ...string) int {
		var cur any = sum
		for _, p := range path {
			cur = cur.(map[string]any)[p]
		}
		return int(cur.(float64))
	}
	for _, tc := range []struct {
		list string
		want int
	}{
		{"/api/v1/projects?year_stage=started&from=2023-01-01&to=2023-06-30&limit=500", num("projects", "started", "count")},
		{"/api/v1/projects?year_stage=producing&from=2023-01-01&to=2023-06-30&limit=500", num("projects", "producing", "count")},
		{"/api/v1/appeals?from=2023-01-01&to=2023-06-30&limit=500", num("appeals", "received")},
		{"/api/v1/finance/needs?from=2023-01-01&to=2023-06-30&limit=500", num("finance", "needs")},
	} {
		var l struct {
			Total int `json:"total"`
		}
		c.Get(tc.list).JSON(&l)
		if l.Total != tc.want || tc.want == 0 {
			t.Errorf("%s: %d records, the figure says %d", tc.list, l.Total, tc.want)
		}
	}
}

// TestRollupsAgreeWithTheRecords recomputes every module's rollups from its
// records and events on the demo zone and finds them equal to the running
// totals kept transaction by transaction; a total altered by hand is found
// and put right by a rebuild.
func TestRollupsAgreeWithTheRecords(t *testing.T) {
	a := apptest.Start(t)
	ctx := t.Context()
	checks, err := a.Stats.Rebuild(ctx, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	modules := map[string]bool{}
	for _, c := range checks {
		modules[c.Module] = true
		if !c.Matched || c.Rows == 0 {
			t.Errorf("%s: %d rows, matched %v: %v", c.Module, c.Rows, c.Matched, c.Differences)
		}
	}
	for _, m := range []string{"enterprise", "service", "project", "appeal", "labor", "policy", "finance", "innovation"} {
		if !modules[m] {
			t.Errorf("no rollups checked for %s", m)
		}
	}
	before, _ := a.Stats.Summary(ctx, access.SystemPrincipal("test"), civil.MustParse("2023-01-01"), civil.MustParse("2023-06-30"))
	// A total altered, one removed and one made up, each in another module.
	err = a.DB.WriteUnaudited(ctx, func(tx *store.Tx) error {
		for _, q := range []string{
			"UPDATE rollup_month SET value = value + 7 WHERE metric = 'cases.accepted' AND org_id = (SELECT MIN(id) FROM orgs) AND dim = '' AND month = '2023-03'",
			"DELETE FROM rollup_day WHERE metric = 'appeals.received' AND org_id = (SELECT MIN(id) FROM orgs) AND day = (SELECT MIN(day) FROM rollup_day WHERE metric = 'appeals.received')",
			"INSERT INTO rollup_day (metric, org_id, dim, day, value) VALUES ('projects.started.count', 0, '', '1999-01-01', 3)",
		} {
			if n, err := tx.Exec(ctx, q); err != nil {
				return err
			} else if k, _ := n.RowsAffected(); k != 1 {
				return fmt.Errorf("%s: %d rows", q, k)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"service": "cases.accepted|2023-03|",
		"appeal":  "appeals.received|",
		"project": "projects.started.count|1999-01-01|0|: running 3, recomputed 0",
	}
	for _, c := range must(a.Stats.Rebuild(ctx, false, nil)) {
		w, altered := want[c.Module]
		switch {
		case altered && (c.Matched || len(c.Differences) != 1 || !strings.HasPrefix(c.Differences[0], w)):
			t.Errorf("%s: the row altered by hand: %v, want one difference starting %q", c.Module, c.Differences, w)
		case !altered && !c.Matched:
			t.Errorf("%s: differences where nothing changed: %v", c.Module, c.Differences)
		}
	}
	if _, err := a.Stats.Rebuild(ctx, true, nil); err != nil {
		t.Fatal(err)
	}
	after, _ := a.Stats.Summary(ctx, access.SystemPrincipal("test"), civil.MustParse("2023-01-01"), civil.MustParse("2023-06-30"))
	if !reflect.DeepEqual(before, after) {
		t.Fatalf("the rebuild changed the summary:\n%v\n%v", before, after)
	}
	for _, c := range must(a.Stats.Rebuild(ctx, false, nil)) {
		if !c.Matched {
			t.Errorf("%s differs after the rebuild: %v", c.Module, c.Differences)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestRollupsMadeAnewAreRebuiltOnStart: a migration that makes the rollup
// tables anew leaves them empty and asks for a rebuild; the start that
// follows fills them from the records, once, and the figures are as before.
func TestRollupsMadeAnewAreRebuiltOnStart(t *testing.T) {
	a := apptest.Start(t)
	ctx := t.Context()
	sys := access.SystemPrincipal("test")
	from, to := civil.MustParse("2023-01-01"), civil.MustParse("2023-06-30")
	before := must(a.Stats.Summary(ctx, sys, from, to))
	relay := func() {
		t.Helper()
		err := a.DB.WriteUnaudited(ctx, func(tx *store.Tx) error {
			for _, q := range []string{"DELETE FROM rollup_day", "DELETE FROM rollup_month",
				"INSERT INTO settings (key, value, updated_at) VALUES ('rollups.stale', 'true', CURRENT_TIMESTAMP)"} {
				if _, err := tx.Exec(ctx, q); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	relay()
	if did := must(a.Stats.RebuildIfStale(ctx, false)); !did {
		t.Fatal("the stale rollups were not rebuilt")
	}
	if after := must(a.Stats.Summary(ctx, sys, from, to)); !reflect.DeepEqual(before, after) {
		t.Fatalf("the rebuilt summary differs:\n%v\n%v", before, after)
	}
	if did := must(a.Stats.RebuildIfStale(ctx, false)); did {
		t.Error("the rollups were rebuilt a second time")
	}

	// A database that was empty before its migrations has nothing to rebuild.
	relay()
	if did := must(a.Stats.RebuildIfStale(ctx, true)); did {
		t.Error("a fresh database was rebuilt")
	}
	var n int
	if err := a.DB.Read().QueryRow(ctx, "SELECT COUNT(*) FROM settings WHERE key = 'rollups.stale'").Scan(&n); err != nil || n != 0 {
		t.Errorf("the flag is left: %d %v", n, err)
	}
}

// TestRollupsOfOneModuleAreRebuiltOnStart: a migration that adds one
// module's rollups names the module; the start that follows rebuilds that
// module's alone.
func TestRollupsOfOneModuleAreRebuiltOnStart(t *testing.T) {
	a := apptest.Start(t)
	ctx := t.Context()
	sys := access.SystemPrincipal("test")
	on := civil.MustParse("2023-06-30")
	before := must(a.Stats.Summary(ctx, sys, on, on))
	if stats.Int(before, "innovation.tech_smes") == 0 {
		t.Fatal("the demo has no tech-based SMEs to count")
	}
	const tamper = "UPDATE rollup_month SET value = value + 7 WHERE metric = 'cases.accepted' AND month = '2023-06' AND dim = ''"
	err := a.DB.WriteUnaudited(ctx, func(tx *store.Tx) error {
		for _, q := range []string{"DELETE FROM rollup_day WHERE metric LIKE 'enterprises.%'", "DELETE FROM rollup_month WHERE metric LIKE 'enterprises.%'",
			tamper, "INSERT INTO settings (key, value, updated_at) VALUES ('rollups.stale', 'enterprise', CURRENT_TIMESTAMP)"} {
			if _, err := tx.Exec(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if did := must(a.Stats.RebuildIfStale(ctx, false)); !did {
		t.Fatal("the module's rollups were not rebuilt")
	}
	after := must(a.Stats.Summary(ctx, sys, on, on))
	for _, k := range []string{"innovation.tech_smes", "innovation.high_tech_enterprises"} {
		if stats.Int(after, k) != stats.Int(before, k) {
			t.Errorf("%s: %d after the rebuild, %d before", k, stats.Int(after, k), stats.Int(before, k))
		}
	}
	if checks := must(a.Stats.Rebuild(ctx, false, nil, "service")); len(checks) != 1 || checks[0].Matched {
		t.Errorf("the other modules' rollups were rebuilt too, the tampered row gone: %+v", checks)
	}
}
