package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"xiaoer/internal/app"
	"xiaoer/internal/enterprise"
	"xiaoer/internal/store/storetest"
)

// TestGenAndImportEnterprises generates enterprises into the demo zone and
// imports a file with a good and a bad row from the command line.
func TestGenAndImportEnterprises(t *testing.T) {
	db := storetest.DSN(t)
	// One key for the demo load and the commands: phones are sealed with it.
	getenv := func(k string) string {
		if k == "XIAOER_KEY" {
			return strings.Repeat("5a", 32)
		}
		return ""
	}
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DB: db, Demo: true, DataDir: t.TempDir(), Getenv: getenv})
	if err != nil {
		t.Fatal(err)
	}
	a.Close()

	var out, bar bytes.Buffer
	if err := run(ctx, []string{"gen", "enterprises", "1200", "--db", db, "--seed", "5"}, getenv, &out, &bar); err != nil {
		t.Fatalf("gen: %v", err)
	}
	if !strings.Contains(out.String(), "generated 1200 enterprises") || !strings.Contains(bar.String(), "100%") {
		t.Fatalf("gen said %q, bar %q", out.String(), bar.String())
	}
	// A second run continues the serial numbers instead of repeating codes.
	if err := run(ctx, []string{"gen", "enterprises", "10", "--db", db, "--seed", "5"}, getenv, &out, &bar); err != nil {
		t.Fatalf("gen again: %v", err)
	}

	file := filepath.Join(t.TempDir(), "企业.csv")
	good, bad := enterprise.GenUSCC("420281", 9_000_001), enterprise.GenUSCC("420281", 9_000_002)
	bad = bad[:17] + map[bool]string{true: "1", false: "0"}[bad[17] == '0'] // a wrong check character
	csv := "统一社会信用代码,企业名称,所属组织,联系电话\n" +
		good + ",湖北命令行科技有限公司,罗家桥街道,13900001111\n" +
		bad + ",湖北错码科技有限公司,罗家桥街道,\n"
	if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	bar.Reset()
	err = run(ctx, []string{"import", "enterprises", file, "--db", db}, getenv, &out, &bar)
	if err == nil || !strings.Contains(err.Error(), "1 rows were refused") {
		t.Fatalf("import: %v", err)
	}
	if !strings.Contains(out.String(), "created 1,") || !strings.Contains(out.String(), "row 3") || !strings.Contains(out.String(), "校验码错误") ||
		!strings.Contains(bar.String(), "100%") {
		t.Fatalf("import said %q, bar %q", out.String(), bar.String())
	}
	if err := run(ctx, []string{"import", "things", file}, getenv, &out, &bar); err == nil {
		t.Fatal("import of things succeeded")
	}
}
