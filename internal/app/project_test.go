package app_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"xiaoer/internal/access"
	"xiaoer/internal/app/apptest"
	"xiaoer/internal/civil"
	"xiaoer/internal/platform"
)

func projectModule(t *testing.T, a *apptest.App) platform.Module {
	t.Helper()
	for _, m := range a.Modules() {
		if m.Name == "project" {
			return m
		}
	}
	t.Fatal("no project module")
	return platform.Module{}
}

// leaderOf is the demo leader as a principal (zone-wide reader).
func leaderOf(t *testing.T, a *apptest.App) *access.Principal {
	t.Helper()
	var id int64
	var path string
	err := a.DB.Read().QueryRow(t.Context(), `SELECT u.id, o.path FROM users u JOIN orgs o ON o.id = u.org_id WHERE u.username = 'leader'`).Scan(&id, &path)
	if err != nil {
		t.Fatal(err)
	}
	return &access.Principal{UserID: id, Username: "leader", Roles: []access.Role{access.Leader}, OrgPath: path}
}

type stageFigures struct {
	Count         int64 `json:"count"`
	InvestmentFen int64 `json:"investment_fen"`
}

// TestProjectDemoSummary checks the seed article's figures on the demo:
// in 2023-01-01..2023-06-30, 15 key projects started with 79.4亿元 and 13
// went into production with 104.7亿元 — computed from the stage events.
func TestProjectDemoSummary(t *testing.T) {
	a := apptest.Start(t)
	m := projectModule(t, a)
	sum := func(from, to string) map[string]any {
		into := map[string]any{}
		if err := m.Summary(t.Context(), a.DB.Read(), leaderOf(t, a), civil.MustParse(from), civil.MustParse(to), into); err != nil {
			t.Fatal(err)
		}
		return into["projects"].(map[string]any)
	}
	fig := func(s map[string]any, st string) stageFigures {
		x := s[st].(map[string]any)
		return stageFigures{x["count"].(int64), x["investment_fen"].(int64)}
	}
	h1 := sum("2023-01-01", "2023-06-30")
	if got := fig(h1, "started"); got != (stageFigures{15, 794000000000}) {
		t.Errorf("projects.started = %+v, want 15 and 794000000000", got)
	}
	if got := fig(h1, "producing"); got != (stageFigures{13, 1047000000000}) {
		t.Errorf("projects.producing = %+v, want 13 and 1047000000000", got)
	}
	if n := h1["started_and_producing_same_year"]; n != int64(3) {
		t.Errorf("same year in H1 2023 = %v, want 3 (劲佳包装三期, 信永辉电子科技(二期), 立中轮毂)", n)
	}
	if n := sum("2022-01-01", "2022-12-31")["started_and_producing_same_year"]; n != int64(2) {
		t.Errorf("same year in 2022 = %v, want 2 (展旺新材料, 祥邦一期)", n)
	}
	// The named projects are among them.
	c := a.As("leader")
	for _, tc := range []struct{ name, stage, from, to string }{
		{"大美科技智能穿戴产业园项目", "started", "2023-01-01", "2023-06-30"},
		{"东贝精密智造高端压缩机精密部件项目", "producing", "2023-01-01", "2023-06-30"},
		{"攀宇产城融合一期", "started", "2023-01-01", "2023-12-31"},
		{"城西北产城融合一期", "started", "2023-01-01", "2023-12-31"},
		{"团垴城乡一体化", "started", "2023-01-01", "2023-12-31"},
		{"石洪甫城乡一体化", "started", "2023-01-01", "2023-12-31"},
	} {
		p := findProject(t, c, tc.name)
		d := p.Actual[tc.stage]
		if d == "" || d < tc.from || d > tc.to {
			t.Errorf("%s %s on %q, want within %s..%s", tc.name, tc.stage, d, tc.from, tc.to)
		}
	}
	// The enterprise page (一企一档) lists an enterprise's projects.
	dm := findProject(t, c, "大美科技智能穿戴产业园项目")
	var entID int64
	fmt.Sscan(dm.EnterpriseID, &entID)
	facts, err := m.Facts(t.Context(), leaderOf(t, a), entID, "zh-CN")
	if err != nil || facts == nil || len(facts.Rows) != 3 || !strings.Contains(facts.Href, dm.EnterpriseID) {
		t.Fatalf("facts = %+v, %v", facts, err)
	}
	for _, name := range []string{"劲佳包装三期", "信永辉电子科技(二期)", "展旺新材料", "祥邦一期", "立中轮毂"} {
		p := findProject(t, c, name)
		if s, pr := p.Actual["started"], p.Actual["producing"]; s == "" || pr == "" || s[:4] != pr[:4] {
			t.Errorf("%s: started %s, producing %s: not the same year", name, s, pr)
		}
	}
}

type apiProject struct {
	ID           string            `json:"id"`
	Name         string            `json:"name"`
	Stage        string            `json:"stage"`
	EnterpriseID string            `json:"enterprise_id"`
	LeaderID     string            `json:"leader_user_id"`
	Commissioner string            `json:"commissioner_user_id"`
	Actual       map[string]string `json:"actual"`
	Light        string            `json:"light"`
}

func findProject(t *testing.T, c *apptest.Client, name string) apiProject {
	t.Helper()
	res := c.Get("/api/v1/projects?q=" + url.QueryEscape(name) + "&limit=500")
	var l struct {
		Items []apiProject `json:"items"`
	}
	res.JSON(&l)
	for _, p := range l.Items {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("no project %s (%d %s)", name, res.Status, res.Body)
	return apiProject{}
}

// multipartPost posts a file (and fields) as multipart/form-data with the
// client's token.
func multipartPost(t *testing.T, a *apptest.App, c *apptest.Client, path string, fields map[string]string, filename string, data []byte) (int, http.Header, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", filename)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", a.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+c.Token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, b
}

// TestProjectAPI drives the API as the users do: the project office
// registers and moves a project, the rules answer in both languages, the
// scopes hold, evidence goes up and comes down as an attachment, progress
// is imported from Excel and the list exported.
func TestProjectAPI(t *testing.T) {
	a := apptest.Start(t)
	office := a.As("projects")
	var ents struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	office.Get("/api/v1/enterprises?q=" + url.QueryEscape("大美科技")).JSON(&ents)
	if len(ents.Items) != 1 {
		t.Fatalf("enterprises: %+v", ents)
	}
	var cadreID string
	a.DB.Read().QueryRow(t.Context(), "SELECT CAST(id AS TEXT) FROM users WHERE username = 'cadre'").Scan(&cadreID)
	res := office.Post("/api/v1/projects", map[string]any{"name": "接口测试项目", "enterprise_id": ents.Items[0].ID, "total_investment_fen": 300000000,
		"key": true, "leader_user_id": cadreID, "actual": map[string]string{"signed": "2024-03-01"}, "planned": map[string]string{"started": "2024-06-30"}})
	if res.Status != 201 {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	var p apiProject
	res.JSON(&p)
	act := func(c *apptest.Client, action, body string) *apptest.Response {
		return c.Post("/api/v1/projects/"+p.ID+"/actions/"+action, body)
	}
	if res := act(office, "register", `{"date":"2024-04-01"}`); res.Status != 409 || !strings.Contains(res.ErrorMessage(), "尚未开工") {
		t.Fatalf("register before start: %d %s", res.Status, res.Body)
	}
	if res := act(office, "start", `{"date":"2999-01-01"}`); res.Status != 400 || res.ErrorField() != "date" {
		t.Fatalf("future date: %d %s", res.Status, res.Body)
	}
	if res := act(office, "start", `{"date":"2024-02-01"}`); res.Status != 400 || res.ErrorField() != "date" {
		t.Fatalf("before signing: %d %s", res.Status, res.Body)
	}
	if res := act(office, "start", `{"date":"2024-05-06","note":"主体开工"}`); res.Status != 200 {
		t.Fatalf("start: %d %s", res.Status, res.Body)
	}
	office.Lang = "en"
	res = act(office, "register", `{"date":"2024-06-01"}`)
	if res.Status != 409 || !strings.Contains(res.ErrorMessage(), "5,000,000 yuan") {
		t.Fatalf("register under the threshold (en): %d %s", res.Status, res.Body)
	}
	office.Lang = ""
	if res := act(office, "register", `{"date":"2024-06-01"}`); !strings.Contains(res.ErrorMessage(), "未达到入库标准（500万元及以上）") {
		t.Fatalf("register under the threshold (zh): %s", res.Body)
	}
	var evs []struct {
		Action, Actor, On string
	}
	office.Get("/api/v1/projects/" + p.ID + "/events").JSON(&evs)
	if len(evs) != 2 || evs[1].Action != "start" || evs[1].Actor != "张项目 (projects)" || evs[1].On != "2024-05-06" {
		t.Fatalf("events = %+v", evs)
	}

	// Scopes: the cadre leads it and may act; other cadres' projects are 404.
	cadre := a.As("cadre")
	if res := cadre.Get("/api/v1/projects/" + p.ID); res.Status != 200 {
		t.Fatalf("cadre reads their project: %d", res.Status)
	}
	var mine struct {
		Items []apiProject `json:"items"`
		Total int          `json:"total"`
	}
	cadre.Get("/api/v1/projects?limit=500").JSON(&mine)
	for _, it := range mine.Items {
		if it.LeaderID != cadreID && it.Commissioner != cadreID {
			t.Fatalf("cadre sees %s (leader %s)", it.Name, it.LeaderID)
		}
	}
	if mine.Total == 0 {
		t.Fatal("the demo cadre leads no project")
	}
	var all struct {
		Items []apiProject `json:"items"`
	}
	office.Get("/api/v1/projects?limit=500").JSON(&all)
	for _, it := range all.Items {
		if it.LeaderID != cadreID && it.Commissioner != cadreID {
			if res := cadre.Get("/api/v1/projects/" + it.ID); res.Status != 404 {
				t.Fatalf("cadre reads %s: %d", it.Name, res.Status)
			}
			if res := cadre.Post("/api/v1/projects/"+it.ID+"/actions/stall", `{"date":"2024-06-01"}`); res.Status != 404 {
				t.Fatalf("cadre acts on %s: %d", it.Name, res.Status)
			}
			break
		}
	}
	// Paging through the list, red first, meets every project once.
	seen := map[string]bool{}
	cursor, lastRank := "", 0
	rankOf := map[string]int{"red": 0, "yellow": 1, "green": 2}
	for page := 0; page < 20; page++ {
		var l struct {
			Items []apiProject `json:"items"`
			Next  string       `json:"next_cursor"`
			Total int          `json:"total"`
		}
		office.Get("/api/v1/projects?limit=7&cursor=" + cursor).JSON(&l)
		for _, it := range l.Items {
			if seen[it.ID] || rankOf[it.Light] < lastRank {
				t.Fatalf("page %d: %s repeated or out of order", page, it.Name)
			}
			seen[it.ID], lastRank = true, rankOf[it.Light]
		}
		if cursor = l.Next; cursor == "" {
			if len(seen) != l.Total || l.Total != len(all.Items) {
				t.Fatalf("paged %d of %d (%d)", len(seen), l.Total, len(all.Items))
			}
			break
		}
	}
	ent := a.As("ent")
	var theirs struct {
		Items []apiProject `json:"items"`
	}
	ent.Get("/api/v1/projects?limit=500").JSON(&theirs)
	if len(theirs.Items) == 0 {
		t.Fatal("the enterprise sees none of its projects")
	}
	for _, it := range theirs.Items {
		if it.EnterpriseID != theirs.Items[0].EnterpriseID {
			t.Fatalf("enterprise sees %s", it.Name)
		}
	}
	if res := ent.Post("/api/v1/projects/"+theirs.Items[0].ID+"/actions/stall", `{"date":"2024-06-01"}`); res.Status != 403 {
		t.Fatalf("enterprise acts: %d", res.Status)
	}
	if res := ent.Get("/api/v1/projects/" + p.ID); res.Status != 404 {
		t.Fatalf("enterprise reads another's project: %d", res.Status)
	}
	if res := a.As("admin").Get("/api/v1/projects"); res.Status != 403 {
		t.Fatalf("admin lists projects: %d", res.Status)
	}

	// A commissioner sees the enterprises of the projects they serve.
	com := a.As("commissioner1")
	for name, want := range map[string]int{"大美科技": 200, "劲佳包装": 404} {
		var es struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
		}
		office.Get("/api/v1/enterprises?q=" + url.QueryEscape(name)).JSON(&es)
		if res := com.Get("/api/v1/enterprises/" + es.Items[0].ID); res.Status != want {
			t.Errorf("commissioner reads %s: %d, want %d", name, res.Status, want)
		}
	}

	// Evidence: typed by content, limited in size, served as an attachment.
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01")
	st, _, b := multipartPost(t, a, office, "/api/v1/projects/"+p.ID+"/files", map[string]string{"stage": "started", "note": "现场"}, "现场.png", png)
	if st != 201 {
		t.Fatalf("upload: %d %s", st, b)
	}
	var f struct {
		ID          string `json:"id"`
		ContentType string `json:"content_type"`
	}
	if err := json.Unmarshal(b, &f); err != nil || f.ContentType != "image/png" {
		t.Fatalf("uploaded: %s", b)
	}
	if st, _, b := multipartPost(t, a, office, "/api/v1/projects/"+p.ID+"/files", nil, "a.pdf", []byte("<html><script>x</script>")); st != 400 {
		t.Fatalf("HTML as PDF: %d %s", st, b)
	}
	big := append([]byte{0xFF, 0xD8, 0xFF}, make([]byte, 10<<20)...)
	if st, _, b := multipartPost(t, a, office, "/api/v1/projects/"+p.ID+"/files", nil, "big.jpg", big); st != 413 {
		t.Fatalf("11 MiB: %d %s", st, b)
	}
	res = cadre.Get("/api/v1/projects/" + p.ID + "/files/" + f.ID)
	if res.Status != 200 || !bytes.Equal(res.Body, png) || res.Header.Get("Content-Type") != "image/png" ||
		!strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") || res.Header.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.Contains(res.Header.Get("Content-Security-Policy"), "sandbox") {
		t.Fatalf("download: %d %v", res.Status, res.Header)
	}

	// Monthly progress, one per month, and the Excel bulk update.
	if res := office.Post("/api/v1/projects/"+p.ID+"/progress", `{"month":"2024-05","invested_fen":5000000}`); res.Status != 201 {
		t.Fatalf("progress: %d %s", res.Status, res.Body)
	}
	if res := office.Post("/api/v1/projects/"+p.ID+"/progress", `{"month":"2024-05","invested_fen":1}`); res.Status != 409 {
		t.Fatalf("second report for May: %d", res.Status)
	}
	x := excelize.NewFile()
	x.SetSheetRow("Sheet1", "A1", &[]any{"项目编号", "月份", "本月完成投资（元）", "备注"})
	x.SetSheetRow("Sheet1", "A2", &[]any{p.ID, "2024-06", "80万", "设备进场"})
	x.SetSheetRow("Sheet1", "A3", &[]any{p.ID, "2024-99", "1", ""})
	var xb bytes.Buffer
	x.Write(&xb)
	st, _, b = multipartPost(t, a, cadre, "/api/v1/projects/progress/import", nil, "进度.xlsx", xb.Bytes())
	if st != 200 || !strings.Contains(string(b), `"created":1`) || !strings.Contains(string(b), `"row":3`) {
		t.Fatalf("import: %d %s", st, b)
	}
	var prog struct {
		Items []struct {
			Month         string `json:"month"`
			CumulativeFen int64  `json:"cumulative_fen"`
		} `json:"items"`
	}
	office.Get("/api/v1/projects/" + p.ID + "/progress").JSON(&prog)
	if len(prog.Items) != 2 || prog.Items[1].CumulativeFen != 85000000 {
		t.Fatalf("progress = %+v", prog)
	}

	// Export: the filtered list as a spreadsheet with Chinese headers.
	res = office.Get("/api/v1/projects?stage=started&format=xlsx")
	if res.Status != 200 || !strings.Contains(res.Header.Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("export: %d %v", res.Status, res.Header)
	}
	xf, err := excelize.OpenReader(bytes.NewReader(res.Body))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := xf.GetRows(xf.GetSheetList()[0])
	if len(rows) < 2 || rows[0][0] != "项目编号" || rows[0][1] != "项目名称" {
		t.Fatalf("export rows: %v", rows[:1])
	}
	for _, r := range rows[1:] {
		if r[10] != "开工" {
			t.Fatalf("exported a project in stage %q", r[10])
		}
	}

	// The enterprise rates its project's commissioner once a year.
	if res := ent.Post("/api/v1/projects/"+theirs.Items[0].ID+"/rating", `{"score":5,"comment":"服务周到"}`); res.Status != 201 {
		t.Fatalf("rate: %d %s", res.Status, res.Body)
	}
	if res := ent.Post("/api/v1/projects/"+theirs.Items[0].ID+"/rating", `{"score":4}`); res.Status != 409 {
		t.Fatalf("rate twice: %d", res.Status)
	}
	var rk struct {
		Formula string `json:"formula"`
		Items   []struct {
			Name  string  `json:"name"`
			Score float64 `json:"score"`
		} `json:"items"`
	}
	office.Get("/api/v1/projects/ratings?year=2023").JSON(&rk)
	if len(rk.Items) != 3 || !strings.Contains(rk.Formula, "按期") || rk.Items[0].Score < rk.Items[2].Score {
		t.Fatalf("ranking: %+v", rk)
	}
}

// TestProjectPages renders every project page in both languages and posts
// the forms a browser posts.
func TestProjectPages(t *testing.T) {
	a := apptest.Start(t)
	api := a.As("projects")
	p := findProject(t, api, "大美科技智能终端二期")
	office := a.BrowserLogin("projects", "demo")
	for _, tc := range []struct{ path, zh, en string }{
		{"/projects", "重点项目", "Key projects"},
		{"/projects?light=red&stage=signed", "重点项目", "Key projects"},
		{"/projects/board", "项目看板", "Project board"},
		{"/projects/" + p.ID, "推进阶段", "Move the stage"},
		{"/projects/" + p.ID + "/edit", "修改项目", "Edit project"},
		{"/projects/new", "登记项目", "New project"},
		{"/projects/ratings?year=2023", "金牌保姆", "Commissioner ratings"},
		{"/projects/settings", "项目预警规则", "Project warning rules"},
		{"/projects/import", "批量更新月度进度", "Bulk progress update"},
	} {
		for lang, want := range map[string]string{"": tc.zh, "en": tc.en} {
			office.Lang = lang
			res := office.Page(tc.path)
			if res.Status != 200 || !strings.Contains(string(res.Body), want) {
				t.Errorf("%s (%q): %d, missing %q", tc.path, lang, res.Status, want)
			}
		}
	}
	office.Lang = ""
	if home := string(office.Page("/").Body); !strings.Contains(home, "红灯预警项目") || !strings.Contains(home, "在建重点项目") {
		t.Error("the project office's home page lacks the project figures")
	}
	// The board shows every stage's column, the 15 started in H1 2023 among them.
	board := string(office.Page("/projects/board?year=2023&year_stage=started").Body)
	for _, s := range []string{"签约", "开工", "入库", "投产", "达效", "停滞", "大美科技智能穿戴产业园项目"} {
		if !strings.Contains(board, s) {
			t.Errorf("board lacks %s", s)
		}
	}
	// Problems link to the appeals module (the demo cadre leads this one).
	led := findProject(t, api, "大美科技智能穿戴产业园项目")
	cadrePage := string(a.BrowserLogin("cadre", "demo").Page("/projects/" + led.ID).Body)
	raise := fmt.Sprintf(`/appeals/new?enterprise_id=%s&amp;project_id=%s&amp;channel=project`, led.EnterpriseID, led.ID)
	if !strings.Contains(cadrePage, raise) || !strings.Contains(cadrePage, "/appeals?project_id="+led.ID) || !strings.Contains(cadrePage, "提出问题") {
		t.Errorf("the project page lacks the appeal links")
	}
	// Registering by form: a paper record entered with its dates, then a
	// refused one that shows the form again with the reason.
	res := office.Form("/projects", map[string][]string{"csrf": {office.CSRF}, "name": {"表单登记项目"}, "enterprise": {"东贝电机"},
		"total_investment": {"1.2亿"}, "land_mu": {"80.5"}, "fixed_investment": {"9000万"}, "key": {"on"},
		"actual_signed": {"2024-01-08"}, "actual_started": {"2024-03-01"}, "planned_producing": {"2025-06-30"}})
	if res.Status != 303 {
		t.Fatalf("create by form: %d %s", res.Status, res.Body)
	}
	made := findProject(t, api, "表单登记项目")
	if made.Stage != "started" || made.Actual["signed"] != "2024-01-08" || made.Actual["started"] != "2024-03-01" {
		t.Fatalf("created by form: %+v", made)
	}
	res = office.Form("/projects", map[string][]string{"csrf": {office.CSRF}, "name": {"坏表单"}, "enterprise": {"东贝电机"},
		"total_investment": {"1.2亿"}, "actual_signed": {"2024-01-08"}, "actual_started": {"2023-12-01"}})
	if res.Status != 400 || !strings.Contains(string(res.Body), "早于上一环节") || !strings.Contains(string(res.Body), "坏表单") {
		t.Fatalf("bad form: %d", res.Status)
	}
	// A stage action and a progress report through the forms.
	res = office.Form("/projects/"+p.ID+"/actions/start", map[string][]string{"csrf": {office.CSRF}, "date": {"2024-10-08"}, "note": {"打桩"}})
	if res.Status != 303 {
		t.Fatalf("start by form: %d %s", res.Status, res.Body)
	}
	res = office.Form("/projects/"+p.ID+"/actions/register", map[string][]string{"csrf": {office.CSRF}, "date": {"2024-10-01"}})
	if res.Status != 400 || !strings.Contains(string(res.Body), "早于上一环节") {
		t.Fatalf("register before the start by form: %d", res.Status)
	}
	res = office.Form("/projects/"+p.ID+"/progress", map[string][]string{"csrf": {office.CSRF}, "month": {"2024-10"}, "invested": {"1200万"}})
	if res.Status != 303 {
		t.Fatalf("progress by form: %d %s", res.Status, res.Body)
	}
	page := string(office.Page("/projects/" + p.ID).Body)
	if !strings.Contains(page, "打桩") || !strings.Contains(page, "1,200万元") || !strings.Contains(page, `class="prj-chart"`) {
		t.Errorf("the project page lacks the history, progress or chart")
	}
	// Another cadre's project is a 404 page for the demo cadre.
	var other string
	a.DB.Read().QueryRow(t.Context(), `SELECT CAST(MIN(id) AS TEXT) FROM projects WHERE leader_user_id <> (SELECT id FROM users WHERE username = 'cadre')
		AND commissioner_user_id <> (SELECT id FROM users WHERE username = 'cadre')`).Scan(&other)
	if res := a.BrowserLogin("cadre", "demo").Page("/projects/" + other); res.Status != 404 {
		t.Errorf("cadre opens another's project page: %d", res.Status)
	}
}

// TestBrowserProjectStageAction moves a project to 开工 in a real headless
// Chromium, with scripts playing no part, and sees the stage and history.
func TestBrowserProjectStageAction(t *testing.T) {
	a := apptest.Start(t)
	p := findProject(t, a.As("projects"), "大美科技智能终端二期")
	ctx := apptest.Browser(t)
	err := apptest.Steps(ctx,
		chromedp.Navigate(a.URL+"/login"),
		chromedp.WaitVisible(`input[name=username]`),
		chromedp.SendKeys(`input[name=username]`, "commissioner1"),
		chromedp.SendKeys(`input[name=password]`, "demo"),
		chromedp.Submit(`input[name=password]`),
		chromedp.WaitVisible(`.sidebar`),
		chromedp.Navigate(a.URL+"/projects/"+p.ID),
		chromedp.WaitVisible(`#act-start`),
		chromedp.SetValue(`#act-start input[name=date]`, "2024-10-09"),
		chromedp.SendKeys(`#act-start input[name=note]`, "主体工程开工"),
		chromedp.Click(`#act-start button`),
		chromedp.WaitVisible(`.flash`),
	)
	if err != nil {
		t.Fatal(err)
	}
	stage, _ := apptest.Text(ctx, `.prj-stage`)
	history, _ := apptest.Text(ctx, `.prj-history`)
	if stage != "开工" || !strings.Contains(history, "2024-10-09") || !strings.Contains(history, "周敏 (commissioner1)") || !strings.Contains(history, "主体工程开工") {
		t.Fatalf("stage %q, history %q", stage, history)
	}
	if err := apptest.Steps(ctx, chromedp.Navigate(a.URL+"/projects/board"), chromedp.WaitVisible(`.prj-board`)); err != nil {
		t.Fatal(err)
	}
	col, _ := apptest.Text(ctx, `section[aria-labelledby=col-started]`)
	if !strings.Contains(col, "开工") || !strings.Contains(col, "大美科技智能终端二期") {
		t.Fatalf("board column = %q", col)
	}
}

// TestRatingCountsSolvedProjectProblems: the commissioner rating counts the
// problems raised on a commissioner's projects and closed as resolved.
func TestRatingCountsSolvedProjectProblems(t *testing.T) {
	a := apptest.Start(t)
	var r struct {
		ProblemsCounted bool `json:"problems_counted"`
		Items           []struct {
			UserID         string `json:"user_id"`
			ProblemsSolved int    `json:"problems_solved"`
		} `json:"items"`
	}
	a.As("projects").Get("/api/v1/projects/ratings?year=2023").JSON(&r)
	if !r.ProblemsCounted || len(r.Items) == 0 {
		t.Fatalf("ranking = %+v", r)
	}
	total := 0
	for _, it := range r.Items {
		var want int
		a.DB.Read().QueryRow(t.Context(), `SELECT COUNT(*) FROM appeals ap JOIN projects p ON p.id = ap.project_id
			WHERE p.commissioner_user_id = ? AND ap.state = 'closed' AND ap.resolved = TRUE AND ap.closed_on LIKE '2023-%'`, it.UserID).Scan(&want)
		if it.ProblemsSolved != want {
			t.Errorf("commissioner %s: %d problems solved, want %d", it.UserID, it.ProblemsSolved, want)
		}
		total += want
	}
	if total == 0 {
		t.Fatal("the demo solves no project problems in 2023")
	}
}
