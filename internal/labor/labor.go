// Package labor is the zone's recruitment service (招工稳岗): the labour
// demand enterprises report (缺工申报), the shortage list the office works
// from, the recruitment events it runs (现场、线上、驻厂、校园招聘) and the
// placements that deliver workers to an enterprise — linked to an event, a
// demand or both — which fill the demand in the same transaction.
package labor

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
)

// Demand is one enterprise's reported need for workers.
type Demand struct {
	ID             int64      `json:"id,string"`
	EnterpriseID   int64      `json:"enterprise_id,string"`
	EnterpriseName string     `json:"enterprise_name"`
	Job            string     `json:"job"`
	Headcount      int        `json:"headcount"`
	Filled         int        `json:"filled" doc:"workers delivered by placements linked to the demand"`
	Unfilled       int        `json:"unfilled"`
	UnfilledShare  float64    `json:"unfilled_share" doc:"unfilled ÷ headcount, 0..1"`
	NeedBy         civil.Date `json:"need_by"`
	PostedOn       civil.Date `json:"posted_on"`
	Closed         bool       `json:"closed"`
	Urgency        Urgency    `json:"urgency" doc:"overdue, soon (need-by within 7 days) or empty"`
	Note           string     `json:"note,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`

	orgID int64
}

// Urgency is how pressing an open demand is.
type Urgency string

// Urgencies.
const (
	Overdue Urgency = "overdue" // past its need-by date and not filled
	Soon    Urgency = "soon"    // needed within SoonDays
)

// SoonDays is how close a need-by date makes a demand urgent.
const SoonDays = 7

// Label is the urgency's name.
func (u Urgency) Label() i18n.Text {
	switch u {
	case Overdue:
		return i18n.T("已逾期", "Overdue")
	case Soon:
		return i18n.T("临近", "Due soon")
	}
	return i18n.T("", "")
}

// Tone is the colour the pages give the urgency.
func (u Urgency) Tone() string {
	switch u {
	case Overdue:
		return "red"
	case Soon:
		return "yellow"
	}
	return ""
}

// derive fills the figures computed from the stored ones, as of today.
func (d *Demand) derive(today civil.Date) {
	d.Unfilled = d.Headcount - d.Filled
	if d.Headcount > 0 {
		d.UnfilledShare = float64(d.Unfilled) / float64(d.Headcount)
	}
	d.Urgency = ""
	if d.Closed || d.Unfilled <= 0 {
		return
	}
	switch {
	case d.NeedBy.Before(today):
		d.Urgency = Overdue
	case !d.NeedBy.After(today.AddDays(SoonDays)):
		d.Urgency = Soon
	}
}

// DemandInput is the body of creating or changing a demand.
type DemandInput struct {
	EnterpriseID int64      `json:"enterprise_id,string,omitempty" doc:"an enterprise user's own enterprise when omitted"`
	Job          string     `json:"job"`
	Headcount    int        `json:"headcount"`
	NeedBy       civil.Date `json:"need_by"`
	PostedOn     civil.Date `json:"posted_on,omitempty" doc:"default today; may lie in the past"`
	Closed       bool       `json:"closed,omitempty"`
	Note         string     `json:"note,omitempty"`
}

// MaxHeadcount bounds the workers one demand, event or placement may name.
const MaxHeadcount = 100_000

// Validate normalises and checks the fields that need no database.
func (in *DemandInput) Validate() error {
	in.Job = strings.TrimSpace(in.Job)
	in.Note = strings.TrimSpace(in.Note)
	switch {
	case in.Job == "":
		return errs.Invalidf("job", "请填写岗位（工种）", "job is required")
	case utf8.RuneCountInString(in.Job) > 100:
		return errs.Invalidf("job", "岗位不能超过100字", "job must be at most 100 characters")
	case in.Headcount < 1 || in.Headcount > MaxHeadcount:
		return errs.Invalidf("headcount", "需求人数应在1到%d之间", "headcount must be from 1 to %d", MaxHeadcount)
	case in.NeedBy.IsZero():
		return errs.Invalidf("need_by", "请填写需要到岗的日期", "need_by is required")
	case utf8.RuneCountInString(in.Note) > 2000:
		return errs.Invalidf("note", "备注不能超过2000字", "note must be at most 2000 characters")
	}
	return nil
}

// EventKind is the form of a recruitment event.
type EventKind string

// Event kinds.
const (
	Onsite    EventKind = "onsite"    // 现场招聘会
	Online    EventKind = "online"    // 线上/直播招聘
	Stationed EventKind = "stationed" // 驻厂招聘
	Campus    EventKind = "campus"    // 校园招聘
)

// EventKinds lists every kind.
var EventKinds = []EventKind{Onsite, Online, Stationed, Campus}

// Valid reports whether k is a known kind.
func (k EventKind) Valid() bool {
	return k == Onsite || k == Online || k == Stationed || k == Campus
}

// Label is the kind's name.
func (k EventKind) Label() i18n.Text {
	switch k {
	case Onsite:
		return i18n.T("现场招聘", "On-site fair")
	case Online:
		return i18n.T("线上招聘", "Online")
	case Stationed:
		return i18n.T("驻厂招聘", "Stationed at a factory")
	case Campus:
		return i18n.T("校园招聘", "Campus")
	}
	return i18n.T(string(k), string(k))
}

// Event is one recruitment event.
type Event struct {
	ID           int64       `json:"id,string"`
	Name         string      `json:"name"`
	Kind         EventKind   `json:"kind"`
	Date         civil.Date  `json:"date"`
	OrgID        int64       `json:"org_id,string"`
	OrgName      string      `json:"org_name"`
	Venue        string      `json:"venue,omitempty"`
	Enterprises  IDs         `json:"enterprises" doc:"ids of the participating enterprises"`
	Participants []Reference `json:"participants"`
	Positions    int         `json:"positions" doc:"positions offered (提供岗位数)"`
	Attendees    int         `json:"attendees" doc:"job seekers who came (进场求职人数)"`
	Hires        int         `json:"hires" doc:"agreements reached at the event (达成意向人数)"`
	Placed       int         `json:"placed" doc:"workers delivered by placements linked to the event"`
	Note         string      `json:"note,omitempty"`
	CreatedAt    time.Time   `json:"created_at"`
	UpdatedAt    time.Time   `json:"updated_at"`
}

// Reference names a record.
type Reference struct {
	ID   int64  `json:"id,string"`
	Name string `json:"name"`
}

// EventInput is the body of creating or changing an event.
type EventInput struct {
	Name        string     `json:"name"`
	Kind        EventKind  `json:"kind"`
	Date        civil.Date `json:"date"`
	OrgID       int64      `json:"org_id,string,omitempty" doc:"the organising org; default the user's own"`
	Venue       string     `json:"venue,omitempty"`
	Enterprises IDs        `json:"enterprises"`
	Positions   int        `json:"positions"`
	Attendees   int        `json:"attendees"`
	Hires       int        `json:"hires"`
	Note        string     `json:"note,omitempty"`
}

// MaxParticipants bounds the enterprises of one event.
const MaxParticipants = 2000

// Validate normalises and checks the fields that need no database.
func (in *EventInput) Validate() error {
	in.Name = strings.TrimSpace(in.Name)
	in.Venue = strings.TrimSpace(in.Venue)
	in.Note = strings.TrimSpace(in.Note)
	in.Enterprises = in.Enterprises.unique()
	switch {
	case in.Name == "":
		return errs.Invalidf("name", "请填写活动名称", "name is required")
	case utf8.RuneCountInString(in.Name) > 200:
		return errs.Invalidf("name", "活动名称不能超过200字", "name must be at most 200 characters")
	case !in.Kind.Valid():
		return errs.Invalidf("kind", "活动形式应为 onsite、online、stationed 或 campus", "kind must be onsite, online, stationed or campus")
	case in.Date.IsZero():
		return errs.Invalidf("date", "请填写活动日期", "date is required")
	case utf8.RuneCountInString(in.Venue) > 200:
		return errs.Invalidf("venue", "地点不能超过200字", "venue must be at most 200 characters")
	case len(in.Enterprises) > MaxParticipants:
		return errs.Invalidf("enterprises", "参会企业不能超过%d家", "at most %d enterprises may take part", MaxParticipants)
	case in.Positions < 0 || in.Positions > 10*MaxHeadcount:
		return errs.Invalidf("positions", "岗位数应在0到%d之间", "positions must be from 0 to %d", 10*MaxHeadcount)
	case in.Attendees < 0 || in.Attendees > 10*MaxHeadcount:
		return errs.Invalidf("attendees", "求职人数应在0到%d之间", "attendees must be from 0 to %d", 10*MaxHeadcount)
	case in.Hires < 0 || in.Hires > in.Attendees && in.Attendees > 0:
		return errs.Invalidf("hires", "达成意向人数不能为负，也不能多于求职人数", "hires must not be negative nor above the attendees")
	case utf8.RuneCountInString(in.Note) > 2000:
		return errs.Invalidf("note", "备注不能超过2000字", "note must be at most 2000 characters")
	}
	return nil
}

// Placement is a delivery of workers to an enterprise.
type Placement struct {
	ID             int64      `json:"id,string"`
	EnterpriseID   int64      `json:"enterprise_id,string"`
	EnterpriseName string     `json:"enterprise_name"`
	EventID        int64      `json:"event_id,string,omitempty"`
	EventName      string     `json:"event_name,omitempty"`
	DemandID       int64      `json:"demand_id,string,omitempty"`
	DemandJob      string     `json:"demand_job,omitempty"`
	Date           civil.Date `json:"date"`
	Workers        int        `json:"workers"`
	Note           string     `json:"note,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`

	orgID int64
}

// PlacementInput is the body of recording a placement.
type PlacementInput struct {
	EnterpriseID int64      `json:"enterprise_id,string,omitempty" doc:"default the demand's enterprise"`
	EventID      int64      `json:"event_id,string,omitempty"`
	DemandID     int64      `json:"demand_id,string,omitempty"`
	Date         civil.Date `json:"date"`
	Workers      int        `json:"workers"`
	Note         string     `json:"note,omitempty"`
}

// Validate checks the fields that need no database.
func (in *PlacementInput) Validate() error {
	in.Note = strings.TrimSpace(in.Note)
	switch {
	case in.EventID == 0 && in.DemandID == 0:
		return errs.Invalidf("event_id", "请注明是哪场招聘活动或哪条缺工申报送来的工人", "name the event or the demand the workers came through")
	case in.EnterpriseID == 0 && in.DemandID == 0:
		return errs.Invalidf("enterprise_id", "请选择企业", "enterprise_id is required")
	case in.Date.IsZero():
		return errs.Invalidf("date", "请填写到岗日期", "date is required")
	case in.Workers < 1 || in.Workers > MaxHeadcount:
		return errs.Invalidf("workers", "人数应在1到%d之间", "workers must be from 1 to %d", MaxHeadcount)
	case utf8.RuneCountInString(in.Note) > 2000:
		return errs.Invalidf("note", "备注不能超过2000字", "note must be at most 2000 characters")
	}
	return nil
}

// IDs is a list of record ids, written as strings in JSON (ids are opaque)
// and read from strings or numbers.
type IDs []int64

// MarshalJSON writes the ids as strings.
func (ids IDs) MarshalJSON() ([]byte, error) {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return json.Marshal(s)
}

// UnmarshalJSON reads a list of ids given as strings or numbers.
func (ids *IDs) UnmarshalJSON(b []byte) error {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return errs.Invalidf("enterprises", "应为编号列表", "must be a list of ids")
	}
	out := make(IDs, 0, len(raw))
	for _, r := range raw {
		var s string
		if json.Unmarshal(r, &s) != nil {
			s = string(r)
		}
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return errs.Invalidf("enterprises", "「%s」不是有效的编号", "%s is not a valid id", s)
		}
		out = append(out, id)
	}
	*ids = out
	return nil
}

func (ids IDs) unique() IDs {
	seen := map[int64]bool{}
	out := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// readScope is who sees the labour records of an enterprise, over the
// enterprises alias e: the office and leaders their org subtree, a cadre
// the enterprises assigned to them, an enterprise itself.
func readScope(p *access.Principal, e string) *access.Scope {
	sc := &access.Scope{}
	switch {
	case p == nil:
	case p.System:
		sc.All()
	case p.IsAdmin():
	default:
		if p.Has(access.Leader, access.ServiceOffice) {
			sc.InOrgTree(e+".org_id", p.OrgPath)
		}
		if p.Has(access.Cadre) {
			sc.Or(e+".cadre_user_id = ?", p.UserID)
		}
		if p.Has(access.Enterprise) && p.EnterpriseID != 0 {
			sc.Or(e+".id = ?", p.EnterpriseID)
		}
	}
	return sc
}

// demandWriteScope is who may post or change an enterprise's demand: the
// office within its subtree and the enterprise itself.
func demandWriteScope(p *access.Principal, e string) *access.Scope {
	sc := &access.Scope{}
	switch {
	case p == nil:
	case p.System:
		sc.All()
	default:
		if p.Has(access.ServiceOffice) {
			sc.InOrgTree(e+".org_id", p.OrgPath)
		}
		if p.Has(access.Enterprise) && p.EnterpriseID != 0 {
			sc.Or(e+".id = ?", p.EnterpriseID)
		}
	}
	return sc
}

// officeScope is who may record events and placements: the office within
// its subtree, over an org column.
func officeScope(p *access.Principal, orgCol string) *access.Scope {
	sc := &access.Scope{}
	switch {
	case p == nil:
	case p.System:
		sc.All()
	case p.Has(access.ServiceOffice):
		sc.InOrgTree(orgCol, p.OrgPath)
	}
	return sc
}

// eventScope is who sees recruitment events: they are public
// announcements, so every business role does; the admin roles see none.
func eventScope(p *access.Principal) *access.Scope {
	sc := &access.Scope{}
	if p != nil && (p.System || !p.IsAdmin()) {
		sc.All()
	}
	return sc
}
