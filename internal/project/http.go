package project

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/flow"
	"xiaoer/internal/i18n"
	"xiaoer/internal/web"
)

// Handler serves the key projects' API and pages.
type Handler struct {
	Svc *Service
	UI  *web.UI
}

var (
	readers  = web.Roles(access.Leader, access.ProjectOffice, access.Cadre, access.Enterprise)
	office   = web.Roles(access.ProjectOffice)
	actorsR  = web.Roles(actors...)
	rankers  = web.Roles(access.ProjectOffice, access.Leader, access.Cadre)
	raters   = web.Roles(access.Enterprise)
	fileBody = int64(MaxFileSize + 1<<20) // the file and the form around it
)

// ActionIn documents the body of the stage actions.
type ActionIn struct {
	Date              civil.Date `json:"date" doc:"the stage's actual date: not in the future, not before the previous stage"`
	Note              string     `json:"note,omitempty"`
	AchievedOutputFen int64      `json:"achieved_output_fen,omitempty" doc:"reach_effect only: the achieved annual output"`
	AchievedTaxFen    int64      `json:"achieved_tax_fen,omitempty" doc:"reach_effect only: the achieved annual tax"`
}

// UploadIn documents the multipart form of an evidence upload.
type UploadIn struct {
	File  string `json:"file" doc:"multipart file: JPG, PNG, PDF, DOCX or XLSX, at most 10 MiB"`
	Stage Stage  `json:"stage,omitempty" doc:"a stage the project has reached; default its current stage"`
	Note  string `json:"note,omitempty"`
}

// ImportIn documents the upload of a progress sheet.
type ImportIn struct {
	File string `json:"file" doc:"multipart file (or the raw body): .xlsx with columns 项目编号 or 项目名称+企业, 月份, 本月完成投资（元）, 备注"`
}

// Routes is the module's part of the route table.
func (h *Handler) Routes() []web.Route {
	return []web.Route{
		web.Handle("GET /api/v1/projects", readers, h.apiList).Doc("重点项目列表（红灯在前；按阶段、行业、包保领导、项目专员、年份、预警、是否重点筛选）", nil, web.List[Project]{}),
		web.Handle("POST /api/v1/projects", office, h.apiCreate).Doc("登记签约项目（可补录已发生的开工、入库、投产、达效日期）", Input{}, Project{}).Created(),
		web.Handle("GET /api/v1/projects/{id}", readers, h.apiGet).Doc("项目详情", nil, Project{}),
		web.Handle("PUT /api/v1/projects/{id}", actorsR, h.apiUpdate).Doc("修改项目信息（阶段与实际日期只能通过阶段操作改变）", Input{}, Project{}),
		web.Handle("POST /api/v1/projects/{id}/actions/{action}", actorsR, h.apiAct).Doc("阶段操作：start 开工、register 入库、produce 投产、reach_effect 达效、stall 停滞、resume 恢复、terminate 终止", ActionIn{}, Project{}),
		web.Handle("GET /api/v1/projects/{id}/events", readers, web.HistoryAPI(h.Svc.Events)).Doc("项目阶段变化记录（谁在何时做了什么，按时间先后）", nil, []flow.Event{}),
		web.Handle("GET /api/v1/projects/{id}/files", readers, h.apiFiles).Doc("项目佐证材料列表", nil, []File{}),
		web.Handle("POST /api/v1/projects/{id}/files", actorsR, h.apiUpload).Doc("上传阶段佐证材料（multipart：file、stage、note）", UploadIn{}, File{}).Limit(fileBody).Created(),
		web.Handle("GET /api/v1/projects/{id}/files/{file}", readers, h.apiDownload).Doc("下载佐证材料（以附件方式）", nil, nil),
		web.Handle("GET /api/v1/projects/{id}/progress", readers, h.apiProgress).Doc("月度投资进度列表（累计与计划总投资对比）", nil, web.List[Progress]{}),
		web.Handle("POST /api/v1/projects/{id}/progress", actorsR, h.apiAddProgress).Doc("填报月度投资进度（每月一条）", ProgressInput{}, web.List[Progress]{}).Created(),
		web.Handle("PUT /api/v1/projects/{id}/progress/{month}", actorsR, h.apiPutProgress).Doc("填报或更正某月投资进度", ProgressInput{}, web.List[Progress]{}),
		web.Handle("POST /api/v1/projects/progress/import", actorsR, h.apiImport).Doc("Excel批量更新月度投资进度（逐行报告错误）", ImportIn{}, ImportResult{}).Limit(fileBody),
		web.Handle("POST /api/v1/projects/{id}/rating", raters, h.apiRate).Doc("企业评价项目专员（每个项目每年一次，1–5分）", RatingInput{}, Rating{}).Created(),
		web.Handle("GET /api/v1/projects/ratings", rankers, h.apiRanking).Doc("项目专员（金牌保姆）年度评分排行列表，含计分依据", nil, Ranking{}),
		web.Handle("GET /api/v1/projects/settings", rankers, h.apiRules).Doc("项目预警规则", nil, Rules{}),
		web.Handle("PUT /api/v1/projects/settings", office, h.apiSaveRules).Doc("修改项目预警规则（保存后立即重算预警）", Rules{}, Rules{}),

		web.Handle("GET /projects", readers, h.listPage),
		web.Handle("GET /projects/board", readers, h.boardPage),
		web.Handle("GET /projects/new", office, h.newPage),
		web.Handle("POST /projects", office, h.createPost),
		web.Handle("GET /projects/ratings", rankers, h.ratingsPage),
		web.Handle("GET /projects/settings", rankers, h.settingsPage),
		web.Handle("POST /projects/settings", office, h.settingsPost),
		web.Handle("GET /projects/import", actorsR, h.importPage),
		web.Handle("POST /projects/import", actorsR, h.importPost).Limit(fileBody),
		web.Handle("GET /projects/{id}", readers, h.projectPage),
		web.Handle("GET /projects/{id}/edit", actorsR, h.editPage),
		web.Handle("POST /projects/{id}", actorsR, h.updatePost),
		web.Handle("POST /projects/{id}/actions/{action}", actorsR, h.actPost),
		web.Handle("POST /projects/{id}/files", actorsR, h.uploadPost).Limit(fileBody),
		web.Handle("POST /projects/{id}/progress", actorsR, h.progressPost),
		web.Handle("POST /projects/{id}/rating", raters, h.ratePost),
	}
}

// Nav returns the module's navigation links.
func Nav() []web.NavItem {
	return []web.NavItem{
		{Group: "prj.nav", Key: "prj.nav.list", Path: "/projects", Allow: readers, Order: 200},
		{Group: "prj.nav", Key: "prj.nav.board", Path: "/projects/board", Allow: readers, Order: 201},
		{Group: "prj.nav", Key: "prj.nav.ratings", Path: "/projects/ratings", Allow: rankers, Order: 202},
		{Group: "prj.nav", Key: "prj.nav.import", Path: "/projects/import", Allow: actorsR, Order: 203},
		{Group: "prj.nav", Key: "prj.nav.settings", Path: "/projects/settings", Allow: rankers, Order: 204},
	}
}

var columns = []web.Column[Project]{
	web.Col("项目编号", "ID", func(p Project) any { return p.ID }),
	web.Col("项目名称", "Name", func(p Project) any { return p.Name }),
	web.Col("企业", "Enterprise", func(p Project) any { return p.EnterpriseName }),
	web.Col("所在地", "Org", func(p Project) any { return p.OrgName }),
	web.Col("行业", "Industry", func(p Project) any { return p.IndustryName }),
	web.Col("重点项目", "Key", func(p Project) any { return p.Key }),
	web.Col("计划总投资（元）", "Total investment (yuan)", func(p Project) any { return float64(p.TotalInvestmentFen) / 100 }),
	web.Col("固定资产投资（元）", "Fixed-asset investment (yuan)", func(p Project) any { return float64(p.FixedInvestmentFen) / 100 }),
	web.Col("用地（亩）", "Land (亩)", func(p Project) any { return p.LandMu.String() }),
	web.Col("投资强度（万元/亩）", "Intensity (10k yuan/亩)", func(p Project) any {
		if p.InvestmentIntensity == nil {
			return ""
		}
		return *p.InvestmentIntensity
	}),
	web.Col("阶段", "Stage", func(p Project) any { return p.Stage.Label().Zh }),
	web.Col("签约日期", "Signed", func(p Project) any { return p.Actual[Signed] }),
	web.Col("计划开工", "Planned start", func(p Project) any { return p.Planned[Started] }),
	web.Col("开工日期", "Started", func(p Project) any { return p.Actual[Started] }),
	web.Col("入库日期", "Registered", func(p Project) any { return p.Actual[Registered] }),
	web.Col("计划投产", "Planned production", func(p Project) any { return p.Planned[Producing] }),
	web.Col("投产日期", "Producing", func(p Project) any { return p.Actual[Producing] }),
	web.Col("达效日期", "Effective", func(p Project) any { return p.Actual[Effective] }),
	web.Col("累计完成投资（元）", "Invested (yuan)", func(p Project) any { return float64(p.InvestedFen) / 100 }),
	web.Col("包保领导", "Responsible cadre", func(p Project) any { return p.LeaderName }),
	web.Col("项目专员", "Commissioner", func(p Project) any { return p.CommissionerName }),
	web.Col("牵头单位", "Lead department", func(p Project) any { return p.LeadDepartmentName }),
	web.Col("预警", "Warning", func(p Project) any { return p.Light.Label().Zh }),
	web.Col("预警原因", "Reasons", func(p Project) any {
		s := ""
		for i, w := range p.Warnings {
			if i > 0 {
				s += "；"
			}
			s += w.Message
		}
		return s
	}),
}

// filterOf reads the list filters of a request.
func filterOf(p web.ListParams) (Filter, error) {
	f := Filter{Q: p.Q, Stage: Stage(p.Query.Get("stage")), Industry: p.Query.Get("industry"), Light: Light(p.Query.Get("light")),
		YearStage: Stage(p.Query.Get("year_stage")), Limit: p.Limit}
	if f.Light != "" && f.Light != Red && f.Light != Yellow && f.Light != Green {
		return f, errs.Invalidf("light", "light 应为 red、yellow 或 green", "light must be red, yellow or green")
	}
	var err error
	for name, dst := range map[string]*int64{"leader_user_id": &f.LeaderUserID, "commissioner_user_id": &f.CommissionerUserID,
		"enterprise_id": &f.EnterpriseID, "org_id": &f.OrgID} {
		if *dst, err = p.ID(name); err != nil {
			return f, err
		}
	}
	if y := p.Query.Get("year"); y != "" {
		if f.Year, err = strconv.Atoi(y); err != nil {
			return f, errs.Invalidf("year", "年份无效", "Invalid year")
		}
	}
	if v, ok, err := p.Bool("key"); err != nil {
		return f, err
	} else if ok {
		f.Key = &v
	}
	if f.From, err = p.Date("from"); err != nil {
		return f, err
	}
	if f.To, err = p.Date("to"); err != nil {
		return f, err
	}
	_, err = web.DecodeCursor(p.Cursor, &f.AfterRank, &f.BeforeID)
	return f, err
}

func (h *Handler) today() civil.Date { return civil.Of(h.Svc.DB.Now()) }

func (h *Handler) localize(r *http.Request, ps []Project) {
	l, today := i18n.From(r.Context()), h.today()
	for i := range ps {
		ps[i].Localize(today, l)
	}
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
	pr := web.Principal(r)
	l, today := i18n.From(r.Context()), h.today()
	return web.ServeList(w, r, p, i18n.T("重点项目", "Key projects"), columns,
		func() (web.List[Project], error) {
			items, total, err := h.Svc.List(r.Context(), pr, f)
			h.localize(r, items)
			out := web.List[Project]{Items: items, Total: total}
			if len(items) == f.Limit {
				out.NextCursor = web.EncodeCursor(Cursor(items[len(items)-1]))
			}
			return out, err
		},
		func(yield func(Project) error) error {
			return h.Svc.Each(r.Context(), pr, f, func(p Project) error { p.Localize(today, l); return yield(p) })
		})
}

func (h *Handler) get(r *http.Request) (Project, error) {
	id, err := web.PathID(r, "id")
	if err != nil {
		return Project{}, err
	}
	p, err := h.Svc.Get(r.Context(), web.Principal(r), id)
	p.Localize(h.today(), i18n.From(r.Context()))
	return p, err
}

func (h *Handler) apiGet(w http.ResponseWriter, r *http.Request) error {
	p, err := h.get(r)
	if err != nil {
		return err
	}
	return web.OK(w, p)
}

func (h *Handler) apiCreate(w http.ResponseWriter, r *http.Request) error {
	var in Input
	if err := web.Decode(r, &in); err != nil {
		return err
	}
	p, err := h.Svc.Create(r.Context(), web.Principal(r), in)
	if err != nil {
		return err
	}
	p.Localize(h.today(), i18n.From(r.Context()))
	return web.Created(w, p)
}

func (h *Handler) apiUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	var in Input
	if err := web.Decode(r, &in); err != nil {
		return err
	}
	p, err := h.Svc.Update(r.Context(), web.Principal(r), id, in)
	if err != nil {
		return err
	}
	p.Localize(h.today(), i18n.From(r.Context()))
	return web.OK(w, p)
}

func (h *Handler) apiAct(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	body, err := web.ReadBody(r)
	if err != nil {
		return err
	}
	p, err := h.Svc.Act(r.Context(), web.Principal(r), id, r.PathValue("action"), body)
	if err != nil {
		return err
	}
	p.Localize(h.today(), i18n.From(r.Context()))
	return web.OK(w, p)
}

func (h *Handler) apiFiles(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	fs, err := h.Svc.Files(r.Context(), web.Principal(r), id)
	if err != nil {
		return err
	}
	return web.OK(w, fs)
}

// readUpload reads the multipart field "file" (size-limited) with the
// form's other fields.
func readUpload(r *http.Request) (data []byte, name string, err error) {
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, "", errs.New(errs.TooLarge, "file", i18n.F("文件超过%d MiB的上限", "The file exceeds the limit of %d MiB", MaxFileSize>>20))
		}
		return nil, "", errs.Invalidf("file", "请以 multipart/form-data 上传文件（字段 file）", "Upload the file as multipart/form-data (field file)")
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		return nil, "", errs.Invalidf("file", "请选择要上传的文件", "Choose a file to upload")
	}
	defer f.Close()
	data, err = io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, "", errs.Invalidf("file", "文件读取失败", "The file could not be read")
	}
	if len(data) > MaxFileSize {
		return nil, "", errs.New(errs.TooLarge, "file", i18n.F("文件超过%d MiB的上限", "The file exceeds the limit of %d MiB", MaxFileSize>>20))
	}
	return data, hdr.Filename, nil
}

func (h *Handler) upload(r *http.Request) (File, error) {
	id, err := web.PathID(r, "id")
	if err != nil {
		return File{}, err
	}
	data, name, err := readUpload(r)
	if err != nil {
		return File{}, err
	}
	return h.Svc.Upload(r.Context(), web.Principal(r), id, Stage(r.FormValue("stage")), name, r.FormValue("note"), data)
}

func (h *Handler) apiUpload(w http.ResponseWriter, r *http.Request) error {
	f, err := h.upload(r)
	if err != nil {
		return err
	}
	return web.Created(w, f)
}

// apiDownload serves an evidence file as an attachment of its sniffed type,
// in a sandbox: a browser never runs or renders it as part of the site.
func (h *Handler) apiDownload(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	fid, err := web.PathID(r, "file")
	if err != nil {
		return err
	}
	f, data, err := h.Svc.OpenFile(r.Context(), web.Principal(r), id, fid)
	if err != nil {
		return err
	}
	hd := w.Header()
	hd.Set("Content-Type", f.ContentType)
	hd.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	hd.Set("Content-Length", strconv.Itoa(len(data)))
	_, err = w.Write(data)
	return err
}

func (h *Handler) progressList(w http.ResponseWriter, r *http.Request, id int64, status int) error {
	items, err := h.Svc.Progress(r.Context(), web.Principal(r), id)
	if err != nil {
		return err
	}
	return web.JSON(w, status, web.List[Progress]{Items: items, Total: len(items)})
}

var progressColumns = []web.Column[Progress]{
	web.Col("月份", "Month", func(g Progress) any { return g.Month }),
	web.Col("本月完成投资（元）", "Invested (yuan)", func(g Progress) any { return float64(g.InvestedFen) / 100 }),
	web.Col("累计完成投资（元）", "Cumulative (yuan)", func(g Progress) any { return float64(g.CumulativeFen) / 100 }),
	web.Col("计划总投资（元）", "Planned total (yuan)", func(g Progress) any { return float64(g.PlanFen) / 100 }),
	web.Col("完成比例", "Share of plan", func(g Progress) any {
		if g.Rate == nil {
			return ""
		}
		return *g.Rate
	}),
	web.Col("说明", "Notes", func(g Progress) any { return g.Notes }),
}

func (h *Handler) apiProgress(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	p, err := web.ParseList(r)
	if err != nil {
		return err
	}
	items, err := h.Svc.Progress(r.Context(), web.Principal(r), id)
	if err != nil {
		return err
	}
	return web.ServeList(w, r, p, i18n.T("月度投资进度", "Monthly progress"), progressColumns,
		func() (web.List[Progress], error) { return web.List[Progress]{Items: items, Total: len(items)}, nil },
		func(yield func(Progress) error) error {
			for _, g := range items {
				if err := yield(g); err != nil {
					return err
				}
			}
			return nil
		})
}

func (h *Handler) apiAddProgress(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	var in ProgressInput
	if err := web.Decode(r, &in); err != nil {
		return err
	}
	if err := h.Svc.AddProgress(r.Context(), web.Principal(r), id, in); err != nil {
		return err
	}
	return h.progressList(w, r, id, http.StatusCreated)
}

func (h *Handler) apiPutProgress(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	var in ProgressInput
	if err := web.Decode(r, &in); err != nil {
		return err
	}
	month, err := ParseMonth(r.PathValue("month"))
	if err != nil {
		return errs.ErrNotFound
	}
	if in.Month == "" {
		in.Month = month
	}
	if m, err := ParseMonth(in.Month); err != nil || m != month {
		return errs.Invalidf("month", "正文中的月份与地址中的 %s 不一致", "The month in the body differs from %s in the path", month)
	}
	if err := h.Svc.PutProgress(r.Context(), web.Principal(r), id, in); err != nil {
		return err
	}
	return h.progressList(w, r, id, http.StatusOK)
}

// importReader returns the uploaded sheet: the multipart field "file", or
// the raw body.
func importReader(r *http.Request) (io.Reader, func(), error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "multipart/form-data" {
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, nil, errs.New(errs.TooLarge, "file", i18n.F("文件超过%d MiB的上限", "The file exceeds the limit of %d MiB", MaxFileSize>>20))
			}
			return nil, nil, errs.Invalidf("file", "上传内容无效", "The upload is not valid")
		}
		f, _, err := r.FormFile("file")
		if err != nil {
			return nil, nil, errs.Invalidf("file", "请选择要导入的Excel文件", "Choose the Excel file to import")
		}
		return f, func() { f.Close() }, nil
	}
	return r.Body, func() {}, nil
}

func (h *Handler) apiImport(w http.ResponseWriter, r *http.Request) error {
	rd, done, err := importReader(r)
	if err != nil {
		return err
	}
	defer done()
	res, err := h.Svc.ImportProgress(r.Context(), web.Principal(r), rd)
	if err != nil {
		return err
	}
	res.Localize(i18n.From(r.Context()))
	return web.OK(w, res)
}

func (h *Handler) apiRate(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	var in RatingInput
	if err := web.Decode(r, &in); err != nil {
		return err
	}
	rt, err := h.Svc.Rate(r.Context(), web.Principal(r), id, in)
	if err != nil {
		return err
	}
	return web.Created(w, rt)
}

func (h *Handler) yearOf(r *http.Request) (int, error) {
	y := h.today().Year
	if s := r.URL.Query().Get("year"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return 0, errs.Invalidf("year", "年份无效", "Invalid year")
		}
		y = n
	}
	return y, nil
}

func (h *Handler) apiRanking(w http.ResponseWriter, r *http.Request) error {
	y, err := h.yearOf(r)
	if err != nil {
		return err
	}
	rk, err := h.Svc.Rank(r.Context(), web.Principal(r), y)
	if err != nil {
		return err
	}
	rk.Localize(i18n.From(r.Context()))
	return web.OK(w, rk)
}

func (h *Handler) apiRules(w http.ResponseWriter, r *http.Request) error {
	rules, err := LoadRules(r.Context(), h.Svc.DB.Read())
	if err != nil {
		return err
	}
	return web.OK(w, rules)
}

func (h *Handler) apiSaveRules(w http.ResponseWriter, r *http.Request) error {
	var rules Rules
	if err := web.Decode(r, &rules); err != nil {
		return err
	}
	if err := h.Svc.SaveRules(r.Context(), web.Principal(r), rules); err != nil {
		return err
	}
	return h.apiRules(w, r)
}

// appealLinks are the links from a project to the appeals module: raising a
// problem of the project as an appeal, and the project's appeals.
func appealLinks(p Project) (raise, list string) {
	raise = fmt.Sprintf("/appeals/new?project_id=%d&channel=project", p.ID)
	if p.EnterpriseID != 0 {
		raise = fmt.Sprintf("/appeals/new?enterprise_id=%d&project_id=%d&channel=project", p.EnterpriseID, p.ID)
	}
	return raise, fmt.Sprintf("/appeals?project_id=%d", p.ID)
}
