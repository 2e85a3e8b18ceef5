package project_test

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"

	"xiaoer/internal/access"
	"xiaoer/internal/errs"
	"xiaoer/internal/project"
)

// TestScope checks who sees and changes which projects: out of scope is
// always a 404, on reads and on writes.
func TestScope(t *testing.T) {
	w := newWorld(t)
	mine := w.create(w.office, w.input("包保甲的项目", 800)) // cadre A leads, the commissioner serves
	other := w.input("乙街道项目", 800)
	other.EnterpriseID, other.LeaderUserID, other.CommissionerUserID = w.entB, 0, 0
	theirs := w.create(w.office, other)
	public := w.input("社区配套", 800)
	public.EnterpriseID, public.OrgID, public.LeaderUserID, public.CommissionerUserID, public.IndustryCode = 0, w.street3.ID, 0, 0, "48"
	pub := w.create(w.office, public)

	sees := func(p *access.Principal, want ...int64) {
		t.Helper()
		items, total, err := w.svc.List(w.ctx, p, project.Filter{Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		got := map[int64]bool{}
		for _, it := range items {
			got[it.ID] = true
		}
		if total != len(want) || len(got) != len(want) {
			t.Fatalf("%s sees %v (total %d), want %v", p.Username, got, total, want)
		}
		for _, id := range want {
			if !got[id] {
				t.Fatalf("%s does not see %d", p.Username, id)
			}
		}
		for _, id := range []int64{mine.ID, theirs.ID, pub.ID} {
			_, err := w.svc.Get(w.ctx, p, id)
			if got[id] != (err == nil) || (err != nil && errs.CodeOf(err) != errs.NotFound) {
				t.Fatalf("%s get %d: %v", p.Username, id, err)
			}
		}
	}
	sees(w.office, mine.ID, theirs.ID, pub.ID)
	sees(w.leader, mine.ID, theirs.ID, pub.ID)
	sees(w.streetOffice, theirs.ID, pub.ID)
	sees(w.cadreA, mine.ID)
	sees(w.commissioner, mine.ID)
	sees(w.cadreB)
	sees(w.entUser, mine.ID)
	sees(w.admin)

	// Writes: the assigned cadre may act, another cadre gets a 404.
	w.act(w.cadreA, mine.ID, "start", "2023-03-01")
	if _, err := w.svc.Act(w.ctx, w.cadreB, mine.ID, "stall", body("2023-04-01")); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("unassigned cadre acts: %v", err)
	}
	if _, err := w.svc.Act(w.ctx, w.cadreA, theirs.ID, "start", body("2023-04-01")); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("cadre acts on another's project: %v", err)
	}
	// The street office changes only its subtree; the leader only reads.
	if _, err := w.svc.Act(w.ctx, w.streetOffice, mine.ID, "stall", body("2023-04-01")); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("street office acts outside its street: %v", err)
	}
	w.act(w.streetOffice, pub.ID, "start", "2023-04-01")
	if _, err := w.svc.Act(w.ctx, w.leader, theirs.ID, "start", body("2023-04-01")); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("leader acts: %v", err)
	}
	// Who may see a project but not change it is told so (403).
	if _, err := w.svc.Act(w.ctx, w.entUser, mine.ID, "stall", body("2023-04-01")); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("enterprise acts: %v", err)
	}
	if err := w.svc.PutProgress(w.ctx, w.cadreB, mine.ID, project.ProgressInput{Month: "2023-03", InvestedFen: 1}); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("unassigned cadre reports progress: %v", err)
	}
	rename := w.input("改名", 800)
	rename.Actual = nil
	if _, err := w.svc.Update(w.ctx, w.cadreB, mine.ID, rename); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("unassigned cadre edits: %v", err)
	}
	// Only the project office registers, and only within its subtree.
	if _, err := w.svc.Create(w.ctx, w.cadreA, w.input("干部登记", 100)); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("cadre creates: %v", err)
	}
	_, err := w.svc.Create(w.ctx, w.streetOffice, w.input("越界登记", 100)) // enterprise A is in street 1
	wantErr(t, err, errs.Invalid, "org_id")
}

// tinyZip builds an Office Open XML package with the given parts.
func tinyZip(t *testing.T, parts map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	for name, body := range parts {
		f, err := z.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte(body))
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const contentTypes = `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"></Types>`

// TestEvidenceIsSizeLimitedAndTypeChecked uploads evidence of every kind:
// images, PDFs and Office documents pass by their content; executables,
// HTML, SVG, scripted PDFs and macro documents are refused, whatever their
// names say.
func TestEvidenceIsSizeLimitedAndTypeChecked(t *testing.T) {
	w := newWorld(t)
	pr := w.create(w.office, w.input("佐证", 800))
	w.act(w.office, pr.ID, "start", "2023-03-01")
	docx := tinyZip(t, map[string]string{"[Content_Types].xml": contentTypes, "word/document.xml": "<w:document/>"})
	xlsx := tinyZip(t, map[string]string{"[Content_Types].xml": contentTypes, "xl/workbook.xml": "<workbook/>"})
	docm := tinyZip(t, map[string]string{"[Content_Types].xml": strings.Replace(contentTypes, "</Types>",
		`<Override ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>`, 1), "word/document.xml": "x", "word/vbaProject.bin": "x"})
	for _, tc := range []struct {
		name string
		data []byte
		want string // content type, or "" for refused
	}{
		{"现场.jpg", append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, make([]byte, 100)...), project.TypeJPEG},
		{"现场.png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), project.TypePNG},
		{"施工许可.pdf", []byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF"), project.TypePDF},
		{"合同.docx", docx, project.TypeDOCX},
		{"台账.xlsx", xlsx, project.TypeXLSX},
		{"照片.jpg", []byte("MZ\x90\x00\x03\x00\x00\x00"), ""},                 // a Windows executable
		{"run.png", []byte("\x7fELF\x02\x01\x01\x00"), ""},                   // a Linux executable
		{"page.pdf", []byte("<!doctype html><script>alert(1)</script>"), ""}, // HTML
		{"logo.png", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), ""},
		{"form.pdf", []byte("%PDF-1.4\n1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj"), ""},
		{"宏.docx", docm, ""},
		{"空.zip", tinyZip(t, map[string]string{"a.txt": "x"}), ""},
	} {
		f, err := w.svc.Upload(w.ctx, w.commissioner, pr.ID, project.Started, tc.name, "", tc.data)
		if tc.want == "" {
			wantErr(t, err, errs.Invalid, "file")
			continue
		}
		if err != nil || f.ContentType != tc.want || f.Stage != project.Started || f.Size != int64(len(tc.data)) {
			t.Fatalf("%s: %+v %v", tc.name, f, err)
		}
	}
	big := make([]byte, project.MaxFileSize+1)
	copy(big, []byte{0xFF, 0xD8, 0xFF})
	_, err := w.svc.Upload(w.ctx, w.office, pr.ID, project.Started, "大.jpg", "", big)
	wantErr(t, err, errs.TooLarge, "file")
	okSize := big[:project.MaxFileSize]
	if _, err := w.svc.Upload(w.ctx, w.office, pr.ID, project.Started, "刚好.jpg", "", okSize); err != nil {
		t.Fatalf("10 MiB exactly: %v", err)
	}
	// Evidence only for a stage reached; names are cleaned and typed.
	_, err = w.svc.Upload(w.ctx, w.office, pr.ID, project.Producing, "投产.jpg", "", okSize[:10])
	wantErr(t, err, errs.Conflict, "stage")
	f, err := w.svc.Upload(w.ctx, w.office, pr.ID, "", `..\..\evil.exe`, "", []byte("%PDF-1.4 x"))
	if err != nil || f.Name != "evil.pdf" || f.Stage != project.Started {
		t.Fatalf("cleaned name: %+v %v", f, err)
	}
	if _, err := w.svc.Upload(w.ctx, w.cadreB, pr.ID, project.Started, "x.pdf", "", []byte("%PDF-1.4")); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("upload out of scope: %v", err)
	}
	files, err := w.svc.Files(w.ctx, w.entUser, pr.ID)
	if err != nil || len(files) != 7 {
		t.Fatalf("%d files, %v", len(files), err)
	}
	got, data, err := w.svc.OpenFile(w.ctx, w.entUser, pr.ID, files[3].ID)
	if err != nil || got.ContentType != project.TypeDOCX || !bytes.Equal(data, docx) {
		t.Fatalf("open: %+v %v", got, err)
	}
	if _, _, err := w.svc.OpenFile(w.ctx, w.cadreB, pr.ID, files[3].ID); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("open out of scope: %v", err)
	}
}
