package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"xiaoer/internal/civil"
	"xiaoer/internal/i18n"
)

// Column is one column of a spreadsheet export.
type Column[T any] struct {
	Header i18n.Text
	Value  func(T) any
	Width  float64 // in characters; 0 for a default
}

// Col is a short way to write a Column.
func Col[T any](zh, en string, value func(T) any) Column[T] {
	return Column[T]{Header: i18n.T(zh, en), Value: value}
}

// Each streams rows to yield; it stops at yield's first error.
type Each[T any] func(yield func(T) error) error

// Export writes the rows as .xlsx or .csv, with headers in the request's
// language (Chinese by default). Rows are streamed: a large export does not
// sit in memory.
func Export[T any](w http.ResponseWriter, r *http.Request, format string, name i18n.Text, cols []Column[T], each Each[T]) error {
	lang := i18n.From(r.Context())
	filename := name.In(lang) + "-" + civil.Of(time.Now()).String()
	if format == "csv" {
		return exportCSV(w, lang, filename, cols, each)
	}
	return exportXLSX(w, lang, name.In(lang), filename, cols, each)
}

func attachment(w http.ResponseWriter, filename, ctype string) {
	w.Header().Set("Content-Type", ctype)
	// RFC 6266 / 5987: an ASCII fallback and the UTF-8 name.
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="export%s"; filename*=UTF-8''%s`,
		extOf(filename), url.PathEscape(filename)))
}

func extOf(name string) string {
	for i := len(name) - 1; i >= 0 && name[i] != '-'; i-- {
		if name[i] == '.' {
			return name[i:]
		}
	}
	return ""
}

func exportCSV[T any](w http.ResponseWriter, lang i18n.Lang, filename string, cols []Column[T], each Each[T]) error {
	attachment(w, filename+".csv", "text/csv; charset=utf-8")
	// The byte-order mark makes Excel open UTF-8 Chinese correctly.
	w.Write([]byte("\ufeff"))
	cw := csv.NewWriter(w)
	head := make([]string, len(cols))
	for i, c := range cols {
		head[i] = c.Header.In(lang)
	}
	cw.Write(head)
	row := make([]string, len(cols))
	err := each(func(v T) error {
		for i, c := range cols {
			row[i] = cellText(c.Value(v))
		}
		return cw.Write(row)
	})
	cw.Flush()
	if err != nil {
		return err
	}
	return cw.Error()
}

func cellText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case civil.Date:
		return x.String()
	case time.Time:
		if x.IsZero() {
			return ""
		}
		return x.In(civil.Zone).Format("2006-01-02 15:04:05")
	case bool:
		if x {
			return "是"
		}
		return "否"
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

func cellValue(v any) any {
	switch x := v.(type) {
	case civil.Date, time.Time, bool:
		return cellText(x)
	}
	return v
}

func exportXLSX[T any](w http.ResponseWriter, lang i18n.Lang, sheetTitle, filename string, cols []Column[T], each Each[T]) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := sheetName(sheetTitle)
	f.SetSheetName("Sheet1", sheet)
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	bold, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"E8EEF7"}, Pattern: 1}})
	for i, c := range cols {
		wd := c.Width
		if wd == 0 {
			wd = 16
		}
		sw.SetColWidth(i+1, i+1, wd)
	}
	head := make([]any, len(cols))
	for i, c := range cols {
		head[i] = excelize.Cell{StyleID: bold, Value: c.Header.In(lang)}
	}
	if err := sw.SetRow("A1", head, excelize.RowOpts{}); err != nil {
		return err
	}
	sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	n := 1
	row := make([]any, len(cols))
	err = each(func(v T) error {
		n++
		for i, c := range cols {
			row[i] = cellValue(c.Value(v))
		}
		cell, _ := excelize.CoordinatesToCellName(1, n)
		return sw.SetRow(cell, row)
	})
	if err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	attachment(w, filename+".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	return f.Write(w)
}

// sheetName makes a valid sheet name: at most 31 characters, none of []:*?/\.
func sheetName(s string) string {
	r := []rune(s)
	out := r[:0]
	for _, c := range r {
		switch c {
		case '[', ']', ':', '*', '?', '/', '\\':
			c = '_'
		}
		out = append(out, c)
	}
	if len(out) > 31 {
		out = out[:31]
	}
	if len(out) == 0 {
		return "Sheet1"
	}
	return string(out)
}

// ServeList answers a list request: a JSON page, or every matching row as a
// spreadsheet when format=xlsx|csv.
func ServeList[T any](w http.ResponseWriter, r *http.Request, p ListParams, name i18n.Text, cols []Column[T],
	page func() (List[T], error), all Each[T]) error {
	if p.Export() {
		return Export(w, r, p.Format, name, cols, all)
	}
	l, err := page()
	if err != nil {
		return err
	}
	if l.Items == nil {
		l.Items = []T{}
	}
	return OK(w, l)
}
