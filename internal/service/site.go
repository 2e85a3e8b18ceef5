// Package service is the zone's government-service network (政务服务): the
// sites in four levels down to the micro-sites in parks, shopping streets
// and housing estates, the catalog of matters (事项) and which site offers
// which — on the spot or remotely through the city hall — the cases (办件)
// received there with their working-day time limits, the evaluations
// (好差评) with the rectification of bad reviews, and the remote sessions of
// the "cloud supermarket" (云端政务超市).
package service

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/calendar"
	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
	"xiaoer/internal/org"
	"xiaoer/internal/pii"
	"xiaoer/internal/store"
)

// Level is a site's place in the four-level network.
type Level string

// The four levels.
const (
	DistrictHall     Level = "district_hall"
	StreetHall       Level = "street_hall"
	CommunityStation Level = "community_station"
	MicroSite        Level = "micro_site"
)

// Levels lists the levels from the top.
var Levels = []Level{DistrictHall, StreetHall, CommunityStation, MicroSite}

// Label is the level's name.
func (l Level) Label() i18n.Text {
	switch l {
	case DistrictHall:
		return i18n.T("区级企业服务大厅", "District service hall")
	case StreetHall:
		return i18n.T("街道便民服务大厅", "Street service hall")
	case CommunityStation:
		return i18n.T("村(社区)便民服务站", "Community service station")
	case MicroSite:
		return i18n.T("微站点", "Micro-site")
	}
	return i18n.T(string(l), string(l))
}

// Valid reports whether l is a known level.
func (l Level) Valid() bool {
	return l == DistrictHall || l == StreetHall || l == CommunityStation || l == MicroSite
}

// rank orders levels from the top, so that a parent is above its child.
func (l Level) rank() int {
	for i, x := range Levels {
		if x == l {
			return i
		}
	}
	return len(Levels)
}

// MicroKinds are the kinds of micro-site the zone runs; a site may name
// another kind.
var MicroKinds = []string{"政务小站", "政务V站", "政务小屋", "政务小店", "企业驿站"}

// Site is one service site.
type Site struct {
	ID           int64      `json:"id,string"`
	Code         string     `json:"code" doc:"short code that starts the site's case numbers"`
	Name         string     `json:"name"`
	Level        Level      `json:"level"`
	Kind         string     `json:"kind"`
	OrgID        int64      `json:"org_id,string"`
	OrgName      string     `json:"org_name"`
	ParentSiteID int64      `json:"parent_site_id,string,omitempty"`
	ParentName   string     `json:"parent_name,omitempty"`
	Address      string     `json:"address"`
	Lat          *float64   `json:"lat"`
	Lng          *float64   `json:"lng"`
	OpeningHours string     `json:"opening_hours"`
	OpenedOn     civil.Date `json:"opened_on"`
	Windows      int        `json:"windows"`
	Staff        int        `json:"staff"`
	Phone        string     `json:"phone" doc:"the site's public service number"`
	Matters      int        `json:"matters" doc:"matters the site offers"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`

	orgPath string
}

// SiteInput is the body of site create and update.
type SiteInput struct {
	Code         string     `json:"code"`
	Name         string     `json:"name"`
	Level        Level      `json:"level"`
	Kind         string     `json:"kind"`
	OrgID        int64      `json:"org_id,string"`
	ParentSiteID int64      `json:"parent_site_id,string,omitempty"`
	Address      string     `json:"address"`
	Lat          *float64   `json:"lat"`
	Lng          *float64   `json:"lng"`
	OpeningHours string     `json:"opening_hours"`
	OpenedOn     civil.Date `json:"opened_on"`
	Windows      int        `json:"windows"`
	Staff        int        `json:"staff"`
	Phone        string     `json:"phone"`
}

func tooLong(field, s string, n int) error {
	if utf8.RuneCountInString(s) > n {
		return errs.Invalidf(field, "%s 不能超过%d字", "%s must be at most %d characters", field, n)
	}
	return nil
}

func firstErr(list ...error) error {
	for _, e := range list {
		if e != nil {
			return e
		}
	}
	return nil
}

var siteCodeRE = regexp.MustCompile(`^[A-Z0-9][A-Z0-9-]{1,19}$`)

// Validate normalises and checks the fields that need no database.
func (in *SiteInput) Validate() error {
	in.Code = strings.ToUpper(strings.TrimSpace(in.Code))
	in.Name = strings.TrimSpace(in.Name)
	in.Kind = strings.TrimSpace(in.Kind)
	in.Address = strings.TrimSpace(in.Address)
	in.OpeningHours = strings.TrimSpace(in.OpeningHours)
	in.Phone = strings.TrimSpace(in.Phone)
	switch {
	case !siteCodeRE.MatchString(in.Code):
		return errs.Invalidf("code", "站点代码应为2到20位大写字母、数字或连字符", "code must be 2 to 20 capital letters, digits or hyphens")
	case in.Name == "":
		return errs.Invalidf("name", "请填写站点名称", "name is required")
	case !in.Level.Valid():
		return errs.Invalidf("level", "层级应为 district_hall、street_hall、community_station 或 micro_site", "level must be district_hall, street_hall, community_station or micro_site")
	case in.Level == MicroSite && in.Kind == "":
		return errs.Invalidf("kind", "微站点须填写类型（政务小站、政务V站、政务小屋、政务小店等）", "A micro-site needs a kind (政务小站, 政务V站, 政务小屋, 政务小店 …)")
	case in.OrgID == 0:
		return errs.Invalidf("org_id", "请选择站点所属的街道、社区或园区", "org_id is required")
	case (in.Lat == nil) != (in.Lng == nil):
		return errs.Invalidf("lat", "经纬度须同时填写", "lat and lng go together")
	case in.Lat != nil && (*in.Lat < -90 || *in.Lat > 90):
		return errs.Invalidf("lat", "纬度应在-90到90之间", "lat must be between -90 and 90")
	case in.Lng != nil && (*in.Lng < -180 || *in.Lng > 180):
		return errs.Invalidf("lng", "经度应在-180到180之间", "lng must be between -180 and 180")
	case in.Windows < 0 || in.Windows > 500:
		return errs.Invalidf("windows", "窗口数应在0到500之间", "windows must be between 0 and 500")
	case in.Staff < 0 || in.Staff > 5000:
		return errs.Invalidf("staff", "工作人员数应在0到5000之间", "staff must be between 0 and 5000")
	}
	return firstErr(tooLong("name", in.Name, 100), tooLong("kind", in.Kind, 20), tooLong("address", in.Address, 200),
		tooLong("opening_hours", in.OpeningHours, 100), tooLong("phone", in.Phone, 30))
}

// Service is the service network's storage and rules.
type Service struct {
	DB     *store.DB
	Cipher *pii.Cipher
	Cal    *calendar.Calendar
}

// ReadSiteScope is who sees a site: everyone signed in with a business role
// sees the network (sites are public places with public hours); admins see
// none.
func ReadSiteScope(p *access.Principal) *access.Scope {
	sc := &access.Scope{}
	if p != nil && (p.System || !p.IsAdmin()) {
		sc.All()
	}
	return sc
}

// writeSiteScope is where p may change sites: the service office within its
// subtree.
func writeSiteScope(p *access.Principal, alias string) *access.Scope {
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

const siteCols = `s.id, s.code, s.name, s.level, s.kind, s.org_id, o.name, o.path, s.parent_site_id, COALESCE(ps.name, ''), s.address,
	s.lat, s.lng, s.opening_hours, s.opened_on, s.windows, s.staff, s.phone,
	(SELECT COUNT(*) FROM site_matters sm WHERE sm.site_id = s.id), s.created_at, s.updated_at`

const siteFrom = ` FROM sites s JOIN orgs o ON o.id = s.org_id LEFT JOIN sites ps ON ps.id = s.parent_site_id`

func scanSite(sc interface{ Scan(...any) error }) (Site, error) {
	var s Site
	err := sc.Scan(&s.ID, &s.Code, &s.Name, &s.Level, &s.Kind, &s.OrgID, &s.OrgName, &s.orgPath, store.Z(&s.ParentSiteID), &s.ParentName,
		&s.Address, &s.Lat, &s.Lng, &s.OpeningHours, &s.OpenedOn, &s.Windows, &s.Staff, &s.Phone, &s.Matters, &s.CreatedAt, &s.UpdatedAt)
	return s, err
}

// GetSite returns one site.
func (s *Service) GetSite(ctx context.Context, p *access.Principal, id int64) (Site, error) {
	return getSite(ctx, s.DB.Read(), p, id)
}

func getSite(ctx context.Context, q store.Querier, p *access.Principal, id int64) (Site, error) {
	var w store.Where
	w.Add("s.id = ?", id)
	w.Scope(ReadSiteScope(p))
	where, args := w.SQL()
	return scanSite(q.QueryRow(ctx, "SELECT "+siteCols+siteFrom+where, args...))
}

// SiteExists reports (as an error) whether site id exists: the account
// service checks a clerk's site with it.
func SiteExists(ctx context.Context, q store.Querier, id int64) error {
	var one int
	return q.QueryRow(ctx, "SELECT 1 FROM sites WHERE id = ?", id).Scan(&one)
}

// SiteFilter selects sites.
type SiteFilter struct {
	Q       string
	Level   Level
	OrgID   int64
	Kind    string
	AfterID int64
	Limit   int
}

// ListSites returns sites in id order, and the total.
func (s *Service) ListSites(ctx context.Context, p *access.Principal, f SiteFilter) ([]Site, int, error) {
	q := s.DB.Read()
	var w store.Where
	w.Scope(ReadSiteScope(p))
	if f.Q != "" {
		w.Add("(s.name LIKE ? ESCAPE '\\' OR s.code LIKE ? ESCAPE '\\' OR s.address LIKE ? ESCAPE '\\')",
			store.Like("%", f.Q, "%"), store.Like("", strings.ToUpper(f.Q), "%"), store.Like("%", f.Q, "%"))
	}
	if f.Level != "" {
		if !f.Level.Valid() {
			return nil, 0, errs.Invalidf("level", "层级无效", "Invalid level")
		}
		w.Add("s.level = ?", f.Level)
	}
	if f.Kind != "" {
		w.Add("s.kind = ?", f.Kind)
	}
	if f.OrgID != 0 {
		o, err := org.GetTx(ctx, q, f.OrgID)
		if err != nil {
			return nil, 0, errs.Invalidf("org_id", "组织不存在", "No such org")
		}
		w.Add("s.org_id IN (SELECT id FROM orgs WHERE path LIKE ?)", o.Path+"%")
	}
	where, args := w.SQL()
	var total int
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM sites s"+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	if f.AfterID > 0 {
		w.Add("s.id > ?", f.AfterID)
		where, args = w.SQL()
	}
	query := "SELECT " + siteCols + siteFrom + where + " ORDER BY s.id"
	if f.Limit > 0 {
		query += " LIMIT " + strconv.Itoa(f.Limit)
	}
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []Site
	for rows.Next() {
		st, err := scanSite(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, st)
	}
	return out, total, rows.Err()
}

// checkSiteRefs validates the org node and the parent site.
func checkSiteRefs(ctx context.Context, tx *store.Tx, p *access.Principal, id int64, in *SiteInput) error {
	o, err := org.GetTx(ctx, tx, in.OrgID)
	if errs.Is(err, errs.NotFound) {
		return errs.Invalidf("org_id", "所属组织不存在", "No such org")
	}
	if err != nil {
		return err
	}
	switch o.Kind {
	case org.Zone, org.Street, org.Community, org.Park:
	default:
		return errs.Invalidf("org_id", "站点应属于园区、街道、社区或产业园区", "A site belongs to a zone, street, community or park")
	}
	if !p.System && !strings.HasPrefix(o.Path, p.OrgPath) {
		return errs.Invalidf("org_id", "所属组织不在您的管辖范围内", "The org is outside your scope")
	}
	if in.ParentSiteID != 0 {
		if in.ParentSiteID == id {
			return errs.Invalidf("parent_site_id", "上级站点不能是站点本身", "A site cannot be its own parent")
		}
		var lvl Level
		if err := tx.QueryRow(ctx, "SELECT level FROM sites WHERE id = ?", in.ParentSiteID).Scan(&lvl); err != nil {
			if errs.Is(err, errs.NotFound) {
				return errs.Invalidf("parent_site_id", "上级站点不存在", "No such parent site")
			}
			return err
		}
		if lvl.rank() >= in.Level.rank() {
			return errs.Invalidf("parent_site_id", "上级站点的层级须高于本站点", "The parent site must be at a higher level")
		}
	}
	return nil
}

func siteConflict(err error, code string) error {
	if errs.Is(err, errs.Conflict) {
		return errs.New(errs.Conflict, "code", i18n.F("站点代码 %s 已被使用", "The site code %s is taken", code))
	}
	return err
}

// CreateSite adds a site.
func (s *Service) CreateSite(ctx context.Context, p *access.Principal, in SiteInput) (Site, error) {
	var id int64
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		id, err = s.CreateSiteTx(ctx, tx, p, in)
		return err
	})
	if err != nil {
		return Site{}, err
	}
	return s.GetSite(ctx, p, id)
}

// CreateSiteTx adds a site inside tx.
func (s *Service) CreateSiteTx(ctx context.Context, tx *store.Tx, p *access.Principal, in SiteInput) (int64, error) {
	if err := in.Validate(); err != nil {
		return 0, err
	}
	if !p.System && !p.Has(access.ServiceOffice) {
		return 0, errs.Forbiddenf("只有营商办可以设立站点", "Only the service office sets up sites")
	}
	if err := checkSiteRefs(ctx, tx, p, 0, &in); err != nil {
		return 0, err
	}
	id, err := tx.Insert(ctx, `INSERT INTO sites (code, name, level, kind, org_id, parent_site_id, address, lat, lng, opening_hours, opened_on,
		windows, staff, phone, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		in.Code, in.Name, in.Level, in.Kind, in.OrgID, store.Null(in.ParentSiteID), in.Address, in.Lat, in.Lng, in.OpeningHours,
		store.Null(in.OpenedOn), in.Windows, in.Staff, in.Phone, tx.Now, tx.Now)
	if err != nil {
		return 0, siteConflict(err, in.Code)
	}
	return id, audit.Append(ctx, tx, audit.Entry{Action: "site.create", Object: "site", ObjectID: id,
		Summary: map[string]any{"code": in.Code, "name": in.Name, "level": in.Level, "org_id": in.OrgID}})
}

// UpdateSite changes a site within p's write scope.
func (s *Service) UpdateSite(ctx context.Context, p *access.Principal, id int64, in SiteInput) (Site, error) {
	if err := in.Validate(); err != nil {
		return Site{}, err
	}
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		var w store.Where
		w.Add("s.id = ?", id)
		w.Scope(writeSiteScope(p, "s"))
		where, args := w.SQL()
		old, err := scanSite(tx.QueryRow(ctx, "SELECT "+siteCols+siteFrom+where, args...))
		if err != nil {
			return err
		}
		if err := checkSiteRefs(ctx, tx, p, id, &in); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE sites SET code = ?, name = ?, level = ?, kind = ?, org_id = ?, parent_site_id = ?, address = ?,
			lat = ?, lng = ?, opening_hours = ?, opened_on = ?, windows = ?, staff = ?, phone = ?, updated_at = ? WHERE id = ?`,
			in.Code, in.Name, in.Level, in.Kind, in.OrgID, store.Null(in.ParentSiteID), in.Address, in.Lat, in.Lng, in.OpeningHours,
			store.Null(in.OpenedOn), in.Windows, in.Staff, in.Phone, tx.Now, id); err != nil {
			return siteConflict(err, in.Code)
		}
		// Cases keep the org node they were received under, as their
		// rollups do: moving a site does not rewrite history.
		return audit.Append(ctx, tx, audit.Entry{Action: "site.update", Object: "site", ObjectID: id, Summary: audit.Change(
			map[string]any{"code": old.Code, "name": old.Name, "level": old.Level, "org_id": old.OrgID},
			map[string]any{"code": in.Code, "name": in.Name, "level": in.Level, "org_id": in.OrgID})})
	})
	if err != nil {
		return Site{}, err
	}
	return s.GetSite(ctx, p, id)
}

// siteForWrite reads what a reception needs of a site, without counting
// its matters.
func siteForWrite(ctx context.Context, q store.Querier, id int64) (Site, error) {
	var s Site
	err := q.QueryRow(ctx, "SELECT s.id, s.code, s.name, s.org_id, o.path FROM sites s JOIN orgs o ON o.id = s.org_id WHERE s.id = ?", id).
		Scan(&s.ID, &s.Code, &s.Name, &s.OrgID, &s.orgPath)
	return s, err
}
