package service

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/calendar"
	"xiaoer/internal/civil"
	"xiaoer/internal/enterprise"
	"xiaoer/internal/errs"
	"xiaoer/internal/flow"
	"xiaoer/internal/i18n"
	"xiaoer/internal/pii"
	"xiaoer/internal/store"
)

// Case states (API.md).
const (
	Received           = "received"
	SupplementRequired = "supplement_required"
	NotAccepted        = "not_accepted"
	Accepted           = "accepted"
	InProcess          = "in_process"
	SpecialProcedure   = "special_procedure"
	Concluded          = "concluded"
	Delivered          = "delivered"
	Returned           = "returned"
	Withdrawn          = "withdrawn"
)

// OpenStates are the states in which a case's clock has started and not
// stopped: the cases that can be overdue and that warnings are about.
var OpenStates = []string{Accepted, InProcess, SpecialProcedure}

// Channel is how a case came in.
type Channel string

// Channels.
const (
	Window        Channel = "window"
	Online        Channel = "online"
	RemoteChannel Channel = "remote"
)

// Label is the channel's name.
func (c Channel) Label() i18n.Text {
	switch c {
	case Window:
		return i18n.T("窗口", "Window")
	case Online:
		return i18n.T("网上", "Online")
	case RemoteChannel:
		return i18n.T("远程（云端）", "Remote")
	}
	return i18n.T(string(c), string(c))
}

var (
	staff     = []access.Role{access.Clerk, access.ServiceOffice}
	applicant = []access.Role{access.Clerk, access.ServiceOffice, access.Enterprise}
)

// CaseFlow is the case workflow of PRODUCT.md. The clock starts on
// acceptance with the matter's promised limit; special procedures pause it,
// and so would a supplement requested after acceptance, were there one:
// before acceptance the clock has not started, so days spent waiting for a
// supplement delay the acceptance itself, and with it the due date.
var CaseFlow = flow.Def{
	Entity:  "case",
	Initial: Received,
	States: []flow.State{
		{Name: Received, Label: i18n.T("已收件", "Received")},
		{Name: SupplementRequired, Label: i18n.T("待补正", "Supplement required"), Paused: true},
		{Name: NotAccepted, Label: i18n.T("不予受理", "Not accepted"), Terminal: true},
		{Name: Accepted, Label: i18n.T("已受理", "Accepted")},
		{Name: InProcess, Label: i18n.T("办理中", "In process")},
		{Name: SpecialProcedure, Label: i18n.T("特别程序", "Special procedure"), Paused: true},
		{Name: Concluded, Label: i18n.T("已办结", "Concluded")},
		{Name: Delivered, Label: i18n.T("已送达", "Delivered"), Terminal: true},
		{Name: Returned, Label: i18n.T("已退件", "Returned"), Terminal: true},
		{Name: Withdrawn, Label: i18n.T("已撤回", "Withdrawn"), Terminal: true},
	},
	Actions: []flow.Action{
		{Name: "accept", Label: i18n.T("受理", "Accept"), From: []string{Received}, To: Accepted, Roles: staff, Clock: flow.Start},
		{Name: "request_supplement", Label: i18n.T("一次性告知补正", "Request supplement"), From: []string{Received}, To: SupplementRequired,
			Roles: staff, Clock: flow.Pause,
			Fields: []flow.Field{{Name: "materials", Kind: flow.Text, Required: true, Label: i18n.T("需补正的材料", "Materials to supply")}}},
		{Name: "supplement", Label: i18n.T("材料已补正", "Supplement given"), From: []string{SupplementRequired}, To: Received,
			Roles: applicant, Clock: flow.Resume},
		{Name: "reject", Label: i18n.T("不予受理", "Reject"), From: []string{Received, SupplementRequired}, To: NotAccepted, Roles: staff,
			Fields: []flow.Field{{Name: "reason", Kind: flow.Text, Required: true, Label: i18n.T("不予受理理由", "Reason")}}},
		{Name: "start_processing", Label: i18n.T("开始办理", "Start processing"), From: []string{Accepted}, To: InProcess, Roles: staff},
		{Name: "start_special", Label: i18n.T("进入特别程序", "Start special procedure"), From: []string{InProcess}, To: SpecialProcedure,
			Roles: staff, Clock: flow.Pause},
		{Name: "end_special", Label: i18n.T("结束特别程序", "End special procedure"), From: []string{SpecialProcedure}, To: InProcess,
			Roles: staff, Clock: flow.Resume},
		{Name: "conclude", Label: i18n.T("办结", "Conclude"), From: []string{Accepted, InProcess}, To: Concluded, Roles: staff, Clock: flow.Stop,
			Fields: []flow.Field{{Name: "outcome", Kind: flow.Enum, Enum: []string{"approved", "denied"}, Required: true, Label: i18n.T("办理结果", "Outcome")}}},
		{Name: "deliver", Label: i18n.T("送达", "Deliver"), From: []string{Concluded}, To: Delivered, Roles: staff},
		{Name: "return", Label: i18n.T("退件", "Return"), From: []string{Accepted, InProcess, SpecialProcedure}, To: Returned, Roles: staff, Clock: flow.Stop},
		{Name: "withdraw", Label: i18n.T("撤回申请", "Withdraw"), From: []string{Received, SupplementRequired, Accepted, InProcess, SpecialProcedure},
			To: Withdrawn, Roles: applicant, Clock: flow.Stop},
	},
}

// Applicant is a person applying for a matter.
type Applicant struct {
	Name     string `json:"name"`
	IDNumber string `json:"id_number" doc:"masked on output; see /cases/{id}/applicant"`
	Phone    string `json:"phone,omitempty" doc:"masked on output"`
}

// Case is one case (办件).
type Case struct {
	ID              int64      `json:"id,string"`
	Number          string     `json:"number"`
	SiteID          int64      `json:"site_id,string"`
	SiteName        string     `json:"site_name"`
	OrgID           int64      `json:"org_id,string"`
	MatterID        int64      `json:"matter_id,string"`
	MatterCode      string     `json:"matter_code"`
	MatterName      string     `json:"matter_name"`
	MatterKind      MatterKind `json:"matter_kind"`
	Mode            Mode       `json:"mode"`
	Channel         Channel    `json:"channel"`
	EnterpriseID    int64      `json:"enterprise_id,string,omitempty"`
	EnterpriseName  string     `json:"enterprise_name,omitempty"`
	Applicant       *Applicant `json:"applicant,omitempty"`
	Status          string     `json:"status"`
	Outcome         string     `json:"outcome,omitempty"`
	Materials       []string   `json:"materials" doc:"materials received"`
	Supplement      string     `json:"supplement,omitempty" doc:"materials requested for supplement"`
	Reason          string     `json:"reason,omitempty" doc:"why it was not accepted"`
	ReceivedAt      time.Time  `json:"received_at"`
	AcceptedAt      *time.Time `json:"accepted_at"`
	LimitWorkdays   int        `json:"limit_workdays"`
	PausedWorkdays  int        `json:"paused_workdays"`
	DueOn           civil.Date `json:"due_on"`
	ConcludedAt     *time.Time `json:"concluded_at"`
	Overdue         bool       `json:"overdue"`
	Warning         string     `json:"warning" doc:"red (overdue), yellow (80% of the limit used), green; empty when the clock does not run"`
	ClerkUserID     int64      `json:"clerk_user_id,string,omitempty"`
	ClerkName       string     `json:"clerk_name,omitempty"`
	RemoteSessionID int64      `json:"remote_session_id,string,omitempty"`
	Score           int        `json:"score,omitempty" doc:"the evaluation's score, once evaluated"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`

	orgPath     string
	lastOn      civil.Date
	clock       calendar.Clock
	overdueMark civil.Date
	idNumber    string
	phone       string
}

// CaseInput is the body of a reception.
type CaseInput struct {
	MatterID     int64      `json:"matter_id,string"`
	SiteID       int64      `json:"site_id,string,omitempty" doc:"a clerk's own site by default"`
	Channel      Channel    `json:"channel,omitempty" doc:"window (clerks' default), online (enterprises'), remote"`
	EnterpriseID int64      `json:"enterprise_id,string,omitempty"`
	Applicant    *Applicant `json:"applicant,omitempty"`
	Materials    []string   `json:"materials,omitempty" doc:"materials received, from the matter's list"`
	Note         string     `json:"note,omitempty"`
	// Then is what the window does in the same sitting, as the body of an
	// action with its name: {"action":"accept"}, {"action":"request_supplement","materials":"…"},
	// {"action":"reject","reason":"…"}, or — for an instant matter (即办件) —
	// {"action":"conclude","outcome":"approved"}, which accepts and concludes
	// at once.
	Then json.RawMessage `json:"then,omitempty" doc:"an action taken in the same sitting: {\"action\":\"accept\"|\"request_supplement\"|\"reject\"|\"conclude\", …its fields}"`
}

// validate normalises and checks the fields that need no database.
func (in *CaseInput) validate() error {
	in.Note = strings.TrimSpace(in.Note)
	if in.MatterID == 0 {
		return errs.Invalidf("matter_id", "请选择事项", "matter_id is required")
	}
	switch in.Channel {
	case Window, Online, RemoteChannel:
	default:
		return errs.Invalidf("channel", "渠道应为 window、online 或 remote", "channel must be window, online or remote")
	}
	if (in.EnterpriseID == 0) == (in.Applicant == nil) {
		return errs.Invalidf("applicant", "申请人须为一家企业（enterprise_id）或一个自然人（applicant），二者选一", "The applicant is either an enterprise (enterprise_id) or a person (applicant), one of the two")
	}
	if a := in.Applicant; a != nil {
		a.Name = strings.TrimSpace(a.Name)
		a.IDNumber = pii.Normalize(pii.IDNumber, a.IDNumber)
		a.Phone = pii.Normalize(pii.Phone, a.Phone)
		switch {
		case a.Name == "" || utf8.RuneCountInString(a.Name) > 50:
			return errs.Invalidf("applicant.name", "请填写申请人姓名（50字以内）", "The applicant's name is required (at most 50 characters)")
		case pii.ValidIDNumber(a.IDNumber) != nil:
			return errs.Invalidf("applicant.id_number", "身份证号码无效（应为18位，校验位正确）", "The ID number is not valid (18 characters with a correct check character)")
		case a.Phone != "" && pii.ValidPhone(a.Phone) != nil:
			return errs.Invalidf("applicant.phone", "联系电话格式不正确", "The phone number is not valid")
		}
	}
	var mats []string
	for _, m := range in.Materials {
		if m = strings.TrimSpace(m); m != "" && !slices.Contains(mats, m) {
			mats = append(mats, m)
		}
	}
	in.Materials = mats
	if len([]rune(in.Note)) > flow.MaxNote {
		return errs.Invalidf("note", "备注不能超过%d字", "note must be at most %d characters", flow.MaxNote)
	}
	return nil
}

// ReadCaseScope is the predicate of the cases p may see, over alias: a clerk
// the cases of their site, an enterprise its own, the service office and
// leaders those in their org subtree.
func ReadCaseScope(p *access.Principal, alias string) *access.Scope {
	sc := &access.Scope{}
	switch {
	case p == nil:
	case p.System:
		sc.All()
	case p.IsAdmin():
	default:
		if p.Has(access.Leader, access.ServiceOffice) {
			sc.InOrgTree(alias+".org_id", p.OrgPath)
		}
		if p.Has(access.Clerk) && p.SiteID != 0 {
			sc.Or(alias+".site_id = ?", p.SiteID)
		}
		if p.Has(access.Enterprise) && p.EnterpriseID != 0 {
			sc.Or(alias+".enterprise_id = ?", p.EnterpriseID)
		}
	}
	return sc
}

// writeCaseScope is the predicate of the cases p may act on; the workflow
// then decides which actions each role may take.
func writeCaseScope(p *access.Principal, alias string) *access.Scope {
	sc := &access.Scope{}
	switch {
	case p == nil:
	case p.System:
		sc.All()
	default:
		if p.Has(access.ServiceOffice) {
			sc.InOrgTree(alias+".org_id", p.OrgPath)
		}
		if p.Has(access.Clerk) && p.SiteID != 0 {
			sc.Or(alias+".site_id = ?", p.SiteID)
		}
		if p.Has(access.Enterprise) && p.EnterpriseID != 0 {
			sc.Or(alias+".enterprise_id = ?", p.EnterpriseID)
		}
	}
	return sc
}

// CanSeePII reports whether p may reveal a case's personal data (audited):
// the clerks of its site and the service office.
func CanSeePII(p *access.Principal, c *Case) bool {
	return p != nil && (p.System || p.Has(access.ServiceOffice) || (p.Has(access.Clerk) && p.SiteID == c.SiteID))
}

const caseCols = `c.id, c.number, c.site_id, st.name, c.org_id, o.path, c.matter_id, m.code, m.name, m.kind, c.mode, c.channel,
	c.enterprise_id, COALESCE(e.name, ''), c.applicant_name, c.applicant_id_enc, c.applicant_phone_enc, c.status, c.outcome,
	c.materials, c.supplement, c.reason, c.received_at, c.accepted_at, c.concluded_at, c.last_on,
	c.clock_start, c.limit_workdays, c.paused_on, c.paused_workdays, c.due_on, c.stopped_on, c.overdue_mark,
	c.clerk_user_id, COALESCE(u.name, ''), c.remote_session_id, COALESCE(ev.score, 0), c.created_at, c.updated_at`

const caseFrom = ` FROM cases c JOIN sites st ON st.id = c.site_id JOIN orgs o ON o.id = c.org_id JOIN matters m ON m.id = c.matter_id
	LEFT JOIN enterprises e ON e.id = c.enterprise_id LEFT JOIN users u ON u.id = c.clerk_user_id LEFT JOIN evaluations ev ON ev.case_id = c.id`

func (s *Service) scanCase(sc interface{ Scan(...any) error }) (Case, error) {
	var c Case
	var name, mats string
	var idEnc, phoneEnc []byte
	err := sc.Scan(&c.ID, &c.Number, &c.SiteID, &c.SiteName, &c.OrgID, &c.orgPath, &c.MatterID, &c.MatterCode, &c.MatterName, &c.MatterKind,
		&c.Mode, &c.Channel, store.Z(&c.EnterpriseID), &c.EnterpriseName, &name, &idEnc, &phoneEnc, &c.Status, &c.Outcome,
		&mats, &c.Supplement, &c.Reason, &c.ReceivedAt, &c.AcceptedAt, &c.ConcludedAt, &c.lastOn,
		&c.clock.StartOn, &c.clock.Limit, &c.clock.PausedOn, &c.clock.PausedDays, &c.clock.DueOn, &c.clock.StoppedOn, &c.overdueMark,
		store.Z(&c.ClerkUserID), &c.ClerkName, store.Z(&c.RemoteSessionID), &c.Score, &c.CreatedAt, &c.UpdatedAt)
	if err != nil {
		return c, err
	}
	c.Materials = []string{}
	json.Unmarshal([]byte(mats), &c.Materials)
	if name != "" {
		c.Applicant = &Applicant{Name: name}
		if c.idNumber, err = s.Cipher.Open(idEnc); err != nil {
			return c, errs.Wrap(err, "case applicant")
		}
		if c.phone, err = s.Cipher.Open(phoneEnc); err != nil {
			return c, errs.Wrap(err, "case applicant")
		}
	}
	return c, nil
}

// present computes the case's live figures for day today and masks its
// personal data: revealing it is a separate, audited request.
func (s *Service) present(c *Case, today civil.Date) {
	c.LimitWorkdays, c.PausedWorkdays, c.DueOn = c.clock.Limit, c.clock.PausedDays, c.clock.DueOn
	c.Overdue = c.clock.Overdue(today)
	c.Warning = ""
	if !c.clock.StartOn.IsZero() && c.clock.StoppedOn.IsZero() {
		c.Warning = string(s.Cal.Light(&c.clock, today))
	}
	if c.Applicant != nil {
		c.Applicant.IDNumber = pii.Mask(pii.IDNumber, c.idNumber)
		if c.phone != "" {
			c.Applicant.Phone = pii.Mask(pii.Phone, c.phone)
		}
	}
}

func (s *Service) today() civil.Date { return civil.Of(s.DB.Now()) }

// GetCase returns one case within p's scope.
func (s *Service) GetCase(ctx context.Context, p *access.Principal, id int64) (Case, error) {
	c, err := s.getCase(ctx, s.DB.Read(), ReadCaseScope(p, "c"), id)
	if err == nil {
		s.present(&c, s.today())
	}
	return c, err
}

func (s *Service) getCase(ctx context.Context, q store.Querier, sc *access.Scope, id int64) (Case, error) {
	var w store.Where
	w.Add("c.id = ?", id)
	w.Scope(sc)
	where, args := w.SQL()
	return s.scanCase(q.QueryRow(ctx, "SELECT "+caseCols+caseFrom+where, args...))
}

// RevealApplicant returns a case's applicant in full, for the roles that may
// see it, and audits the showing.
func (s *Service) RevealApplicant(ctx context.Context, p *access.Principal, id int64) (Applicant, error) {
	c, err := s.getCase(ctx, s.DB.Read(), ReadCaseScope(p, "c"), id)
	if err != nil {
		return Applicant{}, err
	}
	if c.Applicant == nil {
		return Applicant{}, errs.NotFoundf("该办件的申请人是企业，没有个人信息", "The applicant of this case is an enterprise: there is no personal data")
	}
	if !CanSeePII(p, &c) {
		return Applicant{}, errs.Forbiddenf("您的角色不能查看申请人的完整个人信息", "Your role may not see the applicant's personal data in full")
	}
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		return audit.Append(ctx, tx, audit.Entry{Action: "service.reveal", Object: "case", ObjectID: id,
			Summary: map[string]any{"fields": []string{"id_number", "phone"}, "id_number": pii.Mask(pii.IDNumber, c.idNumber)}})
	})
	if err != nil {
		return Applicant{}, err
	}
	return Applicant{Name: c.Applicant.Name, IDNumber: c.idNumber, Phone: c.phone}, nil
}

// CaseFilter selects cases.
type CaseFilter struct {
	Q            string // case number, applicant or enterprise name, or a full ID number
	Status       []string
	SiteID       int64
	MatterID     int64
	EnterpriseID int64
	Channel      Channel
	Overdue      *bool
	Warning      string // "red", "yellow": the stored light
	From, To     civil.Date
	// ByWarning orders red first, then yellow, then the rest, newest first
	// within each; otherwise newest first.
	ByWarning bool
	Cursor    caseCursor
	Limit     int
}

type caseCursor struct {
	Warning int
	ID      int64
}

func (s *Service) caseWhere(p *access.Principal, f CaseFilter, today civil.Date) (store.Where, error) {
	var w store.Where
	w.Scope(ReadCaseScope(p, "c"))
	if f.Q != "" {
		q := strings.TrimSpace(f.Q)
		conds := []string{"c.number LIKE ? ESCAPE '\\'", "c.applicant_name = ?", "c.enterprise_id IN (SELECT id FROM enterprises WHERE name LIKE ? ESCAPE '\\')"}
		args := []any{store.Like("", strings.ToUpper(q), "%"), q, store.Like("%", q, "%")}
		if pii.ValidIDNumber(q) == nil {
			conds = append(conds, "c.applicant_id_idx = ?")
			args = append(args, s.Cipher.Index(pii.IDNumber, q))
		}
		w.Add("("+strings.Join(conds, " OR ")+")", args...)
	}
	if len(f.Status) > 0 {
		for _, st := range f.Status {
			if _, ok := CaseFlow.State(st); !ok {
				return w, errs.Invalidf("status", "状态无效：%s", "Invalid status: %s", st)
			}
		}
		in, args := store.In(f.Status)
		w.Add("c.status IN ("+in+")", args...)
	}
	if f.SiteID != 0 {
		w.Add("c.site_id = ?", f.SiteID)
	}
	if f.MatterID != 0 {
		w.Add("c.matter_id = ?", f.MatterID)
	}
	if f.EnterpriseID != 0 {
		w.Add("c.enterprise_id = ?", f.EnterpriseID)
	}
	if f.Channel != "" {
		w.Add("c.channel = ?", f.Channel)
	}
	if f.Overdue != nil {
		// calendar.Clock.Overdue in SQL: dates are TEXT YYYY-MM-DD, so they
		// compare as strings.
		cond := `(c.due_on IS NOT NULL AND ((c.stopped_on IS NOT NULL AND c.stopped_on > c.due_on)
			OR (c.stopped_on IS NULL AND c.paused_on IS NOT NULL AND c.paused_on > c.due_on)
			OR (c.stopped_on IS NULL AND c.paused_on IS NULL AND ? > c.due_on)))`
		if !*f.Overdue {
			cond = "NOT " + cond
		}
		w.Add(cond, today)
	}
	switch f.Warning {
	case "":
	case "red":
		w.Add("c.warning = 2")
	case "yellow":
		w.Add("c.warning = 1")
	case "warning":
		w.Add("c.warning > 0")
	default:
		return w, errs.Invalidf("warning", "预警应为 red、yellow 或 warning", "warning must be red, yellow or warning")
	}
	if !f.From.IsZero() {
		w.Add("c.received_on >= ?", f.From)
	}
	if !f.To.IsZero() {
		w.Add("c.received_on <= ?", f.To)
	}
	return w, nil
}

// ListCases returns one page of cases and the total.
func (s *Service) ListCases(ctx context.Context, p *access.Principal, f CaseFilter) ([]Case, int, error) {
	today := s.today()
	w, err := s.caseWhere(p, f, today)
	if err != nil {
		return nil, 0, err
	}
	where, args := w.SQL()
	var total int
	if err := s.DB.Read().QueryRow(ctx, "SELECT COUNT(*) FROM cases c"+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	var out []Case
	err = s.eachCase(ctx, w, f, today, func(c Case) error { out = append(out, c); return nil })
	return out, total, err
}

// EachCase streams every case matching f (exports).
func (s *Service) EachCase(ctx context.Context, p *access.Principal, f CaseFilter, yield func(Case) error) error {
	today := s.today()
	w, err := s.caseWhere(p, f, today)
	if err != nil {
		return err
	}
	f.Limit, f.Cursor = 0, caseCursor{}
	return s.eachCase(ctx, w, f, today, yield)
}

func (s *Service) eachCase(ctx context.Context, w store.Where, f CaseFilter, today civil.Date, yield func(Case) error) error {
	order := " ORDER BY c.id DESC"
	if f.ByWarning {
		order = " ORDER BY c.warning DESC, c.id DESC"
		if f.Cursor.ID > 0 {
			w.Add("(c.warning < ? OR (c.warning = ? AND c.id < ?))", f.Cursor.Warning, f.Cursor.Warning, f.Cursor.ID)
		}
	} else if f.Cursor.ID > 0 {
		w.Add("c.id < ?", f.Cursor.ID)
	}
	where, args := w.SQL()
	query := "SELECT " + caseCols + caseFrom + where + order
	if f.Limit > 0 {
		query += " LIMIT " + strconv.Itoa(f.Limit)
	}
	rows, err := s.DB.Read().Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		c, err := s.scanCase(rows)
		if err != nil {
			return err
		}
		s.present(&c, today)
		if err := yield(c); err != nil {
			return err
		}
	}
	return rows.Err()
}

// CursorOf returns the cursor after c in a list ordered as f.
func CursorOf(c Case, byWarning bool) []any {
	if byWarning {
		return []any{warningRank(c.Warning), c.ID}
	}
	return []any{0, c.ID}
}

func warningRank(light string) int {
	switch light {
	case string(calendar.Red):
		return 2
	case string(calendar.Yellow):
		return 1
	}
	return 0
}

// reception is what a reception needs to know, read before the write.
type reception struct {
	site   Site
	matter Matter
	mode   Mode
	then   string
	body   []byte // the then-action's body without its name
}

// prepare checks a reception against the catalog, the site's offer and the
// principal's role, reading through q.
func (s *Service) prepare(ctx context.Context, q store.Querier, p *access.Principal, in *CaseInput) (*reception, error) {
	if p.Has(access.Enterprise) && !p.Has(access.Clerk, access.ServiceOffice) && !p.System {
		if in.Channel == "" {
			in.Channel = Online
		}
		if in.EnterpriseID == 0 && in.Applicant == nil {
			in.EnterpriseID = p.EnterpriseID
		}
		switch {
		case in.Channel != Online:
			return nil, errs.Invalidf("channel", "企业只能网上申请（channel 为 online）", "An enterprise applies online (channel online)")
		case in.Applicant != nil || in.EnterpriseID != p.EnterpriseID:
			return nil, errs.Forbiddenf("企业只能为本企业申请", "An enterprise applies only for itself")
		case len(in.Then) > 0:
			return nil, errs.Invalidf("then", "受理等操作由窗口办理", "Acceptance and the rest are for the window")
		}
	} else if !p.System && !p.Has(access.Clerk, access.ServiceOffice) {
		return nil, errs.Forbiddenf("您的角色不能收件", "Your role may not receive cases")
	}
	if in.Channel == "" {
		in.Channel = Window
	}
	if in.SiteID == 0 && p.Has(access.Clerk) {
		in.SiteID = p.SiteID
	}
	if in.SiteID == 0 {
		return nil, errs.Invalidf("site_id", "请选择站点", "site_id is required")
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	r := &reception{}
	var err error
	if r.site, err = siteForWrite(ctx, q, in.SiteID); err != nil {
		if errs.Is(err, errs.NotFound) {
			return nil, errs.Invalidf("site_id", "站点不存在", "No such site")
		}
		return nil, err
	}
	if !p.System && !p.Has(access.Enterprise) {
		mine := p.Has(access.Clerk) && p.SiteID == in.SiteID
		if !mine && !(p.Has(access.ServiceOffice) && strings.HasPrefix(r.site.orgPath, p.OrgPath)) {
			return nil, errs.Forbiddenf("您只能在本站点收件", "You receive cases only at your own site")
		}
	}
	if r.matter, err = getMatter(ctx, q, in.MatterID); err != nil {
		if errs.Is(err, errs.NotFound) {
			return nil, errs.Invalidf("matter_id", "事项不存在", "No such matter")
		}
		return nil, err
	}
	if r.mode, err = offered(ctx, q, in.SiteID, in.MatterID); err != nil {
		return nil, err
	}
	if r.mode == "" {
		return nil, errs.Invalidf("matter_id", "%s 不办理「%s」", "%s does not offer “%s”", r.site.Name, r.matter.Name)
	}
	if in.Channel == Online && !r.matter.Online {
		return nil, errs.Invalidf("matter_id", "「%s」不能网上申请，请到窗口办理", "“%s” cannot be applied for online; come to a window", r.matter.Name)
	}
	for _, m := range in.Materials {
		if !slices.Contains(r.matter.Materials, m) {
			return nil, errs.Invalidf("materials", "「%s」不是该事项的申请材料", "“%s” is not a material of this matter", m)
		}
	}
	if in.EnterpriseID != 0 {
		if err := enterprise.Exists(ctx, q, in.EnterpriseID); err != nil {
			if errs.Is(err, errs.NotFound) {
				return nil, errs.Invalidf("enterprise_id", "企业不存在", "No such enterprise")
			}
			return nil, err
		}
	}
	if len(in.Then) > 0 {
		var head struct {
			Action string `json:"action"`
		}
		raw := map[string]json.RawMessage{}
		if json.Unmarshal(in.Then, &raw) != nil || json.Unmarshal(in.Then, &head) != nil {
			return nil, errs.Invalidf("then", "then 应为一个操作对象，如 {\"action\":\"accept\"}", "then must be an action object such as {\"action\":\"accept\"}")
		}
		delete(raw, "action")
		r.body, _ = json.Marshal(raw)
		r.then = head.Action
		switch r.then {
		case "accept", "request_supplement", "reject":
		case "conclude":
			if r.matter.Kind != Instant {
				return nil, errs.Invalidf("then", "只有即办件可以当场受理并办结", "Only an instant matter is accepted and concluded in one sitting")
			}
		default:
			return nil, errs.Invalidf("then", "当场操作应为 accept、request_supplement、reject 或 conclude（即办件）", "then.action must be accept, request_supplement, reject or conclude (instant matters)")
		}
		// Refuse a bad action body before anything is written.
		from := Received
		if r.then == "conclude" {
			from = Accepted
		}
		if _, err := CaseFlow.Begin(from, r.then, p, r.body); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Receive records a new case and, if asked, what the window did with it in
// the same sitting.
func (s *Service) Receive(ctx context.Context, p *access.Principal, in CaseInput) (Case, error) {
	r, err := s.prepare(ctx, s.DB.Read(), p, &in)
	if err != nil {
		return Case{}, err
	}
	var id int64
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		id, err = s.receiveTx(ctx, tx, p, in, r, tx.Now)
		return err
	})
	if err != nil {
		return Case{}, err
	}
	return s.GetCase(ctx, p, id)
}

// ReceiveTx is Receive inside tx at time at (the demo back-dates it).
func (s *Service) ReceiveTx(ctx context.Context, tx *store.Tx, p *access.Principal, in CaseInput, at time.Time) (int64, error) {
	r, err := s.prepare(ctx, tx, p, &in)
	if err != nil {
		return 0, err
	}
	return s.receiveTx(ctx, tx, p, in, r, at)
}

func (s *Service) receiveTx(ctx context.Context, tx *store.Tx, p *access.Principal, in CaseInput, r *reception, at time.Time) (int64, error) {
	on := civil.Of(at)
	var n int
	if err := tx.QueryRow(ctx, `INSERT INTO case_numbers (site_id, day, n) VALUES (?, ?, 1)
		ON CONFLICT (site_id, day) DO UPDATE SET n = case_numbers.n + 1 RETURNING n`, r.site.ID, on).Scan(&n); err != nil {
		return 0, err
	}
	c := &Case{Number: fmt.Sprintf("%s-%04d%02d%02d-%04d", r.site.Code, on.Year, on.Month, on.Day, n), SiteID: r.site.ID, OrgID: r.site.OrgID,
		MatterID: r.matter.ID, Mode: r.mode, Channel: in.Channel, EnterpriseID: in.EnterpriseID, Status: Received, lastOn: on}
	if p.Has(access.Clerk, access.ServiceOffice) {
		c.ClerkUserID = p.UserID
	}
	// What the window does in the same sitting is applied before the row
	// is written, so the case is stored once, in its final state.
	var steps []*flow.Step
	var actions []string
	switch r.then {
	case "":
	case "conclude":
		actions = []string{"accept", "conclude"}
	default:
		actions = []string{r.then}
	}
	for _, a := range actions {
		body := r.body
		if a == "accept" && r.then == "conclude" {
			body = nil
		}
		st, err := s.advance(ctx, tx, p, c, a, body, at, r.matter.PromisedLimitWorkdays)
		if err != nil {
			return 0, err
		}
		steps = append(steps, st)
	}
	var name, idIdx, phoneIdx string
	var idEnc, phoneEnc []byte
	if a := in.Applicant; a != nil {
		name = a.Name
		idEnc, idIdx = s.Cipher.Seal(a.IDNumber), s.Cipher.Index(pii.IDNumber, a.IDNumber)
		phoneEnc, phoneIdx = s.Cipher.Seal(a.Phone), s.Cipher.Index(pii.Phone, a.Phone)
	}
	k := c.clock
	id, err := tx.Insert(ctx, `INSERT INTO cases (number, site_id, org_id, matter_id, mode, channel, enterprise_id, applicant_name,
		applicant_id_enc, applicant_id_idx, applicant_phone_enc, applicant_phone_idx, status, outcome, materials, supplement, reason,
		received_at, received_on, accepted_at, concluded_at, last_on, clock_start, limit_workdays, paused_on, paused_workdays, due_on,
		stopped_on, overdue_mark, warning, clerk_user_id, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.Number, c.SiteID, c.OrgID, c.MatterID, c.Mode, c.Channel, store.Null(c.EnterpriseID), name,
		idEnc, idIdx, phoneEnc, phoneIdx, c.Status, c.Outcome, materialsJSON(in.Materials), c.Supplement, c.Reason,
		at.UTC(), on, utcPtr(c.AcceptedAt), utcPtr(c.ConcludedAt), c.lastOn, k.StartOn, k.Limit, k.PausedOn, k.PausedDays, k.DueOn,
		k.StoppedOn, c.overdueMark, s.lightOf(k, civil.Of(tx.Now)), store.Null(c.ClerkUserID), tx.Now, tx.Now)
	if err != nil {
		return 0, err
	}
	actor := ""
	if p != nil {
		actor = p.Actor()
	}
	ev := &flow.Event{Entity: "case", EntityID: id, Action: "receive", To: Received, On: on, At: at, Actor: actor, Note: in.Note,
		Data: map[string]any{"channel": in.Channel, "matter_id": strconv.FormatInt(r.matter.ID, 10), "number": c.Number}}
	if p != nil {
		ev.ActorID = p.UserID
	}
	if err := flow.Insert(ctx, tx, ev); err != nil {
		return 0, err
	}
	if err := s.countReceived(ctx, tx, on, r.site.OrgID, r.site.ID, in.Channel); err != nil {
		return 0, err
	}
	// The audit records come last: appending takes the chain's head row,
	// which on PostgreSQL every writer waits for until this transaction
	// commits.
	if err := audit.Append(ctx, tx, audit.Entry{Action: "case.receive", Object: "case", ObjectID: id,
		Summary: map[string]any{"number": c.Number, "site_id": r.site.ID, "matter_id": r.matter.ID, "channel": in.Channel}}); err != nil {
		return 0, err
	}
	for _, st := range steps {
		if _, err := st.Record(ctx, tx, "case", id, on); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// Act takes a workflow action on a case now and returns the updated case.
func (s *Service) Act(ctx context.Context, p *access.Principal, id int64, action string, body []byte) (Case, error) {
	err := s.DB.Write(ctx, func(tx *store.Tx) error { return s.actTx(ctx, tx, p, id, action, body, tx.Now) })
	if err != nil {
		return Case{}, err
	}
	return s.GetCase(ctx, p, id)
}

// ActTx takes a workflow action inside tx at time at (the demo back-dates
// it; it must not be before the case's last transition).
func (s *Service) ActTx(ctx context.Context, tx *store.Tx, p *access.Principal, id int64, action string, body []byte, at time.Time) error {
	return s.actTx(ctx, tx, p, id, action, body, at)
}

// caseForWrite reads what a transition needs of a case — its own row
// only, without the joins of a page — within scope sc.
func caseForWrite(ctx context.Context, q store.Querier, sc *access.Scope, id int64) (Case, error) {
	var w store.Where
	w.Add("c.id = ?", id)
	w.Scope(sc)
	where, args := w.SQL()
	var c Case
	err := q.QueryRow(ctx, `SELECT c.id, c.site_id, c.org_id, c.matter_id, c.channel, c.enterprise_id, c.status, c.outcome, c.supplement, c.reason,
		c.accepted_at, c.concluded_at, c.last_on, c.clock_start, c.limit_workdays, c.paused_on, c.paused_workdays, c.due_on, c.stopped_on,
		c.overdue_mark, c.clerk_user_id FROM cases c`+where, args...).Scan(&c.ID, &c.SiteID, &c.OrgID, &c.MatterID, &c.Channel,
		store.Z(&c.EnterpriseID), &c.Status, &c.Outcome, &c.Supplement, &c.Reason, &c.AcceptedAt, &c.ConcludedAt, &c.lastOn,
		&c.clock.StartOn, &c.clock.Limit, &c.clock.PausedOn, &c.clock.PausedDays, &c.clock.DueOn, &c.clock.StoppedOn,
		&c.overdueMark, store.Z(&c.ClerkUserID))
	return c, err
}

func (s *Service) actTx(ctx context.Context, tx *store.Tx, p *access.Principal, id int64, action string, body []byte, at time.Time) error {
	c, err := caseForWrite(ctx, tx, writeCaseScope(p, "c"), id)
	if err != nil {
		return err
	}
	limit := 0
	if action == "accept" {
		m, err := getMatter(ctx, tx, c.MatterID)
		if err != nil {
			return err
		}
		limit = m.PromisedLimitWorkdays
	}
	step, err := s.advance(ctx, tx, p, &c, action, body, at, limit)
	if err != nil {
		return err
	}
	k := c.clock
	if err := tx.ExecOne(ctx, `UPDATE cases SET status = ?, outcome = ?, supplement = ?, reason = ?, accepted_at = ?, concluded_at = ?,
		last_on = ?, clock_start = ?, limit_workdays = ?, paused_on = ?, paused_workdays = ?, due_on = ?, stopped_on = ?, overdue_mark = ?,
		warning = ?, clerk_user_id = ?, updated_at = ? WHERE id = ?`,
		c.Status, c.Outcome, c.Supplement, c.Reason, utcPtr(c.AcceptedAt), utcPtr(c.ConcludedAt), c.lastOn, k.StartOn, k.Limit, k.PausedOn,
		k.PausedDays, k.DueOn, k.StoppedOn, c.overdueMark, s.lightOf(k, civil.Of(tx.Now)), store.Null(c.ClerkUserID), tx.Now, id); err != nil {
		return err
	}
	_, err = step.Record(ctx, tx, "case", id, c.lastOn)
	return err
}

// advance checks that p may take action on c now and applies it to c in
// memory — state, fields, clock — adding the transition's rollups; the
// caller writes the row and records the step's event. limit is the
// matter's promised limit, used when the action starts the clock.
func (s *Service) advance(ctx context.Context, tx *store.Tx, p *access.Principal, c *Case, action string, body []byte, at time.Time, limit int) (*flow.Step, error) {
	step, err := CaseFlow.Begin(c.Status, action, p, body)
	if err != nil {
		return nil, err
	}
	on := civil.Of(at)
	if err := flow.CheckDate("date", on, c.lastOn, civil.Of(tx.Now)); err != nil {
		return nil, err
	}
	in := step.Input
	t := at
	switch action {
	case "accept":
		c.AcceptedAt = &t
		if p.Has(access.Clerk, access.ServiceOffice) {
			c.ClerkUserID = p.UserID
		}
	case "request_supplement":
		c.Supplement = in.String("materials")
	case "supplement":
		c.Supplement = ""
	case "reject":
		c.Reason = in.String("reason")
	case "conclude":
		c.Outcome = in.String("outcome")
		c.ConcludedAt = &t
	case "return", "withdraw":
		c.Reason = in.Note
	}
	if c.ClerkUserID == 0 && p.Has(access.Clerk, access.ServiceOffice) {
		c.ClerkUserID = p.UserID
	}
	step.ApplyClock(s.Cal, &c.clock, on, limit)
	if step.Action.Clock != flow.NoClock && !c.clock.StartOn.IsZero() {
		in.Set("clock", c.clock)
		if c.overdueMark, err = moveOverdueMark(ctx, tx, c.overdueMark, on, c.clock, c.OrgID, siteDim(c.SiteID)); err != nil {
			return nil, err
		}
	}
	c.Status, c.lastOn = step.To, on
	return step, s.countStep(ctx, tx, action, on, c.clock, c.OrgID, c.SiteID)
}

func utcPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

// CaseEvents returns a case's history, oldest first.
func (s *Service) CaseEvents(ctx context.Context, p *access.Principal, id int64) ([]flow.Event, error) {
	if _, err := s.getCase(ctx, s.DB.Read(), ReadCaseScope(p, "c"), id); err != nil {
		return nil, err
	}
	return flow.Events(ctx, s.DB.Read(), "case", id)
}

// rawAction builds an action body from fields (pages and the demo).
func rawAction(fields map[string]string) []byte {
	if len(fields) == 0 {
		return nil
	}
	var b bytes.Buffer
	json.NewEncoder(&b).Encode(fields)
	return b.Bytes()
}

// StatusLabel is the name of the case's state.
func (c Case) StatusLabel() i18n.Text {
	st, _ := CaseFlow.State(c.Status)
	return st.Label
}

// OutcomeLabel is the name of the case's outcome.
func (c Case) OutcomeLabel() i18n.Text { return outcomeLabel(c.Outcome) }

// ChannelLabel is the name of the case's channel.
func (c Case) ChannelLabel() i18n.Text { return c.Channel.Label() }
