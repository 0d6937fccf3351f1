# The README, CI and developers all use these targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint check bench bench-desk docs labels clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall when the project's dependencies change.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[postgres]"
	$(BIN)/python -m pip install --quiet --group dev
	touch $(STAMP)

## demo: set up, then ingest the bundled sample corpus from a loopback server into SQLite
demo: $(STAMP)
	$(BIN)/eurasiawatch demo

## test: set up, then run the whole test suite (CI sets CI=true: missing services fail, never skip)
test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

check: lint
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/extract.py

## bench-desk: 20 requests/s for 60 s at the desk's dashboard and search over 1,000,000 synthetic articles
bench-desk: $(STAMP)
	$(BIN)/python bench/desk_load.py

docs: $(STAMP)
	$(BIN)/eurasiawatch config docs > docs/config.md

## labels: regenerate the sample corpus labels.jsonl from the hand-written labels in its YAML files
labels: $(STAMP)
	$(BIN)/python -c "from eurasiawatch.demo.corpus import write_labels; print(write_labels())"

clean:
	rm -rf $(VENV) ew-data .pytest_cache .ruff_cache .mypy_cache
