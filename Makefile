# ElastiCache Autoscaler - the two commands that matter: `make demo` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON313 ?= $(shell PYENV_VERSION=3.13.0 pyenv which python3.13 2>/dev/null || command -v python3.13 || echo $(HOME)/.pyenv/versions/3.13.0/bin/python3.13)
VENV := .venv
EMU_VENV := .venv-emulator
CHECKOV_VENV := .venv-checkov
BIN := $(VENV)/bin
export PATH := $(CURDIR)/$(BIN):$(dir $(PYTHON313)):$(PATH)
export SAM_CLI_TELEMETRY := 0
FUNCTIONS := $(wildcard functions/*/app.py)

.PHONY: help setup demo test lint typecheck validate checkov unit integration e2e bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements/dev.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON313) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

$(EMU_VENV)/.installed: requirements/emulator.txt
	test -x $(EMU_VENV)/bin/python || $(PYTHON313) -m venv $(EMU_VENV)
	$(EMU_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements/emulator.txt
	touch $@

# checkov pins its own boto3/botocore: a virtualenv of its own, from a pinned requirements file.
$(CHECKOV_VENV)/.installed: requirements/checkov.txt
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON313) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements/checkov.txt
	touch $@

setup: $(VENV)/.installed $(EMU_VENV)/.installed $(CHECKOV_VENV)/.installed ## Create the virtualenvs (idempotent)

demo: setup ## Emulator + build + deploy + a managed group + an alarm -> the execution and its decision log
	$(BIN)/python -m tools.demo

lint: setup ## ruff (lint + format check)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Every handler is a module named `app`: one mypy run each (one run over all would see 11 modules `app`).
typecheck: setup ## mypy --strict on both packages, the tests, the tools and each handler
	$(BIN)/mypy layers/autoscaler cli tests tools
	for f in $(FUNCTIONS); do $(BIN)/mypy $$f || exit 1; done

validate: setup ## sam validate --lint, then cfn-lint and checkov on the SAM-translated template
	$(BIN)/sam validate --lint --region us-east-1
	$(BIN)/python -m tools.translate_template build/translated.json
	$(BIN)/python -m tools.cfn_lint build/translated.json
	$(MAKE) --no-print-directory checkov

checkov: $(CHECKOV_VENV)/.installed ## checkov on the SAM-translated template (skips justified in .checkov.yaml)
	$(BIN)/python -m tools.translate_template build/translated.json
	$(CHECKOV_VENV)/bin/checkov --config-file .checkov.yaml -f build/translated.json

unit: setup ## Unit, property and adapter tests (no emulator)
	$(BIN)/pytest -q -m "not emulator" tests/unit tests/property tests/integration

integration: setup ## The adapters against moto and botocore's stubber, the backtests (no emulator)
	$(BIN)/pytest -q tests/integration

e2e: setup ## sam build + the deployed stack on the local emulator, and the emulator's own tests (slow)
	$(BIN)/pytest -q tests/e2e tests/emulator

test: lint typecheck validate ## Every check and every test, emulator included
	$(BIN)/pytest -q

bench: setup ## The decision-quality benchmark (simulator) and the system benchmark (emulator, ~4 min)
	$(BIN)/elasticache-autoscaler bench
	$(BIN)/python -m tools.system_bench

clean: ## Remove build output
	rm -rf .aws-sam build
