package appeal

import (
	"context"
	"fmt"
	"unicode/utf8"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/flow"
	"xiaoer/internal/i18n"
	"xiaoer/internal/notify"
	"xiaoer/internal/store"
)

type replayKey struct{}

// replay says how a write re-enters the past (the demo's records): with the
// dates the people involved acted on, and told to no one today when quiet.
type replay struct{ quiet bool }

// backEntry marks ctx as entering records with their real past dates, by
// whoever did them; quiet also keeps it out of inboxes and webhooks.
func backEntry(ctx context.Context, quiet bool) context.Context {
	return context.WithValue(ctx, replayKey{}, replay{quiet: quiet})
}

func replayOf(ctx context.Context) (replay, bool) {
	r, ok := ctx.Value(replayKey{}).(replay)
	return r, ok
}

func isQuiet(ctx context.Context) bool { r, _ := replayOf(ctx); return r.quiet }

// Webhook is the data of every appeal event in the outbox: what a gateway
// needs to route a message, without the appeal's content.
type Webhook struct {
	ID              int64      `json:"id,string"`
	No              string     `json:"no"`
	Action          string     `json:"action"`
	State           string     `json:"state"`
	Category        Category   `json:"category"`
	Urgency         Urgency    `json:"urgency"`
	EnterpriseID    int64      `json:"enterprise_id,string"`
	DepartmentOrgID int64      `json:"department_org_id,string,omitempty"`
	DueOn           civil.Date `json:"due_on"`
	On              civil.Date `json:"on"`
	Supervised      bool       `json:"supervised"`
	Link            string     `json:"link"`
}

func link(a *Appeal) string { return fmt.Sprintf("/appeals/%d", a.ID) }

func excerpt(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// events names the outbox event of each action.
var events = map[string]string{
	"create": "appeal.received", "accept": "appeal.accepted", "answer": "appeal.answered", "dispatch": "appeal.dispatched",
	"refuse_return": "appeal.return_refused", "sign": "appeal.signed", "request_return": "appeal.return_requested",
	"extend": "appeal.extended", "reply": "appeal.replied", "revisit": "appeal.revisited", "reopen": "appeal.reopened",
	"close": "appeal.closed", "supervise": "appeal.supervised", "overdue": "appeal.overdue",
}

// announce tells whom a transition concerns — the service office of new
// appeals, return requests and reopenings; the departments of dispatches,
// revisits and 督办; the enterprise of replies and the close — and queues
// the webhook, inside tx.
func (s *Service) announce(ctx context.Context, tx *store.Tx, a *Appeal, ev *flow.Event) error {
	if isQuiet(ctx) {
		return nil
	}
	q := store.Querier(tx)
	office := func() ([]int64, error) { return notify.UsersOver(ctx, q, access.ServiceOffice, a.OrgID) }
	lead := func() ([]int64, error) {
		if a.DepartmentOrgID == 0 {
			return nil, nil
		}
		return notify.UsersIn(ctx, q, access.Department, a.DepartmentOrgID)
	}
	all := func() ([]int64, error) {
		us, err := lead()
		for _, c := range a.CoDepartmentIDs {
			more, e := notify.UsersIn(ctx, q, access.Department, c)
			if e != nil {
				return nil, e
			}
			us = append(us, more...)
		}
		return us, err
	}
	ent := func() ([]int64, error) { return notify.EnterpriseUsers(ctx, q, a.EnterpriseID) }
	cat := a.Category.Label()
	var to func() ([]int64, error)
	var title, body i18n.Text
	switch ev.Action {
	case "create":
		to = office
		title = i18n.F("新诉求待受理：%s", "New appeal to accept: %s", a.No)
		body = i18n.F("%s（%s）：%s", "%s (%s): %s", a.EnterpriseName, cat, excerpt(a.Content, 60))
	case "dispatch":
		to = func() ([]int64, error) {
			if err := s.loadCo(ctx, q, a); err != nil {
				return nil, err
			}
			return all()
		}
		title = i18n.F("新派单：%s（%s）", "Dispatched to you: %s (%s)", a.No, cat)
		body = i18n.F("牵头部门：%s。请于 %s 前签收，%s 前答复。", "Lead: %s. Sign by %s, reply by %s.", a.DepartmentName, a.SignDueOn, a.DueOn)
	case "request_return":
		to = office
		title = i18n.F("%s 申请退单", "%s asks to return %s", a.DepartmentName, a.No)
		body = i18n.F("理由：%s", "Reason: %s", fmt.Sprint(ev.Data["reason"]))
	case "refuse_return":
		to = lead
		title = i18n.F("退单申请已驳回：%s", "Return refused: %s", a.No)
		body = i18n.F("请签收并办理，答复期限 %s。", "Sign and handle it; the reply is due by %s.", a.DueOn)
	case "extend":
		to = office
		title = i18n.F("%s 已延期至 %s", "%s extended to %s", a.No, a.DueOn)
		body = i18n.F("%s：%s", "%s: %s", a.DepartmentName, fmt.Sprint(ev.Data["reason"]))
	case "reply", "answer":
		to = ent
		title = i18n.F("您的诉求已答复：%s", "Your appeal has a reply: %s", a.No)
		body = i18n.F("%s 请对办理结果进行评价。", "%s Please rate how it was handled.", excerpt(a.Reply, 80))
	case "revisit":
		to = lead
		res := i18n.T("未解决", "not resolved")
		if a.Resolved != nil && *a.Resolved {
			res = i18n.T("已解决", "resolved")
		}
		title = i18n.F("回访结果：%s %s", "Revisit of %s: %s", a.No, a.Rating.Label())
		body = i18n.F("企业评价“%s”，%s。", "The enterprise rated it “%s”, %s.", a.Rating.Label(), res)
	case "reopen":
		to = func() ([]int64, error) {
			us, err := office()
			more, e := lead()
			if err == nil {
				err = e
			}
			return append(us, more...), err
		}
		title = i18n.F("企业不满意，诉求重办：%s", "Reopened after an unsatisfied revisit: %s", a.No)
		body = i18n.F("%s（%s）", "%s (%s)", a.EnterpriseName, cat)
	case "close":
		to = ent
		title = i18n.F("您的诉求已办结：%s", "Your appeal is closed: %s", a.No)
		body = i18n.F("感谢您的评价。", "Thank you for your rating.")
	case "supervise":
		if auto, _ := ev.Data["auto"].(bool); !auto { // the overdue notice tells of an automatic one
			to = lead
		}
		title = i18n.F("督办：%s", "Supervised (督办): %s", a.No)
		body = i18n.F("请于 %s 前答复。%s", "Reply by %s. %s", a.DueOn, ev.Note)
	}
	if to != nil {
		users, err := to()
		if err != nil {
			return err
		}
		if err := notify.Send(ctx, tx, users, notify.Message{Kind: events[ev.Action], Title: title, Body: body, Link: link(a)}); err != nil {
			return err
		}
	}
	return s.publish(ctx, tx, a, ev.Action, ev.On)
}

func (s *Service) publish(ctx context.Context, tx *store.Tx, a *Appeal, action string, on civil.Date) error {
	return notify.Publish(ctx, tx, events[action], Webhook{ID: a.ID, No: a.No, Action: action, State: a.State, Category: a.Category,
		Urgency: a.Urgency, EnterpriseID: a.EnterpriseID, DepartmentOrgID: a.DepartmentOrgID, DueOn: a.DueOn, On: on,
		Supervised: a.Supervised, Link: link(a)})
}

// loadCo fills the co-departments of one appeal.
func (s *Service) loadCo(ctx context.Context, q store.Querier, a *Appeal) error {
	as := []Appeal{*a}
	if err := s.present(ctx, q, access.SystemPrincipal("appeal"), i18n.ZH, as); err != nil {
		return err
	}
	a.CoDepartmentIDs, a.CoDepartmentNames = as[0].CoDepartmentIDs, as[0].CoDepartmentNames
	return nil
}
