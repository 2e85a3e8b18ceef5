package innovation

import (
	"context"
	"slices"
	"time"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
	"xiaoer/internal/org"
	"xiaoer/internal/store"
)

// PartnershipKind is the form of a university–enterprise cooperation (产学研).
type PartnershipKind string

// Partnership kinds.
const (
	Commissioned     PartnershipKind = "commissioned"      // 委托开发
	JointDevelopment PartnershipKind = "joint_development" // 合作开发
	JointPlatform    PartnershipKind = "joint_platform"    // 共建平台
	TalentTraining   PartnershipKind = "talent_training"   // 人才联合培养
	LicenseTransfer  PartnershipKind = "license_transfer"  // 技术转让/许可
)

// PartnershipKinds lists every kind.
var PartnershipKinds = []PartnershipKind{Commissioned, JointDevelopment, JointPlatform, TalentTraining, LicenseTransfer}

// Label is the kind's name.
func (k PartnershipKind) Label() i18n.Text {
	switch k {
	case Commissioned:
		return i18n.T("委托开发", "Commissioned development")
	case JointDevelopment:
		return i18n.T("合作开发", "Joint development")
	case JointPlatform:
		return i18n.T("共建平台", "Joint platform")
	case TalentTraining:
		return i18n.T("人才联合培养", "Joint talent training")
	case LicenseTransfer:
		return i18n.T("技术转让/许可", "Licence or transfer")
	}
	return i18n.T(string(k), string(k))
}

// Valid reports whether k is a known kind.
func (k PartnershipKind) Valid() bool { return slices.Contains(PartnershipKinds, k) }

// Partnership is one cooperation agreement between a university (or
// research institute) and an enterprise.
type Partnership struct {
	ID              int64           `json:"id,string"`
	UniversityOrgID int64           `json:"university_org_id,string"`
	UniversityName  string          `json:"university_name"`
	EnterpriseID    int64           `json:"enterprise_id,string"`
	EnterpriseName  string          `json:"enterprise_name"`
	OrgID           int64           `json:"org_id,string"`
	Kind            PartnershipKind `json:"kind"`
	Title           string          `json:"title,omitempty"`
	AmountFen       int64           `json:"amount_fen" doc:"contract amount"`
	SignedOn        civil.Date      `json:"signed_on"`
	EndsOn          civil.Date      `json:"ends_on,omitzero" doc:"absent when open-ended"`
	CreatedAt       time.Time       `json:"created_at"`
	UpdatedAt       time.Time       `json:"updated_at"`
}

// PartnershipInput is the body of create and update.
type PartnershipInput struct {
	UniversityOrgID int64           `json:"university_org_id,string"`
	EnterpriseID    int64           `json:"enterprise_id,string"`
	Kind            PartnershipKind `json:"kind"`
	Title           string          `json:"title,omitempty"`
	AmountFen       int64           `json:"amount_fen"`
	SignedOn        civil.Date      `json:"signed_on"`
	EndsOn          civil.Date      `json:"ends_on,omitzero"`
}

// Validate checks the fields that need no database.
func (in *PartnershipInput) Validate(today civil.Date) error {
	if in.UniversityOrgID == 0 {
		return errs.Invalidf("university_org_id", "请选择合作高校院所", "university_org_id is required")
	}
	if in.EnterpriseID == 0 {
		return errs.Invalidf("enterprise_id", "请选择合作企业", "enterprise_id is required")
	}
	if !in.Kind.Valid() {
		return errs.Invalidf("kind", "合作方式应为 commissioned、joint_development、joint_platform、talent_training 或 license_transfer",
			"kind must be commissioned, joint_development, joint_platform, talent_training or license_transfer")
	}
	if err := text("title", &in.Title, 200, false, "合作内容", "title"); err != nil {
		return err
	}
	if err := moneyField("amount_fen", in.AmountFen, "合同金额", "amount_fen"); err != nil {
		return err
	}
	if err := pastDate("signed_on", in.SignedOn, today, "签约日期", "signed_on"); err != nil {
		return err
	}
	if !in.EndsOn.IsZero() && in.EndsOn.Before(in.SignedOn) {
		return errs.Invalidf("ends_on", "结束日期早于签约日期", "ends_on is before signed_on")
	}
	return nil
}

func (in *PartnershipInput) anchor(ctx context.Context, q store.Querier, p *access.Principal) (anchor, error) {
	if _, err := orgAnchor(ctx, q, in.UniversityOrgID, "university_org_id", org.University); err != nil {
		return anchor{}, err
	}
	a, _, err := enterpriseAnchor(ctx, q, in.EnterpriseID, "enterprise_id")
	if err != nil {
		return a, err
	}
	return a, a.within(p, "enterprise_id")
}

const partnershipSelect = `SELECT x.id, x.university_org_id, u.name, x.enterprise_id, e.name, x.org_id, x.kind, x.title, x.amount_fen,
	x.signed_on, x.ends_on, x.created_at, x.updated_at
	FROM inn_partnerships x JOIN orgs u ON u.id = x.university_org_id JOIN enterprises e ON e.id = x.enterprise_id`

func scanPartnership(sc scanner) (Partnership, error) {
	var x Partnership
	err := sc.Scan(&x.ID, &x.UniversityOrgID, &x.UniversityName, &x.EnterpriseID, &x.EnterpriseName, &x.OrgID, &x.Kind, &x.Title,
		&x.AmountFen, &x.SignedOn, &x.EndsOn, &x.CreatedAt, &x.UpdatedAt)
	return x, err
}

// PartnershipFilter selects partnerships.
type PartnershipFilter struct {
	Q               string
	Kind            PartnershipKind
	UniversityOrgID int64
	EnterpriseID    int64
	// ActiveFrom..ActiveTo keeps those in force at some time in the period
	// (either end may be open).
	ActiveFrom, ActiveTo civil.Date
	Page
}

func (f PartnershipFilter) where(p *access.Principal) (store.Where, error) {
	var w store.Where
	w.Scope(readScope(p, "x", "enterprise_id", false))
	like(&w, f.Q, "x.title", "e.name", "u.name")
	if f.Kind != "" {
		if !f.Kind.Valid() {
			return w, errs.Invalidf("kind", "合作方式无效", "Unknown partnership kind")
		}
		w.Add("x.kind = ?", f.Kind)
	}
	if f.UniversityOrgID != 0 {
		w.Add("x.university_org_id = ?", f.UniversityOrgID)
	}
	if f.EnterpriseID != 0 {
		w.Add("x.enterprise_id = ?", f.EnterpriseID)
	}
	if !f.ActiveTo.IsZero() {
		w.Add("x.signed_on <= ?", f.ActiveTo)
	}
	if !f.ActiveFrom.IsZero() {
		w.Add("(x.ends_on IS NULL OR x.ends_on >= ?)", f.ActiveFrom)
	}
	return w, nil
}

const partnershipFrom = "inn_partnerships x JOIN orgs u ON u.id = x.university_org_id JOIN enterprises e ON e.id = x.enterprise_id"

// Partnerships yields the partnerships matching f that p may see.
func (s *Service) Partnerships(ctx context.Context, p *access.Principal, f PartnershipFilter, yield func(Partnership) error) error {
	w, err := f.where(p)
	if err != nil {
		return err
	}
	return each(ctx, s.DB.Read(), partnershipSelect, w, "x.id", f.Page, scanPartnership, yield)
}

// CountPartnerships counts the partnerships matching f that p may see.
func (s *Service) CountPartnerships(ctx context.Context, p *access.Principal, f PartnershipFilter) (int, error) {
	w, err := f.where(p)
	if err != nil {
		return 0, err
	}
	return count(ctx, s.DB.Read(), partnershipFrom, w)
}

// Partnership returns one partnership within p's scope.
func (s *Service) Partnership(ctx context.Context, p *access.Principal, id int64) (Partnership, error) {
	return getPartnership(ctx, s.DB.Read(), readScope(p, "x", "enterprise_id", false), id)
}

func getPartnership(ctx context.Context, q store.Querier, sc *access.Scope, id int64) (Partnership, error) {
	var w store.Where
	w.Add("x.id = ?", id)
	w.Scope(sc)
	where, args := w.SQL()
	return scanPartnership(q.QueryRow(ctx, partnershipSelect+where, args...))
}

// CreatePartnership records a partnership.
func (s *Service) CreatePartnership(ctx context.Context, p *access.Principal, in PartnershipInput) (Partnership, error) {
	var id int64
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		id, err = s.CreatePartnershipTx(ctx, tx, p, in)
		return err
	})
	if err != nil {
		return Partnership{}, err
	}
	return s.Partnership(ctx, p, id)
}

// CreatePartnershipTx records a partnership inside tx.
func (s *Service) CreatePartnershipTx(ctx context.Context, tx *store.Tx, p *access.Principal, in PartnershipInput) (int64, error) {
	if err := mayWrite(p); err != nil {
		return 0, err
	}
	if err := in.Validate(civil.Of(tx.Now)); err != nil {
		return 0, err
	}
	a, err := in.anchor(ctx, tx, p)
	if err != nil {
		return 0, err
	}
	id, err := tx.Insert(ctx, `INSERT INTO inn_partnerships (university_org_id, enterprise_id, org_id, kind, title, amount_fen, signed_on, ends_on,
		created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		in.UniversityOrgID, in.EnterpriseID, a.OrgID, in.Kind, in.Title, in.AmountFen, in.SignedOn, in.EndsOn, tx.Now, tx.Now)
	if err != nil {
		return 0, err
	}
	return id, audit.Append(ctx, tx, audit.Entry{Action: "innovation.partnership.create", Object: "inn_partnership", ObjectID: id, Summary: in})
}

// UpdatePartnership changes a partnership p may change.
func (s *Service) UpdatePartnership(ctx context.Context, p *access.Principal, id int64, in PartnershipInput) (Partnership, error) {
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := mayWrite(p); err != nil {
			return err
		}
		if err := in.Validate(civil.Of(tx.Now)); err != nil {
			return err
		}
		old, err := getPartnership(ctx, tx, writeScope(p, "x"), id)
		if err != nil {
			return err
		}
		a, err := in.anchor(ctx, tx, p)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE inn_partnerships SET university_org_id = ?, enterprise_id = ?, org_id = ?, kind = ?, title = ?,
			amount_fen = ?, signed_on = ?, ends_on = ?, updated_at = ? WHERE id = ?`,
			in.UniversityOrgID, in.EnterpriseID, a.OrgID, in.Kind, in.Title, in.AmountFen, in.SignedOn, in.EndsOn, tx.Now, id); err != nil {
			return err
		}
		before := PartnershipInput{UniversityOrgID: old.UniversityOrgID, EnterpriseID: old.EnterpriseID, Kind: old.Kind, Title: old.Title,
			AmountFen: old.AmountFen, SignedOn: old.SignedOn, EndsOn: old.EndsOn}
		return audit.Append(ctx, tx, audit.Entry{Action: "innovation.partnership.update", Object: "inn_partnership", ObjectID: id, Summary: audit.Change(before, in)})
	})
	if err != nil {
		return Partnership{}, err
	}
	return s.Partnership(ctx, p, id)
}

// DeletePartnership removes a partnership entered by mistake.
func (s *Service) DeletePartnership(ctx context.Context, p *access.Principal, id int64) error {
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := mayWrite(p); err != nil {
			return err
		}
		old, err := getPartnership(ctx, tx, writeScope(p, "x"), id)
		if err != nil {
			return err
		}
		if err := tx.ExecOne(ctx, "DELETE FROM inn_partnerships WHERE id = ?", id); err != nil {
			return err
		}
		return audit.Append(ctx, tx, audit.Entry{Action: "innovation.partnership.delete", Object: "inn_partnership", ObjectID: id,
			Summary: map[string]any{"university_org_id": old.UniversityOrgID, "enterprise_id": old.EnterpriseID, "signed_on": old.SignedOn}})
	})
}
