package service

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
	"xiaoer/internal/store"
	"xiaoer/internal/web"
)

// The catalog's spreadsheet columns: the export writes them, the template
// shows them and the import reads them, so an exported catalog imports back
// unchanged.
var matterColumns = []web.Column[Matter]{
	web.Col("事项编码", "Code", func(m Matter) any { return m.Code }),
	web.Col("事项名称", "Name", func(m Matter) any { return m.Name }),
	web.Col("实施部门", "Department", func(m Matter) any { return m.Department }),
	web.Col("事项类型", "Type", func(m Matter) any { return m.Type }),
	web.Col("行使层级", "Handling level", func(m Matter) any { return m.HandlingLevel.Label().Zh }),
	web.Col("办件类型", "Kind", func(m Matter) any { return m.Kind.Label().Zh }),
	web.Col("法定时限(工作日)", "Legal limit (working days)", func(m Matter) any { return m.LegalLimitWorkdays }),
	web.Col("承诺时限(工作日)", "Promised limit (working days)", func(m Matter) any { return m.PromisedLimitWorkdays }),
	web.Col("申请材料", "Materials", func(m Matter) any { return strings.Join(m.Materials, "；") }),
	web.Col("网上可办", "Online", func(m Matter) any { return m.Online }),
}

// importFields maps each column header (either language) to the field it
// fills.
var importFields = func() map[string]string {
	names := []string{"code", "name", "department", "type", "handling_level", "kind", "legal_limit_workdays", "promised_limit_workdays", "materials", "online"}
	m := map[string]string{}
	for i, c := range matterColumns {
		m[c.Header.Zh] = names[i]
		m[strings.ToLower(c.Header.En)] = names[i]
		m[names[i]] = names[i]
	}
	return m
}()

// ImportError is one refused row of an import.
type ImportError struct {
	Row     int    `json:"row"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ImportResult is the answer of an import (API.md's import shape).
type ImportResult struct {
	Created int           `json:"created"`
	Updated int           `json:"updated"`
	Errors  []ImportError `json:"errors"`
}

// readTable reads the rows of an .xlsx (first sheet) or .csv upload.
func readTable(data []byte) ([][]string, error) {
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		f, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			return nil, errs.Invalidf("file", "无法读取Excel文件：%v", "Cannot read the Excel file: %v", err)
		}
		defer f.Close()
		return f.GetRows(f.GetSheetName(0))
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		return nil, errs.Invalidf("file", "无法读取CSV文件：%v", "Cannot read the CSV file: %v", err)
	}
	return rows, nil
}

func parseLevel(s string) HandlingLevel {
	for _, h := range HandlingLevels {
		if s == string(h) || s == h.Label().Zh || strings.EqualFold(s, h.Label().En) {
			return h
		}
	}
	return HandlingLevel(s)
}

func parseKind(s string) MatterKind {
	switch s {
	case "即办件", "instant", "Instant":
		return Instant
	case "承诺件", "promised", "Promised":
		return Promised
	}
	return MatterKind(s)
}

// parseMatterRow turns one row into an input; the field names a column at
// fault.
func parseMatterRow(cols []string, row []string) (MatterInput, error) {
	var in MatterInput
	get := func(i int) string {
		if i < len(row) {
			return strings.TrimSpace(row[i])
		}
		return ""
	}
	for i, f := range cols {
		v := get(i)
		switch f {
		case "code":
			in.Code = v
		case "name":
			in.Name = v
		case "department":
			in.Department = v
		case "type":
			in.Type = v
		case "handling_level":
			in.HandlingLevel = parseLevel(v)
		case "kind":
			in.Kind = parseKind(v)
		case "legal_limit_workdays", "promised_limit_workdays":
			n, err := strconv.Atoi(v)
			if v == "" {
				n, err = 0, nil
			}
			if err != nil {
				return in, errs.Invalidf(f, "时限应为整数个工作日：%s", "The limit must be a whole number of working days: %s", v)
			}
			if f == "legal_limit_workdays" {
				in.LegalLimitWorkdays = n
			} else {
				in.PromisedLimitWorkdays = n
			}
		case "materials":
			in.Materials = strings.FieldsFunc(v, func(r rune) bool { return r == '；' || r == ';' || r == '\n' })
		case "online":
			switch strings.ToLower(v) {
			case "是", "true", "1", "yes", "y":
				in.Online = true
			case "", "否", "false", "0", "no", "n":
			default:
				return in, errs.Invalidf(f, "网上可办应为「是」或「否」", "online must be 是 or 否")
			}
		}
	}
	return in, in.Validate()
}

// ImportMatters adds or updates (by code) the catalog from a spreadsheet:
// the good rows are written in one transaction, each bad row is reported.
func (s *Service) ImportMatters(ctx context.Context, p *access.Principal, data []byte, lang i18n.Lang) (ImportResult, error) {
	res := ImportResult{Errors: []ImportError{}}
	if err := writeMatters(p); err != nil {
		return res, err
	}
	rows, err := readTable(data)
	if err != nil {
		return res, err
	}
	if len(rows) == 0 {
		return res, errs.Invalidf("file", "文件是空的", "The file is empty")
	}
	cols := make([]string, len(rows[0]))
	seen := map[string]bool{}
	for i, h := range rows[0] {
		cols[i] = importFields[strings.ToLower(strings.TrimSpace(h))]
		seen[cols[i]] = true
	}
	for _, need := range []string{"code", "name", "type", "handling_level", "kind"} {
		if !seen[need] {
			return res, errs.Invalidf("file", "缺少必需的列：%s（请使用导入模板）", "A required column is missing: %s (use the template)", need)
		}
	}
	type good struct {
		row int
		in  MatterInput
	}
	var goods []good
	codes := map[string]int{}
	for i, row := range rows[1:] {
		n := i + 2
		if strings.TrimSpace(strings.Join(row, "")) == "" {
			continue
		}
		in, err := parseMatterRow(cols, row)
		if err == nil {
			if first, dup := codes[in.Code]; dup {
				err = errs.Invalidf("code", "与第%d行的事项编码重复", "The code repeats row %d", first)
			} else {
				codes[in.Code] = n
			}
		}
		if err != nil {
			e := errs.As(err)
			res.Errors = append(res.Errors, ImportError{Row: n, Field: e.Field, Message: e.Msg.In(lang)})
			continue
		}
		goods = append(goods, good{n, in})
	}
	if len(goods) == 0 {
		return res, nil
	}
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		res.Created, res.Updated = 0, 0
		for _, g := range goods {
			var id int64
			err := tx.QueryRow(ctx, "SELECT id FROM matters WHERE code = ?", g.in.Code).Scan(&id)
			switch {
			case errs.Is(err, errs.NotFound):
				if _, err := s.CreateMatterTx(ctx, tx, p, g.in); err != nil {
					return err
				}
				res.Created++
			case err != nil:
				return err
			default:
				if err := s.updateMatterTx(ctx, tx, id, g.in); err != nil {
					return err
				}
				res.Updated++
			}
		}
		return audit.Append(ctx, tx, audit.Entry{Action: "matter.import", Object: "matter",
			Summary: map[string]any{"created": res.Created, "updated": res.Updated, "errors": len(res.Errors)}})
	})
	return res, err
}

// uploaded returns the file of a request: the "file" part of a form, or the
// raw body.
func uploaded(r *http.Request) ([]byte, error) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		f, _, err := r.FormFile("file")
		if err != nil {
			return nil, errs.Invalidf("file", "请选择要导入的文件", "Choose a file to import")
		}
		defer f.Close()
		return io.ReadAll(f)
	}
	return web.ReadBody(r)
}

func (h *Handler) apiImportMatters(w http.ResponseWriter, r *http.Request) error {
	data, err := uploaded(r)
	if err != nil {
		return err
	}
	res, err := h.Svc.ImportMatters(r.Context(), web.Principal(r), data, i18n.From(r.Context()))
	if err != nil {
		return err
	}
	return web.OK(w, res)
}

// apiMatterTemplate sends an empty catalog with one sample row.
func (h *Handler) apiMatterTemplate(w http.ResponseWriter, r *http.Request) error {
	sample := Matter{Code: "11420281MB1234567X4442111005000", Name: "食品经营许可（新办）", Department: "市场监督管理局", Type: "行政许可",
		HandlingLevel: DistrictLevel, Kind: Promised, LegalLimitWorkdays: 20, PromisedLimitWorkdays: 5,
		Materials: []string{"食品经营许可申请书", "营业执照复印件", "法定代表人身份证明"}, Online: true}
	name := i18n.T("事项目录导入模板", "Matter catalog template")
	return web.Export(w, r, "xlsx", name, matterColumns, func(yield func(Matter) error) error { return yield(sample) })
}

func applicantName(c Case) string {
	if c.Applicant != nil {
		return c.Applicant.Name
	}
	return c.EnterpriseName
}

func outcomeLabel(o string) i18n.Text {
	switch o {
	case "approved":
		return i18n.T("准予", "Approved")
	case "denied":
		return i18n.T("不予许可", "Denied")
	}
	return i18n.T("", "")
}

func deref(t *time.Time) any {
	if t == nil {
		return civil.Date{}
	}
	return *t
}
