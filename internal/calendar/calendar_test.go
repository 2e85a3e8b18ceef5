package calendar

import (
	"testing"

	"xiaoer/internal/civil"
)

var d = civil.MustParse

func TestAddWorkdays(t *testing.T) {
	c := New()
	for _, tc := range []struct {
		from string
		n    int
		want string
	}{
		// National Day and Mid-Autumn 2023 with the make-up weekend 7–8 Oct.
		{"2023-09-27", 5, "2023-10-10"},
		{"2023-09-27", 1, "2023-09-28"},
		{"2023-09-28", 1, "2023-10-07"},
		// A Friday plus one working day is the Monday.
		{"2023-06-02", 1, "2023-06-05"},
		// Spring Festival 2024: 10–17 Feb off, Sunday 18 Feb is a make-up day.
		{"2024-02-08", 2, "2024-02-18"},
		// 2020's extended Spring Festival ran to 2 Feb.
		{"2020-01-23", 1, "2020-02-03"},
		{"2023-09-27", 0, "2023-09-27"},
		// Beyond the table only weekends count.
		{"2027-03-05", 1, "2027-03-08"},
	} {
		if got := c.AddWorkdays(d(tc.from), tc.n).String(); got != tc.want {
			t.Errorf("AddWorkdays(%s, %d) = %s, want %s", tc.from, tc.n, got, tc.want)
		}
	}
}

func TestIsWorkday(t *testing.T) {
	c := New()
	for day, want := range map[string]bool{
		"2023-10-07": true,  // Saturday, make-up day
		"2023-10-02": false, // Monday, National Day
		"2023-04-05": false, // Qingming, a Wednesday
		"2023-04-23": true,  // Sunday, make-up for Labour Day
		"2023-07-11": true,  // an ordinary Tuesday
		"2023-07-15": false, // an ordinary Saturday
		"2026-02-28": true,  // Saturday make-up after Spring Festival 2026
	} {
		if got := c.IsWorkday(d(day)); got != want {
			t.Errorf("IsWorkday(%s) = %v, want %v", day, got, want)
		}
	}
}

func TestLocalChanges(t *testing.T) {
	c := New()
	c.SetLocal([]Day{
		{Date: d("2023-07-11"), Kind: Holiday, Name: "防汛停工"},
		{Date: d("2023-10-07"), Kind: Normal},
	})
	if c.IsWorkday(d("2023-07-11")) {
		t.Error("a local holiday is still a working day")
	}
	if c.IsWorkday(d("2023-10-07")) {
		t.Error("a make-up day made normal is still a working day (it is a Saturday)")
	}
	c.SetLocal(nil)
	if !c.IsWorkday(d("2023-07-11")) || !c.IsWorkday(d("2023-10-07")) {
		t.Error("clearing local changes did not restore the national table")
	}
}

func TestYear(t *testing.T) {
	c := New()
	var hol, work int
	for _, day := range c.Year(2023) {
		switch day.Kind {
		case Holiday:
			hol++
		case Workday:
			work++
		}
	}
	// 2023: 元旦 2 days in 2023 (31 Dec 2022 falls in 2022), 春节 7, 清明 1,
	// 劳动节 5, 端午 3, 中秋国庆 8, and 30–31 Dec of the 2024 元旦 block = 28;
	// make-up days 7.
	if hol != 28 || work != 7 {
		t.Fatalf("2023: %d holidays, %d make-up days; want 28 and 7", hol, work)
	}
}

func TestClockPausesAndResumes(t *testing.T) {
	c := New()
	var k Clock
	c.Start(&k, d("2023-09-27"), 5)
	if k.DueOn != d("2023-10-10") {
		t.Fatalf("due = %s", k.DueOn)
	}
	// Special procedure from Thursday 28 Sep to Monday 9 Oct: three working
	// days (7, 8, 9 Oct) are not counted.
	c.Pause(&k, d("2023-09-28"))
	c.Resume(&k, d("2023-10-09"))
	if k.PausedDays != 3 || k.DueOn != d("2023-10-13") {
		t.Fatalf("after pause: paused %d, due %s; want 3, 2023-10-13", k.PausedDays, k.DueOn)
	}
	if k.Overdue(d("2023-10-13")) || !k.Overdue(d("2023-10-16")) {
		t.Fatal("Overdue is wrong")
	}
	c.Stop(&k, d("2023-10-12"))
	if k.Overdue(d("2024-01-01")) {
		t.Fatal("a clock stopped before its due date is overdue")
	}
}

func TestLight(t *testing.T) {
	c := New()
	var k Clock
	c.Start(&k, d("2023-07-03"), 5) // Monday; due Monday 10 July
	for today, want := range map[string]Signal{
		"2023-07-05": Green,  // 2 of 5 used
		"2023-07-07": Yellow, // 4 of 5 used = 80 %
		"2023-07-10": Yellow, // due today
		"2023-07-11": Red,
	} {
		if got := c.Light(&k, d(today)); got != want {
			t.Errorf("Light on %s = %s, want %s", today, got, want)
		}
	}
	c.Pause(&k, d("2023-07-04"))
	if got := c.Light(&k, d("2023-07-20")); got != Green {
		t.Errorf("a paused clock turned %s", got)
	}
}
