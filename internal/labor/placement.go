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

const placementCols = `pl.id, pl.enterprise_id, e.name, pl.org_id, COALESCE(pl.event_id, 0), COALESCE(v.name, ''), COALESCE(pl.demand_id, 0),
	COALESCE(d.job, ''), pl.date, pl.workers, pl.note, pl.created_at`

const placementFrom = ` FROM labor_placements pl JOIN enterprises e ON e.id = pl.enterprise_id
	LEFT JOIN labor_events v ON v.id = pl.event_id LEFT JOIN labor_demands d ON d.id = pl.demand_id`

func scanPlacement(sc interface{ Scan(...any) error }) (Placement, error) {
	var x Placement
	err := sc.Scan(&x.ID, &x.EnterpriseID, &x.EnterpriseName, &x.orgID, &x.EventID, &x.EventName, &x.DemandID, &x.DemandJob,
		&x.Date, &x.Workers, &x.Note, &x.CreatedAt)
	return x, err
}

// GetPlacement returns one placement within p's scope.
func (s *Service) GetPlacement(ctx context.Context, p *access.Principal, id int64) (Placement, error) {
	return getPlacement(ctx, s.DB.Read(), readScope(p, "e"), id)
}

func getPlacement(ctx context.Context, q store.Querier, sc *access.Scope, id int64) (Placement, error) {
	var w store.Where
	w.Add("pl.id = ?", id)
	w.Scope(sc)
	where, args := w.SQL()
	return scanPlacement(q.QueryRow(ctx, "SELECT "+placementCols+placementFrom+where, args...))
}

// PlacementFilter selects placements.
type PlacementFilter struct {
	EnterpriseID int64
	EventID      int64
	DemandID     int64
	From, To     civil.Date
	After        eventKey // (date, id), latest first
	Limit        int
}

func (f PlacementFilter) where(p *access.Principal) store.Where {
	var w store.Where
	w.Scope(readScope(p, "e"))
	if f.EnterpriseID != 0 {
		w.Add("pl.enterprise_id = ?", f.EnterpriseID)
	}
	if f.EventID != 0 {
		w.Add("pl.event_id = ?", f.EventID)
	}
	if f.DemandID != 0 {
		w.Add("pl.demand_id = ?", f.DemandID)
	}
	if !f.From.IsZero() {
		w.Add("pl.date >= ?", f.From)
	}
	if !f.To.IsZero() {
		w.Add("pl.date <= ?", f.To)
	}
	return w
}

// ListPlacements returns one page of placements, latest first, with the
// total count and the workers placed by all matching rows.
func (s *Service) ListPlacements(ctx context.Context, p *access.Principal, f PlacementFilter) ([]Placement, int, int64, error) {
	w := f.where(p)
	where, args := w.SQL()
	var total int
	var workers int64
	if err := s.DB.Read().QueryRow(ctx, "SELECT COUNT(*), COALESCE(SUM(pl.workers), 0) FROM labor_placements pl JOIN enterprises e ON e.id = pl.enterprise_id"+
		where, args...).Scan(&total, &workers); err != nil {
		return nil, 0, 0, err
	}
	var out []Placement
	err := s.eachPlacement(ctx, p, f, func(x Placement) error { out = append(out, x); return nil })
	return out, total, workers, err
}

// EachPlacement streams every placement matching f (exports).
func (s *Service) EachPlacement(ctx context.Context, p *access.Principal, f PlacementFilter, yield func(Placement) error) error {
	f.Limit, f.After = 0, eventKey{}
	return s.eachPlacement(ctx, p, f, yield)
}

func (s *Service) eachPlacement(ctx context.Context, p *access.Principal, f PlacementFilter, yield func(Placement) error) error {
	w := f.where(p)
	if f.After.ID != 0 {
		w.Add("(pl.date < ? OR (pl.date = ? AND pl.id < ?))", f.After.Date, f.After.Date, f.After.ID)
	}
	where, args := w.SQL()
	query := "SELECT " + placementCols + placementFrom + where + " ORDER BY pl.date DESC, pl.id DESC"
	if f.Limit > 0 {
		query += " LIMIT " + strconv.Itoa(f.Limit)
	}
	rows, err := s.DB.Read().Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		x, err := scanPlacement(rows)
		if err != nil {
			return err
		}
		if err := yield(x); err != nil {
			return err
		}
	}
	return rows.Err()
}

// CreatePlacement records workers delivered to an enterprise.
func (s *Service) CreatePlacement(ctx context.Context, p *access.Principal, in PlacementInput) (Placement, error) {
	var id int64
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		id, err = s.CreatePlacementTx(ctx, tx, p, in)
		return err
	})
	if err != nil {
		return Placement{}, err
	}
	return s.GetPlacement(ctx, p, id)
}

// CreatePlacementTx records a placement inside tx. A placement linked to a
// demand fills it in the same transaction, and may not fill it beyond its
// headcount: the demand is the enterprise's stated need, so surplus workers
// are recorded against the event alone. A placement linked to an event is
// for one of its participants, dated on or after the event.
func (s *Service) CreatePlacementTx(ctx context.Context, tx *store.Tx, p *access.Principal, in PlacementInput) (int64, error) {
	if !p.System && !p.Has(access.ServiceOffice) {
		return 0, errs.Forbiddenf("只有营商办可以登记到岗", "Only the service office records placements")
	}
	if err := in.Validate(); err != nil {
		return 0, err
	}
	today := civil.Of(tx.Now)
	if in.Date.After(today) {
		return 0, errs.Invalidf("date", "到岗日期 %s 晚于今天", "The date %s is in the future", in.Date)
	}
	write := officeScope(p, "e.org_id")
	var demand Demand
	if in.DemandID != 0 {
		var err error
		demand, err = s.getDemand(ctx, tx, write, in.DemandID)
		if errs.Is(err, errs.NotFound) {
			return 0, errs.Invalidf("demand_id", "缺工申报不存在", "No such demand")
		}
		if err != nil {
			return 0, err
		}
		if in.EnterpriseID == 0 {
			in.EnterpriseID = demand.EnterpriseID
		}
		if demand.EnterpriseID != in.EnterpriseID {
			return 0, errs.Invalidf("demand_id", "该缺工申报不是这家企业的", "The demand belongs to another enterprise")
		}
		if in.Date.Before(demand.PostedOn) {
			return 0, errs.Invalidf("date", "到岗日期不能早于申报日期 %s", "The date must not be before the demand was posted (%s)", demand.PostedOn)
		}
	}
	org, err := enterpriseOrg(ctx, tx, write, in.EnterpriseID)
	if errs.Is(err, errs.NotFound) {
		return 0, errs.Invalidf("enterprise_id", "企业不存在或不在您的管辖范围内", "No such enterprise in your scope")
	}
	if err != nil {
		return 0, err
	}
	if in.EventID != 0 {
		var date civil.Date
		var joined int
		err := tx.QueryRow(ctx, `SELECT v.date, (SELECT COUNT(*) FROM labor_event_enterprises x WHERE x.event_id = v.id AND x.enterprise_id = ?)
			FROM labor_events v WHERE v.id = ?`, in.EnterpriseID, in.EventID).Scan(&date, &joined)
		if errs.Is(err, errs.NotFound) {
			return 0, errs.Invalidf("event_id", "招聘活动不存在", "No such event")
		}
		if err != nil {
			return 0, err
		}
		if joined == 0 {
			return 0, errs.Invalidf("event_id", "该企业没有参加这场招聘活动", "The enterprise did not take part in the event")
		}
		if in.Date.Before(date) {
			return 0, errs.Invalidf("date", "到岗日期不能早于活动日期 %s", "The date must not be before the event (%s)", date)
		}
	}
	if in.DemandID != 0 {
		res, err := tx.Exec(ctx, "UPDATE labor_demands SET filled = filled + ?, updated_at = ? WHERE id = ? AND filled + ? <= headcount",
			in.Workers, tx.Now, in.DemandID, in.Workers)
		if err != nil {
			return 0, err
		}
		if n, err := res.RowsAffected(); err != nil {
			return 0, err
		} else if n == 0 {
			var left int
			if err := tx.QueryRow(ctx, "SELECT headcount - filled FROM labor_demands WHERE id = ?", in.DemandID).Scan(&left); err != nil {
				return 0, err
			}
			return 0, errs.Conflictf("该缺工申报只差%d人，不能登记%d人到岗；多出的人数请只关联招聘活动登记",
				"The demand lacks only %d workers, not %d; record the surplus against the event alone", left, in.Workers)
		}
	}
	id, err := tx.Insert(ctx, `INSERT INTO labor_placements (enterprise_id, org_id, event_id, demand_id, date, workers, note, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		in.EnterpriseID, org, store.Null(in.EventID), store.Null(in.DemandID), in.Date, in.Workers, in.Note, store.Null(p.UserID), tx.Now)
	if err != nil {
		return 0, err
	}
	if err := rollup.Add(ctx, tx, MetricPlacements, in.Date, org, "", int64(in.Workers)); err != nil {
		return 0, err
	}
	return id, audit.Append(ctx, tx, audit.Entry{Action: "labor.placement.create", Object: "labor_placement", ObjectID: id,
		Summary: map[string]any{"enterprise_id": in.EnterpriseID, "event_id": in.EventID, "demand_id": in.DemandID, "date": in.Date.String(), "workers": in.Workers}})
}

// DeletePlacement removes a placement recorded in error, giving its
// workers back to the demand's shortfall.
func (s *Service) DeletePlacement(ctx context.Context, p *access.Principal, id int64) error {
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		x, err := getPlacement(ctx, tx, officeScope(p, "e.org_id"), id)
		if err != nil {
			return err
		}
		if x.DemandID != 0 {
			if _, err := tx.Exec(ctx, "UPDATE labor_demands SET filled = filled - ?, updated_at = ? WHERE id = ?", x.Workers, tx.Now, x.DemandID); err != nil {
				return err
			}
		}
		if err := tx.ExecOne(ctx, "DELETE FROM labor_placements WHERE id = ?", id); err != nil {
			return err
		}
		if err := rollup.Add(ctx, tx, MetricPlacements, x.Date, x.orgID, "", -int64(x.Workers)); err != nil {
			return err
		}
		return audit.Append(ctx, tx, audit.Entry{Action: "labor.placement.delete", Object: "labor_placement", ObjectID: id,
			Summary: map[string]any{"enterprise_id": x.EnterpriseID, "event_id": x.EventID, "demand_id": x.DemandID, "date": x.Date.String(), "workers": x.Workers}})
	})
}

// PlacedByEnterprise returns the workers placed with each of the
// enterprises (all when ids is empty) between from and to inclusive: the
// "placements received" fact of the policy rules.
func PlacedByEnterprise(ctx context.Context, q store.Querier, from, to civil.Date, ids []int64) (map[int64]int64, error) {
	var w store.Where
	w.Add("date >= ? AND date <= ?", from, to)
	if len(ids) > 0 {
		in, args := store.In(ids)
		w.Add("enterprise_id IN ("+in+")", args...)
	}
	where, args := w.SQL()
	rows, err := q.Query(ctx, "SELECT enterprise_id, SUM(workers) FROM labor_placements"+where+" GROUP BY enterprise_id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var id, n int64
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}
