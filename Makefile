# Two commands on a fresh machine:
#   DISCORD_TOKEN=... make run    installs what the bot needs into .venv and runs it
#   make test                     installs the test tools too, then lints and runs every test
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python

.PHONY: run test lint bench content-check practice clean

$(VENV)/.run: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.dev: $(VENV)/.run
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

run: $(VENV)/.run
	$(PY) -m bot $(ARGS)

test: $(VENV)/.dev
	$(PY) -m ruff check bot tests bench
	$(PY) -m mypy bot
	$(PY) -m pytest

lint: $(VENV)/.dev
	$(PY) -m ruff check bot tests bench
	$(PY) -m ruff format --check bot
	$(PY) -m mypy bot

content-check: $(VENV)/.run
	$(PY) -m bot content check

practice: $(VENV)/.run
	$(PY) -m bot practice $(ARGS)

bench: $(VENV)/.dev
	$(PY) -m bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
