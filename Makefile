# Two commands for a new user:  `make demo`  and  `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test bench clean docs

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

## demo: run the whole sample pipeline on sample-data/ (outputs in sample-data/out/)
demo: $(STAMP)
	$(MAKE) --no-print-directory -C sample-data TARIFFKIT="$(abspath $(BIN))/tariffkit"
	@echo
	@echo "Outputs are in sample-data/out/:"
	@ls -1 sample-data/out/ | sed 's/^/  sample-data\/out\//'

## test: run the test suite
test: $(STAMP)
	$(BIN)/python -m pytest -q

## bench: run the benchmark harness (installs duckdb and pandas for comparison only)
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[bench]'
	$(BIN)/python bench/run.py

## docs: regenerate the generated docs (command reference, data contracts) from the code
docs: $(STAMP)
	$(BIN)/python -m tariffkit.docgen > docs/commands.md
	$(BIN)/tariffkit schema --markdown > docs/data-contracts.md

clean:
	rm -rf $(VENV) sample-data/out
