// Package app assembles xiaoer: it opens the database, builds every module's
// service, joins the modules' route tables into the one table the server
// runs, and serves it.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"xiaoer/internal/audit"
	"xiaoer/internal/auth"
	"xiaoer/internal/calendar"
	"xiaoer/internal/civil"
	"xiaoer/internal/enterprise"
	"xiaoer/internal/i18n"
	"xiaoer/internal/jobs"
	"xiaoer/internal/org"
	"xiaoer/internal/pii"
	"xiaoer/internal/platform"
	"xiaoer/internal/stats"
	"xiaoer/internal/store"
	"xiaoer/internal/web"
)

// Version is set at build time.
var Version = "dev"

// Config is what the commands pass in.
type Config struct {
	DB      string // SQLite file or postgres:// URL
	DataDir string // where the key file lives (XIAOER_DATA; default: beside the SQLite file, or ./xiaoer-data)
	Demo    bool   // demo mode: load the demo zone if empty, enable demo accounts
	Getenv  func(string) string
	Now     func() time.Time // tests
}

// DefaultDB is the database used when none is named.
const DefaultDB = "xiaoer-data/xiaoer.db"

// App is a running xiaoer.
type App struct {
	Config
	DB       *store.DB
	Cipher   *pii.Cipher
	Calendar *calendar.Service
	Auth     *auth.Service
	Orgs     *org.Service
	UI       *web.UI
	Server   *web.Server
	Jobs     *jobs.Runner

	Enterprises *enterprise.Service
	Stats       *stats.Service

	deps    *platform.Deps
	modules []platform.Module
}

// Open opens and migrates the database and builds every service and the
// HTTP server, loading the demo zone first if asked.
func Open(ctx context.Context, cfg Config) (*App, error) {
	if cfg.Getenv == nil {
		cfg.Getenv = os.Getenv
	}
	if cfg.DB == "" {
		cfg.DB = DefaultDB
	}
	if cfg.DataDir == "" {
		cfg.DataDir = cfg.Getenv("XIAOER_DATA")
	}
	if cfg.DataDir == "" {
		if store.IsPostgres(cfg.DB) {
			cfg.DataDir = "xiaoer-data"
		} else {
			cfg.DataDir = filepath.Dir(cfg.DB)
		}
	}
	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	if cfg.Now != nil {
		db.SetClock(cfg.Now)
	}
	a := &App{Config: cfg, DB: db}
	if err := a.build(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return a, nil
}

func (a *App) build(ctx context.Context) error {
	before, err := a.DB.Version(ctx)
	if err != nil {
		return err
	}
	if _, err := a.DB.Migrate(ctx); err != nil {
		return err
	}
	key, err := pii.LoadKey(a.Getenv, a.DataDir)
	if err != nil {
		return err
	}
	if a.Cipher, err = pii.NewCipher(key); err != nil {
		return err
	}
	a.Calendar = &calendar.Service{DB: a.DB, Cal: calendar.New()}
	if err := a.Calendar.Load(ctx); err != nil {
		return err
	}
	a.Orgs = &org.Service{DB: a.DB}
	if a.Auth, err = auth.NewService(ctx, a.DB, a.Cipher); err != nil {
		return err
	}
	a.Auth.DemoMode = a.Demo
	a.Jobs = &jobs.Runner{DB: a.DB}
	a.UI = web.NewUI(i18n.T("大冶湖高新技术产业开发区", "Dayehu High-tech Zone"))
	a.UI.Demo = a.Demo
	a.deps = &platform.Deps{DB: a.DB, Cipher: a.Cipher, Calendar: a.Calendar, Auth: a.Auth, Orgs: a.Orgs, UI: a.UI, Demo: a.Demo}
	a.modules = a.buildModules(a.deps)

	if a.Demo {
		if err := loadDemo(ctx, a); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	zone := ""
	if name, err := a.zoneName(ctx); err == nil && name != "" {
		a.UI.Zone = i18n.T(name, name)
		zone = name
	}
	a.Stats = &stats.Service{DB: a.DB, Modules: a.modules, Zone: zone}
	if _, err := a.Stats.RebuildIfStale(ctx, before == 0); err != nil {
		return fmt.Errorf("rollups: %w", err)
	}
	if err := a.DB.Optimize(ctx); err != nil {
		return fmt.Errorf("optimize: %w", err)
	}
	a.Jobs.Add(jobs.Job{Name: "store.optimize", Every: 24 * time.Hour, Run: a.DB.Optimize})
	routes := a.routes()
	if err := a.UI.Parse(); err != nil {
		return err
	}
	a.Server, err = web.NewServer(routes, a.Auth.Authenticate, a.UI)
	if err != nil {
		return err
	}
	a.Server.Metrics.AddCollector(a.collectMetrics)
	return nil
}

// zoneName is the name of the root of the org tree, shown in the header.
func (a *App) zoneName(ctx context.Context) (string, error) {
	var name string
	err := a.DB.Read().QueryRow(ctx, "SELECT name FROM orgs WHERE kind = 'zone' ORDER BY id LIMIT 1").Scan(&name)
	return name, err
}

// Routes returns the one route table.
func (a *App) Routes() []web.Route { return a.Server.Routes() }

// routes joins the modules' tables, registering their pages and links.
func (a *App) routes() []web.Route {
	authH := &auth.Handler{Svc: a.Auth, Orgs: a.Orgs, UI: a.UI}
	orgH := &org.Handler{Svc: a.Orgs, UI: a.UI}
	auditH := &audit.Handler{DB: a.DB, UI: a.UI}
	calH := &calendar.Handler{Svc: a.Calendar, UI: a.UI}
	statsH := &stats.Handler{Svc: a.Stats, UI: a.UI, DefaultPeriod: a.defaultPeriod}
	a.UI.AddTemplates(templatesFS())
	a.UI.AddTemplates(auth.Templates())
	a.UI.AddTemplates(org.Templates())
	a.UI.AddTemplates(audit.Templates())
	a.UI.AddTemplates(calendar.Templates())
	a.UI.AddTemplates(stats.Templates())
	a.UI.AddNav(auth.Nav()...)
	a.UI.AddNav(org.Nav()...)
	a.UI.AddNav(audit.Nav()...)
	a.UI.AddNav(calendar.Nav()...)
	a.UI.AddNav(stats.Nav()...)

	var rs []web.Route
	rs = append(rs, a.platformRoutes()...)
	rs = append(rs, authH.Routes()...)
	rs = append(rs, orgH.Routes()...)
	rs = append(rs, auditH.Routes()...)
	rs = append(rs, calH.Routes()...)
	rs = append(rs, statsH.Routes()...)
	for _, m := range a.modules {
		rs = append(rs, m.Routes...)
		a.UI.AddNav(m.Nav...)
		if m.Templates != nil {
			a.UI.AddTemplates(m.Templates)
		}
		for _, j := range m.Jobs {
			a.Jobs.Add(j)
		}
	}
	return rs
}

// defaultPeriod is the period the dashboard opens on: the current year, or
// in the demo the first half of 2023 that the seed article reports on.
func (a *App) defaultPeriod() (civil.Date, civil.Date) {
	if a.Demo {
		return civil.MustParse("2023-01-01"), civil.MustParse("2023-06-30")
	}
	y := civil.Of(a.DB.Now()).Year
	return civil.New(y, 1, 1), civil.New(y, 12, 31)
}

// Serve serves HTTP on ln until ctx ends, then shuts down gracefully,
// letting requests in flight finish (and commit) first.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           a.Server,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    1 << 20,
		ErrorLog:          slog.NewLogLogger(slog.Default().Handler(), slog.LevelWarn),
	}
	jobCtx, stopJobs := context.WithCancel(ctx)
	defer stopJobs()
	a.Jobs.Start(jobCtx)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	stopJobs()
	shut, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := srv.Shutdown(shut)
	a.Jobs.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// Close closes the database.
func (a *App) Close() error { return a.DB.Close() }
