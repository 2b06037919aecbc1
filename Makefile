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

.PHONY: install run test test-s3 test-fast lint format bench clean

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Veza needs Python 3.11 or newer on the PATH (python3)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo ""
	@echo "  Veza is starting on http://$(HOST):$(PORT)/"
	@echo "  API docs (Swagger UI):  http://$(HOST):$(PORT)/api/docs/"
	@echo "  OpenAPI schema:         http://$(HOST):$(PORT)/api/schema/"
	@echo "  Admin:                  http://$(HOST):$(PORT)/admin/"
	@echo "  Demo logins (password veza-demo-2026):"
	@echo "    admin@veza.local (staff)   creator@veza.local   listener@veza.local   unverified@veza.local"
	@echo ""
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# The media tests again with S3 storage: a bucket per test on moto's S3 server, which the tests
# start on a free loopback port (tests/storage_backend.py).
S3_TEST_PATHS ?= tests/storage tests/streaming tests/catalog/test_upload.py \
	tests/catalog/test_track_edit_delete.py tests/catalog/test_chunked_upload.py \
	tests/education/test_stream_and_progress.py tests/gdpr/test_export.py

test: install
	@scripts/ensure-services.sh
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
	@for script in bench/[!_]*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles *.egg-info
