package project_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
	"xiaoer/internal/project"
)

// TestMonthlyProgress records reports and checks the one-per-month rule,
// the months allowed and the running total against the plan.
func TestMonthlyProgress(t *testing.T) {
	w := newWorld(t)
	in := w.input("进度", 1000) // 1000万元 planned
	in.Actual = map[string]string{"signed": "2023-02-10", "started": "2023-03-01"}
	pr := w.create(w.office, in)
	add := func(month string, wan int64) error {
		return w.svc.AddProgress(w.ctx, w.commissioner, pr.ID, project.ProgressInput{Month: month, InvestedFen: wan * 1_000_000})
	}
	if err := add("2023-03", 100); err != nil {
		t.Fatal(err)
	}
	if err := add("2023/4", 250); err != nil {
		t.Fatal(err)
	}
	wantErr(t, add("2023-03", 1), errs.Conflict, "month")
	wantErr(t, add("2023-08", 1), errs.Invalid, "month") // today is 2023-07-11
	wantErr(t, add("2023-01", 1), errs.Invalid, "month") // before signing
	wantErr(t, add("2023-13", 1), errs.Invalid, "month")
	wantErr(t, w.svc.AddProgress(w.ctx, w.commissioner, pr.ID, project.ProgressInput{Month: "2023-05", InvestedFen: -1}), errs.Invalid, "invested_fen")
	if err := w.svc.PutProgress(w.ctx, w.office, pr.ID, project.ProgressInput{Month: "2023-03", InvestedFen: 150 * 1_000_000, Notes: "更正"}); err != nil {
		t.Fatal(err)
	}
	items, err := w.svc.Progress(w.ctx, w.entUser, pr.ID)
	if err != nil || len(items) != 2 {
		t.Fatalf("%d items, %v", len(items), err)
	}
	if items[0].Month != "2023-03" || items[0].InvestedFen != 150_000_000 || items[0].Notes != "更正" ||
		items[1].CumulativeFen != 400_000_000 || items[1].PlanFen != 1_000_000_000 || *items[1].Rate != 0.4 {
		t.Fatalf("items = %+v", items)
	}
	got, _ := w.svc.Get(w.ctx, w.office, pr.ID)
	if got.InvestedFen != 400_000_000 {
		t.Fatalf("invested = %d", got.InvestedFen)
	}
}

func sheet(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestImportProgress loads a sheet with good and bad rows: the good ones
// are stored, each bad one is reported with its row, field and reason, and
// loading the corrected sheet again corrects rather than duplicates.
func TestImportProgress(t *testing.T) {
	w := newWorld(t)
	in := w.input("导入甲", 1000)
	in.Actual = map[string]string{"signed": "2023-01-05", "started": "2023-02-01"}
	a := w.create(w.office, in)
	in = w.input("导入乙", 1000)
	in.Actual = map[string]string{"signed": "2023-01-05"}
	b := w.create(w.office, in)
	other := w.input("别人的", 1000)
	other.EnterpriseID, other.LeaderUserID, other.CommissionerUserID = w.entB, 0, 0
	c := w.create(w.office, other)
	rows := [][]any{
		{"项目编号", "项目名称", "企业", "月份", "本月完成投资（元）", "备注"},
		{a.ID, "", "", "2023-05", "120万", "主体结构"}, // 2: ok
		{"", "导入乙", "甲科技", "2023年6月", 800000, ""}, // 3: ok, by name and short name
		{"", "导入乙", "乙材料", "2023-06", 1, ""},      // 4: no such project of that enterprise
		{a.ID, "", "", "2023-13", 1, ""},          // 5: bad month
		{a.ID, "", "", "2023-09", 1, ""},          // 6: future month
		{a.ID, "", "", "2023-06", "-5", ""},       // 7: negative
		{a.ID, "", "", "2023-05", "1万", ""},       // 8: same as row 2
		{c.ID, "", "", "2023-05", 1, ""},          // 9: outside the commissioner's scope
		{"abc", "", "", "2023-05", 1, ""},         // 10: bad id
		{},                                        // blank row: skipped
		{a.ID, "", "", "2022-12", 1, ""},          // 12: before signing
	}
	res, err := w.svc.ImportProgress(w.ctx, w.commissioner, bytes.NewReader(sheet(t, rows)))
	if err != nil {
		t.Fatal(err)
	}
	res.Localize(i18n.ZH)
	if res.Created != 2 || res.Updated != 0 {
		t.Fatalf("created %d updated %d, errors %+v", res.Created, res.Updated, res.Errors)
	}
	want := map[int]string{4: "project", 5: "month", 6: "month", 7: "invested_fen", 8: "month", 9: "project", 10: "project", 12: "month"}
	if len(res.Errors) != len(want) {
		t.Fatalf("errors = %+v", res.Errors)
	}
	for _, e := range res.Errors {
		if f, ok := want[e.Row]; !ok || f != e.Field || e.Message == "" {
			t.Errorf("row %d: field %q message %q", e.Row, e.Field, e.Message)
		}
	}
	if !strings.Contains(res.Errors[4].Message, "第2行") {
		t.Errorf("duplicate row message: %s", res.Errors[4].Message)
	}
	items, _ := w.svc.Progress(w.ctx, w.office, a.ID)
	if len(items) != 1 || items[0].InvestedFen != 1_200_000_00 || items[0].Notes != "主体结构" {
		t.Fatalf("a = %+v", items)
	}
	items, _ = w.svc.Progress(w.ctx, w.office, b.ID)
	if len(items) != 1 || items[0].Month != "2023-06" || items[0].InvestedFen != 80_000_000 {
		t.Fatalf("b = %+v", items)
	}
	// Again with one row corrected: an update, not a duplicate.
	res, err = w.svc.ImportProgress(w.ctx, w.commissioner, bytes.NewReader(sheet(t, [][]any{
		{"项目编号", "月份", "本月完成投资（元）"}, {a.ID, "2023-05", "130万"}})))
	if err != nil || res.Created != 0 || res.Updated != 1 || len(res.Errors) != 0 {
		t.Fatalf("re-import: %+v %v", res, err)
	}
	items, _ = w.svc.Progress(w.ctx, w.office, a.ID)
	if len(items) != 1 || items[0].InvestedFen != 1_300_000_00 {
		t.Fatalf("a after correction = %+v", items)
	}
	// Not a workbook, or no usable header: a 400 for the whole file.
	_, err = w.svc.ImportProgress(w.ctx, w.office, strings.NewReader("项目编号,月份\n1,2023-05\n"))
	wantErr(t, err, errs.Invalid, "file")
	_, err = w.svc.ImportProgress(w.ctx, w.office, bytes.NewReader(sheet(t, [][]any{{"甲", "乙"}, {1, 2}})))
	wantErr(t, err, errs.Invalid, "file")
}
