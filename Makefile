# The two commands of README.md:
#   make run   installs, builds the sample site and serves it at http://127.0.0.1:8000
#   make test  installs what the tests need and runs every check and test
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test install lint typecheck build validate clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/kb serve --host 127.0.0.1 --port 8000

build: $(STAMP)
	$(VENV)/bin/kb build --strict

validate: $(STAMP)
	$(VENV)/bin/kb validate --strict

lint: $(STAMP)
	$(VENV)/bin/ruff check generator tests bench

typecheck: $(STAMP)
	$(VENV)/bin/mypy

test: $(STAMP)
	scripts/test-deps
	$(VENV)/bin/ruff check generator tests bench
	$(VENV)/bin/mypy
	$(PY) -m pytest -q

clean:
	rm -rf site .site-tmp-* $(VENV) .pytest_cache .mypy_cache .ruff_cache
