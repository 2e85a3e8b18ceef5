package notify

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"xiaoer/internal/access"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
	"xiaoer/internal/jobs"
	"xiaoer/internal/platform"
	"xiaoer/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Handler serves the inbox and the webhook settings.
type Handler struct {
	Inbox     *Inbox
	Deliverer *Deliverer
	UI        *web.UI
}

var office = web.Roles(access.ServiceOffice)

// NewModule builds the notifications' part of the app: the inbox, the
// webhook outbox and its delivery job.
func NewModule(d *platform.Deps) platform.Module {
	h := &Handler{Inbox: &Inbox{DB: d.DB}, Deliverer: &Deliverer{DB: d.DB}, UI: d.UI}
	sub, _ := fs.Sub(templates, "templates")
	return platform.Module{
		Name:      "notify",
		Routes:    h.Routes(),
		Templates: sub,
		Nav: []web.NavItem{
			{Group: "nav.me", Key: "ntf.nav.inbox", Path: "/inbox", Allow: web.SignedIn, Order: 980},
			{Group: "nav.admin", Key: "ntf.nav.outbox", Path: "/outbox", Allow: office, Order: 950},
		},
		Jobs: []jobs.Job{{Name: "notify.deliver", Every: 20 * time.Second, Run: func(ctx context.Context) error {
			_, _, err := h.Deliverer.Run(ctx)
			return err
		}}},
		Home: h.home,
	}
}

// Routes is the module's part of the route table.
func (h *Handler) Routes() []web.Route {
	return []web.Route{
		web.Handle("GET /api/v1/notifications", web.SignedIn, h.apiList).Doc("我的消息列表（unread=true 只看未读）", nil, web.List[Notification]{}),
		web.Handle("POST /api/v1/notifications/{id}/read", web.SignedIn, h.apiRead).Doc("标记一条消息已读", nil, nil),
		web.Handle("POST /api/v1/notifications/read", web.SignedIn, h.apiReadAll).Doc("全部标记已读", nil, nil),
		web.Handle("GET /api/v1/webhook", office, h.apiWebhook).Doc("Webhook 推送设置（短信、政务微信等网关）", nil, Webhook{}),
		web.Handle("PUT /api/v1/webhook", office, h.apiSaveWebhook).Doc("修改 Webhook 推送设置", Webhook{}, Webhook{}),
		web.Handle("GET /api/v1/outbox", office, h.apiOutbox).Doc("Webhook 发送队列列表（failed=true 只看未送达）", nil, web.List[OutboxItem]{}),
		web.Handle("POST /api/v1/outbox/{id}/retry", office, h.apiRetry).Doc("重新发送一条未送达的 Webhook", nil, nil),
		web.Handle("GET /inbox", web.SignedIn, h.inboxPage),
		web.Handle("POST /inbox/read", web.SignedIn, h.inboxReadAll),
		web.Handle("POST /inbox/{id}/read", web.SignedIn, h.inboxRead),
		web.Handle("GET /outbox", office, h.outboxPage),
		web.Handle("POST /outbox/settings", office, h.outboxSettings),
		web.Handle("POST /outbox/{id}/retry", office, h.outboxRetry),
	}
}

func init() {
	i18n.Register(map[string]i18n.Text{
		"ntf.nav.inbox":     i18n.T("我的消息", "Messages"),
		"ntf.nav.outbox":    i18n.T("Webhook 推送", "Webhooks"),
		"ntf.unread_only":   i18n.T("只看未读", "Unread only"),
		"ntf.read_all":      i18n.T("全部标记已读", "Mark all read"),
		"ntf.open":          i18n.T("查看", "Open"),
		"ntf.none":          i18n.T("没有消息", "No messages"),
		"ntf.outbox.hint":   i18n.T("每次诉求派单、答复、回访、超期等变化都会写入发送队列，由后台任务推送到短信或政务消息网关；失败后按指数退避重试。", "Every dispatch, reply, revisit or overdue appeal is queued and pushed to the SMS or messaging gateway by a background job, retried with exponential backoff when it fails."),
		"ntf.url":           i18n.T("推送地址", "Webhook URL"),
		"ntf.secret":        i18n.T("签名密钥", "Signing secret"),
		"ntf.secret.keep":   i18n.T("已设置；留空表示不变", "Set; leave empty to keep it"),
		"ntf.events":        i18n.T("事件前缀（逗号分隔，留空为全部）", "Event prefixes (comma-separated; empty: all)"),
		"ntf.saved":         i18n.T("推送设置已保存", "Webhook settings saved"),
		"ntf.event":         i18n.T("事件", "Event"),
		"ntf.attempts":      i18n.T("尝试次数", "Attempts"),
		"ntf.next":          i18n.T("下次尝试", "Next attempt"),
		"ntf.delivered":     i18n.T("送达时间", "Delivered"),
		"ntf.error":         i18n.T("最近错误", "Last error"),
		"ntf.retry":         i18n.T("重新发送", "Retry"),
		"ntf.retried":       i18n.T("已重新排队", "Queued again"),
		"ntf.failed_only":   i18n.T("只看未送达", "Undelivered only"),
		"ntf.pending":       i18n.T("待发送", "Pending"),
		"ntf.card.unread":   i18n.T("未读消息", "Unread messages"),
		"ntf.card.outbox":   i18n.T("未送达的推送", "Undelivered webhooks"),
		"ntf.time":          i18n.T("时间", "Time"),
		"ntf.webhook.none":  i18n.T("尚未设置推送地址：消息只进入站内信箱。", "No webhook URL yet: messages go to the in-app inboxes only."),
		"ntf.settings":      i18n.T("推送设置", "Settings"),
		"ntf.queue":         i18n.T("发送队列", "Queue"),
		"ntf.status.failed": i18n.T("已放弃，待人工重试", "Given up; retry by hand"),
	})
}

func (h *Handler) home(ctx context.Context, p *access.Principal, lang i18n.Lang) []platform.Card {
	if p.IsAdmin() || p.UserID == 0 {
		return nil
	}
	var cards []platform.Card
	if n, err := h.Inbox.Unread(ctx, p.UserID); err == nil && n > 0 {
		cards = append(cards, platform.Card{Label: i18n.Tr(lang, "ntf.card.unread"), Value: fmt.Sprint(n), Href: "/inbox?unread=true", Tone: "yellow"})
	}
	if p.Has(access.ServiceOffice) {
		var n int
		if err := h.Inbox.DB.Read().QueryRow(ctx, "SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL AND attempts >= ?",
			h.Deliverer.maxAttempts()).Scan(&n); err == nil && n > 0 {
			cards = append(cards, platform.Card{Label: i18n.Tr(lang, "ntf.card.outbox"), Value: fmt.Sprint(n), Href: "/outbox?failed=true", Tone: "red"})
		}
	}
	return cards
}

func (h *Handler) list(r *http.Request) (web.ListParams, web.List[Notification], error) {
	p, err := web.ParseList(r)
	if err != nil {
		return p, web.List[Notification]{}, err
	}
	unread, _, err := p.Bool("unread")
	if err != nil {
		return p, web.List[Notification]{}, err
	}
	var before int64
	if _, err := web.DecodeCursor(p.Cursor, &before); err != nil {
		return p, web.List[Notification]{}, err
	}
	items, total, err := h.Inbox.List(r.Context(), web.Principal(r).UserID, unread, before, p.Limit, i18n.From(r.Context()))
	l := web.List[Notification]{Items: items, Total: total}
	if l.Items == nil {
		l.Items = []Notification{}
	}
	if len(items) == p.Limit {
		l.NextCursor = web.EncodeCursor(items[len(items)-1].ID)
	}
	return p, l, err
}

func (h *Handler) apiList(w http.ResponseWriter, r *http.Request) error {
	_, l, err := h.list(r)
	if err != nil {
		return err
	}
	return web.OK(w, l)
}

func (h *Handler) apiRead(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := h.Inbox.MarkRead(r.Context(), web.Principal(r).UserID, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) apiReadAll(w http.ResponseWriter, r *http.Request) error {
	if err := h.Inbox.MarkAllRead(r.Context(), web.Principal(r).UserID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) apiWebhook(w http.ResponseWriter, r *http.Request) error {
	wh, err := LoadWebhook(r.Context(), h.Inbox.DB.Read())
	if err != nil {
		return err
	}
	return web.OK(w, wh.redacted())
}

func (h *Handler) apiSaveWebhook(w http.ResponseWriter, r *http.Request) error {
	var in Webhook
	if err := web.Decode(r, &in); err != nil {
		return err
	}
	if err := SaveWebhook(r.Context(), h.Inbox.DB, in); err != nil {
		return err
	}
	return h.apiWebhook(w, r)
}

func (h *Handler) outbox(r *http.Request) (web.List[OutboxItem], error) {
	p, err := web.ParseList(r)
	if err != nil {
		return web.List[OutboxItem]{}, err
	}
	failed, _, err := p.Bool("failed")
	if err != nil {
		return web.List[OutboxItem]{}, err
	}
	var before int64
	if _, err := web.DecodeCursor(p.Cursor, &before); err != nil {
		return web.List[OutboxItem]{}, err
	}
	items, total, err := Outbox(r.Context(), h.Inbox.DB.Read(), failed, before, p.Limit)
	l := web.List[OutboxItem]{Items: items, Total: total}
	if l.Items == nil {
		l.Items = []OutboxItem{}
	}
	if len(items) == p.Limit {
		l.NextCursor = web.EncodeCursor(items[len(items)-1].ID)
	}
	return l, err
}

func (h *Handler) apiOutbox(w http.ResponseWriter, r *http.Request) error {
	l, err := h.outbox(r)
	if err != nil {
		return err
	}
	return web.OK(w, l)
}

func (h *Handler) apiRetry(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := Retry(r.Context(), h.Inbox.DB, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) inboxPage(w http.ResponseWriter, r *http.Request) error {
	p, l, err := h.list(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	q.Del("cursor")
	query := q.Encode()
	if query != "" {
		query += "&"
	}
	return h.UI.Render(w, r, "notify_inbox", i18n.T("我的消息", "My messages"), map[string]any{
		"List": l, "Unread": p.Query.Get("unread") == "true", "Query": query,
	})
}

func (h *Handler) inboxRead(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	link, err := h.Inbox.MarkRead(r.Context(), web.Principal(r).UserID, id)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(link, "/") || strings.HasPrefix(link, "//") {
		link = "/inbox"
	}
	web.Redirect(w, r, link)
	return nil
}

func (h *Handler) inboxReadAll(w http.ResponseWriter, r *http.Request) error {
	if err := h.Inbox.MarkAllRead(r.Context(), web.Principal(r).UserID); err != nil {
		return err
	}
	web.Redirect(w, r, "/inbox")
	return nil
}

func (h *Handler) outboxPage(w http.ResponseWriter, r *http.Request) error {
	return h.renderOutbox(w, r, http.StatusOK, "")
}

func (h *Handler) renderOutbox(w http.ResponseWriter, r *http.Request, status int, msg string) error {
	l, err := h.outbox(r)
	if err != nil {
		return err
	}
	wh, err := LoadWebhook(r.Context(), h.Inbox.DB.Read())
	if err != nil {
		return err
	}
	q := r.URL.Query()
	q.Del("cursor")
	query := q.Encode()
	if query != "" {
		query += "&"
	}
	return h.UI.RenderStatus(w, r, status, "notify_outbox", i18n.T("Webhook 推送", "Webhooks"), map[string]any{
		"List": l, "Webhook": wh.redacted(), "HasSecret": wh.Secret != "", "Events": strings.Join(wh.Events, ","),
		"Failed": q.Get("failed") == "true", "Query": query, "Error": msg, "MaxAttempts": h.Deliverer.maxAttempts(),
	})
}

func (h *Handler) outboxSettings(w http.ResponseWriter, r *http.Request) error {
	in := Webhook{URL: r.PostFormValue("url"), Secret: r.PostFormValue("secret")}
	for _, e := range strings.Split(r.PostFormValue("events"), ",") {
		in.Events = append(in.Events, e)
	}
	if err := SaveWebhook(r.Context(), h.Inbox.DB, in); err != nil {
		e := errs.As(err)
		if e.Code == errs.Internal {
			return err
		}
		return h.renderOutbox(w, r, web.StatusOf(e), e.Msg.In(i18n.From(r.Context())))
	}
	web.Flash(w, "ntf.saved")
	web.Redirect(w, r, "/outbox")
	return nil
}

func (h *Handler) outboxRetry(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := Retry(r.Context(), h.Inbox.DB, id); err != nil {
		return err
	}
	web.Flash(w, "ntf.retried")
	web.Redirect(w, r, "/outbox?failed=true")
	return nil
}
