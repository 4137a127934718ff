# The two commands a newcomer needs: `make run` (the whole system) and `make test` (the whole suite).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: run test test-faults install lint typecheck schemas docs clean bench bench-freshness

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(PY) -m devtools.run

test: install
	$(PY) -m pytest -q $(PYTEST_ARGS)

# The fault matrix (tests/faults/, minutes; docs/testing.md): left out of `make test`.
test-faults: install
	$(PY) -m pytest -q -m faults tests/faults $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .

typecheck: install
	$(VENV)/bin/mypy

schemas: install
	$(PY) -m shared.events docs/events

# Documents generated from the code: event schemas and the validation rule catalogue.
docs: schemas
	$(PY) -m services.validation.rules docs/validation-rules.md

# Reporting's freshness at a steady load (docs/reporting.md): intake to the province's view.
bench-freshness: install
	$(PY) -m bench.freshness $(BENCH_ARGS)

clean:
	rm -rf .data test-artifacts .pytest_cache .mypy_cache .ruff_cache

# The benchmark (a few minutes; BENCH_ARGS=--deadline-night for the long scenario, --smoke for seconds).
bench: install
	$(PY) -m bench.run $(BENCH_ARGS)
