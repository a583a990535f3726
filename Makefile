# Two commands: `make run` serves Parla on Ray Serve, `make test` runs the whole suite.
# Both build .venv from the pinned lock files on first use (Python 3.11+ is all they need).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
UV_VERSION := 0.9.30
# llama-cpp-python builds llama.cpp from source; GGML_NATIVE=OFF compiles for generic x86-64
# instead of this CPU's instruction set, so the build works here and the result runs on any
# machine the venv or image is copied to.
export CMAKE_ARGS := -DGGML_NATIVE=OFF

.PHONY: run test install install-test browser lock lint clean

$(UV):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# uv pip sync makes the venv match the lock exactly; the stamp records which lock it matches.
$(VENV)/.synced-run: requirements.lock pyproject.toml | $(UV)
	$(UV) pip sync --quiet --python $(BIN)/python requirements.lock
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -e .
	rm -f $(VENV)/.synced-*; touch $@

$(VENV)/.synced-test: requirements-test.lock pyproject.toml | $(UV)
	$(UV) pip sync --quiet --python $(BIN)/python requirements-test.lock
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -e .
	rm -f $(VENV)/.synced-*; touch $@

install: $(VENV)/.synced-run
install-test: $(VENV)/.synced-test

# The try page's tests drive Debian's Chromium (Playwright never downloads a browser here).
CHROMIUM := /usr/bin/chromium
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
browser:
	@test -x $(CHROMIUM) || { $(SUDO) apt-get update -q && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium; }

run: install
	$(BIN)/python -m deployments.launch

test: install-test browser
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# Re-pin after changing dependencies in pyproject.toml.
lock: | $(UV)
	$(UV) pip compile --quiet --python-version 3.11 pyproject.toml -o requirements.lock
	$(UV) pip compile --quiet --python-version 3.11 pyproject.toml --extra test -o requirements-test.lock

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
