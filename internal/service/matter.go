package service

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
	"xiaoer/internal/store"
)

// MatterTypes are the types of matter of the national catalog (事项类型).
var MatterTypes = []string{"行政许可", "行政处罚", "行政强制", "行政征收", "行政给付", "行政检查", "行政确认", "行政奖励", "行政裁决", "其他行政权力", "公共服务"}

// HandlingLevel is the level of government that decides a matter (行使层级).
type HandlingLevel string

// Handling levels.
const (
	CityLevel      HandlingLevel = "city"
	DistrictLevel  HandlingLevel = "district"
	StreetLevel    HandlingLevel = "street"
	CommunityLevel HandlingLevel = "community"
)

// HandlingLevels lists the handling levels from the top.
var HandlingLevels = []HandlingLevel{CityLevel, DistrictLevel, StreetLevel, CommunityLevel}

// Label is the handling level's name.
func (h HandlingLevel) Label() i18n.Text {
	switch h {
	case CityLevel:
		return i18n.T("市级", "City")
	case DistrictLevel:
		return i18n.T("区级", "District")
	case StreetLevel:
		return i18n.T("街道", "Street")
	case CommunityLevel:
		return i18n.T("社区", "Community")
	}
	return i18n.T(string(h), string(h))
}

// Valid reports whether h is a known handling level.
func (h HandlingLevel) Valid() bool { return slices.Contains(HandlingLevels, h) }

// MatterKind says whether a matter is decided on the spot or within a
// promised time.
type MatterKind string

// Matter kinds.
const (
	Instant  MatterKind = "instant"  // 即办件
	Promised MatterKind = "promised" // 承诺件
)

// Label is the kind's name.
func (k MatterKind) Label() i18n.Text {
	if k == Instant {
		return i18n.T("即办件", "Instant")
	}
	return i18n.T("承诺件", "Promised")
}

// Matter is one matter of the catalog (实施清单 row).
type Matter struct {
	ID                    int64         `json:"id,string"`
	Code                  string        `json:"code" doc:"实施编码 or 业务办理项编码, opaque, at most 50 characters"`
	Name                  string        `json:"name"`
	Department            string        `json:"department"`
	Type                  string        `json:"type" doc:"行政许可, 公共服务 …"`
	HandlingLevel         HandlingLevel `json:"handling_level"`
	Kind                  MatterKind    `json:"kind"`
	LegalLimitWorkdays    int           `json:"legal_limit_workdays"`
	PromisedLimitWorkdays int           `json:"promised_limit_workdays"`
	Materials             []string      `json:"materials"`
	Online                bool          `json:"online"`
	CreatedAt             time.Time     `json:"created_at"`
	UpdatedAt             time.Time     `json:"updated_at"`
}

// MatterInput is the body of matter create and update.
type MatterInput struct {
	Code                  string        `json:"code"`
	Name                  string        `json:"name"`
	Department            string        `json:"department"`
	Type                  string        `json:"type"`
	HandlingLevel         HandlingLevel `json:"handling_level"`
	Kind                  MatterKind    `json:"kind"`
	LegalLimitWorkdays    int           `json:"legal_limit_workdays"`
	PromisedLimitWorkdays int           `json:"promised_limit_workdays"`
	Materials             []string      `json:"materials"`
	Online                bool          `json:"online"`
}

// Validate normalises and checks a matter.
func (in *MatterInput) Validate() error {
	in.Code = strings.TrimSpace(in.Code)
	in.Name = strings.TrimSpace(in.Name)
	in.Department = strings.TrimSpace(in.Department)
	in.Type = strings.TrimSpace(in.Type)
	var mats []string
	for _, m := range in.Materials {
		if m = strings.TrimSpace(m); m != "" && !slices.Contains(mats, m) {
			mats = append(mats, m)
		}
	}
	in.Materials = mats
	switch {
	case in.Code == "":
		return errs.Invalidf("code", "请填写事项编码", "code is required")
	case len(in.Code) > 50 || strings.ContainsAny(in.Code, " \t\r\n"):
		return errs.Invalidf("code", "事项编码不能超过50个字符，且不能含空白", "code must be at most 50 characters without spaces")
	case in.Name == "":
		return errs.Invalidf("name", "请填写事项名称", "name is required")
	case !slices.Contains(MatterTypes, in.Type):
		return errs.Invalidf("type", "事项类型应为：%s", "type must be one of: %s", strings.Join(MatterTypes, "、"))
	case !in.HandlingLevel.Valid():
		return errs.Invalidf("handling_level", "行使层级应为 city、district、street 或 community", "handling_level must be city, district, street or community")
	case in.Kind != Instant && in.Kind != Promised:
		return errs.Invalidf("kind", "办件类型应为 instant（即办件）或 promised（承诺件）", "kind must be instant or promised")
	case in.LegalLimitWorkdays < 0 || in.LegalLimitWorkdays > 365:
		return errs.Invalidf("legal_limit_workdays", "法定时限应在0到365个工作日之间", "legal_limit_workdays must be between 0 and 365")
	case in.PromisedLimitWorkdays < 0 || in.PromisedLimitWorkdays > in.LegalLimitWorkdays:
		return errs.Invalidf("promised_limit_workdays", "承诺时限不能超过法定时限", "promised_limit_workdays must not exceed legal_limit_workdays")
	case in.Kind == Promised && in.PromisedLimitWorkdays == 0:
		return errs.Invalidf("promised_limit_workdays", "承诺件的承诺时限至少为1个工作日", "A promised matter needs a promised limit of at least one working day")
	case in.Kind == Instant && in.PromisedLimitWorkdays != 0:
		return errs.Invalidf("promised_limit_workdays", "即办件当场办结，承诺时限应为0", "An instant matter is decided on the spot: its promised limit is 0")
	case len(in.Materials) > 50:
		return errs.Invalidf("materials", "申请材料不能超过50项", "At most 50 materials")
	}
	for _, m := range in.Materials {
		if err := tooLong("materials", m, 100); err != nil {
			return err
		}
	}
	return firstErr(tooLong("name", in.Name, 200), tooLong("department", in.Department, 100))
}

// writeMatters reports whether p may change the catalog.
func writeMatters(p *access.Principal) error {
	if p == nil || (!p.System && !p.Has(access.ServiceOffice)) {
		return errs.Forbiddenf("只有营商办可以维护事项目录", "Only the service office maintains the matter catalog")
	}
	return nil
}

const matterCols = `m.id, m.code, m.name, m.department, m.type, m.handling_level, m.kind, m.legal_limit_workdays, m.promised_limit_workdays,
	m.materials, m.online, m.created_at, m.updated_at`

func scanMatter(sc interface{ Scan(...any) error }) (Matter, error) {
	var m Matter
	var mats string
	err := sc.Scan(&m.ID, &m.Code, &m.Name, &m.Department, &m.Type, &m.HandlingLevel, &m.Kind, &m.LegalLimitWorkdays,
		&m.PromisedLimitWorkdays, &mats, &m.Online, &m.CreatedAt, &m.UpdatedAt)
	if err == nil {
		m.Materials = []string{}
		json.Unmarshal([]byte(mats), &m.Materials)
	}
	return m, err
}

// GetMatter returns one matter. The catalog is public to every business
// role.
func (s *Service) GetMatter(ctx context.Context, p *access.Principal, id int64) (Matter, error) {
	if p == nil || (!p.System && p.IsAdmin()) {
		return Matter{}, errs.ErrNotFound
	}
	return getMatter(ctx, s.DB.Read(), id)
}

func getMatter(ctx context.Context, q store.Querier, id int64) (Matter, error) {
	return scanMatter(q.QueryRow(ctx, "SELECT "+matterCols+" FROM matters m WHERE m.id = ?", id))
}

// MatterFilter selects matters.
type MatterFilter struct {
	Q             string
	Department    string
	Type          string
	HandlingLevel HandlingLevel
	Kind          MatterKind
	SiteID        int64 // offered by this site
	Mode          Mode  // with SiteID: offered in this mode
	Online        *bool
	AfterID       int64
	Limit         int
}

func matterWhere(f MatterFilter) store.Where {
	var w store.Where
	if f.Q != "" {
		w.Add("(m.name LIKE ? ESCAPE '\\' OR m.code LIKE ? ESCAPE '\\' OR m.department LIKE ? ESCAPE '\\')",
			store.Like("%", f.Q, "%"), store.Like("", f.Q, "%"), store.Like("%", f.Q, "%"))
	}
	if f.Department != "" {
		w.Add("m.department = ?", f.Department)
	}
	if f.Type != "" {
		w.Add("m.type = ?", f.Type)
	}
	if f.HandlingLevel != "" {
		w.Add("m.handling_level = ?", f.HandlingLevel)
	}
	if f.Kind != "" {
		w.Add("m.kind = ?", f.Kind)
	}
	if f.Online != nil {
		w.Add("m.online = ?", *f.Online)
	}
	if f.SiteID != 0 {
		if f.Mode != "" {
			w.Add("m.id IN (SELECT matter_id FROM site_matters WHERE site_id = ? AND mode = ?)", f.SiteID, f.Mode)
		} else {
			w.Add("m.id IN (SELECT matter_id FROM site_matters WHERE site_id = ?)", f.SiteID)
		}
	}
	return w
}

// ListMatters returns matters in id order, and the total.
func (s *Service) ListMatters(ctx context.Context, p *access.Principal, f MatterFilter) ([]Matter, int, error) {
	if p == nil || (!p.System && p.IsAdmin()) {
		return nil, 0, nil
	}
	q := s.DB.Read()
	w := matterWhere(f)
	where, args := w.SQL()
	var total int
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM matters m"+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	var out []Matter
	err := s.eachMatter(ctx, w, f.AfterID, f.Limit, func(m Matter) error { out = append(out, m); return nil })
	return out, total, err
}

// EachMatter streams every matter matching f (exports).
func (s *Service) EachMatter(ctx context.Context, p *access.Principal, f MatterFilter, yield func(Matter) error) error {
	if p == nil || (!p.System && p.IsAdmin()) {
		return nil
	}
	return s.eachMatter(ctx, matterWhere(f), 0, 0, yield)
}

func (s *Service) eachMatter(ctx context.Context, w store.Where, after int64, limit int, yield func(Matter) error) error {
	if after > 0 {
		w.Add("m.id > ?", after)
	}
	where, args := w.SQL()
	query := "SELECT " + matterCols + " FROM matters m" + where + " ORDER BY m.id"
	if limit > 0 {
		query += " LIMIT " + strconv.Itoa(limit)
	}
	rows, err := s.DB.Read().Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		m, err := scanMatter(rows)
		if err != nil {
			return err
		}
		if err := yield(m); err != nil {
			return err
		}
	}
	return rows.Err()
}

func matterConflict(err error, code string) error {
	if errs.Is(err, errs.Conflict) {
		return errs.New(errs.Conflict, "code", i18n.F("事项编码 %s 已存在", "The matter code %s already exists", code))
	}
	return err
}

func materialsJSON(m []string) string {
	if len(m) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// CreateMatter adds a matter to the catalog.
func (s *Service) CreateMatter(ctx context.Context, p *access.Principal, in MatterInput) (Matter, error) {
	var id int64
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		id, err = s.CreateMatterTx(ctx, tx, p, in)
		return err
	})
	if err != nil {
		return Matter{}, err
	}
	return s.GetMatter(ctx, p, id)
}

// CreateMatterTx adds a matter inside tx.
func (s *Service) CreateMatterTx(ctx context.Context, tx *store.Tx, p *access.Principal, in MatterInput) (int64, error) {
	if err := in.Validate(); err != nil {
		return 0, err
	}
	if err := writeMatters(p); err != nil {
		return 0, err
	}
	id, err := tx.Insert(ctx, `INSERT INTO matters (code, name, department, type, handling_level, kind, legal_limit_workdays,
		promised_limit_workdays, materials, online, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		in.Code, in.Name, in.Department, in.Type, in.HandlingLevel, in.Kind, in.LegalLimitWorkdays, in.PromisedLimitWorkdays,
		materialsJSON(in.Materials), in.Online, tx.Now, tx.Now)
	if err != nil {
		return 0, matterConflict(err, in.Code)
	}
	return id, audit.Append(ctx, tx, audit.Entry{Action: "matter.create", Object: "matter", ObjectID: id, Summary: matterSummary(in)})
}

func matterSummary(in MatterInput) map[string]any {
	return map[string]any{"code": in.Code, "name": in.Name, "kind": in.Kind, "promised": in.PromisedLimitWorkdays, "legal": in.LegalLimitWorkdays}
}

// UpdateMatter changes a matter. Cases already accepted keep the limit they
// were accepted with.
func (s *Service) UpdateMatter(ctx context.Context, p *access.Principal, id int64, in MatterInput) (Matter, error) {
	if err := in.Validate(); err != nil {
		return Matter{}, err
	}
	if err := writeMatters(p); err != nil {
		return Matter{}, err
	}
	err := s.DB.Write(ctx, func(tx *store.Tx) error { return s.updateMatterTx(ctx, tx, id, in) })
	if err != nil {
		return Matter{}, err
	}
	return s.GetMatter(ctx, p, id)
}

func (s *Service) updateMatterTx(ctx context.Context, tx *store.Tx, id int64, in MatterInput) error {
	old, err := getMatter(ctx, tx, id)
	if err != nil {
		return err
	}
	if err := tx.ExecOne(ctx, `UPDATE matters SET code = ?, name = ?, department = ?, type = ?, handling_level = ?, kind = ?,
		legal_limit_workdays = ?, promised_limit_workdays = ?, materials = ?, online = ?, updated_at = ? WHERE id = ?`,
		in.Code, in.Name, in.Department, in.Type, in.HandlingLevel, in.Kind, in.LegalLimitWorkdays, in.PromisedLimitWorkdays,
		materialsJSON(in.Materials), in.Online, tx.Now, id); err != nil {
		return matterConflict(err, in.Code)
	}
	before := matterSummary(MatterInput{Code: old.Code, Name: old.Name, Kind: old.Kind, PromisedLimitWorkdays: old.PromisedLimitWorkdays,
		LegalLimitWorkdays: old.LegalLimitWorkdays})
	return audit.Append(ctx, tx, audit.Entry{Action: "matter.update", Object: "matter", ObjectID: id, Summary: audit.Change(before, matterSummary(in))})
}

// Mode is how a site offers a matter.
type Mode string

// Modes.
const (
	Local  Mode = "local"  // handled at the site
	Remote Mode = "remote" // handled by the city hall over the cloud-supermarket link
)

// Label is the mode's name.
func (m Mode) Label() i18n.Text {
	if m == Remote {
		return i18n.T("远程（云端）", "Remote")
	}
	return i18n.T("现场", "On site")
}

// SiteMatter is one matter a site offers.
type SiteMatter struct {
	SiteID   int64  `json:"site_id,string"`
	MatterID int64  `json:"matter_id,string"`
	Mode     Mode   `json:"mode"`
	Matter   Matter `json:"matter"`
}

// SiteMatterInput is the body of offering a matter at a site.
type SiteMatterInput struct {
	MatterID int64 `json:"matter_id,string"`
	Mode     Mode  `json:"mode"`
}

// SiteMatters returns the matters a site offers, in matter order.
func (s *Service) SiteMatters(ctx context.Context, p *access.Principal, siteID int64, f MatterFilter) ([]SiteMatter, int, error) {
	if _, err := s.GetSite(ctx, p, siteID); err != nil {
		return nil, 0, err
	}
	f.SiteID = siteID
	ms, total, err := s.ListMatters(ctx, p, f)
	if err != nil {
		return nil, 0, err
	}
	modes := map[int64]Mode{}
	rows, err := s.DB.Read().Query(ctx, "SELECT matter_id, mode FROM site_matters WHERE site_id = ?", siteID)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var m Mode
		if err := rows.Scan(&id, &m); err != nil {
			return nil, 0, err
		}
		modes[id] = m
	}
	out := make([]SiteMatter, 0, len(ms))
	for _, m := range ms {
		out = append(out, SiteMatter{SiteID: siteID, MatterID: m.ID, Mode: modes[m.ID], Matter: m})
	}
	return out, total, rows.Err()
}

// OfferMatter sets how a site offers a matter (adding or changing it).
func (s *Service) OfferMatter(ctx context.Context, p *access.Principal, siteID int64, in SiteMatterInput) error {
	return s.DB.Write(ctx, func(tx *store.Tx) error { return s.OfferMattersTx(ctx, tx, p, siteID, []SiteMatterInput{in}) })
}

// OfferMattersTx sets how a site offers several matters, inside tx, with
// one audit record.
func (s *Service) OfferMattersTx(ctx context.Context, tx *store.Tx, p *access.Principal, siteID int64, list []SiteMatterInput) error {
	if err := writeMatters(p); err != nil {
		return err
	}
	var w store.Where
	w.Add("s.id = ?", siteID)
	w.Scope(writeSiteScope(p, "s"))
	where, args := w.SQL()
	var one int
	if err := tx.QueryRow(ctx, "SELECT 1 FROM sites s"+where, args...).Scan(&one); err != nil {
		return err
	}
	ids := make([]int64, 0, len(list))
	for _, in := range list {
		if in.Mode != Local && in.Mode != Remote {
			return errs.Invalidf("mode", "办理方式应为 local（现场）或 remote（远程）", "mode must be local or remote")
		}
		if _, err := getMatter(ctx, tx, in.MatterID); err != nil {
			if errs.Is(err, errs.NotFound) {
				return errs.Invalidf("matter_id", "事项不存在", "No such matter")
			}
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO site_matters (site_id, matter_id, mode, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (site_id, matter_id) DO UPDATE SET mode = excluded.mode`, siteID, in.MatterID, in.Mode, tx.Now); err != nil {
			return err
		}
		ids = append(ids, in.MatterID)
	}
	summary := map[string]any{"matters": len(ids)}
	if len(list) == 1 {
		summary = map[string]any{"matter_id": list[0].MatterID, "mode": list[0].Mode}
	}
	return audit.Append(ctx, tx, audit.Entry{Action: "site.offer", Object: "site", ObjectID: siteID, Summary: summary})
}

// WithdrawMatter stops a site offering a matter; its cases stay.
func (s *Service) WithdrawMatter(ctx context.Context, p *access.Principal, siteID, matterID int64) error {
	if err := writeMatters(p); err != nil {
		return err
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		var w store.Where
		w.Add("s.id = ?", siteID)
		w.Scope(writeSiteScope(p, "s"))
		where, args := w.SQL()
		var one int
		if err := tx.QueryRow(ctx, "SELECT 1 FROM sites s"+where, args...).Scan(&one); err != nil {
			return err
		}
		if err := tx.ExecOne(ctx, "DELETE FROM site_matters WHERE site_id = ? AND matter_id = ?", siteID, matterID); err != nil {
			return err
		}
		return audit.Append(ctx, tx, audit.Entry{Action: "site.withdraw_matter", Object: "site", ObjectID: siteID, Summary: map[string]any{"matter_id": matterID}})
	})
}

// offered returns how site offers matter, or "" if it does not.
func offered(ctx context.Context, q store.Querier, siteID, matterID int64) (Mode, error) {
	var m Mode
	err := q.QueryRow(ctx, "SELECT mode FROM site_matters WHERE site_id = ? AND matter_id = ?", siteID, matterID).Scan(&m)
	if errs.Is(err, errs.NotFound) {
		return "", nil
	}
	return m, err
}
