package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"xiaoer/internal/access"
	"xiaoer/internal/enterprise"
	"xiaoer/internal/i18n"
)

// parseWithFile parses flags that may come before or after the one
// positional argument.
func parseWithFile(fs interface {
	Parse([]string) error
	NArg() int
	Arg(int) string
	Args() []string
}, args []string) (string, error) {
	if err := fs.Parse(args); err != nil {
		return "", err
	}
	if fs.NArg() == 0 {
		return "", errors.New("name the file")
	}
	file, rest := fs.Arg(0), fs.Args()[1:]
	if err := fs.Parse(rest); err != nil {
		return "", err
	}
	if fs.NArg() > 0 {
		return "", fmt.Errorf("unexpected %q", fs.Arg(0))
	}
	return file, nil
}

func cmdImport(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "enterprises" {
		fmt.Fprintln(e.stderr, "usage: xiaoer import enterprises FILE.xlsx|FILE.csv [--db PATH|URL]")
		return errors.New("what to import: enterprises")
	}
	fs := newFlags(e, "import enterprises", "import enterprises FILE.xlsx|FILE.csv [--db PATH|URL]")
	db := dbFlag(fs, e)
	name, err := parseWithFile(fs, args[1:])
	if err != nil {
		fs.Usage()
		return err
	}
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	lang := i18n.ZH
	if strings.HasPrefix(e.getenv("LANG"), "en") {
		lang = i18n.EN
	}
	// A CSV file does not say how many rows it has: count its lines first.
	lines := 0
	if strings.EqualFold(filepath.Ext(name), ".csv") {
		if lines, err = countLines(f); err != nil {
			return err
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return err
		}
	}
	a, ctx, err := openApp(ctx, e, *db)
	if err != nil {
		return err
	}
	defer a.Close()
	ctx = i18n.With(ctx, lang)
	bar := newProgress(e.stderr, "导入 / importing", "行 / rows")
	res, err := a.Enterprises.Import(ctx, access.From(ctx), enterprise.ImportFile{Name: name, Body: f}, func(done, total int) {
		if total == 0 {
			total = lines
		}
		bar.update(done, total)
	})
	bar.finish()
	if err != nil {
		return explain(err)
	}
	fmt.Fprintf(e.stdout, "新增 / created %d, 更新 / updated %d, 无变化 / unchanged %d, 有错误 / refused %d\n",
		res.Created, res.Updated, res.Unchanged, res.Invalid)
	for _, x := range res.Errors {
		col := x.Column
		if col == "" {
			col = x.Field
		}
		fmt.Fprintf(e.stdout, "  第%d行 / row %d  %s: %s\n", x.Row, x.Row, col, x.Message)
	}
	if res.Invalid > len(res.Errors) {
		fmt.Fprintf(e.stdout, "  … %d more\n", res.Invalid-len(res.Errors))
	}
	if res.Invalid > 0 {
		return fmt.Errorf("%d 行未导入 / %d rows were refused", res.Invalid, res.Invalid)
	}
	return nil
}

func countLines(r io.Reader) (int, error) {
	buf := make([]byte, 1<<20)
	n := 0
	for {
		k, err := r.Read(buf)
		n += bytes.Count(buf[:k], []byte{'\n'})
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}
