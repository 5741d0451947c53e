# Puente — `make run` and `make test` are all a fresh machine needs.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PUENTE_DATABASE_URL ?= sqlite:///var/puente.db

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}'

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON))"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --upgrade pip setuptools wheel
	$(BIN)/pip install -q -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) ## Create the virtual environment and install Puente

migrate: $(STAMP) ## Apply database migrations
	$(BIN)/puente db upgrade

demo: migrate ## Load the demo data (idempotent)
	$(BIN)/puente demo load

run: demo ## Install, migrate, load the demo and serve on http://127.0.0.1:8000
	$(BIN)/puente serve

lint: $(STAMP) ## ruff (lint and format check) and import contracts
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/lint-imports

types: $(STAMP) ## mypy --strict over src, tests and benchmarks
	$(BIN)/mypy

test: lint types ## Lint, types and the whole test suite
	$(BIN)/pytest -n 2 --dist loadgroup --durations=25 $(PYTEST_ARGS)

messages: $(STAMP) ## Refresh the translation template and catalogs
	$(BIN)/python scripts/i18n.py extract
	$(BIN)/python scripts/i18n.py update

bench: $(STAMP) ## Run the benchmarks (JSON on stdout)
	@for script in benchmarks/*.py; do echo "== $$script"; $(BIN)/python $$script --json; done

bench-peers: ## Virtual environment for the linkage benchmark's anonlink/clkhash peer
	$(PYTHON) -m venv var/linkage-peers
	var/linkage-peers/bin/pip install -q anonlink clkhash

proof: $(STAMP) ## Crash, load, backup, security and invariant proofs; writes docs/proof.md
	$(BIN)/python scripts/proof/run.py $(PROOF_ARGS)

clean: ## Remove the local database, keys and caches
	rm -rf var .mypy_cache .ruff_cache .pytest_cache

.PHONY: help install migrate demo run lint types test messages bench bench-peers proof clean
