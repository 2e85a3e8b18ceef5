package labor

import (
	"context"
	"strconv"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/rollup"
	"xiaoer/internal/store"
)

// Service reads and writes the labour records.
type Service struct {
	DB *store.DB
}

func (s *Service) today() civil.Date { return civil.Of(s.DB.Now()) }

const demandCols = `d.id, d.enterprise_id, e.name, d.org_id, d.job, d.headcount, d.filled, d.need_by, d.posted_on, d.closed, d.note,
	d.created_at, d.updated_at`

const demandFrom = ` FROM labor_demands d JOIN enterprises e ON e.id = d.enterprise_id`

func scanDemand(sc interface{ Scan(...any) error }, today civil.Date) (Demand, error) {
	var d Demand
	err := sc.Scan(&d.ID, &d.EnterpriseID, &d.EnterpriseName, &d.orgID, &d.Job, &d.Headcount, &d.Filled, &d.NeedBy, &d.PostedOn,
		&d.Closed, &d.Note, &d.CreatedAt, &d.UpdatedAt)
	d.derive(today)
	return d, err
}

// GetDemand returns one demand within p's scope (404 otherwise).
func (s *Service) GetDemand(ctx context.Context, p *access.Principal, id int64) (Demand, error) {
	return s.getDemand(ctx, s.DB.Read(), readScope(p, "e"), id)
}

func (s *Service) getDemand(ctx context.Context, q store.Querier, sc *access.Scope, id int64) (Demand, error) {
	var w store.Where
	w.Add("d.id = ?", id)
	w.Scope(sc)
	where, args := w.SQL()
	return scanDemand(q.QueryRow(ctx, "SELECT "+demandCols+demandFrom+where, args...), s.today())
}

// DemandFilter selects demands.
type DemandFilter struct {
	Q            string // job
	EnterpriseID int64
	Open         bool // not closed and not yet filled
	// Shortage orders by urgency (need-by date, then the unfilled share)
	// instead of newest first, and implies Open.
	Shortage bool
	After    demandKey
	Limit    int
}

// demandKey is the position of a row in a list: its id when newest first,
// (need_by, unfilled share in basis points, id) in the shortage order.
type demandKey struct {
	NeedBy civil.Date
	BP     int64
	ID     int64
}

// unfilledBP is the unfilled share in basis points, computed the same way
// by both engines (integer division), so that it can be a cursor key.
const unfilledBP = "((d.headcount - d.filled) * 10000 / d.headcount)"

func (f DemandFilter) where(p *access.Principal) store.Where {
	var w store.Where
	w.Scope(readScope(p, "e"))
	if f.Q != "" {
		w.Add("d.job LIKE ? ESCAPE '\\'", store.Like("%", f.Q, "%"))
	}
	if f.EnterpriseID != 0 {
		w.Add("d.enterprise_id = ?", f.EnterpriseID)
	}
	if f.Open || f.Shortage {
		w.Add("d.closed = ? AND d.filled < d.headcount", false)
	}
	return w
}

// ListDemands returns one page of demands and the total.
func (s *Service) ListDemands(ctx context.Context, p *access.Principal, f DemandFilter) ([]Demand, int, error) {
	q := s.DB.Read()
	w := f.where(p)
	where, args := w.SQL()
	var total int
	if err := q.QueryRow(ctx, "SELECT COUNT(*)"+demandFrom+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	var out []Demand
	err := s.eachDemand(ctx, p, f, func(d Demand) error { out = append(out, d); return nil })
	return out, total, err
}

// EachDemand streams every demand matching f (exports).
func (s *Service) EachDemand(ctx context.Context, p *access.Principal, f DemandFilter, yield func(Demand) error) error {
	f.Limit, f.After = 0, demandKey{}
	return s.eachDemand(ctx, p, f, yield)
}

func (s *Service) eachDemand(ctx context.Context, p *access.Principal, f DemandFilter, yield func(Demand) error) error {
	w := f.where(p)
	order := " ORDER BY d.id DESC"
	if f.Shortage {
		order = " ORDER BY d.need_by, " + unfilledBP + " DESC, d.id"
		if f.After.ID != 0 {
			w.Add("(d.need_by > ? OR (d.need_by = ? AND "+unfilledBP+" < ?) OR (d.need_by = ? AND "+unfilledBP+" = ? AND d.id > ?))",
				f.After.NeedBy, f.After.NeedBy, f.After.BP, f.After.NeedBy, f.After.BP, f.After.ID)
		}
	} else if f.After.ID != 0 {
		w.Add("d.id < ?", f.After.ID)
	}
	where, args := w.SQL()
	query := "SELECT " + demandCols + demandFrom + where + order
	if f.Limit > 0 {
		query += " LIMIT " + strconv.Itoa(f.Limit)
	}
	rows, err := s.DB.Read().Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	today := s.today()
	for rows.Next() {
		d, err := scanDemand(rows, today)
		if err != nil {
			return err
		}
		if err := yield(d); err != nil {
			return err
		}
	}
	return rows.Err()
}

// keyOf returns the cursor key of d in the order of f.
func (f DemandFilter) keyOf(d Demand) demandKey {
	if !f.Shortage {
		return demandKey{ID: d.ID}
	}
	return demandKey{NeedBy: d.NeedBy, BP: int64(d.Headcount-d.Filled) * 10000 / int64(d.Headcount), ID: d.ID}
}

// enterpriseOrg returns the org of enterprise id if it lies within sc
// (404 otherwise: an enterprise out of scope does not exist for p).
func enterpriseOrg(ctx context.Context, q store.Querier, sc *access.Scope, id int64) (int64, error) {
	var w store.Where
	w.Add("e.id = ?", id)
	w.Scope(sc)
	where, args := w.SQL()
	var org int64
	err := q.QueryRow(ctx, "SELECT e.org_id FROM enterprises e"+where, args...).Scan(&org)
	return org, err
}

// CreateDemand posts a demand for an enterprise p may post for.
func (s *Service) CreateDemand(ctx context.Context, p *access.Principal, in DemandInput) (Demand, error) {
	var id int64
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		id, err = s.CreateDemandTx(ctx, tx, p, in)
		return err
	})
	if err != nil {
		return Demand{}, err
	}
	return s.GetDemand(ctx, p, id)
}

// CreateDemandTx posts a demand inside tx.
func (s *Service) CreateDemandTx(ctx context.Context, tx *store.Tx, p *access.Principal, in DemandInput) (int64, error) {
	if in.EnterpriseID == 0 && p.Has(access.Enterprise) {
		in.EnterpriseID = p.EnterpriseID
	}
	if err := in.Validate(); err != nil {
		return 0, err
	}
	if in.EnterpriseID == 0 {
		return 0, errs.Invalidf("enterprise_id", "请选择企业", "enterprise_id is required")
	}
	today := civil.Of(tx.Now)
	if in.PostedOn.IsZero() {
		in.PostedOn = today
	}
	if in.PostedOn.After(today) {
		return 0, errs.Invalidf("posted_on", "申报日期不能晚于今天", "posted_on must not be in the future")
	}
	if in.NeedBy.Before(in.PostedOn) {
		return 0, errs.Invalidf("need_by", "到岗日期不能早于申报日期", "need_by must not be before posted_on")
	}
	org, err := enterpriseOrg(ctx, tx, demandWriteScope(p, "e"), in.EnterpriseID)
	if err != nil {
		return 0, err
	}
	id, err := tx.Insert(ctx, `INSERT INTO labor_demands (enterprise_id, org_id, job, headcount, filled, need_by, posted_on, closed, note,
		created_by, created_at, updated_at) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		in.EnterpriseID, org, in.Job, in.Headcount, in.NeedBy, in.PostedOn, in.Closed, in.Note, store.Null(p.UserID), tx.Now, tx.Now)
	if err != nil {
		return 0, err
	}
	if err := rollup.Add(ctx, tx, MetricDemands, in.PostedOn, org, "", 1); err != nil {
		return 0, err
	}
	if err := rollup.Add(ctx, tx, MetricDemandHeadcount, in.PostedOn, org, "", int64(in.Headcount)); err != nil {
		return 0, err
	}
	return id, audit.Append(ctx, tx, audit.Entry{Action: "labor.demand.create", Object: "labor_demand", ObjectID: id,
		Summary: map[string]any{"enterprise_id": in.EnterpriseID, "job": in.Job, "headcount": in.Headcount, "need_by": in.NeedBy.String()}})
}

// UpdateDemand changes the job, headcount, need-by date, note or closed
// flag of a demand p may change. The headcount may not drop below the
// workers already delivered; the enterprise and the posting date stay.
func (s *Service) UpdateDemand(ctx context.Context, p *access.Principal, id int64, in DemandInput) (Demand, error) {
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		old, err := s.getDemand(ctx, tx, demandWriteScope(p, "e"), id)
		if err != nil {
			return err
		}
		in.EnterpriseID = old.EnterpriseID
		if err := in.Validate(); err != nil {
			return err
		}
		if in.Headcount < old.Filled {
			return errs.Invalidf("headcount", "已有%d人到岗，需求人数不能少于此数", "%d workers have already been placed; headcount cannot be lower", old.Filled)
		}
		if in.NeedBy.Before(old.PostedOn) {
			return errs.Invalidf("need_by", "到岗日期不能早于申报日期", "need_by must not be before posted_on")
		}
		if _, err := tx.Exec(ctx, `UPDATE labor_demands SET job = ?, headcount = ?, need_by = ?, closed = ?, note = ?, updated_at = ? WHERE id = ?`,
			in.Job, in.Headcount, in.NeedBy, in.Closed, in.Note, tx.Now, id); err != nil {
			return err
		}
		if err := rollup.Add(ctx, tx, MetricDemandHeadcount, old.PostedOn, old.orgID, "", int64(in.Headcount-old.Headcount)); err != nil {
			return err
		}
		return audit.Append(ctx, tx, audit.Entry{Action: "labor.demand.update", Object: "labor_demand", ObjectID: id, Summary: audit.Change(
			map[string]any{"job": old.Job, "headcount": old.Headcount, "need_by": old.NeedBy.String(), "closed": old.Closed},
			map[string]any{"job": in.Job, "headcount": in.Headcount, "need_by": in.NeedBy.String(), "closed": in.Closed})})
	})
	if err != nil {
		return Demand{}, err
	}
	return s.GetDemand(ctx, p, id)
}
