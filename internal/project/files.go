package project

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"path"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
	"xiaoer/internal/store"
)

// MaxFileSize is the largest evidence file accepted: 10 MiB.
const MaxFileSize = 10 << 20

// MaxFiles bounds the evidence kept for one project.
const MaxFiles = 200

// File is one evidence file of a project stage (its content is served
// separately, as an attachment).
type File struct {
	ID          int64     `json:"id,string"`
	ProjectID   int64     `json:"project_id,string"`
	Stage       Stage     `json:"stage"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	Note        string    `json:"note,omitempty"`
	UploadedBy  string    `json:"uploaded_by"`
	UploadedAt  time.Time `json:"uploaded_at"`
}

// Kinds of evidence accepted, by what their bytes are (never by their name
// or the type the browser claims).
const (
	TypeJPEG = "image/jpeg"
	TypePNG  = "image/png"
	TypePDF  = "application/pdf"
	TypeDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	TypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

var extOf = map[string]string{TypeJPEG: ".jpg", TypePNG: ".png", TypePDF: ".pdf", TypeDOCX: ".docx", TypeXLSX: ".xlsx"}

var (
	errType = errs.Invalidf("file", "只接受 JPG、PNG 图片，PDF，以及 Word（.docx）和 Excel（.xlsx）文档",
		"Only JPG and PNG images, PDF, and Word (.docx) and Excel (.xlsx) documents are accepted")
	pdfActive = regexp.MustCompile(`/(JavaScript|JS|Launch|EmbeddedFiles?)\b`)
)

// Sniff returns the content type of an evidence file from its bytes, or a
// 400: JPEG, PNG, PDF without scripts or launch actions, and Word/Excel
// documents without macros. Executables, HTML, SVG and everything else are
// refused.
func Sniff(data []byte) (string, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		return TypeJPEG, nil
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return TypePNG, nil
	case bytes.HasPrefix(data, []byte("%PDF-")):
		if pdfActive.Match(data) {
			return "", errs.Invalidf("file", "PDF 含有脚本或自动执行的动作，不予接受", "The PDF contains scripts or launch actions and is refused")
		}
		return TypePDF, nil
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return sniffOOXML(data)
	}
	return "", errType
}

// sniffOOXML tells a Word from an Excel document by its parts, and refuses
// macro-enabled ones.
func sniffOOXML(data []byte) (string, error) {
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", errType
	}
	var types, word, excel bool
	for _, f := range z.File {
		name := strings.ToLower(f.Name)
		switch {
		case name == "[content_types].xml":
			types = true
			rc, err := f.Open()
			if err != nil {
				return "", errType
			}
			b, err := io.ReadAll(io.LimitReader(rc, 1<<20))
			rc.Close()
			if err != nil {
				return "", errType
			}
			if bytes.Contains(bytes.ToLower(b), []byte("macroenabled")) {
				return "", errs.Invalidf("file", "含宏的文档不予接受", "Documents with macros are refused")
			}
		case strings.HasSuffix(name, "vbaproject.bin"):
			return "", errs.Invalidf("file", "含宏的文档不予接受", "Documents with macros are refused")
		case name == "word/document.xml":
			word = true
		case name == "xl/workbook.xml":
			excel = true
		}
	}
	switch {
	case types && word && !excel:
		return TypeDOCX, nil
	case types && excel && !word:
		return TypeXLSX, nil
	}
	return "", errType
}

// cleanName makes a safe file name for the download: no folders, no
// control characters, at most 100 characters, and the extension of the
// sniffed type.
func cleanName(name, ctype string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || strings.ContainsRune(`"<>:|?*/`, r) {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(strings.TrimSuffix(name, path.Ext(name)))
	if name == "" || name == "." {
		name = "evidence"
	}
	if utf8.RuneCountInString(name) > 100 {
		name = string([]rune(name)[:100])
	}
	return name + extOf[ctype]
}

// Upload stores an evidence file for a stage the project has reached.
func (s *Service) Upload(ctx context.Context, p *access.Principal, id int64, stage Stage, name, note string, data []byte) (File, error) {
	if len(data) > MaxFileSize {
		return File{}, errs.New(errs.TooLarge, "file", i18n.F("文件超过%d MiB的上限", "The file exceeds the limit of %d MiB", MaxFileSize>>20))
	}
	if len(data) == 0 {
		return File{}, errs.Invalidf("file", "请选择要上传的文件", "Choose a file to upload")
	}
	ctype, err := Sniff(data)
	if err != nil {
		return File{}, err
	}
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > 500 {
		return File{}, errs.Invalidf("note", "说明不能超过500字", "note must be at most 500 characters")
	}
	ctx = access.With(ctx, p)
	sum := sha256.Sum256(data)
	f := File{ProjectID: id, Name: cleanName(name, ctype), ContentType: ctype, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]),
		Note: note, UploadedBy: p.Actor()}
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		pr, err := getForWrite(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if stage == "" {
			stage = pr.Stage
		}
		if !stage.Valid() {
			return errs.Invalidf("stage", "阶段无效：%s", "Invalid stage: %s", string(stage))
		}
		if _, reached := pr.Actual[stage]; !reached {
			return errs.New(errs.Conflict, "stage", i18n.F("项目尚未到达「%s」阶段，不能上传该阶段的佐证材料", "The project has not reached “%s”; no evidence for it yet", stage.Label()))
		}
		var n int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM project_files WHERE project_id = ?", id).Scan(&n); err != nil {
			return err
		}
		if n >= MaxFiles {
			return errs.Conflictf("每个项目最多保存%d个佐证文件", "A project keeps at most %d evidence files", MaxFiles)
		}
		f.Stage, f.UploadedAt = stage, tx.Now
		f.ID, err = tx.Insert(ctx, `INSERT INTO project_files (project_id, stage, name, content_type, size, sha256, content, note, uploaded_by, uploaded_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, id, stage, f.Name, ctype, f.Size, f.SHA256, data, note, store.Null(p.UserID), tx.Now)
		if err != nil {
			return err
		}
		return audit.Append(ctx, tx, audit.Entry{Action: "project.file", Object: Entity, ObjectID: id,
			Summary: map[string]any{"file_id": f.ID, "stage": stage, "name": f.Name, "type": ctype, "size": f.Size, "sha256": f.SHA256}})
	})
	return f, err
}

const fileCols = `f.id, f.project_id, f.stage, f.name, f.content_type, f.size, f.sha256, f.note, COALESCE(u.name, ''), f.uploaded_at`

func scanFile(sc interface{ Scan(...any) error }) (File, error) {
	var f File
	err := sc.Scan(&f.ID, &f.ProjectID, &f.Stage, &f.Name, &f.ContentType, &f.Size, &f.SHA256, &f.Note, &f.UploadedBy, &f.UploadedAt)
	return f, err
}

// Files lists the evidence of a project p may see, by stage.
func (s *Service) Files(ctx context.Context, p *access.Principal, id int64) ([]File, error) {
	if _, err := s.Get(ctx, p, id); err != nil {
		return nil, err
	}
	rows, err := s.DB.Read().Query(ctx, "SELECT "+fileCols+` FROM project_files f LEFT JOIN users u ON u.id = f.uploaded_by
		WHERE f.project_id = ? ORDER BY f.id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []File{}
	for rows.Next() {
		f, err := scanFile(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// OpenFile returns one evidence file and its content, if p may see the
// project.
func (s *Service) OpenFile(ctx context.Context, p *access.Principal, id, fileID int64) (File, []byte, error) {
	if _, err := s.Get(ctx, p, id); err != nil {
		return File{}, nil, err
	}
	var content []byte
	row := s.DB.Read().QueryRow(ctx, "SELECT "+fileCols+`, f.content FROM project_files f LEFT JOIN users u ON u.id = f.uploaded_by
		WHERE f.id = ? AND f.project_id = ?`, fileID, id)
	var f File
	err := row.Scan(&f.ID, &f.ProjectID, &f.Stage, &f.Name, &f.ContentType, &f.Size, &f.SHA256, &f.Note, &f.UploadedBy, &f.UploadedAt, &content)
	return f, content, err
}
