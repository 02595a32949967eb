# Two entry points: `make demo` (a default training run) and `make test`.
# Each creates or reuses .venv and installs the project into it.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

.PHONY: install demo test test-slow lint bench
install: $(STAMP)

demo: $(STAMP)
	$(BIN)/agi train --preset default --world social --out runs/demo --overwrite

# Two test processes, each test file whole in one (its module fixtures compile once): 20 min against 23 in one
# process on the 2-core CI machine. No GPU memory is preallocated, so that both can share one accelerator. Both
# keep compiled programs in one folder (train.compile_cache), so a program that several tests build compiles once:
# 15 min against 20 from an empty folder, which each run starts from (it would only grow, and CI starts empty).
TEST_WORKERS ?= 2
TEST_CACHE ?= $(CURDIR)/.cache/xla-test
test: $(STAMP)
	$(BIN)/ruff check .
	rm -rf $(TEST_CACHE)
	XLA_PYTHON_CLIENT_PREALLOCATE=false JAX_COMPILATION_CACHE_DIR=$(TEST_CACHE) \
		$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile

test-slow: $(STAMP)
	$(BIN)/python -m pytest -q -m slow

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .
