# Two commands: `make run` serves Parla on Ray Serve, `make test` runs the whole suite.
# Both build .venv from the pinned lock files on first use (Python 3.11+ is all they need).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
UV_VERSION := 0.9.30

.PHONY: run test install install-test openmp browser lock clean

$(UV):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# uv pip sync makes the venv match the lock exactly; the stamp records which lock it matches.
# --no-build: every pinned package installs from a wheel, so no compiler is ever needed.
$(VENV)/.synced-run: requirements.lock pyproject.toml | $(UV)
	$(UV) pip sync --quiet --no-build --python $(BIN)/python requirements.lock
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -e .
	rm -f $(VENV)/.synced-*; touch $@

$(VENV)/.synced-test: requirements-test.lock pyproject.toml | $(UV)
	$(UV) pip sync --quiet --no-build --python $(BIN)/python requirements-test.lock
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -e .
	rm -f $(VENV)/.synced-*; touch $@

install: $(VENV)/.synced-run
install-test: $(VENV)/.synced-test

# Debian packages beyond Python, installed when missing (apt-get, with sudo unless root): the
# OpenMP runtime that llama.cpp's wheel links against, and for the try page's tests Debian's
# Chromium (Playwright never downloads a browser here).
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
APT_INSTALL := $(SUDO) apt-get update -q && $(SUDO) env DEBIAN_FRONTEND=noninteractive \
	apt-get install -y -q --no-install-recommends

openmp:
	@ldconfig -p | grep -q 'libgomp\.so\.1' || { $(APT_INSTALL) libgomp1; }

browser:
	@test -x /usr/bin/chromium || { $(APT_INSTALL) chromium; }

run: install openmp
	$(BIN)/python -m deployments.launch

test: install-test openmp browser
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# Re-pin after changing dependencies in pyproject.toml; uv keeps the other pins already in the
# lock files and applies pyproject.toml's [tool.uv] override-dependencies.
lock: | $(UV)
	$(UV) pip compile --quiet --python-version 3.11 pyproject.toml -o requirements.lock
	$(UV) pip compile --quiet --python-version 3.11 pyproject.toml --extra test --extra evaluation -o requirements-test.lock

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
