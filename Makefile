# O'Data POS — developer and CI entry points. `make help` lists the targets.

GO       ?= go
BIN      := $(CURDIR)/bin
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X main.version=$(VERSION)

GOLANGCI_LINT_VERSION := v2.15.0
GOLANGCI_LINT         := $(BIN)/golangci-lint
ACTIONLINT_VERSION    := v1.7.12
ACTIONLINT            := $(BIN)/actionlint
GOVULNCHECK_VERSION   := v1.9.0
GOVULNCHECK           := $(BIN)/govulncheck
# The Go vulnerability database as OSV files (data/osv of this golang.org/x/vulndb module
# version, from the module proxy): govulncheck reads it offline. Bump it to scan against
# newer advisories.
VULNDB_VERSION        := v0.0.0-20261105234957-e22db6528018

# Benchmarks: make bench BENCHTIME=5s BENCHPKGS=./eventstore/pgstore
BENCHTIME ?= 1s
BENCHPKGS ?= ./eventstore/...
# Fuzzing: make fuzz FUZZTIME=1m
FUZZTIME  ?= 20s
# Extra arguments for posd in `make run`, e.g. make run ARGS='--role api'
ARGS      ?=

.DEFAULT_GOAL := help

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

.PHONY: setup
setup: ## make PostgreSQL and Redis answer and create the PostgreSQL role posd's defaults need
	bash scripts/dev-setup.sh

.PHONY: build
build: ## build every command (posd, …) into bin/
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN)/ ./cmd/...

.PHONY: run
run: setup ## set up, build and run posd on its defaults (http://127.0.0.1:8080), in the foreground
	@if [ ! -x $(BIN)/posd ]; then echo "make run: first build of posd and posctl into bin/ (downloads the Go modules and compiles everything: a minute or two; later builds take seconds)"; fi
	@$(MAKE) --no-print-directory build
	@echo "make run: starting posd in the foreground on $${POS_HTTP_ADDR:-127.0.0.1:8080}: it logs here until Ctrl-C stops it; use another terminal for curl or posctl"
	$(BIN)/posd $(ARGS)

.PHONY: test
test: ## run every test with the race detector
	$(GO) test -race -count=1 ./...

.PHONY: tour
tour: ## run the README walkthrough against a running posd (POS=http://127.0.0.1:8080 ADMIN_PASSWORD=...)
	bash scripts/tour.sh

.PHONY: tour-ci
tour-ci: ## build posd, start it on a free port with a fresh database and admin, run the walkthrough, stop it
	bash scripts/tour-ci.sh

.PHONY: esdb-client-suite
esdb-client-suite: ## run EventStore-Client-Go's own integration tests against the EventStoreDB emulator
	bash scripts/esdb-client-suite.sh

.PHONY: test-short
test-short: ## run the tests without the race detector (faster)
	$(GO) test -count=1 ./...

.PHONY: vet
vet: ## go vet
	$(GO) vet ./...

.PHONY: fmt
fmt: ## check gofmt (lists files that need formatting)
	@out="$$(gofmt -l $$(git ls-files '*.go'))"; if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

$(GOLANGCI_LINT):
	GOBIN=$(BIN) $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)

.PHONY: lint
lint: vet $(GOLANGCI_LINT) ## go vet and golangci-lint (layer rules: .golangci.yml)
	$(GOLANGCI_LINT) run ./...

$(ACTIONLINT):
	GOBIN=$(BIN) $(GO) install github.com/rhysd/actionlint/cmd/actionlint@$(ACTIONLINT_VERSION)

.PHONY: actionlint
actionlint: $(ACTIONLINT) ## lint the GitHub Actions workflows (.github/workflows)
	$(ACTIONLINT)

$(GOVULNCHECK):
	GOBIN=$(BIN) $(GO) install golang.org/x/vuln/cmd/govulncheck@$(GOVULNCHECK_VERSION)

.PHONY: vulncheck
vulncheck: $(GOVULNCHECK) ## govulncheck against the pinned vulnerability database snapshot (offline)
	@db="$$($(GO) mod download -json golang.org/x/vulndb@$(VULNDB_VERSION) | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$$/\1/p')"; \
	if [ ! -d "$$db/data/osv" ]; then echo "vulncheck: no data/osv in golang.org/x/vulndb@$(VULNDB_VERSION)"; exit 1; fi; \
	echo "vulncheck: database golang.org/x/vulndb@$(VULNDB_VERSION) ($$(ls "$$db/data/osv" | wc -l) advisories)"; \
	$(GOVULNCHECK) -db "file://$$db/data/osv" -format json ./... > $(BIN)/govulncheck.json && \
	$(GO) run ./scripts/vulngate < $(BIN)/govulncheck.json

.PHONY: monitoring-tools
monitoring-tools: ## install promtool and amtool at pinned versions into bin/ (scripts/install-tools.sh)
	bash scripts/install-tools.sh

.PHONY: monitoring-test
monitoring-test: monitoring-tools ## check prometheus.yml, the rules and alertmanager.yml; run the rule unit tests and routing tests
	bash scripts/monitoring-test.sh

.PHONY: bench
bench: ## run the event store benchmarks and print the results
	$(GO) test -run '^$$' -bench . -benchtime $(BENCHTIME) -benchmem $(BENCHPKGS)

.PHONY: fuzz
fuzz: ## run each fuzz target for FUZZTIME
	@set -e; for pkg in $$($(GO) list ./...); do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
			echo "== $$pkg $$f"; \
			$(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg; \
		done; \
	done

.PHONY: clean
clean: ## remove build output
	rm -rf $(BIN)
