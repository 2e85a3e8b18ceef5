package enterprise

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
	"xiaoer/internal/org"
	"xiaoer/internal/store"
)

// ImportResult is the answer of an import.
type ImportResult struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged" doc:"rows that matched the registry already: nothing was written"`
	Invalid   int `json:"invalid" doc:"rows refused; errors lists the first 1000"`
	// Errors are the refused rows; each changed nothing.
	Errors []ImportError `json:"errors"`
}

// ImportError says why one row was refused.
type ImportError struct {
	Row     int    `json:"row" doc:"the row number in the sheet, the header being row 1"`
	Field   string `json:"field"`
	Column  string `json:"column,omitempty" doc:"the column's header"`
	Message string `json:"message"`
}

// maxErrors is how many refused rows an import lists.
const maxErrors = 1000

// ImportBatch is how many rows an import writes per transaction: big enough
// to be fast, small enough that the single SQLite writer is not held long.
const ImportBatch = 2000

// ImportFile is a spreadsheet to import.
type ImportFile struct {
	Name string    // the file name, for the format and the audit record
	Body io.Reader // .xlsx or .csv
}

// Import creates or updates enterprises from an .xlsx or .csv file with the
// template's headers, keyed by credit code. Each row is checked on its own:
// a refused row changes nothing and is reported with its row, column and
// reason (in the language of ctx); the valid rows are written in batches of
// ImportBatch, each in one transaction with one audit record
// (enterprise.import) that names the file, the rows and every enterprise
// created or updated with the fields that changed. A row that matches the
// registry already writes nothing. progress, if not nil, hears after each
// batch how many rows are done and how many there are (0 when unknown).
func (s *Service) Import(ctx context.Context, p *access.Principal, file ImportFile, progress func(done, total int)) (ImportResult, error) {
	if !p.System && !p.Has(access.ServiceOffice, access.Cadre) {
		return ImportResult{}, errs.Forbiddenf("只有营商办和包保干部可以导入企业", "Only the service office and cadres import enterprises")
	}
	rows, err := openRows(file, progress != nil)
	if err != nil {
		return ImportResult{}, err
	}
	defer rows.Close()
	im := &importer{s: s, p: p, ctx: ctx, lang: i18n.From(ctx), file: filepath.Base(file.Name), seen: map[string]int{}}
	im.res.Errors = []ImportError{}
	if err := im.loadRefs(); err != nil {
		return ImportResult{}, err
	}
	// Reading the file and writing the registry each take a core: read
	// ahead in a goroutine while batches are checked and written.
	lines, readErr, stop := readAhead(ctx, rows)
	defer stop()
	done := 0
	for chunk := range lines {
		for _, l := range chunk {
			done = l.n
			if blank(l.cells) {
				continue
			}
			if im.cols == nil {
				if err := im.header(l.cells); err != nil {
					return ImportResult{}, err
				}
				continue
			}
			im.add(l.n, l.cells)
			if len(im.batch) >= ImportBatch {
				if err := im.flush(); err != nil {
					return im.res, err
				}
				if progress != nil {
					progress(done, rows.Total())
				}
			}
		}
	}
	if err := readErr(); err != nil {
		if im.cols == nil {
			return ImportResult{}, err
		}
		// A row that cannot be read ends the file: the rows before it are
		// imported as usual, and the report says where reading stopped.
		im.fail(done+1, errs.Invalidf("file", "%s；此行及其后的行未导入", "%s; this row and those after it were not imported", errs.As(err).Msg))
	}
	if im.cols == nil {
		return ImportResult{}, errs.Invalidf("file", "文件是空的：没有表头行", "The file is empty: it has no header row")
	}
	if err := im.flush(); err != nil {
		return im.res, err
	}
	if progress != nil {
		progress(done, rows.Total())
	}
	// Checks against the registry come batch by batch: put the report in
	// row order.
	slices.SortStableFunc(im.res.Errors, func(a, b ImportError) int { return a.Row - b.Row })
	return im.res, nil
}

// line is one row of a file.
type line struct {
	cells []string
	n     int
}

// readAhead reads rows in a goroutine and hands them over in chunks. The
// caller ranges over the chunks, then asks readErr how reading ended, and
// calls stop (which waits for the goroutine) before closing rows.
func readAhead(ctx context.Context, rows rowSource) (lines <-chan []line, readErr func() error, stop func()) {
	ch := make(chan []line, 8)
	ctx, cancel := context.WithCancel(ctx)
	finished := make(chan struct{})
	var err error
	go func() {
		defer close(finished)
		defer close(ch)
		chunk := make([]line, 0, 256)
		for {
			cells, n, e := rows.Next()
			if e != nil {
				if e != io.EOF {
					err = e
				}
				break
			}
			chunk = append(chunk, line{cells, n})
			if len(chunk) == cap(chunk) {
				select {
				case ch <- chunk:
				case <-ctx.Done():
					return
				}
				chunk = make([]line, 0, 256)
			}
		}
		if len(chunk) > 0 {
			select {
			case ch <- chunk:
			case <-ctx.Done():
			}
		}
	}()
	return ch, func() error { <-finished; return err }, func() { cancel(); <-finished }
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// rowSource yields the rows of a file with their row numbers.
type rowSource interface {
	Next() (cells []string, row int, err error)
	Total() int // rows in the file, 0 when unknown
	Close() error
}

// openRows opens a file by its extension (or, failing that, by content);
// count asks for the number of rows up front, for a progress bar.
func openRows(file ImportFile, count bool) (rowSource, error) {
	br := bufio.NewReaderSize(file.Body, 64<<10)
	ext := strings.ToLower(filepath.Ext(file.Name))
	if ext == "" || ext == ".bin" {
		if head, _ := br.Peek(4); bytes.Equal(head, []byte("PK\x03\x04")) {
			ext = ".xlsx"
		} else {
			ext = ".csv"
		}
	}
	switch ext {
	case ".xlsx", ".xlsm":
		return openXLSX(br, count)
	case ".csv", ".txt":
		return openCSV(br)
	case ".xls", ".et", ".wps":
		return nil, errs.Invalidf("file", "不支持旧版 .xls 文件，请另存为 .xlsx 后再导入", "Old .xls files are not supported: save the file as .xlsx")
	}
	return nil, errs.Invalidf("file", "只能导入 .xlsx 或 .csv 文件", "Only .xlsx and .csv files can be imported")
}

type xlsxRows struct {
	f     *excelize.File
	rows  *excelize.Rows
	n     int
	total int
}

var dimension = regexp.MustCompile(`^[A-Z]+\d+:[A-Z]+(\d+)$`)

func openXLSX(r io.Reader, count bool) (*xlsxRows, error) {
	f, err := excelize.OpenReader(r, excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, errs.Invalidf("file", "文件不是有效的 .xlsx 工作簿", "The file is not a valid .xlsx workbook")
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		f.Close()
		return nil, errs.Invalidf("file", "工作簿中没有工作表", "The workbook has no sheet")
	}
	// The data is on the first sheet; the template's second explains it.
	rows, err := f.Rows(sheets[0])
	if err != nil {
		f.Close()
		return nil, errs.Invalidf("file", "无法读取第一个工作表", "The first sheet cannot be read")
	}
	x := &xlsxRows{f: f, rows: rows}
	if dim, err := f.GetSheetDimension(sheets[0]); err == nil {
		if m := dimension.FindStringSubmatch(dim); m != nil {
			x.total, _ = parseInt(m[1])
		}
	}
	if x.total == 0 && count {
		// Streamed workbooks (ours among them) carry no dimension: walk the
		// rows once without reading their cells.
		for rows.Next() {
			x.total++
		}
		rows.Close()
		if x.rows, err = f.Rows(sheets[0]); err != nil {
			f.Close()
			return nil, errs.Invalidf("file", "无法读取第一个工作表", "The first sheet cannot be read")
		}
	}
	return x, nil
}

func parseInt(s string) (int, bool) {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func (x *xlsxRows) Next() ([]string, int, error) {
	if !x.rows.Next() {
		if err := x.rows.Error(); err != nil {
			return nil, x.n, errs.Invalidf("file", "读取工作表出错：%s", "The sheet cannot be read: %s", err.Error())
		}
		return nil, x.n, io.EOF
	}
	x.n++
	cells, err := x.rows.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, x.n, errs.Invalidf("file", "第%d行无法读取：%s", "Row %d cannot be read: %s", x.n, err.Error())
	}
	return cells, x.n, nil
}

func (x *xlsxRows) Total() int { return x.total }

func (x *xlsxRows) Close() error {
	x.rows.Close()
	return x.f.Close()
}

type csvRows struct {
	r *csv.Reader
	n int
}

// openCSV reads UTF-8 (with or without a byte-order mark) or, as Excel on
// Chinese Windows saves it, GB18030.
func openCSV(br *bufio.Reader) (*csvRows, error) {
	head, _ := br.Peek(64 << 10)
	var r io.Reader = br
	switch {
	case bytes.HasPrefix(head, []byte("\ufeff")):
		br.Discard(3)
	case !validUTF8Prefix(head):
		r = simplifiedchinese.GB18030.NewDecoder().Reader(br)
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	return &csvRows{r: cr}, nil
}

// validUTF8Prefix reports whether b is UTF-8, allowing a character cut off
// at its end.
func validUTF8Prefix(b []byte) bool {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return len(b)-i < utf8.UTFMax && !utf8.FullRune(b[i:])
		}
		i += size
	}
	return true
}

func (c *csvRows) Next() ([]string, int, error) {
	rec, err := c.r.Read()
	if err == io.EOF {
		return nil, c.n, io.EOF
	}
	c.n++
	if err != nil {
		return nil, c.n, errs.Invalidf("file", "第%d行不是有效的CSV：%s", "Row %d is not valid CSV: %s", c.n, err.Error())
	}
	return rec, c.n, nil
}

func (c *csvRows) Total() int   { return 0 }
func (c *csvRows) Close() error { return nil }

// importer is one import in progress.
type importer struct {
	s    *Service
	p    *access.Principal
	ctx  context.Context
	lang i18n.Lang
	file string

	cols    []int    // cell index of each sheetColumn, -1 when absent
	headers []string // the file's header of each sheetColumn

	orgsByName map[string][]org.Org
	orgsByCode map[string]org.Org
	orgsByID   map[int64]org.Org
	cadres     map[string]int64   // by username
	cadreNames map[string][]int64 // by name

	seen  map[string]int // credit code → the row it was first seen in
	batch []importRow
	nth   int // batches written
	res   ImportResult
}

// importRow is a row that passed the checks that need no database.
type importRow struct {
	row       int
	in        Input
	orgCell   string
	cadreCell string
	hasOrg    bool // the file has the column
	hasCadre  bool
}

// loadRefs reads the org nodes enterprises belong to and the cadres: an
// import resolves names against these instead of asking per row.
func (im *importer) loadRefs() error {
	q := im.s.DB.Read()
	im.orgsByName, im.orgsByCode, im.orgsByID = map[string][]org.Org{}, map[string]org.Org{}, map[int64]org.Org{}
	rows, err := q.Query(im.ctx, "SELECT id, name, kind, COALESCE(code, ''), path FROM orgs WHERE kind IN (?, ?, ?, ?)", org.Zone, org.Street, org.Community, org.Park)
	if err != nil {
		return err
	}
	for rows.Next() {
		var o org.Org
		if err := rows.Scan(&o.ID, &o.Name, &o.Kind, &o.Code, &o.Path); err != nil {
			rows.Close()
			return err
		}
		im.orgsByName[o.Name] = append(im.orgsByName[o.Name], o)
		if o.Code != "" {
			im.orgsByCode[o.Code] = o
		}
		im.orgsByID[o.ID] = o
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	im.cadres, im.cadreNames = map[string]int64{}, map[string][]int64{}
	cadres, err := im.s.Cadres(im.ctx)
	for _, c := range cadres {
		im.cadres[c.Username] = c.ID
		im.cadreNames[c.Name] = append(im.cadreNames[c.Name], c.ID)
	}
	return err
}

// header maps the file's columns to the sheet's by their headers (Chinese
// or English).
func (im *importer) header(cells []string) error {
	im.cols = make([]int, len(sheetColumns))
	im.headers = make([]string, len(sheetColumns))
	for i, c := range sheetColumns {
		im.cols[i] = -1
		im.headers[i] = c.Header.In(im.lang)
		for j, h := range cells {
			h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
			if h == c.Header.Zh || strings.EqualFold(h, c.Header.En) {
				im.cols[i], im.headers[i] = j, h
				break
			}
		}
		if c.Required && im.cols[i] < 0 {
			return errs.Invalidf("file", "缺少必需的列「%s」：请使用导入模板的表头", "The column %q is missing: use the template's headers", c.Header)
		}
	}
	return nil
}

// fail records a refused row.
func (im *importer) fail(row int, err error) {
	e := errs.As(err)
	if e.Code == errs.Internal {
		e = errs.Invalidf("", "无法处理：%s", "Cannot be processed: %s", err.Error())
	}
	im.res.Invalid++
	if len(im.res.Errors) >= maxErrors {
		return
	}
	ie := ImportError{Row: row, Field: e.Field, Message: e.Msg.In(im.lang)}
	if i := columnOf(e.Field); i >= 0 {
		ie.Column = im.headers[i]
	}
	im.res.Errors = append(im.res.Errors, ie)
}

// add reads one row's cells and queues it when they make sense.
func (im *importer) add(row int, cells []string) {
	cell := func(field string) (string, bool) {
		i := im.cols[columnOf(field)]
		if i < 0 || i >= len(cells) {
			return "", i >= 0
		}
		return strings.TrimSpace(cells[i]), true
	}
	r := importRow{row: row}
	var ok bool
	r.in.USCC, _ = cell("uscc")
	r.in.USCC = NormalizeUSCC(cellDigits(r.in.USCC))
	if r.in.USCC == ExampleUSCC {
		return
	}
	r.in.Name, _ = cell("name")
	r.in.ShortName, _ = cell("short_name")
	r.orgCell, r.hasOrg = cell("org_id")
	code, _ := cell("industry_code")
	r.in.IndustryCode = cellDigits(code)
	scale, _ := cell("scale")
	if r.in.Scale, ok = cellScale(scale); !ok {
		im.fail(row, errs.Invalidf("scale", "规模「%s」应为大型、中型、小型或微型", "Scale %q must be 大型, 中型, 小型 or 微型 (large, medium, small, micro)", scale))
		return
	}
	above, _ := cell("above_scale")
	if r.in.AboveScale, ok = cellBool(above); !ok {
		im.fail(row, errs.Invalidf("above_scale", "规上企业「%s」应为是或否", "Above scale %q must be 是 or 否 (yes or no)", above))
		return
	}
	r.in.Address, _ = cell("address")
	r.in.LegalRep, _ = cell("legal_rep")
	r.in.ContactName, _ = cell("contact_name")
	phone, _ := cell("contact_phone")
	r.in.ContactPhone = cellDigits(phone)
	r.cadreCell, r.hasCadre = cell("cadre_user_id")
	staff, _ := cell("employees")
	if r.in.Employees, ok = cellInt(staff); !ok {
		im.fail(row, errs.Invalidf("employees", "从业人数「%s」应为整数", "Employees %q must be a whole number", staff))
		return
	}
	day, _ := cell("registered_on")
	if r.in.RegisteredOn, ok = cellDate(day); !ok {
		im.fail(row, errs.Invalidf("registered_on", "成立日期「%s」无法识别，应为YYYY-MM-DD", "Registered on %q is not a date YYYY-MM-DD", day))
		return
	}
	// org_id is resolved with the batch; a placeholder passes Validate.
	r.in.OrgID = -1
	if err := r.in.Validate(); err != nil {
		im.fail(row, err)
		return
	}
	if first, dup := im.seen[r.in.USCC]; dup {
		im.fail(row, errs.Invalidf("uscc", "统一社会信用代码 %s 与第%d行重复", "The code %s repeats row %d", r.in.USCC, first))
		return
	}
	im.seen[r.in.USCC] = row
	im.batch = append(im.batch, r)
}

// resolveOrg finds the org node a cell names; a cell naming the current
// org of the enterprise keeps it (so that an export imports back even where
// two nodes share a name).
func (im *importer) resolveOrg(cell string, old *Enterprise) (org.Org, error) {
	if cell == "" {
		return org.Org{}, errs.Invalidf("org_id", "请填写所属组织", "The org is required")
	}
	if old != nil && cell == old.OrgName {
		return im.orgsByID[old.OrgID], nil
	}
	if o, ok := im.orgsByCode[cell]; ok {
		return o, nil
	}
	switch os := im.orgsByName[cell]; len(os) {
	case 0:
		return org.Org{}, errs.Invalidf("org_id", "所属组织「%s」不存在（应为街道、社区或园区的名称或代码）", "There is no street, community or park %q", cell)
	case 1:
		return os[0], nil
	}
	return org.Org{}, errs.Invalidf("org_id", "有多个组织名为「%s」，请填写组织代码", "Several orgs are named %q: give the org's code", cell)
}

var parenthesised = regexp.MustCompile(`[（(]\s*([^（()）]+?)\s*[)）]\s*$`)

// resolveCadre finds the cadre a cell names: "name（username）", a username
// or a name that only one cadre has.
func (im *importer) resolveCadre(cell string) (int64, error) {
	if cell == "" {
		return 0, nil
	}
	if m := parenthesised.FindStringSubmatch(cell); m != nil {
		if id, ok := im.cadres[m[1]]; ok {
			return id, nil
		}
	}
	if id, ok := im.cadres[cell]; ok {
		return id, nil
	}
	switch ids := im.cadreNames[cell]; len(ids) {
	case 1:
		return ids[0], nil
	case 0:
		return 0, errs.Invalidf("cadre_user_id", "包保干部「%s」不是具有包保干部角色的用户", "%q is not a user with the cadre role", cell)
	}
	return 0, errs.Invalidf("cadre_user_id", "有多个包保干部名为「%s」，请写成“姓名（用户名）”", "Several cadres are named %q: write name (username)", cell)
}

// keepAbsent copies into in the fields whose columns the file lacks: a
// file with fewer columns updates only the fields it has.
func (im *importer) keepAbsent(in *Input, old Input) {
	for i, c := range sheetColumns {
		if im.cols[i] >= 0 {
			continue
		}
		switch c.Field {
		case "short_name":
			in.ShortName = old.ShortName
		case "industry_code":
			in.IndustryCode = old.IndustryCode
		case "scale":
			in.Scale = old.Scale
		case "above_scale":
			in.AboveScale = old.AboveScale
		case "address":
			in.Address = old.Address
		case "legal_rep":
			in.LegalRep = old.LegalRep
		case "contact_name":
			in.ContactName = old.ContactName
		case "contact_phone":
			in.ContactPhone = old.ContactPhone
		case "employees":
			in.Employees = old.Employees
		case "registered_on":
			in.RegisteredOn = old.RegisteredOn
		}
	}
}

// update is a changed row to write.
type update struct {
	id     int64
	in     Input
	fields []string
}

// flush checks the queued rows against the registry and writes the valid
// ones in one transaction.
func (im *importer) flush() error {
	if len(im.batch) == 0 {
		return nil
	}
	batch := im.batch
	im.batch = nil
	existing, writable, err := im.lookup(batch)
	if err != nil {
		return err
	}
	var creates []Input
	var updates []update
	unchanged := 0
	for i := range batch {
		r := &batch[i]
		old := existing[r.in.USCC]
		if old != nil && !r.hasOrg {
			r.orgCell = old.OrgName
		}
		o, err := im.resolveOrg(r.orgCell, old)
		if err != nil {
			im.fail(r.row, err)
			continue
		}
		r.in.OrgID = o.ID
		if old != nil && (!r.hasCadre || r.cadreCell == cadreCell(old)) {
			r.in.CadreUserID = old.CadreUserID
		} else if r.in.CadreUserID, err = im.resolveCadre(r.cadreCell); err != nil {
			im.fail(r.row, err)
			continue
		}
		if old == nil {
			if err := mayCreate(im.p, o); err != nil {
				im.fail(r.row, err)
				continue
			}
			if isMasked(r.in.ContactPhone) {
				im.fail(r.row, errs.Invalidf("contact_phone", "联系电话格式不正确", "The contact phone is not valid"))
				continue
			}
			creates = append(creates, r.in)
			continue
		}
		if !writable[old.ID] {
			im.fail(r.row, errs.Invalidf("uscc", "统一社会信用代码 %s 已登记在您的管辖范围之外，不能修改", "The code %s is registered outside your scope: you cannot change it", r.in.USCC))
			continue
		}
		before := inputOf(old)
		im.keepAbsent(&r.in, before)
		if err := keepPhone(&r.in, old.phone); err != nil {
			im.fail(r.row, err)
			continue
		}
		fields := changedFields(before, r.in)
		if len(fields) == 0 {
			unchanged++
			continue
		}
		if err := mayReassign(im.p, before, r.in); err != nil {
			im.fail(r.row, err)
			continue
		}
		updates = append(updates, update{old.ID, r.in, fields})
	}
	im.res.Unchanged += unchanged
	if len(creates) == 0 && len(updates) == 0 {
		return nil
	}
	im.nth++
	err = im.s.DB.Write(im.ctx, func(tx *store.Tx) error {
		ids, err := im.s.insertMany(im.ctx, tx, creates)
		if err != nil {
			return err
		}
		changed := make([]map[string]any, len(updates))
		for i, u := range updates {
			if err := im.s.updateRow(im.ctx, tx, u.id, &u.in); err != nil {
				return err
			}
			changed[i] = map[string]any{"id": u.id, "fields": u.fields}
		}
		return audit.Append(im.ctx, tx, audit.Entry{Action: "enterprise.import", Object: "enterprise", Summary: map[string]any{
			"file": im.file, "batch": im.nth, "rows": [2]int{batch[0].row, batch[len(batch)-1].row},
			"created": len(ids), "updated": len(updates), "unchanged": unchanged,
			"created_ids": idRanges(ids), "updated_ids": changed,
		}})
	})
	if err != nil {
		return err
	}
	im.res.Created += len(creates)
	im.res.Updated += len(updates)
	return nil
}

// lookup returns the registered enterprises with the batch's codes, and
// which of them p may change.
func (im *importer) lookup(batch []importRow) (map[string]*Enterprise, map[int64]bool, error) {
	codes := make([]string, len(batch))
	for i := range batch {
		codes[i] = batch[i].in.USCC
	}
	marks, args := store.In(codes)
	scope, scopeArgs := im.s.WriteScope(im.p, "e").SQL()
	q := im.s.DB.Read()
	rows, err := q.Query(im.ctx, "SELECT "+cols+", CASE WHEN "+scope+" THEN 1 ELSE 0 END"+from+" WHERE e.uscc IN ("+marks+")", append(scopeArgs, args...)...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	found := map[string]*Enterprise{}
	writable := map[int64]bool{}
	for rows.Next() {
		var w int
		e, err := im.s.scan(scanPlus{rows, &w})
		if err != nil {
			return nil, nil, err
		}
		found[e.USCC] = &e
		writable[e.ID] = w == 1
	}
	return found, writable, rows.Err()
}

// scanPlus scans the enterprise columns and one more.
type scanPlus struct {
	sc    interface{ Scan(...any) error }
	extra any
}

func (s scanPlus) Scan(dest ...any) error { return s.sc.Scan(append(dest, s.extra)...) }
