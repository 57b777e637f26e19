# One Makefile; CI calls the same targets.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo example test lint typecheck bench screenshots clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test,dev]"
	@touch $(STAMP)

demo: $(STAMP)  ## the studio on http://127.0.0.1:8765 with a demo project (embedded database, offline)
	$(VENV)/bin/goldlabel serve --demo

example: $(STAMP)  ## the library alone: label issues in scikit-learn's digits with flipped labels
	$(PY) -m goldlabel.demo

test: $(STAMP)  ## lint, type-check and run the whole test suite
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/pytest -n 2 -q

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks

typecheck: $(STAMP)  ## mypy; strict on the studio's layers (DESIGN.md)
	$(VENV)/bin/mypy
	$(VENV)/bin/mypy --strict src/goldlabel/store src/goldlabel/service src/goldlabel/server src/goldlabel/client src/goldlabel/cli

screenshots: $(STAMP)  ## rewrite docs/screenshots/*.png from the browser tests (needs chromium)
	GOLDLABEL_SCREENSHOTS=1 $(VENV)/bin/pytest -q -m browser tests/browser

bench: $(STAMP)  ## speed against cleanlab (needs no ../shared)
	$(PY) benchmarks/core.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
