package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"xiaoer/internal/access"
	"xiaoer/internal/app/apptest"
	"xiaoer/internal/audit"
	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/finance"
	"xiaoer/internal/i18n"
	"xiaoer/internal/platform"
	"xiaoer/internal/rollup"
	"xiaoer/internal/store"
)

type needJSON struct {
	ID         string `json:"id"`
	Status     string `json:"status"`
	BankOrgID  string `json:"bank_org_id"`
	TakenBy    string `json:"taken_by_org_id"`
	BankName   string `json:"bank_name"`
	Product    string `json:"product_name"`
	Recommend  string `json:"recommended_product_name"`
	LoanFen    int64  `json:"loan_fen"`
	LoanOn     string `json:"loan_on"`
	Green      bool   `json:"green_channel"`
	Contact    string `json:"contact_phone"`
	Enterprise struct {
		Name           string   `json:"name"`
		Qualifications []string `json:"qualifications"`
	} `json:"enterprise"`
}

type needList struct {
	Items []needJSON `json:"items"`
	Total int        `json:"total"`
}

func principal(t *testing.T, a *apptest.App, username string) *access.Principal {
	t.Helper()
	u, err := a.Auth.GetByUsername(context.Background(), username)
	if err != nil {
		t.Fatal(err)
	}
	p, err := a.Auth.PrincipalOf(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestFinanceDemoFigures: the demo gives the seed's figure — 66 million
// yuan and more lent to the zone's SMEs in 2023 by 11 July — through the
// module's summary, 佳兴生物 borrowed through the science-credit product the
// office recommended, and a rebuild of the rollups agrees with the running
// totals.
func TestFinanceDemoFigures(t *testing.T) {
	a := apptest.Start(t)
	ctx := context.Background()
	leader := principal(t, a, "leader")
	into := map[string]any{}
	var found bool
	for _, m := range a.Modules() {
		if m.Name != "finance" {
			continue
		}
		found = true
		if err := m.Summary(ctx, a.DB.Read(), leader, civil.MustParse("2023-01-01"), civil.MustParse("2023-07-11"), into); err != nil {
			t.Fatal(err)
		}
	}
	if !found {
		t.Fatal("the finance module is not in the app's module list")
	}
	f := into["finance"].(map[string]any)
	if f["loans_fen"].(int64) < 6_600_000_000 || f["loans"].(int64) < 10 || f["needs"].(int64) < 15 || f["needs_fen"].(int64) <= f["loans_fen"].(int64) {
		t.Fatalf("finance H1 2023 = %v", f)
	}
	t.Logf("demo finance 2023-01-01..2023-07-11: %v", f)

	res := a.As("office").Get("/api/v1/finance/needs?status=disbursed&q=" + url.QueryEscape("佳兴"))
	var l needList
	res.JSON(&l)
	if l.Total != 1 || l.Items[0].Product != finance.ScienceCredit || l.Items[0].Recommend != finance.ScienceCredit ||
		l.Items[0].LoanFen != 5_000_000_00 || !strings.HasPrefix(l.Items[0].LoanOn, "2023-") {
		t.Fatalf("佳兴生物's loans: %s", res.Body)
	}
	n := a.As("office").Get("/api/v1/finance/needs/" + l.Items[0].ID)
	var nj needJSON
	n.JSON(&nj)
	if len(nj.Enterprise.Qualifications) == 0 || nj.Enterprise.Qualifications[0] != "tech_sme" {
		t.Fatalf("佳兴生物 holds no valid tech_sme today: %s", n.Body)
	}
	// The enterprise page's financing section, for the office and for a
	// bank that never dealt with the firm.
	var ref struct {
		EnterpriseID int64 `json:"enterprise_id,string"`
	}
	n.JSON(&ref)
	section := func(p *access.Principal) *platform.Facts {
		for _, f := range a.Enterprises.Facts {
			fs, err := f(ctx, p, ref.EnterpriseID, i18n.ZH)
			if errs.Is(err, errs.NotFound) {
				continue // a section the reader may not see
			}
			if err != nil {
				t.Fatal(err)
			}
			if fs != nil && fs.Title == "融资对接" {
				return fs
			}
		}
		return nil
	}
	fs := section(principal(t, a, "office"))
	if fs == nil || len(fs.Rows) != 4 || fs.Rows[0].Value != "2笔，共700万元" || fs.Rows[3].Value != "1笔，共500万元" {
		t.Fatalf("佳兴生物's financing facts: %+v", fs)
	}
	if fs := section(principal(t, a, "bank_abc")); fs != nil && fs.Rows[3].Value != "0笔，共0元" {
		t.Fatalf("农行 sees 佳兴生物's loan from 湖北银行: %+v", fs)
	}
	// Every loan went to an SME.
	var large int
	if err := a.DB.Read().QueryRow(ctx, `SELECT COUNT(*) FROM finance_needs n JOIN enterprises e ON e.id = n.enterprise_id
		WHERE n.status = 'disbursed' AND e.scale = 'large'`).Scan(&large); err != nil || large != 0 {
		t.Fatalf("loans to large enterprises: %d %v", large, err)
	}

	before, err := rollup.Snapshot(ctx, a.DB.Read(), finance.Metrics...)
	if err != nil {
		t.Fatal(err)
	}
	sys := access.With(ctx, access.SystemPrincipal("test"))
	err = a.DB.Write(sys, func(tx *store.Tx) error {
		for _, m := range a.Modules() {
			if m.Name == "finance" {
				if err := rollup.Clear(sys, tx, m.Metrics...); err != nil {
					return err
				}
				if err := m.Rebuild(sys, tx); err != nil {
					return err
				}
			}
		}
		return audit.Append(sys, tx, audit.Entry{Action: "test.rebuild"})
	})
	if err != nil {
		t.Fatal(err)
	}
	after, _ := rollup.Snapshot(ctx, a.DB.Read(), finance.Metrics...)
	if len(before) == 0 || !reflect.DeepEqual(before, after) {
		t.Fatalf("rebuild differs from the running totals: %d vs %d rows", len(before), len(after))
	}
}

// TestFinanceAPIScopesAndRoles speaks to the API as the demo's users: a
// bank never sees another bank's needs, roles keep to their actions, the
// disbursement stays within the credit.
func TestFinanceAPIScopesAndRoles(t *testing.T) {
	a := apptest.Start(t)
	office, bank, abc, ent := a.As("office"), a.As("bank"), a.As("bank_abc"), a.As("ent")
	var hubei needList
	bank.Get("/api/v1/finance/needs?waiting=true").JSON(&hubei)
	if hubei.Total == 0 || !hubei.Items[0].Green {
		t.Fatalf("湖北银行's inbox does not start with a green-channel need: %+v", hubei)
	}
	routed := hubei.Items[0]
	if routed.BankName != "湖北银行大冶支行" || routed.Contact != "" {
		t.Fatalf("first waiting need: %+v", routed)
	}
	if res := abc.Get("/api/v1/finance/needs/" + routed.ID); res.Status != http.StatusNotFound {
		t.Fatalf("农行 reads 湖北银行's need: %d", res.Status)
	}
	if res := abc.Post("/api/v1/finance/needs/"+routed.ID+"/actions/take", nil); res.Status != http.StatusNotFound {
		t.Fatalf("农行 takes 湖北银行's need: %d", res.Status)
	}
	for _, who := range []string{"bank", "bank_abc"} {
		c := a.As(who)
		me := principal(t, a, who)
		var all needList
		c.Get("/api/v1/finance/needs?limit=500").JSON(&all)
		own := fmt.Sprint(me.OrgID)
		for _, n := range all.Items {
			if (n.BankOrgID != "" && n.BankOrgID != own) || (n.TakenBy != "" && n.TakenBy != own) {
				t.Errorf("%s sees need %s of another bank (%s/%s)", who, n.ID, n.BankOrgID, n.TakenBy)
			}
		}
	}
	if res := office.Post("/api/v1/finance/needs/"+routed.ID+"/actions/take", nil); res.Status != http.StatusForbidden {
		t.Fatalf("office takes: %d", res.Status)
	}
	if res := ent.Post("/api/v1/finance/needs/"+routed.ID+"/actions/take", nil); res.Status != http.StatusForbidden {
		t.Fatalf("enterprise takes its own need: %d", res.Status)
	}
	if res := bank.Post("/api/v1/finance/needs/"+routed.ID+"/actions/take", map[string]string{}); res.Status != http.StatusOK {
		t.Fatalf("take: %d %s", res.Status, res.Body)
	}
	if res := bank.Post("/api/v1/finance/needs/"+routed.ID+"/actions/take", nil); res.Status != http.StatusConflict {
		t.Fatalf("take twice: %d", res.Status)
	}
	if res := bank.Post("/api/v1/finance/needs/"+routed.ID+"/actions/approve_credit", map[string]any{"amount_fen": 300_0000_00}); res.Status != http.StatusOK {
		t.Fatalf("approve: %d %s", res.Status, res.Body)
	}
	today := civil.Of(a.DB.Now()).String()
	res := bank.Post("/api/v1/finance/needs/"+routed.ID+"/actions/disburse", map[string]any{"amount_fen": 300_0000_01, "date": today})
	if res.Status != http.StatusConflict || res.ErrorField() != "amount_fen" {
		t.Fatalf("over-disburse: %d %s", res.Status, res.Body)
	}
	if res := bank.Post("/api/v1/finance/needs/"+routed.ID+"/contact", nil); res.Status != http.StatusOK || !strings.Contains(string(res.Body), "1387140") {
		t.Fatalf("reveal: %d %s", res.Status, res.Body)
	}
	if res := abc.Post("/api/v1/finance/needs/"+routed.ID+"/contact", nil); res.Status != http.StatusNotFound {
		t.Fatalf("another bank reveals: %d", res.Status)
	}
	// 农行 sees 佳兴生物 in the registry only if a need links them.
	var jiaxing needList
	office.Get("/api/v1/finance/needs?status=disbursed&q=" + url.QueryEscape("佳兴")).JSON(&jiaxing)
	var entID struct {
		EnterpriseID string `json:"enterprise_id"`
	}
	office.Get("/api/v1/finance/needs/" + jiaxing.Items[0].ID).JSON(&entID)
	if res := bank.Get("/api/v1/enterprises/" + entID.EnterpriseID); res.Status != http.StatusOK {
		t.Fatalf("湖北银行 cannot read the enterprise it lent to: %d", res.Status)
	}
	if res := abc.Get("/api/v1/enterprises/" + entID.EnterpriseID); res.Status != http.StatusNotFound {
		t.Fatalf("农行 reads an enterprise no need links it to: %d", res.Status)
	}

	// Posting: the enterprise for itself, the office for any; a bank not.
	post := map[string]any{"amount_fen": 200_0000_00, "term_months": 12, "purpose": "设备更新", "guarantee": "credit", "green_channel": true}
	res = ent.Post("/api/v1/finance/needs", post)
	if res.Status != http.StatusCreated {
		t.Fatalf("enterprise posts: %d %s", res.Status, res.Body)
	}
	var mine needJSON
	res.JSON(&mine)
	if res := bank.Post("/api/v1/finance/needs", post); res.Status != http.StatusForbidden {
		t.Fatalf("bank posts: %d", res.Status)
	}
	post["enterprise_id"] = entID.EnterpriseID
	if res := office.Post("/api/v1/finance/needs", post); res.Status != http.StatusCreated {
		t.Fatalf("office posts: %d %s", res.Status, res.Body)
	}
	post["colour"] = "red"
	if res := office.Post("/api/v1/finance/needs", post); res.Status != http.StatusBadRequest || res.ErrorField() != "colour" {
		t.Fatalf("unknown field: %d %s", res.Status, res.Body)
	}
	var ms []struct {
		Eligible bool `json:"eligible"`
		Reasons  []struct {
			Code string `json:"code"`
			Text string `json:"text"`
		} `json:"reasons"`
	}
	ent.Get("/api/v1/finance/needs/" + mine.ID + "/matches").JSON(&ms)
	if len(ms) != 10 || !ms[0].Eligible || len(ms[0].Reasons) < 5 {
		t.Fatalf("matches: %+v", ms)
	}
	if res := ent.Post("/api/v1/finance/needs/"+mine.ID+"/actions/cancel", nil); res.Status != http.StatusOK {
		t.Fatalf("cancel: %d %s", res.Status, res.Body)
	}
	if res := ent.Get("/api/v1/finance/needs/" + jiaxing.Items[0].ID); res.Status != http.StatusNotFound {
		t.Fatalf("an enterprise reads another's need: %d", res.Status)
	}
	var evs []struct {
		Action string `json:"action"`
	}
	ent.Get("/api/v1/finance/needs/" + mine.ID + "/events").JSON(&evs)
	if len(evs) != 2 || evs[0].Action != "post" || evs[1].Action != "cancel" {
		t.Fatalf("events: %+v", evs)
	}
	if res := a.As("leader").Get("/api/v1/finance/banks?from=2023-01-01&to=2023-07-11"); res.Status != http.StatusOK || !strings.Contains(string(res.Body), "湖北银行大冶支行") {
		t.Fatalf("bank ranking: %d", res.Status)
	}
	if res := ent.Get("/api/v1/finance/banks"); res.Status != http.StatusForbidden {
		t.Fatalf("enterprise reads the bank ranking: %d", res.Status)
	}
}

func TestFinanceExportsAndPages(t *testing.T) {
	a := apptest.Start(t)
	office := a.As("office")
	res := office.Get("/api/v1/finance/needs?format=xlsx")
	if res.Status != http.StatusOK || !strings.Contains(res.Header.Get("Content-Type"), "spreadsheetml") || len(res.Body) < 1000 {
		t.Fatalf("needs export: %d %s", res.Status, res.Header.Get("Content-Type"))
	}
	res = office.Get("/api/v1/finance/products?format=csv")
	if res.Status != http.StatusOK || !strings.Contains(string(res.Body), "产品名称") || !strings.Contains(string(res.Body), finance.ScienceCredit) {
		t.Fatalf("products export: %d %s", res.Status, res.Body)
	}
	var l needList
	office.Get("/api/v1/finance/needs?status=disbursed&q=" + url.QueryEscape("佳兴")).JSON(&l)
	needPage := "/finance/needs/" + l.Items[0].ID
	for _, tc := range []struct {
		user, path, zh, en string
	}{
		{"office", "/finance/needs", "融资需求", "Financing needs"},
		{"office", needPage, "鄂科贷", "Matching products"},
		{"office", "/finance/needs/new", "发布融资需求", "Post a financing need"},
		{"office", "/finance/banks", "银行对接情况", "Bank response and lending"},
		{"bank", "/finance/needs", "待响应", "Waiting"},
		{"bank", needPage, "放款", "Disbursed"},
		{"bank", "/finance/products", "金融产品", "Loan products"},
		{"bank", "/finance/products/new", "发布金融产品", "New loan product"},
		{"ent", "/finance/needs", "我的融资需求", "Our financing needs"},
		{"leader", "/", "待银行响应的融资需求", "Needs waiting for a bank"},
		{"bank", "/", "待本行响应的融资需求", "Needs waiting for your answer"},
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
	if res := a.BrowserLogin("bank_abc", "demo").Page(needPage); res.Status != http.StatusNotFound {
		t.Fatalf("农行 opens 湖北银行's need page: %d", res.Status)
	}
	if res := a.BrowserLogin("ent", "demo").Page("/finance/banks"); res.Status != http.StatusForbidden {
		t.Fatalf("enterprise opens the bank ranking: %d", res.Status)
	}

	// The enterprise posts through the form, in 万元, and lands on its need
	// with the matching products.
	c := a.BrowserLogin("ent", "demo")
	csrf := c.Page("/finance/needs/new").CSRF()
	res = c.Form("/finance/needs", map[string][]string{"csrf": {csrf}, "amount": {"80万"}, "term_months": {"12"}, "guarantee": {"credit"},
		"purpose": {"备货"}, "bank_org_id": {""}})
	if res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/finance/needs/") {
		t.Fatalf("form post: %d %s", res.Status, res.Body)
	}
	page := c.Page(res.Header.Get("Location"))
	if !strings.Contains(string(page.Body), "80万元") || !strings.Contains(string(page.Body), "小微企业信用贷") {
		t.Fatalf("the new need's page lacks its amount or matches")
	}
	res = c.Form("/finance/needs", map[string][]string{"csrf": {csrf}, "amount": {"八十万"}, "term_months": {"12"}, "guarantee": {"credit"}, "purpose": {"备货"}})
	if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), "融资金额格式不正确") || !strings.Contains(string(res.Body), "八十万") {
		t.Fatalf("a bad amount: %d", res.Status)
	}
}

// TestBrowserBankTakesAndDisburses: in Chromium, 湖北银行's manager opens
// the inbox, takes the green-channel need at its top, approves credit and
// disburses it.
func TestBrowserBankTakesAndDisburses(t *testing.T) {
	a := apptest.Start(t)
	ctx := apptest.Browser(t)
	today := civil.Of(a.DB.Now()).String()
	err := apptest.Steps(ctx,
		chromedp.Navigate(a.URL+"/login?next=/finance/needs"),
		chromedp.WaitVisible(`input[name=username]`),
		chromedp.SendKeys(`input[name=username]`, "bank"),
		chromedp.SendKeys(`input[name=password]`, "demo"),
		chromedp.Submit(`input[name=password]`),
		chromedp.WaitVisible(`table.fin-needs`),
	)
	if err != nil {
		t.Fatal(err)
	}
	first, _ := apptest.Text(ctx, `table.fin-needs tbody tr:first-child`)
	if !strings.Contains(first, "绿色通道") || !strings.Contains(first, "祥邦") {
		t.Fatalf("the inbox does not start with the green-channel need: %q", first)
	}
	err = apptest.Steps(ctx,
		chromedp.Click(`table.fin-needs tbody tr:first-child a`),
		chromedp.WaitVisible(`form[action$="/actions/take"]`),
		chromedp.Click(`form[action$="/actions/take"] button`),
		chromedp.WaitVisible(`form[action$="/actions/approve_credit"]`),
		chromedp.SendKeys(`form[action$="/actions/approve_credit"] input[name=amount]`, "300万"),
		chromedp.Click(`form[action$="/actions/approve_credit"] button`),
		chromedp.WaitVisible(`form[action$="/actions/disburse"]`),
		chromedp.SendKeys(`form[action$="/actions/disburse"] input[name=amount]`, "280万"),
		chromedp.SetValue(`form[action$="/actions/disburse"] input[name=date]`, today),
		chromedp.Click(`form[action$="/actions/disburse"] button`),
		chromedp.WaitNotPresent(`form[action$="/actions/disburse"]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	head, _ := apptest.Text(ctx, `.page-head`)
	props, _ := apptest.Text(ctx, `dl.props`)
	if !strings.Contains(head, "已放款") || !strings.Contains(props, "280万元") || !strings.Contains(props, "300万元") {
		t.Fatalf("after disbursing: head %q, details %q", head, props)
	}
	history, _ := apptest.Text(ctx, `ol.timeline`)
	for _, step := range []string{"发布需求", "接单", "授信", "放款"} {
		if !strings.Contains(history, step) {
			t.Errorf("the history lacks %s: %q", step, history)
		}
	}
}
