# Two commands do all of the set-up on a fresh machine: `make demo` and `make test`.
# Each creates .venv from requirements.lock (the lock file) on first use.

PYTHON   ?= python3
VENV     ?= .venv
BIN      := $(VENV)/bin
UV       := $(BIN)/uv
ARTICLES ?= 60
DATA     ?= data
STORAGE  ?= $(DATA)/archive
SITE     ?= niaga
PORT     ?= 8765
PYTEST_ARGS ?=
# `make test` runs the tests on this many processes (pytest-xdist); 0 runs them in this one.
# Tests of one module, and modules sharing a session fixture, stay together (tests/conftest.py).
TEST_WORKERS ?= 2

.PHONY: demo test lint typecheck lock clean install mutate explore chromium

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet uv==0.13.9
	$(UV) pip install --quiet --python $(BIN)/python -r requirements.lock
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $@

## Crawl the bundled replica of niaga.asia and archive it under $(DATA)/.
demo: install
	"$(BIN)/warta" demo --site "$(SITE)" --articles "$(ARTICLES)" --port "$(PORT)" --data-dir "$(DATA)" --storage "$(STORAGE)"

.PHONY: research
## pandas and the DuckDB command line, for reading exports (docs/research.md).
research: install
	"$(UV)" pip install --quiet --python "$(BIN)/python" -e '.[research]'

.PHONY: s3
## A local S3 server (SeaweedFS) with a bucket; prints the `export AWS_*` lines to paste.
s3: install
	"$(BIN)/python" -m bench.local_s3 --dir "$(DATA)/s3"

## Search the demo archive in a browser: warta explore on 127.0.0.1:$(EXPLORE_PORT). A local
## archive with no crawl in it is made first (make demo, for niaga and for kabarbenua).
EXPLORE_PORT ?= 8780
explore: install
	@case "$(STORAGE)" in s3://*) ;; *) \
	  if ! find "$(STORAGE)" -name '*.manifest.json' 2>/dev/null | grep -q .; then \
	    $(MAKE) --no-print-directory demo SITE=niaga && \
	    $(MAKE) --no-print-directory demo SITE=kabarbenua ARTICLES=40; \
	  fi ;; esac
	$(BIN)/warta explore $(STORAGE) --port $(EXPLORE_PORT)

## Debian's chromium for the explorer's browser test (apt-get, as root); a no-op if present.
chromium:
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium \
	  || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium; }; \
	else echo "chromium is missing: install Debian's chromium package (as root: make chromium)"; fi

## Lint, type-check and run every test, including the end-to-end ones that start servers,
## on TEST_WORKERS processes.
test: install
	$(BIN)/ruff check crawler flows replica tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python -m pytest $(if $(filter-out 0,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist loadgroup) $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check crawler flows replica tests bench
	$(BIN)/ruff format --check crawler flows replica tests bench

typecheck: install
	$(BIN)/mypy

## Mutation testing of every module of crawler/ and flows/ ([tool.mutmut] in pyproject.toml);
## not part of `make test`. MUTATE_PKG=crawler/fetch runs one package (or module) on its own,
## against its mirror under tests/ ('crawler/warc flows' runs two, each in its own folder);
## MUTATE_ARGS='--fresh -j 1 --parallel 1' forgets earlier results, runs one mutant and one package at a time.
MUTATE_PKG ?=
MUTATE_ARGS ?=
mutate: install
	$(BIN)/python -m bench.mutate $(foreach p,$(MUTATE_PKG),--package $(p)) $(MUTATE_ARGS)

## Regenerate the lock file after changing dependencies in pyproject.toml.
lock: install
	$(UV) pip compile pyproject.toml --extra dev --python-version 3.11 --no-header -o requirements.lock

clean:
	rm -rf "$(VENV)" "$(DATA)" .pytest_cache .mypy_cache .ruff_cache

## pywb in a venv of its own (it pins redis 2.10, Prefect needs redis>=6): replay tests.
PYWB_VENV ?= .venv-pywb
PYWB_PINS := 'pywb==2.10.0' 'warcio==1.8.1'
$(PYWB_VENV)/.installed:
	rm -rf $(PYWB_VENV)
	$(PYTHON) -m venv $(PYWB_VENV)
	if [ -x $(UV) ]; then $(UV) pip install --quiet --python $(PYWB_VENV)/bin/python $(PYWB_PINS); \
	else $(PYWB_VENV)/bin/pip install --quiet $(PYWB_PINS); fi
	touch $@

.PHONY: pywb
pywb: $(PYWB_VENV)/.installed

.PHONY: eval
## Score extraction on real pages (../shared/realpages/) against trafilatura, readability, newspaper4k.
eval: install
	$(BIN)/python -m bench.eval.run $(EVAL_ARGS)

.PHONY: bench
## Throughput and memory against fetch and extraction ceilings and wget (docs/performance.md).
## BASELINE=<git revision> also crawls that revision in the same run (baseline_articles_per_s).
BENCH_SIZES ?= 1000,10000
BASELINE ?=
BENCH_ARGS ?=
bench: install
	$(BIN)/python -m bench.crawl_bench --sizes $(BENCH_SIZES) $(if $(BASELINE),--baseline $(BASELINE)) $(BENCH_ARGS)

.PHONY: bench-scale
## Query time and memory before and after compaction, 100 to 10,000 crawls, local and on
## SeaweedFS (docs/research.md, "At scale").
SCALE_SIZES ?= 100,1000,10000
bench-scale: install
	$(BIN)/python -m bench.scale_bench --sizes $(SCALE_SIZES) $(SCALE_ARGS)

.PHONY: fleet
## A Prefect work pool of two workers sharing one archive; one worker is killed mid-round
## (docs/scheduling.md). SeaweedFS is started unless STORAGE=s3://bucket/prefix.
fleet: install
	$(BIN)/python -m bench.fleet $(if $(filter s3://%,$(STORAGE)),--storage $(STORAGE))
