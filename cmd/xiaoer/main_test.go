package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"xiaoer/internal/store/storetest"
)

// syncBuffer is a buffer the server goroutine writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func noenv(string) string { return "" }

// envFor gives a command its own data folder, so that a PostgreSQL run
// does not leave a key file in the working directory.
func envFor(t *testing.T) func(string) string {
	dir := t.TempDir()
	return func(k string) string {
		if k == "XIAOER_DATA" {
			return dir
		}
		return ""
	}
}

// TestServeDemo runs the README's command: serve the demo, sign in, stop.
func TestServeDemo(t *testing.T) {
	db := storetest.DSN(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--demo", "--addr", "127.0.0.1:0", "--db", db}, envFor(t), &out, io.Discard)
	}()
	url := ""
	re := regexp.MustCompile(`http://127\.0\.0\.1:\d+`)
	for deadline := time.Now().Add(20 * time.Second); url == "" && time.Now().Before(deadline); {
		url = re.FindString(out.String())
		time.Sleep(20 * time.Millisecond)
	}
	if url == "" {
		t.Fatalf("the server did not start: %q", out.String())
	}
	res, err := http.Post(url+"/api/v1/session", "application/json", strings.NewReader(`{"username":"admin","password":"demo"}`))
	if err != nil {
		t.Fatal(err)
	}
	var s struct{ Token string }
	json.NewDecoder(res.Body).Decode(&s)
	res.Body.Close()
	if res.StatusCode != 200 || s.Token == "" {
		t.Fatalf("login: %d", res.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
}

func sqliteOnly(t *testing.T) string {
	if storetest.IsPG() {
		t.Skip("checks the SQLite file by hand")
	}
	return filepath.Join(t.TempDir(), "x.db")
}

func withStdin(s string) *env {
	return &env{getenv: noenv, stdout: io.Discard, stderr: io.Discard, in: strings.NewReader(s)}
}

// demoFile builds the demo zone in a SQLite file by serving it, and stops
// the server.
func demoFile(t *testing.T) string {
	t.Helper()
	path := sqliteOnly(t)
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--demo", "--addr", "127.0.0.1:0", "--db", path}, noenv, &out, io.Discard)
	}()
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(out.String(), "http://") && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-done
	return path
}

func TestAuditVerifyNamesTheAlteredRecord(t *testing.T) {
	path := demoFile(t)
	var stdout bytes.Buffer
	if err := run(context.Background(), []string{"audit", "verify", "--db", path}, noenv, &stdout, io.Discard); err != nil {
		t.Fatalf("untouched database: %v\n%s", err, stdout.String())
	}
	if !strings.Contains(stdout.String(), "whole") {
		t.Fatalf("verify said %q", stdout.String())
	}

	// Someone with the file drops the guard and edits record 5 by hand.
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"DROP TRIGGER audit_log_no_update", "UPDATE audit_log SET username = 'someone' WHERE seq = 5"} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()
	stdout.Reset()
	err = run(context.Background(), []string{"audit", "verify", "--db", path}, noenv, &stdout, io.Discard)
	if err == nil || !strings.Contains(stdout.String(), "record 5") {
		t.Fatalf("tampered database: err %v, output %q", err, stdout.String())
	}
}

// TestRollupsVerifyTheModulesNamed checks only the modules named, and
// refuses a name that keeps no rollups.
func TestRollupsVerifyTheModulesNamed(t *testing.T) {
	path := demoFile(t)
	var stdout bytes.Buffer
	if err := run(context.Background(), []string{"rollups", "verify", "--db", path, "enterprise", "labor"}, noenv, &stdout, io.Discard); err != nil {
		t.Fatalf("verify: %v\n%s", err, stdout.String())
	}
	var checked []string
	for _, line := range strings.Split(stdout.String(), "\n") {
		if strings.Contains(line, " rows ") {
			checked = append(checked, strings.Fields(line)[0])
			if !strings.Contains(line, "matches") {
				t.Errorf("the demo's rollups differ: %s", line)
			}
		}
	}
	if strings.Join(checked, " ") != "enterprise labor" {
		t.Fatalf("checked %v, want enterprise and labor:\n%s", checked, stdout.String())
	}
	err := run(context.Background(), []string{"rollups", "verify", "--db", path, "nosuch"}, noenv, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), `"nosuch"`) || !strings.Contains(err.Error(), "service") {
		t.Fatalf("an unknown module: %v", err)
	}
}

func TestUserCommandsAndBackup(t *testing.T) {
	path := sqliteOnly(t)
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--demo", "--addr", "127.0.0.1:0", "--db", path}, noenv, &out, io.Discard)
	}()
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(out.String(), "http://") && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-done

	bg := context.Background()
	if err := cmdUser(bg, withStdin("Weak\n"), []string{"add", "--db", path, "--username", "ops", "--name", "运维", "--org", "1", "--role", "sysadmin"}); err == nil || !strings.Contains(err.Error(), "密码") {
		t.Fatalf("weak password: %v", err)
	}
	if err := cmdUser(bg, withStdin("Dayehu#2023xy\n"), []string{"add", "--db", path, "--username", "ops", "--name", "运维", "--org", "1", "--role", "sysadmin"}); err != nil {
		t.Fatalf("user add: %v", err)
	}
	for _, args := range [][]string{{"lock", "--db", path, "ops"}, {"unlock", "--db", path, "ops"}} {
		if err := cmdUser(bg, withStdin(""), args); err != nil {
			t.Fatalf("user %v: %v", args, err)
		}
	}
	if err := cmdUser(bg, withStdin("Dayehu#2024xy\n"), []string{"passwd", "--db", path, "ops"}); err != nil {
		t.Fatalf("passwd: %v", err)
	}
	var list bytes.Buffer
	if err := run(bg, []string{"user", "list", "--db", path}, noenv, &list, io.Discard); err != nil || !strings.Contains(list.String(), "ops") {
		t.Fatalf("list: %v %s", err, list.String())
	}

	backup := filepath.Join(t.TempDir(), "backup.db")
	if err := run(bg, []string{"backup", "--db", path, backup}, noenv, io.Discard, io.Discard); err != nil {
		t.Fatalf("backup: %v", err)
	}
	var verify bytes.Buffer
	if err := run(bg, []string{"audit", "verify", "--db", backup}, noenv, &verify, io.Discard); err != nil {
		t.Fatalf("the backup does not verify: %v %s", err, verify.String())
	}
	if err := run(bg, []string{"backup", "--db", path, backup}, noenv, io.Discard, io.Discard); err == nil {
		t.Fatal("backup overwrote an existing file")
	}
}

func TestHelp(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), nil, noenv, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(&out)
	n := 0
	for sc.Scan() {
		for _, c := range commands() {
			if strings.HasPrefix(strings.TrimSpace(sc.Text()), c.name+" ") {
				n++
			}
		}
	}
	if n != len(commands()) {
		t.Fatalf("help lists %d of %d commands", n, len(commands()))
	}
	if err := run(context.Background(), []string{"fly"}, noenv, io.Discard, io.Discard); err == nil {
		t.Fatal("an unknown command succeeded")
	}
}
