# Two commands on a fresh machine with Python 3.11+, pip and make:
#   make run    set up and serve Advisor at http://127.0.0.1:8000 (SQLite)
#   make test   set up and run every check and test
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export SECRET_KEY_FILE ?= $(CURDIR)/.secret_key

.PHONY: run test bench screenshots clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Reinstall only when pyproject.toml changes, so the second run is fast.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

.secret_key:
	$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@
	chmod 600 $@

run: $(VENV)/.installed .secret_key
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(VENV)/bin/gunicorn advisor.wsgi -c gunicorn.conf.py

test: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run --settings tests.settings
	$(VENV)/bin/pytest

# Full-page screenshots of every page of the desktop and phone journeys (needs Chromium).
screenshots: $(VENV)/.installed-test
	rm -rf build/screenshots
	SCREENSHOTS=1 $(VENV)/bin/pytest tests/browser -k "journey_desktop or journey_phone or advice or one_screen or step_errors" -q
	@echo "Screenshots are in build/screenshots/"

# Throughput, latency, page weight and queries against Django's own ceiling on this machine
# (about 2 minutes; needs wrk, installed from Debian's packages when missing and run as root).
# Prints tables and never fails on a missed target. BENCH_ARGS=--write-doc records them in
# docs/performance.md.
bench: $(VENV)/.installed-test
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles build .pytest_cache .ruff_cache
