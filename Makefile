# xiaoer — the two commands a newcomer needs are `make demo` and `make test`.

GO      ?= go
BIN     := bin/xiaoer
ADDR    ?= 127.0.0.1:8080
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X xiaoer/internal/app.Version=$(VERSION)

VENDOR  := internal/web/static/vendor

.PHONY: all assets build demo serve test test-sqlite test-pg race vet fmt clean

all: build

# Front-end libraries come from npm (package-lock.json pins them) and are
# embedded in the binary. Without npm the pages still work: every chart
# also has its numbers as a table.
assets: $(VENDOR)/echarts.min.js

$(VENDOR)/echarts.min.js: package-lock.json
	@mkdir -p $(VENDOR)
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --loglevel=error && cp node_modules/echarts/dist/echarts.min.js $@; \
	else \
		echo "npm not found: building without ECharts (the dashboard shows its charts as tables)"; \
	fi

# One static binary: pure-Go SQLite, no cgo.
build: assets
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/xiaoer

# Build and start the demo zone on http://$(ADDR) (data in ./xiaoer-data).
demo: build
	./$(BIN) serve --demo --addr $(ADDR)

serve: build
	./$(BIN) serve --addr $(ADDR)

# The whole suite: vet, every test on SQLite, again on PostgreSQL when
# XIAOER_TEST_PG names a database, and the race detector over the packages
# with concurrency.
test: assets vet test-sqlite test-pg race

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l cmd internal)" || (echo "gofmt needed:"; gofmt -l cmd internal; exit 1)

test-sqlite:
	XIAOER_TEST_PG= $(GO) test -count=1 ./...

test-pg:
	@if [ -n "$$XIAOER_TEST_PG" ]; then \
		echo "== PostgreSQL: $$XIAOER_TEST_PG"; \
		$(GO) test -count=1 ./...; \
	else \
		echo "== PostgreSQL skipped: set XIAOER_TEST_PG=postgres://… to run the suite on PostgreSQL too"; \
	fi

race:
	CGO_ENABLED=1 $(GO) test -race -count=1 ./internal/store/... ./internal/audit/... ./internal/web/... ./internal/auth/... ./internal/app/...

fmt:
	gofmt -w cmd internal

clean:
	rm -rf bin $(VENDOR) node_modules
