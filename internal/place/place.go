// Package place is the register of industry–city integration (产城融合):
// residential clusters, industrial service centres, neighbourhood centres
// and public facilities (schools, hospitals, culture, sports, transport),
// each with its status and its place on the map. The integration projects
// that build them are key projects, kept by the projects module.
package place

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
	"xiaoer/internal/org"
	"xiaoer/internal/store"
)

// Kind is the kind of a place.
type Kind string

// Place kinds.
const (
	Residential   Kind = "residential_cluster"  // 居住组团
	ServiceCenter Kind = "service_center"       // 园区级产业服务中心
	Neighbourhood Kind = "neighbourhood_center" // 生活和生产邻里中心
	School        Kind = "school"
	Hospital      Kind = "hospital"
	Culture       Kind = "culture"
	Sports        Kind = "sports"
	Transport     Kind = "transport"
)

// Kinds lists every kind in display order.
var Kinds = []Kind{Residential, ServiceCenter, Neighbourhood, School, Hospital, Culture, Sports, Transport}

// Label is the kind's name.
func (k Kind) Label() i18n.Text {
	switch k {
	case Residential:
		return i18n.T("居住组团", "Residential cluster")
	case ServiceCenter:
		return i18n.T("产业服务中心", "Industrial service centre")
	case Neighbourhood:
		return i18n.T("邻里中心", "Neighbourhood centre")
	case School:
		return i18n.T("学校", "School")
	case Hospital:
		return i18n.T("医疗", "Hospital")
	case Culture:
		return i18n.T("文化", "Culture")
	case Sports:
		return i18n.T("体育", "Sports")
	case Transport:
		return i18n.T("交通", "Transport")
	}
	return i18n.T(string(k), string(k))
}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return slices.Contains(Kinds, k) }

// Status is how far a place has come.
type Status string

// Statuses, in order.
const (
	Planned  Status = "planned"
	Building Status = "building"
	Open     Status = "open"
)

// Statuses lists every status in order.
var Statuses = []Status{Planned, Building, Open}

// Label is the status's name.
func (s Status) Label() i18n.Text {
	switch s {
	case Planned:
		return i18n.T("规划中", "Planned")
	case Building:
		return i18n.T("在建", "Being built")
	case Open:
		return i18n.T("已建成", "Open")
	}
	return i18n.T(string(s), string(s))
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// Place is one residential cluster, centre or public facility.
type Place struct {
	ID          int64      `json:"id,string"`
	Name        string     `json:"name"`
	Kind        Kind       `json:"kind"`
	Status      Status     `json:"status"`
	Lat         float64    `json:"lat" doc:"latitude, degrees north, as read from the zone's maps"`
	Lng         float64    `json:"lng" doc:"longitude, degrees east"`
	OrgID       int64      `json:"org_id,string" doc:"the street, community or park it lies in"`
	OrgName     string     `json:"org_name"`
	Address     string     `json:"address,omitempty"`
	OpenedOn    civil.Date `json:"opened_on,omitzero"`
	Description string     `json:"description,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// Input is the body of create and update.
type Input struct {
	Name        string     `json:"name"`
	Kind        Kind       `json:"kind"`
	Status      Status     `json:"status"`
	Lat         float64    `json:"lat"`
	Lng         float64    `json:"lng"`
	OrgID       int64      `json:"org_id,string,omitempty" doc:"the user's own org by default"`
	Address     string     `json:"address,omitempty"`
	OpenedOn    civil.Date `json:"opened_on,omitzero" doc:"only for an open place; not in the future"`
	Description string     `json:"description,omitempty"`
}

// China's extent: coordinates outside it are typing errors (or latitude
// and longitude swapped).
const (
	minLat, maxLat = 3.8, 53.6
	minLng, maxLng = 73.4, 135.1
)

func text(field string, s *string, max int, zh, en string) error {
	*s = strings.TrimSpace(*s)
	if utf8.RuneCountInString(*s) > max {
		return errs.Invalidf(field, "%s不能超过%d字", "%s must be at most %d characters", i18n.T(zh, en), max)
	}
	return nil
}

// Validate checks the fields that need no database.
func (in *Input) Validate(today civil.Date) error {
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" {
		return errs.Invalidf("name", "请填写名称", "name is required")
	}
	if err := text("name", &in.Name, 100, "名称", "name"); err != nil {
		return err
	}
	if err := text("address", &in.Address, 200, "地址", "address"); err != nil {
		return err
	}
	if err := text("description", &in.Description, 2000, "说明", "description"); err != nil {
		return err
	}
	if !in.Kind.Valid() {
		return errs.Invalidf("kind", "类型应为 residential_cluster、service_center、neighbourhood_center、school、hospital、culture、sports 或 transport",
			"kind must be residential_cluster, service_center, neighbourhood_center, school, hospital, culture, sports or transport")
	}
	if !in.Status.Valid() {
		return errs.Invalidf("status", "状态应为 planned、building 或 open", "status must be planned, building or open")
	}
	if in.Lat == 0 && in.Lng == 0 {
		return errs.Invalidf("lat", "请填写坐标（纬度、经度）", "lat and lng are required")
	}
	if in.Lat < minLat || in.Lat > maxLat {
		return errs.Invalidf("lat", "纬度 %g 不在中国境内（%g–%g），请检查是否与经度填反", "lat %g is outside China (%g–%g): are lat and lng swapped?", in.Lat, minLat, maxLat)
	}
	if in.Lng < minLng || in.Lng > maxLng {
		return errs.Invalidf("lng", "经度 %g 不在中国境内（%g–%g）", "lng %g is outside China (%g–%g)", in.Lng, minLng, maxLng)
	}
	if !in.OpenedOn.IsZero() {
		if in.Status != Open {
			return errs.Invalidf("opened_on", "只有已建成的设施才有启用日期", "Only an open place has opened_on")
		}
		if in.OpenedOn.After(today) {
			return errs.Invalidf("opened_on", "启用日期 %s 晚于今天", "opened_on %s is in the future", in.OpenedOn)
		}
	}
	return nil
}

// Service reads and writes the register.
type Service struct{ DB *store.DB }

// readScope: places are public facilities, so every business role sees
// them all; administrators see none.
func readScope(p *access.Principal) *access.Scope {
	sc := &access.Scope{}
	if p != nil && (p.System || !p.IsAdmin()) {
		sc.All()
	}
	return sc
}

// writeScope: the service office changes the places of its subtree.
func writeScope(p *access.Principal, alias string) *access.Scope {
	sc := &access.Scope{}
	switch {
	case p == nil:
	case p.System:
		sc.All()
	case p.Has(access.ServiceOffice):
		sc.InOrgTree(alias+".org_id", p.OrgPath)
	}
	return sc
}

func mayWrite(p *access.Principal) error {
	if p != nil && (p.System || p.Has(access.ServiceOffice)) {
		return nil
	}
	return errs.Forbiddenf("只有营商办可以登记产城融合设施", "Only the service office records places")
}

const sel = `SELECT p.id, p.name, p.kind, p.status, p.lat, p.lng, p.org_id, o.name, p.address, p.opened_on, p.description,
	p.created_at, p.updated_at FROM places p JOIN orgs o ON o.id = p.org_id`

type scanner interface{ Scan(...any) error }

func scan(sc scanner) (Place, error) {
	var x Place
	err := sc.Scan(&x.ID, &x.Name, &x.Kind, &x.Status, &x.Lat, &x.Lng, &x.OrgID, &x.OrgName, &x.Address, &x.OpenedOn, &x.Description,
		&x.CreatedAt, &x.UpdatedAt)
	return x, err
}

// Filter selects places.
type Filter struct {
	Q        string
	Kind     Kind
	Status   Status
	OrgID    int64 // the org node and everything beneath it
	BeforeID int64
	Limit    int
}

func (s *Service) where(ctx context.Context, p *access.Principal, f Filter) (store.Where, error) {
	var w store.Where
	w.Scope(readScope(p))
	if q := strings.TrimSpace(f.Q); q != "" {
		w.Add("(p.name LIKE ? ESCAPE '\\' OR p.address LIKE ? ESCAPE '\\')", store.Like("%", q, "%"), store.Like("%", q, "%"))
	}
	if f.Kind != "" {
		if !f.Kind.Valid() {
			return w, errs.Invalidf("kind", "类型无效", "Unknown kind")
		}
		w.Add("p.kind = ?", f.Kind)
	}
	if f.Status != "" {
		if !f.Status.Valid() {
			return w, errs.Invalidf("status", "状态无效", "Unknown status")
		}
		w.Add("p.status = ?", f.Status)
	}
	if f.OrgID != 0 {
		o, err := org.GetTx(ctx, s.DB.Read(), f.OrgID)
		if err != nil {
			return w, errs.Invalidf("org_id", "组织不存在", "No such org")
		}
		w.Add("p.org_id IN (SELECT id FROM orgs WHERE path LIKE ?)", o.Path+"%")
	}
	return w, nil
}

// Each yields the places matching f that p may see, newest first.
func (s *Service) Each(ctx context.Context, p *access.Principal, f Filter, yield func(Place) error) error {
	w, err := s.where(ctx, p, f)
	if err != nil {
		return err
	}
	if f.BeforeID > 0 {
		w.Add("p.id < ?", f.BeforeID)
	}
	where, args := w.SQL()
	q := sel + where + " ORDER BY p.id DESC"
	if f.Limit > 0 {
		q += " LIMIT " + strconv.Itoa(f.Limit)
	}
	rows, err := s.DB.Read().Query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		x, err := scan(rows)
		if err != nil {
			return err
		}
		if err := yield(x); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Count counts the places matching f that p may see.
func (s *Service) Count(ctx context.Context, p *access.Principal, f Filter) (int, error) {
	w, err := s.where(ctx, p, f)
	if err != nil {
		return 0, err
	}
	where, args := w.SQL()
	var n int
	err = s.DB.Read().QueryRow(ctx, "SELECT COUNT(*) FROM places p"+where, args...).Scan(&n)
	return n, err
}

// Get returns one place p may see.
func (s *Service) Get(ctx context.Context, p *access.Principal, id int64) (Place, error) {
	return get(ctx, s.DB.Read(), readScope(p), id)
}

func get(ctx context.Context, q store.Querier, sc *access.Scope, id int64) (Place, error) {
	var w store.Where
	w.Add("p.id = ?", id)
	w.Scope(sc)
	where, args := w.SQL()
	return scan(q.QueryRow(ctx, sel+where, args...))
}

// checkOrg checks that the place lies in a zone, street, community or park
// within p's subtree.
func checkOrg(ctx context.Context, q store.Querier, p *access.Principal, in *Input) error {
	if in.OrgID == 0 {
		in.OrgID = p.OrgID
	}
	o, err := org.GetTx(ctx, q, in.OrgID)
	if errs.Is(err, errs.NotFound) || in.OrgID == 0 {
		return errs.Invalidf("org_id", "请选择所在的街道、社区或园区", "org_id must name a street, community or park")
	}
	if err != nil {
		return err
	}
	switch o.Kind {
	case org.Zone, org.Street, org.Community, org.Park:
	default:
		return errs.Invalidf("org_id", "设施应位于园区、街道、社区或产业园区", "A place lies in a zone, street, community or park")
	}
	if !p.System && !strings.HasPrefix(o.Path, p.OrgPath) {
		return errs.Invalidf("org_id", "所选组织不在您的管辖范围内", "The org is outside your scope")
	}
	return nil
}

// Create records a place.
func (s *Service) Create(ctx context.Context, p *access.Principal, in Input) (Place, error) {
	var id int64
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		id, err = s.CreateTx(ctx, tx, p, in)
		return err
	})
	if err != nil {
		return Place{}, err
	}
	return s.Get(ctx, p, id)
}

// CreateTx records a place inside tx.
func (s *Service) CreateTx(ctx context.Context, tx *store.Tx, p *access.Principal, in Input) (int64, error) {
	if err := mayWrite(p); err != nil {
		return 0, err
	}
	if err := in.Validate(civil.Of(tx.Now)); err != nil {
		return 0, err
	}
	if err := checkOrg(ctx, tx, p, &in); err != nil {
		return 0, err
	}
	id, err := tx.Insert(ctx, `INSERT INTO places (name, kind, status, lat, lng, org_id, address, opened_on, description, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		in.Name, in.Kind, in.Status, in.Lat, in.Lng, in.OrgID, in.Address, in.OpenedOn, in.Description, tx.Now, tx.Now)
	if err != nil {
		return 0, err
	}
	return id, audit.Append(ctx, tx, audit.Entry{Action: "place.create", Object: "place", ObjectID: id, Summary: in})
}

// Update changes a place p may change (404 otherwise).
func (s *Service) Update(ctx context.Context, p *access.Principal, id int64, in Input) (Place, error) {
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := mayWrite(p); err != nil {
			return err
		}
		if err := in.Validate(civil.Of(tx.Now)); err != nil {
			return err
		}
		old, err := get(ctx, tx, writeScope(p, "p"), id)
		if err != nil {
			return err
		}
		if in.OrgID == 0 {
			in.OrgID = old.OrgID
		}
		if err := checkOrg(ctx, tx, p, &in); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE places SET name = ?, kind = ?, status = ?, lat = ?, lng = ?, org_id = ?, address = ?, opened_on = ?,
			description = ?, updated_at = ? WHERE id = ?`,
			in.Name, in.Kind, in.Status, in.Lat, in.Lng, in.OrgID, in.Address, in.OpenedOn, in.Description, tx.Now, id); err != nil {
			return err
		}
		before := Input{Name: old.Name, Kind: old.Kind, Status: old.Status, Lat: old.Lat, Lng: old.Lng, OrgID: old.OrgID,
			Address: old.Address, OpenedOn: old.OpenedOn, Description: old.Description}
		return audit.Append(ctx, tx, audit.Entry{Action: "place.update", Object: "place", ObjectID: id, Summary: audit.Change(before, in)})
	})
	if err != nil {
		return Place{}, err
	}
	return s.Get(ctx, p, id)
}

// Delete removes a place entered by mistake.
func (s *Service) Delete(ctx context.Context, p *access.Principal, id int64) error {
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := mayWrite(p); err != nil {
			return err
		}
		old, err := get(ctx, tx, writeScope(p, "p"), id)
		if err != nil {
			return err
		}
		if err := tx.ExecOne(ctx, "DELETE FROM places WHERE id = ?", id); err != nil {
			return err
		}
		return audit.Append(ctx, tx, audit.Entry{Action: "place.delete", Object: "place", ObjectID: id,
			Summary: map[string]any{"name": old.Name, "kind": old.Kind}})
	})
}

// Summary fills the "places" section of the period summary: how many of
// each kind the register holds (whatever their status: the plan counts, as
// the seed article's "5 residential clusters" does), "facilities" for the
// public ones together (schools, hospitals, culture, sports, transport),
// and by status on to. A place counts as open on to when it is open and
// opened on or before to (or its opening date is unknown); one opened later
// counts as being built. Planned and building are the current statuses: the
// register keeps no dates for them.
func (s *Service) Summary(ctx context.Context, q store.Querier, p *access.Principal, from, to civil.Date, into map[string]any) error {
	var w store.Where
	if p != nil && !p.System && p.OrgPath != "" && p.OrgPath != "/" {
		w.Add("org_id IN (SELECT id FROM orgs WHERE path LIKE ?)", p.OrgPath+"%")
	}
	where, args := w.SQL()
	rows, err := q.Query(ctx, "SELECT kind, status, opened_on FROM places"+where, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	out := map[string]any{}
	byKind, byStatus, openByKind := map[string]int64{}, map[string]int64{}, map[string]int64{}
	for _, st := range Statuses {
		byStatus[string(st)] = 0
	}
	var facilities int64
	for rows.Next() {
		var kind, status string
		var opened civil.Date
		if err := rows.Scan(&kind, &status, &opened); err != nil {
			return err
		}
		if status == string(Open) && opened.After(to) {
			status = string(Building)
		}
		byKind[kind]++
		byStatus[status]++
		if status == string(Open) {
			openByKind[kind]++
		}
		if Kind(kind).public() {
			facilities++
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, k := range Kinds {
		out[string(k)] = byKind[string(k)]
	}
	out["facilities"] = facilities
	out["by_status"] = byStatus
	out["open_by_kind"] = openByKind
	into["places"] = out
	return nil
}

// public reports whether k is a public facility rather than a cluster or
// a centre.
func (k Kind) public() bool { return k != Residential && k != ServiceCenter && k != Neighbourhood }
