package enterprise

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"xiaoer/internal/pii"
)

// Names in the zone mostly start with a place — 湖北祥邦新能源科技有限公司,
// 大冶市劲佳包装有限公司, 黄石市佳兴生物科技有限公司 — so a search for "祥邦"
// must look past it. Instead of a contains-match, which scans every row, the
// registry keeps each name's key: the name without the place words it starts
// with. A search strips the same words from the term and matches the start
// of the key, which an index answers in the order it pages.

// places are the place names a registered name may start with: the country,
// the provinces, Hubei's prefectures and Huangshi's counties and districts.
// Each is also stripped with 省, 市, 县, 区 or 州 after it.
var places = []string{
	"中国", "中华",
	"北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江", "安徽", "福建", "江西",
	"山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆", "四川", "贵州", "云南", "西藏", "陕西", "甘肃",
	"青海", "宁夏", "新疆", "香港", "澳门", "台湾",
	"武汉", "黄石", "十堰", "宜昌", "襄阳", "鄂州", "荆门", "孝感", "荆州", "黄冈", "咸宁", "随州", "恩施", "仙桃",
	"潜江", "天门", "神农架",
	"大冶", "阳新", "黄石港", "西塞山", "下陆", "铁山",
}

// placeWords are places with their suffixed forms, longest first.
var placeWords = func() []string {
	var out []string
	for _, p := range places {
		for _, s := range []string{"省", "市", "县", "区", "州", ""} {
			out = append(out, p+s)
		}
	}
	// Longest first, so that 黄石港 wins over 黄石 and 湖北省 over 湖北.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && utf8.RuneCountInString(out[j]) > utf8.RuneCountInString(out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}()

// normalizeName folds what people type differently: half-width brackets
// become full-width, Latin letters upper case, spaces go.
func normalizeName(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '(':
			return '（'
		case r == ')':
			return '）'
		case unicode.IsSpace(r):
			return -1
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		case r >= 'Ａ' && r <= 'Ｚ':
			return r - 'Ａ' + 'A'
		case r >= 'ａ' && r <= 'ｚ':
			return r - 'ａ' + 'A'
		case r >= '０' && r <= '９':
			return r - '０' + '0'
		}
		return r
	}, s)
}

// stripPlaces removes the place words s starts with, one after another
// (湖北省黄石市XX → XX).
func stripPlaces(s string) string {
	for {
		cut := false
		for _, p := range placeWords {
			if rest, ok := strings.CutPrefix(s, p); ok {
				s, cut = rest, true
				break
			}
		}
		if !cut {
			return s
		}
	}
}

// NameKey is the search key of a name: normalised, without the place words
// it starts with (the whole name when nothing else is left).
func NameKey(name string) string {
	n := normalizeName(name)
	if k := stripPlaces(n); k != "" {
		return k
	}
	return n
}

// searchKind is how a search term is matched.
type searchKind int

const (
	byNameKey searchKind = iota // the start of the name's key
	byName                      // the start of the name (a term of place words, e.g. 湖北, or the start of one, 湖)
	byUSCC                      // the start of the credit code
	byPhone                     // the contact phone, exactly (blind index)
)

// classify decides what a term searches: a phone number, the start of a
// credit code (six or more code characters with at least four digits), or
// a name.
func classify(term string) (searchKind, string) {
	term = strings.TrimSpace(term)
	if pii.ValidPhone(term) == nil {
		return byPhone, pii.Normalize(pii.Phone, term)
	}
	if c := NormalizeUSCC(term); len(c) >= 6 && len(c) <= 18 {
		digits, ok := 0, true
		for i := 0; i < len(c) && ok; i++ {
			switch {
			case c[i] >= '0' && c[i] <= '9':
				digits++
			case strings.IndexByte(usccAlphabet, c[i]) < 0:
				ok = false
			}
		}
		if ok && digits >= 4 {
			return byUSCC, c
		}
	}
	n := normalizeName(term)
	if k := stripPlaces(n); k != "" && !placeStart(k) {
		return byNameKey, k
	}
	// Only place words, or they and the start of one more (湖, 湖北省黄):
	// the name itself starts with the term.
	return byName, n
}

// placeStart reports whether s is the start of a place word, which a name's
// key has lost.
func placeStart(s string) bool {
	for _, p := range placeWords {
		if strings.HasPrefix(p, s) {
			return true
		}
	}
	return false
}

// prefixUpper is the exclusive upper bound of the strings starting with p in
// code-point order: nothing a name holds sorts after U+10FFFF.
func prefixUpper(p string) string { return p + "\U0010FFFF" }
