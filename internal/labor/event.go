package labor

import (
	"context"
	"strconv"
	"strings"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/org"
	"xiaoer/internal/rollup"
	"xiaoer/internal/store"
)

const eventCols = `v.id, v.name, v.kind, v.date, v.org_id, o.name, v.venue, v.positions, v.attendees, v.hires, v.note, v.created_at, v.updated_at,
	(SELECT COALESCE(SUM(pl.workers), 0) FROM labor_placements pl WHERE pl.event_id = v.id)`

const eventFrom = ` FROM labor_events v JOIN orgs o ON o.id = v.org_id`

func scanEvent(sc interface{ Scan(...any) error }) (Event, error) {
	var v Event
	err := sc.Scan(&v.ID, &v.Name, &v.Kind, &v.Date, &v.OrgID, &v.OrgName, &v.Venue, &v.Positions, &v.Attendees, &v.Hires, &v.Note,
		&v.CreatedAt, &v.UpdatedAt, &v.Placed)
	return v, err
}

// GetEvent returns one event with its participants.
func (s *Service) GetEvent(ctx context.Context, p *access.Principal, id int64) (Event, error) {
	return s.getEvent(ctx, s.DB.Read(), eventScope(p), id)
}

func (s *Service) getEvent(ctx context.Context, q store.Querier, sc *access.Scope, id int64) (Event, error) {
	var w store.Where
	w.Add("v.id = ?", id)
	w.Scope(sc)
	where, args := w.SQL()
	v, err := scanEvent(q.QueryRow(ctx, "SELECT "+eventCols+eventFrom+where, args...))
	if err != nil {
		return v, err
	}
	rows, err := q.Query(ctx, `SELECT e.id, e.name FROM labor_event_enterprises x JOIN enterprises e ON e.id = x.enterprise_id
		WHERE x.event_id = ? ORDER BY e.name, e.id`, id)
	if err != nil {
		return v, err
	}
	defer rows.Close()
	v.Enterprises, v.Participants = IDs{}, []Reference{}
	for rows.Next() {
		var r Reference
		if err := rows.Scan(&r.ID, &r.Name); err != nil {
			return v, err
		}
		v.Enterprises = append(v.Enterprises, r.ID)
		v.Participants = append(v.Participants, r)
	}
	return v, rows.Err()
}

// EventFilter selects events.
type EventFilter struct {
	Q            string
	Kind         EventKind
	From, To     civil.Date
	EnterpriseID int64 // events the enterprise took part in
	After        eventKey
	Limit        int
}

// eventKey is the position of an event in the list, newest date first.
type eventKey struct {
	Date civil.Date
	ID   int64
}

func (f EventFilter) where(p *access.Principal) store.Where {
	var w store.Where
	w.Scope(eventScope(p))
	if f.Q != "" {
		w.Add("v.name LIKE ? ESCAPE '\\'", store.Like("%", f.Q, "%"))
	}
	if f.Kind != "" {
		w.Add("v.kind = ?", f.Kind)
	}
	if !f.From.IsZero() {
		w.Add("v.date >= ?", f.From)
	}
	if !f.To.IsZero() {
		w.Add("v.date <= ?", f.To)
	}
	if f.EnterpriseID != 0 {
		w.Add("v.id IN (SELECT event_id FROM labor_event_enterprises WHERE enterprise_id = ?)", f.EnterpriseID)
	}
	return w
}

// ListEvents returns one page of events, latest first, and the total.
// Participants are listed only on an event's own page.
func (s *Service) ListEvents(ctx context.Context, p *access.Principal, f EventFilter) ([]Event, int, error) {
	w := f.where(p)
	where, args := w.SQL()
	var total int
	if err := s.DB.Read().QueryRow(ctx, "SELECT COUNT(*) FROM labor_events v"+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	var out []Event
	err := s.eachEvent(ctx, p, f, func(v Event) error { out = append(out, v); return nil })
	return out, total, err
}

// EachEvent streams every event matching f (exports).
func (s *Service) EachEvent(ctx context.Context, p *access.Principal, f EventFilter, yield func(Event) error) error {
	f.Limit, f.After = 0, eventKey{}
	return s.eachEvent(ctx, p, f, yield)
}

func (s *Service) eachEvent(ctx context.Context, p *access.Principal, f EventFilter, yield func(Event) error) error {
	w := f.where(p)
	if f.After.ID != 0 {
		w.Add("(v.date < ? OR (v.date = ? AND v.id < ?))", f.After.Date, f.After.Date, f.After.ID)
	}
	where, args := w.SQL()
	query := "SELECT " + eventCols + eventFrom + where + " ORDER BY v.date DESC, v.id DESC"
	if f.Limit > 0 {
		query += " LIMIT " + strconv.Itoa(f.Limit)
	}
	q := s.DB.Read()
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	// Events are few (hundreds a year): read them, then their participants
	// in batches, rather than one query per event.
	var list []Event
	for rows.Next() {
		v, err := scanEvent(rows)
		if err != nil {
			rows.Close()
			return err
		}
		v.Enterprises, v.Participants = IDs{}, []Reference{}
		list = append(list, v)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	const batch = 500
	for lo := 0; lo < len(list); lo += batch {
		part := list[lo:min(lo+batch, len(list))]
		index := map[int64]*Event{}
		ids := make([]int64, len(part))
		for i := range part {
			ids[i] = part[i].ID
			index[part[i].ID] = &part[i]
		}
		in, args := store.In(ids)
		rows, err := q.Query(ctx, `SELECT x.event_id, e.id, e.name FROM labor_event_enterprises x JOIN enterprises e ON e.id = x.enterprise_id
			WHERE x.event_id IN (`+in+`) ORDER BY x.event_id, e.name, e.id`, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var ev int64
			var r Reference
			if err := rows.Scan(&ev, &r.ID, &r.Name); err != nil {
				rows.Close()
				return err
			}
			v := index[ev]
			v.Enterprises = append(v.Enterprises, r.ID)
			v.Participants = append(v.Participants, r)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		for _, v := range part {
			if err := yield(v); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkEvent validates the organising org and the participants inside tx.
func checkEvent(ctx context.Context, tx *store.Tx, p *access.Principal, in *EventInput) error {
	today := civil.Of(tx.Now)
	if in.Date.After(today.AddDays(366)) {
		return errs.Invalidf("date", "活动日期不能晚于一年之后", "date must be within a year from today")
	}
	if in.OrgID == 0 {
		in.OrgID = p.OrgID
	}
	if in.OrgID == 0 && p.System {
		if err := tx.QueryRow(ctx, "SELECT id FROM orgs WHERE kind = 'zone' ORDER BY id LIMIT 1").Scan(&in.OrgID); err != nil {
			return err
		}
	}
	o, err := org.GetTx(ctx, tx, in.OrgID)
	if errs.Is(err, errs.NotFound) {
		return errs.Invalidf("org_id", "组织不存在", "No such org")
	}
	if err != nil {
		return err
	}
	switch o.Kind {
	case org.Zone, org.Street, org.Community, org.Park:
	default:
		return errs.Invalidf("org_id", "招聘活动应由园区、街道、社区或产业园区主办", "An event is held by a zone, street, community or park")
	}
	if !p.System && !strings.HasPrefix(o.Path, p.OrgPath) {
		return errs.Invalidf("org_id", "主办单位不在您的管辖范围内", "The organiser is outside your scope")
	}
	if len(in.Enterprises) > 0 {
		list, args := store.In(in.Enterprises)
		var n int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM enterprises WHERE id IN ("+list+")", args...).Scan(&n); err != nil {
			return err
		}
		if n != len(in.Enterprises) {
			return errs.Invalidf("enterprises", "参会企业中有不存在的企业", "Some of the enterprises do not exist")
		}
	}
	return nil
}

// eventRollups adds (sign +1) or removes (sign −1) an event's figures.
func eventRollups(ctx context.Context, tx *store.Tx, date civil.Date, orgID int64, kind EventKind, positions, attendees, hires int, sign int64) error {
	for _, m := range []struct {
		metric string
		dim    string
		v      int64
	}{{MetricEvents, string(kind), 1}, {MetricPositions, "", int64(positions)}, {MetricAttendees, "", int64(attendees)}, {MetricHires, "", int64(hires)}} {
		if err := rollup.Add(ctx, tx, m.metric, date, orgID, m.dim, sign*m.v); err != nil {
			return err
		}
	}
	return nil
}

// CreateEvent records a recruitment event.
func (s *Service) CreateEvent(ctx context.Context, p *access.Principal, in EventInput) (Event, error) {
	var id int64
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		id, err = s.CreateEventTx(ctx, tx, p, in)
		return err
	})
	if err != nil {
		return Event{}, err
	}
	return s.GetEvent(ctx, p, id)
}

// CreateEventTx records an event inside tx.
func (s *Service) CreateEventTx(ctx context.Context, tx *store.Tx, p *access.Principal, in EventInput) (int64, error) {
	if !p.System && !p.Has(access.ServiceOffice) {
		return 0, errs.Forbiddenf("只有营商办可以登记招聘活动", "Only the service office records recruitment events")
	}
	if err := in.Validate(); err != nil {
		return 0, err
	}
	if err := checkEvent(ctx, tx, p, &in); err != nil {
		return 0, err
	}
	id, err := tx.Insert(ctx, `INSERT INTO labor_events (name, kind, date, org_id, venue, positions, attendees, hires, note, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		in.Name, in.Kind, in.Date, in.OrgID, in.Venue, in.Positions, in.Attendees, in.Hires, in.Note, tx.Now, tx.Now)
	if err != nil {
		return 0, err
	}
	for _, e := range in.Enterprises {
		if _, err := tx.Exec(ctx, "INSERT INTO labor_event_enterprises (event_id, enterprise_id) VALUES (?, ?)", id, e); err != nil {
			return 0, err
		}
	}
	if err := eventRollups(ctx, tx, in.Date, in.OrgID, in.Kind, in.Positions, in.Attendees, in.Hires, 1); err != nil {
		return 0, err
	}
	return id, audit.Append(ctx, tx, audit.Entry{Action: "labor.event.create", Object: "labor_event", ObjectID: id, Summary: eventSummary(in)})
}

func eventSummary(in EventInput) map[string]any {
	return map[string]any{"name": in.Name, "kind": in.Kind, "date": in.Date.String(), "org_id": in.OrgID, "enterprises": len(in.Enterprises),
		"positions": in.Positions, "attendees": in.Attendees, "hires": in.Hires}
}

// UpdateEvent changes an event. An enterprise that received workers
// through the event stays among its participants, and the date may not move
// after a placement made from it.
func (s *Service) UpdateEvent(ctx context.Context, p *access.Principal, id int64, in EventInput) (Event, error) {
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		old, err := s.getEvent(ctx, tx, officeScope(p, "v.org_id"), id)
		if err != nil {
			return err
		}
		if err := in.Validate(); err != nil {
			return err
		}
		if err := checkEvent(ctx, tx, p, &in); err != nil {
			return err
		}
		keep := map[int64]bool{}
		for _, e := range in.Enterprises {
			keep[e] = true
		}
		rows, err := tx.Query(ctx, `SELECT pl.enterprise_id, e.name, MIN(pl.date) FROM labor_placements pl JOIN enterprises e ON e.id = pl.enterprise_id
			WHERE pl.event_id = ? GROUP BY pl.enterprise_id, e.name`, id)
		if err != nil {
			return err
		}
		var bad error
		for rows.Next() {
			var ent int64
			var name string
			var first civil.Date
			if err := rows.Scan(&ent, &name, &first); err != nil {
				rows.Close()
				return err
			}
			switch {
			case bad != nil:
			case !keep[ent]:
				bad = errs.Conflictf("%s 已通过本场活动招到工人，不能移出参会企业", "%s received workers through this event and must stay a participant", name)
			case first.Before(in.Date):
				bad = errs.Invalidf("date", "本场活动已有 %s 到岗的记录，活动日期不能晚于该日", "A placement from this event is dated %s; the event cannot move after it", first)
			}
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if bad != nil {
			return bad
		}
		if _, err := tx.Exec(ctx, `UPDATE labor_events SET name = ?, kind = ?, date = ?, org_id = ?, venue = ?, positions = ?, attendees = ?,
			hires = ?, note = ?, updated_at = ? WHERE id = ?`,
			in.Name, in.Kind, in.Date, in.OrgID, in.Venue, in.Positions, in.Attendees, in.Hires, in.Note, tx.Now, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM labor_event_enterprises WHERE event_id = ?", id); err != nil {
			return err
		}
		for _, e := range in.Enterprises {
			if _, err := tx.Exec(ctx, "INSERT INTO labor_event_enterprises (event_id, enterprise_id) VALUES (?, ?)", id, e); err != nil {
				return err
			}
		}
		if err := eventRollups(ctx, tx, old.Date, old.OrgID, old.Kind, old.Positions, old.Attendees, old.Hires, -1); err != nil {
			return err
		}
		if err := eventRollups(ctx, tx, in.Date, in.OrgID, in.Kind, in.Positions, in.Attendees, in.Hires, 1); err != nil {
			return err
		}
		before := eventSummary(EventInput{Name: old.Name, Kind: old.Kind, Date: old.Date, OrgID: old.OrgID, Enterprises: old.Enterprises,
			Positions: old.Positions, Attendees: old.Attendees, Hires: old.Hires})
		return audit.Append(ctx, tx, audit.Entry{Action: "labor.event.update", Object: "labor_event", ObjectID: id, Summary: audit.Change(before, eventSummary(in))})
	})
	if err != nil {
		return Event{}, err
	}
	return s.GetEvent(ctx, p, id)
}
