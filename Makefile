# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CONFIG ?= config/webcare.toml

.PHONY: run test lint bench install dev clean translations

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

dev: $(VENV)/.dev-installed

## run: install, create or migrate the database, start collectors and web UI with the demo config
run: install
	$(BIN)/webcare --config $(CONFIG) init
	$(BIN)/webcare --config $(CONFIG) run

## test: install the dev extras and run the whole test suite
test: dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## lint: ruff and mypy
lint: dev
	$(BIN)/ruff check monitor classifiers webui tests bench
	$(BIN)/ruff format --check monitor classifiers webui tests bench
	$(BIN)/mypy

## bench: print the performance figures
bench: dev
	$(BIN)/python -m bench $(BENCH)

## translations: gather the UI's strings, merge them into the Dutch catalogue, compile it
translations: dev
	$(BIN)/pybabel extract -F webui/babel.cfg -k _l -k N_ --no-location --sort-output -o webui/translations/messages.pot webui
	$(BIN)/pybabel update -i webui/translations/messages.pot -d webui/translations -l nl --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile -d webui/translations -l nl --statistics

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
