package stats

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"

	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
	"xiaoer/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Templates returns the module's pages.
func Templates() fs.FS { s, _ := fs.Sub(templates, "templates"); return s }

// Handler serves statistics, the dashboard and the brief.
type Handler struct {
	Svc *Service
	UI  *web.UI
	// DefaultPeriod is the period the dashboard opens on when none is given;
	// nil means the current year.
	DefaultPeriod func() (civil.Date, civil.Date)
}

var readers = web.Roles(Readers...)

// Routes is the module's part of the route table.
func (h *Handler) Routes() []web.Route {
	return []web.Route{
		web.Handle("GET /api/v1/stats/summary", readers, h.apiSummary).Doc("期间汇总：各项指标（流量按期间内发生，存量截至 to）", nil, map[string]any{}),
		web.Handle("GET /api/v1/stats/trend", readers, h.apiTrend).Doc("指标趋势：按月或按周", nil, Trend{}),
		web.Handle("GET /api/v1/stats/export", readers, h.apiExport).Doc("驾驶舱数据导出Excel（每个板块一个工作表）", nil, nil),
		web.Handle("GET /api/v1/reports/brief", readers, h.apiBrief).Doc("期间工作情况报告（中文Markdown；format=docx 下载Word）", nil, nil),
		web.Handle("GET /dashboard", readers, h.dashboardPage),
		web.Handle("GET /reports/brief", readers, h.briefPage),
	}
}

// Nav returns the module's navigation links.
func Nav() []web.NavItem {
	return []web.NavItem{
		{Group: "nav.stats", Key: "nav.dashboard", Path: "/dashboard", Allow: readers, Order: 10},
		{Group: "nav.stats", Key: "nav.brief", Path: "/reports/brief", Allow: readers, Order: 11},
	}
}

func init() {
	i18n.Register(map[string]i18n.Text{
		"nav.stats":        i18n.T("数据驾驶舱", "Dashboard"),
		"nav.dashboard":    i18n.T("驾驶舱", "Dashboard"),
		"nav.brief":        i18n.T("工作报告", "Period report"),
		"stats.period":     i18n.T("统计期间", "Period"),
		"stats.from":       i18n.T("起始", "From"),
		"stats.to":         i18n.T("截止", "To"),
		"stats.apply":      i18n.T("查询", "Show"),
		"stats.month":      i18n.T("本月", "This month"),
		"stats.quarter":    i18n.T("本季度", "This quarter"),
		"stats.half":       i18n.T("本半年", "This half-year"),
		"stats.year":       i18n.T("本年", "This year"),
		"stats.seed":       i18n.T("2023年上半年", "H1 2023"),
		"stats.prev":       i18n.T("上期", "Previous"),
		"stats.trends":     i18n.T("趋势", "Trends"),
		"stats.table":      i18n.T("数据表", "Numbers"),
		"stats.rankings":   i18n.T("排名", "Rankings"),
		"stats.warnings":   i18n.T("实时预警（截至当前，不随期间变化）", "Live warnings (as of now, whatever the period)"),
		"stats.screen":     i18n.T("大屏模式", "Wall screen"),
		"stats.exit":       i18n.T("退出大屏", "Leave wall screen"),
		"stats.brief":      i18n.T("生成报告", "Write the report"),
		"stats.excel":      i18n.T("导出Excel", "Export to Excel"),
		"stats.docx":       i18n.T("下载Word", "Download Word"),
		"stats.markdown":   i18n.T("下载Markdown", "Download Markdown"),
		"stats.none":       i18n.T("本期暂无数据", "No data for this period"),
		"stats.brief.note": i18n.T("报告中的每个数字都取自平台的业务记录；比较期间为本期之前等长的期间。", "Every number in the report is taken from the platform's records; the comparison is the equally long period before."),
	})
}

func (h *Handler) period(r *http.Request) (civil.Date, civil.Date, error) {
	q := r.URL.Query()
	if q.Get("from") == "" && q.Get("to") == "" && h.DefaultPeriod != nil && !r.URL.Query().Has("preset") {
		f, t := h.DefaultPeriod()
		return f, t, nil
	}
	if p := q.Get("preset"); p != "" {
		for _, x := range Periods(civil.Of(h.Svc.DB.Now())) {
			if x.Key == p {
				return x.From, x.To, nil
			}
		}
		return civil.Date{}, civil.Date{}, errs.Invalidf("preset", "未知的期间", "Unknown period")
	}
	from, err := civil.Parse(q.Get("from"))
	if err != nil {
		return from, from, errs.Invalidf("from", "from 应为YYYY-MM-DD格式的日期", "from must be a date YYYY-MM-DD")
	}
	to, err := civil.Parse(q.Get("to"))
	if err != nil {
		return from, to, errs.Invalidf("to", "to 应为YYYY-MM-DD格式的日期", "to must be a date YYYY-MM-DD")
	}
	return from, to, CheckPeriod(from, to)
}

func (h *Handler) apiSummary(w http.ResponseWriter, r *http.Request) error {
	from, to, err := h.apiPeriod(r)
	if err != nil {
		return err
	}
	sum, err := h.Svc.Summary(r.Context(), web.Principal(r), from, to)
	if err != nil {
		return err
	}
	return web.OK(w, sum)
}

// apiPeriod requires from and to (the API has no default period).
func (h *Handler) apiPeriod(r *http.Request) (civil.Date, civil.Date, error) {
	q := r.URL.Query()
	from, err := civil.Parse(q.Get("from"))
	if err != nil {
		return from, from, errs.Invalidf("from", "from 应为YYYY-MM-DD格式的日期", "from must be a date YYYY-MM-DD")
	}
	to, err := civil.Parse(q.Get("to"))
	if err != nil {
		return from, to, errs.Invalidf("to", "to 应为YYYY-MM-DD格式的日期", "to must be a date YYYY-MM-DD")
	}
	return from, to, CheckPeriod(from, to)
}

func (h *Handler) apiTrend(w http.ResponseWriter, r *http.Request) error {
	from, to, err := h.apiPeriod(r)
	if err != nil {
		return err
	}
	by := r.URL.Query().Get("by")
	if by == "" {
		by = "month"
	}
	t, err := h.Svc.Trend(r.Context(), web.Principal(r), r.URL.Query().Get("metric"), from, to, by)
	if err != nil {
		return err
	}
	return web.OK(w, t)
}

func (h *Handler) apiExport(w http.ResponseWriter, r *http.Request) error {
	from, to, err := h.apiPeriod(r)
	if err != nil {
		return err
	}
	p, lang := web.Principal(r), i18n.From(r.Context())
	cur, err := h.Svc.Summary(r.Context(), p, from, to)
	if err != nil {
		return err
	}
	pf, pt := Previous(from, to)
	prev, err := h.Svc.Summary(r.Context(), p, pf, pt)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	d := &Dashboard{From: from, To: to, Label: Label(from, to)}
	if err := Excel(&buf, h.Svc.Zone, d, cur, prev, lang); err != nil {
		return err
	}
	name := h.Svc.Zone + "营商环境数据-" + from.String() + "至" + to.String() + ".xlsx"
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="dashboard.xlsx"; filename*=UTF-8''`+url.PathEscape(name))
	_, err = w.Write(buf.Bytes())
	return err
}

func (h *Handler) apiBrief(w http.ResponseWriter, r *http.Request) error {
	from, to, err := h.apiPeriod(r)
	if err != nil {
		return err
	}
	b, err := h.Svc.Brief(r.Context(), web.Principal(r), from, to)
	if err != nil {
		return err
	}
	switch r.URL.Query().Get("format") {
	case "", "md", "markdown":
		w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
		if r.URL.Query().Get("download") != "" {
			w.Header().Set("Content-Disposition", `attachment; filename="brief.md"; filename*=UTF-8''`+url.PathEscape(b.Title+".md"))
		}
		_, err = w.Write([]byte(b.Markdown()))
		return err
	case "docx":
		var buf bytes.Buffer
		if err := b.DOCX(&buf); err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
		w.Header().Set("Content-Disposition", `attachment; filename="brief.docx"; filename*=UTF-8''`+url.PathEscape(b.Title+".docx"))
		_, err = w.Write(buf.Bytes())
		return err
	}
	return errs.Invalidf("format", "format 只能是 markdown 或 docx", "format must be markdown or docx")
}

func (h *Handler) pageData(r *http.Request, from, to civil.Date) map[string]any {
	q := url.Values{"from": {from.String()}, "to": {to.String()}}
	return map[string]any{
		"From": from, "To": to, "Query": template.URL(q.Encode()),
		"Presets": Periods(civil.Of(h.Svc.DB.Now())),
		"Screen":  r.URL.Query().Get("screen") == "1",
	}
}

func (h *Handler) dashboardPage(w http.ResponseWriter, r *http.Request) error {
	from, to, err := h.period(r)
	if err != nil {
		return err
	}
	d, err := h.Svc.Dashboard(r.Context(), web.Principal(r), from, to, i18n.From(r.Context()))
	if err != nil {
		return err
	}
	data := h.pageData(r, from, to)
	data["D"] = d
	return h.UI.Render(w, r, "stats_dashboard", i18n.F("驾驶舱 · %s", "Dashboard · %s", d.Label), data)
}

func (h *Handler) briefPage(w http.ResponseWriter, r *http.Request) error {
	from, to, err := h.period(r)
	if err != nil {
		return err
	}
	b, err := h.Svc.Brief(r.Context(), web.Principal(r), from, to)
	if err != nil {
		return err
	}
	data := h.pageData(r, from, to)
	data["B"] = b
	return h.UI.Render(w, r, "stats_brief", i18n.T(b.Title, b.Title), data)
}
