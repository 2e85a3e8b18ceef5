package enterprise

import (
	"strings"
	"testing"
)

func TestGeneratedEnterprisesAreValid(t *testing.T) {
	g := NewGen(42, []Place{{1, "罗家桥街道"}, {2, "金湖街道"}}, 1, DemoDay)
	codes := map[string]bool{}
	manufacturing := 0
	for i := range 5000 {
		in := g.Next()
		if err := in.Validate(); err != nil {
			t.Fatalf("enterprise %d (%+v): %v", i, in, err)
		}
		if codes[in.USCC] {
			t.Fatalf("code %s generated twice", in.USCC)
		}
		codes[in.USCC] = true
		if !strings.HasSuffix(in.Name, "公司") || in.ShortName == "" || in.LegalRep == "" || in.RegisteredOn.After(DemoDay) {
			t.Fatalf("enterprise %d is not plausible: %+v", i, in)
		}
		if in.IndustryCode >= "13" && in.IndustryCode < "44" {
			manufacturing++
		}
		for _, q := range g.Qualifications(&in) {
			if err := q.Validate(); err != nil {
				t.Fatalf("qualification of %s: %v", in.USCC, err)
			}
		}
	}
	if manufacturing < 3000 {
		t.Errorf("%d of 5000 in manufacturing: an industrial zone has more", manufacturing)
	}
}

func TestGeneratedCodesNeverMeetDemoCodes(t *testing.T) {
	for _, n := range []int64{0, 1, 100, 9_999_999, 1 << 30} {
		c := GenUSCC("420281", n)
		if err := ValidateUSCC(c); err != nil {
			t.Fatalf("GenUSCC(%d) = %s: %v", n, c, err)
		}
		if c[10] >= '0' && c[10] <= '9' {
			t.Errorf("GenUSCC(%d) = %s has a digit where DemoUSCC codes have theirs", n, c)
		}
	}
	if err := ValidateUSCC(ExampleUSCC); err != nil {
		t.Fatalf("the template's example code %s: %v", ExampleUSCC, err)
	}
}

func TestIDRanges(t *testing.T) {
	got := idRanges([]int64{7, 3, 4, 5, 9, 8, 12})
	want := [][2]int64{{3, 5}, {7, 9}, {12, 12}}
	if len(got) != len(want) {
		t.Fatalf("idRanges = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("idRanges = %v, want %v", got, want)
		}
	}
}
