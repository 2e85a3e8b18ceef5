package policy

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/flow"
	"xiaoer/internal/i18n"
	"xiaoer/internal/labor"
	"xiaoer/internal/money"
	"xiaoer/internal/web"
)

// pageError turns a service error into a message for the form, or returns
// it for the error page when it is not the user's to fix.
func pageError(r *http.Request, err error) (int, string, error) {
	e := errs.As(err)
	if e.Code == errs.Internal || e.Code == errs.NotFound || e.Code == errs.Forbidden {
		return 0, "", err
	}
	return web.StatusOf(e), e.Msg.In(i18n.From(r.Context())), nil
}

func formDate(r *http.Request, name string) (civil.Date, error) {
	s := strings.TrimSpace(r.PostFormValue(name))
	if s == "" {
		return civil.Date{}, nil
	}
	d, err := civil.Parse(s)
	if err != nil {
		return d, errs.Invalidf(name, "日期应为YYYY-MM-DD格式", "The date must be YYYY-MM-DD")
	}
	return d, nil
}

// formMoney reads an amount typed in 元 ("1500", "12.5万").
func formMoney(r *http.Request, name string) (int64, error) {
	s := strings.TrimSpace(r.PostFormValue(name))
	if s == "" {
		return 0, nil
	}
	fen, err := money.Parse(s)
	if err != nil {
		return 0, errs.Invalidf(name, "「%s」不是有效金额（单位元，如 1500 或 12.5万）", "%q is not an amount in yuan (1500, 12.5万)", s)
	}
	return fen, nil
}

func formID(r *http.Request, name string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(r.PostFormValue(name)), 10, 64)
	return n
}

func listQuery(r *http.Request, keys ...string) string {
	var b strings.Builder
	for _, k := range keys {
		if v := r.URL.Query().Get(k); v != "" {
			b.WriteString(k + "=" + v + "&")
		}
	}
	return b.String()
}

func (h *Handler) policiesPage(w http.ResponseWriter, r *http.Request) error {
	p, err := web.ParseList(r)
	if err != nil {
		return err
	}
	f, err := policyFilterOf(p)
	if err != nil {
		return err
	}
	items, total, err := h.Svc.ListPolicies(r.Context(), web.Principal(r), f)
	if err != nil {
		return err
	}
	next := ""
	if len(items) == f.Limit {
		next = web.EncodeCursor(items[len(items)-1].ID)
	}
	return h.UI.Render(w, r, "pol_policies", i18n.T("惠企政策", "Policies"), map[string]any{
		"Items": items, "Total": total, "Next": next, "Filter": f, "Query": listQuery(r, "q", "mode", "category"), "Categories": Categories,
	})
}

// policyForm is the state of the policy editor: the fields, and the
// outcome of a test run if one was asked for.
type policyForm struct {
	ID            int64
	In            PolicyInput
	Budget        string // 元, as typed
	PublicityDays int
	TestID        int64
	TestOn        civil.Date
	Test          *Evaluation
}

func (h *Handler) renderPolicy(w http.ResponseWriter, r *http.Request, status int, msg string, form *policyForm) error {
	pr := web.Principal(r)
	data := map[string]any{"Form": form, "Error": msg, "Facts": factDocs(i18n.From(r.Context())), "Categories": Categories,
		"Modes": []Mode{Auto, Apply}, "IsOffice": pr.Has(access.ServiceOffice)}
	title := i18n.T("发布政策", "New policy")
	if form.ID != 0 {
		pol, err := h.Svc.GetPolicy(r.Context(), pr, form.ID)
		if err != nil {
			return err
		}
		data["Policy"] = pol
		title = i18n.T(pol.Name, pol.Name)
		counts := map[string]int{}
		items, _, _, err := h.Svc.ListApplications(r.Context(), pr, ApplicationFilter{PolicyID: form.ID})
		if err != nil {
			return err
		}
		for _, a := range items {
			counts[a.State]++
		}
		var states []map[string]any
		for _, st := range Flow.States {
			if counts[st.Name] > 0 {
				states = append(states, map[string]any{"Name": st.Name, "Label": st.Label, "N": counts[st.Name]})
			}
		}
		data["States"] = states
	}
	options, err := labor.EnterpriseOptions(r.Context(), h.Svc.DB.Read(), enterpriseScope(pr, "e"))
	if err != nil {
		return err
	}
	data["Options"] = options
	return h.UI.RenderStatus(w, r, status, "pol_policy", title, data)
}

func (h *Handler) policyNewPage(w http.ResponseWriter, r *http.Request) error {
	today := h.today()
	return h.renderPolicy(w, r, http.StatusOK, "", &policyForm{PublicityDays: DefaultPublicityDays, TestOn: today,
		In: PolicyInput{Mode: Auto, Category: Other, OpenFrom: today, Rule: `has("high_tech")`, AmountRule: "100000"}})
}

func (h *Handler) policyPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	pol, err := h.Svc.GetPolicy(r.Context(), web.Principal(r), id)
	if err != nil {
		return err
	}
	return h.renderPolicy(w, r, http.StatusOK, "", &policyForm{ID: id, Budget: money.Yuan2(pol.BudgetFen), PublicityDays: pol.PublicityDays,
		TestOn: h.today(), In: PolicyInput{Name: pol.Name, DocNo: pol.DocNo, Issuer: pol.Issuer, Category: pol.Category, Mode: pol.Mode,
			Rule: pol.Rule, AmountRule: pol.AmountRule, OpenFrom: pol.OpenFrom, OpenTo: pol.OpenTo, Materials: pol.Materials,
			Description: pol.Description, BudgetFen: pol.BudgetFen}})
}

// readPolicyForm reads the editor's fields.
func readPolicyForm(r *http.Request) (*policyForm, error) {
	f := &policyForm{ID: formID(r, "id"), Budget: r.PostFormValue("budget"), TestID: formID(r, "test_enterprise_id")}
	f.PublicityDays, _ = strconv.Atoi(strings.TrimSpace(r.PostFormValue("publicity_days")))
	f.In = PolicyInput{Name: r.PostFormValue("name"), DocNo: r.PostFormValue("doc_no"), Issuer: r.PostFormValue("issuer"),
		Category: Category(r.PostFormValue("category")), Mode: Mode(r.PostFormValue("mode")), Rule: r.PostFormValue("rule"),
		AmountRule: r.PostFormValue("amount_rule"), Materials: r.PostFormValue("materials"), Description: r.PostFormValue("description"),
		PublicityDays: &f.PublicityDays}
	var err error
	if f.In.OpenFrom, err = formDate(r, "open_from"); err != nil {
		return f, err
	}
	if f.In.OpenTo, err = formDate(r, "open_to"); err != nil {
		return f, err
	}
	if f.TestOn, err = formDate(r, "test_on"); err != nil {
		return f, err
	}
	f.In.BudgetFen, err = formMoney(r, "budget")
	return f, err
}

func (h *Handler) policyCreatePost(w http.ResponseWriter, r *http.Request) error {
	f, err := readPolicyForm(r)
	var pol Policy
	if err == nil {
		pol, err = h.Svc.CreatePolicy(r.Context(), web.Principal(r), f.In)
	}
	if err != nil {
		status, msg, err := pageError(r, err)
		if err != nil {
			return err
		}
		f.ID = 0
		return h.renderPolicy(w, r, status, msg, f)
	}
	web.Flash(w, "pol.saved")
	web.Redirect(w, r, "/policies/"+strconv.FormatInt(pol.ID, 10))
	return nil
}

func (h *Handler) policyUpdatePost(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	f, err := readPolicyForm(r)
	if err == nil {
		_, err = h.Svc.UpdatePolicy(r.Context(), web.Principal(r), id, f.In)
	}
	if err != nil {
		status, msg, err := pageError(r, err)
		if err != nil {
			return err
		}
		f.ID = id
		return h.renderPolicy(w, r, status, msg, f)
	}
	web.Flash(w, "pol.saved")
	web.Redirect(w, r, "/policies/"+strconv.FormatInt(id, 10))
	return nil
}

// policyTestPost runs the rules being edited against one enterprise and
// shows the editor again with the outcome; nothing is saved.
func (h *Handler) policyTestPost(w http.ResponseWriter, r *http.Request) error {
	f, err := readPolicyForm(r)
	if err == nil {
		var ev Evaluation
		ev, err = h.Svc.TestRule(r.Context(), web.Principal(r), TestInput{Rule: f.In.Rule, AmountRule: f.In.AmountRule,
			EnterpriseID: f.TestID, On: f.TestOn, OpenFrom: f.In.OpenFrom, OpenTo: f.In.OpenTo})
		f.Test = &ev
	}
	if err != nil {
		f.Test = nil
		status, msg, err := pageError(r, err)
		if err != nil {
			return err
		}
		return h.renderPolicy(w, r, status, msg, f)
	}
	return h.renderPolicy(w, r, http.StatusOK, "", f)
}

func (h *Handler) candidatesPage(w http.ResponseWriter, r *http.Request) error {
	return h.renderCandidates(w, r, http.StatusOK, "")
}

func (h *Handler) renderCandidates(w http.ResponseWriter, r *http.Request, status int, msg string) error {
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
	pr := web.Principal(r)
	pol, err := h.Svc.GetPolicy(r.Context(), pr, id)
	if err != nil {
		return err
	}
	list, err := h.Svc.Candidates(r.Context(), pr, id, on, after, p.Limit)
	if err != nil {
		status, msg, err = pageError(r, err)
		if err != nil {
			return err
		}
	}
	if len(list.Items) == p.Limit {
		list.NextCursor = web.EncodeCursor(list.Items[p.Limit-1].EnterpriseID)
	}
	return h.UI.RenderStatus(w, r, status, "pol_candidates", i18n.F("%s · 规则测算名单", "%s · candidates", pol.Name), map[string]any{
		"Policy": pol, "List": list, "Error": msg, "Query": listQuery(r, "on"), "On": list.On,
	})
}

func (h *Handler) publishPost(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	d, err := formDate(r, "date")
	if err == nil {
		_, err = h.Svc.Publish(r.Context(), web.Principal(r), id, PublishInput{Date: d})
	}
	if err != nil {
		status, msg, err := pageError(r, err)
		if err != nil {
			return err
		}
		return h.renderCandidates(w, r, status, msg)
	}
	web.Flash(w, "pol.published")
	web.Redirect(w, r, "/policy-applications?state=candidate&policy_id="+strconv.FormatInt(id, 10))
	return nil
}

func (h *Handler) eligiblePage(w http.ResponseWriter, r *http.Request) error {
	p, err := web.ParseList(r)
	if err != nil {
		return err
	}
	pr := web.Principal(r)
	ent, err := p.ID("enterprise_id")
	if err != nil {
		return err
	}
	var list []EligiblePolicy
	if ent != 0 || pr.EnterpriseID != 0 {
		if list, err = h.Svc.Eligible(r.Context(), pr, ent); err != nil {
			return err
		}
	}
	var options []labor.Reference
	if pr.Has(access.ServiceOffice) {
		if options, err = labor.EnterpriseOptions(r.Context(), h.Svc.DB.Read(), enterpriseScope(pr, "e")); err != nil {
			return err
		}
	}
	return h.UI.Render(w, r, "pol_eligible", i18n.T("政策找企业", "Policies for you"), map[string]any{
		"Items": list, "Options": options, "EnterpriseID": ent,
	})
}

func (h *Handler) applicationsPage(w http.ResponseWriter, r *http.Request) error {
	p, err := web.ParseList(r)
	if err != nil {
		return err
	}
	f, err := appFilterOf(p)
	if err != nil {
		return err
	}
	items, total, amount, err := h.Svc.ListApplications(r.Context(), web.Principal(r), f)
	if err != nil {
		return err
	}
	next := ""
	if len(items) == f.Limit {
		next = web.EncodeCursor(items[len(items)-1].ID)
	}
	return h.UI.Render(w, r, "pol_applications", i18n.T("政策兑现申请", "Policy applications"), map[string]any{
		"Items": items, "Total": total, "Amount": amount, "Next": next, "States": Flow.States, "State": p.Query.Get("state"),
		"Q": p.Q, "Query": listQuery(r, "q", "state", "policy_id", "enterprise_id", "pending"),
	})
}

// applyForm is the state of the application form.
type applyForm struct {
	In     ApplicationInput
	Amount string
}

func (h *Handler) applyPage(w http.ResponseWriter, r *http.Request) error {
	id, _ := strconv.ParseInt(r.URL.Query().Get("policy_id"), 10, 64)
	return h.renderApply(w, r, http.StatusOK, "", &applyForm{In: ApplicationInput{PolicyID: id}})
}

func (h *Handler) renderApply(w http.ResponseWriter, r *http.Request, status int, msg string, form *applyForm) error {
	pr := web.Principal(r)
	pols, _, err := h.Svc.ListPolicies(r.Context(), pr, PolicyFilter{Mode: Apply, OpenOn: h.today()})
	if err != nil {
		return err
	}
	var options []labor.Reference
	if pr.Has(access.ServiceOffice) {
		if options, err = labor.EnterpriseOptions(r.Context(), h.Svc.DB.Read(), officeScope(pr, "e")); err != nil {
			return err
		}
	}
	return h.UI.RenderStatus(w, r, status, "pol_apply", i18n.T("申报政策", "Apply for a policy"), map[string]any{
		"Policies": pols, "Options": options, "Form": form, "Error": msg,
	})
}

func (h *Handler) applyPost(w http.ResponseWriter, r *http.Request) error {
	form := &applyForm{Amount: r.PostFormValue("amount"), In: ApplicationInput{PolicyID: formID(r, "policy_id"), EnterpriseID: formID(r, "enterprise_id"),
		Materials: r.PostFormValue("materials"), BankName: r.PostFormValue("bank_name"), BankAccount: r.PostFormValue("bank_account")}}
	var a Application
	fen, err := formMoney(r, "amount")
	if err == nil {
		form.In.AmountFen = fen
		a, err = h.Svc.CreateApplication(r.Context(), web.Principal(r), form.In)
	}
	if err != nil {
		status, msg, err := pageError(r, err)
		if err != nil {
			return err
		}
		form.In.BankAccount = ""
		return h.renderApply(w, r, status, msg, form)
	}
	web.Flash(w, "pol.applied")
	web.Redirect(w, r, "/policy-applications/"+strconv.FormatInt(a.ID, 10))
	return nil
}

func (h *Handler) applicationPage(w http.ResponseWriter, r *http.Request) error {
	return h.renderApplication(w, r, http.StatusOK, "", "")
}

func (h *Handler) renderApplication(w http.ResponseWriter, r *http.Request, status int, msg, revealed string) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	pr := web.Principal(r)
	a, err := h.Svc.GetApplication(r.Context(), pr, id)
	if err != nil {
		return err
	}
	evs, err := h.Svc.Events(r.Context(), pr, id)
	if err != nil {
		return err
	}
	return h.UI.RenderStatus(w, r, status, "pol_application", i18n.F("%s · %s", "%s · %s", a.EnterpriseName, a.PolicyName), map[string]any{
		"App": a, "Actions": Flow.Allowed(a.State, pr), "Events": evs, "Error": msg, "Revealed": revealed, "Today": h.today(),
		"StateLabel": a.StateLabel(i18n.From(r.Context())), "CanReveal": pr.Has(access.ServiceOffice, access.Enterprise) && a.BankAccount != "",
	})
}

// actPost takes an action from the application page: the form's fields
// become the action's JSON body, amounts typed in 元.
func (h *Handler) actPost(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	name := r.PathValue("action")
	act, ok := Flow.Action(name)
	if !ok {
		return errs.ErrNotFound
	}
	body := map[string]any{}
	if n := strings.TrimSpace(r.PostFormValue("note")); n != "" {
		body["note"] = n
	}
	for _, f := range act.Fields {
		v := strings.TrimSpace(r.PostFormValue(f.Name))
		if v == "" {
			continue
		}
		if f.Kind == flow.Money {
			fen, err := formMoney(r, f.Name)
			if err != nil {
				status, msg, err := pageError(r, err)
				if err != nil {
					return err
				}
				return h.renderApplication(w, r, status, msg, "")
			}
			body[f.Name] = fen
			continue
		}
		body[f.Name] = v
	}
	b, _ := json.Marshal(body)
	if _, err := h.Svc.Act(r.Context(), web.Principal(r), id, name, b); err != nil {
		status, msg, err := pageError(r, err)
		if err != nil {
			return err
		}
		return h.renderApplication(w, r, status, msg, "")
	}
	web.Flash(w, "pol.acted")
	web.Redirect(w, r, "/policy-applications/"+strconv.FormatInt(id, 10))
	return nil
}

func (h *Handler) revealPost(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	acct, err := h.Svc.Reveal(r.Context(), web.Principal(r), id)
	if err != nil {
		return err
	}
	return h.renderApplication(w, r, http.StatusOK, "", acct)
}

func (h *Handler) factsListPage(w http.ResponseWriter, r *http.Request) error {
	p, err := web.ParseList(r)
	if err != nil {
		return err
	}
	f := FactsFilter{Q: p.Q, Limit: p.Limit}
	if _, err := web.DecodeCursor(p.Cursor, &f.AfterID); err != nil {
		return err
	}
	items, total, err := h.Svc.ListFacts(r.Context(), web.Principal(r), f)
	if err != nil {
		return err
	}
	next := ""
	if len(items) == f.Limit {
		next = web.EncodeCursor(items[len(items)-1].EnterpriseID)
	}
	return h.UI.Render(w, r, "pol_facts_list", i18n.T("企业政策数据", "Enterprise facts"), map[string]any{
		"Items": items, "Total": total, "Next": next, "Q": p.Q, "Query": listQuery(r, "q"),
	})
}

func (h *Handler) factsPage(w http.ResponseWriter, r *http.Request) error {
	return h.renderFacts(w, r, http.StatusOK, "", nil)
}

func (h *Handler) renderFacts(w http.ResponseWriter, r *http.Request, status int, msg string, form *FactsInput) error {
	id, err := web.PathID(r, "enterprise_id")
	if err != nil {
		return err
	}
	x, err := h.Svc.GetFacts(r.Context(), web.Principal(r), id)
	if err != nil {
		return err
	}
	if form == nil {
		form = &FactsInput{InsuredStaff: x.InsuredStaff, InsuredMonths: x.InsuredMonths, InsurancePaidFen: x.InsurancePaidFen,
			LayoffRate: x.LayoffRate, RevenueFen: x.RevenueFen, RDExpenseFen: x.RDExpenseFen, AsOf: x.AsOf, Source: x.Source}
	}
	return h.UI.RenderStatus(w, r, status, "pol_facts", i18n.F("%s · 政策数据", "%s · facts", x.EnterpriseName), map[string]any{
		"Facts": x, "Form": form, "Error": msg, "LayoffPct": strconv.FormatFloat(form.LayoffRate*100, 'f', -1, 64),
	})
}

func (h *Handler) factsPost(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "enterprise_id")
	if err != nil {
		return err
	}
	in := FactsInput{Source: r.PostFormValue("source")}
	in.InsuredStaff, _ = strconv.Atoi(strings.TrimSpace(r.PostFormValue("insured_staff")))
	in.InsuredMonths, _ = strconv.Atoi(strings.TrimSpace(r.PostFormValue("insured_months")))
	pct, _ := strconv.ParseFloat(strings.TrimSpace(r.PostFormValue("layoff_pct")), 64)
	in.LayoffRate = pct / 100
	if in.InsurancePaidFen, err = formMoney(r, "insurance_paid"); err == nil {
		if in.RevenueFen, err = formMoney(r, "revenue"); err == nil {
			if in.RDExpenseFen, err = formMoney(r, "rd_expense"); err == nil {
				if in.AsOf, err = formDate(r, "as_of"); err == nil {
					_, err = h.Svc.SetFacts(r.Context(), web.Principal(r), id, in)
				}
			}
		}
	}
	if err != nil {
		status, msg, err := pageError(r, err)
		if err != nil {
			return err
		}
		return h.renderFacts(w, r, status, msg, &in)
	}
	web.Flash(w, "pol.facts.saved")
	web.Redirect(w, r, "/policy-facts/"+strconv.FormatInt(id, 10))
	return nil
}
