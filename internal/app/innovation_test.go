package app_test

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"xiaoer/internal/access"
	"xiaoer/internal/app/apptest"
	"xiaoer/internal/i18n"
	"xiaoer/internal/money"
	"xiaoer/internal/platform"
)

// innModule returns the app's module called name.
func innModule(t *testing.T, a *apptest.App, name string) platform.Module {
	t.Helper()
	for _, m := range a.Stats.Modules {
		if m.Name == name {
			return m
		}
	}
	t.Fatalf("no module %s", name)
	return platform.Module{}
}

// TestInnovationFiguresOfH1_2023 checks the demo against the seed article's
// figures for the first half of 2023.
func TestInnovationFiguresOfH1_2023(t *testing.T) {
	a := apptest.Start(t)
	res := a.As("leader").Get("/api/v1/stats/summary?from=2023-01-01&to=2023-06-30")
	if res.Status != 200 {
		t.Fatalf("summary: %d %s", res.Status, res.Body)
	}
	s := res.Map()
	inn := s["innovation"].(map[string]any)
	for k, v := range map[string]any{
		// 3 national 双创 platforms, 38 provincial-or-higher, 66 municipal;
		// the two district ones are the offshore and transfer centres.
		"platforms":                      map[string]any{"national": 3.0, "provincial": 35.0, "municipal": 66.0, "district": 2.0},
		"platforms_provincial_or_higher": 38.0,
		"national_incubation_platforms":  3.0,
		// 61 weekly events cycling training, roadshow, conference, contest
		// (16, 15, 15, 15) and the three the article names (a conference,
		// two contests).
		"events":         64.0,
		"events_by_kind": map[string]any{"training": 16.0, "roadshow": 15.0, "conference": 16.0, "contest": 17.0},
		// 32 universities with 72 enterprises: 72 pairings plus 20 more;
		// the 8 that ended in 2022 and the 4 signed after June do not count.
		"partnership_universities": 32.0,
		"partnership_enterprises":  72.0,
		"partnerships_active":      92.0,
		// Signed every 11 days from 2021-03-01: the 62nd to 72nd fall in
		// 2023 (day 671 is 1 January); of the 20 more, every 19 days from
		// 2022-01-10, only the last (2023-01-06).
		"partnerships_signed": 12.0,
		// 11 provincial and 1 national R&D project in 2023.
		"rd_projects_provincial": 12.0,
		// Those 12, the 4 光谷科创大走廊 supports and 6 municipal projects,
		// all with the article's 12 named enterprises: 3400万 + 800万 + 220万.
		"grants": map[string]any{"count": 22.0, "enterprises": 12.0, "amount_fen": float64(4420 * money.Wan)},
		// On 30 June: 2 at market, 3 in pilot, 5 incubating (one reached
		// pilot only in August), 5 in research (one began in September).
		"transfers":         map[string]any{"research": 5.0, "incubation": 5.0, "pilot": 3.0, "market": 2.0},
		"transfers_entered": map[string]any{"research": 3.0, "incubation": 4.0, "pilot": 3.0, "market": 2.0},
	} {
		if !reflect.DeepEqual(inn[k], v) {
			t.Errorf("innovation.%s = %v, want %v", k, inn[k], v)
		}
	}
	for _, k := range []string{"high_tech_enterprises", "tech_smes"} {
		if _, ok := inn[k].(float64); !ok {
			t.Errorf("innovation.%s missing: %v", k, inn[k])
		}
	}
	places := s["places"].(map[string]any)
	// The article's 5 residential clusters, 4 industrial service centres
	// and 9 neighbourhood centres, and 12 public facilities.
	for k, v := range map[string]float64{"residential_cluster": 5, "service_center": 4, "neighbourhood_center": 9,
		"school": 3, "hospital": 2, "culture": 2, "sports": 2, "transport": 3, "facilities": 12} {
		if places[k] != v {
			t.Errorf("places.%s = %v, want %v", k, places[k], v)
		}
	}
	// The culture centre that opened in September was still being built.
	if got := places["by_status"]; !reflect.DeepEqual(got, map[string]any{"open": 14.0, "building": 10.0, "planned": 6.0}) {
		t.Errorf("places by status = %v", got)
	}
	// The narrative brief reports them in the article's words.
	brief := string(a.As("leader").Get("/api/v1/reports/brief?from=2023-01-01&to=2023-06-30").Body)
	for _, want := range []string{"规划建设居住组团5个、园区级产业服务中心4个、生活和生产邻里中心9个", "国家级双创平台3家，省级以上研发平台达到38家、市级研发平台66家",
		"创新创业活动64场次", "32所高校院所与72家企业建立产学研合作关系"} {
		if !strings.Contains(brief, want) {
			t.Errorf("the brief lacks %q:\n%s", want, brief)
		}
	}
	// The dashboard ranks the universities and drills into the lists.
	dash := string(a.BrowserLogin("leader", "demo").Page("/dashboard?from=2023-01-01&to=2023-06-30").Body)
	for _, want := range []string{"产学研合作高校院所", "/innovation/partnerships?university_org_id=", "/innovation/events?from=2023-01-01&amp;to=2023-06-30"} {
		if !strings.Contains(dash, want) {
			t.Errorf("the dashboard lacks %q", want)
		}
	}
	// The article's named enterprises hold the named support.
	var grants struct {
		Items []struct {
			EnterpriseName string `json:"enterprise_name"`
			Program        string `json:"program"`
		} `json:"items"`
	}
	a.As("leader").Get("/api/v1/innovation/grants?q=" + url.QueryEscape("光谷科创大走廊")).JSON(&grants)
	names := map[string]bool{}
	for _, g := range grants.Items {
		names[g.EnterpriseName] = true
	}
	if len(grants.Items) != 4 || !names["湖北普罗格智芯科技有限公司"] || !names["湖北东贝电机有限公司"] {
		t.Errorf("光谷科创大走廊 support: %+v", grants.Items)
	}
	a.As("leader").Get("/api/v1/innovation/grants?q=" + url.QueryEscape("省重点科技创新专项")).JSON(&grants)
	if len(grants.Items) != 1 || !strings.Contains(grants.Items[0].EnterpriseName, "融通高科") {
		t.Errorf("融通高科's provincial key project: %+v", grants.Items)
	}
}

func TestInnovationRolesAndScopes(t *testing.T) {
	a := apptest.Start(t)
	for _, tc := range []struct {
		user, method, path string
		status             int
	}{
		{"leader", "GET", "/api/v1/innovation/platforms", 200},
		{"projects", "GET", "/api/v1/innovation/partnerships", 200},
		{"cadre", "GET", "/api/v1/innovation/transfers", 200},
		{"ent", "GET", "/api/v1/innovation/grants", 200},
		{"bank", "GET", "/api/v1/innovation/platforms", 403},
		{"bank", "GET", "/api/v1/innovation/events", 200}, // published notices
		{"admin", "GET", "/api/v1/innovation/events", 403},
		{"auditor", "GET", "/api/v1/places", 403},
		{"dept", "GET", "/api/v1/places", 200},
		{"leader", "POST", "/api/v1/innovation/events", 403},
		{"ent", "POST", "/api/v1/places", 403},
		{"ent", "POST", "/api/v1/innovation/self-check/tech-sme", 400}, // allowed; the empty body is refused
	} {
		res := a.As(tc.user).Do(tc.method, tc.path, "{}")
		if res.Status != tc.status {
			t.Errorf("%s %s %s: %d, want %d (%s)", tc.user, tc.method, tc.path, res.Status, tc.status, res.Body)
		}
	}
	// The enterprise user sees its own enterprise's records only.
	var l struct {
		Items []struct {
			EnterpriseName string `json:"enterprise_name"`
			HostName       string `json:"host_name"`
		} `json:"items"`
		Total int `json:"total"`
	}
	ent := a.As("ent")
	ent.Get("/api/v1/innovation/partnerships?limit=500").JSON(&l)
	if l.Total == 0 {
		t.Fatal("the enterprise sees none of its partnerships")
	}
	for _, x := range l.Items {
		if x.EnterpriseName != "湖北祥邦新能源科技有限公司" {
			t.Errorf("the enterprise sees %s's partnership", x.EnterpriseName)
		}
	}
	ent.Get("/api/v1/innovation/platforms?limit=500").JSON(&l)
	for _, x := range l.Items {
		if x.HostName != "湖北祥邦新能源科技有限公司" {
			t.Errorf("the enterprise sees %s's platform", x.HostName)
		}
	}
	var all struct{ Total int }
	a.As("leader").Get("/api/v1/innovation/platforms").JSON(&all)
	if all.Total != 109 {
		t.Errorf("the leader sees %d platforms, want 109", all.Total)
	}
}

func TestInnovationAPIWritesAndWorkflow(t *testing.T) {
	a := apptest.Start(t)
	office := a.As("office")
	var uni string
	a.DB.Read().QueryRow(t.Context(), "SELECT CAST(id AS TEXT) FROM orgs WHERE name = '湖北工业大学'").Scan(&uni)
	res := office.Post("/api/v1/innovation/transfers", map[string]any{"name": "新型储能材料", "university_org_id": uni, "research_on": "2023-03-01"})
	if res.Status != 201 {
		t.Fatalf("create transfer: %d %s", res.Status, res.Body)
	}
	id := res.Map()["id"].(string)
	path := "/api/v1/innovation/transfers/" + id
	for _, step := range []struct {
		body   string
		status int
		stage  string
	}{
		{`{"date":"2023-02-28"}`, 400, ""}, // before research began
		{`{"date":"2023-04-01","note":"入驻孵化器"}`, 200, "incubation"},
		{`{"date":"2023-09-01"}`, 200, "pilot"},
		{`{"date":"2023-10-01"}`, 200, "market"},
		{`{"date":"2023-11-01"}`, 409, ""},
	} {
		res := office.Post(path+"/actions/advance", step.body)
		if res.Status != step.status || (step.stage != "" && res.Map()["stage"] != step.stage) {
			t.Fatalf("advance %s: %d %s", step.body, res.Status, res.Body)
		}
	}
	if res := a.As("leader").Post(path+"/actions/advance", `{"date":"2023-11-01"}`); res.Status != 403 {
		t.Errorf("leader advances: %d", res.Status)
	}
	var evs []map[string]any
	office.Get(path + "/events").JSON(&evs)
	if len(evs) != 4 || evs[1]["to"] != "incubation" || evs[1]["note"] != "入驻孵化器" || evs[3]["to"] != "market" {
		t.Fatalf("events = %v", evs)
	}
	// Bad bodies name their field, in either language.
	for _, tc := range []struct {
		path, body, field, zh, en string
	}{
		{"/api/v1/innovation/platforms", `{"name":"x","kind":"key_lab","level":"galactic","host_org_id":"` + uni + `","recognized_on":"2020-01-01"}`, "level", "级别", "level"},
		{"/api/v1/innovation/events", `{"name":"x","kind":"contest","date":"2023-01-01","participants":-5}`, "participants", "参加人数", "participants"},
		{"/api/v1/innovation/partnerships", `{"university_org_id":"` + uni + `","kind":"commissioned","signed_on":"2023-01-01"}`, "enterprise_id", "企业", "enterprise_id"},
		{"/api/v1/places", `{"name":"x","kind":"school","status":"open","lat":114.97,"lng":30.09}`, "lat", "填反", "swapped"},
		{"/api/v1/places", `{"name":"x","kind":"school","status":"open","lat":30.09,"lng":114.97,"height":3}`, "height", "不认识的字段", "Unknown field"},
	} {
		for _, lang := range []string{"", "en"} {
			office.Lang = lang
			res := office.Post(tc.path, tc.body)
			want := tc.zh
			if lang == "en" {
				want = tc.en
			}
			if res.Status != 400 || res.ErrorField() != tc.field || !strings.Contains(res.ErrorMessage(), want) {
				t.Errorf("%s %s (%q): %d %s", tc.path, tc.body, lang, res.Status, res.Body)
			}
		}
	}
	office.Lang = ""
	// Exports carry Chinese headers.
	res = office.Get("/api/v1/innovation/platforms?format=csv&level=national")
	if res.Status != 200 || !strings.HasPrefix(string(res.Body), "\ufeff平台名称,类型,级别,依托单位") || strings.Count(string(res.Body), "\n") != 4 {
		t.Errorf("csv export: %d %q", res.Status, res.Body)
	}
}

func TestSelfCheckAPI(t *testing.T) {
	a := apptest.Start(t)
	ent := a.As("ent")
	ok := map[string]any{"as_of": "2023-06-30", "ip_class1": 2, "field": "new_energy", "staff": 200, "tech_staff": 30,
		"sales_3y_fen": 6 * money.Yi, "sales_last_year_fen": 2 * money.Yi, "rd_3y_fen": 2400 * money.Wan, "rd_domestic_pct": 100,
		"high_tech_income_fen": 15000 * money.Wan, "total_income_fen": 21000 * money.Wan, "innovation_score": 72, "save": true}
	res := ent.Post("/api/v1/innovation/self-check/high-tech", ok)
	if res.Status != 200 {
		t.Fatalf("high-tech check: %d %s", res.Status, res.Body)
	}
	var r struct {
		Eligible     bool     `json:"eligible"`
		Advisory     string   `json:"advisory"`
		SavedID      string   `json:"saved_id"`
		FromRegistry []string `json:"from_registry"`
		Conditions   []struct {
			Code string `json:"code"`
			Met  bool   `json:"met"`
		} `json:"conditions"`
	}
	res.JSON(&r)
	// Band 4 % (sales 2亿 exactly): 2400万/6亿 = 4 %; 1.5亿/2.1亿 = 71 %.
	if !r.Eligible || !strings.Contains(r.Advisory, "仅供参考") || r.SavedID == "" || len(r.Conditions) != 9 ||
		!reflect.DeepEqual(r.FromRegistry, []string{"registered_on"}) {
		t.Fatalf("result = %s", res.Body)
	}
	for _, tc := range []struct {
		name, path string
		edit       func(map[string]any)
		field      string
		zh, en     string
	}{
		{"negative staff", "high-tech", func(m map[string]any) { m["staff"] = -1 }, "staff", "职工总数", "staff"},
		{"tech staff above staff", "high-tech", func(m map[string]any) { m["tech_staff"] = 201 }, "tech_staff", "不能超过职工总数", "cannot exceed"},
		{"share over 100 %", "high-tech", func(m map[string]any) { m["rd_domestic_pct"] = 120 }, "rd_domestic_pct", "0到100之间", "between 0 and 100"},
		{"score over 100", "high-tech", func(m map[string]any) { m["innovation_score"] = 130 }, "innovation_score", "0到100之间", "between 0 and 100"},
		{"another enterprise", "high-tech", func(m map[string]any) { m["enterprise_id"] = "2" }, "enterprise_id", "企业不存在", "No such enterprise"},
		{"R&D above costs", "tech-sme", func(m map[string]any) {
			clear(m)
			m["staff"], m["tech_staff"], m["rd_fen"], m["cost_fen"] = 10, 2, 500, 100
		}, "rd_fen", "成本费用", "cost_fen"},
	} {
		for _, lang := range []string{"", "en"} {
			body := map[string]any{}
			for k, v := range ok {
				body[k] = v
			}
			tc.edit(body)
			ent.Lang = lang
			res := ent.Post("/api/v1/innovation/self-check/"+tc.path, body)
			want := tc.zh
			if lang == "en" {
				want = tc.en
			}
			if res.Status != 400 || res.ErrorField() != tc.field || !strings.Contains(res.ErrorMessage(), want) {
				t.Errorf("%s (%q): %d %s", tc.name, lang, res.Status, res.Body)
			}
		}
	}
	ent.Lang = ""
	// The kept result is on the enterprise's page: the module's facts.
	var entID int64
	a.DB.Read().QueryRow(t.Context(), "SELECT enterprise_id FROM users WHERE username = 'ent'").Scan(&entID)
	p := &access.Principal{Username: "ent", Roles: []access.Role{access.Enterprise}, EnterpriseID: entID}
	f, err := innModule(t, a, "innovation").Facts(t.Context(), p, entID, i18n.ZH)
	if err != nil {
		t.Fatal(err)
	}
	var facts []string
	for _, r := range f.Rows {
		facts = append(facts, r.Label+"="+r.Value)
	}
	joined := strings.Join(facts, "|")
	for _, want := range []string{"研发平台=省级企业技术中心（祥邦新能源湖北省企业技术中心）", "高新技术企业自测=高新技术企业 符合（2023-06-30）",
		"科技型中小企业自测=科技型中小企业 58分 暂不符合（2023-06-20）", "成果转化=中试 1"} {
		if !strings.Contains(joined, want) {
			t.Errorf("facts lack %q: %v", want, facts)
		}
	}
}

func TestInnovationPagesRender(t *testing.T) {
	a := apptest.Start(t)
	var transfer, placeID string
	a.DB.Read().QueryRow(t.Context(), "SELECT CAST(id AS TEXT) FROM inn_transfers WHERE stage = 'pilot' ORDER BY id LIMIT 1").Scan(&transfer)
	a.DB.Read().QueryRow(t.Context(), "SELECT CAST(id AS TEXT) FROM places ORDER BY id LIMIT 1").Scan(&placeID)
	for _, tc := range []struct {
		user, path, zh, en string
	}{
		{"leader", "/innovation/platforms?level=national", "大冶湖高新区科技企业孵化器", "Technology business incubator"},
		{"office", "/innovation/platforms/new", "依托企业", "Host enterprise"},
		{"leader", "/innovation/events?from=2023-06-01&to=2023-06-30", "第十二届中国创新创业大赛（黄石赛区）决赛", "Contest"},
		{"office", "/innovation/partnerships", "产学研合作", "partnerships"},
		{"cadre", "/innovation/grants", "光谷科创大走廊专项", "Grants and R"},
		{"office", "/innovation/transfers", "离岸科创中心", "Technology transfers"},
		{"office", "/innovation/transfers/" + transfer, "推进到下一环节", "Advance to the next stage"},
		{"ent", "/innovation/self-check", "自测结果仅供参考", "advisory only"},
		{"ent", "/innovation/self-check?kind=tech_sme", "直通条件", "Direct routes"},
		{"ent", "/innovation/self-checks", "湖北祥邦新能源科技有限公司", "Saved self-checks"},
		{"leader", "/places", "plc-scalebar", "Industry–city places"},
		{"office", "/places/" + placeID, "纬度", "Latitude"},
		{"leader", "/", "省级以上研发平台", "Provincial-or-higher R"},
		{"leader", "/", "转化中的科技成果", "Technology transfers under way"},
		{"ent", "/", "高企/科小资质自测", "Qualification self-check"},
	} {
		c := a.BrowserLogin(tc.user, "demo")
		for lang, want := range map[string]string{"": tc.zh, "en": tc.en} {
			c.Lang = lang
			res := c.Page(tc.path)
			if res.Status != http.StatusOK || !strings.Contains(string(res.Body), want) {
				t.Errorf("%s %s (lang %q): %d, missing %q", tc.user, tc.path, lang, res.Status, want)
			}
			if key := innUntranslated.FindString(string(res.Body)); key != "" {
				t.Errorf("%s %s (lang %q) shows the catalog key %q", tc.user, tc.path, lang, key)
			}
		}
	}
	// Filters carry over to the export and the next page.
	page := string(a.BrowserLogin("leader", "demo").Page("/innovation/events?kind=contest&limit=5").Body)
	for _, want := range []string{`href="/api/v1/innovation/events?kind=contest&amp;format=xlsx"`, `href="?kind=contest&amp;cursor=`} {
		if !strings.Contains(page, want) {
			t.Errorf("the events page lacks %s", want)
		}
	}
	// The map draws every place, each linked to its page, with no script.
	res := a.BrowserLogin("leader", "demo").Page("/places")
	body := string(res.Body)
	if n := strings.Count(body, `<circle class="plc-dot plc-k-`); n != 30+8+3 { // 30 places, 8 + 3 legend swatches
		t.Errorf("%d dots on the places page", n)
	}
	if strings.Contains(body, "<script") || strings.Contains(body, "style=") {
		t.Error("the map page carries a script or an inline style")
	}
	if res := a.BrowserLogin("bank", "demo").Page("/innovation/platforms"); res.Status != http.StatusForbidden {
		t.Errorf("bank on platforms: %d", res.Status)
	}
}

// innUntranslated finds a catalog key of these modules printed as such.
var innUntranslated = regexp.MustCompile(`(^|[^a-z/_-])(inn|plc)\.[a-z_.]+`)

func TestSelfCheckForm(t *testing.T) {
	a := apptest.Start(t)
	c := a.BrowserLogin("cadre", "demo")
	var csrf string
	a.DB.Read().QueryRow(t.Context(), "SELECT csrf FROM sessions WHERE ended_at IS NULL ORDER BY id DESC LIMIT 1").Scan(&csrf)
	form := map[string][]string{"csrf": {csrf}, "enterprise": {"展旺新材料"}, "as_of": {"2023-06-30"}, "staff": {"80"}, "tech_staff": {"12"},
		"sales": {"6000万"}, "assets": {"9000万"}, "cost": {"5000万"}, "rd": {"300万"}, "ip_class2": {"2"}, "save": {"on"}}
	res := c.Form("/innovation/self-check/tech-sme", form)
	body := string(res.Body)
	// 12/80 = 15 % → 8; 300万/6000万 = 5 % → 40 (costs: 6 % → 0); 2 class II → 12: 60 points.
	if res.Status != 200 || !strings.Contains(body, "符合条件") || !strings.Contains(body, `<strong class="inn-score">60</strong>`) ||
		!strings.Contains(body, "已保存") {
		t.Fatalf("form check: %d\n%s", res.Status, body)
	}
	form["staff"] = []string{"-3"}
	res = c.Form("/innovation/self-check/tech-sme", form)
	if res.Status != 400 || !strings.Contains(string(res.Body), "职工总数应在1到") {
		t.Fatalf("negative staff by form: %d", res.Status)
	}
	form["staff"] = []string{"八十"}
	if res := c.Form("/innovation/self-check/tech-sme", form); res.Status != 400 || !strings.Contains(string(res.Body), "应为整数") {
		t.Fatalf("staff in words: %d", res.Status)
	}
}

func TestBrowserPlacesMapAndSelfCheck(t *testing.T) {
	a := apptest.Start(t)
	ctx := apptest.Browser(t)
	err := apptest.Steps(ctx,
		chromedp.Navigate(a.URL+"/login"),
		chromedp.WaitVisible(`input[name=username]`),
		chromedp.SendKeys(`input[name=username]`, "ent"),
		chromedp.SendKeys(`input[name=password]`, "demo"),
		chromedp.Submit(`input[name=password]`),
		chromedp.WaitVisible(`.sidebar`),
		chromedp.Navigate(a.URL+"/places"),
		chromedp.WaitVisible(`svg.plc-svg`),
	)
	if err != nil {
		t.Fatal(err)
	}
	ectx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	dots, err := chromedp.Run(ectx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('svg.plc-svg circle')).map(c => getComputedStyle(c).fill)`))
	if err != nil {
		t.Fatal(err)
	}
	if len(dots) != 30 || dots[0] == "" || dots[0] == "rgb(0, 0, 0)" {
		t.Fatalf("map dots = %v", dots)
	}
	err = apptest.Steps(ctx,
		chromedp.Navigate(a.URL+"/innovation/self-check"),
		chromedp.WaitVisible(`input[name=staff]`),
		chromedp.SendKeys(`input[name=staff]`, "50"),
		chromedp.SendKeys(`input[name=tech_staff]`, "3"),
		chromedp.Submit(`input[name=staff]`),
		chromedp.WaitVisible(chromedp.CSS(`section.inn-result`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	tctx, cancelText := context.WithTimeout(ctx, 15*time.Second)
	defer cancelText()
	result, _ := chromedp.Run(tctx, chromedp.Text(chromedp.CSS(`section.inn-result`)))
	if !strings.Contains(result, "暂不符合") || !strings.Contains(result, "至少需 5 人") {
		t.Fatalf("result = %q", result)
	}
}
