package innovation

import (
	"context"
	"encoding/json"
	"time"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
	"xiaoer/internal/store"
)

// CheckKind names the two self-checks.
type CheckKind string

// Self-check kinds, named as the qualifications they check for.
const (
	CheckHighTech CheckKind = "high_tech"
	CheckTechSME  CheckKind = "tech_sme"
)

// Label is the qualification the check is for.
func (k CheckKind) Label() i18n.Text {
	if k == CheckTechSME {
		return i18n.T("科技型中小企业", "Tech-based SME")
	}
	return i18n.T("高新技术企业", "High-tech enterprise")
}

// CheckResult is the answer of a self-check, in the request's language.
type CheckResult struct {
	Kind         CheckKind       `json:"kind"`
	Advisory     string          `json:"advisory" doc:"the result is advisory; the authorities decide"`
	EnterpriseID int64           `json:"enterprise_id,string,omitempty"`
	AsOf         civil.Date      `json:"as_of"`
	Eligible     bool            `json:"eligible"`
	Score        *int            `json:"score,omitempty" doc:"tech_sme: points out of 100"`
	Items        []ItemView      `json:"items,omitempty" doc:"tech_sme: the lines of the 100-point table"`
	Conditions   []ConditionView `json:"conditions"`
	Route        string          `json:"route,omitempty" doc:"tech_sme: the direct-confirmation route that applies"`
	RouteLabel   string          `json:"route_label,omitempty"`
	Missing      []string        `json:"missing" doc:"what stands between the enterprise and the qualification"`
	FromRegistry []string        `json:"from_registry,omitempty" doc:"inputs filled in or confirmed from the registry"`
	SavedID      int64           `json:"saved_id,string,omitempty"`
}

// ConditionView is a Check in one language.
type ConditionView struct {
	Code     string `json:"code"`
	Label    string `json:"label"`
	Met      bool   `json:"met"`
	Value    string `json:"value"`
	Required string `json:"required"`
	Gap      string `json:"gap,omitempty"`
}

// ItemView is a ScoreItem in one language.
type ItemView struct {
	Code   string `json:"code"`
	Label  string `json:"label"`
	Value  string `json:"value"`
	Points int    `json:"points"`
	Max    int    `json:"max"`
	Next   string `json:"next,omitempty"`
}

func conditionViews(cs []Check, l i18n.Lang) []ConditionView {
	out := make([]ConditionView, len(cs))
	for i, c := range cs {
		out[i] = ConditionView{Code: c.Code, Label: c.Label.In(l), Met: c.Met, Value: c.Value.In(l), Required: c.Required.In(l), Gap: c.Gap.In(l)}
	}
	return out
}

// View writes the high-tech verdict in l.
func (r HighTechResult) View(l i18n.Lang) CheckResult {
	v := CheckResult{Kind: CheckHighTech, Advisory: Advisory.In(l), Eligible: r.Eligible, Conditions: conditionViews(r.Checks, l), Missing: []string{}}
	for _, c := range r.Missing() {
		v.Missing = append(v.Missing, c.Label.In(l)+"："+c.Gap.In(l))
	}
	return v
}

// View writes the tech-SME verdict in l.
func (r TechSMEResult) View(l i18n.Lang) CheckResult {
	score := r.Score
	v := CheckResult{Kind: CheckTechSME, Advisory: Advisory.In(l), Eligible: r.Eligible, Score: &score,
		Conditions: conditionViews(r.Checks, l), Route: r.Route, Missing: []string{}}
	if r.Route != "" {
		v.RouteLabel = RouteLabel(r.Route).In(l)
	}
	for _, it := range r.Items {
		v.Items = append(v.Items, ItemView{Code: it.Code, Label: it.Label.In(l), Value: it.Value.In(l), Points: it.Points, Max: it.Max, Next: it.Next.In(l)})
	}
	for _, g := range r.Gaps {
		v.Missing = append(v.Missing, g.In(l))
	}
	return v
}

// notVisible is the answer for an enterprise that does not exist or that
// the caller may not see: the two are indistinguishable.
func notVisible(field string) error {
	return errs.Invalidf(field, "企业不存在或不在您的范围内", "No such enterprise in your scope")
}

// checkedEnterprise is what the registry knows of the enterprise checked.
type checkedEnterprise struct {
	ID           int64
	OrgID        int64
	RegisteredOn civil.Date
}

// resolveEnterprise finds the enterprise a self-check is for: the one
// named, which p must be able to see, or an enterprise user's own.
func (s *Service) resolveEnterprise(ctx context.Context, q store.Querier, p *access.Principal, id int64) (*checkedEnterprise, error) {
	if id == 0 && p.Has(access.Enterprise) {
		id = p.EnterpriseID
	}
	if id == 0 {
		return nil, nil
	}
	var w store.Where
	w.Add("e.id = ?", id)
	w.Scope(readScope(p, "e", "id", false))
	where, args := w.SQL()
	e := &checkedEnterprise{}
	err := q.QueryRow(ctx, "SELECT e.id, e.org_id, e.registered_on FROM enterprises e"+where, args...).Scan(&e.ID, &e.OrgID, &e.RegisteredOn)
	if errs.Is(err, errs.NotFound) {
		return nil, notVisible("enterprise_id")
	}
	return e, err
}

// mayKeep reports whether p may keep a self-check on an enterprise's record:
// the enterprise itself, its cadre, or the service office over it.
func (s *Service) mayKeep(ctx context.Context, q store.Querier, p *access.Principal, id int64) error {
	sc := &access.Scope{}
	switch {
	case p.System:
		sc.All()
	default:
		if p.Has(access.ServiceOffice) {
			sc.InOrgTree("e.org_id", p.OrgPath)
		}
		if p.Has(access.Cadre) {
			sc.Or("e.cadre_user_id = ?", p.UserID)
		}
		if p.Has(access.Enterprise) && p.EnterpriseID != 0 {
			sc.Or("e.id = ?", p.EnterpriseID)
		}
	}
	var w store.Where
	w.Add("e.id = ?", id)
	w.Scope(sc)
	n, err := count(ctx, q, "enterprises e", w)
	if err != nil {
		return err
	}
	if n == 0 {
		return errs.Forbiddenf("您不能把自测结果保存到该企业的档案", "You may not keep a self-check on this enterprise's record")
	}
	return nil
}

// CheckHighTech runs the 高新技术企业 self-check; with Save it keeps the
// result on the enterprise's record (audited).
func (s *Service) CheckHighTech(ctx context.Context, p *access.Principal, f HighTechFigures, l i18n.Lang) (CheckResult, error) {
	q := s.DB.Read()
	e, err := s.resolveEnterprise(ctx, q, p, f.EnterpriseID)
	if err != nil {
		return CheckResult{}, err
	}
	if f.AsOf.IsZero() {
		f.AsOf = s.today()
	}
	var from []string
	if e != nil {
		f.EnterpriseID = e.ID
		if f.RegisteredOn.IsZero() && !e.RegisteredOn.IsZero() {
			f.RegisteredOn = e.RegisteredOn
			from = append(from, "registered_on")
		}
	}
	if err := f.Validate(); err != nil {
		return CheckResult{}, err
	}
	v := HighTech(f).View(l)
	v.EnterpriseID, v.AsOf, v.FromRegistry = f.EnterpriseID, f.AsOf, from
	if f.Save {
		save := f
		save.Save = false
		if v.SavedID, err = s.keep(ctx, p, e, CheckHighTech, f.AsOf, v.Eligible, nil, save); err != nil {
			return CheckResult{}, err
		}
	}
	return v, nil
}

// CheckTechSME runs the 科技型中小企业 self-check. A valid 高企 certificate
// and a provincial-or-higher platform hosted by the enterprise are read
// from the registry as well as taken from the figures.
func (s *Service) CheckTechSME(ctx context.Context, p *access.Principal, f TechSMEFigures, l i18n.Lang) (CheckResult, error) {
	q := s.DB.Read()
	e, err := s.resolveEnterprise(ctx, q, p, f.EnterpriseID)
	if err != nil {
		return CheckResult{}, err
	}
	if f.AsOf.IsZero() {
		f.AsOf = s.today()
	}
	var from []string
	if e != nil {
		f.EnterpriseID = e.ID
		var n int
		if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM qualifications WHERE enterprise_id = ? AND kind = 'high_tech' AND valid_from <= ? AND valid_to >= ?`,
			e.ID, f.AsOf, f.AsOf).Scan(&n); err != nil {
			return CheckResult{}, err
		}
		if n > 0 {
			f.HighTechValid = true
			from = append(from, "high_tech_valid")
		}
		if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM inn_platforms WHERE host_enterprise_id = ? AND level IN ('national', 'provincial')
			AND recognized_on <= ? AND (revoked_on IS NULL OR revoked_on > ?)`, e.ID, f.AsOf, f.AsOf).Scan(&n); err != nil {
			return CheckResult{}, err
		}
		if n > 0 {
			f.ProvincialPlatform = true
			from = append(from, "provincial_platform")
		}
	}
	if err := f.Validate(); err != nil {
		return CheckResult{}, err
	}
	r := TechSME(f)
	v := r.View(l)
	v.EnterpriseID, v.AsOf, v.FromRegistry = f.EnterpriseID, f.AsOf, from
	if f.Save {
		save := f
		save.Save = false
		if v.SavedID, err = s.keep(ctx, p, e, CheckTechSME, f.AsOf, v.Eligible, &r.Score, save); err != nil {
			return CheckResult{}, err
		}
	}
	return v, nil
}

// keep stores a self-check on the enterprise's record.
func (s *Service) keep(ctx context.Context, p *access.Principal, e *checkedEnterprise, kind CheckKind, asOf civil.Date, eligible bool, score *int, figures any) (int64, error) {
	if e == nil {
		return 0, errs.Invalidf("enterprise_id", "保存自测结果需选择企业", "enterprise_id is required to keep the result")
	}
	b, err := json.Marshal(figures)
	if err != nil {
		return 0, err
	}
	var id int64
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := s.mayKeep(ctx, tx, p, e.ID); err != nil {
			return err
		}
		var sc any
		if score != nil {
			sc = *score
		}
		id, err = tx.Insert(ctx, `INSERT INTO inn_self_checks (enterprise_id, org_id, kind, as_of, eligible, score, figures, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, e.ID, e.OrgID, kind, asOf, eligible, sc, string(b), store.Null(p.UserID), tx.Now)
		if err != nil {
			return err
		}
		return audit.Append(ctx, tx, audit.Entry{Action: "innovation.self_check.save", Object: "inn_self_check", ObjectID: id,
			Summary: map[string]any{"kind": kind, "enterprise_id": e.ID, "as_of": asOf, "eligible": eligible, "score": sc}})
	})
	return id, err
}

// SavedCheck is a self-check kept on an enterprise's record.
type SavedCheck struct {
	ID             int64           `json:"id,string"`
	EnterpriseID   int64           `json:"enterprise_id,string"`
	EnterpriseName string          `json:"enterprise_name"`
	OrgID          int64           `json:"org_id,string"`
	Kind           CheckKind       `json:"kind"`
	AsOf           civil.Date      `json:"as_of"`
	Eligible       bool            `json:"eligible"`
	Score          *int            `json:"score,omitempty"`
	Figures        json.RawMessage `json:"figures" doc:"the figures as entered"`
	CreatedBy      string          `json:"created_by"`
	CreatedAt      time.Time       `json:"created_at"`
}

const savedSelect = `SELECT c.id, c.enterprise_id, e.name, c.org_id, c.kind, c.as_of, c.eligible, c.score, c.figures, COALESCE(u.name, ''), c.created_at
	FROM inn_self_checks c JOIN enterprises e ON e.id = c.enterprise_id LEFT JOIN users u ON u.id = c.created_by`

func scanSaved(sc scanner) (SavedCheck, error) {
	var c SavedCheck
	var score *int64
	var figures string
	err := sc.Scan(&c.ID, &c.EnterpriseID, &c.EnterpriseName, &c.OrgID, &c.Kind, &c.AsOf, &c.Eligible, &score, &figures, &c.CreatedBy, &c.CreatedAt)
	if score != nil {
		n := int(*score)
		c.Score = &n
	}
	c.Figures = json.RawMessage(figures)
	return c, err
}

// SavedFilter selects saved self-checks.
type SavedFilter struct {
	Kind         CheckKind
	EnterpriseID int64
	Page
}

func (f SavedFilter) where(p *access.Principal) store.Where {
	var w store.Where
	w.Scope(readScope(p, "c", "enterprise_id", false))
	if f.Kind != "" {
		w.Add("c.kind = ?", f.Kind)
	}
	if f.EnterpriseID != 0 {
		w.Add("c.enterprise_id = ?", f.EnterpriseID)
	}
	return w
}

// SavedChecks yields the saved self-checks p may see, newest first.
func (s *Service) SavedChecks(ctx context.Context, p *access.Principal, f SavedFilter, yield func(SavedCheck) error) error {
	return each(ctx, s.DB.Read(), savedSelect, f.where(p), "c.id", f.Page, scanSaved, yield)
}

// CountSavedChecks counts the saved self-checks p may see.
func (s *Service) CountSavedChecks(ctx context.Context, p *access.Principal, f SavedFilter) (int, error) {
	return count(ctx, s.DB.Read(), "inn_self_checks c", f.where(p))
}

// SavedCheck returns one saved self-check p may see.
func (s *Service) SavedCheck(ctx context.Context, p *access.Principal, id int64) (SavedCheck, error) {
	var w store.Where
	w.Add("c.id = ?", id)
	w.Scope(readScope(p, "c", "enterprise_id", false))
	where, args := w.SQL()
	return scanSaved(s.DB.Read().QueryRow(ctx, savedSelect+where, args...))
}
