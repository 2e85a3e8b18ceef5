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
	"xiaoer/internal/store"
)

// PlatformKind is the type of an R&D or incubation platform (研发平台).
type PlatformKind string

// Platform kinds. The recognising department differs by kind (科技:
// laboratories, engineering technology centres, new R&D institutions,
// incubators; 发改/经信: enterprise technology and engineering research
// centres), which is why recognized_by is kept as text.
const (
	KeyLab               PlatformKind = "key_lab"                     // 重点实验室
	EngTechCenter        PlatformKind = "engineering_tech_center"     // 工程技术研究中心
	EnterpriseTechCenter PlatformKind = "enterprise_tech_center"      // 企业技术中心
	EngResearchCenter    PlatformKind = "engineering_research_center" // 工程研究中心
	NewRDInstitution     PlatformKind = "new_rd_institution"          // 新型研发机构
	JointRDCenter        PlatformKind = "joint_rd_center"             // 校企共建研发中心
	ExpertWorkstation    PlatformKind = "expert_workstation"          // 院士专家工作站
	Incubator            PlatformKind = "incubator"                   // 科技企业孵化器
	MakerSpace           PlatformKind = "maker_space"                 // 众创空间
	SciencePark          PlatformKind = "university_science_park"     // 大学科技园
	OffshoreCenter       PlatformKind = "offshore_center"             // 离岸科创中心（科创飞地）
	TransferCenter       PlatformKind = "transfer_center"             // 科技成果转化中心
)

// PlatformKinds lists every kind in display order.
var PlatformKinds = []PlatformKind{KeyLab, EngTechCenter, EnterpriseTechCenter, EngResearchCenter, NewRDInstitution,
	JointRDCenter, ExpertWorkstation, Incubator, MakerSpace, SciencePark, OffshoreCenter, TransferCenter}

// IncubationKinds are the kinds that make an innovation-and-entrepreneurship
// (双创) platform: incubators, maker spaces and university science parks.
var IncubationKinds = []PlatformKind{Incubator, MakerSpace, SciencePark}

// Label is the kind's name.
func (k PlatformKind) Label() i18n.Text {
	switch k {
	case KeyLab:
		return i18n.T("重点实验室", "Key laboratory")
	case EngTechCenter:
		return i18n.T("工程技术研究中心", "Engineering technology research centre")
	case EnterpriseTechCenter:
		return i18n.T("企业技术中心", "Enterprise technology centre")
	case EngResearchCenter:
		return i18n.T("工程研究中心", "Engineering research centre")
	case NewRDInstitution:
		return i18n.T("新型研发机构", "New-type R&D institution")
	case JointRDCenter:
		return i18n.T("校企共建研发中心", "University–enterprise R&D centre")
	case ExpertWorkstation:
		return i18n.T("院士专家工作站", "Academician and expert workstation")
	case Incubator:
		return i18n.T("科技企业孵化器", "Technology business incubator")
	case MakerSpace:
		return i18n.T("众创空间", "Maker space")
	case SciencePark:
		return i18n.T("大学科技园", "University science park")
	case OffshoreCenter:
		return i18n.T("离岸科创中心", "Offshore innovation centre")
	case TransferCenter:
		return i18n.T("科技成果转化中心", "Technology transfer centre")
	}
	return i18n.T(string(k), string(k))
}

// Valid reports whether k is a known kind.
func (k PlatformKind) Valid() bool { return slices.Contains(PlatformKinds, k) }

// PlatformStatus is whether a platform's recognition stands.
type PlatformStatus string

// Platform statuses.
const (
	Active  PlatformStatus = "active"
	Revoked PlatformStatus = "revoked"
)

// Label is the status's name.
func (s PlatformStatus) Label() i18n.Text {
	if s == Revoked {
		return i18n.T("已撤销", "Revoked")
	}
	return i18n.T("有效", "Active")
}

// Platform is one recognised R&D or incubation platform.
type Platform struct {
	ID               int64          `json:"id,string"`
	Name             string         `json:"name"`
	Kind             PlatformKind   `json:"kind"`
	Level            Level          `json:"level"`
	HostEnterpriseID int64          `json:"host_enterprise_id,string,omitempty"`
	HostOrgID        int64          `json:"host_org_id,string,omitempty" doc:"a university, park or the zone"`
	HostName         string         `json:"host_name"`
	OrgID            int64          `json:"org_id,string" doc:"the org node the platform is counted under"`
	RecognizedOn     civil.Date     `json:"recognized_on"`
	RecognizedBy     string         `json:"recognized_by,omitempty" doc:"认定部门"`
	Status           PlatformStatus `json:"status"`
	RevokedOn        civil.Date     `json:"revoked_on,omitzero"`
	Notes            string         `json:"notes,omitempty"`
	CreatedAt        time.Time      `json:"created_at"`
	UpdatedAt        time.Time      `json:"updated_at"`
}

// PlatformInput is the body of create and update.
type PlatformInput struct {
	Name             string         `json:"name"`
	Kind             PlatformKind   `json:"kind"`
	Level            Level          `json:"level"`
	HostEnterpriseID int64          `json:"host_enterprise_id,string,omitempty"`
	HostOrgID        int64          `json:"host_org_id,string,omitempty"`
	RecognizedOn     civil.Date     `json:"recognized_on"`
	RecognizedBy     string         `json:"recognized_by,omitempty"`
	Status           PlatformStatus `json:"status,omitempty" doc:"active (default) or revoked"`
	RevokedOn        civil.Date     `json:"revoked_on,omitzero" doc:"required when revoked"`
	Notes            string         `json:"notes,omitempty"`
}

// Validate checks the fields that need no database.
func (in *PlatformInput) Validate(today civil.Date) error {
	if err := text("name", &in.Name, 100, true, "平台名称", "name"); err != nil {
		return err
	}
	if !in.Kind.Valid() {
		return errs.Invalidf("kind", "平台类型无效：%s", "Unknown platform kind: %s", in.Kind)
	}
	if !in.Level.Valid() {
		return errs.Invalidf("level", "级别应为 national、provincial、municipal 或 district", "level must be national, provincial, municipal or district")
	}
	if (in.HostEnterpriseID == 0) == (in.HostOrgID == 0) {
		return errs.Invalidf("host_enterprise_id", "请选择一个依托单位：企业，或高校、园区", "Give exactly one host: host_enterprise_id or host_org_id")
	}
	if err := pastDate("recognized_on", in.RecognizedOn, today, "认定日期", "recognized_on"); err != nil {
		return err
	}
	if err := text("recognized_by", &in.RecognizedBy, 50, false, "认定部门", "recognized_by"); err != nil {
		return err
	}
	if err := text("notes", &in.Notes, 1000, false, "备注", "notes"); err != nil {
		return err
	}
	if in.Status == "" {
		in.Status = Active
	}
	switch in.Status {
	case Active:
		if !in.RevokedOn.IsZero() {
			return errs.Invalidf("revoked_on", "有效的平台不能有撤销日期", "An active platform has no revoked_on")
		}
	case Revoked:
		if err := pastDate("revoked_on", in.RevokedOn, today, "撤销日期", "revoked_on"); err != nil {
			return err
		}
		if in.RevokedOn.Before(in.RecognizedOn) {
			return errs.Invalidf("revoked_on", "撤销日期早于认定日期", "revoked_on is before recognized_on")
		}
	default:
		return errs.Invalidf("status", "状态应为 active 或 revoked", "status must be active or revoked")
	}
	return nil
}

// hostAnchor resolves the host and returns the node the platform counts under.
func (in *PlatformInput) hostAnchor(ctx context.Context, q store.Querier) (anchor, error) {
	if in.HostEnterpriseID != 0 {
		a, _, err := enterpriseAnchor(ctx, q, in.HostEnterpriseID, "host_enterprise_id")
		return a, err
	}
	return orgAnchor(ctx, q, in.HostOrgID, "host_org_id", org.University, org.Park, org.Zone)
}

const platformSelect = `SELECT p.id, p.name, p.kind, p.level, p.host_enterprise_id, p.host_org_id, COALESCE(e.name, h.name, ''), p.org_id,
	p.recognized_on, p.recognized_by, p.status, p.revoked_on, p.notes, p.created_at, p.updated_at
	FROM inn_platforms p LEFT JOIN enterprises e ON e.id = p.host_enterprise_id LEFT JOIN orgs h ON h.id = p.host_org_id`

func scanPlatform(sc scanner) (Platform, error) {
	var p Platform
	err := sc.Scan(&p.ID, &p.Name, &p.Kind, &p.Level, store.Z(&p.HostEnterpriseID), store.Z(&p.HostOrgID), &p.HostName, &p.OrgID,
		&p.RecognizedOn, &p.RecognizedBy, &p.Status, &p.RevokedOn, &p.Notes, &p.CreatedAt, &p.UpdatedAt)
	return p, err
}

// PlatformFilter selects platforms.
type PlatformFilter struct {
	Q            string
	Kind         PlatformKind
	Level        Level
	Status       PlatformStatus
	EnterpriseID int64      // hosted by this enterprise
	HostOrgID    int64      // hosted by this university or park
	ActiveOn     civil.Date // recognition standing on this day
	Page
}

func (f PlatformFilter) where(p *access.Principal) (store.Where, error) {
	var w store.Where
	w.Scope(readScope(p, "p", "host_enterprise_id", false))
	like(&w, f.Q, "p.name")
	if f.Kind != "" {
		if !f.Kind.Valid() {
			return w, errs.Invalidf("kind", "平台类型无效", "Unknown platform kind")
		}
		w.Add("p.kind = ?", f.Kind)
	}
	if f.Level != "" {
		w.Add("p.level = ?", f.Level)
	}
	if f.Status != "" {
		w.Add("p.status = ?", f.Status)
	}
	if f.EnterpriseID != 0 {
		w.Add("p.host_enterprise_id = ?", f.EnterpriseID)
	}
	if f.HostOrgID != 0 {
		w.Add("p.host_org_id = ?", f.HostOrgID)
	}
	if !f.ActiveOn.IsZero() {
		w.Add("p.recognized_on <= ? AND (p.revoked_on IS NULL OR p.revoked_on > ?)", f.ActiveOn, f.ActiveOn)
	}
	return w, nil
}

// Platforms yields the platforms matching f that p may see, newest first.
func (s *Service) Platforms(ctx context.Context, p *access.Principal, f PlatformFilter, yield func(Platform) error) error {
	w, err := f.where(p)
	if err != nil {
		return err
	}
	return each(ctx, s.DB.Read(), platformSelect, w, "p.id", f.Page, scanPlatform, yield)
}

// CountPlatforms counts the platforms matching f that p may see.
func (s *Service) CountPlatforms(ctx context.Context, p *access.Principal, f PlatformFilter) (int, error) {
	w, err := f.where(p)
	if err != nil {
		return 0, err
	}
	return count(ctx, s.DB.Read(), "inn_platforms p", w)
}

// Platform returns one platform within p's scope.
func (s *Service) Platform(ctx context.Context, p *access.Principal, id int64) (Platform, error) {
	return getPlatform(ctx, s.DB.Read(), readScope(p, "p", "host_enterprise_id", false), id)
}

func getPlatform(ctx context.Context, q store.Querier, sc *access.Scope, id int64) (Platform, error) {
	var w store.Where
	w.Add("p.id = ?", id)
	w.Scope(sc)
	where, args := w.SQL()
	return scanPlatform(q.QueryRow(ctx, platformSelect+where, args...))
}

// CreatePlatform records a platform.
func (s *Service) CreatePlatform(ctx context.Context, p *access.Principal, in PlatformInput) (Platform, error) {
	var id int64
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		id, err = s.CreatePlatformTx(ctx, tx, p, in)
		return err
	})
	if err != nil {
		return Platform{}, err
	}
	return s.Platform(ctx, p, id)
}

// CreatePlatformTx records a platform inside tx.
func (s *Service) CreatePlatformTx(ctx context.Context, tx *store.Tx, p *access.Principal, in PlatformInput) (int64, error) {
	if err := mayWrite(p); err != nil {
		return 0, err
	}
	if err := in.Validate(civil.Of(tx.Now)); err != nil {
		return 0, err
	}
	a, err := in.hostAnchor(ctx, tx)
	if err != nil {
		return 0, err
	}
	if err := a.within(p, hostField(in)); err != nil {
		return 0, err
	}
	id, err := tx.Insert(ctx, `INSERT INTO inn_platforms (name, kind, level, host_enterprise_id, host_org_id, org_id, recognized_on,
		recognized_by, status, revoked_on, notes, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		in.Name, in.Kind, in.Level, store.Null(in.HostEnterpriseID), store.Null(in.HostOrgID), a.OrgID, in.RecognizedOn,
		in.RecognizedBy, in.Status, in.RevokedOn, in.Notes, tx.Now, tx.Now)
	if err != nil {
		return 0, err
	}
	return id, audit.Append(ctx, tx, audit.Entry{Action: "innovation.platform.create", Object: "inn_platform", ObjectID: id, Summary: in})
}

func hostField(in PlatformInput) string {
	if in.HostEnterpriseID != 0 {
		return "host_enterprise_id"
	}
	return "host_org_id"
}

// UpdatePlatform changes a platform p may change (404 otherwise); revoking
// it is setting status revoked with the date.
func (s *Service) UpdatePlatform(ctx context.Context, p *access.Principal, id int64, in PlatformInput) (Platform, error) {
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := mayWrite(p); err != nil {
			return err
		}
		if err := in.Validate(civil.Of(tx.Now)); err != nil {
			return err
		}
		old, err := getPlatform(ctx, tx, writeScope(p, "p"), id)
		if err != nil {
			return err
		}
		a, err := in.hostAnchor(ctx, tx)
		if err != nil {
			return err
		}
		if err := a.within(p, hostField(in)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE inn_platforms SET name = ?, kind = ?, level = ?, host_enterprise_id = ?, host_org_id = ?, org_id = ?,
			recognized_on = ?, recognized_by = ?, status = ?, revoked_on = ?, notes = ?, updated_at = ? WHERE id = ?`,
			in.Name, in.Kind, in.Level, store.Null(in.HostEnterpriseID), store.Null(in.HostOrgID), a.OrgID, in.RecognizedOn,
			in.RecognizedBy, in.Status, in.RevokedOn, in.Notes, tx.Now, id); err != nil {
			return err
		}
		before := PlatformInput{Name: old.Name, Kind: old.Kind, Level: old.Level, HostEnterpriseID: old.HostEnterpriseID, HostOrgID: old.HostOrgID,
			RecognizedOn: old.RecognizedOn, RecognizedBy: old.RecognizedBy, Status: old.Status, RevokedOn: old.RevokedOn, Notes: old.Notes}
		return audit.Append(ctx, tx, audit.Entry{Action: "innovation.platform.update", Object: "inn_platform", ObjectID: id, Summary: audit.Change(before, in)})
	})
	if err != nil {
		return Platform{}, err
	}
	return s.Platform(ctx, p, id)
}

// DeletePlatform removes a platform entered by mistake. One that hosts
// technology transfers stays (revoke it instead).
func (s *Service) DeletePlatform(ctx context.Context, p *access.Principal, id int64) error {
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := mayWrite(p); err != nil {
			return err
		}
		old, err := getPlatform(ctx, tx, writeScope(p, "p"), id)
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM inn_transfers WHERE host_platform_id = ?", id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return errs.Conflictf("该平台承载着 %d 项成果转化，不能删除；如已失效请改为撤销", "The platform hosts %d technology transfers and cannot be deleted; revoke it instead", n)
		}
		if err := tx.ExecOne(ctx, "DELETE FROM inn_platforms WHERE id = ?", id); err != nil {
			return err
		}
		return audit.Append(ctx, tx, audit.Entry{Action: "innovation.platform.delete", Object: "inn_platform", ObjectID: id,
			Summary: map[string]any{"name": old.Name, "level": old.Level, "kind": old.Kind}})
	})
}
