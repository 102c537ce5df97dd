# Two commands on a fresh machine: `make run` and `make test`.
# Everything is installed from locked files: uv.lock (Python, with hashes),
# uv-bootstrap.lock.txt (uv itself, with hashes) and package-lock.json (npm).
SHELL := /bin/bash
PYTHON ?= python3
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
export UV_PROJECT_ENVIRONMENT := $(VENV)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup run test lint typecheck pytest migrate demo bench clean

$(UV): uv-bootstrap.lock.txt
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --require-hashes -r uv-bootstrap.lock.txt
	touch $(UV)

# Bytecode compiled at install: without it every `python -m analysis` recompiled spaCy, pandas
# and scikit-learn (2.6 s of CPU) wherever .pyc files cannot be written (PYTHONDONTWRITEBYTECODE).
$(VENV)/.synced: $(UV) uv.lock pyproject.toml Makefile
	$(UV) sync --frozen --quiet --compile-bytecode
	touch $@

node_modules/.installed: package-lock.json package.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/dist/app.css: node_modules/.installed static/scss/app.scss static/build.mjs
	npm run --silent build

setup: $(VENV)/.synced static/dist/app.css

run: setup
	$(PY) -m consult migrate
	$(PY) -m consult load-demo --if-empty
	$(PY) -m consult serve --host $(HOST) --port $(PORT)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: setup
	$(VENV)/bin/mypy consult surveys analysis panels research app.py

pytest: setup
	$(VENV)/bin/pytest -q $(PYTEST_ARGS)

test: lint typecheck pytest

migrate: setup
	$(PY) -m consult migrate

demo: setup
	$(PY) -m consult load-demo --if-empty

bench: setup
	$(PY) bench/respondents.py
	$(PY) bench/analysis_scale.py

clean:
	rm -rf $(VENV) $(TOOLS) node_modules static/dist
