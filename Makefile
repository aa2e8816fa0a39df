# Two commands do all set-up on a fresh machine: `make report` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
OUT    ?= mindshare-report
STAMP  := $(VENV)/.installed

.PHONY: report test bench clean

# The virtual environment is rebuilt only when the dependencies change.
$(STAMP): pyproject.toml constraints.txt setup.py src/mindshare/scan/_native.c
	bash scripts/ensure-system-packages build
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[scan,test]"
	touch $@

report: $(STAMP)
	$(BIN)/mindshare report --out $(OUT)

test: $(STAMP)
	bash scripts/ensure-system-packages test
	PYTHON=$(BIN)/python bash scripts/lint
	$(BIN)/python -m pytest -n 2 -q

bench: $(STAMP)
	$(BIN)/python bench/report.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache build
	find src -name '*.so' -delete
