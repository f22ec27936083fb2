# BLOCKAI build, test and localnet entry points. Every target installs what it needs.
COMETBFT_VERSION := v0.38.26
BIN_DIR := $(CURDIR)/bin
COMETBFT ?= $(BIN_DIR)/cometbft
NODES ?= 4
export COMETBFT
# gaiad, the Go Cosmos SDK chain `make bench` compares BLOCKAI with (Cosmos SDK v0.53.3, CometBFT v0.38.19).
GAIA_VERSION := v25.1.1
GAIAD ?= $(BIN_DIR)/gaiad
export GAIAD

.PHONY: all install deps proto cometbft abci-cli gaiad build dashboard browser typecheck lint test test-unit test-e2e bench bench-prune fuzz chaos localnet localnet-stop localnet-status localnet-reset clean

all: build

install: deps cometbft

# npm ci keeps the lockfile authoritative; the stamp avoids re-running it when nothing changed.
node_modules/.install-stamp: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

deps: node_modules/.install-stamp

# CometBFT is pinned and installed into ./bin with the Go toolchain (skipped when that version is
# already there). COMETBFT=/path/to/cometbft overrides the binary used everywhere.
cometbft:
	@if [ "$(COMETBFT)" != "$(BIN_DIR)/cometbft" ]; then \
	  echo "using COMETBFT=$(COMETBFT)"; \
	elif [ -x "$(BIN_DIR)/cometbft" ] && [ "$$(cat $(BIN_DIR)/.cometbft-version 2>/dev/null)" = "$(COMETBFT_VERSION)" ]; then \
	  echo "cometbft $(COMETBFT_VERSION) already installed in $(BIN_DIR)"; \
	else \
	  command -v go >/dev/null || { echo "Go >= 1.22 is needed to install CometBFT (go install)"; exit 1; }; \
	  echo "installing cometbft $(COMETBFT_VERSION) into $(BIN_DIR) (go install, takes a few minutes)"; \
	  mkdir -p $(BIN_DIR) && GOBIN=$(BIN_DIR) go install github.com/cometbft/cometbft/cmd/cometbft@$(COMETBFT_VERSION) && \
	  echo $(COMETBFT_VERSION) > $(BIN_DIR)/.cometbft-version; \
	fi

# CometBFT's kvstore example as a separate process (same pinned version), for `make bench`: it
# measures what an out-of-process ABCI connection costs CometBFT, apart from any application.
abci-cli:
	@if [ -x "$(BIN_DIR)/abci-cli" ] && [ "$$(cat $(BIN_DIR)/.abci-cli-version 2>/dev/null)" = "$(COMETBFT_VERSION)" ]; then \
	  echo "abci-cli $(COMETBFT_VERSION) already installed in $(BIN_DIR)"; \
	else \
	  command -v go >/dev/null || { echo "Go >= 1.22 is needed to install abci-cli (go install)"; exit 1; }; \
	  mkdir -p $(BIN_DIR) && GOBIN=$(BIN_DIR) go install github.com/cometbft/cometbft/abci/cmd/abci-cli@$(COMETBFT_VERSION) && \
	  echo $(COMETBFT_VERSION) > $(BIN_DIR)/.abci-cli-version; \
	fi

# gaiad for `make bench`'s BLOCKAI / gaiad comparison, built from the Go module proxy by
# test/bench/build-gaiad.sh into ./bin (skipped when that version is there; 10-30 minutes and ~3 GB
# of module cache the first time, one compile at a time unless GAIAD_BUILD_JOBS says otherwise).
# BENCH_NO_GAIAD=1 skips it (and the bench then leaves gaiad out); GAIAD=/path/to/gaiad uses another.
gaiad:
	@if [ -n "$(BENCH_NO_GAIAD)" ]; then \
	  echo "BENCH_NO_GAIAD is set: gaiad not built, the bench leaves it out"; \
	elif [ "$(GAIAD)" != "$(BIN_DIR)/gaiad" ]; then \
	  echo "using GAIAD=$(GAIAD)"; \
	elif [ -x "$(BIN_DIR)/gaiad" ] && [ "$$(cat $(BIN_DIR)/.gaiad-version 2>/dev/null)" = "$(GAIA_VERSION)" ]; then \
	  echo "gaiad $(GAIA_VERSION) already installed in $(BIN_DIR)"; \
	else \
	  mkdir -p $(BIN_DIR) && GAIA_VERSION=$(GAIA_VERSION) bash test/bench/build-gaiad.sh $(BIN_DIR)/gaiad && \
	  echo $(GAIA_VERSION) > $(BIN_DIR)/.gaiad-version; \
	fi

# TypeScript codecs for proto/ (BLOCKAI's own messages) into src/gen/, by buf + ts-proto from
# node_modules: no protoc, no network. The stamp skips it when no .proto changed.
PROTO_FILES := $(shell find proto -name '*.proto')
src/gen/.stamp: $(PROTO_FILES) proto/buf.yaml proto/buf.gen.yaml node_modules/.install-stamp
	cd proto && npx buf lint && rm -rf ../src/gen && npx buf generate
	touch $@

proto: src/gen/.stamp

build: deps proto
	npx tsc -p tsconfig.json
	@$(MAKE) --no-print-directory dashboard

typecheck: deps proto
	npx tsc -p tsconfig.json --noEmit
	npx tsc -p dashboard/tsconfig.json

# The dashboard (dashboard/): type-checked with the DOM's types, bundled for browsers by esbuild
# into dist/dashboard (index.html, app.js, styles), which `blockai start` serves at dashboard_address
# and any static host can serve as well.
dashboard: deps proto
	npx tsc -p dashboard/tsconfig.json
	@mkdir -p dist/dashboard
	npx esbuild dashboard/src/main.ts --bundle --format=esm --platform=browser --target=es2020 --minify --sourcemap --legal-comments=none --log-level=warning --outfile=dist/dashboard/app.js
	cp dashboard/index.html dashboard/style.css node_modules/uplot/dist/uPlot.min.css dist/dashboard/

# Debian's chromium for the dashboard's browser test (playwright-core drives it; no browser is
# downloaded by npm). Quick when it is installed; CHROMIUM=/path/to/chrome uses another one.
CHROMIUM ?= /usr/bin/chromium
export CHROMIUM
browser:
	@if [ -x "$(CHROMIUM)" ]; then \
	  echo "chromium: $(CHROMIUM)"; \
	else \
	  command -v apt-get >/dev/null || { echo "$(CHROMIUM) not found and no apt-get: install Chromium and set CHROMIUM=/path/to/it"; exit 1; }; \
	  echo "installing Debian's chromium with apt-get"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; \
	fi

# The layer rules of ARCHITECTURE.md (.dependency-cruiser.cjs). A wrong import fails with the rule's
# name and the import, e.g. "error module-face: src/modules/a/keeper.ts → src/modules/b/keeper.ts".
# It needs src/gen to resolve the codecs' imports.
lint: deps proto
	@npx depcruise src localnet dashboard --config .dependency-cruiser.cjs --output-type err || \
	  { echo "make lint: imports break the layer rules above (see ARCHITECTURE.md)"; exit 1; }

test: install browser lint build
	npx jest --ci $(JEST_ARGS)

test-unit: deps proto
	npx jest --ci test/unit

test-e2e: install browser build
	npx jest --ci test/e2e

# The same young-generation size as the app processes (src/node/network.ts APP_NODE_FLAGS).
# BENCH_QUICK=1: a short run; BENCH_ONLY=gaiad: only the BLOCKAI / gaiad rounds (see run.ts).
bench: install build abci-cli gaiad
	node --max-semi-space-size=64 dist/test/bench/run.js

# Pruning: state size over BLOCKS blocks of steady usage, in process (docs/pruning.md).
BLOCKS ?= 100000
bench-prune: deps build
	node --max-semi-space-size=64 dist/test/bench/prune.bench.js $(BLOCKS) 5000

# Fuzzing at volume, in process: FUZZ_TOTAL generated and mutated txs and ABCI requests (the
# socket server included) with every invariant checked; FUZZ_SEED replays a run (docs/pruning.md).
FUZZ_TOTAL ?= 1000000
FUZZ_SEED ?= 1
fuzz: deps build
	node --max-semi-space-size=64 dist/test/fuzz/run.js $(FUZZ_TOTAL) $(FUZZ_SEED)
# The chaos run (test/chaos): validators killed, paused, partitioned and rolled back under load,
# then every node checked. DURATION in seconds (default 600), NODES (default 4), SEED (default:
# the time; a failing run is repeated with its seed), KINDS (comma-separated perturbation kinds,
# default all). Heavy: on a shared machine run it under
# the shared lock, e.g. flock /tmp/blockai-heavy.lock make chaos.
DURATION ?= 600
SEED ?=
chaos: install build
	DURATION=$(DURATION) NODES=$(NODES) $(if $(SEED),SEED=$(SEED)) node dist/test/chaos/run.js

localnet: install build
	node dist/localnet/localnet.js start --nodes $(NODES)

localnet-stop: deps
	node dist/localnet/localnet.js stop

localnet-status: deps
	node dist/localnet/localnet.js status

localnet-reset: deps
	node dist/localnet/localnet.js reset

clean:
	rm -rf dist
