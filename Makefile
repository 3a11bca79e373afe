# Every target bootstraps what it needs: on a fresh clone `make test` alone works.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install generate check-generated lint typecheck test wheel-check bench demo ci clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[all]' --group dev
	touch $(STAMP)

install: $(STAMP)

generate: $(STAMP)
	$(BIN)/python scripts/generate.py

check-generated: $(STAMP)
	$(BIN)/python scripts/generate.py --check

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

test: $(STAMP)
	$(BIN)/python -m pytest

wheel-check: $(STAMP)
	$(BIN)/python scripts/wheel_check.py

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[all,bench]' --group dev
	$(BIN)/python -m bench

demo: $(STAMP)
	$(BIN)/openai-usage --fake report --chart docs/report.png

ci: check-generated lint typecheck test wheel-check

clean:
	rm -rf $(VENV) build dist .mypy_cache .ruff_cache .pytest_cache
