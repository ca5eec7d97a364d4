# The two commands of the quick start: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

# pytest-xdist workers. Much of the suite waits on redis-servers and child processes, so
# 4 workers on 2 cores keep both busy; worksteal evens out the few long tests. Override
# with `make test WORKERS=1` (or WORKERS=auto, one per core).
WORKERS ?= 4
PYTEST := $(BIN)/pytest -n $(WORKERS) --dist worksteal

.PHONY: run test test-slow lint format screenshots bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	$(BIN)/tls-wizard --demo

test: $(VENV)/.installed-test
	sh scripts/ensure-redis.sh
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(PYTEST)

# The long forms only (every test marked slow, in every folder); `make test` runs the rest.
test-slow: $(VENV)/.installed-test
	sh scripts/ensure-redis.sh
	$(PYTEST) -m slow --run-slow

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(VENV)/.installed-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

screenshots: $(VENV)/.installed-test
	$(BIN)/python -m tui.screenshots screenshots

bench: $(VENV)/.installed-test
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build *.egg-info
