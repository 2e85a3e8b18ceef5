package open311

import (
	"net/http/httptest"
	"testing"
)

// TestDocumentsInBothFormats writes one document as XML and as JSON: fields
// keep their order, text is escaped, null is an empty element, and a list
// of repeated children is a JSON array (the Spark convention).
func TestDocumentsInBothFormats(t *testing.T) {
	doc := list{item: "request", items: []any{object{
		{"service_request_id", "SQ1"},
		{"description", `路灯 <坏了> & "不亮"`},
		{"lat", 30.5},
		{"order", 1},
		{"metadata", true},
		{"media_url", nil},
		{"formats", list{item: "format", items: []any{"text/xml", "application/json"}}},
	}}}
	w := httptest.NewRecorder()
	if err := write(w, "xml", 201, "service_requests", doc); err != nil {
		t.Fatal(err)
	}
	wantXML := `<?xml version="1.0" encoding="utf-8"?>` + "\n" + `<service_requests><request><service_request_id>SQ1</service_request_id>` +
		`<description>路灯 &lt;坏了&gt; &amp; &#34;不亮&#34;</description><lat>30.5</lat><order>1</order><metadata>true</metadata>` +
		`<media_url></media_url><formats><format>text/xml</format><format>application/json</format></formats></request></service_requests>`
	if w.Code != 201 || w.Body.String() != wantXML || w.Header().Get("Content-Type") != "text/xml; charset=utf-8" {
		t.Errorf("XML %d %s:\n%s\nwant\n%s", w.Code, w.Header().Get("Content-Type"), w.Body, wantXML)
	}
	w = httptest.NewRecorder()
	if err := write(w, "json", 200, "service_requests", doc); err != nil {
		t.Fatal(err)
	}
	wantJSON := `[{"service_request_id":"SQ1","description":"路灯 <坏了> & \"不亮\"","lat":30.5,"order":1,"metadata":true,` +
		`"media_url":null,"formats":["text/xml","application/json"]}]`
	if w.Body.String() != wantJSON || w.Header().Get("Content-Type") != "application/json; charset=utf-8" {
		t.Errorf("JSON:\n%s\nwant\n%s", w.Body, wantJSON)
	}
	w = httptest.NewRecorder()
	write(w, "json", 200, "services", list{item: "service"})
	if w.Body.String() != "[]" {
		t.Errorf("an empty list is %s, want []", w.Body)
	}
}

func TestSplitFileAndDates(t *testing.T) {
	for in, want := range map[string][2]string{"services.json": {"services", "json"}, "SQ20230101-00001.xml": {"SQ20230101-00001", "xml"},
		"services.csv": {"services", ""}, "services": {"services", ""}} {
		if n, f := splitFile(in); n != want[0] || f != want[1] {
			t.Errorf("splitFile(%q) = %q, %q", in, n, f)
		}
	}
	for s, ok := range map[string]bool{"2010-01-01T00:00:00Z": true, "2023-03-01T08:00:00+08:00": true, "2023-03-01T08:00+08:00": true,
		"2023-03-01": true, "2023-03-01T08:00:00": false, "01/03/2023": false} {
		if _, got := w3c(s); got != ok {
			t.Errorf("w3c(%q) = %v", s, got)
		}
	}
	if got := contactName("伟", "张"); got != "张伟" {
		t.Errorf("Chinese name %q", got)
	}
	if got := contactName("John", "Smith"); got != "John Smith" {
		t.Errorf("Western name %q", got)
	}
}
