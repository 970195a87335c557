# Two commands do everything: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CHROMIUM := /usr/bin/chromium
TEST_OUTPUT ?= test-output
# Processes make test runs the suite in (pytest-xdist): the browser tests in one, the rest
# beside them (tests/conftest.py, pytest_xdist_make_scheduler). TEST_WORKERS=0 runs everything
# in this process.
TEST_WORKERS ?= 2

.PHONY: run team test lint install install-test install-bench chromium poppler postgresql haproxy render-check data bench bench-full bench-team clean

# A stamp file per dependency set, so a changed pyproject.toml re-installs.
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

$(VENV)/.installed-bench: $(VENV)/.installed-test pyproject.toml
	$(PY) -m pip install --quiet -e '.[test,bench]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test
install-bench: $(VENV)/.installed-bench

# Debian's Chromium drives the browser tests (and the briefing exports). Installed only when missing.
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
		echo "Installing Debian's chromium (needs root and the Debian package mirror)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	fi

# poppler-utils' pdftoppm renders the briefing PDF in the tests (to look at it as a reader would).
poppler:
	@if ! command -v pdftoppm >/dev/null; then \
		echo "Installing Debian's poppler-utils (pdftoppm; needs root and the Debian package mirror)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils; \
	fi

# PostgreSQL 15 (Debian's): the tests and make team start a throwaway cluster of it
# (src/dashboard/team/postgres.py).
postgresql:
	@if [ ! -x /usr/lib/postgresql/15/bin/initdb ]; then \
		echo "Installing Debian's postgresql (needs root and the Debian package mirror)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; \
	fi

# HAProxy (Debian's) in front of the replicas: the team set-up, its tests and its benchmark.
haproxy:
	@if ! command -v haproxy >/dev/null && [ ! -x /usr/sbin/haproxy ]; then \
		echo "Installing Debian's haproxy (needs root and the Debian package mirror)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy; \
	fi

run: install chromium
	$(VENV)/bin/python -m dashboard serve

# The team set-up on this machine (a demonstration): PostgreSQL, two replicas, HAProxy on
# http://localhost:8600 and an OpenID Connect test provider with three users. Ctrl-C stops it all.
team: install-test postgresql haproxy
	$(VENV)/bin/python -m dashboard team

# ruff (rules, then format) and mypy on src/dashboard; any finding fails the target.
lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# pytest exits 5 when it collects no test: that must fail the run, loudly.
test: lint chromium poppler postgresql haproxy
	mkdir -p $(TEST_OUTPUT)
	$(PY) -m pytest --basetemp=$(TEST_OUTPUT)/tmp -p no:cacheprovider -n $(TEST_WORKERS) $(PYTEST_ARGS) tests; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "ERROR: pytest collected no tests; failing the run." >&2; fi; \
	exit $$rc

# The briefing deck and note drawn by LibreOffice, to look at (not part of make test: LibreOffice
# is large). Installs LibreOffice's Impress and Writer when soffice is missing.
render-check: install-test poppler
	@if ! command -v soffice >/dev/null; then \
		echo "Installing LibreOffice Impress and Writer (needs root and the Debian package mirror)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends libreoffice-impress libreoffice-writer fonts-crosextra-carlito; \
	fi
	$(PY) scripts/render_check.py

# Benchmarks (not part of the test suite): results in bench/results/latest.{md,json}.
bench: install-bench chromium postgresql haproxy
	$(PY) bench/run.py

# The same with 1M findings too (about 10 more minutes).
bench-full: install-bench chromium postgresql haproxy
	$(PY) bench/run.py --full

# 20 concurrent signed-in sessions through HAProxy, on two replicas and on one (about 3 minutes):
# results in bench/results/team/latest.{md,json}.
bench-team: install-bench chromium postgresql haproxy
	$(PY) bench/team_load.py

# Rebuild the region geometry from Natural Earth as shipped in Debian's qgis-common package.
data: install
	$(PY) scripts/build_regions.py

clean:
	rm -rf $(VENV) $(TEST_OUTPUT) .pytest_cache
