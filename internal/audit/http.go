package audit

import (
	"embed"
	"io/fs"
	"net/http"

	"xiaoer/internal/access"
	"xiaoer/internal/i18n"
	"xiaoer/internal/store"
	"xiaoer/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Templates returns the module's pages.
func Templates() fs.FS { s, _ := fs.Sub(templates, "templates"); return s }

// Handler lets the auditor browse, export and verify the log.
type Handler struct {
	DB *store.DB
	UI *web.UI
}

var auditor = web.Roles(access.Auditor)

// VerifyResult is the answer of a chain verification.
type VerifyResult struct {
	Records  int64  `json:"records"`
	OK       bool   `json:"ok"`
	BrokenAt int64  `json:"broken_at,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

// Routes is the module's part of the route table.
func (h *Handler) Routes() []web.Route {
	return []web.Route{
		web.Handle("GET /api/v1/audit", auditor, h.apiList).Doc("审计日志列表（新的在前）", nil, web.List[Record]{}),
		web.Handle("POST /api/v1/audit/verify", auditor, h.apiVerify).Doc("校验审计日志的SM3哈希链", nil, VerifyResult{}),
		web.Handle("GET /audit", auditor, h.page),
		web.Handle("POST /audit/verify", auditor, h.verifyPost),
	}
}

// Nav returns the module's navigation links.
func Nav() []web.NavItem {
	return []web.NavItem{{Group: "nav.admin", Key: "nav.audit", Path: "/audit", Allow: auditor, Order: 930}}
}

func init() {
	i18n.Register(map[string]i18n.Text{
		"nav.audit":        i18n.T("审计日志", "Audit log"),
		"audit.seq":        i18n.T("序号", "No."),
		"audit.at":         i18n.T("时间", "Time"),
		"audit.user":       i18n.T("用户", "User"),
		"audit.action":     i18n.T("操作", "Action"),
		"audit.object":     i18n.T("对象", "Object"),
		"audit.outcome":    i18n.T("结果", "Outcome"),
		"audit.ip":         i18n.T("地址", "Address"),
		"audit.summary":    i18n.T("摘要", "Summary"),
		"audit.from":       i18n.T("起始日期", "From"),
		"audit.to":         i18n.T("截止日期", "To"),
		"audit.verify":     i18n.T("校验哈希链", "Verify the hash chain"),
		"audit.verify.ok":  i18n.T("哈希链完整：已校验 %d 条记录", "The chain is whole: %d records checked"),
		"audit.verify.bad": i18n.T("哈希链在第 %d 条记录处断开：%s", "The chain breaks at record %d: %s"),
		"audit.hint":       i18n.T("审计日志只能追加，每条记录以SM3哈希与上一条相连，保存不少于180天。", "The log is append-only; each record is chained to the one before by an SM3 hash and kept at least 180 days."),
	})
}

var columns = []web.Column[Record]{
	web.Col("序号", "No.", func(r Record) any { return r.Seq }),
	web.Col("时间", "Time", func(r Record) any { return r.At }),
	web.Col("用户", "User", func(r Record) any { return r.Username }),
	web.Col("操作", "Action", func(r Record) any { return r.Action }),
	web.Col("对象类型", "Object type", func(r Record) any { return r.Object }),
	web.Col("对象编号", "Object ID", func(r Record) any { return r.ObjectID }),
	web.Col("结果", "Outcome", func(r Record) any { return r.Outcome }),
	web.Col("地址", "Address", func(r Record) any { return r.IP }),
	web.Col("摘要", "Summary", func(r Record) any { return r.Summary }),
	web.Col("哈希", "Hash", func(r Record) any { return r.Hash }),
}

func filterOf(p web.ListParams) (Filter, error) {
	f := Filter{Username: p.Query.Get("user"), Action: p.Query.Get("action"), Object: p.Query.Get("object"),
		ObjectID: p.Query.Get("object_id"), Outcome: p.Query.Get("outcome"), Limit: p.Limit}
	from, err := p.Date("from")
	if err != nil {
		return f, err
	}
	to, err := p.Date("to")
	if err != nil {
		return f, err
	}
	if !from.IsZero() {
		f.From = from.Time()
	}
	if !to.IsZero() {
		f.To = to.AddDays(1).Time()
	}
	_, err = web.DecodeCursor(p.Cursor, &f.BeforeSeq)
	return f, err
}

func (h *Handler) page1(r *http.Request, f Filter) (web.List[Record], error) {
	items, err := List(r.Context(), h.DB.Read(), f)
	l := web.List[Record]{Items: items, Total: -1}
	if len(items) == f.Limit && f.Limit > 0 {
		l.NextCursor = web.EncodeCursor(items[len(items)-1].Seq)
	}
	var total int
	if err == nil {
		err = h.DB.Read().QueryRow(r.Context(), "SELECT seq FROM audit_head WHERE id = 1").Scan(&total)
	}
	l.Total = total
	return l, err
}

func (h *Handler) apiList(w http.ResponseWriter, r *http.Request) error {
	p, err := web.ParseList(r)
	if err != nil {
		return err
	}
	f, err := filterOf(p)
	if err != nil {
		return err
	}
	return web.ServeList(w, r, p, i18n.T("审计日志", "Audit log"), columns,
		func() (web.List[Record], error) { return h.page1(r, f) },
		func(yield func(Record) error) error {
			f.BeforeSeq = 0
			for {
				f.Limit = 5000
				items, err := List(r.Context(), h.DB.Read(), f)
				if err != nil {
					return err
				}
				for _, it := range items {
					if err := yield(it); err != nil {
						return err
					}
				}
				if len(items) < f.Limit {
					return nil
				}
				f.BeforeSeq = items[len(items)-1].Seq
			}
		})
}

func (h *Handler) verify(r *http.Request) (VerifyResult, error) {
	n, brk, err := Verify(r.Context(), h.DB.Read(), nil)
	if err != nil {
		return VerifyResult{}, err
	}
	res := VerifyResult{Records: n, OK: brk == nil}
	if brk != nil {
		res.BrokenAt, res.Reason = brk.Seq, brk.Reason
	}
	// Verifying is itself an auditable act of the auditor.
	err = h.DB.Write(r.Context(), func(tx *store.Tx) error {
		return Append(r.Context(), tx, Entry{Action: "audit.verify", Object: "audit_log", Summary: res})
	})
	return res, err
}

func (h *Handler) apiVerify(w http.ResponseWriter, r *http.Request) error {
	res, err := h.verify(r)
	if err != nil {
		return err
	}
	return web.OK(w, res)
}

func (h *Handler) page(w http.ResponseWriter, r *http.Request) error {
	return h.render(w, r, nil)
}

func (h *Handler) render(w http.ResponseWriter, r *http.Request, res *VerifyResult) error {
	p, err := web.ParseList(r)
	if err != nil {
		return err
	}
	f, err := filterOf(p)
	if err != nil {
		return err
	}
	l, err := h.page1(r, f)
	if err != nil {
		return err
	}
	query := web.QueryPrefix(p.Query, "user", "action", "outcome", "from", "to", "object", "object_id")
	var verdict string
	if res != nil {
		lang := i18n.From(r.Context())
		if res.OK {
			verdict = i18n.F(i18n.Tr(i18n.ZH, "audit.verify.ok"), i18n.Tr(i18n.EN, "audit.verify.ok"), res.Records).In(lang)
		} else {
			verdict = i18n.F(i18n.Tr(i18n.ZH, "audit.verify.bad"), i18n.Tr(i18n.EN, "audit.verify.bad"), res.BrokenAt, res.Reason).In(lang)
		}
	}
	return h.UI.Render(w, r, "audit", i18n.T("审计日志", "Audit log"), map[string]any{
		"List": l, "Query": query, "Params": p.Query, "Verdict": verdict, "Verified": res,
	})
}

func (h *Handler) verifyPost(w http.ResponseWriter, r *http.Request) error {
	res, err := h.verify(r)
	if err != nil {
		return err
	}
	return h.render(w, r, &res)
}
