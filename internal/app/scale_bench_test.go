package app_test

import (
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"xiaoer/internal/access"
	"xiaoer/internal/app"
	"xiaoer/internal/auth"
	"xiaoer/internal/civil"
)

// openScale opens the database named by XIAOER_BENCH_DB — one built with
// xiaoer gen — or skips: these benchmarks measure province-scale data.
func openScale(b *testing.B) *app.App {
	dsn := os.Getenv("XIAOER_BENCH_DB")
	if dsn == "" {
		b.Skip("set XIAOER_BENCH_DB to a database built with xiaoer gen")
	}
	a, err := app.Open(context.Background(), app.Config{DB: dsn, Getenv: os.Getenv})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { a.Close() })
	return a
}

// randomPeriod is a period of one day to two years in 2020–2026.
func randomPeriod(r *rand.Rand) (civil.Date, civil.Date) {
	from := civil.MustParse("2020-01-01").AddDays(r.IntN(6 * 365))
	return from, from.AddDays(r.IntN(730))
}

func reportLatencies(b *testing.B, d []time.Duration) {
	slices.Sort(d)
	ms := func(q float64) float64 { return float64(d[int(q*float64(len(d)-1))].Microseconds()) / 1000 }
	b.ReportMetric(ms(0.5), "p50-ms")
	b.ReportMetric(ms(0.99), "p99-ms")
	b.ReportMetric(ms(1), "max-ms")
}

// BenchmarkScaleSummary: the period summary for random periods, as the
// zone's leader sees it.
func BenchmarkScaleSummary(b *testing.B) {
	a := openScale(b)
	p := zoneLeader(b, a)
	r := rand.New(rand.NewPCG(1, 2))
	ctx := context.Background()
	var lat []time.Duration
	b.ResetTimer()
	for b.Loop() {
		from, to := randomPeriod(r)
		start := time.Now()
		if _, err := a.Stats.Summary(ctx, p, from, to); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	reportLatencies(b, lat)
}

// BenchmarkScaleDashboard renders the dashboard page (summary, the previous
// period, six trends, rankings and warnings) for random periods.
func BenchmarkScaleDashboard(b *testing.B) {
	a := openScale(b)
	p := zoneLeader(b, a)
	r := rand.New(rand.NewPCG(3, 4))
	srv := httptest.NewServer(a.Server)
	defer srv.Close()
	tok := token(b, a, p)
	var lat []time.Duration
	b.ResetTimer()
	for b.Loop() {
		from, to := randomPeriod(r)
		req, _ := http.NewRequest("GET", srv.URL+"/dashboard?"+url.Values{"from": {from.String()}, "to": {to.String()}}.Encode(), nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		start := time.Now()
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			b.Fatalf("dashboard: %d", res.StatusCode)
		}
		lat = append(lat, time.Since(start))
	}
	reportLatencies(b, lat)
}

// zoneLeader is a principal reading the whole zone.
func zoneLeader(b *testing.B, a *app.App) *access.Principal {
	var path string
	var id int64
	if err := a.DB.Read().QueryRow(context.Background(), "SELECT id, path FROM orgs WHERE kind = 'zone' ORDER BY id LIMIT 1").Scan(&id, &path); err != nil {
		b.Fatal(err)
	}
	return &access.Principal{Username: "bench", Roles: []access.Role{access.Leader}, OrgID: id, OrgPath: path}
}

// token issues an API token for an account with p's roles and org, made
// for the benchmark.
func token(b *testing.B, a *app.App, p *access.Principal) string {
	ctx := access.With(context.Background(), access.SystemPrincipal("bench"))
	name := "bench" + strings.ReplaceAll(time.Now().Format("150405.000"), ".", "")
	u, err := a.Auth.Create(ctx, auth.NewUser{Username: name, Name: "压测领导", OrgID: p.OrgID, Roles: p.Roles, Password: "Bench#2026xyz!"})
	if err != nil {
		b.Fatal(err)
	}
	t, err := a.Auth.CreateToken(ctx, u.ID, auth.NewToken{Name: "benchmark"})
	if err != nil {
		b.Fatal(err)
	}
	return t.Token
}

// BenchmarkScaleEnterprisePages: 200 users at once browse the enterprise
// registry over HTTP — searches by name start, a street's list, the first
// page, and enterprises' detail pages — as a zone's service office does.
// Run on a database made with xiaoer gen --enterprises 1000000.
func BenchmarkScaleEnterprisePages(b *testing.B) {
	a := openScale(b)
	ctx := context.Background()
	p := zoneLeader(b, a)
	p.Roles = []access.Role{access.ServiceOffice}
	var ids []int64
	var names []string
	rows, err := a.DB.Read().Query(ctx, "SELECT id, name FROM enterprises ORDER BY id LIMIT 2000")
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			b.Fatal(err)
		}
		ids, names = append(ids, id), append(names, name)
	}
	rows.Close()
	var last int64
	if err := a.DB.Read().QueryRow(ctx, "SELECT MAX(id) FROM enterprises").Scan(&last); err != nil || len(ids) == 0 {
		b.Fatalf("no enterprises: %v", err)
	}
	var streets []int64
	srows, err := a.DB.Read().Query(ctx, "SELECT id FROM orgs WHERE kind = 'street'")
	if err != nil {
		b.Fatal(err)
	}
	for srows.Next() {
		var id int64
		srows.Scan(&id)
		streets = append(streets, id)
	}
	srows.Close()
	srv := httptest.NewServer(a.Server)
	defer srv.Close()
	tok := token(b, a, p)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	const users = 200
	b.SetParallelism((users + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	var mu sync.Mutex
	var lat []time.Duration
	var seed atomic.Uint64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		r := rand.New(rand.NewPCG(seed.Add(1), 9))
		var mine []time.Duration
		for pb.Next() {
			var path string
			switch k := r.IntN(10); {
			case k < 4:
				name := []rune(names[r.IntN(len(names))])
				path = "/enterprises?" + url.Values{"q": {string(name[:min(len(name), 2+r.IntN(3))])}}.Encode()
			case k < 5 && len(streets) > 0:
				path = "/enterprises?org_id=" + strconv.FormatInt(streets[r.IntN(len(streets))], 10)
			case k < 6:
				path = "/enterprises"
			default:
				path = "/enterprises/" + strconv.FormatInt(1+r.Int64N(last), 10)
			}
			req, _ := http.NewRequest("GET", srv.URL+path, nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			start := time.Now()
			res, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != 200 && res.StatusCode != 404 {
				b.Errorf("%s: %d", path, res.StatusCode)
				return
			}
			mine = append(mine, time.Since(start))
		}
		mu.Lock()
		lat = append(lat, mine...)
		mu.Unlock()
	})
	reportLatencies(b, lat)
}
