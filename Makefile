# Two commands do all set-up on a fresh machine: `make report` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
OUT    ?= mindshare-report
# `make report` installs mindshare with what it needs (pyproject's dependencies); `make test` adds its `test` extra
# (the test tools, Playwright, dask and s3fs, ruff and mypy). Each is redone only when the dependencies change.
INSTALLED      := $(VENV)/.installed
TEST_INSTALLED := $(VENV)/.installed-test
DEPENDENCIES   := pyproject.toml constraints.txt setup.py src/mindshare/scan/_native.c

.PHONY: report test bench clean

$(INSTALLED): $(DEPENDENCIES)
	bash scripts/ensure-system-packages build
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e .
	touch $@

$(TEST_INSTALLED): $(INSTALLED)
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[test]"
	touch $@

report: $(INSTALLED)
	$(BIN)/mindshare report --out $(OUT)

test: $(TEST_INSTALLED)
	bash scripts/ensure-system-packages test
	PYTHON=$(BIN)/python bash scripts/lint   # ruff and mypy, before the tests
	$(BIN)/python -m pytest -n 2 -q

bench: $(TEST_INSTALLED)
	$(BIN)/python bench/report.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache build dist
	find src -name '*.so' -delete
