package web

import (
	"encoding/base64"
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
)

// List is the shape of every list response.
type List[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
	Total      int    `json:"total"`
}

// ListParams are the common query parameters of a list.
type ListParams struct {
	Q      string
	Limit  int
	Cursor string
	Format string // "", "xlsx" or "csv"
	Query  url.Values
}

// Limits of a list page.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// ParseList reads q, limit, cursor and format.
func ParseList(r *http.Request) (ListParams, error) {
	q := r.URL.Query()
	p := ListParams{Q: strings.TrimSpace(q.Get("q")), Limit: DefaultLimit, Cursor: q.Get("cursor"), Format: q.Get("format"), Query: q}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxLimit {
			return p, errs.Invalidf("limit", "limit 应为1到%d之间的整数", "limit must be a whole number from 1 to %d", MaxLimit)
		}
		p.Limit = n
	}
	switch p.Format {
	case "", "json", "xlsx", "csv":
	default:
		return p, errs.Invalidf("format", "format 只能是 xlsx 或 csv", "format must be xlsx or csv")
	}
	return p, nil
}

// Export reports whether the list is asked for as a spreadsheet.
func (p ListParams) Export() bool { return p.Format == "xlsx" || p.Format == "csv" }

// Date reads an optional date filter.
func (p ListParams) Date(name string) (civil.Date, error) {
	s := p.Query.Get(name)
	if s == "" {
		return civil.Date{}, nil
	}
	d, err := civil.Parse(s)
	if err != nil {
		return d, errs.Invalidf(name, "%s 应为YYYY-MM-DD格式的日期", "%s must be a date YYYY-MM-DD", name)
	}
	return d, nil
}

// ID reads an optional id filter.
func (p ListParams) ID(name string) (int64, error) {
	s := p.Query.Get(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, errs.Invalidf(name, "%s 不是有效的编号", "%s is not a valid id", name)
	}
	return n, nil
}

// Enum reads an optional filter that must be one of allowed.
func (p ListParams) Enum(name string, allowed ...string) (string, error) {
	s := p.Query.Get(name)
	if s == "" {
		return "", nil
	}
	for _, a := range allowed {
		if s == a {
			return s, nil
		}
	}
	return "", errs.Invalidf(name, "%s 的取值无效：%s", "%s has an invalid value: %s", name, s)
}

// Bool reads an optional true/false filter; ok is false when absent.
func (p ListParams) Bool(name string) (v, ok bool, err error) {
	switch p.Query.Get(name) {
	case "":
		return false, false, nil
	case "true", "1":
		return true, true, nil
	case "false", "0":
		return false, true, nil
	}
	return false, false, errs.Invalidf(name, "%s 只能是 true 或 false", "%s must be true or false", name)
}

// EncodeCursor packs the sort keys of the last row into an opaque cursor.
func EncodeCursor(keys ...any) string {
	b, _ := json.Marshal(keys)
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor unpacks a cursor into dest (pointers, in the order encoded).
// An empty cursor leaves dest alone and reports false.
func DecodeCursor(s string, dest ...any) (bool, error) {
	if s == "" {
		return false, nil
	}
	bad := errs.Invalidf("cursor", "翻页游标无效，请从第一页重新查询", "The cursor is invalid; start again from the first page")
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return false, bad
	}
	var raw []json.RawMessage
	if json.Unmarshal(b, &raw) != nil || len(raw) != len(dest) {
		return false, bad
	}
	for i := range raw {
		if json.Unmarshal(raw[i], dest[i]) != nil {
			return false, bad
		}
	}
	return true, nil
}

// QueryPrefix keeps the named filters of a list request as the start of a
// query string ("q=x&role=y&"), typed so that a template puts it after "?"
// as it is: html/template would otherwise escape its "=" and "&".
func QueryPrefix(q url.Values, keys ...string) template.URL {
	keep := url.Values{}
	for _, k := range keys {
		if v := q.Get(k); v != "" {
			keep.Set(k, v)
		}
	}
	s := keep.Encode()
	if s != "" {
		s += "&"
	}
	return template.URL(s)
}
