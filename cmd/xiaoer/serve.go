package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"xiaoer/internal/app"
	"xiaoer/internal/store"
)

// dbFlag adds the --db option every command that opens the database has.
func dbFlag(fs *flag.FlagSet, e *env) *string {
	def := e.getenv("XIAOER_DB")
	if def == "" {
		def = app.DefaultDB
	}
	return fs.String("db", def, "数据库：SQLite 文件路径或 postgres:// 地址 / SQLite file or postgres:// URL (env XIAOER_DB)")
}

func newFlags(e *env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: xiaoer %s\n\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

func setupLog(e *env) {
	level := slog.LevelInfo
	switch strings.ToLower(e.getenv("XIAOER_LOG")) {
	case "debug":
		level = slog.LevelDebug
	case "warn":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	}
	slog.SetDefault(slog.New(slog.NewJSONHandler(e.stderr, &slog.HandlerOptions{Level: level})))
}

func cmdServe(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "serve", "serve [--addr 127.0.0.1:8080] [--db PATH|URL] [--demo]")
	addrDef := e.getenv("XIAOER_ADDR")
	if addrDef == "" {
		addrDef = "127.0.0.1:8080"
	}
	addr := fs.String("addr", addrDef, "监听地址 / listen address (env XIAOER_ADDR)")
	db := dbFlag(fs, e)
	demo := fs.Bool("demo", false, "演示模式：空库时载入演示园区，启用演示账号（密码 demo）/ demo mode: load the demo zone into an empty database and enable the demo accounts")
	if err := fs.Parse(args); err != nil {
		return err
	}
	setupLog(e)
	start := time.Now()
	a, err := app.Open(ctx, app.Config{DB: *db, Demo: *demo, Getenv: e.getenv})
	if err != nil {
		return err
	}
	defer a.Close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	url := "http://" + ln.Addr().String()
	slog.Info("xiaoer is serving", "url", url, "database", a.DB.Dialect.String(), "demo", *demo, "startup_ms", time.Since(start).Milliseconds())
	fmt.Fprintf(e.stdout, "店小二已启动 / xiaoer is serving at %s\n", url)
	if *demo {
		fmt.Fprintln(e.stdout, "演示账号 / demo accounts: admin security auditor leader office clerk projects cadre dept ent bank — 密码 / password: demo")
	}
	if pid := e.getenv("XIAOER_PIDFILE"); pid != "" {
		os.WriteFile(pid, []byte(fmt.Sprint(os.Getpid())), 0o644)
	}
	return a.Serve(ctx, ln)
}

func cmdMigrate(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "migrate", "migrate [--db PATH|URL]")
	db := dbFlag(fs, e)
	if err := fs.Parse(args); err != nil {
		return err
	}
	s, err := store.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer s.Close()
	done, err := s.Migrate(ctx)
	for _, m := range done {
		fmt.Fprintln(e.stdout, "applied", m)
	}
	if err != nil {
		return err
	}
	v, err := s.Version(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "数据库已是最新结构 / the database is at migration %d (%s)\n", v, s.Dialect)
	return nil
}

func cmdVersion(ctx context.Context, e *env, args []string) error {
	fmt.Fprintln(e.stdout, "xiaoer", app.Version)
	return nil
}
