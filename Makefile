# Hearth: `make demo` serves the demo partnership; `make test` runs the whole suite.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

# Django 6.1 needs Python >= 3.12. Try what is on PATH first (as users have), then
# pyenv's installs: a pyenv shim answers `command -v` even when it cannot run, so each
# candidate is checked by running it.
define find_python
for c in python3.13 python3.12 python3 "env PYENV_VERSION=3.13.0 python3.13" "env PYENV_VERSION=3.12.1 python3.12" \
         "$$(pyenv root 2>/dev/null)/versions/3.13.0/bin/python3" "$$(pyenv root 2>/dev/null)/versions/3.12.1/bin/python3"; do \
  if $$c -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then echo "$$c"; exit 0; fi; \
done; echo "No Python >= 3.12 found: install python3.12 or newer" >&2; exit 1
endef

.PHONY: demo test run migrate lint bench venv test-deps chromium clean

$(VENV)/.installed: pyproject.toml
	@set -e; if [ ! -x $(PY) ]; then PYBIN="$$( $(find_python) )"; echo "Using $$PYBIN"; $$PYBIN -m venv $(VENV); fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

venv: $(VENV)/.installed

# Debian's Chromium for the browser tests; Playwright's own browser download cannot work offline.
chromium:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  echo "Installing Debian's chromium for browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi; \
	fi

test-deps: $(VENV)/.test-installed chromium

migrate: venv
	$(PY) manage.py migrate --noinput

demo: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py demo_signins --url http://$(HOST):$(PORT)/
	@# The task worker (notifications) and the periodic checks (messages due, overdue referrals)
	@# run beside the web server and stop with it. run_worker is db_worker without the
	@# autoreloader (whose child died on a database outage while its parent lived on), and it
	@# waits out a database outage; so does run_periodic.
	$(PY) manage.py run_worker & WORKER=$$!; $(PY) manage.py run_periodic --every 300 & PERIODIC=$$!; \
	  trap "kill $$WORKER $$PERIODIC 2>/dev/null" EXIT INT TERM; \
	  $(PY) manage.py runserver $(HOST):$(PORT)

run: venv
	$(PY) manage.py runserver $(HOST):$(PORT)

test: test-deps
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.test-installed
	$(VENV)/bin/ruff check .

# Seconds of the partnership's day under load (bench/bench_load.py); the other benchmarks take their own time.
BENCH_LOAD_SECONDS ?= 60
export BENCH_LOAD_SECONDS

bench: venv
	$(PY) -m pip install --quiet -e '.[bench]'
	@if ls bench/*.py >/dev/null 2>&1; then for b in bench/bench_*.py; do nice -n 19 $(PY) $$b || exit 1; done; else echo "no benchmarks yet"; fi

clean:
	rm -rf $(VENV) .pytest_cache
