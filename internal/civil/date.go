// Package civil holds the calendar date that business records carry: a day in
// the zone's time zone, written YYYY-MM-DD, with no time of day.
package civil

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"

	"xiaoer/internal/errs"
)

// Zone is the time zone every business date is read in.
var Zone = mustZone("Asia/Shanghai")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		// Without tzdata on the host, fall back to the fixed offset: China has
		// had no daylight saving since 1991.
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}

// Date is a day on the calendar. The zero Date means "no date".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// Layout is the only textual form of a Date, in JSON, SQL and forms.
const Layout = "2006-01-02"

// Of returns the date of t in the zone's time zone.
func Of(t time.Time) Date {
	y, m, d := t.In(Zone).Date()
	return Date{y, m, d}
}

// New returns the date y-m-d, normalised as time.Date does.
func New(y int, m time.Month, d int) Date {
	return Of(time.Date(y, m, d, 12, 0, 0, 0, Zone))
}

// Parse reads a YYYY-MM-DD date and rejects anything else, including
// impossible days such as 2023-02-30.
func Parse(s string) (Date, error) {
	t, err := time.ParseInLocation(Layout, s, Zone)
	if err != nil || len(s) != len(Layout) {
		return Date{}, fmt.Errorf("civil: %q is not a date in the form YYYY-MM-DD", s)
	}
	return Of(t), nil
}

// MustParse is Parse for literals known to be valid; it panics otherwise.
func MustParse(s string) Date {
	d, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// String formats d as YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// Chinese writes d as prose does in Chinese documents: 2023年6月30日.
func (d Date) Chinese() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d年%d月%d日", d.Year, d.Month, d.Day)
}

// Time returns midnight of d in the zone.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, Zone) }

// AddDays returns the date n calendar days after d (before, if n < 0).
func (d Date) AddDays(n int) Date { return New(d.Year, d.Month, d.Day+n) }

// AddMonths returns the date n months after d, clamped like time.AddDate.
func (d Date) AddMonths(n int) Date { return New(d.Year, d.Month+time.Month(n), d.Day) }

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return d.Time().Weekday() }

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	switch {
	case d.Year != e.Year:
		return cmp(d.Year, e.Year)
	case d.Month != e.Month:
		return cmp(int(d.Month), int(e.Month))
	default:
		return cmp(d.Day, e.Day)
	}
}

func cmp(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// DaysUntil returns the number of calendar days from d to e (negative if e is earlier).
func (d Date) DaysUntil(e Date) int {
	return int(e.Time().Sub(d.Time()).Round(time.Hour).Hours() / 24)
}

// MarshalJSON writes "YYYY-MM-DD", or null for the zero Date.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + d.String() + `"`), nil
}

// UnmarshalJSON reads "YYYY-MM-DD" or null.
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = Date{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errs.Invalidf("", "日期必须是YYYY-MM-DD格式的文字：%s", "A date must be a string YYYY-MM-DD: %s", b)
	}
	if s == "" {
		*d = Date{}
		return nil
	}
	v, err := Parse(s)
	if err != nil {
		return errs.Invalidf("", "「%s」不是有效日期，格式应为YYYY-MM-DD", "%q is not a valid date YYYY-MM-DD", s)
	}
	*d = v
	return nil
}

// Value stores d as TEXT YYYY-MM-DD, or NULL for the zero Date.
func (d Date) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	return d.String(), nil
}

// Scan reads a date stored as TEXT (or as a DATE/time value by a driver).
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = Date{}
		return nil
	case string:
		return d.scanString(v)
	case []byte:
		return d.scanString(string(v))
	case time.Time:
		y, m, dd := v.Date()
		*d = Date{y, m, dd}
		return nil
	}
	return fmt.Errorf("civil: cannot scan %T into a Date", src)
}

func (d *Date) scanString(s string) error {
	if s == "" {
		*d = Date{}
		return nil
	}
	if len(s) > len(Layout) {
		s = s[:len(Layout)]
	}
	v, err := Parse(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Today returns the current date in the zone, as seen by clock now.
func Today(now func() time.Time) Date { return Of(now()) }
