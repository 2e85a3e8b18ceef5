// Package open311 serves enterprise appeals through the Open311 GeoReport
// v2 interface (http://wiki.open311.org/GeoReport_v2), so that a 12345
// hotline platform or any Open311 client can list the kinds of appeal, file
// one and follow it.
//
// The mapping: each appeal category is a service (service_code "license",
// "land" …), typed "realtime"; a service request is an appeal, its
// service_request_id the appeal's number; status is "closed" for a closed
// appeal and "open" otherwise; agency_responsible is the lead department;
// expected_datetime is the end of the reply's due day (estimated from the
// time limits before the dispatch). Filing needs an API token of xiaoer as
// api_key, of a user who may file appeals, and the enterprise's unified
// social credit code as attribute[uscc]. Reading needs no key: without one,
// the appeal's text, address and reply are withheld, since enterprise
// appeals carry business matters; with one, the key's user sees in full
// what their scope allows.
package open311

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"

	"xiaoer/internal/access"
	"xiaoer/internal/appeal"
	"xiaoer/internal/auth"
	"xiaoer/internal/civil"
	"xiaoer/internal/enterprise"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
	"xiaoer/internal/platform"
	"xiaoer/internal/web"
)

// Base is where the interface is served.
const Base = "/open311/v2"

// Changeset dates the service list and definitions (discovery's
// changeset): change it when they change.
const Changeset = "2026-11-27 00:00"

// Handler serves GeoReport v2.
type Handler struct {
	Appeals *appeal.Service
	Auth    *auth.Service
}

// NewModule builds the Open311 interface's part of the app.
func NewModule(d *platform.Deps, appeals *appeal.Service) platform.Module {
	h := &Handler{Appeals: appeals, Auth: d.Auth}
	return platform.Module{Name: "open311", Routes: h.Routes()}
}

// Routes is the interface's part of the route table. The routes are public
// (reading needs no key; filing checks its api_key itself) and answer in
// Open311's own formats, errors included.
func (h *Handler) Routes() []web.Route {
	return []web.Route{
		web.Handle("GET "+Base+"/{file}", web.Public, h.top),
		web.Handle("POST "+Base+"/{file}", web.Public, h.post),
		web.Handle("GET "+Base+"/services/{file}", web.Public, h.definition),
		web.Handle("GET "+Base+"/requests/{file}", web.Public, h.request),
		web.Handle("GET "+Base+"/tokens/{file}", web.Public, h.token),
	}
}

func init() {
	i18n.Register(map[string]i18n.Text{
		"o311.contact":     i18n.T("营商办：通过店小二平台“企业诉求”联系", "The zone's service office, through xiaoer's appeals"),
		"o311.key_service": i18n.T("API 令牌（xt_ 开头）由系统管理员在“用户管理”中为营商办、窗口或企业账号签发", "API tokens (xt_…) are issued by the system administrator under Users, to a service-office, clerk or enterprise account"),
		"o311.uscc":        i18n.T("提出诉求的企业的统一社会信用代码", "The unified social credit code of the enterprise the appeal is for"),
		"o311.uscc.type":   i18n.T("18位统一社会信用代码", "18-character unified social credit code"),
		"o311.urgency":     i18n.T("紧急程度（默认一般）", "Urgency (default general)"),
		"o311.channel":     i18n.T("诉求来源渠道（默认热线；企业账号为网上提交）", "Where the appeal came from (default hotline; enterprise accounts file online)"),
	})
}

// apiError is an Open311 error: the HTTP status and a description.
type apiError struct {
	status int
	desc   i18n.Text
}

func (e *apiError) Error() string { return e.desc.En }

func fail(status int, zh, en string, args ...any) *apiError {
	return &apiError{status: status, desc: i18n.F(zh, en, args...)}
}

// fromErr maps a xiaoer error to Open311's statuses: 404 for what does not
// exist, 403 for the api_key, 400 for everything else (the spec's "general
// service error").
func fromErr(ctx context.Context, err error) *apiError {
	if e, ok := err.(*apiError); ok {
		return e
	}
	e := errs.As(err)
	switch e.Code {
	case errs.NotFound:
		return &apiError{status: http.StatusNotFound, desc: e.Msg}
	case errs.Forbidden, errs.Unauthenticated:
		return &apiError{status: http.StatusForbidden, desc: e.Msg}
	case errs.Internal:
		slog.ErrorContext(ctx, "open311", "err", e.Err)
	}
	return &apiError{status: http.StatusBadRequest, desc: e.Msg}
}

// writeErr answers with the spec's error document.
func writeErr(w http.ResponseWriter, r *http.Request, format string, err error) error {
	e := fromErr(r.Context(), err)
	doc := list{item: "error", items: []any{object{{"code", e.status}, {"description", e.desc.In(i18n.From(r.Context()))}}}}
	return write(w, format, e.status, "errors", doc)
}

// splitFile reads "name.json" or "name.xml"; an unknown format is "".
func splitFile(file string) (name, format string) {
	i := strings.LastIndexByte(file, '.')
	if i < 0 {
		return file, ""
	}
	name, format = file[:i], file[i+1:]
	if format != "json" && format != "xml" {
		return name, ""
	}
	return name, format
}

// param reads an optional argument: empty is the same as absent.
func param(r *http.Request, name string) string { return strings.TrimSpace(r.FormValue(name)) }

func notFound(w http.ResponseWriter, r *http.Request, format string) error {
	if format == "" {
		format = "xml"
	}
	return writeErr(w, r, format, fail(http.StatusNotFound, "没有这个资源：%s", "No such resource: %s", r.URL.Path))
}

func (h *Handler) top(w http.ResponseWriter, r *http.Request) error {
	name, format := splitFile(r.PathValue("file"))
	if format == "" {
		return notFound(w, r, format)
	}
	switch name {
	case "discovery":
		return h.discovery(w, r, format)
	case "services":
		return h.services(w, r, format)
	case "requests":
		return h.requests(w, r, format)
	}
	return notFound(w, r, format)
}

func (h *Handler) post(w http.ResponseWriter, r *http.Request) error {
	name, format := splitFile(r.PathValue("file"))
	if format == "" || name != "requests" {
		return notFound(w, r, format)
	}
	return h.create(w, r, format)
}

// principal returns the user of the api_key argument; nil without one.
func (h *Handler) principal(r *http.Request) (*access.Principal, error) {
	key := param(r, "api_key")
	if key == "" {
		return nil, nil
	}
	bad := fail(http.StatusForbidden, "api_key 无效或已撤销", "Invalid api_key received")
	if !strings.HasPrefix(key, "xt_") {
		return nil, bad
	}
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, "/", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	id, err := h.Auth.Authenticate(req)
	if err != nil || id == nil {
		return nil, bad
	}
	return id.Principal, nil
}

func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + Base
}

func (h *Handler) discovery(w http.ResponseWriter, r *http.Request, format string) error {
	lang := i18n.From(r.Context())
	doc := object{
		{"changeset", Changeset},
		{"contact", i18n.Tr(lang, "o311.contact")},
		{"key_service", i18n.Tr(lang, "o311.key_service")},
		{"endpoints", list{item: "endpoint", items: []any{object{
			{"specification", "http://wiki.open311.org/GeoReport_v2"},
			{"url", baseURL(r)},
			{"changeset", Changeset},
			{"type", "production"},
			{"formats", list{item: "format", items: []any{"text/xml", "application/json"}}},
		}}}},
	}
	return write(w, format, http.StatusOK, "discovery", doc)
}

// keywords help clients find a category by other words.
var keywords = map[appeal.Category]i18n.Text{
	appeal.License:        i18n.T("营业执照,许可证,审批,证照", "licence,permit,approval"),
	appeal.Land:           i18n.T("用地,土地,不动产,规划", "land,property,planning"),
	appeal.Power:          i18n.T("用电,供电,停电,增容", "electricity,power,outage"),
	appeal.Water:          i18n.T("用水,供水,水压,排水", "water,supply,pressure"),
	appeal.Gas:            i18n.T("用气,天然气,燃气", "gas,natural gas"),
	appeal.Labor:          i18n.T("招工,用工,社保,稳岗", "labour,hiring,social insurance"),
	appeal.Finance:        i18n.T("融资,贷款,银行", "finance,loan,bank"),
	appeal.Policy:         i18n.T("政策,奖补,税收,兑现", "policy,subsidy,tax"),
	appeal.Legal:          i18n.T("法律,执法,纠纷", "legal,enforcement,dispute"),
	appeal.Infrastructure: i18n.T("道路,交通,配套,基础设施", "roads,transport,infrastructure"),
	appeal.Other:          i18n.T("其他", "other"),
}

func (h *Handler) services(w http.ResponseWriter, r *http.Request, format string) error {
	lang := i18n.From(r.Context())
	l, err := appeal.LoadLimits(r.Context(), h.Appeals.DB.Read())
	if err != nil {
		return writeErr(w, r, format, err)
	}
	var items []any
	for _, c := range appeal.Categories {
		items = append(items, object{
			{"service_code", string(c)},
			{"service_name", c.Label().In(lang)},
			{"description", l.Notice(c, appeal.General).In(lang)},
			{"metadata", true},
			{"type", "realtime"},
			{"keywords", keywords[c].In(lang)},
			{"group", c.Group().In(lang)},
		})
	}
	return write(w, format, http.StatusOK, "services", list{item: "service", items: items})
}

func valueList[T ~string](vals []T, label func(T) i18n.Text, lang i18n.Lang) list {
	var items []any
	for _, v := range vals {
		items = append(items, object{{"key", string(v)}, {"name", label(v).In(lang)}})
	}
	return list{item: "value", items: items}
}

// channels are the channels a client may name; online is the enterprise's
// own and the project channel needs a project.
var channels = []appeal.Channel{appeal.Hotline, appeal.CadreVisit, appeal.Shuangqian, appeal.TeaMeeting, appeal.Roundtable, appeal.BankMeeting}

func (h *Handler) definition(w http.ResponseWriter, r *http.Request) error {
	name, format := splitFile(r.PathValue("file"))
	if format == "" {
		return notFound(w, r, format)
	}
	c := appeal.Category(name)
	if !c.Valid() {
		return writeErr(w, r, format, fail(http.StatusNotFound, "没有服务代码 %s", "service_code %s not found", name))
	}
	lang := i18n.From(r.Context())
	doc := object{
		{"service_code", string(c)},
		{"attributes", list{item: "attribute", items: []any{
			object{{"variable", true}, {"code", "uscc"}, {"datatype", "string"}, {"required", true},
				{"datatype_description", i18n.Tr(lang, "o311.uscc.type")}, {"order", 1}, {"description", i18n.Tr(lang, "o311.uscc")}},
			object{{"variable", true}, {"code", "urgency"}, {"datatype", "singlevaluelist"}, {"required", false},
				{"datatype_description", nil}, {"order", 2}, {"description", i18n.Tr(lang, "o311.urgency")},
				{"values", valueList(appeal.Urgencies, appeal.Urgency.Label, lang)}},
			object{{"variable", true}, {"code", "channel"}, {"datatype", "singlevaluelist"}, {"required", false},
				{"datatype_description", nil}, {"order", 3}, {"description", i18n.Tr(lang, "o311.channel")},
				{"values", valueList(channels, appeal.Channel.Label, lang)}},
		}}},
	}
	return write(w, format, http.StatusOK, "service_definition", doc)
}

// contactName joins a given and a family name: family name first, with no
// space, for Chinese names.
func contactName(first, last string) string {
	switch {
	case first == "" || last == "":
		return strings.TrimSpace(last + first)
	case strings.IndexFunc(first+last, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0:
		return last + first
	}
	return first + " " + last
}

func (h *Handler) create(w http.ResponseWriter, r *http.Request, format string) error {
	p, err := h.principal(r)
	if err == nil && p == nil {
		err = fail(http.StatusForbidden, "请提供 api_key", "api_key is required to create a request")
	}
	if err != nil {
		return writeErr(w, r, format, err)
	}
	code := param(r, "service_code")
	c := appeal.Category(code)
	switch {
	case code == "":
		return writeErr(w, r, format, fail(http.StatusBadRequest, "请提供 service_code", "service_code was not provided"))
	case !c.Valid():
		return writeErr(w, r, format, fail(http.StatusNotFound, "没有服务代码 %s", "service_code %s not found", code))
	}
	uscc := param(r, "attribute[uscc]")
	if uscc == "" {
		return writeErr(w, r, format, fail(http.StatusBadRequest, "请提供 attribute[uscc]（企业统一社会信用代码）", "attribute[uscc], the enterprise's credit code, is required"))
	}
	entID, err := enterprise.ByUSCC(r.Context(), h.Appeals.DB.Read(), uscc)
	if err != nil {
		return writeErr(w, r, format, err)
	}
	if entID == 0 {
		return writeErr(w, r, format, fail(http.StatusBadRequest, "没有统一社会信用代码为 %s 的企业", "No enterprise has the credit code %s", uscc))
	}
	in := appeal.Input{EnterpriseID: entID, Category: c, Urgency: appeal.Urgency(param(r, "attribute[urgency]")),
		Channel: appeal.Channel(param(r, "attribute[channel]")), Content: param(r, "description"),
		ContactName: contactName(param(r, "first_name"), param(r, "last_name")),
		Address:     param(r, "address_string"), MediaURL: param(r, "media_url")}
	if in.Channel == "" {
		in.Channel = appeal.Hotline
	}
	if lat, long := param(r, "lat"), param(r, "long"); lat != "" || long != "" {
		la, err1 := strconv.ParseFloat(lat, 64)
		lo, err2 := strconv.ParseFloat(long, 64)
		if err1 != nil || err2 != nil {
			return writeErr(w, r, format, fail(http.StatusBadRequest, "lat 与 long 须同时提供且为数字", "lat and long must both be numbers"))
		}
		in.Lat, in.Lng = &la, &lo
	}
	if in.Content == "" {
		return writeErr(w, r, format, fail(http.StatusBadRequest, "请在 description 中说明诉求", "description is required: what is the appeal about"))
	}
	a, err := h.Appeals.Create(r.Context(), p, in)
	if err != nil {
		return writeErr(w, r, format, err)
	}
	l, err := appeal.LoadLimits(r.Context(), h.Appeals.DB.Read())
	if err != nil {
		return writeErr(w, r, format, err)
	}
	doc := list{item: "request", items: []any{object{
		{"service_request_id", a.No},
		{"service_notice", l.Notice(a.Category, a.Urgency).In(i18n.From(r.Context()))},
		{"account_id", nil},
	}}}
	return write(w, format, http.StatusCreated, "service_requests", doc)
}

// w3c parses a W3C datetime: a date, or a date and time with a zone.
func w3c(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	if d, err := civil.Parse(s); err == nil {
		return d.Time(), true
	}
	return time.Time{}, false
}

// maxSpan is the longest range of one query, and the default range.
const maxSpan = 90 * 24 * time.Hour

func (h *Handler) requests(w http.ResponseWriter, r *http.Request, format string) error {
	p, err := h.principal(r)
	if err != nil {
		return writeErr(w, r, format, err)
	}
	f := appeal.Filter{Limit: 1000}
	if ids := param(r, "service_request_id"); ids != "" {
		for _, id := range strings.Split(ids, ",") {
			if id = strings.TrimSpace(id); id != "" {
				f.Nos = append(f.Nos, strings.ToUpper(id))
			}
		}
	} else {
		for _, c := range strings.Split(param(r, "service_code"), ",") {
			if c = strings.TrimSpace(c); c == "" {
				continue
			}
			if !appeal.Category(c).Valid() {
				return writeErr(w, r, format, fail(http.StatusBadRequest, "没有服务代码 %s", "Unknown service_code %s", c))
			}
			f.Categories = append(f.Categories, appeal.Category(c))
		}
		var start, end time.Time
		if s := param(r, "start_date"); s != "" {
			t, ok := w3c(s)
			if !ok {
				return writeErr(w, r, format, fail(http.StatusBadRequest, "start_date 应为 W3C 日期时间，如 2023-01-01T00:00:00+08:00", "start_date must be a W3C datetime such as 2010-01-01T00:00:00Z"))
			}
			start = t
		}
		if s := param(r, "end_date"); s != "" {
			t, ok := w3c(s)
			if !ok {
				return writeErr(w, r, format, fail(http.StatusBadRequest, "end_date 应为 W3C 日期时间，如 2023-03-31T23:59:59+08:00", "end_date must be a W3C datetime such as 2010-01-01T00:00:00Z"))
			}
			end = t
		}
		switch {
		case start.IsZero() && end.IsZero():
			end = h.Appeals.DB.Now()
			start = end.Add(-maxSpan)
		case start.IsZero():
			start = end.Add(-maxSpan)
		case end.IsZero():
			end = start.Add(maxSpan)
		}
		if end.Before(start) {
			return writeErr(w, r, format, fail(http.StatusBadRequest, "end_date 不能早于 start_date", "end_date is before start_date"))
		}
		if end.Sub(start) > maxSpan {
			return writeErr(w, r, format, fail(http.StatusBadRequest, "查询范围不能超过90天", "The range of start_date and end_date may not span more than 90 days"))
		}
		f.RequestedFrom, f.RequestedTo = start, end
		statuses := map[string]bool{}
		for _, s := range strings.Split(param(r, "status"), ",") {
			switch s = strings.TrimSpace(s); s {
			case "":
			case "open", "closed":
				statuses[s] = true
			default:
				return writeErr(w, r, format, fail(http.StatusBadRequest, "status 只能是 open 或 closed", "status must be open or closed"))
			}
		}
		if len(statuses) == 1 {
			f.State = appeal.StateClosed
			if statuses["open"] {
				f.State = "open"
			}
		}
	}
	public := p == nil
	if public {
		p = access.SystemPrincipal("open311")
	}
	as, _, _, err := h.Appeals.List(r.Context(), p, f)
	if err != nil {
		return writeErr(w, r, format, err)
	}
	return h.writeRequests(w, r, format, as, public)
}

func (h *Handler) request(w http.ResponseWriter, r *http.Request) error {
	name, format := splitFile(r.PathValue("file"))
	if format == "" {
		return notFound(w, r, format)
	}
	p, err := h.principal(r)
	if err != nil {
		return writeErr(w, r, format, err)
	}
	public := p == nil
	if public {
		p = access.SystemPrincipal("open311")
	}
	a, err := h.Appeals.ByNo(r.Context(), p, strings.ToUpper(name))
	if err != nil {
		if errs.Is(err, errs.NotFound) {
			err = fail(http.StatusNotFound, "没有编号为 %s 的诉求", "service_request_id %s not found", name)
		}
		return writeErr(w, r, format, err)
	}
	return h.writeRequests(w, r, format, []appeal.Appeal{a}, public)
}

func (h *Handler) token(w http.ResponseWriter, r *http.Request) error {
	name, format := splitFile(r.PathValue("file"))
	if format == "" {
		return notFound(w, r, format)
	}
	// Requests are created in real time: the token of a request is its id.
	a, err := h.Appeals.ByNo(r.Context(), access.SystemPrincipal("open311"), strings.ToUpper(name))
	if err != nil {
		if errs.Is(err, errs.NotFound) {
			err = fail(http.StatusNotFound, "没有令牌 %s", "token %s not found", name)
		}
		return writeErr(w, r, format, err)
	}
	doc := list{item: "request", items: []any{object{{"service_request_id", a.No}, {"token", name}}}}
	return write(w, format, http.StatusOK, "service_requests", doc)
}

// datetime writes a W3C datetime in the zone's time, with its offset.
func datetime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.In(civil.Zone).Format("2006-01-02T15:04:05-07:00")
}

func orNull(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (h *Handler) writeRequests(w http.ResponseWriter, r *http.Request, format string, as []appeal.Appeal, public bool) error {
	lang := i18n.From(r.Context())
	l, err := appeal.LoadLimits(r.Context(), h.Appeals.DB.Read())
	if err != nil {
		return writeErr(w, r, format, err)
	}
	items := make([]any, 0, len(as))
	for _, a := range as {
		status := "open"
		if !a.Open() {
			status = "closed"
		}
		notes := a.StateLabel
		if !public && a.Reply != "" {
			notes = a.Reply
		}
		// A closed request was updated when it closed; a close entered
		// later from paper keeps its own day.
		updated := a.UpdatedAt
		if !a.ClosedOn.IsZero() && civil.Of(updated).After(a.ClosedOn) {
			updated = a.ClosedOn.Time()
		}
		var expected any
		switch {
		case !a.DueOn.IsZero():
			expected = datetime(a.DueOn.Time().Add(24*time.Hour - time.Second))
		case a.Open() && a.State != appeal.StateAnswered:
			expected = datetime(l.Expected(h.Appeals.Cal, a.ReceivedOn, a.Category, a.Urgency).Time().Add(24*time.Hour - time.Second))
		}
		o := object{
			{"service_request_id", a.No},
			{"status", status},
			{"status_notes", notes},
			{"service_name", a.Category.Label().In(lang)},
			{"service_code", string(a.Category)},
			{"description", nil},
			{"agency_responsible", orNull(a.DepartmentName)},
			{"service_notice", l.Notice(a.Category, a.Urgency).In(lang)},
			{"requested_datetime", datetime(a.RequestedAt)},
			{"updated_datetime", datetime(updated)},
			{"expected_datetime", expected},
			{"address", nil},
			{"address_id", nil},
			{"zipcode", nil},
			{"lat", nil},
			{"long", nil},
			{"media_url", nil},
		}
		if !public {
			o[5].val = a.Content
			o[11].val = orNull(a.Address)
			if a.Lat != nil {
				o[14].val, o[15].val = *a.Lat, *a.Lng
			}
			o[16].val = orNull(a.MediaURL)
		}
		items = append(items, o)
	}
	return write(w, format, http.StatusOK, "service_requests", list{item: "request", items: items})
}
