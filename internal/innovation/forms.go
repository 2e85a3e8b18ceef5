package innovation

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/enterprise"
	"xiaoer/internal/errs"
	"xiaoer/internal/money"
	"xiaoer/internal/store"
)

// formReader reads a posted form into typed values, keeping the first value
// that does not parse as a 400 naming its field.
type formReader struct {
	v   url.Values
	err error
}

func readForm(r *http.Request) *formReader {
	r.ParseForm()
	return &formReader{v: r.PostForm}
}

func (f *formReader) fail(name, zh, en string) {
	if f.err == nil {
		f.err = errs.Invalidf(name, "「%s」"+zh, "%s "+en, name)
	}
}

func (f *formReader) str(name string) string { return strings.TrimSpace(f.v.Get(name)) }

func (f *formReader) bool(name string) bool { return f.v.Get(name) != "" }

func (f *formReader) int(name string) int {
	s := f.str(name)
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		f.fail(name, "应为整数", "must be a whole number")
	}
	return n
}

func (f *formReader) id(name string) int64 {
	s := f.str(name)
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		f.fail(name, "不是有效的编号", "is not a valid id")
	}
	return n
}

func (f *formReader) float(name string) float64 {
	s := strings.TrimSuffix(f.str(name), "%")
	if s == "" {
		return 0
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		f.fail(name, "应为数字", "must be a number")
	}
	return x
}

// money reads an amount typed in 元 (or with 万/亿), as money.Parse does.
func (f *formReader) money(name string) int64 {
	s := f.str(name)
	if s == "" {
		return 0
	}
	n, err := money.Parse(s)
	if err != nil {
		f.fail(name, "应为金额，如 1200000、120万 或 1.2亿", "must be an amount such as 1200000, 120万 or 1.2亿")
	}
	return n
}

func (f *formReader) date(name string) civil.Date {
	s := f.str(name)
	if s == "" {
		return civil.Date{}
	}
	d, err := civil.Parse(s)
	if err != nil {
		f.fail(name, "应为YYYY-MM-DD格式的日期", "must be a date YYYY-MM-DD")
	}
	return d
}

// option is one choice of a select.
type option struct {
	ID   int64
	Name string
}

// orgOptions lists the org nodes of kinds, in tree order.
func (s *Service) orgOptions(ctx context.Context, kinds ...string) ([]option, error) {
	in, args := store.In(kinds)
	rows, err := s.DB.Read().Query(ctx, "SELECT id, name FROM orgs WHERE kind IN ("+in+") ORDER BY path", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []option
	for rows.Next() {
		var o option
		if err := rows.Scan(&o.ID, &o.Name); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// enterpriseNames lists names of enterprises p may see, for a form's
// suggestion list (the first thousand by name; the field also takes a
// credit code).
func (s *Service) enterpriseNames(ctx context.Context, p *access.Principal) ([]string, error) {
	var w store.Where
	w.Scope(readScope(p, "e", "id", false))
	where, args := w.SQL()
	rows, err := s.DB.Read().Query(ctx, "SELECT e.name FROM enterprises e"+where+" ORDER BY e.name LIMIT 1000", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// EnterpriseRef finds the enterprise a person typed into a form: its
// unified social credit code, its full or short name, or its id; only
// enterprises p may see are found.
func (s *Service) EnterpriseRef(ctx context.Context, p *access.Principal, typed, field string) (int64, error) {
	typed = strings.TrimSpace(typed)
	if typed == "" {
		return 0, nil
	}
	var w store.Where
	w.Scope(readScope(p, "e", "id", false))
	code := enterprise.NormalizeUSCC(typed)
	if n, err := strconv.ParseInt(typed, 10, 64); err == nil && len(typed) < 18 {
		w.Add("e.id = ?", n)
	} else if len(code) == 18 {
		w.Add("e.uscc = ?", code)
	} else {
		w.Add("(e.name = ? OR e.short_name = ?)", typed, typed)
	}
	where, args := w.SQL()
	rows, err := s.DB.Read().Query(ctx, "SELECT e.id FROM enterprises e"+where+" LIMIT 2", args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return 0, err
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	switch len(ids) {
	case 0:
		return 0, errs.Invalidf(field, "找不到企业「%s」：请填写全称、简称或统一社会信用代码", "No enterprise “%s”: give its full or short name or its credit code", typed)
	case 1:
		return ids[0], nil
	}
	return 0, errs.Invalidf(field, "「%s」对应多家企业，请填写统一社会信用代码", "“%s” names more than one enterprise: give its credit code", typed)
}
