// Package appeal handles enterprise appeals (企业诉求): problems an
// enterprise raises through any channel — a cadre's visit, the 双千 visits,
// tea meetings, round tables, government–bank–enterprise meetings, online,
// the hotline, a key project — which the service office accepts and
// dispatches to a lead department (and co-departments), which signs for it
// within a working-day limit and replies within another; the enterprise
// rates the reply at a revisit, and an unsatisfied appeal is handled again.
// Leaders supervise (督办) late ones. The three rates (响应率, 解决率, 满意率)
// and the on-time rate are kept as running totals.
package appeal

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"xiaoer/internal/calendar"
	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
)

// Channel is where an appeal came from.
type Channel string

// The channels of the seed article.
const (
	CadreVisit  Channel = "cadre_visit"  // 包保走访
	Shuangqian  Channel = "shuangqian"   // 双千 visits
	TeaMeeting  Channel = "tea_meeting"  // 午茶会
	Roundtable  Channel = "roundtable"   // 圆桌会议
	BankMeeting Channel = "bank_meeting" // 政银企对接会
	Online      Channel = "online"       // the enterprise itself
	Hotline     Channel = "hotline"      // 12345 / phone, entered by staff
	ProjectCh   Channel = "project"      // a key project's problem
)

// Channels lists every channel.
var Channels = []Channel{CadreVisit, Shuangqian, TeaMeeting, Roundtable, BankMeeting, Online, Hotline, ProjectCh}

// Label is the channel's name.
func (c Channel) Label() i18n.Text {
	switch c {
	case CadreVisit:
		return i18n.T("包保走访", "Cadre visit")
	case Shuangqian:
		return i18n.T("双千活动", "Shuangqian visit")
	case TeaMeeting:
		return i18n.T("午茶会", "Tea meeting")
	case Roundtable:
		return i18n.T("圆桌会议", "Round table")
	case BankMeeting:
		return i18n.T("政银企对接会", "Government–bank–enterprise meeting")
	case Online:
		return i18n.T("企业网上提交", "Online by the enterprise")
	case Hotline:
		return i18n.T("热线电话", "Hotline")
	case ProjectCh:
		return i18n.T("项目问题", "Project problem")
	}
	return i18n.T(string(c), string(c))
}

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool { return slices.Contains(Channels, c) }

// Category is what an appeal is about.
type Category string

// The categories of API.md.
const (
	License        Category = "license"
	Land           Category = "land"
	Power          Category = "power"
	Water          Category = "water"
	Gas            Category = "gas"
	Labor          Category = "labor"
	Finance        Category = "finance"
	Policy         Category = "policy"
	Legal          Category = "legal"
	Infrastructure Category = "infrastructure"
	Other          Category = "other"
)

// Categories lists every category.
var Categories = []Category{License, Land, Power, Water, Gas, Labor, Finance, Policy, Legal, Infrastructure, Other}

// Label is the category's name.
func (c Category) Label() i18n.Text {
	switch c {
	case License:
		return i18n.T("证照办理", "Licences and permits")
	case Land:
		return i18n.T("用地", "Land")
	case Power:
		return i18n.T("用电", "Electricity")
	case Water:
		return i18n.T("用水", "Water")
	case Gas:
		return i18n.T("用气", "Gas")
	case Labor:
		return i18n.T("用工保障", "Labour")
	case Finance:
		return i18n.T("融资", "Financing")
	case Policy:
		return i18n.T("政策兑现", "Policy fulfilment")
	case Legal:
		return i18n.T("法律与执法", "Legal and enforcement")
	case Infrastructure:
		return i18n.T("基础设施", "Infrastructure")
	case Other:
		return i18n.T("其他", "Other")
	}
	return i18n.T(string(c), string(c))
}

// Group is the heading a category sits under (要素保障 for land, power,
// water and gas).
func (c Category) Group() i18n.Text {
	switch c {
	case Land, Power, Water, Gas:
		return i18n.T("要素保障", "Production factors")
	case License, Policy:
		return i18n.T("政务服务", "Government services")
	case Labor, Finance:
		return i18n.T("用工与融资", "Labour and finance")
	}
	return i18n.T("综合", "General")
}

// Valid reports whether c is a known category.
func (c Category) Valid() bool { return slices.Contains(Categories, c) }

// Urgency sets the time limit: general, complex (复杂疑难) or urgent (紧急).
type Urgency string

// Urgencies.
const (
	General Urgency = "general"
	Complex Urgency = "complex"
	Urgent  Urgency = "urgent"
)

// Urgencies lists every urgency.
var Urgencies = []Urgency{General, Complex, Urgent}

// Label is the urgency's name.
func (u Urgency) Label() i18n.Text {
	switch u {
	case General:
		return i18n.T("一般", "General")
	case Complex:
		return i18n.T("复杂疑难", "Complex")
	case Urgent:
		return i18n.T("紧急", "Urgent")
	}
	return i18n.T(string(u), string(u))
}

// Valid reports whether u is a known urgency.
func (u Urgency) Valid() bool { return slices.Contains(Urgencies, u) }

// Rating is the enterprise's verdict at the revisit.
type Rating string

// Ratings (满意 / 基本满意 / 不满意).
const (
	Satisfied          Rating = "satisfied"
	BasicallySatisfied Rating = "basically_satisfied"
	Unsatisfied        Rating = "unsatisfied"
)

// Ratings lists every rating.
var Ratings = []Rating{Satisfied, BasicallySatisfied, Unsatisfied}

// Label is the rating's name.
func (r Rating) Label() i18n.Text {
	switch r {
	case Satisfied:
		return i18n.T("满意", "Satisfied")
	case BasicallySatisfied:
		return i18n.T("基本满意", "Basically satisfied")
	case Unsatisfied:
		return i18n.T("不满意", "Unsatisfied")
	}
	return i18n.T(string(r), string(r))
}

// Appeal is one enterprise appeal.
type Appeal struct {
	ID                int64      `json:"id,string"`
	No                string     `json:"no" doc:"readable number, e.g. SQ20230412-00123"`
	EnterpriseID      int64      `json:"enterprise_id,string"`
	EnterpriseName    string     `json:"enterprise_name"`
	OrgID             int64      `json:"org_id,string" doc:"the enterprise's street, community or park"`
	Channel           Channel    `json:"channel"`
	Category          Category   `json:"category"`
	Urgency           Urgency    `json:"urgency"`
	Content           string     `json:"content"`
	ContactName       string     `json:"contact_name,omitempty"`
	Address           string     `json:"address,omitempty"`
	Lat               *float64   `json:"lat,omitempty"`
	Lng               *float64   `json:"lng,omitempty"`
	MediaURL          string     `json:"media_url,omitempty"`
	VisitID           int64      `json:"visit_id,string,omitempty"`
	VisitFlag         string     `json:"visit_flag,omitempty" doc:"the red flag of the visit it came from"`
	ProjectID         int64      `json:"project_id,string,omitempty"`
	FiledBy           int64      `json:"filed_by,string,omitempty"`
	FiledByName       string     `json:"filed_by_name,omitempty" doc:"who entered it; staff report as the enterprise"`
	State             string     `json:"state"`
	StateLabel        string     `json:"state_label"`
	Supervised        bool       `json:"supervised" doc:"督办"`
	DepartmentOrgID   int64      `json:"department_org_id,string,omitempty" doc:"the lead department"`
	DepartmentName    string     `json:"department_name,omitempty"`
	CoDepartmentIDs   []int64    `json:"co_department_org_ids,string"`
	CoDepartmentNames []string   `json:"co_department_names"`
	ReceivedOn        civil.Date `json:"received_on"`
	RequestedAt       time.Time  `json:"requested_at"`
	AcceptedOn        civil.Date `json:"accepted_on"`
	DispatchedOn      civil.Date `json:"dispatched_on"`
	SignDueOn         civil.Date `json:"sign_due_on"`
	SignedOn          civil.Date `json:"signed_on"`
	DueOn             civil.Date `json:"due_on" doc:"the reply is due by this day (working days from the dispatch)"`
	LimitWorkdays     int        `json:"limit_workdays"`
	Extensions        int        `json:"extensions"`
	RepliedOn         civil.Date `json:"replied_on"`
	Reply             string     `json:"reply,omitempty"`
	RevisitedOn       civil.Date `json:"revisited_on"`
	Rating            Rating     `json:"rating,omitempty"`
	Resolved          *bool      `json:"resolved"`
	ClosedOn          civil.Date `json:"closed_on"`
	Overdue           bool       `json:"overdue" doc:"open and past its due day in this round, or replied late and not yet closed"`
	Light             string     `json:"light" doc:"green, yellow (80 % of the limit used) or red (overdue)"`
	Actions           []string   `json:"actions" doc:"the actions the caller may take now"`
	CreatedAt         time.Time  `json:"created_at"`
	UpdatedAt         time.Time  `json:"updated_at"`

	overdueFrom civil.Date
	notified    bool
	rev         int
	leadPath    string
	stageOn     civil.Date
}

// Open reports whether the appeal is not closed.
func (a *Appeal) Open() bool { return a.State != StateClosed }

// clock is the reply clock of the current dispatch round.
func (a *Appeal) clock() calendar.Clock {
	return calendar.Clock{StartOn: a.DispatchedOn, Limit: a.LimitWorkdays, DueOn: a.DueOn, StoppedOn: a.RepliedOn}
}

// Input is the body of filing an appeal.
type Input struct {
	EnterpriseID int64      `json:"enterprise_id,string"`
	Channel      Channel    `json:"channel" doc:"online for enterprise users (set for them)"`
	Category     Category   `json:"category"`
	Urgency      Urgency    `json:"urgency,omitempty" doc:"general (default), complex or urgent"`
	Content      string     `json:"content"`
	ContactName  string     `json:"contact_name,omitempty"`
	Address      string     `json:"address,omitempty" doc:"default: the enterprise's address"`
	Lat          *float64   `json:"lat,omitempty"`
	Lng          *float64   `json:"lng,omitempty"`
	MediaURL     string     `json:"media_url,omitempty"`
	VisitID      int64      `json:"visit_id,string,omitempty" doc:"the cadre visit it came from"`
	VisitFlag    string     `json:"visit_flag,omitempty"`
	ProjectID    int64      `json:"project_id,string,omitempty" doc:"required for the project channel"`
	ReceivedOn   civil.Date `json:"received_on,omitempty" doc:"default today; staff may back-enter a meeting's record"`
}

// MaxContent is the longest appeal text (Open311's limit for a description).
const MaxContent = 4000

func tooLong(field, s string, n int) error {
	if utf8.RuneCountInString(s) > n {
		return errs.Invalidf(field, "%s 不能超过%d字", "%s must be at most %d characters", field, n)
	}
	return nil
}

// Validate normalises and checks the fields that need no database.
func (in *Input) Validate() error {
	in.Content = strings.TrimSpace(in.Content)
	in.ContactName = strings.TrimSpace(in.ContactName)
	in.Address = strings.TrimSpace(in.Address)
	in.MediaURL = strings.TrimSpace(in.MediaURL)
	in.VisitFlag = strings.TrimSpace(in.VisitFlag)
	if in.Urgency == "" {
		in.Urgency = General
	}
	switch {
	case in.EnterpriseID <= 0:
		return errs.Invalidf("enterprise_id", "请选择提出诉求的企业", "enterprise_id is required")
	case !in.Channel.Valid():
		return errs.Invalidf("channel", "渠道无效，可选：cadre_visit、shuangqian、tea_meeting、roundtable、bank_meeting、online、hotline、project",
			"channel must be one of cadre_visit, shuangqian, tea_meeting, roundtable, bank_meeting, online, hotline, project")
	case !in.Category.Valid():
		return errs.Invalidf("category", "类别无效，可选：license、land、power、water、gas、labor、finance、policy、legal、infrastructure、other",
			"category must be one of license, land, power, water, gas, labor, finance, policy, legal, infrastructure, other")
	case !in.Urgency.Valid():
		return errs.Invalidf("urgency", "紧急程度应为 general、complex 或 urgent", "urgency must be general, complex or urgent")
	case in.Content == "":
		return errs.Invalidf("content", "请填写诉求内容", "content is required")
	case in.Channel == ProjectCh && in.ProjectID == 0:
		return errs.Invalidf("project_id", "项目问题须关联项目", "An appeal from the project channel needs project_id")
	case in.VisitFlag != "" && in.VisitID == 0:
		return errs.Invalidf("visit_flag", "走访红旗须关联走访记录", "visit_flag needs visit_id")
	case (in.Lat == nil) != (in.Lng == nil):
		return errs.Invalidf("lat", "经纬度须同时填写", "lat and lng go together")
	case in.Lat != nil && (*in.Lat < -90 || *in.Lat > 90 || *in.Lng < -180 || *in.Lng > 180):
		return errs.Invalidf("lat", "经纬度超出范围", "lat or lng is out of range")
	case in.MediaURL != "" && !strings.HasPrefix(in.MediaURL, "http://") && !strings.HasPrefix(in.MediaURL, "https://"):
		return errs.Invalidf("media_url", "附件链接应为 http:// 或 https:// 开头的网址", "media_url must be an http(s) URL")
	}
	for _, c := range []error{tooLong("content", in.Content, MaxContent), tooLong("contact_name", in.ContactName, 50),
		tooLong("address", in.Address, 200), tooLong("media_url", in.MediaURL, 500), tooLong("visit_flag", in.VisitFlag, 50)} {
		if c != nil {
			return c
		}
	}
	return nil
}
