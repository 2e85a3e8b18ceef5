package enterprise

import (
	"context"
	"strings"
	"time"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
	"xiaoer/internal/rollup"
	"xiaoer/internal/store"
)

// QualificationKind is a recognised status of an enterprise.
type QualificationKind string

// Qualification kinds.
const (
	HighTech       QualificationKind = "high_tech"       // 高新技术企业
	TechSME        QualificationKind = "tech_sme"        // 科技型中小企业
	SpecializedSME QualificationKind = "specialized_sme" // 专精特新中小企业
	InnovativeSME  QualificationKind = "innovative_sme"  // 创新型中小企业
)

// QualificationKinds lists every kind.
var QualificationKinds = []QualificationKind{HighTech, TechSME, SpecializedSME, InnovativeSME}

// Valid reports whether k is a known kind.
func (k QualificationKind) Valid() bool {
	for _, x := range QualificationKinds {
		if x == k {
			return true
		}
	}
	return false
}

// Label is the kind's name.
func (k QualificationKind) Label() i18n.Text {
	switch k {
	case HighTech:
		return i18n.T("高新技术企业", "High-tech enterprise")
	case TechSME:
		return i18n.T("科技型中小企业", "Tech-based SME")
	case SpecializedSME:
		return i18n.T("专精特新中小企业", "Specialised and innovative SME")
	case InnovativeSME:
		return i18n.T("创新型中小企业", "Innovative SME")
	}
	return i18n.T(string(k), string(k))
}

// Qualification is one recognised status of an enterprise: a certificate
// with its validity. It counts only from ValidFrom to ValidTo, both included.
type Qualification struct {
	ID           int64             `json:"id,string"`
	EnterpriseID int64             `json:"enterprise_id,string"`
	Kind         QualificationKind `json:"kind"`
	CertNo       string            `json:"cert_no"`
	ValidFrom    civil.Date        `json:"valid_from"`
	ValidTo      civil.Date        `json:"valid_to"`
	Valid        bool              `json:"valid" doc:"valid today"`
	CreatedAt    time.Time         `json:"created_at"`
}

// ValidOn reports whether q counts on day d.
func (q *Qualification) ValidOn(d civil.Date) bool {
	return !d.Before(q.ValidFrom) && !d.After(q.ValidTo)
}

// QualificationInput is the body of adding a qualification.
type QualificationInput struct {
	Kind      QualificationKind `json:"kind"`
	CertNo    string            `json:"cert_no"`
	ValidFrom civil.Date        `json:"valid_from"`
	ValidTo   civil.Date        `json:"valid_to"`
}

// Validate normalises and checks a qualification.
func (in *QualificationInput) Validate() error {
	in.CertNo = strings.TrimSpace(in.CertNo)
	if !in.Kind.Valid() {
		return errs.Invalidf("kind", "资质类型应为 high_tech、tech_sme、specialized_sme 或 innovative_sme",
			"kind must be high_tech, tech_sme, specialized_sme or innovative_sme")
	}
	if err := tooLong("cert_no", in.CertNo, 50); err != nil {
		return err
	}
	if in.ValidFrom.IsZero() {
		return errs.Invalidf("valid_from", "请填写有效期起始日期", "valid_from is required")
	}
	if in.ValidTo.IsZero() {
		return errs.Invalidf("valid_to", "请填写有效期截止日期", "valid_to is required")
	}
	if in.ValidFrom.Year < 1980 || in.ValidTo.Year > 2100 {
		return errs.Invalidf("valid_from", "有效期应在1980年至2100年之间", "The validity must lie between 1980 and 2100")
	}
	if in.ValidTo.Before(in.ValidFrom) {
		return errs.Invalidf("valid_to", "有效期截止日期 %s 早于起始日期 %s", "valid_to %s is before valid_from %s", in.ValidTo, in.ValidFrom)
	}
	return nil
}

const qualCols = "id, enterprise_id, kind, cert_no, valid_from, valid_to, created_at"

func scanQualification(sc interface{ Scan(...any) error }, today civil.Date) (Qualification, error) {
	var q Qualification
	err := sc.Scan(&q.ID, &q.EnterpriseID, &q.Kind, &q.CertNo, &q.ValidFrom, &q.ValidTo, &q.CreatedAt)
	q.Valid = q.ValidOn(today)
	return q, err
}

// Qualifications returns an enterprise's qualifications, latest first (404
// outside p's scope).
func (s *Service) Qualifications(ctx context.Context, p *access.Principal, enterpriseID int64) ([]Qualification, error) {
	q := s.DB.Read()
	if _, err := s.getQ(ctx, q, p, enterpriseID); err != nil {
		return nil, err
	}
	rows, err := q.Query(ctx, "SELECT "+qualCols+" FROM qualifications WHERE enterprise_id = ? ORDER BY valid_from DESC, id DESC", enterpriseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	today := civil.Of(s.DB.Now())
	out := []Qualification{}
	for rows.Next() {
		x, err := scanQualification(rows, today)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// writable checks inside tx that p may change enterprise id (404 otherwise).
func (s *Service) writable(ctx context.Context, tx *store.Tx, p *access.Principal, id int64) error {
	_, err := s.writableOrg(ctx, tx, p, id)
	return err
}

// writableOrg is writable, returning the enterprise's org node.
func (s *Service) writableOrg(ctx context.Context, tx *store.Tx, p *access.Principal, id int64) (int64, error) {
	var w store.Where
	w.Add("e.id = ?", id)
	w.Scope(s.WriteScope(p, "e"))
	where, args := w.SQL()
	var org int64
	err := tx.QueryRow(ctx, "SELECT COALESCE(e.org_id, 0) FROM enterprises e"+where, args...).Scan(&org)
	return org, err
}

// AddQualification records a qualification of an enterprise p may change.
// Periods of one kind may not overlap: a renewal starts after the old
// certificate ends.
func (s *Service) AddQualification(ctx context.Context, p *access.Principal, enterpriseID int64, in QualificationInput) (Qualification, error) {
	if err := in.Validate(); err != nil {
		return Qualification{}, err
	}
	var out Qualification
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		org, err := s.writableOrg(ctx, tx, p, enterpriseID)
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM qualifications WHERE enterprise_id = ? AND kind = ? AND valid_from <= ? AND valid_to >= ?",
			enterpriseID, in.Kind, in.ValidTo, in.ValidFrom).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return errs.New(errs.Conflict, "valid_from", i18n.F("该企业已有有效期与 %s 至 %s 重叠的%s", "The enterprise already holds a %[3]s overlapping %[1]s to %[2]s",
				in.ValidFrom, in.ValidTo, in.Kind.Label()))
		}
		id, err := tx.Insert(ctx, "INSERT INTO qualifications (enterprise_id, kind, cert_no, valid_from, valid_to, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
			enterpriseID, in.Kind, in.CertNo, in.ValidFrom, in.ValidTo, tx.Now)
		if err != nil {
			return err
		}
		if err := addHolding(ctx, tx, org, in.Kind, in.ValidFrom, in.ValidTo, 1); err != nil {
			return err
		}
		out = Qualification{ID: id, EnterpriseID: enterpriseID, Kind: in.Kind, CertNo: in.CertNo, ValidFrom: in.ValidFrom, ValidTo: in.ValidTo, CreatedAt: tx.Now}
		out.Valid = out.ValidOn(civil.Of(tx.Now))
		return audit.Append(ctx, tx, audit.Entry{Action: "enterprise.qualification.create", Object: "enterprise", ObjectID: enterpriseID,
			Summary: map[string]any{"qualification_id": id, "kind": in.Kind, "cert_no": in.CertNo, "valid_from": in.ValidFrom, "valid_to": in.ValidTo}})
	})
	return out, err
}

// RecordQualification records a qualification in tx unless the enterprise
// already holds one of the kind in an overlapping period, and reports
// whether it did. Loaders use it (the demo's yearly renewals); people use
// AddQualification, which refuses the overlap instead.
func RecordQualification(ctx context.Context, tx *store.Tx, enterpriseID int64, in QualificationInput) (bool, error) {
	if err := in.Validate(); err != nil {
		return false, err
	}
	var org int64
	var n int
	if err := tx.QueryRow(ctx, `SELECT COALESCE(org_id, 0), (SELECT COUNT(*) FROM qualifications WHERE enterprise_id = ? AND kind = ? AND valid_from <= ? AND valid_to >= ?)
		FROM enterprises WHERE id = ?`, enterpriseID, in.Kind, in.ValidTo, in.ValidFrom, enterpriseID).Scan(&org, &n); err != nil || n > 0 {
		return false, err
	}
	return true, insertQualifications(ctx, tx, []qualRow{{enterpriseID, org, in}})
}

// DeleteQualification removes a qualification recorded in error (404 when
// it is not the enterprise's or outside p's write scope).
func (s *Service) DeleteQualification(ctx context.Context, p *access.Principal, enterpriseID, id int64) error {
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		org, err := s.writableOrg(ctx, tx, p, enterpriseID)
		if err != nil {
			return err
		}
		old, err := scanQualification(tx.QueryRow(ctx, "SELECT "+qualCols+" FROM qualifications WHERE id = ? AND enterprise_id = ?", id, enterpriseID), civil.Of(tx.Now))
		if err != nil {
			return err
		}
		if err := tx.ExecOne(ctx, "DELETE FROM qualifications WHERE id = ?", id); err != nil {
			return err
		}
		if err := addHolding(ctx, tx, org, old.Kind, old.ValidFrom, old.ValidTo, -1); err != nil {
			return err
		}
		return audit.Append(ctx, tx, audit.Entry{Action: "enterprise.qualification.delete", Object: "enterprise", ObjectID: enterpriseID,
			Summary: map[string]any{"qualification_id": id, "kind": old.Kind, "cert_no": old.CertNo, "valid_from": old.ValidFrom, "valid_to": old.ValidTo}})
	})
}

// HeldOn reports whether an enterprise holds a qualification of kind that
// is valid on day on. Other modules use it in their rules (a policy for
// high-tech enterprises, a loan product that requires one).
func HeldOn(ctx context.Context, q store.Querier, enterpriseID int64, kind QualificationKind, on civil.Date) (bool, error) {
	var n int
	err := q.QueryRow(ctx, "SELECT COUNT(*) FROM qualifications WHERE enterprise_id = ? AND kind = ? AND valid_to >= ? AND valid_from <= ?",
		enterpriseID, kind, on, on).Scan(&n)
	return n > 0, err
}

// HeldKinds returns the kinds of qualification an enterprise holds on day
// on, in the order of QualificationKinds.
func HeldKinds(ctx context.Context, q store.Querier, enterpriseID int64, on civil.Date) ([]QualificationKind, error) {
	rows, err := q.Query(ctx, "SELECT DISTINCT kind FROM qualifications WHERE enterprise_id = ? AND valid_to >= ? AND valid_from <= ?", enterpriseID, on, on)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	held := map[QualificationKind]bool{}
	for rows.Next() {
		var k QualificationKind
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		held[k] = true
	}
	var out []QualificationKind
	for _, k := range QualificationKinds {
		if held[k] {
			out = append(out, k)
		}
	}
	return out, rows.Err()
}

// CountHolding counts the enterprises in the org subtree at orgPath ("/"
// or "" for all) that hold a qualification of kind valid on day on — the
// summary's high_tech_enterprises and tech_smes — from the holding rollup.
func CountHolding(ctx context.Context, q store.Querier, orgPath string, kind QualificationKind, on civil.Date) (int64, error) {
	m := holdingMetric(kind)
	n, err := rollup.Upto(ctx, q, rollup.Scope{Path: orgPath}, on, m)
	return n[m], err
}

// MetricPrefix starts the names of the registry's rollups.
const MetricPrefix = "enterprises."

// holdingMetric is the rollup of the enterprises holding a kind: +1 on the
// first day a qualification is valid and −1 on the day after its last, at
// the enterprise's org node, so that its level on a day (rollup.Upto) is how
// many hold the kind then. Periods of one kind never overlap, so an
// enterprise counts once.
func holdingMetric(kind QualificationKind) string { return MetricPrefix + "holding." + string(kind) }

// addHolding adds (sign 1) or takes away (−1) a qualification's period at
// the org node orgID.
func addHolding(ctx context.Context, tx *store.Tx, orgID int64, kind QualificationKind, from, to civil.Date, sign int64) error {
	m := holdingMetric(kind)
	if err := rollup.Add(ctx, tx, m, from, orgID, "", sign); err != nil {
		return err
	}
	return rollup.Add(ctx, tx, m, to.AddDays(1), orgID, "", -sign)
}

// held is a qualification's period at its enterprise's org node.
type held struct {
	kind     QualificationKind
	from, to civil.Date
	org      int64
}

// holdings reads the periods of the qualifications matching where, all of
// them before any is added to the rollups: adding reads the org tree, which
// PostgreSQL cannot do on the connection while a result is still open.
func holdings(ctx context.Context, tx *store.Tx, where string, args ...any) ([]held, error) {
	rows, err := tx.Query(ctx, `SELECT q.kind, q.valid_from, q.valid_to, COALESCE(e.org_id, 0) FROM qualifications q
		JOIN enterprises e ON e.id = q.enterprise_id`+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []held
	for rows.Next() {
		var h held
		if err := rows.Scan(&h.kind, &h.from, &h.to, &h.org); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Close()
}

// moveHoldings carries an enterprise's qualifications from the org node it
// left to the one it joined.
func moveHoldings(ctx context.Context, tx *store.Tx, enterpriseID, from, to int64) error {
	hs, err := holdings(ctx, tx, " WHERE q.enterprise_id = ?", enterpriseID)
	if err != nil {
		return err
	}
	for _, h := range hs {
		if err := addHolding(ctx, tx, from, h.kind, h.from, h.to, -1); err != nil {
			return err
		}
		if err := addHolding(ctx, tx, to, h.kind, h.from, h.to, 1); err != nil {
			return err
		}
	}
	return nil
}

// Rebuild recomputes the registry's rollups from the qualifications.
func Rebuild(ctx context.Context, tx *store.Tx) error {
	hs, err := holdings(ctx, tx, "")
	if err != nil {
		return err
	}
	for _, h := range hs {
		if err := addHolding(ctx, tx, h.org, h.kind, h.from, h.to, 1); err != nil {
			return err
		}
	}
	return nil
}
