package enterprise

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"xiaoer/internal/civil"
	"xiaoer/internal/i18n"
	"xiaoer/internal/web"
)

// sheetColumn is one column of the enterprise spreadsheet. The template,
// the export and the import share these columns in this order, so that an
// exported list imports back without changing anything.
type sheetColumn struct {
	Header   i18n.Text
	Field    string // the field it sets; "" for a column that is only shown
	Required bool
	Width    float64
	Help     i18n.Text // how to fill it in, for the template's second sheet
	Example  string
	value    func(e *Enterprise) any
}

// ExampleUSCC is the credit code of the template's example row, which an
// import skips. It reads "MAEXAMPLE" and is valid.
var ExampleUSCC = "91420281MAEXAMPLE" + string(USCCCheck("91420281MAEXAMPLE"))

var sheetColumns = []sheetColumn{
	{i18n.T("统一社会信用代码", "Unified social credit code"), "uscc", true, 22,
		i18n.T("18位，按GB 32100校验；已登记的代码更新该企业，新代码登记新企业", "18 characters checked against GB 32100; a registered code updates that enterprise, a new one registers it"),
		ExampleUSCC, func(e *Enterprise) any { return e.USCC }},
	{i18n.T("企业名称", "Name"), "name", true, 32, i18n.T("营业执照上的全称", "The full name on the business licence"),
		"湖北示例新材料科技有限公司", func(e *Enterprise) any { return e.Name }},
	{i18n.T("简称", "Short name"), "short_name", false, 14, i18n.T("可不填", "Optional"),
		"示例新材料", func(e *Enterprise) any { return e.ShortName }},
	{i18n.T("所属组织", "Org"), "org_id", true, 18, i18n.T("街道、社区或园区的名称或代码", "Name or code of the street, community or park"),
		"罗家桥街道", func(e *Enterprise) any { return e.OrgName }},
	{i18n.T("行业代码", "Industry code"), "industry_code", false, 10, i18n.T("国民经济行业分类（GB/T 4754-2017）代码，2至4位数字", "GB/T 4754-2017 code, 2 to 4 digits"),
		"3985", func(e *Enterprise) any { return e.IndustryCode }},
	{i18n.T("行业名称", "Industry"), "", false, 20, i18n.T("按行业代码自动填写，导入时不读取", "Follows the industry code; not read on import"),
		IndustryName("3985"), func(e *Enterprise) any { return e.IndustryName }},
	{i18n.T("规模", "Scale"), "scale", false, 8, i18n.T("大型、中型、小型或微型", "大型, 中型, 小型 or 微型 (large, medium, small, micro)"),
		"小型", func(e *Enterprise) any { return e.Scale.Label().Zh }},
	{i18n.T("规上企业", "Above scale"), "above_scale", false, 8, i18n.T("是或否", "是 or 否 (yes or no)"),
		"否", func(e *Enterprise) any { return e.AboveScale }},
	{i18n.T("地址", "Address"), "address", false, 36, i18n.T("可不填", "Optional"),
		"湖北省黄石市大冶市罗家桥街道科技大道8号", func(e *Enterprise) any { return e.Address }},
	{i18n.T("法定代表人", "Legal representative"), "legal_rep", false, 10, i18n.T("可不填", "Optional"),
		"张三", func(e *Enterprise) any { return e.LegalRep }},
	{i18n.T("联系人", "Contact"), "contact_name", false, 10, i18n.T("可不填", "Optional"),
		"李四", func(e *Enterprise) any { return e.ContactName }},
	{i18n.T("联系电话", "Contact phone"), "contact_phone", false, 14,
		i18n.T("手机或带区号的固定电话；导出时带*的号码原样导入即保留原号码", "Mobile or landline with area code; a masked number from an export keeps the number on record"),
		"13871400000", func(e *Enterprise) any { return e.ContactPhone }},
	{i18n.T("包保干部", "Responsible cadre"), "cadre_user_id", false, 16,
		i18n.T("姓名（用户名），或用户名；须具有包保干部角色；只有营商办可以修改", "Name (username), or the username, of a user with the cadre role; only the service office changes it"),
		"", func(e *Enterprise) any { return cadreCell(e) }},
	{i18n.T("从业人数", "Employees"), "employees", false, 8, i18n.T("整数", "A whole number"),
		"35", func(e *Enterprise) any { return e.Employees }},
	{i18n.T("成立日期", "Registered on"), "registered_on", false, 12, i18n.T("YYYY-MM-DD", "YYYY-MM-DD"),
		"2018-05-20", func(e *Enterprise) any { return e.RegisteredOn }},
}

// cadreCell writes the responsible cadre as "name（username）": readable,
// and exact on import even when two cadres share a name.
func cadreCell(e *Enterprise) string {
	if e.CadreUserID == 0 {
		return ""
	}
	return e.CadreName + "（" + e.cadreUsername + "）"
}

// columns are the export's columns: the spreadsheet's.
var columns = func() []web.Column[Enterprise] {
	out := make([]web.Column[Enterprise], len(sheetColumns))
	for i, c := range sheetColumns {
		out[i] = web.Column[Enterprise]{Header: c.Header, Width: c.Width, Value: func(e Enterprise) any { return c.value(&e) }}
	}
	return out
}()

// WriteTemplate writes the import template: the data sheet with the
// headers and an example row, and a sheet that explains each column.
func WriteTemplate(w io.Writer, lang i18n.Lang) error {
	f := excelize.NewFile()
	defer f.Close()
	data := i18n.T("企业名录", "Enterprises").In(lang)
	f.SetSheetName("Sheet1", data)
	head, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"E8EEF7"}, Pattern: 1}})
	required, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "C62828"}, Fill: excelize.Fill{Type: "pattern", Color: []string{"E8EEF7"}, Pattern: 1}})
	example, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Italic: true, Color: "5F6B7A"}, NumFmt: 49})
	text, _ := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": Excel keeps leading zeros and long digit strings
	for i, c := range sheetColumns {
		col, _ := excelize.ColumnNumberToName(i + 1)
		f.SetColWidth(data, col, col, c.Width)
		f.SetColStyle(data, col, text)
		style := head
		if c.Required {
			style = required
		}
		f.SetCellValue(data, col+"1", c.Header.In(lang))
		f.SetCellStyle(data, col+"1", col+"1", style)
		f.SetCellValue(data, col+"2", c.Example)
		f.SetCellStyle(data, col+"2", col+"2", example)
	}
	f.SetPanes(data, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	for _, dl := range []struct {
		field string
		keys  []string
	}{{"scale", []string{"大型", "中型", "小型", "微型"}}, {"above_scale", []string{"是", "否"}}} {
		col, _ := excelize.ColumnNumberToName(columnOf(dl.field) + 1)
		dv := excelize.NewDataValidation(true)
		dv.SetSqref(col + "2:" + col + "1048576")
		if err := dv.SetDropList(dl.keys); err != nil {
			return err
		}
		if err := f.AddDataValidation(data, dv); err != nil {
			return err
		}
	}

	help := i18n.T("填写说明", "How to fill in").In(lang)
	if _, err := f.NewSheet(help); err != nil {
		return err
	}
	f.SetColWidth(help, "A", "A", 22)
	f.SetColWidth(help, "B", "B", 10)
	f.SetColWidth(help, "C", "C", 80)
	f.SetSheetRow(help, "A1", &[]any{i18n.T("列", "Column").In(lang), i18n.T("必填", "Required").In(lang), i18n.T("说明", "Notes").In(lang)})
	f.SetCellStyle(help, "A1", "C1", head)
	for i, c := range sheetColumns {
		req := ""
		if c.Required {
			req = i18n.T("必填", "Yes").In(lang)
		}
		f.SetSheetRow(help, fmt.Sprintf("A%d", i+2), &[]any{c.Header.In(lang), req, c.Help.In(lang)})
	}
	notes := []i18n.Text{
		i18n.T("第1行为表头，请勿修改；第2行为示例，导入时自动跳过，也可删除。", "Row 1 holds the headers: keep them. Row 2 is an example that the import skips; you may delete it."),
		i18n.T("按统一社会信用代码新增或更新；有错误的行不做任何修改，并在导入结果中列出行号、列和原因，其余行照常导入。", "Rows are created or updated by credit code; a row with an error changes nothing and is listed with its row, column and reason, while the other rows are imported."),
		i18n.T("也可以上传以同样表头保存的CSV文件（UTF-8或GBK编码）。", "A CSV file with the same headers (UTF-8 or GBK) works too."),
	}
	for i, n := range notes {
		f.SetCellValue(help, fmt.Sprintf("A%d", len(sheetColumns)+3+i), n.In(lang))
	}
	return f.Write(w)
}

// columnOf returns the index of the column setting field.
func columnOf(field string) int {
	for i, c := range sheetColumns {
		if c.Field == field {
			return i
		}
	}
	return -1
}

// Cell parsing. Cells come as text: raw values for .xlsx (no number
// format applied), fields for .csv.

// cellNumber reads a number that a spreadsheet may write as 13871401000,
// 1.3871401E+10 or 60.0.
func cellNumber(s string) (string, bool) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != float64(int64(f)) {
		return "", false
	}
	return strconv.FormatInt(int64(f), 10), true
}

// cellDigits returns s, or the integer a spreadsheet turned it into.
func cellDigits(s string) string {
	if n, ok := cellNumber(s); ok && strings.ContainsAny(s, ".eE") {
		return n
	}
	return s
}

func cellInt(s string) (int, bool) {
	if s == "" {
		return 0, true
	}
	n, ok := cellNumber(s)
	if !ok {
		return 0, false
	}
	v, err := strconv.Atoi(n)
	return v, err == nil
}

func cellBool(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "", "否", "n", "no", "false", "0", "×":
		return false, true
	case "是", "y", "yes", "true", "1", "√":
		return true, true
	}
	return false, false
}

func cellScale(s string) (Scale, bool) {
	if s == "" {
		return "", true
	}
	for _, sc := range Scales {
		l := sc.Label()
		if s == string(sc) || s == l.Zh || strings.EqualFold(s, l.En) || s == strings.TrimSuffix(l.Zh, "型") {
			return sc, true
		}
	}
	return "", false
}

// cellDate reads 2018-05-20, 2018/5/20, 2018.5.20, 2018年5月20日, 20180520
// or a spreadsheet's day number.
func cellDate(s string) (civil.Date, bool) {
	if s == "" {
		return civil.Date{}, true
	}
	if d, err := civil.Parse(s); err == nil {
		return d, true
	}
	if len(s) == 8 && strings.Trim(s, "0123456789") == "" {
		if t, err := time.Parse("20060102", s); err == nil {
			return civil.New(t.Year(), t.Month(), t.Day()), true
		}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f >= 1 && f < 2958466 {
		if t, err := excelize.ExcelDateToTime(f, false); err == nil {
			return civil.New(t.Year(), t.Month(), t.Day()), true
		}
	}
	norm := strings.NewReplacer("年", "-", "月", "-", "日", "", "/", "-", ".", "-").Replace(s)
	if t, err := time.Parse("2006-1-2", norm); err == nil {
		return civil.New(t.Year(), t.Month(), t.Day()), true
	}
	return civil.Date{}, false
}
