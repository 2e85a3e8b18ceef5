package project

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
	"xiaoer/internal/money"
	"xiaoer/internal/store"
)

// Progress is one month's investment report, with the running total and
// how far it is along the planned total investment.
type Progress struct {
	Month         string    `json:"month" doc:"YYYY-MM"`
	InvestedFen   int64     `json:"invested_fen"`
	Notes         string    `json:"notes"`
	CumulativeFen int64     `json:"cumulative_fen" doc:"invested up to and including this month"`
	PlanFen       int64     `json:"plan_fen" doc:"the project's planned total investment"`
	Rate          *float64  `json:"rate" doc:"cumulative ÷ plan"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// ProgressInput is the body of a monthly report.
type ProgressInput struct {
	Month       string `json:"month" doc:"YYYY-MM"`
	InvestedFen int64  `json:"invested_fen" doc:"invested in the month, ≥ 0"`
	Notes       string `json:"notes,omitempty"`
}

var monthRE = regexp.MustCompile(`^(\d{4})\s*(?:-|/|\.|年)\s*(\d{1,2})\s*(?:月|(?:-|/)\s*\d{1,2}\s*日?)?$`)

// ParseMonth reads a month written as 2023-05, 2023/5, 2023年5月 or a date
// in it, and returns it as YYYY-MM.
func ParseMonth(s string) (string, error) {
	m := monthRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return "", errs.Invalidf("month", "月份「%s」无效，格式应为YYYY-MM", "The month %q is not valid; use YYYY-MM", s)
	}
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	if mo < 1 || mo > 12 || y < 1990 || y > 2100 {
		return "", errs.Invalidf("month", "月份「%s」无效，格式应为YYYY-MM", "The month %q is not valid; use YYYY-MM", s)
	}
	return fmt.Sprintf("%04d-%02d", y, mo), nil
}

// Validate normalises and checks the report.
func (in *ProgressInput) Validate() error {
	m, err := ParseMonth(in.Month)
	if err != nil {
		return err
	}
	in.Month = m
	in.Notes = strings.TrimSpace(in.Notes)
	if err := amount("invested_fen", in.InvestedFen, false); err != nil {
		return err
	}
	if utf8.RuneCountInString(in.Notes) > 1000 {
		return errs.Invalidf("notes", "说明不能超过1000字", "notes must be at most 1000 characters")
	}
	return nil
}

// checkMonth checks a report's month against the project and today.
func checkMonth(pr *Project, month string, today civil.Date) error {
	switch {
	case pr.Stage == Terminated:
		return errs.Conflictf("项目已终止，不能再填报进度", "The project is terminated; no more progress reports")
	case month > today.String()[:7]:
		return errs.Invalidf("month", "%s 尚未到来，不能填报", "%s has not come yet", month)
	case month < pr.Actual[Signed].String()[:7]:
		return errs.Invalidf("month", "%s 早于签约月份 %s", "%s is before the month of signing, %s", month, pr.Actual[Signed].String()[:7])
	}
	return nil
}

// Progress returns a project's monthly reports, oldest first, with running
// totals against the plan.
func (s *Service) Progress(ctx context.Context, p *access.Principal, id int64) ([]Progress, error) {
	pr, err := s.Get(ctx, p, id)
	if err != nil {
		return nil, err
	}
	rows, err := s.DB.Read().Query(ctx, "SELECT month, invested_fen, notes, updated_at FROM project_progress WHERE project_id = ? ORDER BY month", id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Progress{}
	var sum int64
	for rows.Next() {
		g := Progress{PlanFen: pr.TotalInvestmentFen}
		if err := rows.Scan(&g.Month, &g.InvestedFen, &g.Notes, &g.UpdatedAt); err != nil {
			return nil, err
		}
		sum += g.InvestedFen
		g.CumulativeFen = sum
		r := float64(sum) / float64(pr.TotalInvestmentFen)
		g.Rate = &r
		out = append(out, g)
	}
	return out, rows.Err()
}

// AddProgress records a month's report; a second report for the month is a
// 409 (use PutProgress to correct it).
func (s *Service) AddProgress(ctx context.Context, p *access.Principal, id int64, in ProgressInput) error {
	return s.writeProgress(ctx, p, id, in, false)
}

// PutProgress records or corrects a month's report.
func (s *Service) PutProgress(ctx context.Context, p *access.Principal, id int64, in ProgressInput) error {
	return s.writeProgress(ctx, p, id, in, true)
}

func (s *Service) writeProgress(ctx context.Context, p *access.Principal, id int64, in ProgressInput, replace bool) error {
	if err := in.Validate(); err != nil {
		return err
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		pr, err := getForWrite(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if _, err := s.progressTx(ctx, tx, p, &pr, in, replace); err != nil {
			return err
		}
		return s.saveLight(ctx, tx, &pr, civil.Of(tx.Now))
	})
}

// progressTx stores one report for pr (already in p's write scope) and
// reports whether it was new.
func (s *Service) progressTx(ctx context.Context, tx *store.Tx, p *access.Principal, pr *Project, in ProgressInput, replace bool) (bool, error) {
	ctx = access.With(ctx, p)
	if err := checkMonth(pr, in.Month, civil.Of(tx.Now)); err != nil {
		return false, err
	}
	var before int64
	err := tx.QueryRow(ctx, "SELECT invested_fen FROM project_progress WHERE project_id = ? AND month = ?", pr.ID, in.Month).Scan(&before)
	exists := err == nil
	if err != nil && !errs.Is(err, errs.NotFound) {
		return false, err
	}
	if exists && !replace {
		return false, errs.New(errs.Conflict, "month", i18n.F("%s 的进度已填报；如需更正，请用 PUT /api/v1/projects/%d/progress/%s", "The report for %s is already in; correct it with PUT /api/v1/projects/%d/progress/%s",
			in.Month, pr.ID, in.Month))
	}
	if _, err := tx.Exec(ctx, `INSERT INTO project_progress (project_id, month, invested_fen, notes, updated_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (project_id, month) DO UPDATE SET invested_fen = excluded.invested_fen, notes = excluded.notes,
		updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		pr.ID, in.Month, in.InvestedFen, in.Notes, store.Null(p.UserID), tx.Now, tx.Now); err != nil {
		return false, err
	}
	summary := map[string]any{"month": in.Month, "invested_fen": in.InvestedFen}
	if exists {
		summary["before_fen"] = before
	}
	return !exists, audit.Append(ctx, tx, audit.Entry{Action: "project.progress", Object: Entity, ObjectID: pr.ID, Summary: summary})
}

// ImportResult is the outcome of a bulk progress update.
type ImportResult struct {
	Created int           `json:"created"`
	Updated int           `json:"updated"`
	Errors  []ImportError `json:"errors"`
}

// ImportError is one refused row.
type ImportError struct {
	Row     int    `json:"row" doc:"row number in the sheet, the header being row 1"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`

	msg i18n.Text
}

// Localize writes the messages in l.
func (r *ImportResult) Localize(l i18n.Lang) {
	for i := range r.Errors {
		r.Errors[i].Message = r.Errors[i].msg.In(l)
	}
}

// MaxImportRows bounds one progress file.
const MaxImportRows = 20_000

// importColumns recognises the columns of a progress sheet by header.
var importColumns = []struct {
	key   string
	names []string
}{
	{"id", []string{"项目编号", "编号", "project_id", "id"}},
	{"name", []string{"项目名称", "name", "project"}},
	{"enterprise", []string{"企业", "企业名称", "业主单位", "enterprise"}},
	{"month", []string{"月份", "填报月份", "month"}},
	{"amount", []string{"本月完成投资", "完成投资", "投资额", "金额", "invested", "amount", "invested_fen"}},
	{"notes", []string{"备注", "说明", "notes"}},
}

// columnOf names the column a header stands for: an exact name, or one
// followed by a unit ("本月完成投资（元）").
func columnOf(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	for _, c := range importColumns {
		for _, n := range c.names {
			if h == n || strings.HasPrefix(h, n+"（") || strings.HasPrefix(h, n+"(") {
				return c.key
			}
		}
	}
	return ""
}

// ImportProgress reads a sheet of monthly reports (.xlsx): one row per
// project and month, naming the project by its id or by its name and
// enterprise (name, short name or credit code); the month; the amount
// invested in 元 (or with 万/亿); optional notes. Valid rows are stored —
// a row for a month already reported corrects it, so the same file may be
// loaded again after fixing the refused rows — and every refused row is
// reported with its number and the reason.
func (s *Service) ImportProgress(ctx context.Context, p *access.Principal, r io.Reader) (ImportResult, error) {
	res := ImportResult{Errors: []ImportError{}}
	f, err := excelize.OpenReader(r)
	if err != nil {
		return res, errs.Invalidf("file", "无法读取文件：请上传 .xlsx 格式的Excel表格", "The file cannot be read: upload an .xlsx workbook")
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return res, errs.Invalidf("file", "表格中没有工作表", "The workbook has no sheet")
	}
	rows, err := f.GetRows(sheets[0])
	if err != nil {
		return res, errs.Invalidf("file", "无法读取工作表", "The sheet cannot be read")
	}
	if len(rows) < 2 {
		return res, errs.Invalidf("file", "表格没有数据行（第1行为表头）", "The sheet has no data rows (row 1 is the header)")
	}
	if len(rows)-1 > MaxImportRows {
		return res, errs.Invalidf("file", "一次最多导入%d行", "At most %d rows per file", MaxImportRows)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		if key := columnOf(h); key != "" {
			if _, done := col[key]; !done {
				col[key] = i
			}
		}
	}
	_, hasID := col["id"]
	_, hasName := col["name"]
	if _, ok := col["month"]; !ok || !(hasID || hasName) {
		return res, errs.Invalidf("file", "表头应包含：项目编号（或项目名称和企业）、月份、本月完成投资（元）、备注", "The header needs: 项目编号 (or 项目名称 and 企业), 月份, 本月完成投资 (元), 备注")
	}
	if _, ok := col["amount"]; !ok {
		return res, errs.Invalidf("file", "表头缺少「本月完成投资（元）」列", "The header lacks the column 本月完成投资 (元)")
	}
	cell := func(row []string, key string) string {
		i, ok := col[key]
		if !ok || i >= len(row) {
			return ""
		}
		return strings.TrimSpace(row[i])
	}
	bad := func(row int, field string, msg i18n.Text) {
		res.Errors = append(res.Errors, ImportError{Row: row, Field: field, msg: msg})
	}
	ctx = access.With(ctx, p)
	touched := map[int64]bool{}
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		res.Created, res.Updated, res.Errors = 0, 0, res.Errors[:0]
		clear(touched)
		seen := map[string]int{}
		for i, row := range rows[1:] {
			n := i + 2
			if strings.TrimSpace(strings.Join(row, "")) == "" {
				continue
			}
			pr, perr := s.resolve(ctx, tx, p, cell(row, "id"), cell(row, "name"), cell(row, "enterprise"))
			if perr != nil {
				e := errs.As(perr)
				if e.Code == errs.Internal {
					return perr
				}
				bad(n, "project", e.Msg)
				continue
			}
			in := ProgressInput{Month: cell(row, "month"), Notes: cell(row, "notes")}
			amt, aerr := money.Parse(cell(row, "amount"))
			if aerr != nil {
				bad(n, "invested_fen", i18n.F("金额「%s」无效：应为元（可写“万”“亿”），不能为负", "The amount %q is not valid: yuan (万/亿 allowed), not negative", cell(row, "amount")))
				continue
			}
			in.InvestedFen = amt
			if err := in.Validate(); err != nil {
				e := errs.As(err)
				bad(n, e.Field, e.Msg)
				continue
			}
			key := fmt.Sprintf("%d|%s", pr.ID, in.Month)
			if first, dup := seen[key]; dup {
				bad(n, "month", i18n.F("与第%d行重复（同一项目同一月份）", "Same project and month as row %d", first))
				continue
			}
			seen[key] = n
			created, err := s.progressTx(ctx, tx, p, &pr, in, true)
			if err != nil {
				e := errs.As(err)
				if e.Code == errs.Internal {
					return err
				}
				bad(n, e.Field, e.Msg)
				continue
			}
			if created {
				res.Created++
			} else {
				res.Updated++
			}
			touched[pr.ID] = true
		}
		today := civil.Of(tx.Now)
		for id := range touched {
			pr, err := getQ(ctx, tx, all(), id)
			if err != nil {
				return err
			}
			if err := s.saveLight(ctx, tx, &pr, today); err != nil {
				return err
			}
		}
		if res.Created+res.Updated == 0 {
			return errUnchanged
		}
		return nil
	})
	if err != nil && !errors.Is(err, errUnchanged) {
		return res, err
	}
	return res, nil
}

// resolve finds the project a row names, within p's write scope.
func (s *Service) resolve(ctx context.Context, q store.Querier, p *access.Principal, id, name, ent string) (Project, error) {
	notFound := errs.NotFoundf("项目不存在或不在您的管辖范围内", "No such project within your scope")
	if id != "" {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil || n <= 0 {
			return Project{}, errs.Invalidf("project", "项目编号「%s」无效", "The project id %q is not valid", id)
		}
		pr, err := getQ(ctx, q, WriteScope(p, "pr"), n)
		if errs.Is(err, errs.NotFound) {
			return pr, notFound
		}
		return pr, err
	}
	if name == "" {
		return Project{}, errs.Invalidf("project", "请填写项目编号，或项目名称和企业", "Give the project id, or its name and enterprise")
	}
	var w store.Where
	w.Add("pr.name = ?", name)
	if ent != "" {
		w.Add("pr.enterprise_id IN (SELECT id FROM enterprises WHERE name = ? OR short_name = ? OR uscc = ?)", ent, ent, strings.ToUpper(ent))
	}
	w.Scope(WriteScope(p, "pr"))
	var found []Project
	if err := each(ctx, q, w, Filter{Limit: 2}, func(pr Project) error { found = append(found, pr); return nil }); err != nil {
		return Project{}, err
	}
	switch len(found) {
	case 0:
		return Project{}, notFound
	case 1:
		return found[0], nil
	}
	return Project{}, errs.Invalidf("project", "有多个名为「%s」的项目，请填写企业或项目编号", "Several projects are called %q: give the enterprise or the project id", name)
}
