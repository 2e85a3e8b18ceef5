package web

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"
)

// Metrics counts requests for the Prometheus text format at /metrics.
type Metrics struct {
	mu         sync.Mutex
	series     map[string]*series
	collectors []func(w io.Writer)
}

var buckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}

type series struct {
	byCode map[int]uint64
	counts []uint64 // per bucket, cumulative at render time
	sum    float64
	n      uint64
}

// NewMetrics returns an empty registry.
func NewMetrics() *Metrics { return &Metrics{series: map[string]*series{}} }

// AddCollector adds a function that writes further metrics (database pools,
// business gauges) in the text format.
func (m *Metrics) AddCollector(f func(w io.Writer)) {
	m.mu.Lock()
	m.collectors = append(m.collectors, f)
	m.mu.Unlock()
}

func (m *Metrics) observe(route string, code int, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.series[route]
	if s == nil {
		s = &series{byCode: map[int]uint64{}, counts: make([]uint64, len(buckets))}
		m.series[route] = s
	}
	s.byCode[code]++
	sec := d.Seconds()
	for i, b := range buckets {
		if sec <= b {
			s.counts[i]++
			break
		}
	}
	s.sum += sec
	s.n++
}

// ServeHTTP writes every metric.
func (m *Metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	m.mu.Lock()
	routes := make([]string, 0, len(m.series))
	for k := range m.series {
		routes = append(routes, k)
	}
	sort.Strings(routes)
	fmt.Fprintln(w, "# HELP xiaoer_http_requests_total HTTP requests by route pattern and status code.")
	fmt.Fprintln(w, "# TYPE xiaoer_http_requests_total counter")
	for _, rt := range routes {
		s := m.series[rt]
		codes := make([]int, 0, len(s.byCode))
		for c := range s.byCode {
			codes = append(codes, c)
		}
		sort.Ints(codes)
		for _, c := range codes {
			fmt.Fprintf(w, "xiaoer_http_requests_total{route=%q,code=\"%d\"} %d\n", rt, c, s.byCode[c])
		}
	}
	fmt.Fprintln(w, "# HELP xiaoer_http_request_duration_seconds Time to answer HTTP requests.")
	fmt.Fprintln(w, "# TYPE xiaoer_http_request_duration_seconds histogram")
	for _, rt := range routes {
		s := m.series[rt]
		var cum uint64
		for i, b := range buckets {
			cum += s.counts[i]
			fmt.Fprintf(w, "xiaoer_http_request_duration_seconds_bucket{route=%q,le=%q} %d\n", rt, strconv.FormatFloat(b, 'g', -1, 64), cum)
		}
		fmt.Fprintf(w, "xiaoer_http_request_duration_seconds_bucket{route=%q,le=\"+Inf\"} %d\n", rt, s.n)
		fmt.Fprintf(w, "xiaoer_http_request_duration_seconds_sum{route=%q} %g\n", rt, s.sum)
		fmt.Fprintf(w, "xiaoer_http_request_duration_seconds_count{route=%q} %d\n", rt, s.n)
	}
	collectors := m.collectors
	m.mu.Unlock()
	for _, c := range collectors {
		c(w)
	}
}
