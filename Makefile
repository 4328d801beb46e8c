# One command each. The environment (.venv) is made on first use and reused afterwards.
# --compile-bytecode: where PYTHONDONTWRITEBYTECODE is set (as on our machines), Python never
# caches bytecode, so every process (each marmot stage, dbt, every Airflow task) compiled the
# libraries it imports again: importing great_expectations took 17 s instead of 5.7 s.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
PORT ?= 8080
# axe-core for the accessibility tests (tests/publish/test_axe.py), from npm, pinned, installed once
AXE_VERSION := 4.10.3
AXE_DIR := .tools/axe
AXE := $(AXE_DIR)/node_modules/axe-core/axe.min.js
export MARMOT_HOME ?= $(CURDIR)/var

.PHONY: help env chromium axe demo test test-fast lint up down bench clean

help:  ## list the commands
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/.installed: pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install -q "uv==0.13.9"
	$(UV) sync --frozen --extra dev --extra bench --python 3.11 --compile-bytecode
	@touch $@

env: $(BIN)/.installed  ## create or update the environment (.venv, from uv.lock)

chromium:  ## install Debian's chromium for the browser tests, only when /usr/bin/chromium is missing (root)
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

axe: $(AXE)  ## install axe-core $(AXE_VERSION) from npm into .tools/axe for the accessibility tests (npm via apt when missing)

$(AXE):
	@command -v npm >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm; }
	npm install --no-audit --no-fund --no-save --prefix $(AXE_DIR) axe-core@$(AXE_VERSION)
	@test -f $@ && touch $@

demo: env  ## synthetic data -> landing -> whole pipeline through Airflow -> published view
	$(BIN)/python -m devtools demo --port $(PORT)

test: env chromium axe lint  ## lint, then the whole test suite (includes a real Airflow scheduler run, browser and axe tests)
	$(BIN)/pytest

test-fast: env  ## the unit tests alone (no Airflow, dbt, browser or multi-process runs; tests/conftest.py SLOW_MODULES)
	$(BIN)/pytest -m "not scheduler and not dbt and not browser and not integration"

lint: env  ## ruff and mypy: the conventions in pyproject.toml ([tool.ruff], [tool.mypy]; mypy on marmot/stats)
	$(BIN)/ruff check marmot devtools dags tests
	$(BIN)/mypy marmot/stats

up: env  ## start Airflow on 127.0.0.1:$(PORT) with the project's DAGs unpaused, and the partner portal on 127.0.0.1:8090
	$(BIN)/python -m devtools airflow up --port $(PORT)

down: env  ## stop the Airflow and the portal started by make up
	$(BIN)/python -m devtools airflow down

bench: env  ## benchmark: stage times, memory, ratios, goals (issue 21; the portal pre-check p95 of issue 20) (SWEEP=1 adds scales 1-8; SCALE8=1 increment/full at scale 8; DBT_IN_AIRFLOW=1: dbt inside Airflow three ways); writes bench/results/
	$(BIN)/python -m devtools bench $(if $(SWEEP),--sweep) $(if $(SCALE8),--scale8) $(if $(DBT_IN_AIRFLOW),--dbt-in-airflow)

clean:  ## remove all platform state under $(MARMOT_HOME)
	rm -rf "$(MARMOT_HOME)"
