package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"xiaoer/internal/access"
	"xiaoer/internal/app/apptest"
	"xiaoer/internal/audit"
	"xiaoer/internal/auth"
	"xiaoer/internal/civil"
	"xiaoer/internal/enterprise"
	"xiaoer/internal/i18n"
	"xiaoer/internal/platform"
)

// entApp is the demo zone with two more accounts: a window clerk and a
// service office that covers one street only.
type entApp struct {
	*apptest.App
	xiangbang, dongbei, unassigned int64 // 罗家桥街道 (cadre's), 金湖街道 (cadre's), nobody's
	total, jinhu                   int
}

func startEnterprises(t *testing.T) *entApp {
	t.Helper()
	a := &entApp{App: apptest.Start(t)}
	ctx := access.With(context.Background(), access.SystemPrincipal("test"))
	q := a.DB.Read()
	var jinhu int64
	q.QueryRow(ctx, "SELECT id FROM orgs WHERE name = '金湖街道'").Scan(&jinhu)
	for _, u := range []auth.NewUser{
		{Username: "clerk1", Name: "窗口小王", OrgID: jinhu, Roles: []access.Role{access.Clerk}, SiteID: 1},
		{Username: "office_jinhu", Name: "金湖营商", OrgID: jinhu, Roles: []access.Role{access.ServiceOffice}},
	} {
		u.Password, u.Demo = "demo", true
		if _, err := a.Auth.Create(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	q.QueryRow(ctx, "SELECT id FROM enterprises WHERE short_name = '祥邦新能源'").Scan(&a.xiangbang)
	q.QueryRow(ctx, "SELECT id FROM enterprises WHERE short_name = '东贝电机'").Scan(&a.dongbei)
	q.QueryRow(ctx, "SELECT MIN(id) FROM enterprises WHERE cadre_user_id IS NULL").Scan(&a.unassigned)
	q.QueryRow(ctx, "SELECT COUNT(*) FROM enterprises").Scan(&a.total)
	q.QueryRow(ctx, "SELECT COUNT(*) FROM enterprises e JOIN orgs o ON o.id = e.org_id WHERE o.path LIKE (SELECT path FROM orgs WHERE id = ?) || '%'", jinhu).Scan(&a.jinhu)
	if a.xiangbang == 0 || a.dongbei == 0 || a.unassigned == 0 || a.jinhu == 0 {
		t.Fatal("the demo zone lacks the enterprises this test needs")
	}
	return a
}

// inputOf turns an enterprise as the API shows it into the body of an update.
func inputOf(t *testing.T, res *apptest.Response) map[string]any {
	t.Helper()
	var e map[string]any
	res.JSON(&e)
	in := map[string]any{}
	for _, k := range []string{"uscc", "name", "short_name", "org_id", "industry_code", "scale", "above_scale", "address",
		"legal_rep", "contact_name", "contact_phone", "cadre_user_id", "employees", "registered_on"} {
		if v, ok := e[k]; ok {
			in[k] = v
		}
	}
	return in
}

func TestEnterpriseScopeMatrix(t *testing.T) {
	a := startEnterprises(t)
	office := a.As("office")
	body := func(id int64) map[string]any {
		return inputOf(t, office.Get(fmt.Sprintf("/api/v1/enterprises/%d", id)))
	}
	qual := map[string]any{"kind": "innovative_sme", "cert_no": "T-1", "valid_from": "2023-01-01", "valid_to": "2025-12-31"}
	type want struct{ get, put, qual int }
	in, out := a.xiangbang, a.unassigned
	// A bank sees the enterprises whose financing needs were routed to it or
	// that it took; a department those whose appeals were dispatched to it.
	linked := func(q string, args ...any) (some, none int64, n int) {
		ctx := t.Context()
		rd := a.DB.Read()
		if err := rd.QueryRow(ctx, "SELECT COUNT(DISTINCT id) FROM enterprises WHERE id IN ("+q+")", args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		rd.QueryRow(ctx, "SELECT MIN(id) FROM enterprises WHERE id IN ("+q+")", args...).Scan(&some)
		rd.QueryRow(ctx, "SELECT MIN(id) FROM enterprises WHERE id NOT IN ("+q+")", args...).Scan(&none)
		if n == 0 || some == 0 || none == 0 {
			t.Fatalf("the demo links no enterprise for %q", q)
		}
		return
	}
	var bankOrg, deptOrg int64
	a.DB.Read().QueryRow(t.Context(), "SELECT org_id FROM users WHERE username = 'bank'").Scan(&bankOrg)
	a.DB.Read().QueryRow(t.Context(), "SELECT org_id FROM users WHERE username = 'dept'").Scan(&deptOrg)
	bankIn, bankOut, bankN := linked("SELECT enterprise_id FROM finance_needs WHERE bank_org_id = ? OR taken_by_org_id = ?", bankOrg, bankOrg)
	deptIn, deptOut, deptN := linked("SELECT ap.enterprise_id FROM appeals ap JOIN appeal_departments d ON d.appeal_id = ap.id WHERE d.org_id = ?", deptOrg)
	for _, tc := range []struct {
		user    string
		target  int64
		want    want
		listLen int // how many enterprises the list reports; -1: 403
	}{
		{"office", in, want{200, 200, 201}, a.total},
		{"office", out, want{200, 200, 201}, a.total},
		{"office_jinhu", a.dongbei, want{200, 200, 201}, a.jinhu},
		{"office_jinhu", in, want{404, 404, 404}, a.jinhu},
		{"leader", in, want{200, 403, 403}, a.total},
		{"projects", in, want{200, 403, 403}, a.total},
		// Identity data is public (国家企业信用信息公示系统) and a window takes
		// cases for any enterprise: clerks see them all, change none.
		{"clerk1", in, want{200, 403, 403}, a.total},
		{"clerk1", out, want{200, 403, 403}, a.total},
		{"cadre", in, want{200, 200, 201}, len(enterprise.Named)},
		{"cadre", out, want{404, 404, 404}, len(enterprise.Named)},
		{"ent", in, want{200, 403, 403}, 1},
		{"ent", a.dongbei, want{404, 403, 403}, 1},
		{"bank", bankIn, want{200, 403, 403}, bankN},
		{"bank", bankOut, want{404, 403, 403}, bankN},
		{"dept", deptIn, want{200, 403, 403}, deptN},
		{"dept", deptOut, want{404, 403, 403}, deptN},
		{"admin", in, want{403, 403, 403}, -1},
		{"security", in, want{403, 403, 403}, -1},
		{"auditor", in, want{403, 403, 403}, -1},
	} {
		name := fmt.Sprintf("%s/%d", tc.user, tc.target)
		c := a.As(tc.user)
		path := fmt.Sprintf("/api/v1/enterprises/%d", tc.target)
		if res := c.Get(path); res.Status != tc.want.get {
			t.Errorf("%s GET: %d, want %d", name, res.Status, tc.want.get)
		}
		b := body(tc.target)
		b["employees"] = b["employees"].(float64) + 1
		if res := c.Do("PUT", path, b); res.Status != tc.want.put {
			t.Errorf("%s PUT: %d %s, want %d", name, res.Status, res.Body, tc.want.put)
		}
		qual["cert_no"] = "T-" + name // a new certificate each time
		qual["valid_from"] = fmt.Sprintf("20%02d-01-01", 30+len(name)%60)
		qual["valid_to"] = fmt.Sprintf("20%02d-01-02", 30+len(name)%60)
		if res := c.Post(path+"/qualifications", qual); res.Status != tc.want.qual {
			t.Errorf("%s POST qualification: %d %s, want %d", name, res.Status, res.Body, tc.want.qual)
		}
		res := c.Get("/api/v1/enterprises?limit=500")
		if tc.listLen < 0 {
			if res.Status != 403 {
				t.Errorf("%s list: %d, want 403", name, res.Status)
			}
			continue
		}
		var l struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
			Total int `json:"total"`
		}
		res.JSON(&l)
		if l.Total != tc.listLen {
			t.Errorf("%s list: total %d, want %d", name, l.Total, tc.listLen)
		}
		if tc.user == "ent" && (len(l.Items) != 1 || l.Items[0].ID != fmt.Sprint(a.xiangbang)) {
			t.Errorf("the enterprise user's list: %+v", l.Items)
		}
	}
}

func TestCreditCodesThroughTheAPI(t *testing.T) {
	a := startEnterprises(t)
	office := a.As("office")
	var street string
	a.DB.Read().QueryRow(context.Background(), "SELECT id FROM orgs WHERE name = '罗家桥街道'").Scan(&street)
	body := func(code string) map[string]any {
		return map[string]any{"uscc": code, "name": "湖北测试科技有限公司", "org_id": street, "industry_code": "3841", "scale": "small"}
	}
	good := enterprise.GenUSCC("420281", 424242)
	wrong := good[:17] + map[bool]string{true: "1", false: "0"}[good[17] == '0']
	letter := good[:11] + "I" + good[12:]
	for _, tc := range []struct {
		name, code string
		status     int
		zh, en     string
	}{
		{"wrong check digit", wrong, 400, "校验码错误", "check character is wrong"},
		{"forbidden letter", letter, 400, "第12位「I」不是允许的字符", "I, O, Z, S and V are never used"},
		{"short", good[:17], 400, "应为18位", "18 characters"},
		{"valid", good, 201, "", ""},
		{"duplicate", strings.ToLower(good), 409, "已登记", "already registered"},
	} {
		res := office.Post("/api/v1/enterprises", body(tc.code))
		if res.Status != tc.status {
			t.Fatalf("%s: %d %s, want %d", tc.name, res.Status, res.Body, tc.status)
		}
		if tc.status == 201 {
			continue
		}
		if res.ErrorField() != "uscc" || !strings.Contains(res.ErrorMessage(), tc.zh) {
			t.Errorf("%s: field %q message %q, want uscc and %q", tc.name, res.ErrorField(), res.ErrorMessage(), tc.zh)
		}
		office.Lang = "en"
		if res := office.Post("/api/v1/enterprises", body(tc.code)); !strings.Contains(res.ErrorMessage(), tc.en) {
			t.Errorf("%s in English: %q, want %q", tc.name, res.ErrorMessage(), tc.en)
		}
		office.Lang = ""
	}
}

func TestDemoHoldsTheSeedFigures(t *testing.T) {
	a := apptest.Start(t)
	ctx, q := context.Background(), a.DB.Read()
	on := civil.New(2023, 6, 30)
	ht, _ := enterprise.CountHolding(ctx, q, "/", enterprise.HighTech, on)
	sme, _ := enterprise.CountHolding(ctx, q, "/", enterprise.TechSME, on)
	if ht <= 180 || sme != 310 {
		t.Fatalf("on %s: %d high-tech enterprises (want > 180), %d tech-based SMEs (want 310)", on, ht, sme)
	}
	var ever int64
	q.QueryRow(ctx, "SELECT COUNT(DISTINCT enterprise_id) FROM qualifications WHERE kind = 'high_tech'").Scan(&ever)
	if ever <= ht {
		t.Errorf("no high-tech certificate lapsed or started after %s: validity would not matter", on)
	}
	var spec, innov int
	q.QueryRow(ctx, "SELECT COUNT(*) FROM qualifications WHERE kind = 'specialized_sme'").Scan(&spec)
	q.QueryRow(ctx, "SELECT COUNT(*) FROM qualifications WHERE kind = 'innovative_sme'").Scan(&innov)
	if spec < 10 || innov < 10 {
		t.Errorf("%d specialised, %d innovative SMEs", spec, innov)
	}
	var visits, flagged int
	q.QueryRow(ctx, "SELECT COUNT(*), SUM(CASE WHEN flags <> '' THEN 1 ELSE 0 END) FROM visits WHERE date LIKE '2023-%'").Scan(&visits, &flagged)
	if visits < 12 || flagged < 12 {
		t.Errorf("%d visits in 2023, %d with red flags", visits, flagged)
	}
	// The list's qualification filter gives the same figures.
	res := a.As("leader").Get("/api/v1/enterprises?qualification=tech_sme&qualified_on=2023-06-30&limit=1")
	if m := res.Map(); m["total"] != float64(310) {
		t.Errorf("the list says %v tech-based SMEs", m["total"])
	}
}

func TestQualificationsAndVisitsThroughTheAPI(t *testing.T) {
	a := startEnterprises(t)
	cadre := a.As("cadre")
	path := fmt.Sprintf("/api/v1/enterprises/%d", a.xiangbang)
	res := cadre.Post(path+"/qualifications", map[string]any{"kind": "specialized_sme", "cert_no": "鄂专精特新2024001", "valid_from": "2024-01-01", "valid_to": "2023-12-31"})
	if res.Status != 400 || res.ErrorField() != "valid_to" {
		t.Fatalf("valid_to before valid_from: %d %s", res.Status, res.Body)
	}
	res = cadre.Post(path+"/qualifications", map[string]any{"kind": "specialized_sme", "cert_no": "鄂专精特新2024001", "valid_from": "2024-01-01", "valid_to": "2099-12-31"})
	if res.Status != 201 || res.Map()["valid"] != true {
		t.Fatalf("add: %d %s", res.Status, res.Body)
	}
	qid := res.Map()["id"].(string)
	var l struct {
		Items []enterprise.Qualification `json:"items"`
	}
	a.As("ent").Get(path + "/qualifications").JSON(&l)
	found := false
	for _, q := range l.Items {
		found = found || fmt.Sprint(q.ID) == qid && q.Valid
	}
	if !found {
		t.Fatalf("the enterprise does not see its new qualification: %+v", l.Items)
	}
	if res := cadre.Do("DELETE", path+"/qualifications/"+qid, nil); res.Status != 204 {
		t.Fatalf("delete: %d %s", res.Status, res.Body)
	}
	if res := cadre.Do("DELETE", path+"/qualifications/"+qid, nil); res.Status != 404 {
		t.Fatalf("delete twice: %d", res.Status)
	}

	today := civil.Of(a.Clock.Now())
	res = cadre.Post(path+"/visits", map[string]any{"date": today.AddDays(1).String(), "notes": "明天"})
	if res.Status != 400 || res.ErrorField() != "date" {
		t.Fatalf("a visit tomorrow: %d %s", res.Status, res.Body)
	}
	res = cadre.Post(path+"/visits", map[string]any{"date": today.String(), "notes": "企业计划扩产", "flags": []string{"expanding", "land_need"}})
	if res.Status != 201 {
		t.Fatalf("a visit: %d %s", res.Status, res.Body)
	}
	var v enterprise.Visit
	res.JSON(&v)
	var cadreID int64
	a.DB.Read().QueryRow(context.Background(), "SELECT id FROM users WHERE username = 'cadre'").Scan(&cadreID)
	if v.CadreUserID != cadreID || len(v.Flags) != 2 {
		t.Fatalf("visit %+v", v)
	}
	if res := cadre.Post(fmt.Sprintf("/api/v1/enterprises/%d/visits", a.unassigned), map[string]any{"date": today.String(), "notes": "x"}); res.Status != 404 {
		t.Fatalf("a visit to someone else's enterprise: %d", res.Status)
	}
	if res := a.As("office").Post(path+"/visits", map[string]any{"date": today.String(), "notes": "x"}); res.Status != 400 || res.ErrorField() != "cadre_user_id" {
		t.Fatalf("the office names no cadre: %d %s", res.Status, res.Body)
	}
	// Visits are the zone's working notes: not for the enterprise.
	if res := a.As("ent").Get(path + "/visits"); res.Status != 403 {
		t.Fatalf("the enterprise reads its visits: %d", res.Status)
	}
	res = a.As("leader").Get(path + "/visits")
	if res.Status != 200 || !strings.Contains(string(res.Body), "企业计划扩产") {
		t.Fatalf("the leader's visits: %d", res.Status)
	}
	flags := a.As("leader")
	flags.Lang = "en"
	if res := flags.Get("/api/v1/visit-flags"); !strings.Contains(string(res.Body), `"name":"Considering relocation"`) {
		t.Fatalf("flags: %s", res.Body)
	}
}

func TestShowingAPhoneInFullIsAudited(t *testing.T) {
	a := startEnterprises(t)
	path := fmt.Sprintf("/api/v1/enterprises/%d", a.xiangbang)
	cadre := a.As("cadre")
	masked, _ := cadre.Get(path).Map()["contact_phone"].(string)
	full, _ := a.As("ent").Get(path).Map()["contact_phone"].(string)
	if !strings.Contains(masked, "****") || strings.Contains(full, "*") || len(full) != 11 {
		t.Fatalf("the cadre sees %q, the enterprise %q", masked, full)
	}
	res := cadre.Post(path+"/reveal", nil)
	if res.Status != 200 || res.Map()["contact_phone"] != full {
		t.Fatalf("reveal: %d %s", res.Status, res.Body)
	}
	recs, _ := audit.List(context.Background(), a.DB.Read(), audit.Filter{Action: "enterprise.reveal", Username: "cadre"})
	if len(recs) != 1 || recs[0].ObjectID != fmt.Sprint(a.xiangbang) || strings.Contains(recs[0].Summary, full) {
		t.Fatalf("audit: %+v", recs)
	}
	if res := a.As("bank").Post(path+"/reveal", nil); res.Status != 403 {
		t.Fatalf("a bank reveals: %d", res.Status)
	}
	if res := cadre.Post(fmt.Sprintf("/api/v1/enterprises/%d/reveal", a.unassigned), nil); res.Status != 404 {
		t.Fatalf("a cadre reveals outside scope: %d", res.Status)
	}
}

// upload posts a file to an import route as multipart/form-data.
func upload(t *testing.T, a *apptest.App, c *apptest.Client, path, name string, file []byte) (int, []byte) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	part, _ := w.CreateFormFile("file", name)
	part.Write(file)
	w.Close()
	req, _ := http.NewRequest("POST", a.URL+path, &b)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+c.Token)
	if c.Lang != "" {
		req.Header.Set("Accept-Language", c.Lang)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, out
}

func TestExportThenImportChangesNothing(t *testing.T) {
	a := startEnterprises(t)
	office := a.As("office")
	ctx, q := context.Background(), a.DB.Read()
	updated := func() map[int64]time.Time {
		rows, err := q.Query(ctx, "SELECT id, updated_at FROM enterprises")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		m := map[int64]time.Time{}
		for rows.Next() {
			var id int64
			var at time.Time
			rows.Scan(&id, &at)
			m[id] = at
		}
		return m
	}
	before := updated()
	a.Clock.Advance(time.Minute) // a write now would show in updated_at
	for _, format := range []string{"xlsx", "csv"} {
		res := office.Get("/api/v1/enterprises?format=" + format)
		if res.Status != 200 {
			t.Fatalf("export %s: %d", format, res.Status)
		}
		status, body := upload(t, a.App, office, "/api/v1/enterprises/import", "企业名录."+format, res.Body)
		var r enterprise.ImportResult
		json.Unmarshal(body, &r)
		if status != 200 || r.Created != 0 || r.Updated != 0 || r.Unchanged != a.total || len(r.Errors) != 0 {
			t.Fatalf("re-import of the %s export: %d %s", format, status, body[:min(len(body), 400)])
		}
	}
	changed := 0
	for id, at := range updated() {
		if !at.Equal(before[id]) {
			changed++
		}
	}
	recs, _ := audit.List(ctx, q, audit.Filter{Action: "enterprise.import"})
	if changed != 0 || len(recs) != 0 {
		t.Fatalf("the round trip wrote: %d enterprises updated, %d import records", changed, len(recs))
	}

	// A cadre's export has masked phones: importing it back changes nothing
	// either, and an edited cell changes just that field.
	cadre := a.As("cadre")
	res := cadre.Get("/api/v1/enterprises?format=xlsx")
	f, err := excelize.OpenReader(bytes.NewReader(res.Body))
	if err != nil {
		t.Fatal(err)
	}
	sheet := f.GetSheetList()[0]
	rows, _ := f.GetRows(sheet)
	if len(rows) != len(enterprise.Named)+1 || !strings.Contains(rows[1][11], "*") {
		t.Fatalf("the cadre's export: %d rows, phone %q", len(rows), rows[1][11])
	}
	f.SetCellValue(sheet, "I2", "湖北省黄石市大冶市新地址88号")
	var edited bytes.Buffer
	f.Write(&edited)
	status, body := upload(t, a.App, cadre, "/api/v1/enterprises/import", "mine.xlsx", edited.Bytes())
	var r enterprise.ImportResult
	json.Unmarshal(body, &r)
	if status != 200 || r.Updated != 1 || r.Unchanged != len(enterprise.Named)-1 || len(r.Errors) != 0 {
		t.Fatalf("the cadre's edited import: %d %s", status, body)
	}
	recs, _ = audit.List(ctx, q, audit.Filter{Action: "enterprise.import"})
	if len(recs) != 1 || !strings.Contains(recs[0].Summary, `"fields":["address"]`) {
		t.Fatalf("import audit: %+v", recs)
	}
}

func TestImportReportsBadRowsOnTheAPIAndThePage(t *testing.T) {
	a := startEnterprises(t)
	office := a.As("office")
	res := office.Get("/api/v1/enterprises/template")
	f, err := excelize.OpenReader(bytes.NewReader(res.Body))
	if err != nil {
		t.Fatalf("template: %v", err)
	}
	data := f.GetSheetList()[0]
	head, _ := f.GetRows(data)
	if head[0][0] != "统一社会信用代码" || head[1][0] != enterprise.ExampleUSCC || len(f.GetSheetList()) != 2 {
		t.Fatalf("template: %v, sheets %v", head, f.GetSheetList())
	}
	// The untouched template imports as nothing.
	status, body := upload(t, a.App, office, "/api/v1/enterprises/import", "template.xlsx", res.Body)
	if status != 200 || !strings.Contains(string(body), `"created":0,"updated":0,"unchanged":0,"invalid":0,"errors":[]`) {
		t.Fatalf("the empty template: %d %s", status, body)
	}
	good := enterprise.GenUSCC("420281", 777777)
	f.SetSheetRow(data, "A3", &[]any{good, "湖北好企业有限公司", "", "罗家桥街道", "3841"})
	f.SetSheetRow(data, "A4", &[]any{good[:17] + "0", "湖北坏企业有限公司", "", "罗家桥街道"})
	f.SetSheetRow(data, "A5", &[]any{enterprise.GenUSCC("420281", 777778), "湖北无处企业有限公司", "", "火星街道"})
	var file bytes.Buffer
	f.Write(&file)
	office.Lang = "en"
	status, body = upload(t, a.App, office, "/api/v1/enterprises/import", "mixed.xlsx", file.Bytes())
	var r enterprise.ImportResult
	json.Unmarshal(body, &r)
	if status != 200 || r.Created != 1 || len(r.Errors) != 2 || r.Errors[0].Row != 4 || r.Errors[0].Field != "uscc" ||
		r.Errors[1].Row != 5 || r.Errors[1].Field != "org_id" || !strings.Contains(r.Errors[1].Message, "There is no street") {
		t.Fatalf("mixed file: %d %s", status, body)
	}
	// The page shows the same report as a table.
	office.Lang = ""
	f.SetSheetRow(data, "A3", &[]any{enterprise.GenUSCC("420281", 777779), "湖北又一企业有限公司", "", "罗家桥街道"})
	file.Reset()
	f.Write(&file)
	status, body = upload(t, a.App, office, "/enterprises/import", "mixed.xlsx", file.Bytes())
	page := string(body)
	if status != 200 || !strings.Contains(page, "导入结果") || !strings.Contains(page, `<td class="num">4</td>`) || !strings.Contains(page, "火星街道") {
		t.Fatalf("import page: %d %s", status, page)
	}
	if status, body := upload(t, a.App, office, "/api/v1/enterprises/import", "old.xls", []byte("x")); status != 400 || !strings.Contains(string(body), ".xlsx") {
		t.Fatalf("an .xls file: %d %s", status, body)
	}
	if status, _ := upload(t, a.App, a.As("leader"), "/api/v1/enterprises/import", "x.xlsx", file.Bytes()); status != 403 {
		t.Fatalf("a leader imports: %d", status)
	}
}

func TestEnterprisePages(t *testing.T) {
	a := startEnterprises(t)
	// Another module's section of the enterprise page, as the modules that
	// land later register theirs.
	a.Enterprises.Facts = append(a.Enterprises.Facts, func(ctx context.Context, p *access.Principal, id int64, lang i18n.Lang) (*platform.Facts, error) {
		return &platform.Facts{Title: "办件情况", Href: fmt.Sprintf("/cases?enterprise_id=%d", id),
			Rows: []platform.Fact{{Label: "今年办件", Value: "7", Tone: "green"}}}, nil
	})
	office := a.BrowserLogin("office", "demo")
	cadre := a.BrowserLogin("cadre", "demo")
	detail := fmt.Sprintf("/enterprises/%d", a.xiangbang)
	for _, tc := range []struct {
		c      *apptest.Client
		path   string
		status int
		has    []string
	}{
		{office, "/enterprises", 200, []string{"一企一档", fmt.Sprintf("%d 家", a.total), "导入Excel", "登记企业", "下一页"}},
		{office, "/enterprises?q=湖北祥邦", 200, []string{"湖北祥邦新能源科技有限公司"}},
		{office, "/enterprises?q=东贝", 200, []string{"东贝精密智造", "湖北东贝电机有限公司"}},
		{office, "/enterprises?q=9999", 200, []string{"暂无记录"}},
		{office, "/enterprises?scale=micro&above_scale=false", 200, []string{`href="/api/v1/enterprises?above_scale=false&amp;scale=micro&amp;format=xlsx"`,
			`href="?above_scale=false&amp;scale=micro&amp;cursor=`}},
		{office, detail, 200, []string{"91420281MA", "高新技术企业", "走访记录", "转为诉求", "/appeals/new?enterprise_id=", "channel=cadre_visit", "指定包保干部", "13871401000",
			"办件情况", fmt.Sprintf("/cases?enterprise_id=%d", a.xiangbang), "今年办件"}},
		{cadre, "/", 200, []string{"我包保的企业", fmt.Sprintf("<div class=\"value\">%d <small>家</small>", len(enterprise.Named)), "今年走访"}},
		{office, "/", 200, []string{"在册企业", fmt.Sprintf("%d <small>家</small>", a.total), "有效高新技术企业"}},
		{cadre, detail, 200, []string{"138****1000", "显示完整号码", "登记走访", "转为诉求"}},
		{cadre, "/enterprises/new", 403, nil},
		{office, "/enterprises/new", 200, []string{"统一社会信用代码"}},
		{cadre, detail + "/edit", 200, []string{"138****1000"}},
		{cadre, fmt.Sprintf("/enterprises/%d", a.unassigned), 404, nil},
		{office, "/enterprises/import", 200, []string{"下载导入模板"}},
	} {
		res := tc.c.Page(tc.path)
		if res.Status != tc.status {
			t.Errorf("%s: %d, want %d", tc.path, res.Status, tc.status)
			continue
		}
		for _, s := range tc.has {
			if !strings.Contains(string(res.Body), s) {
				t.Errorf("%s lacks %q", tc.path, s)
			}
		}
	}
	// Forms: a bad code comes back with its message, a good one registers.
	withCSRF := func(user string, form map[string][]string) map[string][]string {
		var csrf string
		a.DB.Read().QueryRow(context.Background(), `SELECT s.csrf FROM sessions s JOIN users u ON u.id = s.user_id
			WHERE u.username = ? AND s.ended_at IS NULL ORDER BY s.id DESC LIMIT 1`, user).Scan(&csrf)
		if form == nil {
			form = map[string][]string{}
		}
		form["csrf"] = []string{csrf}
		return form
	}
	var street string
	a.DB.Read().QueryRow(context.Background(), "SELECT id FROM orgs WHERE name = '金湖街道'").Scan(&street)
	form := withCSRF("office", map[string][]string{"uscc": {"91420281MA4F1D2X5O"}, "name": {"湖北表单企业有限公司"}, "org_id": {street}, "scale": {"small"}})
	if res := office.Form("/enterprises", form); res.Status != 400 || !strings.Contains(string(res.Body), "不是允许的字符") {
		t.Fatalf("a bad code in the form: %d", res.Status)
	}
	form["uscc"] = []string{enterprise.GenUSCC("420281", 888888)}
	if res := office.Form("/enterprises", form); res.Status != 303 {
		t.Fatalf("the form: %d %s", res.Status, res.Body)
	}
	res := cadre.Form(detail+"/visits", withCSRF("cadre", map[string][]string{"date": {civil.Of(a.Clock.Now()).String()}, "notes": {"表单走访"}, "flags": {"relocating"}}))
	if res.Status != 303 || !strings.Contains(string(cadre.Page(detail).Body), "表单走访") {
		t.Fatalf("the visit form: %d", res.Status)
	}
	res = cadre.Form(detail+"/reveal", withCSRF("cadre", nil))
	if res.Status != 200 || !strings.Contains(string(res.Body), "13871401000") || !strings.Contains(string(res.Body), "审计日志") {
		t.Fatalf("reveal on the page: %d", res.Status)
	}
	cadre.Lang = "en"
	if body := string(cadre.Page("/enterprises").Body); !strings.Contains(body, "Enterprise registry") || !strings.Contains(body, "Responsible cadre") {
		t.Errorf("the English list page is not in English")
	}
}

// TestRecordAVisitInTheBrowser records a visit with a red flag by keyboard
// in Chromium and follows the flag's link towards an appeal.
func TestRecordAVisitInTheBrowser(t *testing.T) {
	a := startEnterprises(t)
	ctx := apptest.Browser(t)
	detail := fmt.Sprintf("%s/enterprises/%d", a.URL, a.unassigned)
	err := apptest.Steps(ctx,
		chromedp.Navigate(a.URL+"/login"),
		chromedp.WaitVisible(`input[name=username]`),
		chromedp.SendKeys(`input[name=username]`, "office"),
		chromedp.SendKeys(`input[name=password]`, "demo\r"),
		chromedp.WaitVisible(`.sidebar`),
		chromedp.Navigate(detail),
		chromedp.WaitVisible(`textarea[name=notes]`),
		chromedp.SendKeys(`textarea[name=notes]`, "企业有外迁意向"),
		chromedp.Click(`input[name=flags][value=relocating]`),
		chromedp.Submit(`textarea[name=notes]`),
		chromedp.WaitVisible(`.flash`),
	)
	if err != nil {
		t.Fatal(err)
	}
	notes, _ := apptest.Text(ctx, `#visits .timeline`)
	if !strings.Contains(notes, "企业有外迁意向") || !strings.Contains(notes, "外迁意向") || !strings.Contains(notes, "转为诉求") {
		t.Fatalf("the visit on the page: %q", notes)
	}
	attr, err := chromedp.Run(ctx, chromedp.AttributeValue(`#visits .ent-flags a`, "href"))
	href := attr.Value
	if err != nil || !strings.HasPrefix(href, fmt.Sprintf("/appeals/new?enterprise_id=%d&visit_id=", a.unassigned)) || !strings.HasSuffix(href, "&channel=cadre_visit&flag=relocating") {
		t.Fatalf("the flag's link: %q %v", href, err)
	}
}
