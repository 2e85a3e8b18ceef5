package finance

import (
	"context"
	"strconv"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/flow"
	"xiaoer/internal/i18n"
	"xiaoer/internal/money"
	"xiaoer/internal/org"
	"xiaoer/internal/store"
)

// Entity names needs in the flow events and the audit log.
const Entity = "finance_need"

// The states of a need (API.md).
const (
	Posted         = "posted"
	Taken          = "taken"
	Declined       = "declined"
	CreditApproved = "credit_approved"
	CreditDenied   = "credit_denied"
	Disbursed      = "disbursed"
	Cancelled      = "cancelled"
)

var (
	bank       = []access.Role{access.Bank}
	dateField  = flow.Field{Name: "date", Kind: flow.Date, Label: i18n.T("日期", "Date")}
	amountText = i18n.T("金额（分）", "Amount (fen)")
)

// Flow is the need's workflow: 申请 → 受理 → 授信 → 放款. Every action but
// disburse takes an optional date (default today) for back-entry of paper
// records; the response clock runs from posting to take or decline.
var Flow = flow.Def{
	Entity:  Entity,
	Initial: Posted,
	States: []flow.State{
		{Name: Posted, Label: i18n.T("待银行响应", "Waiting for a bank")},
		{Name: Taken, Label: i18n.T("银行已接单", "Taken by a bank")},
		{Name: Declined, Label: i18n.T("银行已拒绝", "Declined"), Terminal: true},
		{Name: CreditApproved, Label: i18n.T("已授信", "Credit approved")},
		{Name: CreditDenied, Label: i18n.T("授信未通过", "Credit denied"), Terminal: true},
		{Name: Disbursed, Label: i18n.T("已放款", "Disbursed"), Terminal: true},
		{Name: Cancelled, Label: i18n.T("已取消", "Cancelled"), Terminal: true},
	},
	Actions: []flow.Action{
		{Name: "take", Label: i18n.T("接单", "Take"), From: []string{Posted}, To: Taken, Roles: bank, Clock: flow.Stop,
			Fields: []flow.Field{dateField, {Name: "product_id", Kind: flow.ID, Label: i18n.T("贷款产品", "Loan product")}}},
		{Name: "decline", Label: i18n.T("拒绝", "Decline"), From: []string{Posted}, To: Declined, Roles: bank, Clock: flow.Stop,
			Fields: []flow.Field{dateField}},
		{Name: "approve_credit", Label: i18n.T("授信", "Approve credit"), From: []string{Taken}, To: CreditApproved, Roles: bank,
			Fields: []flow.Field{{Name: "amount_fen", Kind: flow.Money, Required: true, Label: i18n.T("授信金额（分）", "Credit amount (fen)")}, dateField}},
		{Name: "deny_credit", Label: i18n.T("授信否决", "Deny credit"), From: []string{Taken}, To: CreditDenied, Roles: bank,
			Fields: []flow.Field{dateField}},
		{Name: "disburse", Label: i18n.T("放款", "Disburse"), From: []string{CreditApproved}, To: Disbursed, Roles: bank,
			Fields: []flow.Field{{Name: "amount_fen", Kind: flow.Money, Required: true, Label: amountText},
				{Name: "date", Kind: flow.Date, Required: true, Label: i18n.T("放款日期", "Disbursement date")}}},
		{Name: "cancel", Label: i18n.T("取消需求", "Cancel"), From: []string{Posted}, To: Cancelled, Roles: []access.Role{access.Enterprise},
			Fields: []flow.Field{dateField}},
	},
}

// Act takes a workflow action on a need and returns it as it now stands.
func (s *Service) Act(ctx context.Context, p *access.Principal, id int64, action string, body []byte) (Need, error) {
	err := s.DB.Write(ctx, func(tx *store.Tx) error { return s.ActTx(ctx, tx, p, id, action, body) })
	if err != nil {
		return Need{}, err
	}
	return s.Get(ctx, p, id)
}

// ActTx takes a workflow action inside tx. Out of scope is 404 before
// anything else; then the engine's 404/403/409/400; then the rules: a bank
// acts only on needs routed or open to it, and on a taken need only if it
// took it; the disbursed amount never exceeds the approved credit.
func (s *Service) ActTx(ctx context.Context, tx *store.Tx, p *access.Principal, id int64, action string, body []byte) error {
	n, err := s.get(ctx, tx, p, id)
	if err != nil {
		return err
	}
	step, err := Flow.Begin(n.Status, action, p, body)
	if err != nil {
		return err
	}
	today := s.today()
	on := step.Input.Date("date")
	if on.IsZero() {
		on = today
	}
	in := step.Input
	set := map[string]any{}
	var decline *Decline
	switch action {
	case "take", "decline":
		b, err := bankOf(ctx, tx, p)
		if err != nil {
			return err
		}
		if !n.Open() && n.BankOrgID != b.ID {
			return errs.ErrNotFound
		}
		if err := flow.CheckDate("date", on, n.PostedOn, today); err != nil {
			return err
		}
		var already int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM finance_declines WHERE need_id = ? AND bank_org_id = ?", id, b.ID).Scan(&already); err != nil {
			return err
		}
		if already > 0 {
			return errs.Conflictf("本行已拒绝该需求", "Your bank has already declined this need")
		}
		in.Set("bank_org_id", b.ID)
		in.Set("response_workdays", int64(s.Calendar.WorkdaysBetween(n.PostedOn, on)))
		if action == "take" {
			product, err := s.takeProduct(ctx, tx, b.ID, &n, in.ID("product_id"))
			if err != nil {
				return err
			}
			in.Set("product_id", product)
			set["taken_by_org_id"], set["product_id"], set["responded_on"] = b.ID, store.Null(product), on
			break
		}
		if n.Open() {
			// Lock the need first, so that of two last banks declining at
			// once the second counts the first's decline.
			if err := tx.ExecOne(ctx, "UPDATE finance_needs SET updated_at = ? WHERE id = ? AND status = ?", tx.Now, id, Posted); err != nil {
				return errs.Conflictf("该需求刚被他人处理，请刷新后重试", "Someone else has just acted on this need; reload and try again")
			}
			decline = &Decline{BankOrgID: b.ID, On: on, Note: in.Note}
			last, err := s.lastBank(ctx, tx, &n)
			if err != nil {
				return err
			}
			if !last {
				// The others may still take it: the need stays posted.
				step.To = Posted
				break
			}
		}
		set["responded_on"], set["closed_on"] = on, on
	case "approve_credit", "deny_credit", "disburse":
		if _, err := bankOf(ctx, tx, p); err != nil {
			return err
		}
		if n.TakenByOrgID != p.OrgID {
			return errs.ErrNotFound
		}
		in.Set("bank_org_id", n.TakenByOrgID)
		previous := n.RespondedOn
		if action == "disburse" {
			previous = n.CreditOn
		}
		if err := flow.CheckDate("date", on, previous, today); err != nil {
			return err
		}
		amount := in.Int("amount_fen")
		switch action {
		case "approve_credit":
			if amount > maxAmount {
				return errs.Invalidf("amount_fen", "授信金额不能超过100亿元", "amount_fen must be at most 10 billion yuan")
			}
			set["credit_fen"], set["credit_on"] = amount, on
		case "deny_credit":
			set["closed_on"] = on
		case "disburse":
			if amount > n.CreditFen {
				return errs.New(errs.Conflict, "amount_fen", i18n.F("放款金额%s超过授信金额%s", "The amount disbursed, %s, exceeds the credit approved, %s",
					moneyText(amount), moneyText(n.CreditFen)))
			}
			set["loan_fen"], set["loan_on"], set["closed_on"] = amount, on, on
		}
	case "cancel":
		if p.EnterpriseID != n.EnterpriseID {
			return errs.ErrNotFound
		}
		if err := flow.CheckDate("date", on, n.PostedOn, today); err != nil {
			return err
		}
		set["closed_on"] = on
	}
	in.Set("date", on)
	if decline != nil {
		if _, err := tx.Exec(ctx, "INSERT INTO finance_declines (need_id, bank_org_id, on_date, note, created_at) VALUES (?, ?, ?, ?, ?)",
			id, decline.BankOrgID, decline.On, decline.Note, tx.Now); err != nil {
			return err
		}
	}
	// The state guard makes a concurrent second answer (two banks taking
	// one open need at once) a conflict rather than a silent overwrite.
	query := "UPDATE finance_needs SET status = ?, updated_at = ?"
	args := []any{step.To, tx.Now}
	for _, col := range []string{"taken_by_org_id", "product_id", "responded_on", "credit_fen", "credit_on", "loan_fen", "loan_on", "closed_on"} {
		if v, ok := set[col]; ok {
			query += ", " + col + " = ?"
			args = append(args, v)
		}
	}
	if err := tx.ExecOne(ctx, query+" WHERE id = ? AND status = ?", append(args, id, n.Status)...); err != nil {
		if errs.Is(err, errs.NotFound) {
			return errs.Conflictf("该需求刚被他人处理，请刷新后重试", "Someone else has just acted on this need; reload and try again")
		}
		return err
	}
	ev, err := step.Record(ctx, tx, Entity, id, on)
	if err != nil {
		return err
	}
	return count(ctx, rollupTx(ctx, tx), facts{OrgID: n.OrgID, AmountFen: n.AmountFen, BankOrgID: n.BankOrgID, DueOn: n.DueOn}, ev)
}

// takeProduct checks the product a bank names when it takes a need (its
// own, active), or picks the recommended one if it is the bank's.
func (s *Service) takeProduct(ctx context.Context, tx *store.Tx, bankID int64, n *Need, named int64) (int64, error) {
	if named == 0 {
		if n.RecommendedProductID == 0 {
			return 0, nil
		}
		var owner int64
		if err := tx.QueryRow(ctx, "SELECT bank_org_id FROM finance_products WHERE id = ?", n.RecommendedProductID).Scan(&owner); err != nil {
			return 0, err
		}
		if owner != bankID {
			return 0, nil
		}
		return n.RecommendedProductID, nil
	}
	var owner int64
	var active bool
	err := tx.QueryRow(ctx, "SELECT bank_org_id, active FROM finance_products WHERE id = ?", named).Scan(&owner, &active)
	if errs.Is(err, errs.NotFound) || (err == nil && (owner != bankID || !active)) {
		return 0, errs.Invalidf("product_id", "请选择本行在售的贷款产品", "product_id must name an active product of your bank")
	}
	return named, err
}

// lastBank reports whether, with this decline, every bank of the need's
// zone has declined an open need.
func (s *Service) lastBank(ctx context.Context, tx *store.Tx, n *Need) (bool, error) {
	o, err := org.GetTx(ctx, tx, n.OrgID)
	if err != nil {
		return false, err
	}
	rows, err := tx.Query(ctx, "SELECT id, path FROM orgs WHERE kind = 'bank'")
	if err != nil {
		return false, err
	}
	banks := map[int64]bool{}
	for rows.Next() {
		var id int64
		var path string
		if err := rows.Scan(&id, &path); err != nil {
			rows.Close()
			return false, err
		}
		if len(o.Path) >= len(parentPath(path)) && o.Path[:len(parentPath(path))] == parentPath(path) {
			banks[id] = true
		}
	}
	if err := rows.Close(); err != nil {
		return false, err
	}
	var declined int
	if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM finance_declines WHERE need_id = ?", n.ID).Scan(&declined); err != nil {
		return false, err
	}
	// This decline is not yet stored: it is the last if it completes the set.
	return declined+1 >= len(banks), nil
}

// Recommend records that the service office recommends a product for a
// waiting need (the seed's "反复比对各大银行金融产品，将最适合的鄂科贷推介给企业").
// The product must fit the need; the need's routing does not change.
func (s *Service) Recommend(ctx context.Context, p *access.Principal, id, productID int64, note string, on civil.Date) (Need, error) {
	err := s.DB.Write(ctx, func(tx *store.Tx) error { return s.RecommendTx(ctx, tx, p, id, productID, note, on) })
	if err != nil {
		return Need{}, err
	}
	return s.Get(ctx, p, id)
}

// RecommendTx is Recommend inside tx; on is the date of the
// recommendation (zero: today).
func (s *Service) RecommendTx(ctx context.Context, tx *store.Tx, p *access.Principal, id, productID int64, note string, on civil.Date) error {
	if !p.System && !p.Has(access.ServiceOffice) {
		return errs.Forbiddenf("只有营商办可以推荐产品", "Only the service office recommends products")
	}
	n, err := s.get(ctx, tx, p, id)
	if err != nil {
		return err
	}
	if n.Status != Posted {
		return errs.Conflictf("当前状态为「%s」，不能再推荐产品", "Products are recommended only while a need waits for a bank; it is “%s”", n.StatusLabel())
	}
	today := s.today()
	if on.IsZero() {
		on = today
	}
	if err := flow.CheckDate("date", on, n.PostedOn, today); err != nil {
		return err
	}
	var found [2]*Match
	for i, l := range []i18n.Lang{i18n.ZH, i18n.EN} {
		ms, err := s.matches(ctx, tx, &n, l)
		if err != nil {
			return err
		}
		for j := range ms {
			if ms[j].Product.ID == productID {
				found[i] = &ms[j]
			}
		}
	}
	if found[0] == nil {
		return errs.Invalidf("product_id", "没有这个在售产品", "No such active product")
	}
	if i := found[0].firstFailure(); i >= 0 {
		why := i18n.T(found[0].Reasons[i].Text, found[1].Reasons[i].Text)
		return errs.New(errs.Invalid, "product_id", i18n.F("该产品不适合此需求：%s", "The product does not fit this need: %s", why))
	}
	productName := found[0].Product.Name
	if _, err := tx.Exec(ctx, "UPDATE finance_needs SET recommended_product_id = ?, updated_at = ? WHERE id = ?", productID, tx.Now, id); err != nil {
		return err
	}
	var by int64
	if !p.System {
		by = p.UserID
	}
	if err := flow.Insert(ctx, tx, &flow.Event{Entity: Entity, EntityID: id, Action: "recommend", From: n.Status, To: n.Status,
		On: on, ActorID: by, Actor: p.Actor(), Note: note, Data: map[string]any{"product_id": productID, "product_name": productName}}); err != nil {
		return err
	}
	return audit.Append(ctx, tx, audit.Entry{Action: "finance.recommend", Object: Entity, ObjectID: id, Summary: map[string]any{"product_id": productID}})
}

// moneyText is an amount in each language's manner, for messages.
func moneyText(fen int64) i18n.Text { return i18n.T(money.Format(fen), money.FormatEn(fen)) }

// dataInt reads an integer from event data, as stored by a transition
// (int64) or read back from JSON (float64).
func dataInt(data map[string]any, key string) int64 {
	switch v := data[key].(type) {
	case int64:
		return v
	case int:
		return int64(v)
	case float64:
		return int64(v)
	case string:
		n, _ := strconv.ParseInt(v, 10, 64)
		return n
	}
	return 0
}

// dataDate reads a date from event data.
func dataDate(data map[string]any, key string) civil.Date {
	switch v := data[key].(type) {
	case civil.Date:
		return v
	case string:
		d, _ := civil.Parse(v)
		return d
	}
	return civil.Date{}
}
