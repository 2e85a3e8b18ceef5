package finance

import (
	"context"
	"strconv"
	"strings"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/enterprise"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
	"xiaoer/internal/money"
	"xiaoer/internal/org"
	"xiaoer/internal/store"
)

const productCols = `p.id, p.bank_org_id, b.name, p.name, p.min_fen, p.max_fen, p.rate_min_bp, p.rate_max_bp, p.term_months_max,
	p.guarantee, p.requires, p.description, p.active, p.created_at, p.updated_at`

const productFrom = ` FROM finance_products p JOIN orgs b ON b.id = p.bank_org_id`

func scanProduct(sc interface{ Scan(...any) error }) (Product, error) {
	var p Product
	var minBP, maxBP int
	var g, req string
	err := sc.Scan(&p.ID, &p.BankOrgID, &p.BankName, &p.Name, &p.MinFen, &p.MaxFen, &minBP, &maxBP, &p.TermMonthsMax,
		&g, &req, &p.Description, &p.Active, &p.CreatedAt, &p.UpdatedAt)
	p.RateMin, p.RateMax = float64(minBP)/100, float64(maxBP)/100
	p.Guarantee = splitCodes[Guarantee](g)
	p.Requires = splitCodes[enterprise.QualificationKind](req)
	return p, err
}

// bankOf returns the bank org p acts for: the user's own org, which must be
// a bank. Anyone else is refused.
func bankOf(ctx context.Context, q store.Querier, p *access.Principal) (org.Org, error) {
	if !p.Has(access.Bank) || p.OrgID == 0 {
		return org.Org{}, errs.Forbiddenf("只有银行客户经理可以执行此操作", "Only a bank manager may do this")
	}
	o, err := org.GetTx(ctx, q, p.OrgID)
	if err != nil {
		return o, err
	}
	if o.Kind != org.Bank {
		return o, errs.Forbiddenf("您的账号不属于银行机构", "Your account does not belong to a bank")
	}
	return o, nil
}

// productBank resolves the bank a product is written for: a bank manager
// writes for their own bank only; the system (demo, imports) names it.
func productBank(ctx context.Context, q store.Querier, p *access.Principal, named int64) (int64, error) {
	if p.System {
		o, err := org.GetTx(ctx, q, named)
		if err != nil || o.Kind != org.Bank {
			return 0, errs.Invalidf("bank_org_id", "请选择银行机构", "bank_org_id must name a bank")
		}
		return o.ID, nil
	}
	b, err := bankOf(ctx, q, p)
	if err != nil {
		return 0, err
	}
	if named != 0 && named != b.ID {
		return 0, errs.Forbiddenf("只能发布和维护本行的产品", "You may only publish your own bank's products")
	}
	return b.ID, nil
}

func productSummary(in ProductInput, bank int64) map[string]any {
	return map[string]any{"bank_org_id": bank, "name": in.Name, "min_fen": in.MinFen, "max_fen": in.MaxFen,
		"rate_min": in.RateMin, "rate_max": in.RateMax, "term_months_max": in.TermMonthsMax,
		"guarantee": joinCodes(in.Guarantee), "requires": joinCodes(in.Requires), "active": in.Active == nil || *in.Active}
}

func duplicateName(err error, name string) error {
	if errs.Is(err, errs.Conflict) {
		return errs.New(errs.Conflict, "name", i18n.F("本行已有名为「%s」的产品", "Your bank already has a product called “%s”", name))
	}
	return err
}

// CreateProduct publishes a product of the caller's bank.
func (s *Service) CreateProduct(ctx context.Context, p *access.Principal, in ProductInput) (Product, error) {
	var id int64
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		id, err = s.CreateProductTx(ctx, tx, p, in)
		return err
	})
	if err != nil {
		return Product{}, err
	}
	return s.GetProduct(ctx, id)
}

// CreateProductTx publishes a product inside tx.
func (s *Service) CreateProductTx(ctx context.Context, tx *store.Tx, p *access.Principal, in ProductInput) (int64, error) {
	minBP, maxBP, err := in.Validate()
	if err != nil {
		return 0, err
	}
	bank, err := productBank(ctx, tx, p, in.BankOrgID)
	if err != nil {
		return 0, err
	}
	active := in.Active == nil || *in.Active
	id, err := tx.Insert(ctx, `INSERT INTO finance_products (bank_org_id, name, min_fen, max_fen, rate_min_bp, rate_max_bp, term_months_max,
		guarantee, requires, description, active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		bank, in.Name, in.MinFen, in.MaxFen, minBP, maxBP, in.TermMonthsMax, joinCodes(in.Guarantee), joinCodes(in.Requires),
		in.Description, active, tx.Now, tx.Now)
	if err != nil {
		return 0, duplicateName(err, in.Name)
	}
	return id, audit.Append(ctx, tx, audit.Entry{Action: "finance.product.create", Object: "finance_product", ObjectID: id, Summary: productSummary(in, bank)})
}

// UpdateProduct changes a product of the caller's own bank (404 for
// another bank's product).
func (s *Service) UpdateProduct(ctx context.Context, p *access.Principal, id int64, in ProductInput) (Product, error) {
	minBP, maxBP, err := in.Validate()
	if err != nil {
		return Product{}, err
	}
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		bank, err := productBank(ctx, tx, p, in.BankOrgID)
		if err != nil {
			return err
		}
		old, err := scanProduct(tx.QueryRow(ctx, "SELECT "+productCols+productFrom+" WHERE p.id = ? AND p.bank_org_id = ?", id, bank))
		if err != nil {
			return err
		}
		active := in.Active == nil || *in.Active
		if _, err := tx.Exec(ctx, `UPDATE finance_products SET name = ?, min_fen = ?, max_fen = ?, rate_min_bp = ?, rate_max_bp = ?,
			term_months_max = ?, guarantee = ?, requires = ?, description = ?, active = ?, updated_at = ? WHERE id = ?`,
			in.Name, in.MinFen, in.MaxFen, minBP, maxBP, in.TermMonthsMax, joinCodes(in.Guarantee), joinCodes(in.Requires),
			in.Description, active, tx.Now, id); err != nil {
			return duplicateName(err, in.Name)
		}
		before := productSummary(ProductInput{Name: old.Name, MinFen: old.MinFen, MaxFen: old.MaxFen, RateMin: old.RateMin, RateMax: old.RateMax,
			TermMonthsMax: old.TermMonthsMax, Guarantee: old.Guarantee, Requires: old.Requires, Active: &old.Active}, bank)
		return audit.Append(ctx, tx, audit.Entry{Action: "finance.product.update", Object: "finance_product", ObjectID: id,
			Summary: audit.Change(before, productSummary(in, bank))})
	})
	if err != nil {
		return Product{}, err
	}
	return s.GetProduct(ctx, id)
}

// GetProduct returns one product. Products are public within the platform:
// every business role reads them.
func (s *Service) GetProduct(ctx context.Context, id int64) (Product, error) {
	return scanProduct(s.DB.Read().QueryRow(ctx, "SELECT "+productCols+productFrom+" WHERE p.id = ?", id))
}

// ProductFilter selects products.
type ProductFilter struct {
	Q         string
	BankOrgID int64
	Guarantee Guarantee
	Requires  enterprise.QualificationKind
	Active    *bool
	AfterID   int64
	Limit     int
}

func productWhere(f ProductFilter) (store.Where, error) {
	var w store.Where
	if f.Q != "" {
		w.Add("(p.name LIKE ? ESCAPE '\\' OR b.name LIKE ? ESCAPE '\\')", store.Like("%", f.Q, "%"), store.Like("%", f.Q, "%"))
	}
	if f.BankOrgID != 0 {
		w.Add("p.bank_org_id = ?", f.BankOrgID)
	}
	if f.Guarantee != "" {
		if !f.Guarantee.Valid() {
			return w, errs.Invalidf("guarantee", "担保方式无效", "Invalid guarantee type")
		}
		// Codes never contain commas, so a padded match is exact.
		w.Add("(',' || p.guarantee || ',') LIKE ?", "%,"+string(f.Guarantee)+",%")
	}
	if f.Requires != "" {
		if !f.Requires.Valid() {
			return w, errs.Invalidf("requires", "资质类型无效", "Invalid qualification kind")
		}
		w.Add("(',' || p.requires || ',') LIKE ?", "%,"+string(f.Requires)+",%")
	}
	if f.Active != nil {
		w.Add("p.active = ?", *f.Active)
	}
	return w, nil
}

// ListProducts returns one page of products, by bank and id, and the total.
func (s *Service) ListProducts(ctx context.Context, f ProductFilter) ([]Product, int, error) {
	w, err := productWhere(f)
	if err != nil {
		return nil, 0, err
	}
	q := s.DB.Read()
	where, args := w.SQL()
	var total int
	if err := q.QueryRow(ctx, "SELECT COUNT(*)"+productFrom+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	if f.AfterID > 0 {
		w.Add("p.id > ?", f.AfterID)
	}
	where, args = w.SQL()
	query := "SELECT " + productCols + productFrom + where + " ORDER BY p.id"
	if f.Limit > 0 {
		query += " LIMIT " + strconv.Itoa(f.Limit)
	}
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []Product
	for rows.Next() {
		p, err := scanProduct(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, p)
	}
	return out, total, rows.Err()
}

// Terms describes the product's terms in one line, for lists and matches.
func (p *Product) Terms(l i18n.Lang) string {
	format := money.Format
	if l == i18n.EN {
		format = money.FormatEn
	}
	var gs []string
	for _, g := range p.Guarantee {
		gs = append(gs, g.Label().In(l))
	}
	sep := "、"
	if l == i18n.EN {
		sep = ", "
	}
	return i18n.F("%s–%s，年利率%.2f%%–%.2f%%，最长%d个月，%s", "%s–%s, %.2f%%–%.2f%% a year, up to %d months, %s",
		format(p.MinFen), format(p.MaxFen), p.RateMin, p.RateMax, p.TermMonthsMax, strings.Join(gs, sep)).In(l)
}
