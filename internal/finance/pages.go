package finance

import (
	"context"
	"embed"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/enterprise"
	"xiaoer/internal/errs"
	"xiaoer/internal/flow"
	"xiaoer/internal/i18n"
	"xiaoer/internal/money"
	"xiaoer/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Templates returns the module's pages.
func Templates() fs.FS { s, _ := fs.Sub(templates, "templates"); return s }

// userError turns err into a message for a form page, or returns it when
// it is not the user's to fix (a missing record, a fault).
func userError(r *http.Request, err error) (int, string, error) {
	e := errs.As(err)
	if e.Code == errs.Internal || e.Code == errs.NotFound || e.Code == errs.Unauthenticated {
		return 0, "", err
	}
	return web.StatusOf(e), e.Msg.In(i18n.From(r.Context())), nil
}

// listQuery re-encodes the filters of a list for its pager and export links.
func listQuery(p web.ListParams, keys ...string) string {
	q := url.Values{}
	for _, k := range keys {
		if v := p.Query.Get(k); v != "" {
			q.Set(k, v)
		}
	}
	s := q.Encode()
	if s != "" {
		s += "&"
	}
	return s
}

// statusView is a state name with its label, for the filter select.
type statusView struct{ Name, Label string }

func statuses(l i18n.Lang) []statusView {
	var out []statusView
	for _, s := range Flow.States {
		out = append(out, statusView{s.Name, s.Label.In(l)})
	}
	return out
}

func (h *Handler) needsPage(w http.ResponseWriter, r *http.Request) error {
	pr := web.Principal(r)
	p, err := web.ParseList(r)
	if err != nil {
		return err
	}
	// A bank opens on its inbox: what waits for its answer.
	if pr.Has(access.Bank) && len(r.URL.Query()) == 0 {
		p.Query.Set("waiting", "true")
	}
	f, err := needFilterOf(p)
	if err != nil {
		return err
	}
	l, err := h.needList(r, f)
	if err != nil {
		return err
	}
	lang := i18n.From(r.Context())
	data := map[string]any{"List": l, "Filter": f, "Query": listQuery(p, "q", "status", "green_channel", "waiting", "enterprise_id", "bank_org_id", "from", "to"),
		"Statuses": statuses(lang), "Bank": pr.Has(access.Bank), "CanPost": pr.Has(access.Enterprise, access.ServiceOffice),
		"GreenOnly": f.Green != nil && *f.Green}
	if pr.Has(access.Leader, access.ServiceOffice) {
		from, to := h.Svc.sinceFirst(r.Context()), h.Svc.today()
		sum := map[string]any{}
		if err := h.Svc.Summary(r.Context(), h.Svc.DB.Read(), pr, from, to, sum); err != nil {
			return err
		}
		data["Summary"], data["Since"] = sum["finance"], from
	}
	title := i18n.T("融资需求", "Financing needs")
	switch {
	case pr.Has(access.Bank):
		title = i18n.T("融资需求（本行）", "Financing needs for your bank")
	case pr.Has(access.Enterprise):
		title = i18n.T("我的融资需求", "Our financing needs")
	}
	return h.UI.Render(w, r, "finance_needs", title, data)
}

// bankOptions lists the banks an enterprise may name as preferred.
func (h *Handler) bankOptions(ctx context.Context) ([]BankFigures, error) {
	rows, err := h.Svc.DB.Read().Query(ctx, "SELECT id, name FROM orgs WHERE kind = 'bank' ORDER BY id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []BankFigures
	for rows.Next() {
		var b BankFigures
		if err := rows.Scan(&b.BankOrgID, &b.BankName); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// needForm is what the posting form holds, to show it again after an error.
type needForm struct {
	EnterpriseID int64
	USCC         string
	Amount       string
	TermMonths   string
	Purpose      string
	Guarantee    string
	BankOrgID    int64
	GreenChannel bool
	PostedOn     string
	ContactName  string
	ContactPhone string
}

func (h *Handler) renderNewNeed(w http.ResponseWriter, r *http.Request, status int, form needForm, msg string) error {
	banks, err := h.bankOptions(r.Context())
	if err != nil {
		return err
	}
	pr := web.Principal(r)
	var entName string
	if pr.Has(access.Enterprise) && pr.EnterpriseID != 0 {
		h.Svc.DB.Read().QueryRow(r.Context(), "SELECT name FROM enterprises WHERE id = ?", pr.EnterpriseID).Scan(&entName)
	}
	lim, err := LoadLimits(r.Context(), h.Svc.DB.Read())
	if err != nil {
		return err
	}
	return h.UI.RenderStatus(w, r, status, "finance_need_new", i18n.T("发布融资需求", "Post a financing need"), map[string]any{
		"Form": form, "Banks": banks, "Guarantees": Guarantees, "Error": msg, "Own": entName, "Limits": lim,
		"Today": h.Svc.today(),
	})
}

func (h *Handler) newNeedPage(w http.ResponseWriter, r *http.Request) error {
	form := needForm{Guarantee: string(Credit), TermMonths: "12"}
	if id, err := strconv.ParseInt(r.URL.Query().Get("enterprise_id"), 10, 64); err == nil && id > 0 {
		h.Svc.DB.Read().QueryRow(r.Context(), "SELECT uscc FROM enterprises WHERE id = ?", id).Scan(&form.USCC)
	}
	return h.renderNewNeed(w, r, http.StatusOK, form, "")
}

func formID(r *http.Request, name string) int64 {
	n, _ := strconv.ParseInt(r.PostFormValue(name), 10, 64)
	return n
}

func (h *Handler) postNeedForm(w http.ResponseWriter, r *http.Request) error {
	form := needForm{USCC: strings.TrimSpace(r.PostFormValue("uscc")), Amount: r.PostFormValue("amount"), TermMonths: r.PostFormValue("term_months"),
		Purpose: r.PostFormValue("purpose"), Guarantee: r.PostFormValue("guarantee"), BankOrgID: formID(r, "bank_org_id"),
		GreenChannel: r.PostFormValue("green_channel") != "", PostedOn: r.PostFormValue("posted_on"),
		ContactName: r.PostFormValue("contact_name"), ContactPhone: r.PostFormValue("contact_phone")}
	pr := web.Principal(r)
	in := NeedInput{Purpose: form.Purpose, Guarantee: Guarantee(form.Guarantee), BankOrgID: form.BankOrgID, GreenChannel: form.GreenChannel,
		ContactName: form.ContactName, ContactPhone: form.ContactPhone}
	err := func() error {
		var err error
		if in.AmountFen, err = money.Parse(form.Amount); err != nil {
			return errs.Invalidf("amount_fen", "融资金额格式不正确，例如 500万 或 5000000", "The amount is not valid, e.g. 500万 or 5000000")
		}
		if in.TermMonths, err = strconv.Atoi(strings.TrimSpace(form.TermMonths)); err != nil {
			return errs.Invalidf("term_months", "期限应为整数月", "term_months must be a whole number of months")
		}
		if form.PostedOn != "" {
			if in.PostedOn, err = civil.Parse(form.PostedOn); err != nil {
				return errs.Invalidf("posted_on", "日期应为YYYY-MM-DD格式", "The date must be YYYY-MM-DD")
			}
		}
		if !pr.Has(access.Enterprise) {
			id, err := enterprise.ByUSCC(r.Context(), h.Svc.DB.Read(), form.USCC)
			if err != nil {
				return err
			}
			if id == 0 {
				return errs.Invalidf("enterprise_id", "没有统一社会信用代码为 %s 的企业", "No enterprise has the code %s", form.USCC)
			}
			in.EnterpriseID = id
		}
		return nil
	}()
	var n Need
	if err == nil {
		n, err = h.Svc.Post(r.Context(), pr, in)
	}
	if err != nil {
		status, msg, err := userError(r, err)
		if err != nil {
			return err
		}
		return h.renderNewNeed(w, r, status, form, msg)
	}
	web.Flash(w, "fin.posted")
	web.Redirect(w, r, "/finance/needs/"+strconv.FormatInt(n.ID, 10))
	return nil
}

// eventView is one line of a need's history.
type eventView struct {
	flow.Event
	Label  string
	Detail string
}

func (h *Handler) events(ctx context.Context, p *access.Principal, id int64, l i18n.Lang) ([]eventView, error) {
	evs, err := h.Svc.Events(ctx, p, id)
	if err != nil {
		return nil, err
	}
	fm := money.Format
	if l == i18n.EN {
		fm = money.FormatEn
	}
	var out []eventView
	for _, ev := range evs {
		v := eventView{Event: ev}
		switch ev.Action {
		case "post":
			v.Label = i18n.T("发布需求", "Posted").In(l)
			v.Detail = fm(dataInt(ev.Data, "amount_fen"))
		case "recommend":
			v.Label = i18n.T("营商办推荐产品", "Product recommended by the service office").In(l)
			v.Detail, _ = ev.Data["product_name"].(string)
		default:
			if a, ok := Flow.Action(ev.Action); ok {
				v.Label = a.Label.In(l)
			}
			if amt := dataInt(ev.Data, "amount_fen"); amt > 0 {
				v.Detail = fm(amt)
			}
			if ev.Action == "decline" && ev.To == Posted {
				v.Detail = i18n.T("需求仍向其他银行开放", "The need stays open to the other banks").In(l)
			}
		}
		out = append(out, v)
	}
	return out, nil
}

// needPageData gathers what the need page shows to p.
func (h *Handler) needPageData(r *http.Request, id int64) (map[string]any, Need, error) {
	ctx, p, lang := r.Context(), web.Principal(r), i18n.From(r.Context())
	n, err := h.Svc.Get(ctx, p, id)
	if err != nil {
		return nil, n, err
	}
	evs, err := h.events(ctx, p, id, lang)
	if err != nil {
		return nil, n, err
	}
	ms, err := h.Svc.Matches(ctx, p, id, lang)
	if err != nil {
		return nil, n, err
	}
	// Eligible products first; the others, with why not, folded away. A
	// bank weighs its own products; the others' are in the catalogue.
	var fit, unfit []Match
	for _, m := range ms {
		switch {
		case p.Has(access.Bank) && m.Product.BankOrgID != p.OrgID:
		case m.Eligible:
			fit = append(fit, m)
		default:
			unfit = append(unfit, m)
		}
	}
	can := map[string]bool{}
	for _, a := range Flow.Allowed(n.Status, p) {
		can[a.Name] = true
	}
	if p.Has(access.Bank) {
		for _, d := range n.Declines {
			if d.BankOrgID == p.OrgID {
				can["take"], can["decline"] = false, false
			}
		}
		if n.TakenByOrgID != p.OrgID {
			can["approve_credit"], can["deny_credit"], can["disburse"] = false, false, false
		}
	}
	if p.EnterpriseID != n.EnterpriseID {
		can["cancel"] = false
	}
	can["recommend"] = p.Has(access.ServiceOffice) && n.Status == Posted
	can["reveal"] = (p.Has(access.Bank) && n.TakenByOrgID == p.OrgID && n.ContactName+n.ContactPhone != "")
	var products []Product
	if can["take"] {
		active := true
		if products, _, err = h.Svc.ListProducts(ctx, ProductFilter{BankOrgID: p.OrgID, Active: &active}); err != nil {
			return nil, n, err
		}
	}
	labels := map[string]i18n.Text{}
	for _, a := range Flow.Actions {
		labels[a.Name] = a.Label
	}
	return map[string]any{"Need": n, "Labels": labels, "Status": n.StatusLabel().In(lang), "Events": evs, "Fit": fit, "Unfit": unfit, "Can": can, "Products": products,
		"Today": h.Svc.today(), "Bank": p.Has(access.Bank)}, n, nil
}

func (h *Handler) renderNeed(w http.ResponseWriter, r *http.Request, status int, id int64, extra map[string]any) error {
	data, n, err := h.needPageData(r, id)
	if err != nil {
		return err
	}
	for k, v := range extra {
		data[k] = v
	}
	return h.UI.RenderStatus(w, r, status, "finance_need", i18n.F("融资需求：%s", "Financing need: %s", n.Enterprise.Name), data)
}

func (h *Handler) needPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	return h.renderNeed(w, r, http.StatusOK, id, nil)
}

// actionBody turns an action form into the action's JSON body.
func actionBody(r *http.Request) ([]byte, error) {
	body := map[string]any{}
	for _, k := range []string{"note", "date", "product_id"} {
		if v := strings.TrimSpace(r.PostFormValue(k)); v != "" {
			body[k] = v
		}
	}
	if v := strings.TrimSpace(r.PostFormValue("amount")); v != "" {
		fen, err := money.Parse(v)
		if err != nil {
			return nil, errs.Invalidf("amount_fen", "金额格式不正确，例如 500万 或 5000000", "The amount is not valid, e.g. 500万 or 5000000")
		}
		body["amount_fen"] = fen
	}
	return json.Marshal(body)
}

func (h *Handler) actForm(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	body, err := actionBody(r)
	if err == nil {
		_, err = h.Svc.Act(r.Context(), web.Principal(r), id, r.PathValue("action"), body)
	}
	if err != nil {
		status, msg, err := userError(r, err)
		if err != nil {
			return err
		}
		return h.renderNeed(w, r, status, id, map[string]any{"Error": msg})
	}
	web.Flash(w, "fin.done")
	web.Redirect(w, r, "/finance/needs/"+r.PathValue("id"))
	return nil
}

func (h *Handler) recommendForm(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := h.Svc.Recommend(r.Context(), web.Principal(r), id, formID(r, "product_id"), strings.TrimSpace(r.PostFormValue("note")), civil.Date{}); err != nil {
		status, msg, err := userError(r, err)
		if err != nil {
			return err
		}
		return h.renderNeed(w, r, status, id, map[string]any{"Error": msg})
	}
	web.Flash(w, "fin.recommended")
	web.Redirect(w, r, "/finance/needs/"+r.PathValue("id"))
	return nil
}

func (h *Handler) contactForm(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	c, err := h.Svc.RevealContact(r.Context(), web.Principal(r), id)
	if err != nil {
		return err
	}
	return h.renderNeed(w, r, http.StatusOK, id, map[string]any{"Contact": c})
}

func (h *Handler) productsPage(w http.ResponseWriter, r *http.Request) error {
	p, err := web.ParseList(r)
	if err != nil {
		return err
	}
	f, err := productFilterOf(p)
	if err != nil {
		return err
	}
	items, total, err := h.Svc.ListProducts(r.Context(), f)
	if err != nil {
		return err
	}
	next := ""
	if len(items) == f.Limit {
		next = web.EncodeCursor(items[len(items)-1].ID)
	}
	banks, err := h.bankOptions(r.Context())
	if err != nil {
		return err
	}
	return h.UI.Render(w, r, "finance_products", i18n.T("金融产品", "Loan products"), map[string]any{
		"Items": items, "Total": total, "Next": next, "Filter": f, "Banks": banks, "Guarantees": Guarantees,
		"Kinds": enterprise.QualificationKinds, "Query": listQuery(p, "q", "bank_org_id", "guarantee", "requires", "active"),
		"Own": web.Principal(r).OrgID,
	})
}

// productForm is a product as its form holds it.
type productForm struct {
	ID          int64
	Name        string
	Min, Max    string
	RateMin     string
	RateMax     string
	TermMonths  string
	Guarantee   map[Guarantee]bool
	Requires    map[enterprise.QualificationKind]bool
	Description string
	Active      bool
	BankName    string
	MinFen      int64
	MaxFen      int64
}

func formOf(p Product) productForm {
	f := productForm{ID: p.ID, Name: p.Name, Min: money.Yuan2(p.MinFen), Max: money.Yuan2(p.MaxFen),
		RateMin: strconv.FormatFloat(p.RateMin, 'f', 2, 64), RateMax: strconv.FormatFloat(p.RateMax, 'f', 2, 64),
		TermMonths: strconv.Itoa(p.TermMonthsMax), Guarantee: map[Guarantee]bool{}, Requires: map[enterprise.QualificationKind]bool{},
		Description: p.Description, Active: p.Active, BankName: p.BankName, MinFen: p.MinFen, MaxFen: p.MaxFen}
	for _, g := range p.Guarantee {
		f.Guarantee[g] = true
	}
	for _, k := range p.Requires {
		f.Requires[k] = true
	}
	return f
}

func (h *Handler) renderProduct(w http.ResponseWriter, r *http.Request, status int, f productForm, editable bool, msg string) error {
	title := i18n.T("发布金融产品", "New loan product")
	if f.ID != 0 {
		title = i18n.F("金融产品：%s", "Loan product: %s", f.Name)
	}
	return h.UI.RenderStatus(w, r, status, "finance_product", title, map[string]any{
		"Form": f, "Editable": editable, "Error": msg, "Guarantees": Guarantees, "Kinds": enterprise.QualificationKinds})
}

func (h *Handler) newProductPage(w http.ResponseWriter, r *http.Request) error {
	return h.renderProduct(w, r, http.StatusOK, productForm{Active: true, TermMonths: "12",
		Guarantee: map[Guarantee]bool{}, Requires: map[enterprise.QualificationKind]bool{}}, true, "")
}

func (h *Handler) productPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	p, err := h.Svc.GetProduct(r.Context(), id)
	if err != nil {
		return err
	}
	pr := web.Principal(r)
	return h.renderProduct(w, r, http.StatusOK, formOf(p), pr.Has(access.Bank) && pr.OrgID == p.BankOrgID, "")
}

// productInput reads a product form; amounts may be typed as "100万".
func productInput(r *http.Request) (ProductInput, productForm, error) {
	r.ParseForm()
	f := productForm{Name: r.PostFormValue("name"), Min: r.PostFormValue("min"), Max: r.PostFormValue("max"),
		RateMin: r.PostFormValue("rate_min"), RateMax: r.PostFormValue("rate_max"), TermMonths: r.PostFormValue("term_months_max"),
		Guarantee: map[Guarantee]bool{}, Requires: map[enterprise.QualificationKind]bool{},
		Description: r.PostFormValue("description"), Active: r.PostFormValue("active") != ""}
	in := ProductInput{Name: f.Name, Description: f.Description, Active: &f.Active}
	for _, g := range r.PostForm["guarantee"] {
		in.Guarantee = append(in.Guarantee, Guarantee(g))
		f.Guarantee[Guarantee(g)] = true
	}
	for _, k := range r.PostForm["requires"] {
		in.Requires = append(in.Requires, enterprise.QualificationKind(k))
		f.Requires[enterprise.QualificationKind(k)] = true
	}
	var err error
	if in.MinFen, err = money.Parse(f.Min); err != nil {
		return in, f, errs.Invalidf("min_fen", "最低额度格式不正确，例如 100万", "The minimum is not a valid amount, e.g. 100万")
	}
	if in.MaxFen, err = money.Parse(f.Max); err != nil {
		return in, f, errs.Invalidf("max_fen", "最高额度格式不正确，例如 1000万", "The maximum is not a valid amount, e.g. 1000万")
	}
	if in.RateMin, err = strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(f.RateMin), "%"), 64); err != nil {
		return in, f, errs.Invalidf("rate_min", "最低利率应为百分数，例如 3.45", "rate_min must be a percentage, e.g. 3.45")
	}
	if in.RateMax, err = strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(f.RateMax), "%"), 64); err != nil {
		return in, f, errs.Invalidf("rate_max", "最高利率应为百分数，例如 4.35", "rate_max must be a percentage, e.g. 4.35")
	}
	if in.TermMonthsMax, err = strconv.Atoi(strings.TrimSpace(f.TermMonths)); err != nil {
		return in, f, errs.Invalidf("term_months_max", "最长期限应为整数月", "term_months_max must be a whole number of months")
	}
	return in, f, nil
}

func (h *Handler) createProductForm(w http.ResponseWriter, r *http.Request) error {
	in, f, err := productInput(r)
	var p Product
	if err == nil {
		p, err = h.Svc.CreateProduct(r.Context(), web.Principal(r), in)
	}
	if err != nil {
		status, msg, err := userError(r, err)
		if err != nil {
			return err
		}
		return h.renderProduct(w, r, status, f, true, msg)
	}
	web.Flash(w, "fin.product.saved")
	web.Redirect(w, r, "/finance/products/"+strconv.FormatInt(p.ID, 10))
	return nil
}

func (h *Handler) updateProductForm(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	in, f, err := productInput(r)
	f.ID = id
	if err == nil {
		_, err = h.Svc.UpdateProduct(r.Context(), web.Principal(r), id, in)
	}
	if err != nil {
		status, msg, err := userError(r, err)
		if err != nil {
			return err
		}
		return h.renderProduct(w, r, status, f, true, msg)
	}
	web.Flash(w, "fin.product.saved")
	web.Redirect(w, r, r.URL.Path)
	return nil
}

func (h *Handler) banksPage(w http.ResponseWriter, r *http.Request) error {
	return h.renderBanks(w, r, http.StatusOK, "")
}

func (h *Handler) renderBanks(w http.ResponseWriter, r *http.Request, status int, msg string) error {
	from, to, err := h.period(r)
	if err != nil {
		return err
	}
	pr := web.Principal(r)
	bs, err := h.Svc.Banks(r.Context(), pr, from, to)
	if err != nil {
		return err
	}
	lim, err := LoadLimits(r.Context(), h.Svc.DB.Read())
	if err != nil {
		return err
	}
	return h.UI.RenderStatus(w, r, status, "finance_banks", i18n.T("银行对接情况", "Bank response and lending"), map[string]any{
		"Banks": bs, "From": from, "To": to, "Limits": lim, "Error": msg, "Office": pr.Has(access.ServiceOffice)})
}

func (h *Handler) limitsForm(w http.ResponseWriter, r *http.Request) error {
	a, errA := strconv.Atoi(r.PostFormValue("response_workdays"))
	b, errB := strconv.Atoi(r.PostFormValue("green_workdays"))
	var err error = errs.Invalidf("response_workdays", "时限应为整数个工作日", "Limits are whole numbers of working days")
	if errA == nil && errB == nil {
		err = h.Svc.SaveLimits(r.Context(), web.Principal(r), Limits{ResponseWorkdays: a, GreenWorkdays: b})
	}
	if err != nil {
		status, msg, err := userError(r, err)
		if err != nil {
			return err
		}
		return h.renderBanks(w, r, status, msg)
	}
	web.Flash(w, "fin.limits.saved")
	web.Redirect(w, r, "/finance/banks")
	return nil
}
