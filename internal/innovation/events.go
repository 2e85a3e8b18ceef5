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
	"xiaoer/internal/rollup"
	"xiaoer/internal/store"
)

// EventKind is the kind of an innovation event.
type EventKind string

// Event kinds.
const (
	Contest    EventKind = "contest"    // 创新创业大赛、挑战赛
	Conference EventKind = "conference" // 科技创新大会、对接会
	Roadshow   EventKind = "roadshow"   // 项目路演
	Training   EventKind = "training"   // 申报辅导、培训
)

// EventKinds lists every kind.
var EventKinds = []EventKind{Contest, Conference, Roadshow, Training}

// Label is the kind's name.
func (k EventKind) Label() i18n.Text {
	switch k {
	case Contest:
		return i18n.T("赛事", "Contest")
	case Conference:
		return i18n.T("会议", "Conference")
	case Roadshow:
		return i18n.T("路演", "Roadshow")
	case Training:
		return i18n.T("培训", "Training")
	}
	return i18n.T(string(k), string(k))
}

// Valid reports whether k is a known kind.
func (k EventKind) Valid() bool { return slices.Contains(EventKinds, k) }

// Event is one innovation event: a contest round, a conference, a roadshow
// or a training. Events are published notices, so every business role may
// read them.
type Event struct {
	ID           int64      `json:"id,string"`
	Name         string     `json:"name"`
	Kind         EventKind  `json:"kind"`
	Date         civil.Date `json:"date"`
	OrgID        int64      `json:"org_id,string" doc:"the organising org node"`
	OrgName      string     `json:"org_name"`
	Organizer    string     `json:"organizer,omitempty"`
	Venue        string     `json:"venue,omitempty"`
	Participants int        `json:"participants" doc:"people taking part"`
	Enterprises  int        `json:"enterprises" doc:"enterprises taking part"`
	Results      string     `json:"results,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

// EventInput is the body of create and update.
type EventInput struct {
	Name         string     `json:"name"`
	Kind         EventKind  `json:"kind"`
	Date         civil.Date `json:"date" doc:"may lie ahead: events are announced before they happen"`
	OrgID        int64      `json:"org_id,string,omitempty" doc:"the organising zone, street or park; the user's own org by default"`
	Organizer    string     `json:"organizer,omitempty"`
	Venue        string     `json:"venue,omitempty"`
	Participants int        `json:"participants"`
	Enterprises  int        `json:"enterprises"`
	Results      string     `json:"results,omitempty"`
}

// Validate checks the fields that need no database.
func (in *EventInput) Validate() error {
	if err := text("name", &in.Name, 100, true, "活动名称", "name"); err != nil {
		return err
	}
	if !in.Kind.Valid() {
		return errs.Invalidf("kind", "活动类型应为 contest、conference、roadshow 或 training", "kind must be contest, conference, roadshow or training")
	}
	if in.Date.IsZero() {
		return errs.Invalidf("date", "请填写活动日期", "date is required")
	}
	if in.Date.Year < 2000 || in.Date.Year > 2100 {
		return errs.Invalidf("date", "活动日期 %s 不合理", "date %s is implausible", in.Date)
	}
	if err := text("organizer", &in.Organizer, 100, false, "主办单位", "organizer"); err != nil {
		return err
	}
	if err := text("venue", &in.Venue, 100, false, "地点", "venue"); err != nil {
		return err
	}
	if err := text("results", &in.Results, 4000, false, "活动成果", "results"); err != nil {
		return err
	}
	if in.Participants < 0 || in.Participants > maxCount {
		return errs.Invalidf("participants", "参加人数应在0到%d之间", "participants must be between 0 and %d", maxCount)
	}
	if in.Enterprises < 0 || in.Enterprises > maxCount {
		return errs.Invalidf("enterprises", "参加企业数应在0到%d之间", "enterprises must be between 0 and %d", maxCount)
	}
	return nil
}

const eventSelect = `SELECT v.id, v.name, v.kind, v.date, v.org_id, o.name, v.organizer, v.venue, v.participants, v.enterprises, v.results,
	v.created_at, v.updated_at FROM inn_events v JOIN orgs o ON o.id = v.org_id`

func scanEvent(sc scanner) (Event, error) {
	var e Event
	err := sc.Scan(&e.ID, &e.Name, &e.Kind, &e.Date, &e.OrgID, &e.OrgName, &e.Organizer, &e.Venue, &e.Participants, &e.Enterprises,
		&e.Results, &e.CreatedAt, &e.UpdatedAt)
	return e, err
}

// EventFilter selects events.
type EventFilter struct {
	Q        string
	Kind     EventKind
	From, To civil.Date
	Page
}

func (f EventFilter) where(p *access.Principal) (store.Where, error) {
	var w store.Where
	w.Scope(readScope(p, "v", "", true))
	like(&w, f.Q, "v.name", "v.organizer")
	if f.Kind != "" {
		if !f.Kind.Valid() {
			return w, errs.Invalidf("kind", "活动类型无效", "Unknown event kind")
		}
		w.Add("v.kind = ?", f.Kind)
	}
	if !f.From.IsZero() {
		w.Add("v.date >= ?", f.From)
	}
	if !f.To.IsZero() {
		w.Add("v.date <= ?", f.To)
	}
	return w, nil
}

// Events yields the events matching f, newest first.
func (s *Service) Events(ctx context.Context, p *access.Principal, f EventFilter, yield func(Event) error) error {
	w, err := f.where(p)
	if err != nil {
		return err
	}
	return each(ctx, s.DB.Read(), eventSelect, w, "v.id", f.Page, scanEvent, yield)
}

// CountEvents counts the events matching f.
func (s *Service) CountEvents(ctx context.Context, p *access.Principal, f EventFilter) (int, error) {
	w, err := f.where(p)
	if err != nil {
		return 0, err
	}
	return count(ctx, s.DB.Read(), "inn_events v", w)
}

// Event returns one event.
func (s *Service) Event(ctx context.Context, p *access.Principal, id int64) (Event, error) {
	return getEvent(ctx, s.DB.Read(), readScope(p, "v", "", true), id)
}

func getEvent(ctx context.Context, q store.Querier, sc *access.Scope, id int64) (Event, error) {
	var w store.Where
	w.Add("v.id = ?", id)
	w.Scope(sc)
	where, args := w.SQL()
	return scanEvent(q.QueryRow(ctx, eventSelect+where, args...))
}

func (in *EventInput) anchor(ctx context.Context, q store.Querier, p *access.Principal) (anchor, error) {
	if in.OrgID == 0 {
		in.OrgID = p.OrgID
	}
	if in.OrgID == 0 {
		return anchor{}, errs.Invalidf("org_id", "请选择主办的园区、街道或产业园区", "org_id is required")
	}
	a, err := orgAnchor(ctx, q, in.OrgID, "org_id", org.Zone, org.Street, org.Community, org.Park)
	if err != nil {
		return a, err
	}
	return a, a.within(p, "org_id")
}

// eventRollup counts an event (sign +1) or takes it back (−1).
func eventRollup(ctx context.Context, tx *store.Tx, date civil.Date, orgID int64, kind EventKind, sign int64) error {
	return rollup.Add(ctx, tx, MetricEvents, date, orgID, string(kind), sign)
}

// CreateEvent records an event.
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
	return s.Event(ctx, p, id)
}

// CreateEventTx records an event inside tx.
func (s *Service) CreateEventTx(ctx context.Context, tx *store.Tx, p *access.Principal, in EventInput) (int64, error) {
	if err := mayWrite(p); err != nil {
		return 0, err
	}
	if err := in.Validate(); err != nil {
		return 0, err
	}
	a, err := in.anchor(ctx, tx, p)
	if err != nil {
		return 0, err
	}
	id, err := tx.Insert(ctx, `INSERT INTO inn_events (name, kind, date, org_id, organizer, venue, participants, enterprises, results,
		created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		in.Name, in.Kind, in.Date, a.OrgID, in.Organizer, in.Venue, in.Participants, in.Enterprises, in.Results, tx.Now, tx.Now)
	if err != nil {
		return 0, err
	}
	if err := eventRollup(ctx, tx, in.Date, a.OrgID, in.Kind, 1); err != nil {
		return 0, err
	}
	return id, audit.Append(ctx, tx, audit.Entry{Action: "innovation.event.create", Object: "inn_event", ObjectID: id,
		Summary: map[string]any{"name": in.Name, "kind": in.Kind, "date": in.Date, "org_id": a.OrgID}})
}

// UpdateEvent changes an event; its count moves with its date, org and kind.
func (s *Service) UpdateEvent(ctx context.Context, p *access.Principal, id int64, in EventInput) (Event, error) {
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := mayWrite(p); err != nil {
			return err
		}
		if err := in.Validate(); err != nil {
			return err
		}
		old, err := getEvent(ctx, tx, writeScope(p, "v"), id)
		if err != nil {
			return err
		}
		if in.OrgID == 0 {
			in.OrgID = old.OrgID
		}
		a, err := in.anchor(ctx, tx, p)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE inn_events SET name = ?, kind = ?, date = ?, org_id = ?, organizer = ?, venue = ?, participants = ?,
			enterprises = ?, results = ?, updated_at = ? WHERE id = ?`,
			in.Name, in.Kind, in.Date, a.OrgID, in.Organizer, in.Venue, in.Participants, in.Enterprises, in.Results, tx.Now, id); err != nil {
			return err
		}
		if err := eventRollup(ctx, tx, old.Date, old.OrgID, old.Kind, -1); err != nil {
			return err
		}
		if err := eventRollup(ctx, tx, in.Date, a.OrgID, in.Kind, 1); err != nil {
			return err
		}
		return audit.Append(ctx, tx, audit.Entry{Action: "innovation.event.update", Object: "inn_event", ObjectID: id, Summary: audit.Change(
			map[string]any{"name": old.Name, "kind": old.Kind, "date": old.Date, "org_id": old.OrgID, "participants": old.Participants},
			map[string]any{"name": in.Name, "kind": in.Kind, "date": in.Date, "org_id": a.OrgID, "participants": in.Participants})})
	})
	if err != nil {
		return Event{}, err
	}
	return s.Event(ctx, p, id)
}

// DeleteEvent removes an event entered by mistake, and its count.
func (s *Service) DeleteEvent(ctx context.Context, p *access.Principal, id int64) error {
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := mayWrite(p); err != nil {
			return err
		}
		old, err := getEvent(ctx, tx, writeScope(p, "v"), id)
		if err != nil {
			return err
		}
		if err := tx.ExecOne(ctx, "DELETE FROM inn_events WHERE id = ?", id); err != nil {
			return err
		}
		if err := eventRollup(ctx, tx, old.Date, old.OrgID, old.Kind, -1); err != nil {
			return err
		}
		return audit.Append(ctx, tx, audit.Entry{Action: "innovation.event.delete", Object: "inn_event", ObjectID: id,
			Summary: map[string]any{"name": old.Name, "kind": old.Kind, "date": old.Date}})
	})
}
