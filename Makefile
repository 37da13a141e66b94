# Spoor 2 Academy: `make run` starts the demo, `make test` runs every test on SQLite and PostgreSQL.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test test-sqlite test-postgres lint check system-deps install messages clean

$(STAMP): pyproject.toml scripts/fetch_test_tools.py
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	$(PY) scripts/fetch_test_tools.py
	touch $(STAMP)

install: $(STAMP)

## Starts the demo on SQLite with demo content and accounts (idempotent).
run: install
	DJANGO_SETTINGS_MODULE=lms.settings.dev $(PY) manage.py migrate --no-input
	PORT=$(PORT) DJANGO_SETTINGS_MODULE=lms.settings.dev $(PY) manage.py seed_demo
	@DJANGO_SETTINGS_MODULE=lms.settings.dev $(PY) manage.py demo_banner --port $(PORT)
	PORT=$(PORT) scripts/run-demo

## Debian packages the tests drive for real: Chromium for browser tests, PostgreSQL and Redis for the second run,
## poppler (pdftoppm) and zbar (zbarimg) to render certificates and read their QR codes back, wrk for the HTTP
## benches (run at a tiny size in the second run), DejaVu (the fonts our PDFs embed; without it they embed ReportLab's
## Vera, which lacks letters such as ł and ş). Nothing is started as a system service: the test run starts its
## own servers on loopback.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	command -v zbarimg >/dev/null || missing="$$missing zbar-tools"; \
	command -v wrk >/dev/null || missing="$$missing wrk"; \
	test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf || missing="$$missing fonts-dejavu-core"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Missing Debian packages:$$missing (run as root, or: sudo apt-get install$$missing)"; exit 1; \
	  fi; \
	fi

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(PY) scripts/import_cycles.py
	DJANGO_SETTINGS_MODULE=lms.settings.test $(PY) manage.py check --fail-level WARNING
	DJANGO_SETTINGS_MODULE=lms.settings.test $(PY) manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=lms.settings.production SECRET_KEY=check-only-$$(head -c 40 /dev/urandom | base64 | tr -dc a-zA-Z0-9) \
	  DATABASE_URL=sqlite:///tmp/deploy-check.sqlite3 ALLOWED_HOSTS=example.org \
	  EMAIL_URL=smtp://localhost:25 DEFAULT_FROM_EMAIL=noreply@example.org \
	  STRIPE_SECRET_KEY=sk_check_only STRIPE_WEBHOOK_SECRET=whsec_check_only \
	  CERTIFICATE_SIGNING_KEY=$$(head -c 32 /dev/urandom | base64) \
	  $(PY) manage.py check --deploy --fail-level WARNING

test-sqlite: install system-deps
	$(PY) -m pytest -q -n 2 --dist worksteal

## The second pass: everything but the browser tests (the first pass drives Chromium through every flow; what
## differs between the databases, locks, races and constraints, is tested below the browser on both), and the
## benches at a tiny size.
test-postgres: install system-deps
	scripts/with-throwaway-postgres scripts/with-throwaway-redis $(PY) -m pytest -q -n 2 --dist worksteal -m "not browser"

## Sets up and passes every test: lint and checks, then the suite on SQLite and on PostgreSQL with Redis.
test: lint test-sqlite test-postgres

messages: install
	cd $(CURDIR) && $(PY) manage.py makemessages -l nl --ignore '.venv/*' && $(PY) manage.py compilemessages --ignore '.venv/*'

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles
