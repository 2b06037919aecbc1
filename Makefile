# Veza: the two commands are `make run` and `make test` (see README.md).

# The first interpreter that really runs and is 3.11+ (pyenv shims may exist but not run).
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/veza
TEST_REDIS_URL ?= redis://127.0.0.1:6379/9
PYTEST_ARGS ?=
# `make bench BENCH=reads` runs one bench (bench/reads.py); all of them by default.
BENCH ?= [!_]*

.PHONY: install run test test-s3 test-fast lint format bench clean

PIP := $(BIN)/python -m pip --disable-pip-version-check

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Veza needs Python 3.11 or newer on the PATH (python3)."; exit 1; }
	@echo "==> Creating the virtual environment $(VENV) with $(PYTHON)"
	$(PYTHON) -m venv $(VENV)
	@echo "==> Upgrading pip"
	$(PIP) install --quiet --upgrade pip

# pip prints one line per package (no --quiet): a first install takes a minute or two.
# setuptools' notice about editable installs is not a problem here: it is filtered out.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@echo "==> Installing Veza and its development tools into $(VENV) (pyproject.toml changed)"
	PYTHONWARNINGS="ignore:Editable installation" $(PIP) install --progress-bar off -e ".[dev]"
	@touch $@

install: $(VENV)/.installed

run: install
	@echo "==> Applying database migrations (DATABASE_URL, default: SQLite db.sqlite3)"
	$(BIN)/python manage.py migrate --noinput
	@echo "==> Loading the demo accounts, tracks and course (idempotent)"
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py seed_demo_courses
	@echo ""
	@echo "  Veza is starting on http://$(HOST):$(PORT)/"
	@echo "  API docs (Swagger UI):  http://$(HOST):$(PORT)/api/docs/"
	@echo "  OpenAPI schema:         http://$(HOST):$(PORT)/api/schema/"
	@echo "  API reference (Redoc):  http://$(HOST):$(PORT)/api/redoc/"
	@echo "  Admin:                  http://$(HOST):$(PORT)/admin/"
	@echo "  Emails (verification, password reset) are printed here, in this terminal."
	@echo "  Demo logins (password veza-demo-2026):"
	@echo "    admin@veza.local (staff)   creator@veza.local   listener@veza.local   unverified@veza.local"
	@echo "  (Django's development server: for production see README, Running in production.)"
	@echo ""
	DJANGO_RUNSERVER_HIDE_WARNING=true $(BIN)/python manage.py runserver $(HOST):$(PORT)

# The media tests again with S3 storage: a bucket per test on moto's S3 server, which the tests
# start on a free loopback port (tests/storage_backend.py).
S3_TEST_PATHS ?= tests/storage tests/streaming tests/catalog/test_upload.py \
	tests/catalog/test_track_edit_delete.py tests/catalog/test_chunked_upload.py \
	tests/education/test_stream_and_progress.py tests/gdpr/test_export.py

test: install
	@scripts/ensure-services.sh
	@scripts/ensure-chromium.sh || echo "(without Chromium the browser tests are skipped)"
	@scripts/ensure-nginx.sh || echo "(without nginx the serving tests behind nginx are skipped)"
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) CELERY_BROKER_URL= \
		$(BIN)/pytest --create-db $(PYTEST_ARGS)
	$(MAKE) --no-print-directory test-s3 TEST_DATABASE_URL=$(TEST_DATABASE_URL) TEST_REDIS_URL=$(TEST_REDIS_URL)

test-s3: install
	VEZA_TEST_STORAGE=s3 DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
		CELERY_BROKER_URL= $(BIN)/pytest --reuse-db $(S3_TEST_PATHS)

test-fast: install
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) CELERY_BROKER_URL= \
		$(BIN)/pytest --reuse-db -m "not slow" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	DATABASE_URL=sqlite:////tmp/veza-makemigrations-check.sqlite3 \
		$(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	@scripts/ensure-services.sh
	@scripts/ensure-nginx.sh || true
	@for script in bench/$(BENCH).py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles *.egg-info
