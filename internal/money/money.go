// Package money formats and parses amounts of money. Amounts are always held
// as an int64 number of fen (分); 1 元 = 100 fen, 1 万元 = 10⁶ fen,
// 1 亿元 = 10¹⁰ fen.
package money

import (
	"errors"
	"strconv"
	"strings"
)

// Units in fen.
const (
	Yuan int64 = 100
	Wan        = 10_000 * Yuan
	Yi         = 10_000 * Wan
)

// Format writes an amount the way a Chinese report does: in 亿元 from one
// 亿 up, in 万元 from one 万 up, otherwise in 元; with as few decimals as
// the amount needs (at most two, then four for 万/亿 so nothing is hidden).
func Format(fen int64) string {
	neg := fen < 0
	if neg {
		fen = -fen
	}
	var s string
	switch {
	case fen >= Yi:
		s = decimal(fen, Yi, 2) + "亿元"
	case fen >= Wan:
		s = decimal(fen, Wan, 2) + "万元"
	default:
		s = decimal(fen, Yuan, 2) + "元"
	}
	if neg {
		s = "-" + s
	}
	return s
}

// FormatEn writes an amount in English: "CNY 7.94 bn", "CNY 660,000.00".
func FormatEn(fen int64) string {
	neg := fen < 0
	if neg {
		fen = -fen
	}
	var s string
	switch {
	case fen >= 1_000_000_000*Yuan:
		s = "CNY " + decimal(fen, 1_000_000_000*Yuan, 2) + " bn"
	case fen >= 1_000_000*Yuan:
		s = "CNY " + decimal(fen, 1_000_000*Yuan, 2) + " m"
	default:
		s = "CNY " + group(fen/Yuan) + "." + pad2(fen%Yuan)
	}
	if neg {
		s = "-" + s
	}
	return s
}

// Yuan2 writes an exact amount in 元 with two decimals and thousands
// separators, as receipts and ledgers need: 9,000,000.00.
func Yuan2(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return sign + group(fen/Yuan) + "." + pad2(fen%Yuan)
}

// decimal divides fen by unit and keeps up to max decimals, trimming zeros;
// it rounds half up.
func decimal(fen, unit int64, max int) string {
	scale := int64(1)
	for range max {
		scale *= 10
	}
	// Round to max decimals.
	q := (fen*scale*2/unit + 1) / 2
	whole, frac := q/scale, q%scale
	s := group(whole)
	if frac != 0 {
		f := strconv.FormatInt(frac+scale, 10)[1:]
		s += "." + strings.TrimRight(f, "0")
	}
	return s
}

func group(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func pad2(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}

// ErrFormat is returned by Parse for text that is not an amount.
var ErrFormat = errors.New("money: not an amount")

// Parse reads an amount typed by a person: "1234.5", "1,234.50", "12.5万",
// "79.4亿元", "300元". It returns fen and rejects more than two decimals of
// a 元, negative amounts and anything that is not a number.
func Parse(s string) (int64, error) {
	s = strings.TrimSpace(strings.ReplaceAll(s, ",", ""))
	s = strings.TrimSuffix(s, "元")
	unit := Yuan
	switch {
	case strings.HasSuffix(s, "亿"):
		unit, s = Yi, strings.TrimSuffix(s, "亿")
	case strings.HasSuffix(s, "万"):
		unit, s = Wan, strings.TrimSuffix(s, "万")
	}
	if s == "" || strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
		return 0, ErrFormat
	}
	whole, frac, _ := strings.Cut(s, ".")
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, ErrFormat
	}
	// Decimals allowed: down to one fen.
	maxFrac := 2
	for u := unit; u > Yuan; u /= 10 {
		maxFrac++
	}
	if len(frac) > maxFrac {
		return 0, ErrFormat
	}
	var f int64
	if frac != "" {
		if f, err = strconv.ParseInt(frac, 10, 64); err != nil {
			return 0, ErrFormat
		}
	}
	div := int64(1)
	for range len(frac) {
		div *= 10
	}
	if w > (1<<62)/unit {
		return 0, ErrFormat
	}
	return w*unit + f*unit/div, nil
}
