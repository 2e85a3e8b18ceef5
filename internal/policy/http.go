package policy

import (
	"net/http"
	"strings"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/flow"
	"xiaoer/internal/i18n"
	"xiaoer/internal/web"
)

// Handler serves the policy pages and API.
type Handler struct {
	Svc *Service
	UI  *web.UI
}

var (
	readers     = web.BusinessRoles
	office      = web.Roles(access.ServiceOffice)
	analysts    = web.Roles(access.ServiceOffice, access.Leader)
	appReaders  = web.Roles(access.Leader, access.ServiceOffice, access.Cadre, access.Enterprise)
	applicants  = web.Roles(access.ServiceOffice, access.Enterprise)
	factReaders = web.Roles(access.Leader, access.ServiceOffice, access.Cadre, access.Enterprise)
)

// Routes is the module's part of the route table.
func (h *Handler) Routes() []web.Route {
	return []web.Route{
		web.Handle("GET /api/v1/policies", readers, h.apiPolicies).Doc("惠企政策列表（按名称、文号搜索；按方式、类别、是否在期筛选）", nil, web.List[Policy]{}),
		web.Handle("POST /api/v1/policies", office, h.apiCreatePolicy).Doc("发布政策（资格条件与金额公式不合法时返回400并指出行列位置）", PolicyInput{}, Policy{}).Created(),
		web.Handle("GET /api/v1/policies/eligible", appReaders, h.apiEligible).Doc("政策找企业：本企业可能符合条件的在期政策列表（营商办可带 enterprise_id）", nil, []EligiblePolicy{}),
		web.Handle("GET /api/v1/policies/{id}", readers, h.apiPolicy).Doc("政策详情（含预算台账）", nil, Policy{}),
		web.Handle("PUT /api/v1/policies/{id}", office, h.apiUpdatePolicy).Doc("修改政策", PolicyInput{}, Policy{}),
		web.Handle("GET /api/v1/policies/{id}/candidates", analysts, h.apiCandidates).Doc("按规则筛出的企业列表：测算金额与命中理由（on=评估日）", nil, CandidateList{}),
		web.Handle("POST /api/v1/policies/{id}/candidates", office, h.apiPublish).Doc("推送免申即享名单：为规则选中的企业生成待确认申请", PublishInput{}, PublishResult{}).Created(),
		web.Handle("GET /api/v1/policy-rules/facts", web.SignedIn, h.apiFactDocs).Doc("规则可用的企业事实列表", nil, []FactDoc{}),
		web.Handle("POST /api/v1/policy-rules/test", analysts, h.apiTestRule).Doc("保存前用一家企业试算规则", TestInput{}, Evaluation{}),
		web.Handle("GET /api/v1/policy-facts", factReaders, h.apiFactsList).Doc("企业政策数据列表（参保、失业保险、裁员率、营收、研发费用）", nil, web.List[EnterpriseFacts]{}),
		web.Handle("GET /api/v1/policy-facts/{enterprise_id}", factReaders, h.apiFacts).Doc("一家企业的政策数据及规则所见的全部事实", nil, EnterpriseFacts{}),
		web.Handle("PUT /api/v1/policy-facts/{enterprise_id}", office, h.apiSetFacts).Doc("登记企业政策数据", FactsInput{}, EnterpriseFacts{}),
		web.Handle("GET /api/v1/policy-applications", appReaders, h.apiApplications).Doc("政策兑现申请列表（按企业名称搜索；按政策、企业、状态筛选）", nil, web.List[Application]{}),
		web.Handle("POST /api/v1/policy-applications", applicants, h.apiCreateApplication).Doc("申报依申请政策（企业本企业；营商办代企业申报）", ApplicationInput{}, Application{}).Created(),
		web.Handle("GET /api/v1/policy-applications/{id}", appReaders, h.apiApplication).Doc("政策兑现申请详情（账户已脱敏）", nil, Application{}),
		web.Handle("POST /api/v1/policy-applications/{id}/actions/{action}", applicants, web.ActionAPI(h.Svc.Act)).Doc("办理政策兑现申请：confirm submit accept return review publicize approve pay reject", nil, Application{}),
		web.Handle("GET /api/v1/policy-applications/{id}/events", appReaders, web.HistoryAPI(h.Svc.Events)).Doc("政策兑现申请的办理过程", nil, []flow.Event{}),
		web.Handle("POST /api/v1/policy-applications/{id}/reveal", applicants, h.apiReveal).Doc("查看完整对公账户（记入审计日志）", nil, Revealed{}),

		web.Handle("GET /policies", readers, h.policiesPage),
		web.Handle("GET /policies/new", office, h.policyNewPage),
		web.Handle("POST /policies", office, h.policyCreatePost),
		web.Handle("POST /policies/test", analysts, h.policyTestPost),
		web.Handle("GET /policies/eligible", appReaders, h.eligiblePage),
		web.Handle("GET /policies/{id}", readers, h.policyPage),
		web.Handle("POST /policies/{id}", office, h.policyUpdatePost),
		web.Handle("GET /policies/{id}/candidates", analysts, h.candidatesPage),
		web.Handle("POST /policies/{id}/candidates", office, h.publishPost),
		web.Handle("GET /policy-applications", appReaders, h.applicationsPage),
		web.Handle("GET /policy-applications/new", applicants, h.applyPage),
		web.Handle("POST /policy-applications", applicants, h.applyPost),
		web.Handle("GET /policy-applications/{id}", appReaders, h.applicationPage),
		web.Handle("POST /policy-applications/{id}/actions/{action}", applicants, h.actPost),
		web.Handle("POST /policy-applications/{id}/reveal", applicants, h.revealPost),
		web.Handle("GET /policy-facts", factReaders, h.factsListPage),
		web.Handle("GET /policy-facts/{enterprise_id}", factReaders, h.factsPage),
		web.Handle("POST /policy-facts/{enterprise_id}", office, h.factsPost),
	}
}

// Nav returns the module's navigation links.
func Nav() []web.NavItem {
	return []web.NavItem{
		{Group: "pol.nav", Key: "pol.nav.eligible", Path: "/policies/eligible", Allow: web.Roles(access.Enterprise), Order: 410},
		{Group: "pol.nav", Key: "pol.nav.policies", Path: "/policies", Allow: readers, Order: 411},
		{Group: "pol.nav", Key: "pol.nav.applications", Path: "/policy-applications", Allow: appReaders, Order: 412},
		{Group: "pol.nav", Key: "pol.nav.facts", Path: "/policy-facts", Allow: analysts, Order: 413},
	}
}

// Revealed is a bank account shown in full.
type Revealed struct {
	BankAccount string `json:"bank_account"`
}

var policyColumns = []web.Column[Policy]{
	web.Col("编号", "ID", func(x Policy) any { return x.ID }),
	web.Col("政策名称", "Name", func(x Policy) any { return x.Name }),
	web.Col("文号", "Document no.", func(x Policy) any { return x.DocNo }),
	web.Col("发文单位", "Issuer", func(x Policy) any { return x.Issuer }),
	web.Col("类别", "Category", func(x Policy) any { return x.Category.Label().Zh }),
	web.Col("兑现方式", "Mode", func(x Policy) any { return x.Mode.Label().Zh }),
	web.Col("开始日期", "Open from", func(x Policy) any { return x.OpenFrom }),
	web.Col("截止日期", "Open to", func(x Policy) any { return x.OpenTo }),
	web.Col("预算（元）", "Budget (yuan)", func(x Policy) any { return yuan(x.BudgetFen) }),
	web.Col("已核准未兑付（元）", "Approved (yuan)", func(x Policy) any { return yuan(x.ApprovedFen) }),
	web.Col("已兑付（元）", "Paid (yuan)", func(x Policy) any { return yuan(x.PaidFen) }),
	web.Col("预算余额（元）", "Remaining (yuan)", func(x Policy) any { return yuan(x.RemainingFen) }),
	web.Col("资格条件", "Eligibility rule", func(x Policy) any { return x.Rule }),
	web.Col("金额公式", "Amount rule", func(x Policy) any { return x.AmountRule }),
}

var appColumns = []web.Column[Application]{
	web.Col("编号", "ID", func(a Application) any { return a.ID }),
	web.Col("政策", "Policy", func(a Application) any { return a.PolicyName }),
	web.Col("企业", "Enterprise", func(a Application) any { return a.EnterpriseName }),
	web.Col("方式", "Mode", func(a Application) any { return a.Mode.Label().Zh }),
	web.Col("状态", "State", func(a Application) any { return a.StateLabel(i18n.ZH) }),
	web.Col("测算/申请金额（元）", "Amount (yuan)", func(a Application) any { return yuan(a.AmountFen) }),
	web.Col("核准金额（元）", "Approved (yuan)", func(a Application) any { return yuan(a.ApprovedFen) }),
	web.Col("开户银行", "Bank", func(a Application) any { return a.BankName }),
	web.Col("对公账户", "Bank account", func(a Application) any { return a.BankAccount }),
	web.Col("申报日期", "Submitted", func(a Application) any { return a.SubmittedOn }),
	web.Col("确认日期", "Confirmed", func(a Application) any { return a.ConfirmedOn }),
	web.Col("公示至", "Publicity ends", func(a Application) any { return a.PublicityEndsOn }),
	web.Col("核准日期", "Approved", func(a Application) any { return a.ApprovedOn }),
	web.Col("兑付日期", "Paid", func(a Application) any { return a.PaidOn }),
}

var factsColumns = []web.Column[EnterpriseFacts]{
	web.Col("企业编号", "Enterprise ID", func(x EnterpriseFacts) any { return x.EnterpriseID }),
	web.Col("企业", "Enterprise", func(x EnterpriseFacts) any { return x.EnterpriseName }),
	web.Col("参保人数", "Insured staff", func(x EnterpriseFacts) any { return x.InsuredStaff }),
	web.Col("参保月数", "Insured months", func(x EnterpriseFacts) any { return x.InsuredMonths }),
	web.Col("上年失业保险费（元）", "Unemployment insurance (yuan)", func(x EnterpriseFacts) any { return yuan(x.InsurancePaidFen) }),
	web.Col("上年裁员率", "Layoff rate", func(x EnterpriseFacts) any { return x.LayoffRate }),
	web.Col("上年营业收入（元）", "Revenue (yuan)", func(x EnterpriseFacts) any { return yuan(x.RevenueFen) }),
	web.Col("上年研发费用（元）", "R&D expense (yuan)", func(x EnterpriseFacts) any { return yuan(x.RDExpenseFen) }),
	web.Col("数据日期", "As of", func(x EnterpriseFacts) any { return x.AsOf }),
	web.Col("来源", "Source", func(x EnterpriseFacts) any { return x.Source }),
}

var candidateColumns = []web.Column[Evaluation]{
	web.Col("企业编号", "Enterprise ID", func(e Evaluation) any { return e.EnterpriseID }),
	web.Col("企业", "Enterprise", func(e Evaluation) any { return e.EnterpriseName }),
	web.Col("测算金额（元）", "Amount (yuan)", func(e Evaluation) any { return yuan(e.AmountFen) }),
	web.Col("命中条件", "Conditions", func(e Evaluation) any { return reasonsText(e.Reasons) }),
	web.Col("事实取值", "Facts", func(e Evaluation) any { return factsText(e.Facts) }),
	web.Col("申请状态", "Application", func(e Evaluation) any { return Flow.StateLabel(e.ApplicationState, i18n.ZH) }),
}

func yuan(fen int64) float64 { return float64(fen) / 100 }

func reasonsText(rs []Reason) string {
	var b strings.Builder
	for i, r := range rs {
		if i > 0 {
			b.WriteString("；")
		}
		mark := "✓ "
		if !r.Holds {
			mark = "✗ "
		}
		b.WriteString(mark + r.Condition)
	}
	return b.String()
}

func factsText(fs []FactValue) string {
	var b strings.Builder
	for i, f := range fs {
		if i > 0 {
			b.WriteString("；")
		}
		b.WriteString(f.Name + " = " + f.Value)
	}
	return b.String()
}

func policyFilterOf(p web.ListParams) (PolicyFilter, error) {
	f := PolicyFilter{Q: p.Q, Limit: p.Limit}
	mode, err := p.Enum("mode", string(Auto), string(Apply))
	if err != nil {
		return f, err
	}
	cat, err := p.Enum("category", string(LaborSubsidy), string(InnovationReward), string(Other))
	if err != nil {
		return f, err
	}
	f.Mode, f.Category = Mode(mode), Category(cat)
	if f.OpenOn, err = p.Date("open_on"); err != nil {
		return f, err
	}
	_, err = web.DecodeCursor(p.Cursor, &f.AfterID)
	return f, err
}

func (h *Handler) apiPolicies(w http.ResponseWriter, r *http.Request) error {
	p, err := web.ParseList(r)
	if err != nil {
		return err
	}
	f, err := policyFilterOf(p)
	if err != nil {
		return err
	}
	pr := web.Principal(r)
	return web.ServeList(w, r, p, i18n.T("惠企政策", "Policies"), policyColumns,
		func() (web.List[Policy], error) {
			items, total, err := h.Svc.ListPolicies(r.Context(), pr, f)
			l := web.List[Policy]{Items: items, Total: total}
			if len(items) == f.Limit {
				l.NextCursor = web.EncodeCursor(items[len(items)-1].ID)
			}
			return l, err
		},
		func(yield func(Policy) error) error {
			f.Limit, f.AfterID = 0, 0
			return h.Svc.EachPolicy(r.Context(), pr, f, yield)
		})
}

func (h *Handler) apiPolicy(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	x, err := h.Svc.GetPolicy(r.Context(), web.Principal(r), id)
	if err != nil {
		return err
	}
	return web.OK(w, x)
}

func (h *Handler) apiCreatePolicy(w http.ResponseWriter, r *http.Request) error {
	var in PolicyInput
	if err := web.Decode(r, &in); err != nil {
		return err
	}
	x, err := h.Svc.CreatePolicy(r.Context(), web.Principal(r), in)
	if err != nil {
		return err
	}
	return web.Created(w, x)
}

func (h *Handler) apiUpdatePolicy(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	var in PolicyInput
	if err := web.Decode(r, &in); err != nil {
		return err
	}
	x, err := h.Svc.UpdatePolicy(r.Context(), web.Principal(r), id, in)
	if err != nil {
		return err
	}
	return web.OK(w, x)
}

func (h *Handler) apiCandidates(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	p, err := web.ParseList(r)
	if err != nil {
		return err
	}
	on, err := p.Date("on")
	if err != nil {
		return err
	}
	var after int64
	if _, err := web.DecodeCursor(p.Cursor, &after); err != nil {
		return err
	}
	limit := p.Limit
	if p.Export() {
		limit, after = 0, 0
	}
	list, err := h.Svc.Candidates(r.Context(), web.Principal(r), id, on, after, limit)
	if err != nil {
		return err
	}
	if p.Export() {
		return web.Export(w, r, p.Format, i18n.T("免申即享测算名单", "Candidates"), candidateColumns, func(yield func(Evaluation) error) error {
			for _, e := range list.Items {
				if err := yield(e); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if len(list.Items) == limit {
		list.NextCursor = web.EncodeCursor(list.Items[limit-1].EnterpriseID)
	}
	return web.OK(w, list)
}

func (h *Handler) apiPublish(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	var in PublishInput
	if err := web.Decode(r, &in); err != nil {
		return err
	}
	res, err := h.Svc.Publish(r.Context(), web.Principal(r), id, in)
	if err != nil {
		return err
	}
	return web.Created(w, res)
}

// factDocs returns the fact list with its meanings in the request's language.
func factDocs(l i18n.Lang) []FactDoc {
	out := make([]FactDoc, len(FactDocs))
	for i, d := range FactDocs {
		d.Meaning = d.Label.In(l)
		out[i] = d
	}
	return out
}

func (h *Handler) apiFactDocs(w http.ResponseWriter, r *http.Request) error {
	return web.OK(w, factDocs(i18n.From(r.Context())))
}

func (h *Handler) apiTestRule(w http.ResponseWriter, r *http.Request) error {
	var in TestInput
	if err := web.Decode(r, &in); err != nil {
		return err
	}
	ev, err := h.Svc.TestRule(r.Context(), web.Principal(r), in)
	if err != nil {
		return err
	}
	return web.OK(w, ev)
}

func (h *Handler) apiEligible(w http.ResponseWriter, r *http.Request) error {
	p, err := web.ParseList(r)
	if err != nil {
		return err
	}
	ent, err := p.ID("enterprise_id")
	if err != nil {
		return err
	}
	list, err := h.Svc.Eligible(r.Context(), web.Principal(r), ent)
	if err != nil {
		return err
	}
	return web.OK(w, list)
}

func (h *Handler) apiFactsList(w http.ResponseWriter, r *http.Request) error {
	p, err := web.ParseList(r)
	if err != nil {
		return err
	}
	f := FactsFilter{Q: p.Q, Limit: p.Limit}
	if _, err := web.DecodeCursor(p.Cursor, &f.AfterID); err != nil {
		return err
	}
	pr := web.Principal(r)
	return web.ServeList(w, r, p, i18n.T("企业政策数据", "Enterprise facts"), factsColumns,
		func() (web.List[EnterpriseFacts], error) {
			items, total, err := h.Svc.ListFacts(r.Context(), pr, f)
			l := web.List[EnterpriseFacts]{Items: items, Total: total}
			if len(items) == f.Limit {
				l.NextCursor = web.EncodeCursor(items[len(items)-1].EnterpriseID)
			}
			return l, err
		},
		func(yield func(EnterpriseFacts) error) error {
			f.Limit, f.AfterID = 0, 0
			return h.Svc.EachFacts(r.Context(), pr, f, yield)
		})
}

func (h *Handler) apiFacts(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "enterprise_id")
	if err != nil {
		return err
	}
	x, err := h.Svc.GetFacts(r.Context(), web.Principal(r), id)
	if err != nil {
		return err
	}
	return web.OK(w, x)
}

func (h *Handler) apiSetFacts(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "enterprise_id")
	if err != nil {
		return err
	}
	var in FactsInput
	if err := web.Decode(r, &in); err != nil {
		return err
	}
	x, err := h.Svc.SetFacts(r.Context(), web.Principal(r), id, in)
	if err != nil {
		return err
	}
	return web.OK(w, x)
}

func appFilterOf(p web.ListParams) (ApplicationFilter, error) {
	f := ApplicationFilter{Q: p.Q, Limit: p.Limit}
	var err error
	if f.PolicyID, err = p.ID("policy_id"); err != nil {
		return f, err
	}
	if f.EnterpriseID, err = p.ID("enterprise_id"); err != nil {
		return f, err
	}
	if s := p.Query.Get("state"); s != "" {
		for _, st := range strings.Split(s, ",") {
			if _, ok := Flow.State(st); !ok {
				return f, errs.Invalidf("state", "状态无效：%s", "Invalid state: %s", st)
			}
			f.States = append(f.States, st)
		}
	}
	if v, ok, err := p.Bool("pending"); err != nil {
		return f, err
	} else if ok && v {
		f.States = append(f.States, pendingStates...)
	}
	_, err = web.DecodeCursor(p.Cursor, &f.AfterID)
	return f, err
}

func (h *Handler) apiApplications(w http.ResponseWriter, r *http.Request) error {
	p, err := web.ParseList(r)
	if err != nil {
		return err
	}
	f, err := appFilterOf(p)
	if err != nil {
		return err
	}
	pr := web.Principal(r)
	return web.ServeList(w, r, p, i18n.T("政策兑现申请", "Policy applications"), appColumns,
		func() (web.List[Application], error) {
			items, total, _, err := h.Svc.ListApplications(r.Context(), pr, f)
			l := web.List[Application]{Items: items, Total: total}
			if len(items) == f.Limit {
				l.NextCursor = web.EncodeCursor(items[len(items)-1].ID)
			}
			return l, err
		},
		func(yield func(Application) error) error {
			f.Limit, f.AfterID = 0, 0
			return h.Svc.EachApplication(r.Context(), pr, f, yield)
		})
}

func (h *Handler) apiApplication(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	a, err := h.Svc.GetApplication(r.Context(), web.Principal(r), id)
	if err != nil {
		return err
	}
	return web.OK(w, a)
}

func (h *Handler) apiCreateApplication(w http.ResponseWriter, r *http.Request) error {
	var in ApplicationInput
	if err := web.Decode(r, &in); err != nil {
		return err
	}
	a, err := h.Svc.CreateApplication(r.Context(), web.Principal(r), in)
	if err != nil {
		return err
	}
	return web.Created(w, a)
}

func (h *Handler) apiReveal(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	acct, err := h.Svc.Reveal(r.Context(), web.Principal(r), id)
	if err != nil {
		return err
	}
	return web.OK(w, Revealed{BankAccount: acct})
}

// today is the handler's date for forms.
func (h *Handler) today() civil.Date { return h.Svc.today() }
