# Two commands on a fresh machine: `make run` and `make test`. Everything else is for developers.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
TEST_STAMP := $(VENV)/.installed-test-stamp

.PHONY: setup setup-test run test lint typecheck pytest bench soak pg clean constraints

# constraints.txt pins every dependency to the versions the suite last passed with.
# `make setup` installs what elab needs to run; `make setup-test` adds the test extras.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip 'setuptools>=77'
	$(BIN)/python -m pip install --quiet -c constraints.txt -e .
	touch $(STAMP)

$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(TEST_STAMP)

# Take the newest releases pyproject.toml allows, then run `make test` before committing.
constraints:
	rm -rf $(VENV).fresh && $(PYTHON) -m venv $(VENV).fresh
	$(VENV).fresh/bin/python -m pip install --quiet --upgrade pip 'setuptools>=77'
	$(VENV).fresh/bin/python -m pip install --quiet -e '.[test]'
	{ sed -n '1,2p' constraints.txt; $(VENV).fresh/bin/pip freeze --exclude-editable; } \
		> constraints.txt.new && mv constraints.txt.new constraints.txt && rm -rf $(VENV).fresh

setup: $(STAMP)

setup-test: $(TEST_STAMP)

run: setup
	$(BIN)/elab

lint: setup-test
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: setup-test
	$(BIN)/mypy

# The storage tests need PostgreSQL: when no test database is configured, start the local one.
pytest: setup-test
	@if [ -z "$$ELAB_TEST_DATABASE_URL" ]; then eval "$$(bash .ci/postgres.sh)"; fi; \
	$(BIN)/pytest -q

test: lint typecheck pytest

bench: setup-test
	@set -e; for f in benchmarks/*.py; do echo "== $$f"; $(BIN)/python $$f; done

soak: setup-test
	ELAB_CRASH_KILLS=1000 $(BIN)/pytest -q -m slow tests/crash

# Start the local PostgreSQL 15 and make the test database; prints the export line to use.
pg:
	@bash .ci/postgres.sh

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
