# One entry point for people and CI. `make run` and `make test` do their own set-up.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-sqlite test-postgres lint bench bench-board bench-pages bench-call setup browser messages

$(VENV)/.installed: pyproject.toml
	@# python-ldap (django-auth-ldap) builds against OpenLDAP's and SASL's headers.
	@if [ ! -f /usr/include/ldap.h ] || [ ! -f /usr/include/sasl/sasl.h ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libldap2-dev libsasl2-dev >/dev/null; \
	fi
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

setup: $(VENV)/.installed

# Start the office on SQLite with the demo departments and a demo staff login.
run: setup
	mkdir -p var
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo
	@echo "Office: http://$(HOST):$(PORT)/   Staff console: http://$(HOST):$(PORT)/konsole/"
	DEBUG=$${DEBUG:-1} SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} $(VENV)/bin/uvicorn buergerbuero.asgi:application --app-dir src --host $(HOST) --port $(PORT) --ws-per-message-deflate false

# Chromium and Firefox ESR for the browser tests, and coturn for the TURN relay test, from
# Debian's packages (Playwright's own browser downloads do not work offline); Xvfb, the
# virtual screen Firefox runs on (headless Firefox has no screen to share); gettext for
# compiling translations; OpenLDAP's slapd for the directory sign-in tests; from the npm
# registry, axe-core for the accessibility checks, jsqr to decode the booking's QR code,
# and puppeteer-core, which drives Firefox
# over WebDriver BiDi (versions pinned in tests/e2e/package-lock.json;
# PUPPETEER_SKIP_DOWNLOAD: it must not fetch a browser of its own), and the certified
# oidc-provider (tests/directory/oidc/package-lock.json). Tests fail loudly if any is missing.
browser:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v firefox-esr >/dev/null 2>&1 || ! command -v Xvfb >/dev/null 2>&1 || ! command -v turnserver >/dev/null 2>&1 || ! command -v msgfmt >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1 || [ ! -x /usr/sbin/slapd ] || ! command -v ldapsearch >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium firefox-esr xvfb coturn gettext slapd ldap-utils $$(command -v npm >/dev/null || echo npm) >/dev/null; \
	fi
	@test -f tests/e2e/node_modules/axe-core/axe.min.js -a -f tests/e2e/node_modules/puppeteer-core/package.json -a -f tests/e2e/node_modules/jsqr/dist/jsQR.js || PUPPETEER_SKIP_DOWNLOAD=1 npm ci --prefix tests/e2e --no-audit --no-fund --loglevel=error
	@test -f tests/directory/oidc/node_modules/oidc-provider/package.json || npm ci --prefix tests/directory/oidc --no-audit --no-fund --loglevel=error

# Every test: SQLite with the in-memory channel layer, then PostgreSQL with Redis.
test: setup browser
	bash scripts/test

# Lint, formatting and types; each one's failure fails the target. mypy reads its
# settings (what it checks, and what it skips and why) from pyproject.toml.
lint: setup
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/ruff format --check src tests
	$(VENV)/bin/mypy

bench: setup
	$(PY) bench/status_fanout.py

# The board against a bare websockets broadcast server, 10,000 watchers each, 10 changes
# each, interleaved (docs/benchmarks.md, "Against the bare library"); needs Redis.
bench-board: setup
	$(PY) bench/status_fanout.py --reference

# status.json and the overview against a trivial view, 50 connections (docs/benchmarks.md,
# "Pages"); the load generator is wrk from Debian's packages.
bench-pages: setup
	@command -v wrk >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null)
	cd bench && ../$(PY) pages.py

# From the admit click to video on both sides, against two bare browsers on a bare relay
# (docs/benchmarks.md, "Call set-up"); Debian's Chromium, as for the browser tests.
bench-call: setup
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)
	$(PY) bench/call_setup.py

messages: setup
	cd src/buergerbuero && ../../$(PY) ../../manage.py makemessages -l de -l en -l tr -l ar -l uk -l ru --no-location --no-obsolete && ../../$(PY) ../../manage.py compilemessages
