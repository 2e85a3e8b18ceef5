package enterprise

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/i18n"
)

// headers are the template's Chinese headers.
func headers() []any {
	out := make([]any, len(sheetColumns))
	for i, c := range sheetColumns {
		out[i] = c.Header.Zh
	}
	return out
}

// xlsxOf writes rows (the first is the header) to a workbook, streamed as
// the export writes it.
func xlsxOf(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if err := sw.SetRow(fmt.Sprintf("A%d", i+1), r); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// rowOf is an input as a sheet row.
func rowOf(in Input, org, cadre string) []any {
	return []any{in.USCC, in.Name, in.ShortName, org, in.IndustryCode, "", in.Scale.Label().Zh, map[bool]string{true: "是", false: "否"}[in.AboveScale],
		in.Address, in.LegalRep, in.ContactName, in.ContactPhone, cadre, in.Employees, in.RegisteredOn.String()}
}

func (f *fixture) importBytes(t *testing.T, p *access.Principal, name string, b []byte) ImportResult {
	t.Helper()
	res, err := f.svc.Import(i18n.With(access.With(context.Background(), p), i18n.ZH), p, ImportFile{Name: name, Body: bytes.NewReader(b)}, nil)
	if err != nil {
		t.Fatalf("import %s: %v", name, err)
	}
	return res
}

func TestImportReportsEveryBadRowAndKeepsTheRest(t *testing.T) {
	f := newFixture(t)
	rows, ids := f.generate(t, 11, 3)
	g := NewGen(12, f.places(), 100, today(f.db))
	fresh := g.Next()
	street := f.streets[0].Name
	bad := func(mut func(in *Input)) []any {
		in := g.Next()
		mut(&in)
		return rowOf(in, street, "")
	}
	wrongCheck := fresh.USCC[:17] + map[bool]string{true: "1", false: "0"}[fresh.USCC[17] == '0']
	changed := rows[1].Input
	changed.Address = "大冶市新的地址1号"
	badPhone := rowOf(rows[0].Input, street, "")
	badPhone[11] = "12345"
	dateRow := rowOf(g.Next(), street, "")
	dateRow[14] = "去年"
	scaleRow := rowOf(g.Next(), street, "")
	scaleRow[6] = "巨型"
	sheet := [][]any{
		headers(),
		rowOf(Input{USCC: ExampleUSCC, Name: "示例", OrgID: 1}, street, ""), // 2: the template's example
		rowOf(fresh, street, ""),                                             // 3: new
		bad(func(in *Input) { in.USCC = wrongCheck }),                        // 4
		bad(func(in *Input) { in.USCC = in.USCC[:10] + "I" + in.USCC[11:] }), // 5
		bad(func(in *Input) { in.Name = "" }),                                // 6
		rowOf(g.Next(), "不存在的街道", ""),                                        // 7
		dateRow,                  // 8
		rowOf(fresh, street, ""), // 9: repeats row 3
		scaleRow,                 // 10
		badPhone,                 // 11: an update with a bad phone
		{},                       // 12: empty
		rowOf(changed, f.orgName(rows[1].OrgID), ""),       // 13: an update
		rowOf(rows[2].Input, f.orgName(rows[2].OrgID), ""), // 14: unchanged
		rowOf(g.Next(), street, "无此人"),                     // 15
	}
	before, _ := f.svc.Get(f.ctx, f.sys, ids[0])
	res := f.importBytes(t, f.sys, "企业.xlsx", xlsxOf(t, sheet))
	if res.Created != 1 || res.Updated != 1 || res.Unchanged != 1 || res.Invalid != 9 || len(res.Errors) != 9 {
		t.Fatalf("result %+v", res)
	}
	want := []struct {
		row         int
		field, says string
		column      string
	}{
		{4, "uscc", "校验码错误", "统一社会信用代码"},
		{5, "uscc", "第11位「I」不是允许的字符", "统一社会信用代码"},
		{6, "name", "企业名称", "企业名称"},
		{7, "org_id", "不存在的街道", "所属组织"},
		{8, "registered_on", "去年", "成立日期"},
		{9, "uscc", "与第3行重复", "统一社会信用代码"},
		{10, "scale", "巨型", "规模"},
		{11, "contact_phone", "联系电话", "联系电话"},
		{15, "cadre_user_id", "无此人", "包保干部"},
	}
	for i, w := range want {
		e := res.Errors[i]
		if e.Row != w.row || e.Field != w.field || e.Column != w.column || !strings.Contains(e.Message, w.says) {
			t.Errorf("error %d = %+v, want row %d field %s column %s saying %q", i, e, w.row, w.field, w.column, w.says)
		}
	}
	after, _ := f.svc.Get(f.ctx, f.sys, ids[0])
	if after.UpdatedAt != before.UpdatedAt || after.Phone() != before.Phone() {
		t.Errorf("the refused row 11 changed its enterprise")
	}
	if e, _ := f.svc.Get(f.ctx, f.sys, ids[1]); e.Address != changed.Address {
		t.Errorf("row 13 did not update: %s", e.Address)
	}
	if id, _ := ByUSCC(f.ctx, f.db.Read(), ExampleUSCC); id != 0 {
		t.Errorf("the template's example row was imported")
	}
	// The same file in English reports in English.
	en := i18n.With(access.With(context.Background(), f.sys), i18n.EN)
	res, _ = f.svc.Import(en, f.sys, ImportFile{Name: "x.xlsx", Body: bytes.NewReader(xlsxOf(t, sheet[:5]))}, nil)
	if len(res.Errors) != 2 || !strings.Contains(res.Errors[0].Message, "check character") {
		t.Errorf("English errors: %+v", res.Errors)
	}
}

func (f *fixture) orgName(id int64) string {
	for _, p := range f.places() {
		if p.ID == id {
			return p.Name
		}
	}
	return ""
}

func TestImportWritesBatchesWithOneAuditRecordEach(t *testing.T) {
	f := newFixture(t)
	g := NewGen(13, f.places(), 1, today(f.db))
	n := 2*ImportBatch + 17
	sheet := [][]any{headers()}
	for range n {
		in := g.Next()
		sheet = append(sheet, rowOf(in, f.orgName(in.OrgID), "陈包保（cadre1）"))
	}
	var progress []int
	res, err := f.svc.Import(f.ctx, f.sys, ImportFile{Name: "big.xlsx", Body: bytes.NewReader(xlsxOf(t, sheet))}, func(done, total int) {
		progress = append(progress, done)
		if total != n+1 {
			t.Errorf("total %d, want %d", total, n+1)
		}
	})
	if err != nil || res.Created != n || res.Invalid != 0 {
		t.Fatalf("%+v %v", res, err)
	}
	if len(progress) != 3 || progress[2] != n+1 {
		t.Errorf("progress %v", progress)
	}
	recs, _ := audit.List(f.ctx, f.db.Read(), audit.Filter{Action: "enterprise.import"})
	if len(recs) != 3 {
		t.Fatalf("%d audit records, want one per batch", len(recs))
	}
	for _, r := range recs {
		if !strings.Contains(r.Summary, `"file":"big.xlsx"`) || !strings.Contains(r.Summary, `"created_ids":[[`) {
			t.Errorf("audit summary %s", r.Summary)
		}
	}
	pg, _ := f.svc.List(f.ctx, f.sys, Filter{CadreUserID: f.cadre, Limit: 1})
	if pg.Total != n {
		t.Errorf("%d enterprises assigned to the cadre named as 姓名（用户名）, want %d", pg.Total, n)
	}
}

func TestImportCSVFromChineseExcel(t *testing.T) {
	f := newFixture(t)
	g := NewGen(14, f.places(), 1, today(f.db))
	var b strings.Builder
	// English headers, fewer columns, GB18030 as Excel saves it on Chinese Windows.
	b.WriteString("Unified social credit code,Name,Org,Contact phone\r\n")
	var names []string
	for range 5 {
		in := g.Next()
		names = append(names, in.Name)
		fmt.Fprintf(&b, "%s,%s,%s,%s\r\n", strings.ToLower(in.USCC), in.Name, f.park.Code, in.ContactPhone)
	}
	gbk, err := simplifiedchinese.GB18030.NewEncoder().String(b.String())
	if err != nil {
		t.Fatal(err)
	}
	res := f.importBytes(t, f.sys, "企业.csv", []byte(gbk))
	if res.Created != 5 || res.Invalid != 0 {
		t.Fatalf("%+v", res)
	}
	pg, _ := f.svc.List(f.ctx, f.sys, Filter{OrgID: f.park.ID, Limit: 10})
	for _, e := range pg.Items {
		if !strings.Contains(strings.Join(names, ","), e.Name) {
			t.Errorf("a name read wrong: %s", e.Name)
		}
	}
}

func TestImportByACadre(t *testing.T) {
	f := newFixture(t)
	rows, ids := f.generate(t, 15, 2)
	if _, err := f.svc.Assign(f.ctx, f.sys, ids[0], f.cadre); err != nil {
		t.Fatal(err)
	}
	cadre := &access.Principal{UserID: f.cadre, Username: "cadre1", Roles: []access.Role{access.Cadre}, OrgPath: f.streets[0].Path}
	mine, theirs := rows[0].Input, rows[1].Input
	mine.Employees, theirs.Employees = 999, 999
	// Only name and employees: the other fields stay as they are.
	sheet := [][]any{{"统一社会信用代码", "企业名称", "所属组织", "从业人数"},
		{mine.USCC, mine.Name, f.orgName(mine.OrgID), mine.Employees},
		{theirs.USCC, theirs.Name, f.orgName(theirs.OrgID), theirs.Employees},
		{GenUSCC("420281", 999), "新企业有限公司", f.streets[0].Name, 5},
	}
	res := f.importBytes(t, cadre, "mine.xlsx", xlsxOf(t, sheet))
	if res.Updated != 1 || res.Invalid != 2 || res.Errors[0].Row != 3 || res.Errors[1].Row != 4 {
		t.Fatalf("%+v", res)
	}
	e, _ := f.svc.Get(f.ctx, f.sys, ids[0])
	if e.Employees != 999 || e.Phone() != rows[0].ContactPhone || e.Address != rows[0].Address || e.CadreUserID != f.cadre {
		t.Fatalf("the cadre's update: %+v", e)
	}
}

// TestImportStopsAtAnUnreadableRow imports the rows before a row the
// workbook cannot give (numbered past the last row a sheet may have) and
// says where reading stopped.
func TestImportStopsAtAnUnreadableRow(t *testing.T) {
	f := newFixture(t)
	g := NewGen(16, f.places(), 1, today(f.db))
	x := excelize.NewFile()
	rows := [][]any{headers()}
	for range 3 {
		in := g.Next()
		rows = append(rows, rowOf(in, f.orgName(in.OrgID), ""))
	}
	for i, r := range rows {
		x.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+1), &r)
	}
	var b bytes.Buffer
	x.Write(&b)
	// Renumber row 4 beyond the 1,048,576 rows of a sheet. (The reader
	// notices while finishing row 3, which is where it says it stopped.)
	zr, _ := zip.NewReader(bytes.NewReader(b.Bytes()), int64(b.Len()))
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, zf := range zr.File {
		r, _ := zf.Open()
		body, _ := io.ReadAll(r)
		if zf.Name == "xl/worksheets/sheet1.xml" {
			body = bytes.Replace(body, []byte(`<row r="4"`), []byte(`<row r="2000000"`), 1)
		}
		w, _ := zw.Create(zf.Name)
		w.Write(body)
	}
	zw.Close()
	res := f.importBytes(t, f.sys, "broken.xlsx", out.Bytes())
	if res.Created != 1 || len(res.Errors) != 1 || res.Errors[0].Row != 3 || res.Errors[0].Field != "file" || !strings.Contains(res.Errors[0].Message, "未导入") {
		t.Fatalf("%+v", res)
	}
}
