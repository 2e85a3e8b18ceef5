package enterprise

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/flow"
	"xiaoer/internal/i18n"
	"xiaoer/internal/store"
)

// Flag is a red flag a cadre raises on a visit: a sign that the enterprise
// grows, shrinks, may leave, or needs something the zone can help with.
// Each can be turned into an appeal.
type Flag string

// The red flags.
const (
	Expanding      Flag = "expanding"
	Downsizing     Flag = "downsizing"
	Relocating     Flag = "relocating"
	LaborShortage  Flag = "labor_shortage"
	FinancingNeed  Flag = "financing_need"
	LicenseProblem Flag = "license_problem"
	LandNeed       Flag = "land_need"
	PowerNeed      Flag = "power_need"
	WaterGasNeed   Flag = "water_gas_need"
	Logistics      Flag = "logistics"
	TechNeed       Flag = "tech_need"
	MarketNeed     Flag = "market_need"
	OverduePayment Flag = "overdue_payment"
	PolicyQuestion Flag = "policy_question"
	OtherFlag      Flag = "other"
)

// flagLabels are the flags in the order forms show them, with their names.
var flagLabels = []struct {
	Flag  Flag
	Label i18n.Text
}{
	{Expanding, i18n.T("扩产扩能", "Expanding")},
	{Downsizing, i18n.T("减产裁员", "Downsizing")},
	{Relocating, i18n.T("外迁意向", "Considering relocation")},
	{LaborShortage, i18n.T("用工短缺", "Labour shortage")},
	{FinancingNeed, i18n.T("融资需求", "Financing need")},
	{LicenseProblem, i18n.T("证照办理难题", "Licence problem")},
	{LandNeed, i18n.T("用地需求", "Land need")},
	{PowerNeed, i18n.T("用电用能需求", "Power supply need")},
	{WaterGasNeed, i18n.T("用水用气需求", "Water or gas need")},
	{Logistics, i18n.T("物流运输困难", "Logistics difficulty")},
	{TechNeed, i18n.T("技术攻关需求", "Technology need")},
	{MarketNeed, i18n.T("市场开拓需求", "Market access need")},
	{OverduePayment, i18n.T("账款拖欠", "Overdue receivables")},
	{PolicyQuestion, i18n.T("政策咨询", "Policy question")},
	{OtherFlag, i18n.T("其他", "Other")},
}

// Flags lists every red flag.
var Flags = func() []Flag {
	out := make([]Flag, len(flagLabels))
	for i, f := range flagLabels {
		out[i] = f.Flag
	}
	return out
}()

// Valid reports whether f is a known flag.
func (f Flag) Valid() bool { return slices.Contains(Flags, f) }

// Label is the flag's name.
func (f Flag) Label() i18n.Text {
	for _, x := range flagLabels {
		if x.Flag == f {
			return x.Label
		}
	}
	return i18n.T(string(f), string(f))
}

// FlagInfo is a flag with its name, for the dictionary endpoint.
type FlagInfo struct {
	Code Flag   `json:"code"`
	Name string `json:"name"`
}

// Visit is one visit of a cadre to an enterprise (走访).
type Visit struct {
	ID           int64      `json:"id,string"`
	EnterpriseID int64      `json:"enterprise_id,string"`
	CadreUserID  int64      `json:"cadre_user_id,string"`
	CadreName    string     `json:"cadre_name"`
	Date         civil.Date `json:"date"`
	Notes        string     `json:"notes"`
	Flags        []Flag     `json:"flags"`
	CreatedAt    time.Time  `json:"created_at"`
}

// VisitInput is the body of recording a visit. A cadre records their own
// visits and may leave cadre_user_id out.
type VisitInput struct {
	CadreUserID int64      `json:"cadre_user_id,string,omitempty"`
	Date        civil.Date `json:"date"`
	Notes       string     `json:"notes"`
	Flags       []Flag     `json:"flags"`
}

// Validate normalises and checks a visit against today.
func (in *VisitInput) Validate(today civil.Date) error {
	in.Notes = strings.TrimSpace(in.Notes)
	if in.Date.IsZero() {
		return errs.Invalidf("date", "请填写走访日期", "date is required")
	}
	if err := flow.CheckDate("date", in.Date, civil.Date{}, today); err != nil {
		return err
	}
	if utf8.RuneCountInString(in.Notes) > 2000 {
		return errs.Invalidf("notes", "走访记录不能超过2000字", "notes must be at most 2000 characters")
	}
	var flags []Flag
	for _, f := range in.Flags {
		if !f.Valid() {
			return errs.Invalidf("flags", "不认识的问题标记：%s", "Unknown red flag: %s", f)
		}
		if !slices.Contains(flags, f) {
			flags = append(flags, f)
		}
	}
	in.Flags = flags
	if in.Notes == "" && len(flags) == 0 {
		return errs.Invalidf("notes", "请填写走访记录或至少选择一个问题标记", "Write notes or choose at least one red flag")
	}
	return nil
}

func joinFlags(fs []Flag) string {
	s := make([]string, len(fs))
	for i, f := range fs {
		s[i] = string(f)
	}
	return strings.Join(s, ",")
}

func splitFlags(s string) []Flag {
	out := []Flag{}
	for _, x := range strings.Split(s, ",") {
		if x != "" {
			out = append(out, Flag(x))
		}
	}
	return out
}

const visitCols = "v.id, v.enterprise_id, v.cadre_user_id, u.name, v.date, v.notes, v.flags, v.created_at"

func scanVisit(sc interface{ Scan(...any) error }) (Visit, error) {
	var v Visit
	var flags string
	err := sc.Scan(&v.ID, &v.EnterpriseID, &v.CadreUserID, &v.CadreName, &v.Date, &v.Notes, &flags, &v.CreatedAt)
	v.Flags = splitFlags(flags)
	return v, err
}

// Visits returns an enterprise's visits, latest first (404 outside p's
// scope).
func (s *Service) Visits(ctx context.Context, p *access.Principal, enterpriseID int64) ([]Visit, error) {
	q := s.DB.Read()
	if _, err := s.getQ(ctx, q, p, enterpriseID); err != nil {
		return nil, err
	}
	rows, err := q.Query(ctx, "SELECT "+visitCols+" FROM visits v JOIN users u ON u.id = v.cadre_user_id WHERE v.enterprise_id = ? ORDER BY v.date DESC, v.id DESC", enterpriseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Visit{}
	for rows.Next() {
		v, err := scanVisit(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// AddVisit records a visit to an enterprise p may change: a cadre their own
// visit to an enterprise assigned to them, the service office any cadre's
// visit within its scope.
func (s *Service) AddVisit(ctx context.Context, p *access.Principal, enterpriseID int64, in VisitInput) (Visit, error) {
	var out Visit
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		out, err = s.AddVisitTx(ctx, tx, p, enterpriseID, in)
		return err
	})
	return out, err
}

// AddVisitTx records a visit inside tx (the demo).
func (s *Service) AddVisitTx(ctx context.Context, tx *store.Tx, p *access.Principal, enterpriseID int64, in VisitInput) (Visit, error) {
	if err := in.Validate(civil.Of(tx.Now)); err != nil {
		return Visit{}, err
	}
	if err := s.writable(ctx, tx, p, enterpriseID); err != nil {
		return Visit{}, err
	}
	if !p.System && !p.Has(access.ServiceOffice) {
		if in.CadreUserID == 0 {
			in.CadreUserID = p.UserID
		}
		if in.CadreUserID != p.UserID {
			return Visit{}, errs.Forbiddenf("包保干部只能登记本人的走访", "A cadre records only their own visits")
		}
	}
	if in.CadreUserID == 0 {
		return Visit{}, errs.Invalidf("cadre_user_id", "请选择走访的包保干部", "cadre_user_id is required")
	}
	if err := checkCadre(ctx, tx, in.CadreUserID); err != nil {
		return Visit{}, err
	}
	id, err := tx.Insert(ctx, "INSERT INTO visits (enterprise_id, cadre_user_id, date, notes, flags, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
		enterpriseID, in.CadreUserID, in.Date, in.Notes, joinFlags(in.Flags), tx.Now)
	if err != nil {
		return Visit{}, err
	}
	v, err := scanVisit(tx.QueryRow(ctx, "SELECT "+visitCols+" FROM visits v JOIN users u ON u.id = v.cadre_user_id WHERE v.id = ?", id))
	if err != nil {
		return Visit{}, err
	}
	return v, audit.Append(ctx, tx, audit.Entry{Action: "enterprise.visit.create", Object: "enterprise", ObjectID: enterpriseID,
		Summary: map[string]any{"visit_id": id, "cadre_user_id": in.CadreUserID, "date": in.Date, "flags": in.Flags}})
}
