package innovation

import (
	"context"
	"time"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
	"xiaoer/internal/store"
)

// GrantKind separates R&D projects an enterprise carries out from special
// support it receives.
type GrantKind string

// Grant kinds.
const (
	RDProject      GrantKind = "rd_project"      // 研发项目（省重点研发计划、省重点科技创新专项 …）
	SpecialSupport GrantKind = "special_support" // 专项支持（光谷科创大走廊专项 …）
)

// GrantKinds lists every kind.
var GrantKinds = []GrantKind{RDProject, SpecialSupport}

// Label is the kind's name.
func (k GrantKind) Label() i18n.Text {
	if k == SpecialSupport {
		return i18n.T("专项支持", "Special support")
	}
	return i18n.T("研发项目", "R&D project")
}

// Valid reports whether k is a known kind.
func (k GrantKind) Valid() bool { return k == RDProject || k == SpecialSupport }

// Grant is an R&D project or a special support recorded against an
// enterprise (立项支持), by programme, level and year.
type Grant struct {
	ID             int64     `json:"id,string"`
	Name           string    `json:"name"`
	Kind           GrantKind `json:"kind"`
	Program        string    `json:"program" doc:"the programme, e.g. 光谷科创大走廊专项"`
	Level          Level     `json:"level"`
	EnterpriseID   int64     `json:"enterprise_id,string"`
	EnterpriseName string    `json:"enterprise_name"`
	OrgID          int64     `json:"org_id,string"`
	AmountFen      int64     `json:"amount_fen"`
	Year           int       `json:"year" doc:"the year it was granted (立项年度)"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// GrantInput is the body of create and update.
type GrantInput struct {
	Name         string    `json:"name"`
	Kind         GrantKind `json:"kind"`
	Program      string    `json:"program"`
	Level        Level     `json:"level"`
	EnterpriseID int64     `json:"enterprise_id,string"`
	AmountFen    int64     `json:"amount_fen"`
	Year         int       `json:"year"`
}

// Validate checks the fields that need no database.
func (in *GrantInput) Validate(today civil.Date) error {
	if err := text("name", &in.Name, 200, true, "项目名称", "name"); err != nil {
		return err
	}
	if !in.Kind.Valid() {
		return errs.Invalidf("kind", "类型应为 rd_project 或 special_support", "kind must be rd_project or special_support")
	}
	if err := text("program", &in.Program, 100, true, "计划/专项名称", "program"); err != nil {
		return err
	}
	if !in.Level.Valid() {
		return errs.Invalidf("level", "级别应为 national、provincial、municipal 或 district", "level must be national, provincial, municipal or district")
	}
	if in.EnterpriseID == 0 {
		return errs.Invalidf("enterprise_id", "请选择承担企业", "enterprise_id is required")
	}
	if err := moneyField("amount_fen", in.AmountFen, "支持金额", "amount_fen"); err != nil {
		return err
	}
	if in.Year < 2000 || in.Year > today.Year {
		return errs.Invalidf("year", "立项年度应在2000年到%d年之间", "year must be from 2000 to %d", today.Year)
	}
	return nil
}

const grantSelect = `SELECT g.id, g.name, g.kind, g.program, g.level, g.enterprise_id, e.name, g.org_id, g.amount_fen, g.year,
	g.created_at, g.updated_at FROM inn_grants g JOIN enterprises e ON e.id = g.enterprise_id`

func scanGrant(sc scanner) (Grant, error) {
	var g Grant
	err := sc.Scan(&g.ID, &g.Name, &g.Kind, &g.Program, &g.Level, &g.EnterpriseID, &g.EnterpriseName, &g.OrgID, &g.AmountFen, &g.Year,
		&g.CreatedAt, &g.UpdatedAt)
	return g, err
}

// GrantFilter selects grants.
type GrantFilter struct {
	Q            string
	Kind         GrantKind
	Level        Level
	Year         int
	EnterpriseID int64
	Page
}

func (f GrantFilter) where(p *access.Principal) (store.Where, error) {
	var w store.Where
	w.Scope(readScope(p, "g", "enterprise_id", false))
	like(&w, f.Q, "g.name", "g.program", "e.name")
	if f.Kind != "" {
		if !f.Kind.Valid() {
			return w, errs.Invalidf("kind", "类型无效", "Unknown kind")
		}
		w.Add("g.kind = ?", f.Kind)
	}
	if f.Level != "" {
		w.Add("g.level = ?", f.Level)
	}
	if f.Year != 0 {
		w.Add("g.year = ?", f.Year)
	}
	if f.EnterpriseID != 0 {
		w.Add("g.enterprise_id = ?", f.EnterpriseID)
	}
	return w, nil
}

// Grants yields the grants matching f that p may see.
func (s *Service) Grants(ctx context.Context, p *access.Principal, f GrantFilter, yield func(Grant) error) error {
	w, err := f.where(p)
	if err != nil {
		return err
	}
	return each(ctx, s.DB.Read(), grantSelect, w, "g.id", f.Page, scanGrant, yield)
}

// CountGrants counts the grants matching f that p may see.
func (s *Service) CountGrants(ctx context.Context, p *access.Principal, f GrantFilter) (int, error) {
	w, err := f.where(p)
	if err != nil {
		return 0, err
	}
	return count(ctx, s.DB.Read(), "inn_grants g JOIN enterprises e ON e.id = g.enterprise_id", w)
}

// Grant returns one grant within p's scope.
func (s *Service) Grant(ctx context.Context, p *access.Principal, id int64) (Grant, error) {
	return getGrant(ctx, s.DB.Read(), readScope(p, "g", "enterprise_id", false), id)
}

func getGrant(ctx context.Context, q store.Querier, sc *access.Scope, id int64) (Grant, error) {
	var w store.Where
	w.Add("g.id = ?", id)
	w.Scope(sc)
	where, args := w.SQL()
	return scanGrant(q.QueryRow(ctx, grantSelect+where, args...))
}

// CreateGrant records a grant.
func (s *Service) CreateGrant(ctx context.Context, p *access.Principal, in GrantInput) (Grant, error) {
	var id int64
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		id, err = s.CreateGrantTx(ctx, tx, p, in)
		return err
	})
	if err != nil {
		return Grant{}, err
	}
	return s.Grant(ctx, p, id)
}

// CreateGrantTx records a grant inside tx.
func (s *Service) CreateGrantTx(ctx context.Context, tx *store.Tx, p *access.Principal, in GrantInput) (int64, error) {
	if err := mayWrite(p); err != nil {
		return 0, err
	}
	if err := in.Validate(civil.Of(tx.Now)); err != nil {
		return 0, err
	}
	a, _, err := enterpriseAnchor(ctx, tx, in.EnterpriseID, "enterprise_id")
	if err != nil {
		return 0, err
	}
	if err := a.within(p, "enterprise_id"); err != nil {
		return 0, err
	}
	id, err := tx.Insert(ctx, `INSERT INTO inn_grants (name, kind, program, level, enterprise_id, org_id, amount_fen, year, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		in.Name, in.Kind, in.Program, in.Level, in.EnterpriseID, a.OrgID, in.AmountFen, in.Year, tx.Now, tx.Now)
	if err != nil {
		return 0, err
	}
	return id, audit.Append(ctx, tx, audit.Entry{Action: "innovation.grant.create", Object: "inn_grant", ObjectID: id, Summary: in})
}

// UpdateGrant changes a grant p may change.
func (s *Service) UpdateGrant(ctx context.Context, p *access.Principal, id int64, in GrantInput) (Grant, error) {
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := mayWrite(p); err != nil {
			return err
		}
		if err := in.Validate(civil.Of(tx.Now)); err != nil {
			return err
		}
		old, err := getGrant(ctx, tx, writeScope(p, "g"), id)
		if err != nil {
			return err
		}
		a, _, err := enterpriseAnchor(ctx, tx, in.EnterpriseID, "enterprise_id")
		if err != nil {
			return err
		}
		if err := a.within(p, "enterprise_id"); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE inn_grants SET name = ?, kind = ?, program = ?, level = ?, enterprise_id = ?, org_id = ?, amount_fen = ?,
			year = ?, updated_at = ? WHERE id = ?`,
			in.Name, in.Kind, in.Program, in.Level, in.EnterpriseID, a.OrgID, in.AmountFen, in.Year, tx.Now, id); err != nil {
			return err
		}
		before := GrantInput{Name: old.Name, Kind: old.Kind, Program: old.Program, Level: old.Level, EnterpriseID: old.EnterpriseID,
			AmountFen: old.AmountFen, Year: old.Year}
		return audit.Append(ctx, tx, audit.Entry{Action: "innovation.grant.update", Object: "inn_grant", ObjectID: id, Summary: audit.Change(before, in)})
	})
	if err != nil {
		return Grant{}, err
	}
	return s.Grant(ctx, p, id)
}

// DeleteGrant removes a grant entered by mistake.
func (s *Service) DeleteGrant(ctx context.Context, p *access.Principal, id int64) error {
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := mayWrite(p); err != nil {
			return err
		}
		old, err := getGrant(ctx, tx, writeScope(p, "g"), id)
		if err != nil {
			return err
		}
		if err := tx.ExecOne(ctx, "DELETE FROM inn_grants WHERE id = ?", id); err != nil {
			return err
		}
		return audit.Append(ctx, tx, audit.Entry{Action: "innovation.grant.delete", Object: "inn_grant", ObjectID: id,
			Summary: map[string]any{"name": old.Name, "enterprise_id": old.EnterpriseID, "year": old.Year}})
	})
}
