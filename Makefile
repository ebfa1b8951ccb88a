# One set of targets on every machine. `make test` installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
# `make test` runs the suite in this many processes (one a core here: ~8 min, not ~14);
# tests that start several servers (xdist_group "servers") run one at a time, and those
# that load the whole machine (marker "alone") after the rest, on a quiet machine.
TEST_WORKERS ?= 2
# `make demo`: the settable test clock, on its own database and outbox under var/.
DEMO_ENV := TENANTRY_TEST_CLOCK=1 TENANTRY_DATABASE_URL=sqlite:///var/demo.db \
	TENANTRY_OUTBOX_DIR=var/demo-outbox

.PHONY: install chromium test unit integration e2e lint format run demo bench clean

install: $(STAMP)

# The browser tests drive Debian's chromium (never a browser build downloaded by
# Playwright), the README walk's test jq: installed here when missing and run as root,
# else named for you to install.
chromium:
	@command -v chromium >/dev/null && command -v jq >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && apt-get install -y -qq chromium jq; \
	  else echo "the tests need Debian's chromium and jq: sudo apt-get install chromium jq"; fi; }

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

test: install chromium
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup -m "not alone" --durations=15
	$(BIN)/pytest -m alone

unit: install
	$(BIN)/pytest tests/unit

integration: install
	$(BIN)/pytest tests/integration

e2e: install chromium
	$(BIN)/pytest tests/e2e

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

run: install
	$(BIN)/tenantry serve --port $(PORT)

demo: install
	$(DEMO_ENV) $(BIN)/tenantry serve --port $(PORT)

bench: install
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache
