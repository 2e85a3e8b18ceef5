package enterprise

import "testing"

func TestNameKeyDropsLeadingPlaces(t *testing.T) {
	for name, want := range map[string]string{
		"湖北祥邦新能源科技有限公司":    "祥邦新能源科技有限公司",
		"湖北省黄石市佳兴生物科技有限公司": "佳兴生物科技有限公司",
		"大冶市劲佳包装有限公司":      "劲佳包装有限公司",
		"黄石港区某某商贸有限公司":     "某某商贸有限公司",
		"大美科技（湖北）有限公司":     "大美科技（湖北）有限公司",
		"大美科技(湖北)有限公司":     "大美科技（湖北）有限公司",
		"长城汽车股份有限公司大冶分公司":  "长城汽车股份有限公司大冶分公司",
		"abb (中国) 有限公司":    "ABB（中国）有限公司",
		"湖北省":              "湖北省",
	} {
		if got := NameKey(name); got != want {
			t.Errorf("NameKey(%s) = %s, want %s", name, got, want)
		}
	}
}

func TestClassifySearchTerms(t *testing.T) {
	for _, tc := range []struct {
		term string
		kind searchKind
		key  string
	}{
		{"祥邦", byNameKey, "祥邦"},
		{"湖北祥邦", byNameKey, "祥邦"},
		{"湖北省黄石市佳", byNameKey, "佳"},
		{"湖北", byName, "湖北"},
		{"黄石市", byName, "黄石市"},
		{"湖", byName, "湖"},
		{"湖北省黄", byName, "湖北省黄"},
		{"东", byNameKey, "东"},
		{"abb", byNameKey, "ABB"},
		{"91420281", byUSCC, "91420281"},
		{"91420281ma0000", byUSCC, "91420281MA0000"},
		{"９１４２０２８１", byUSCC, "91420281"},
		{"13871401000", byPhone, "13871401000"},
		{"138 7140 1000", byPhone, "13871401000"},
		{"ABCDEF", byNameKey, "ABCDEF"}, // letters only: a Latin name, not a code
		{"1234", byNameKey, "1234"},     // too short for a code
	} {
		kind, key := classify(tc.term)
		if kind != tc.kind || key != tc.key {
			t.Errorf("classify(%q) = %d %q, want %d %q", tc.term, kind, key, tc.kind, tc.key)
		}
	}
}

// A term that is the start of a name finds the name: the key of the term
// is the start of the key of the name, or the term has only place words and
// is the start of the name itself.
func TestEveryNamePrefixFindsItsName(t *testing.T) {
	g := NewGen(1, []Place{{1, "罗家桥街道"}}, 1, DemoDay)
	names := []string{"湖北省黄石市大冶市某某有限公司", "黄石港区港湾物流有限公司"}
	for range 300 {
		names = append(names, g.Next().Name)
	}
	for _, n := range Named {
		names = append(names, n.Name)
	}
	for _, name := range names {
		key, runes := NameKey(name), []rune(name)
		for i := 1; i <= len(runes); i++ {
			kind, k := classify(string(runes[:i]))
			var ok bool
			switch kind {
			case byNameKey:
				ok = len(k) <= len(key) && key[:len(k)] == k
			case byName:
				n := normalizeName(name)
				ok = len(k) <= len(n) && n[:len(k)] == k
			}
			if !ok {
				t.Errorf("%q: the term %q (%d, %q) does not find it (key %q)", name, string(runes[:i]), kind, k, key)
			}
		}
	}
}
