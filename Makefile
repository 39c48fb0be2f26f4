# The two commands of README.md:
#   make run   installs from the lock, builds the sample site and serves it at http://127.0.0.1:8000
#   make test  installs from the lock what the tests need and runs every check and test
# Everything Python comes from uv.lock (`uv sync --frozen`); uv itself from requirements/uv.txt (hashes).
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
UV     := $(VENV)/bin/uv
STAMP  := $(VENV)/.installed
LATEST ?= .venv-latest
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never
export UV_NO_PROGRESS := 1
PIP_QUIET := --quiet --disable-pip-version-check

.PHONY: run test test-unit test-latest install lint typecheck imports build validate lock clean

$(STAMP): pyproject.toml uv.lock requirements/uv.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install $(PIP_QUIET) --require-hashes -r requirements/uv.txt
	$(UV) sync --frozen --extra test --python $(PY) --quiet
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

# The layers of docs/architecture.md and the engine inside generator/mkdocs/ (.importlinter).
imports: $(STAMP)
	$(VENV)/bin/lint-imports --no-cache

test: $(STAMP)
	scripts/test-deps
	$(VENV)/bin/ruff check generator tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m pytest -q --durations=15

# The fast, in-process tests alone: no browser, no database, no build (seconds).
test-unit: $(STAMP)
	$(PY) -m pytest -q -m unit --durations=5

# Drift on purpose: the newest versions the ranges of pyproject.toml allow, in a venv of its own,
# against the same tests (the lock checks excepted). Tells early what the next `make lock` brings.
test-latest:
	scripts/test-deps
	rm -rf $(LATEST)
	$(PYTHON) -m venv $(LATEST)
	$(LATEST)/bin/pip install $(PIP_QUIET) --upgrade pip
	$(LATEST)/bin/pip install $(PIP_QUIET) --upgrade --upgrade-strategy eager -e '.[test]'
	$(LATEST)/bin/pip freeze --exclude-editable > $(LATEST)/versions.txt
	$(LATEST)/bin/ruff check generator tests bench
	$(LATEST)/bin/mypy
	$(LATEST)/bin/lint-imports --no-cache
	$(LATEST)/bin/python -m pytest -q -m "not lock" --durations=15

# Refresh the lock (newest versions the ranges allow), then run `make test` and commit uv.lock.
lock: $(STAMP)
	$(UV) lock --upgrade
	$(UV) export --frozen --only-group dev --no-emit-project --no-header --no-annotate > requirements/uv.txt.new
	{ echo "# The lock tool, bootstrapped by \`make install\` with pip's hash checking; generated from uv.lock by"; \
	  echo "#   make lock"; cat requirements/uv.txt.new; } > requirements/uv.txt && rm requirements/uv.txt.new

clean:
	rm -rf site .site-tmp-* $(VENV) $(LATEST) .pytest_cache .mypy_cache .ruff_cache
