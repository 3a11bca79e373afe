# Every target bootstraps what it needs: on a fresh clone `make test` alone works.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# `make demo` writes its chart here, outside the working tree (tests and the demo never write
# into it: `.ci/run` checks `git status --porcelain` after both).
DEMO_DIR ?= /tmp/openai-usage-demo

.PHONY: install generate check-generated lint typecheck test wheel-check bench demo docs-image ci clean

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

# On every core: the tests share no state but what a fixture makes (tmp paths, ports).
test: $(STAMP)
	$(BIN)/python -m pytest -n auto

wheel-check: $(STAMP)
	$(BIN)/python scripts/wheel_check.py

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[all,bench]' --group dev
	$(BIN)/python -m bench

demo: $(STAMP)
	@mkdir -p $(DEMO_DIR)
	@$(BIN)/openai-usage --fake report --chart $(DEMO_DIR)/report.png

# Remakes docs/report.png, the README's image (the same bytes every run): commit the result.
docs-image: $(STAMP)
	$(BIN)/openai-usage --fake report -q --chart docs/report.png > /dev/null

ci: check-generated lint typecheck test wheel-check

clean:
	rm -rf $(VENV) build dist .mypy_cache .ruff_cache .pytest_cache
