# Self-documenting: `make` or `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# The test suite runs against PostgreSQL (the machine's local server unless overridden).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: help run test worker venv static browser compose lint typecheck bench bench-cluster clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

run: venv static ## Start the whole console with the local sandbox and a demo user (PORT, DEMO_PASSWORD)
	$(PY) manage.py runstack

test: venv static browser compose ## Run the full test suite (PostgreSQL, Redis, moto, Chromium)
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} $(PY) -m pytest

worker: venv ## Run one more Celery worker against the same Redis and database
	$(PY) -m celery -A console worker --pool threads --concurrency 16 --loglevel INFO

venv: $(VENV)/.installed ## Create .venv and install the pinned Python packages

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt -r requirements-dev.txt
	touch $@

static: static/vendor/.installed ## Place xterm.js (from npm) under static/vendor

static/vendor/.installed: package.json package-lock.json scripts/vendor_static.sh
	bash scripts/vendor_static.sh
	touch $@

browser: ## Install Debian's Chromium for the browser tests if it is missing
	@bash scripts/ensure_chromium.sh

compose: ## Install Debian's docker-compose (if root) so the tests check docker-compose.yml with it
	@bash scripts/ensure_compose.sh

lint: venv ## Ruff format check and lint, and the import contracts (pyproject.toml)
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-logo

typecheck: venv ## mypy on console/ and credentials/
	$(VENV)/bin/mypy console credentials

bench: venv static ## Benchmarks against the sandbox (see bench/README.md); fails if any is over budget
	@# Every benchmark runs, even after one over budget; the target fails at the end if any did.
	@failed=""; \
	for bench in latency.py floor.py ownwork.py guardrail.py memory.py pageload.py cli.py transfer.py load.py "load.py --sqlite"; do \
	  echo "== bench/$$bench"; $(PY) bench/$$bench || failed="$$failed $$bench"; \
	done; \
	if [ -n "$$failed" ]; then echo "over budget or failed:$$failed"; exit 1; fi

bench-cluster: venv ## Two web nodes and two workers under load, one killed (bench/README.md)
	$(PY) bench/load.py --web 2 --workers 2

clean: ## Remove the virtualenv, vendored static files and local state
	rm -rf $(VENV) node_modules static/vendor .local
