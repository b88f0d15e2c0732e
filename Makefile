# The two commands a newcomer needs: `make run` and `make test`. Everything
# they depend on is installed here on first use (see README.md).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
# One xdist worker more than cores: a test often waits (a browser, a server it started, the job worker), and
# the spare worker fills the core meanwhile (pytest 6:30 -> 5:45 on two cores). Override with PYTEST_ARGS="...".
PYTEST_ARGS ?= -n $(shell echo $$(( $$(nproc) + 1 ))) --dist worksteal
ADMIN_EMAIL ?= admin@example.org
FLASK := $(BIN)/flask --app planner
LOCK := .ci/requirements.lock
# make load's locust, apart from the app's environment (pyproject.toml, extra "load").
LOAD_VENV := .venv-load
LOAD_STAMP := $(LOAD_VENV)/.installed
STAMP := $(VENV)/.installed
VENDOR := planner/static/vendor
VENDOR_STAMP := $(VENDOR)/node_modules/.installed
TRANSLATIONS := planner/translations
MO_FILES := $(patsubst %.po,%.mo,$(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po))

# Runs $(1) with the job worker (PDF renders, e-mail; README "Job queue") beside it in the background; when
# $(1) ends (or Ctrl+C), the worker is stopped too. One shell, so the trap sees both.
define with_job_worker
	$(FLASK) jobs worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	trap 'exit 130' INT TERM; \
	$(1)
endef

.PHONY: run run-deps serve lint test test-sqlite test-postgres bench load install system-deps translations translations-extract lock clean

# run-deps first: without libharfbuzz-subset0 every brief PDF is ~30x slower (the app says so at start too).
run: run-deps install
	$(FLASK) db upgrade
	$(FLASK) seed
	$(FLASK) users bootstrap-admin --email "$(ADMIN_EMAIL)"
	@echo "Serving the planner on http://127.0.0.1:$(PORT)  (Ctrl+C stops it and the job worker)"
	$(call with_job_worker,$(FLASK) run --host 127.0.0.1 --port $(PORT))

# Production: gunicorn with WORKERS processes, behind a reverse proxy (README, "Operations";
# .ci/nginx.conf.template). Configure by environment: DATABASE_URL, SECRET_KEY, REDIS_URL,
# PLANNER_HTTPS, PLANNER_PROXY_FIX, PLANNER_BASE_URL, and MAIL_SERVER (+ MAIL_PORT, MAIL_USERNAME,
# MAIL_PASSWORD, MAIL_DEFAULT_SENDER) to send e-mail. The job worker started beside gunicorn renders
# PDFs and sends e-mail (with retries); on several hosts run `flask --app planner jobs worker` as a
# service of its own instead, with the same DATABASE_URL and REDIS_URL (README, "Job queue"). planner/gunicorn_conf.py holds the rest:
# gthread workers with a short keep-alive, no access log (it would print feed URLs with their
# secret tokens; the planner writes one JSON line per request with the tokens redacted).
# Without REDIS_URL the sign-in limits are counted per worker, so gunicorn_conf runs one
# worker then and says so (README, "Operations").
WORKERS ?= 4
BIND ?= 127.0.0.1:$(PORT)
serve: run-deps install
	$(FLASK) db upgrade
	$(call with_job_worker,$(BIN)/gunicorn -c python:planner.gunicorn_conf --workers $(WORKERS) --bind $(BIND) 'planner:create_app()')

# Lint and type check (configuration in pyproject.toml): ruff over the whole tree, mypy over planner/.
# A few seconds; make test runs it first, so CI does too.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The whole suite on the embedded SQLite database. CI also runs test-postgres.
# Bytecode is written even where the environment says PYTHONDONTWRITEBYTECODE: without it every
# run (and each xdist worker, and each `flask` subprocess of the CLI tests) compiles the planner's
# sources and pytest rewrites the assertions of every test module again, ~9 s of CPU per process.
# __pycache__ is in .gitignore.
PYTEST := env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest

test: system-deps install lint
	$(PYTEST) $(PYTEST_ARGS)

test-postgres: system-deps install $(LOAD_STAMP)
	PLANNER_TEST_DATABASE=postgresql $(PYTEST) $(PYTEST_ARGS)

# Speed figures against floors measured in the same run (see benchmarks/README.md).
bench: system-deps install
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

# 50 simulated users for 60 s against gunicorn (4 workers) and a throwaway PostgreSQL
# database on loopback, then 50 idle connections for 30 s through nginx in front of it; prints
# throughput, latency, the lost-update and the slow-client checks, then floods the same set-up
# (with the job worker) with PDF brief requests and checks the site keeps answering (README, "Operations").
load: system-deps install $(LOAD_STAMP)
	$(BIN)/python benchmarks/load.py $(LOAD_ARGS)

install: $(STAMP) $(MO_FILES) $(VENDOR_STAMP)

# benchmarks/load.py runs locust from here (tests/test_load_harness.py's short run too, in test-postgres).
$(LOAD_STAMP): $(LOCK)
	$(PYTHON) -m venv $(LOAD_VENV)
	$(LOAD_VENV)/bin/python -m pip install --quiet -c $(LOCK) locust
	touch $(LOAD_STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Pinned versions from the lock file; re-run whenever it or pyproject changes.
$(STAMP): $(BIN)/python pyproject.toml $(LOCK)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e '.[test,bench]'
	touch $(STAMP)

# The pages' front-end libraries (htmx, Tom Select) from the npm registry at the versions of the lock
# file, served from /static/vendor (planner/web/assets.py); never a CDN, never committed.
$(VENDOR_STAMP): $(VENDOR)/package.json $(VENDOR)/package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: run make run-deps (or apt-get install nodejs npm)" >&2; exit 1; }
	npm ci --prefix $(VENDOR) --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $(VENDOR_STAMP)

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@

translations: $(MO_FILES)

# Refresh the catalogue after changing user-facing text, then translate the new entries.
translations-extract: $(STAMP)
	$(BIN)/pybabel extract -F $(TRANSLATIONS)/babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
	    --project=delegation-planner -o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --no-fuzzy-matching --ignore-obsolete

# The Debian packages the app itself needs for fast brief PDFs (HarfBuzz subsetting, Pango, DejaVu):
# installed when root or sudo allows, else the apt-get command is printed.
run-deps:
	bash .ci/install-run-deps

# System packages of DESIGN.md (browser, PDF tools, fonts, libical, node parsers), installed only when missing.
system-deps:
	bash .ci/install-system-deps

# Re-pin every dependency (needs network); commit the result.
lock: $(STAMP)
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra test --extra bench --extra load --python-version 3.11 --no-header --no-annotate -o $(LOCK)

clean:
	rm -rf $(VENV) $(LOAD_VENV) $(VENDOR)/node_modules .pytest_cache .mypy_cache .ruff_cache test-artifacts
