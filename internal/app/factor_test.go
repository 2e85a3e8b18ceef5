package app_test

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"sync"
	"testing"

	"xiaoer/internal/access"
	"xiaoer/internal/app/apptest"
	"xiaoer/internal/civil"
	"xiaoer/internal/enterprise"
	"xiaoer/internal/labor"
	"xiaoer/internal/policy"
	"xiaoer/internal/rollup"
	"xiaoer/internal/store"
)

// enterpriseID finds a demo enterprise by its short name.
func enterpriseID(t *testing.T, a *apptest.App, short string) int64 {
	t.Helper()
	var id int64
	if err := a.DB.Read().QueryRow(context.Background(), "SELECT id FROM enterprises WHERE short_name = ?", short).Scan(&id); err != nil {
		t.Fatalf("%s: %v", short, err)
	}
	return id
}

// summary calls every module's Summary for the period, as the stats
// module will.
func summary(t *testing.T, a *apptest.App, from, to civil.Date) map[string]any {
	t.Helper()
	into := map[string]any{}
	for _, m := range a.Modules() {
		if m.Summary == nil {
			continue
		}
		if err := m.Summary(context.Background(), a.DB.Read(), access.SystemPrincipal("test"), from, to, into); err != nil {
			t.Fatalf("%s summary: %v", m.Name, err)
		}
	}
	return into
}

func TestDemoGivesTheSeedsFactorFigures(t *testing.T) {
	a := apptest.Start(t)
	h1 := summary(t, a, civil.New(2023, 1, 1), civil.New(2023, 6, 30))
	lab := h1["labor"].(map[string]any)
	if got := lab["events"].(int64); got != labor.DemoEventsH1 {
		t.Errorf("labor.events in H1 2023 = %d, want %d", got, labor.DemoEventsH1)
	}
	if got := lab["placements"].(int64); got < labor.DemoPlacedH1 {
		t.Errorf("labor.placements in H1 2023 = %d, want at least %d", got, labor.DemoPlacedH1)
	}
	byJuly := summary(t, a, civil.New(2023, 1, 1), policy.DemoSubsidyPaidBy)
	if got := byJuly["labor"].(map[string]any)["subsidy_paid_fen"].(int64); got < policy.DemoSubsidyPaid {
		t.Errorf("hiring subsidy paid by %s = %d fen, want at least %d", policy.DemoSubsidyPaidBy, got, policy.DemoSubsidyPaid)
	}
	// The same through the statistics API.
	var sum struct {
		Labor struct {
			Events     int64 `json:"events"`
			Placements int64 `json:"placements"`
		} `json:"labor"`
		Policy struct {
			PaidEnterprises int64 `json:"paid_enterprises"`
		} `json:"policy"`
	}
	res := a.As("leader").Get("/api/v1/stats/summary?from=2023-01-01&to=2023-06-30")
	res.JSON(&sum)
	if res.Status != 200 || sum.Labor.Events != labor.DemoEventsH1 || sum.Labor.Placements < labor.DemoPlacedH1 || sum.Policy.PaidEnterprises == 0 {
		t.Fatalf("stats summary: %d %s", res.Status, res.Body)
	}
}

func TestFactorRebuildEqualsRunningTotalsOnTheDemo(t *testing.T) {
	a := apptest.Start(t)
	ctx := context.Background()
	for _, m := range a.Modules() {
		if m.Name != "labor" && m.Name != "policy" {
			continue
		}
		running, err := rollup.Snapshot(ctx, a.DB.Read(), m.Metrics...)
		if err != nil || len(running) == 0 {
			t.Fatalf("%s: %d running rows, %v", m.Name, len(running), err)
		}
		err = a.DB.WriteUnaudited(ctx, func(tx *store.Tx) error {
			if err := rollup.Clear(ctx, tx, m.Metrics...); err != nil {
				return err
			}
			return m.Rebuild(ctx, tx)
		})
		if err != nil {
			t.Fatal(err)
		}
		rebuilt, _ := rollup.Snapshot(ctx, a.DB.Read(), m.Metrics...)
		if !maps.Equal(running, rebuilt) {
			t.Fatalf("%s: rebuild differs from the running totals", m.Name)
		}
	}
}

// streetOf returns the id of one of the zone's streets.
func streetOf(t *testing.T, c *apptest.Client) string {
	t.Helper()
	var orgs struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	c.Get("/api/v1/orgs?kind=street").JSON(&orgs)
	if len(orgs.Items) == 0 {
		t.Fatal("no street")
	}
	return orgs.Items[0].ID
}

func TestFiftyParallelApprovalsOverHTTPNeverOverspend(t *testing.T) {
	a := apptest.Start(t)
	office := a.As("office")
	street := streetOf(t, office)
	res := office.Post("/api/v1/policies", map[string]any{"name": "并发核准测试", "mode": "apply", "rule": "true || employees > 0",
		"amount_rule": "1000", "open_from": "2023-01-01", "budget_fen": 2_050_000, "publicity_days": 0})
	if res.Status != 201 {
		t.Fatalf("policy: %d %s", res.Status, res.Body)
	}
	pol := res.Map()["id"].(string)
	var ids []string
	for i := range 50 {
		e := office.Post("/api/v1/enterprises", map[string]any{"uscc": enterprise.DemoUSCC(9000 + i), "name": fmt.Sprintf("并发测试企业%02d", i),
			"org_id": street, "industry_code": "3612"})
		if e.Status != 201 {
			t.Fatalf("enterprise: %d %s", e.Status, e.Body)
		}
		app := office.Post("/api/v1/policy-applications", map[string]any{"policy_id": pol, "enterprise_id": e.Map()["id"],
			"materials": "材料", "bank_name": "湖北银行", "bank_account": "6222020200112233445", "date": "2023-03-01"})
		if app.Status != 201 {
			t.Fatalf("application: %d %s", app.Status, app.Body)
		}
		id := app.Map()["id"].(string)
		for _, act := range []string{"accept", "review", "publicize"} {
			if r := office.Post("/api/v1/policy-applications/"+id+"/actions/"+act, map[string]any{"date": "2023-03-02"}); r.Status != 200 {
				t.Fatalf("%s: %d %s", act, r.Status, r.Body)
			}
		}
		ids = append(ids, id)
	}
	var wg sync.WaitGroup
	status := make([]int, len(ids))
	msgs := make([]string, len(ids))
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := office.Post("/api/v1/policy-applications/"+id+"/actions/approve", map[string]any{"date": "2023-03-03"})
			status[i], msgs[i] = r.Status, r.ErrorMessage()
		}()
	}
	wg.Wait()
	ok, over := 0, 0
	for i, s := range status {
		switch s {
		case 200:
			ok++
		case 409:
			over++
			if !strings.Contains(msgs[i], "仅剩 500元") {
				t.Errorf("409 says %q, want what is left", msgs[i])
			}
		default:
			t.Errorf("status %d: %s", s, msgs[i])
		}
	}
	var p struct {
		Committed int64 `json:"committed_fen"`
		Remaining int64 `json:"remaining_fen"`
	}
	office.Get("/api/v1/policies/" + pol).JSON(&p)
	if ok != 20 || over != 30 || p.Committed != 2_000_000 || p.Remaining != 50_000 {
		t.Fatalf("%d approved, %d refused, committed %d; want 20, 30, 2000000", ok, over, p.Committed)
	}
}

func TestRuleErrorsOverHTTPNameThePosition(t *testing.T) {
	a := apptest.Start(t)
	office := a.As("office")
	bad := map[string]any{"name": "x", "mode": "auto", "rule": "employees > 10 &&\n  headcount >= 5", "amount_rule": "1", "open_from": "2023-01-01", "budget_fen": 100}
	res := office.Post("/api/v1/policies", bad)
	if res.Status != 400 || res.ErrorField() != "rule" || !strings.Contains(res.ErrorMessage(), "2:3") || !strings.Contains(res.ErrorMessage(), "headcount") {
		t.Fatalf("%d %s", res.Status, res.Body)
	}
	office.Lang = "en"
	bad["rule"], bad["amount_rule"] = "employees > 10", "1500 * "
	res = office.Post("/api/v1/policies", bad)
	if res.Status != 400 || res.ErrorField() != "amount_rule" || !strings.Contains(res.ErrorMessage(), "The amount rule, line 1") {
		t.Fatalf("%d %s", res.Status, res.Body)
	}
	res = office.Post("/api/v1/policy-rules/test", map[string]any{"rule": "placements > 0 && insured_months >= 3", "amount_rule": "1500 * placements",
		"enterprise_id": fmt.Sprint(enterpriseID(t, a, "长城汽车")), "on": "2023-03-31", "open_from": "2023-01-01"})
	var ev struct {
		Eligible  bool  `json:"eligible"`
		AmountFen int64 `json:"amount_fen"`
		Reasons   []struct {
			Condition string `json:"condition"`
			Holds     bool   `json:"holds"`
		} `json:"reasons"`
	}
	res.JSON(&ev)
	if res.Status != 200 || !ev.Eligible || ev.AmountFen%150_000 != 0 || len(ev.Reasons) != 2 {
		t.Fatalf("test: %d %s", res.Status, res.Body)
	}
}

func TestAnEnterpriseSeesOnlyItsOwnOverHTTP(t *testing.T) {
	a := apptest.Start(t)
	ent := a.As("ent")
	var mine struct {
		Items []struct {
			ID           string `json:"id"`
			EnterpriseID string `json:"enterprise_id"`
			BankAccount  string `json:"bank_account"`
		} `json:"items"`
		Total int `json:"total"`
	}
	ent.Get("/api/v1/policy-applications").JSON(&mine)
	own := fmt.Sprint(enterpriseID(t, a, "祥邦新能源"))
	for _, it := range mine.Items {
		if it.EnterpriseID != own {
			t.Fatalf("enterprise user sees %s's application", it.EnterpriseID)
		}
	}
	var other int64
	a.DB.Read().QueryRow(context.Background(), "SELECT id FROM policy_applications WHERE enterprise_id <> ? ORDER BY id LIMIT 1", own).Scan(&other)
	for _, path := range []string{"/api/v1/policy-applications/%d", "/api/v1/policy-applications/%d/events"} {
		if res := ent.Get(fmt.Sprintf(path, other)); res.Status != 404 {
			t.Fatalf("%s: %d, want 404", path, res.Status)
		}
	}
	if res := ent.Post(fmt.Sprintf("/api/v1/policy-applications/%d/actions/confirm", other), map[string]any{"bank_name": "x", "bank_account": "6222020200112233445"}); res.Status != 404 {
		t.Fatalf("confirming another's: %d, want 404", res.Status)
	}
	if res := ent.Post(fmt.Sprintf("/api/v1/policy-applications/%d/reveal", other), nil); res.Status != 404 {
		t.Fatalf("revealing another's: %d, want 404", res.Status)
	}
	office := a.As("office")
	var list struct {
		Items []struct {
			ID          string `json:"id"`
			BankAccount string `json:"bank_account"`
		} `json:"items"`
	}
	office.Get("/api/v1/policy-applications?state=paid&limit=5").JSON(&list)
	if len(list.Items) == 0 || !strings.Contains(list.Items[0].BankAccount, "*") {
		t.Fatalf("paid applications' accounts are not masked: %+v", list.Items)
	}
	res := office.Post("/api/v1/policy-applications/"+list.Items[0].ID+"/reveal", nil)
	if res.Status != 200 || strings.Contains(res.Map()["bank_account"].(string), "*") {
		t.Fatalf("reveal: %d %s", res.Status, res.Body)
	}
}

func TestFactorPagesRender(t *testing.T) {
	a := apptest.Start(t)
	office := a.BrowserLogin("office", "demo")
	var event, pol, app, ent int64
	q := a.DB.Read()
	ctx := context.Background()
	q.QueryRow(ctx, "SELECT MIN(id) FROM labor_events").Scan(&event)
	q.QueryRow(ctx, "SELECT MIN(id) FROM policies").Scan(&pol)
	q.QueryRow(ctx, "SELECT MIN(id) FROM policy_applications WHERE state = 'paid'").Scan(&app)
	ent = enterpriseID(t, a, "长城汽车")
	pages := map[string]string{
		"/labor/demands":                       "缺工申报",
		"/labor/shortage":                      "缺工清单",
		"/labor/events":                        "春风行动",
		"/labor/placements":                    "合计到岗",
		fmt.Sprintf("/labor/events/%d", event): "参会企业",
		"/policies":                            "2023年大冶湖高新区企业招工稳岗补贴",
		"/policies/new":                        "可用的企业事实",
		fmt.Sprintf("/policies/%d", pol):       "资金台账",
		fmt.Sprintf("/policies/%d/candidates?on=2023-03-31", pol): "符合条件的企业",
		"/policy-applications":                      "兑现申请",
		fmt.Sprintf("/policy-applications/%d", app): "已兑付",
		"/policy-facts":                             "企业政策数据",
		fmt.Sprintf("/policy-facts/%d", ent):        "insured_months",
	}
	for path, want := range pages {
		res := office.Page(path)
		if res.Status != 200 || !strings.Contains(string(res.Body), want) {
			t.Errorf("%s: %d, want %q on the page", path, res.Status, want)
		}
	}
	for _, path := range []string{"/api/v1/labor/events?format=xlsx", "/api/v1/labor/shortage?format=xlsx", "/api/v1/labor/placements?format=csv",
		"/api/v1/policy-applications?format=xlsx", fmt.Sprintf("/api/v1/policies/%d/candidates?format=xlsx&on=2023-03-31", pol)} {
		res := office.Get(path)
		if res.Status != 200 || !strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("%s: %d %s", path, res.Status, res.Header.Get("Content-Type"))
		}
	}
	// The rule editor tests a rule on an enterprise without saving it.
	var csrf string
	q.QueryRow(ctx, "SELECT csrf FROM sessions WHERE ended_at IS NULL ORDER BY id DESC LIMIT 1").Scan(&csrf)
	res := office.Form("/policies/test", map[string][]string{"csrf": {csrf}, "name": {"试算"}, "mode": {"auto"}, "category": {"other"},
		"open_from": {"2023-01-01"}, "budget": {"100万"}, "publicity_days": {"5"}, "rule": {"employees >"}, "amount_rule": {"1"},
		"test_enterprise_id": {fmt.Sprint(ent)}})
	if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), "1:11") {
		t.Errorf("testing a broken rule: %d", res.Status)
	}
	res = office.Form("/policies/test", map[string][]string{"csrf": {csrf}, "name": {"试算"}, "mode": {"auto"}, "category": {"other"},
		"open_from": {"2023-01-01"}, "budget": {"100万"}, "publicity_days": {"5"}, "rule": {"above_scale && employees > 0"},
		"amount_rule": {"min(1500 * placements, 10000)"}, "test_enterprise_id": {fmt.Sprint(ent)}, "test_on": {"2023-03-31"}})
	if res.Status != 200 || !strings.Contains(string(res.Body), "符合条件") || !strings.Contains(string(res.Body), "1万元") {
		t.Errorf("testing a rule: %d", res.Status)
	}
	// The enterprise finds the policies it may be eligible for on its home
	// page (政策找企业).
	ent2 := a.BrowserLogin("ent", "demo")
	home := ent2.Page("/")
	if !strings.Contains(string(home.Body), "您可能符合条件的政策") {
		t.Errorf("home page of an enterprise has no eligible-policies card")
	}
	if res := ent2.Page("/policies/eligible"); res.Status != 200 || !strings.Contains(string(res.Body), "失业保险稳岗返还") {
		t.Errorf("eligible page: %d", res.Status)
	}
}
