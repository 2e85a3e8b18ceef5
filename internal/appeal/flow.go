package appeal

import (
	"xiaoer/internal/access"
	"xiaoer/internal/flow"
	"xiaoer/internal/i18n"
)

// The states of an appeal (API.md).
const (
	StateReceived        = "received"
	StateAccepted        = "accepted"
	StateAnswered        = "answered"
	StateDispatched      = "dispatched"
	StateReturnRequested = "return_requested"
	StateSigned          = "signed"
	StateReplied         = "replied"
	StateRevisited       = "revisited"
	StateReopened        = "reopened"
	StateClosed          = "closed"
)

// openStates are every state but closed: 督办 may be raised on any of them.
var openStates = []string{StateReceived, StateAccepted, StateAnswered, StateDispatched, StateReturnRequested,
	StateSigned, StateReplied, StateRevisited, StateReopened}

// runningStates are the states in which the reply clock runs.
var runningStates = []string{StateDispatched, StateReturnRequested, StateSigned}

var (
	office     = []access.Role{access.ServiceOffice}
	department = []access.Role{access.Department}
	raters     = []access.Role{access.Enterprise, access.ServiceOffice}
	leaders    = []access.Role{access.Leader}
)

// dateField lets the service office back-enter a paper record with its real
// date; everyone else acts today.
var dateField = flow.Field{Name: "date", Kind: flow.Date, Label: i18n.T("日期", "Date")}

// Flow is the appeal workflow of PRODUCT.md.
//
// A department that asks to return a dispatch (退单) is either re-dispatched
// — to another department, by "dispatch" — or refused ("refuse_return"),
// which hands the appeal back to the same department to sign; it may ask
// once per dispatch. Extensions and 督办 change no state.
var Flow = flow.Def{
	Entity:  "appeal",
	Initial: StateReceived,
	States: []flow.State{
		{Name: StateReceived, Label: i18n.T("已登记", "Received")},
		{Name: StateAccepted, Label: i18n.T("已受理", "Accepted")},
		{Name: StateAnswered, Label: i18n.T("已直接答复", "Answered directly")},
		{Name: StateDispatched, Label: i18n.T("已派单", "Dispatched")},
		{Name: StateReturnRequested, Label: i18n.T("申请退单", "Return requested")},
		{Name: StateSigned, Label: i18n.T("已签收", "Signed")},
		{Name: StateReplied, Label: i18n.T("已答复", "Replied")},
		{Name: StateRevisited, Label: i18n.T("已回访", "Revisited")},
		{Name: StateReopened, Label: i18n.T("重办", "Reopened")},
		{Name: StateClosed, Label: i18n.T("已办结", "Closed"), Terminal: true},
	},
	Actions: []flow.Action{
		{Name: "accept", Label: i18n.T("受理", "Accept"), From: []string{StateReceived}, To: StateAccepted, Roles: office,
			Fields: []flow.Field{
				{Name: "urgency", Kind: flow.Enum, Enum: []string{"general", "complex", "urgent"}, Label: i18n.T("紧急程度", "Urgency")},
				dateField,
			}},
		{Name: "answer", Label: i18n.T("直接答复", "Answer directly"), From: []string{StateReceived, StateAccepted}, To: StateAnswered, Roles: office,
			Fields: []flow.Field{{Name: "reply", Kind: flow.Text, Required: true, Label: i18n.T("答复内容", "Reply")}, dateField}},
		{Name: "dispatch", Label: i18n.T("派单", "Dispatch"), From: []string{StateAccepted, StateReopened, StateReturnRequested}, To: StateDispatched,
			Roles: office, Clock: flow.Start,
			Fields: []flow.Field{
				{Name: "department_org_id", Kind: flow.ID, Required: true, Label: i18n.T("牵头部门", "Lead department")},
				{Name: "co_department_org_ids", Kind: flow.IDs, Label: i18n.T("协办部门", "Co-departments")},
				dateField,
			}},
		{Name: "refuse_return", Label: i18n.T("驳回退单", "Refuse the return"), From: []string{StateReturnRequested}, To: StateDispatched, Roles: office,
			Fields: []flow.Field{dateField}},
		{Name: "sign", Label: i18n.T("签收", "Sign"), From: []string{StateDispatched}, To: StateSigned, Roles: department,
			Fields: []flow.Field{dateField}},
		{Name: "request_return", Label: i18n.T("申请退单", "Ask to return"), From: []string{StateDispatched}, To: StateReturnRequested, Roles: department,
			Fields: []flow.Field{{Name: "reason", Kind: flow.Text, Required: true, Label: i18n.T("退单理由", "Reason")}, dateField}},
		{Name: "extend", Label: i18n.T("延期", "Extend"), From: []string{StateDispatched, StateSigned}, Roles: department,
			Fields: []flow.Field{
				{Name: "due_on", Kind: flow.Date, Required: true, Label: i18n.T("新的答复期限", "New due date")},
				{Name: "reason", Kind: flow.Text, Required: true, Label: i18n.T("延期理由", "Reason")},
				dateField,
			}},
		{Name: "reply", Label: i18n.T("答复", "Reply"), From: []string{StateSigned}, To: StateReplied, Roles: department, Clock: flow.Stop,
			Fields: []flow.Field{{Name: "reply", Kind: flow.Text, Required: true, Label: i18n.T("答复内容", "Reply")}, dateField}},
		{Name: "revisit", Label: i18n.T("回访评价", "Revisit"), From: []string{StateReplied, StateAnswered}, To: StateRevisited, Roles: raters,
			Fields: []flow.Field{
				{Name: "rating", Kind: flow.Enum, Enum: []string{"satisfied", "basically_satisfied", "unsatisfied"}, Required: true, Label: i18n.T("评价", "Rating")},
				{Name: "resolved", Kind: flow.Bool, Required: true, Label: i18n.T("是否解决", "Resolved")},
				dateField,
			}},
		{Name: "reopen", Label: i18n.T("重办", "Reopen"), From: []string{StateRevisited}, To: StateReopened, Roles: raters,
			Fields: []flow.Field{dateField}},
		{Name: "close", Label: i18n.T("办结", "Close"), From: []string{StateRevisited}, To: StateClosed, Roles: office,
			Fields: []flow.Field{dateField}},
		{Name: "supervise", Label: i18n.T("督办", "Supervise"), From: openStates, Roles: leaders},
	},
}
