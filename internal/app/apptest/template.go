package apptest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"xiaoer/internal/app"
	"xiaoer/internal/store/storetest"
)

// The demo zone takes a second or more to build (many more on PostgreSQL),
// and nearly every whole-app test starts from it. It is built once per
// test process into a template — a SQLite file, or a PostgreSQL template
// database — and each test gets a copy of it, so that every test still has
// a database of its own.
var tmpl struct {
	once   sync.Once
	err    error
	file   string // SQLite: the template file
	pgName string // PostgreSQL: the template database
	key    string // the personal-data key its records are sealed with
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// withDatabase returns the PostgreSQL URL u naming database name instead.
func withDatabase(u, name string) (string, error) {
	p, err := url.Parse(u)
	if err != nil {
		return "", err
	}
	p.Path = "/" + name
	return p.String(), nil
}

// templateEnv gives every copy of the template the key it was sealed with.
func templateEnv(k string) string {
	if k == "XIAOER_KEY" {
		return tmpl.key
	}
	return ""
}

func buildTemplate() {
	tmpl.key = randomHex(32)
	clock := time.Now
	open := func(dsn, dir string) error {
		a, err := app.Open(context.Background(), app.Config{DB: dsn, DataDir: dir, Demo: true, Getenv: templateEnv, Now: clock})
		if err != nil {
			return err
		}
		return a.Close()
	}
	dir, err := os.MkdirTemp("", "xiaoer-demo-")
	if err != nil {
		tmpl.err = err
		return
	}
	if pg := os.Getenv(storetest.EnvPG); pg != "" {
		name := "xiaoer_demo_" + randomHex(6)
		admin, err := sql.Open("pgx", pg)
		if err != nil {
			tmpl.err = err
			return
		}
		defer admin.Close()
		if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
			tmpl.err = fmt.Errorf("create the demo template database (the test role needs CREATEDB): %w", err)
			return
		}
		tmpl.pgName = name
		dsn, err := withDatabase(pg, name)
		if err == nil {
			err = open(dsn, dir)
		}
		tmpl.err = err
		return
	}
	tmpl.file = filepath.Join(dir, "demo.db")
	tmpl.err = open(tmpl.file, dir)
}

// demoDSN returns a fresh copy of the demo template for the test.
func demoDSN(t testing.TB) string {
	t.Helper()
	tmpl.once.Do(buildTemplate)
	if tmpl.err != nil {
		t.Fatalf("build the demo template: %v", tmpl.err)
	}
	if tmpl.pgName != "" {
		pg := os.Getenv(storetest.EnvPG)
		name := "xiaoer_t_" + randomHex(6)
		admin, err := sql.Open("pgx", pg)
		if err != nil {
			t.Fatal(err)
		}
		defer admin.Close()
		if _, err := admin.Exec("CREATE DATABASE " + name + " TEMPLATE " + tmpl.pgName); err != nil {
			t.Fatalf("copy the demo template: %v", err)
		}
		t.Cleanup(func() {
			if a, err := sql.Open("pgx", pg); err == nil {
				a.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
				a.Close()
			}
		})
		dsn, err := withDatabase(pg, name)
		if err != nil {
			t.Fatal(err)
		}
		return dsn
	}
	path := filepath.Join(t.TempDir(), "xiaoer.db")
	if err := copyFile(tmpl.file, path); err != nil {
		t.Fatal(err)
	}
	return path
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// Cleanup removes the demo template; a package's TestMain calls it after
// its tests have run.
func Cleanup() {
	if tmpl.file != "" {
		os.RemoveAll(filepath.Dir(tmpl.file))
	}
	if tmpl.pgName != "" {
		if a, err := sql.Open("pgx", os.Getenv(storetest.EnvPG)); err == nil {
			a.Exec("DROP DATABASE IF EXISTS " + tmpl.pgName + " WITH (FORCE)")
			a.Close()
		}
	}
}
