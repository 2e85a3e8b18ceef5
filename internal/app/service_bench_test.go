package app_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"sync/atomic"
	"testing"

	"xiaoer/internal/app/apptest"
)

// BenchmarkCaseSubmissions receives cases over HTTP from 64 clients at once,
// as windows do: each request receives and accepts a case (number, case
// row, events, audit records, rollups) and is answered only after its
// transaction has committed. Run it on SQLite, and on PostgreSQL with
// XIAOER_TEST_PG set:
//
//	go test -run '^$' -bench CaseSubmissions -benchtime 20000x ./internal/app/
func BenchmarkCaseSubmissions(b *testing.B) {
	a := apptest.Start(b)
	clerk := a.As("clerk")
	var m me
	clerk.Get("/api/v1/me").JSON(&m)
	var l struct {
		Items []struct {
			MatterID string `json:"matter_id"`
		} `json:"items"`
	}
	clerk.Get("/api/v1/sites/" + m.User.SiteID + "/matters?mode=local&kind=promised&limit=1").JSON(&l)
	if len(l.Items) == 0 {
		b.Fatal("no matter")
	}
	applicant := map[string]string{"name": "王小二", "id_number": "11010519491231002X", "phone": "13900001111"}
	// A window receiving and accepting in one sitting, and a plain reception
	// (an application waiting for the window).
	accept, _ := json.Marshal(map[string]any{"matter_id": l.Items[0].MatterID, "channel": "window", "applicant": applicant,
		"then": map[string]string{"action": "accept"}})
	receive, _ := json.Marshal(map[string]any{"matter_id": l.Items[0].MatterID, "channel": "window", "applicant": applicant})
	b.Run("accept", func(b *testing.B) { submit(b, a, clerk.Token, accept) })
	b.Run("receive", func(b *testing.B) { submit(b, a, clerk.Token, receive) })
}

// submit posts body from 64 clients at once, b.N times in all, and checks
// that every acknowledged case was committed.
func submit(b *testing.B, a *apptest.App, token string, body []byte) {
	var before int64
	a.DB.Read().QueryRow(b.Context(), "SELECT COUNT(*) FROM cases").Scan(&before)
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: 128, MaxIdleConnsPerHost: 128}}
	var ok, failed atomic.Int64
	b.SetParallelism(32) // 32 × GOMAXPROCS(2) = 64 clients on this machine
	cpu0 := processCPU()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("POST", a.URL+"/api/v1/cases", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			res, err := client.Do(req)
			if err != nil {
				failed.Add(1)
				continue
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusCreated {
				ok.Add(1)
			} else {
				failed.Add(1)
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(ok.Load())/b.Elapsed().Seconds(), "cases/s")
	// The CPU time per case (server and clients together) tells what the
	// machine could do when other work leaves it less than its cores.
	if cpu := processCPU() - cpu0; cpu > 0 {
		b.ReportMetric(float64(cpu.Microseconds())/float64(ok.Load()), "cpu-µs/case")
	}
	b.ReportMetric(float64(failed.Load()), "errors")
	var after int64
	a.DB.Read().QueryRow(b.Context(), "SELECT COUNT(*) FROM cases").Scan(&after)
	if after-before != ok.Load() || failed.Load() != 0 {
		b.Fatalf("%d acknowledged, %d committed, %d failed", ok.Load(), after-before, failed.Load())
	}
}
