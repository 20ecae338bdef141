# Two commands for a new user:  `make demo`  and  `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test bench bench-50x mutation mutation-sample clean docs

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

## test: lint and format check (ruff), type check (mypy; settings in pyproject.toml), then the test suite
test: $(STAMP)
	$(BIN)/ruff check --quiet .
	$(BIN)/ruff format --check --quiet .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

## bench: run the benchmark harness at 100,000 citizens (installs duckdb and pandas for comparison only)
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[bench]'
	$(BIN)/python bench/run.py

## bench-50x: the scaling run at 1×, 4×, 16× and 50× the sample and compute-haap on 104.8 M lines against DuckDB (about 40 minutes, 20 GB of disk)
bench-50x: $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[bench]'
	$(BIN)/python bench/run.py --only scaling --only national --scaling 1,4,16,50 --results bench/SCALING.md

## mutation: deliberate mistakes in the domain core (mutmut), the score written to bench/MUTATION.md.
## The whole core is about 16,000 mutants (hours on two cores); MUTATE narrows it (the modules of
## earlier runs stay in the report with their commit), e.g.
## `make mutation MUTATE='tariffkit.money* tariffkit.cpr*'` (mutant names are module.function).
MUTATE ?=
mutation: $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[mutation]'
	rm -rf mutants
	start=$$(date +%s); $(BIN)/mutmut run $(MUTATE) && \
	  $(BIN)/python bench/mutation.py --write bench/MUTATION.md --minutes $$(( ($$(date +%s) - start) / 60 )) $(if $(MUTATE),--only '$(MUTATE)' --merge)

## mutation-sample: the same over a random sample of SAMPLE mutants of the whole core (seed SEED), an
## estimate of the whole core's score with its 95 % interval, written to bench/MUTATION-SAMPLE.md
## (about 5 seconds a mutant on two cores). The first `mutmut run` of one name generates every mutant.
SAMPLE ?= 400
SEED ?= 2026
mutation-sample: $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[mutation]'
	rm -rf mutants
	$(BIN)/mutmut run 'tariffkit.money.x_ore__mutmut_1' >/dev/null
	$(BIN)/python bench/mutation.py --sample $(SAMPLE) --seed $(SEED) > mutants/sample.txt
	start=$$(date +%s); $(BIN)/mutmut run $$(cat mutants/sample.txt) && \
	  $(BIN)/python bench/mutation.py --names mutants/sample.txt --seed $(SEED) --write bench/MUTATION-SAMPLE.md --minutes $$(( ($$(date +%s) - start) / 60 ))

## docs: regenerate the generated docs (command reference, data contracts) from the code
docs: $(STAMP)
	$(BIN)/python -m tariffkit.docgen > docs/commands.md
	$(BIN)/tariffkit schema --markdown > docs/data-contracts.md

clean:
	rm -rf $(VENV) sample-data/out
