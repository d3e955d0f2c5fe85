# Two commands on a fresh machine:
#   DISCORD_TOKEN=... make run    installs what the bot needs into .venv and runs it
#   make test                     installs the test tools too, then lints and runs every test
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
# Installs come from the lock files (exact versions, every file's hash checked), then the
# project itself without its dependencies. `make lock` refreshes them.
INSTALL := $(PY) -m pip install --quiet
UPGRADE ?= --upgrade
COMPILE := $(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links $(UPGRADE)

.PHONY: run test lint lock bench content-check practice clean

$(PY):
	$(PYTHON) -m venv $(VENV)

# A changed lock file (or pyproject.toml) reinstalls.
$(VENV)/.run: requirements.lock pyproject.toml | $(PY)
	$(INSTALL) --require-hashes -r requirements.lock
	$(INSTALL) --no-deps -e .
	touch $@

$(VENV)/.dev: requirements-dev.lock pyproject.toml | $(PY)
	$(INSTALL) --require-hashes -r requirements-dev.lock
	$(INSTALL) --no-deps -e .
	touch $@

run: $(VENV)/.run
	$(PY) -m bot $(ARGS)

test: $(VENV)/.dev
	$(PY) -m ruff check bot tests bench
	$(PY) -m ruff format --check bot tests bench
	$(PY) -m mypy bot
	$(PY) -m pytest

lint: $(VENV)/.dev
	$(PY) -m ruff check bot tests bench
	$(PY) -m ruff format --check bot tests bench
	$(PY) -m mypy bot

# After changing dependencies in pyproject.toml, and monthly for security fixes: every pin
# moves to the newest release pyproject.toml allows (`make lock UPGRADE=` keeps the pins that
# still fit and changes only what it must). The dev lock is constrained to the runtime one, so
# both install the same versions. Run with Python 3.11 on Linux, what the image and CI run.
lock: $(VENV)/.dev
	$(COMPILE) -o requirements.lock pyproject.toml
	$(COMPILE) --extra dev -c requirements.lock -o requirements-dev.lock pyproject.toml

content-check: $(VENV)/.run
	$(PY) -m bot content check

practice: $(VENV)/.run
	$(PY) -m bot practice $(ARGS)

bench: $(VENV)/.dev
	$(PY) -m bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
