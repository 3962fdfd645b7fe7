# Samiti: from clone to running in one command.
#   make run       development server with demo data on http://127.0.0.1:8000
#   make test      the whole test suite (SQLite; set DATABASE_URL for PostgreSQL)
#   make lint      ruff, formatting and missing migrations
#   make messages  refresh and compile the Bengali translation
#   make bench     the benchmarks in bench/

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
# Stamps record which requirements are installed, so pip runs only when a file changed.
RUNTIME_STAMP := $(VENV)/.installed-requirements
DEV_STAMP := $(VENV)/.installed-requirements-dev
# Development settings: a throwaway key, DEBUG on, demo helpers on.
DEV_ENV := DEBUG=1 DEMO_MODE=1
# One process: on this 2-core machine the suite ran faster plain (~22-33 s) than with
# pytest-xdist -n 2 (~25-42 s), in every paired run; `make test PYTEST_WORKERS=2` to compare.
PYTEST_WORKERS ?= 1
PYTEST_ARGS ?=
APT_GET := DEBIAN_FRONTEND=noninteractive apt-get

.PHONY: run test lint messages bench system-deps setup

run: $(RUNTIME_STAMP)
	$(DEV_ENV) $(MANAGE) migrate --noinput
	$(DEV_ENV) $(MANAGE) load_areas
	$(DEV_ENV) $(MANAGE) load_schemes
	$(DEV_ENV) $(MANAGE) demo
	$(DEV_ENV) $(MANAGE) demo_voice
	$(DEV_ENV) $(MANAGE) demo_access
	$(DEV_ENV) $(MANAGE) demo_finance
	@echo
	@echo "Samiti runs on http://127.0.0.1:8000 - log in with one of the demo accounts above. Ctrl-C stops it."
	@echo
	@# The background worker (broadcasts, large notices) runs beside the server and stops with it.
	$(DEV_ENV) $(MANAGE) db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT; \
	$(DEV_ENV) $(MANAGE) runserver 127.0.0.1:8000

setup: $(DEV_STAMP)

test: $(DEV_STAMP) system-deps
	$(PY) -m pytest $(if $(filter-out 0 1,$(PYTEST_WORKERS)),-n $(PYTEST_WORKERS)) $(PYTEST_ARGS)

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=1 $(MANAGE) makemigrations --check --dry-run

# Run from inside samiti/ so only our package is scanned (not .venv's own locales).
messages: $(RUNTIME_STAMP) system-deps
	cd samiti && DEBUG=1 ../$(PY) ../manage.py makemessages -l bn --no-obsolete --add-location file
	cd samiti && DEBUG=1 ../$(PY) ../manage.py compilemessages -l bn

# Every bench/<name>.py is a script printing its figures; it runs from the project root.
bench: $(DEV_STAMP)
	@shopt -s nullglob; scripts=(bench/[!_]*.py); \
	if [ $${#scripts[@]} -eq 0 ]; then echo "No benchmarks in bench/ yet."; exit 0; fi; \
	for script in "$${scripts[@]}"; do \
	  echo "== $$script"; \
	  $(DEV_ENV) PYTHONPATH=. $(PY) "$$script" || exit 1; \
	done

$(PY):
	$(PYTHON) -m venv $(VENV)

$(RUNTIME_STAMP): requirements.txt | $(PY)
	$(PY) -m pip install -r requirements.txt
	touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install -r requirements-dev.txt
	touch $@ $(RUNTIME_STAMP)

# Chromium drives the browser tests; gettext builds and checks the translations.
# Installed with apt when missing and we are root; otherwise say what is missing and go on
# (browser tests then skip locally, and fail under CI=true).
system-deps:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	command -v msgfmt >/dev/null && command -v xgettext >/dev/null || missing="$$missing gettext"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing system packages:$$missing"; \
	  $(APT_GET) update && $(APT_GET) install -y $$missing; \
	else \
	  echo "NOTE: missing system packages:$$missing (not root or no apt-get, so not installed)."; \
	  echo "      Install them with: sudo apt-get install$$missing"; \
	  echo "      Until then, tests that need them are skipped (and fail under CI=true)."; \
	fi
