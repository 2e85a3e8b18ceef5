// Package storetest opens a real, migrated database for a test: a fresh
// SQLite file by default, or a fresh schema on the PostgreSQL server named
// by XIAOER_TEST_PG. The same tests run on both; nothing is mocked.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"xiaoer/internal/store"
)

// EnvPG names the PostgreSQL database tests run against, when set.
const EnvPG = "XIAOER_TEST_PG"

// Open returns a migrated database that is removed when the test ends.
func Open(tb testing.TB) *store.DB {
	tb.Helper()
	db := OpenEmpty(tb)
	if _, err := db.Migrate(context.Background()); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	return db
}

// OpenEmpty returns an unmigrated database that is removed when the test ends.
func OpenEmpty(tb testing.TB) *store.DB {
	tb.Helper()
	dsn := DSN(tb)
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		tb.Fatalf("open %s: %v", dsn, err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// DSN returns the name of a fresh, empty database for the test: a file in
// the test's temporary folder, or a new schema on the test PostgreSQL server.
func DSN(tb testing.TB) string {
	tb.Helper()
	pg := os.Getenv(EnvPG)
	if pg == "" {
		return filepath.Join(tb.TempDir(), "xiaoer.db")
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", pg)
	if err != nil {
		tb.Fatalf("postgres: %v", err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		tb.Fatalf("postgres: create schema: %v", err)
	}
	tb.Cleanup(func() {
		a, err := sql.Open("pgx", pg)
		if err != nil {
			return
		}
		defer a.Close()
		a.Exec("DROP SCHEMA " + schema + " CASCADE")
	})
	u, err := url.Parse(pg)
	if err != nil {
		tb.Fatalf("postgres: %s is not a URL: %v", EnvPG, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// IsPG reports whether tests run against PostgreSQL.
func IsPG() bool { return os.Getenv(EnvPG) != "" }
