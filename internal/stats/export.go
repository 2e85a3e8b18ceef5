package stats

import (
	"io"

	"github.com/xuri/excelize/v2"

	"xiaoer/internal/i18n"
)

// Excel writes the summary as a workbook, one sheet per dashboard group,
// each titled with the zone and the period, with the previous period beside.
func Excel(out io.Writer, zone string, d *Dashboard, cur, prev map[string]any, lang i18n.Lang) error {
	f := excelize.NewFile()
	defer f.Close()
	title, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	head, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"E8EEF7"}, Pattern: 1}})
	pf, pt := Previous(d.From, d.To)
	for i, g := range Groups {
		name := sheetName(g.Title.In(lang))
		if i == 0 {
			f.SetSheetName("Sheet1", name)
		} else {
			f.NewSheet(name)
		}
		heading := zone + " " + d.Label + " " + g.Title.In(lang)
		f.SetCellValue(name, "A1", heading)
		f.SetCellStyle(name, "A1", "A1", title)
		cols := []string{i18n.T("指标", "Figure").In(lang), i18n.T("本期", "This period").In(lang) + "（" + d.From.String() + "至" + d.To.String() + "）",
			i18n.T("上期", "Previous period").In(lang) + "（" + pf.String() + "至" + pt.String() + "）", i18n.T("单位", "Unit").In(lang), i18n.T("数据项", "Key").In(lang)}
		for c, h := range cols {
			cell, _ := excelize.CoordinatesToCellName(c+1, 3)
			f.SetCellValue(name, cell, h)
			f.SetCellStyle(name, cell, cell, head)
		}
		f.SetColWidth(name, "A", "A", 24)
		f.SetColWidth(name, "B", "C", 30)
		f.SetColWidth(name, "E", "E", 36)
		for r, fig := range g.Figures {
			row := r + 4
			v, u := raw(cur, fig), unit(fig, lang)
			f.SetCellValue(name, cellName(1, row), fig.Label.In(lang))
			f.SetCellValue(name, cellName(2, row), v)
			f.SetCellValue(name, cellName(3, row), raw(prev, fig))
			f.SetCellValue(name, cellName(4, row), u)
			f.SetCellValue(name, cellName(5, row), fig.Key)
		}
	}
	return f.Write(out)
}

func cellName(col, row int) string { c, _ := excelize.CoordinatesToCellName(col, row); return c }

// raw is the figure as a spreadsheet number: counts as integers, money in
// 万元, rates as percentages; an empty cell for a null rate.
func raw(sum map[string]any, f Figure) any {
	switch f.Kind {
	case Percent:
		r := Rate(sum, f.Key)
		if r == nil {
			return ""
		}
		return *r * 100
	case Fen:
		return float64(Int(sum, f.Key)) / 1e6
	}
	return Int(sum, f.Key)
}

func unit(f Figure, lang i18n.Lang) string {
	switch f.Kind {
	case Percent:
		return "%"
	case Fen:
		return i18n.T("万元", "10k yuan").In(lang)
	}
	return f.Unit.In(lang)
}

func sheetName(s string) string {
	r := []rune(s)
	if len(r) > 31 {
		r = r[:31]
	}
	return string(r)
}
