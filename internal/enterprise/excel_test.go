package enterprise

import (
	"testing"

	"xiaoer/internal/civil"
)

func TestCellParsing(t *testing.T) {
	for s, want := range map[string]civil.Date{
		"2018-05-20": civil.New(2018, 5, 20), "2018/5/20": civil.New(2018, 5, 20), "2018.05.20": civil.New(2018, 5, 20),
		"2018年5月20日": civil.New(2018, 5, 20), "20180520": civil.New(2018, 5, 20), "43240": civil.New(2018, 5, 20), "": {},
	} {
		if got, ok := cellDate(s); !ok || got != want {
			t.Errorf("cellDate(%q) = %v %v, want %v", s, got, ok, want)
		}
	}
	for _, bad := range []string{"2018-13-01", "昨天", "5/20"} {
		if _, ok := cellDate(bad); ok {
			t.Errorf("cellDate(%q) accepted", bad)
		}
	}
	for s, want := range map[string]string{"1.3871401E+10": "13871401000", "13871401000": "13871401000", "3841.0": "3841", "0311": "0311"} {
		if got := cellDigits(s); got != want {
			t.Errorf("cellDigits(%q) = %q, want %q", s, got, want)
		}
	}
	for s, want := range map[string]Scale{"大型": Large, "中": Medium, "small": Small, "Micro": Micro, "": ""} {
		if got, ok := cellScale(s); !ok || got != want {
			t.Errorf("cellScale(%q) = %q %v", s, got, ok)
		}
	}
	if _, ok := cellScale("巨型"); ok {
		t.Error("cellScale(巨型) accepted")
	}
	for s, want := range map[string]bool{"是": true, "否": false, "Y": true, "": false, "TRUE": true} {
		if got, ok := cellBool(s); !ok || got != want {
			t.Errorf("cellBool(%q) = %v %v", s, got, ok)
		}
	}
	if n, ok := cellInt("60.0"); !ok || n != 60 {
		t.Errorf("cellInt(60.0) = %d %v", n, ok)
	}
	if _, ok := cellInt("六十"); ok {
		t.Error("cellInt(六十) accepted")
	}
}

func TestSheetColumnsNameEveryField(t *testing.T) {
	for _, f := range []string{"uscc", "name", "short_name", "org_id", "industry_code", "scale", "above_scale", "address",
		"legal_rep", "contact_name", "contact_phone", "cadre_user_id", "employees", "registered_on"} {
		if columnOf(f) < 0 {
			t.Errorf("no column sets %s", f)
		}
	}
	if len(columns) != len(sheetColumns) {
		t.Fatal("the export's columns are not the sheet's")
	}
}
