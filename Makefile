# Samskab: `make run` starts the platform locally with demo data; `make test` runs every test.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
STAMP  := $(VENV)/.installed
export PYTHONPATH := $(CURDIR)/shared:$(CURDIR)/services
export PYTHONWARNINGS ?= ignore::DeprecationWarning

.PHONY: help install run test test-fast bench bench-quick drill dlq migrate asyncapi check-asyncapi check-deploy image clean

# `make image`: the one image of every service, the name compose and the Kubernetes base use.
IMAGE        ?= ghcr.io/samskab/samskab
VERSION      := $(shell sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml)
PYTHON_IMAGE ?= python:3.11.11-slim-bookworm
IMAGE_OUTPUT ?= --load

help:
	@echo "make run          start every service and the gateway with demo data (http://localhost:8000)"
	@echo "make test         the whole test suite against a real RabbitMQ and PostgreSQL"
	@echo "make bench        benchmarks (figures, ratios against baselines) → bench/results/"
	@echo "make drill        fault drills (broker, service, database outages)"
	@echo "make dlq          list dead letters (ARGS='replay <queue>' to replay)"
	@echo "make check-deploy validate compose, kustomize, alert rules, Dockerfiles"
	@echo "make image        build $(IMAGE):$(VERSION) (pinned base, SBOM attestation with buildx)"
	@echo "make partner NAME=x MUNICIPALITIES=a,b  a third party's broker user (read-only) and its connection details"

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[dev,test]'
	sh scripts/install_tools.sh
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) scripts/run_local.py

test: $(STAMP)
	@sh scripts/install_tools.sh
	$(PY) scripts/ensure_services.py
	$(PY) -m pytest -q

test-fast: $(STAMP)
	$(PY) -m pytest -q -m "not integration and not browser"

bench: $(STAMP)
	$(PY) scripts/ensure_services.py
	$(PY) bench/run.py $(ARGS)

bench-quick: $(STAMP)
	$(PY) scripts/ensure_services.py
	$(PY) bench/run.py --quick

drill: $(STAMP)
	$(PY) bench/drill.py $(ARGS)

check-deploy: $(STAMP)
	$(PY) scripts/check_deploy.py

# hadolint first; with buildx the image carries an SBOM (and minimal provenance) attestation.
image: $(STAMP)
	$(PY) scripts/check_deploy.py hadolint
	@if docker buildx version >/dev/null 2>&1; then \
	  docker buildx build --sbom=true --provenance=mode=min $(IMAGE_OUTPUT) \
	    --build-arg PYTHON_IMAGE=$(PYTHON_IMAGE) --build-arg VERSION=$(VERSION) -t $(IMAGE):$(VERSION) . ; \
	else \
	  echo "docker buildx is missing: building without an SBOM"; \
	  docker build --build-arg PYTHON_IMAGE=$(PYTHON_IMAGE) --build-arg VERSION=$(VERSION) -t $(IMAGE):$(VERSION) . ; \
	fi

partner: $(STAMP)
	$(PY) scripts/onboard_partner.py "$(NAME)" "$(MUNICIPALITIES)" $(ARGS)

dlq: $(STAMP)
	$(PY) -m samskab.dlq $(or $(ARGS),list)

migrate: $(STAMP)
	$(PY) -m samskab.migrate $(ARGS)

asyncapi: $(STAMP)
	$(PY) scripts/asyncapi.py

check-asyncapi: $(STAMP)
	$(PY) scripts/asyncapi.py --check
	node tools/asyncapi/validate.js docs/asyncapi.yaml

clean:
	rm -rf var/ test-artifacts/
