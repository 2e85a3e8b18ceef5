package calendar

import (
	"embed"
	"io/fs"
	"net/http"
	"strconv"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
	"xiaoer/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Templates returns the module's pages.
func Templates() fs.FS { s, _ := fs.Sub(templates, "templates"); return s }

// Handler serves the calendar.
type Handler struct {
	Svc *Service
	UI  *web.UI
}

// Deadline is the answer of the deadline calculation.
type Deadline struct {
	Due civil.Date `json:"due"`
}

// YearView is the answer of GET /calendar/{year}.
type YearView struct {
	Year     int          `json:"year"`
	Holidays []civil.Date `json:"holidays"`
	Workdays []civil.Date `json:"workdays" doc:"make-up working days (调休上班)"`
	Days     []Day        `json:"days"`
	Official bool         `json:"official" doc:"whether the national table covers the year"`
}

var office = web.Roles(access.ServiceOffice)

// Routes is the module's part of the route table.
func (h *Handler) Routes() []web.Route {
	return []web.Route{
		web.Handle("GET /api/v1/calendar/deadline", web.SignedIn, h.deadline).Doc("工作日期限：from 之后第 workdays 个工作日", nil, Deadline{}),
		web.Handle("GET /api/v1/calendar/{year}", web.SignedIn, h.year).Doc("某年的法定节假日与调休上班日", nil, YearView{}),
		web.Handle("PUT /api/v1/calendar/days/{date}", office, h.setDay).Doc("登记本地调整（放假、上班或恢复常规）", DayInput{}, YearView{}),
		web.Handle("DELETE /api/v1/calendar/days/{date}", office, h.clearDay).Doc("撤销本地调整", nil, nil),
		web.Handle("GET /calendar", web.SignedIn, h.page),
		web.Handle("POST /calendar/days", office, h.setDayPost),
	}
}

// Nav returns the module's navigation links.
func Nav() []web.NavItem {
	return []web.NavItem{{Group: "nav.admin", Key: "nav.calendar", Path: "/calendar", Allow: office, Order: 940}}
}

func init() {
	i18n.Register(map[string]i18n.Text{
		"nav.calendar":   i18n.T("工作日历", "Working calendar"),
		"cal.holiday":    i18n.T("放假", "Holiday"),
		"cal.workday":    i18n.T("调休上班", "Make-up working day"),
		"cal.normal":     i18n.T("恢复常规", "Back to normal"),
		"cal.local":      i18n.T("本地调整", "Local change"),
		"cal.national":   i18n.T("国务院安排", "State Council"),
		"cal.date":       i18n.T("日期", "Date"),
		"cal.kind":       i18n.T("类型", "Kind"),
		"cal.name":       i18n.T("名称", "Name"),
		"cal.year":       i18n.T("年份", "Year"),
		"cal.set":        i18n.T("登记本地调整", "Record a local change"),
		"cal.saved":      i18n.T("日历已更新，期限按新日历计算", "Calendar updated; deadlines now count on it"),
		"cal.try":        i18n.T("期限计算", "Deadline calculator"),
		"cal.from":       i18n.T("起算日", "From"),
		"cal.workdays":   i18n.T("工作日数", "Working days"),
		"cal.due":        i18n.T("到期日", "Due"),
		"cal.unofficial": i18n.T("该年份尚无国务院放假安排数据，仅按周末计算；请按通知登记本地调整。", "The national table does not cover this year: only weekends count until the notice is entered here."),
		"cal.hint":       i18n.T("期限按工作日计算：起算日当天不计，跳过法定节假日，调休上班日计入。", "Limits count working days: the start day is not counted, holidays are skipped, make-up days count."),
	})
}

func parseDeadline(r *http.Request) (civil.Date, int, error) {
	q := r.URL.Query()
	from, err := civil.Parse(q.Get("from"))
	if err != nil {
		return from, 0, errs.Invalidf("from", "from 应为YYYY-MM-DD格式的日期", "from must be a date YYYY-MM-DD")
	}
	n, err := strconv.Atoi(q.Get("workdays"))
	if err != nil || n < 0 || n > 1000 {
		return from, 0, errs.Invalidf("workdays", "workdays 应为0到1000之间的整数", "workdays must be a whole number from 0 to 1000")
	}
	return from, n, nil
}

func (h *Handler) deadline(w http.ResponseWriter, r *http.Request) error {
	from, n, err := parseDeadline(r)
	if err != nil {
		return err
	}
	return web.OK(w, Deadline{Due: h.Svc.Cal.AddWorkdays(from, n)})
}

func (h *Handler) yearView(y int) YearView {
	v := YearView{Year: y, Holidays: []civil.Date{}, Workdays: []civil.Date{}, Days: h.Svc.Cal.Year(y), Official: y >= FirstYear && y <= LastYear}
	for _, d := range v.Days {
		switch d.Kind {
		case Holiday:
			v.Holidays = append(v.Holidays, d.Date)
		case Workday:
			v.Workdays = append(v.Workdays, d.Date)
		}
	}
	if v.Days == nil {
		v.Days = []Day{}
	}
	return v
}

func parseYear(s string) (int, error) {
	y, err := strconv.Atoi(s)
	if err != nil || y < 1990 || y > 2100 {
		return 0, errs.NotFoundf("没有 %s 年的日历", "There is no calendar for %s", s)
	}
	return y, nil
}

func (h *Handler) year(w http.ResponseWriter, r *http.Request) error {
	y, err := parseYear(r.PathValue("year"))
	if err != nil {
		return err
	}
	return web.OK(w, h.yearView(y))
}

func (h *Handler) setDay(w http.ResponseWriter, r *http.Request) error {
	d, err := civil.Parse(r.PathValue("date"))
	if err != nil {
		return errs.Invalidf("date", "日期应为YYYY-MM-DD格式", "The date must be YYYY-MM-DD")
	}
	var in DayInput
	if err := web.Decode(r, &in); err != nil {
		return err
	}
	if err := h.Svc.SetDay(r.Context(), d, in); err != nil {
		return err
	}
	return web.OK(w, h.yearView(d.Year))
}

func (h *Handler) clearDay(w http.ResponseWriter, r *http.Request) error {
	d, err := civil.Parse(r.PathValue("date"))
	if err != nil {
		return errs.ErrNotFound
	}
	if err := h.Svc.ClearDay(r.Context(), d); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) page(w http.ResponseWriter, r *http.Request) error {
	return h.render(w, r, http.StatusOK, "")
}

func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, msg string) error {
	y := civil.Of(h.Svc.DB.Now()).Year
	if s := r.URL.Query().Get("year"); s != "" {
		var err error
		if y, err = parseYear(s); err != nil {
			return err
		}
	}
	data := map[string]any{"View": h.yearView(y), "Error": msg, "Prev": y - 1, "Next": y + 1}
	if r.URL.Query().Has("from") {
		from, n, err := parseDeadline(r)
		if err != nil {
			data["Error"] = errs.As(err).Msg.In(i18n.From(r.Context()))
		} else {
			data["From"], data["N"], data["Due"] = from, n, h.Svc.Cal.AddWorkdays(from, n)
		}
	}
	return h.UI.RenderStatus(w, r, status, "calendar", i18n.F("%d年工作日历", "Working calendar %d", y), data)
}

func (h *Handler) setDayPost(w http.ResponseWriter, r *http.Request) error {
	d, err := civil.Parse(r.PostFormValue("date"))
	if err == nil {
		err = h.Svc.SetDay(r.Context(), d, DayInput{Kind: Kind(r.PostFormValue("kind")), Name: r.PostFormValue("name")})
	} else {
		err = errs.Invalidf("date", "日期应为YYYY-MM-DD格式", "The date must be YYYY-MM-DD")
	}
	if err != nil {
		e := errs.As(err)
		if e.Code == errs.Internal {
			return err
		}
		return h.render(w, r, web.StatusOf(e), e.Msg.In(i18n.From(r.Context())))
	}
	web.Flash(w, "cal.saved")
	web.Redirect(w, r, "/calendar?year="+strconv.Itoa(d.Year))
	return nil
}
