# ScoreMate: `make up` starts everything natively, `make test` checks everything.
SHELL := /bin/bash
UV ?= $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
PY := .venv/bin/python

.PHONY: up down logs clean status install sync lint typecheck test test-fast test-resilience admin

install: sync
	$(PY) -m scoremate_stack install

sync:
	@command -v uv >/dev/null 2>&1 || python3 -m pip install --quiet uv
	uv sync --frozen

up: install
	$(PY) -m scoremate_stack up

down:
	@test -x $(PY) && $(PY) -m scoremate_stack down || true

logs:
	$(PY) -m scoremate_stack logs

status:
	$(PY) -m scoremate_stack status

clean:
	@test -x $(PY) && $(PY) -m scoremate_stack clean || rm -rf .run

admin:
	@test -n "$(EMAIL)" || { echo "usage: make admin EMAIL=someone@example.com"; exit 2; }
	set -a; source <($(PY) -c 'from scoremate_stack import StackConfig; [print(f"{k}={v}") for k, v in StackConfig.dev().service_env("auth").items()]'); \
	  $(PY) -m scoremate_auth.admin grant-admin "$(EMAIL)"

lint: sync
	uv run --frozen ruff check .
	uv run --frozen ruff format --check .

typecheck: sync
	uv run --frozen mypy shared services deploy/local tests bench

test: install lint typecheck
	uv run --frozen pytest

# Lint, types and the unit tests (no stack to start): about a minute.
test-fast: sync lint typecheck
	uv run --frozen pytest -m "not stack and not resilience"

test-resilience: install
	uv run --frozen pytest -m resilience tests/resilience
