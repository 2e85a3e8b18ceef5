package enterprise

import (
	"strings"

	"xiaoer/internal/errs"
)

// The unified social credit code (统一社会信用代码, GB 32100-2015) is 18
// characters from a 31-character alphabet without I, O, Z, S and V:
//
//	1    registration authority (登记管理部门)
//	2    organisation type (机构类别)
//	3–8  administrative region (GB/T 2260)
//	9–17 organisation code (主体标识码)
//	18   check character
const usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// organisation types allowed for each registration authority.
var usccTypes = map[byte]string{
	'1': "1239", // 机构编制: 机关, 事业单位, 中央编办管理的群众团体, 其他
	'2': "19",   // 外交
	'3': "129",  // 司法行政
	'4': "19",   // 文化
	'5': "1239", // 民政: 社会团体, 民办非企业单位, 基金会, 其他
	'6': "129",  // 旅游
	'7': "129",  // 宗教
	'8': "129",  // 工会
	'9': "123",  // 工商: 企业, 个体工商户, 农民专业合作社
	'A': "19",   // 中央军委改革和编制办公室
	'N': "1239", // 农业
	'Y': "1",    // 其他
}

// provinces are the first two digits of valid region codes.
var provinces = map[string]bool{
	"11": true, "12": true, "13": true, "14": true, "15": true, "21": true, "22": true, "23": true,
	"31": true, "32": true, "33": true, "34": true, "35": true, "36": true, "37": true,
	"41": true, "42": true, "43": true, "44": true, "45": true, "46": true,
	"50": true, "51": true, "52": true, "53": true, "54": true,
	"61": true, "62": true, "63": true, "64": true, "65": true, "71": true, "81": true, "82": true,
}

// NormalizeUSCC upper-cases a code and removes spaces; full-width letters
// and digits (typed with a Chinese input method) become ASCII.
func NormalizeUSCC(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == ' ' || r == '\u3000' || r == '\t' || r == '\u00a0':
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
	}, strings.TrimSpace(s))
}

// USCCCheck returns the check character for the first 17 characters, which
// must be from the alphabet.
func USCCCheck(first17 string) byte {
	sum := 0
	for i := range 17 {
		sum += strings.IndexByte(usccAlphabet, first17[i]) * usccWeights[i]
	}
	c := 31 - sum%31
	if c == 31 {
		c = 0
	}
	return usccAlphabet[c]
}

// ValidateUSCC checks a code against GB 32100-2015 and says which rule
// failed: length, alphabet, registration authority, organisation type,
// region or check character.
func ValidateUSCC(code string) error {
	bad := func(zh, en string, args ...any) error { return errs.Invalidf("uscc", zh, en, args...) }
	if n := len([]rune(code)); n != 18 {
		return bad("统一社会信用代码应为18位，现为%d位", "The unified social credit code must have 18 characters, not %d", n)
	}
	for i, c := range []rune(code) {
		if c >= 0x80 || strings.IndexByte(usccAlphabet, byte(c)) < 0 {
			return bad("统一社会信用代码第%d位「%c」不是允许的字符（不使用I、O、Z、S、V）", "Character %d (%c) is not allowed in the code (I, O, Z, S and V are never used)", i+1, c)
		}
	}
	types, ok := usccTypes[code[0]]
	if !ok {
		return bad("第1位登记管理部门代码「%c」无效", "Character 1, the registration authority (%c), is not a valid code", code[0])
	}
	if !strings.ContainsRune(types, rune(code[1])) {
		return bad("第2位机构类别代码「%c」与登记管理部门不符", "Character 2, the organisation type (%c), does not fit the registration authority", code[1])
	}
	region := code[2:8]
	for _, c := range region {
		if c < '0' || c > '9' {
			return bad("第3至8位行政区划码「%s」应为6位数字", "Characters 3–8, the region code %s, must be six digits", region)
		}
	}
	if !provinces[region[:2]] {
		return bad("第3至8位行政区划码「%s」不是有效的省级代码开头", "Characters 3–8, the region code %s, do not start with a valid province", region)
	}
	if want := USCCCheck(code[:17]); code[17] != want {
		return bad("校验码错误：第18位应为「%c」，现为「%c」", "The check character is wrong: character 18 should be %c, not %c", want, code[17])
	}
	return nil
}
