# ScoreMate: `make up` starts everything natively, `make test` checks everything.
SHELL := /bin/bash
UV ?= $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
PY := .venv/bin/python

.PHONY: up down logs clean status install sync lint typecheck test test-fast test-resilience admin images push-images openapi client web screenshots

install: sync
	$(PY) -m scoremate_stack install

# The workspace; checkov (tests/deploy scan the Kubernetes manifests with it) and the client
# generator each in its own locked environment: their pins would otherwise move the services'.
sync:
	@command -v uv >/dev/null 2>&1 || python3 -m pip install --quiet uv
	uv sync --frozen
	uv sync --frozen --quiet --project deploy/checkov
	uv sync --frozen --quiet --project clients/generator

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

# The gateway's merged OpenAPI document and the Python client generated from it (both committed;
# tests fail when either is stale).
openapi: sync
	$(PY) -m scoremate_stack write-openapi

client: openapi
	uv run --frozen --project clients/generator openapi-python-client generate --path docs/openapi.json \
		--output-path clients/python --overwrite --config clients/generator/config.yaml --meta uv

test: install lint typecheck
	uv run --frozen pytest

# Lint, types and the unit tests (no stack to start): about a minute.
test-fast: sync lint typecheck
	uv run --frozen pytest -m "not stack and not resilience"

test-resilience: install
	uv run --frozen pytest -m resilience tests/resilience

# The web app and admin console (web/ -> web/dist; `make install` does it too, when web/ changed).
web: sync
	$(PY) -m scoremate_stack build-web

# The README's two screenshots (docs/screenshots/library.png, console.png), taken by the browser
# journeys of tests/browser on a throw-away stack.
screenshots: install
	SCOREMATE_README_SCREENSHOTS=docs/screenshots uv run --frozen pytest tests/browser -q

# The services' container images (services/<name>/Dockerfile), tagged as the production overlay
# names them: `make images IMAGE_REPOSITORY=registry.example.com/scoremate IMAGE_TAG=1.0.1`,
# then `make push-images` with the same values (docs/OPERATIONS.md). CONTAINER_ENGINE=podman builds
# with podman.
CONTAINER_ENGINE ?= docker
IMAGE_REPOSITORY ?= scoremate
IMAGE_TAG ?= 1.0.0
IMAGE_SERVICES := auth files library processor billing sync exports

images: $(addprefix image-,$(IMAGE_SERVICES))

image-%:
	$(CONTAINER_ENGINE) build -f services/$*/Dockerfile -t $(IMAGE_REPOSITORY)/$*:$(IMAGE_TAG) .

push-images: $(addprefix push-image-,$(IMAGE_SERVICES))

push-image-%: image-%
	$(CONTAINER_ENGINE) push $(IMAGE_REPOSITORY)/$*:$(IMAGE_TAG)
