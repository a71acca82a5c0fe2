# The two set-up commands of the README: `make demo` and `make test`. Both build .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export ORT_DISABLE_TELEMETRY := 1

.PHONY: demo test lint bench install

$(BIN)/newstrace: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,semantic]'
	touch $@

install: $(BIN)/newstrace

demo: install
	rm -f demo.db
	$(BIN)/newstrace analyze examples/demo --db demo.db

lint: install
	$(BIN)/ruff check src tests benchmarks

test: lint
	$(BIN)/pytest

bench: install
	$(BIN)/python -m benchmarks
