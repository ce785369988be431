# caresurvey: `make report` runs the study, `make test` runs the tests. `make help` lists all targets.
# Every recipe calls `python -m caresurvey ...`, so each step also runs without make.

.DELETE_ON_ERROR:
.DEFAULT_GOAL := help
SHELL := /bin/bash

# Independent steps (the report and each notebook) run side by side, two per core: a notebook
# step spends much of its time waiting for its kernel, and a second step fills that time. Each
# step's output is printed whole when it finishes. `make JOBS=1 ...` runs one step at a time.
JOBS ?= $(shell echo $$(( 2 * $$(nproc 2>/dev/null || echo 1) )))
MAKEFLAGS += --jobs=$(JOBS) --output-sync=target

CONFIG ?= caresurvey.toml
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
CARESURVEY := $(PY) -m caresurvey

# The study's own folders, from its configuration (paths there are relative to it): raw, processed,
# reports and, where it declares one, the synthetic study. Read with the system's Python (the
# standard library suffices), so they are known before any environment is installed. Each study
# builds into its own folders and never touches another's.
STUDY := $(shell PYTHONPATH=src $(PYTHON) -m caresurvey.config '$(CONFIG)' 2>&1)
ifneq ($(words $(STUDY)),4)
$(error $(STUDY))
endif
RAW_DIR := $(word 1,$(STUDY))
PROCESSED := $(word 2,$(STUDY))
REPORTS := $(word 3,$(STUDY))
SYNTHETIC := $(filter-out -,$(word 4,$(STUDY)))

# What every output is made from: the package source, its published tables and the config.
SOURCES := $(shell find src -type f \( -name '*.py' -o -name '*.toml' -o -name '*.j2' \) 2>/dev/null)
SYNTH_SOURCES := $(shell find src/caresurvey/synth src/caresurvey/published -type f \( -name '*.py' -o -name '*.toml' \) 2>/dev/null) src/caresurvey/codes.py src/caresurvey/manifest.py
# Raw files are watched under the study's raw folder only: after changing a manifest file kept
# elsewhere, run `make -B process`. Ingestion re-reads only the files whose bytes changed
# (the processed folder's .cache).
RAW := $(shell find $(RAW_DIR) -type f ! -name '.gitkeep' ! -path '$(PROCESSED)/*' ! -path '$(REPORTS)/*' 2>/dev/null)
# The synthetic study is written only for a configuration that declares it ([paths] synthetic).
SYNTHETIC_STUDY := $(if $(SYNTHETIC),$(SYNTHETIC)/README.md)
NOTEBOOKS := $(wildcard notebooks/*.py)
NOTEBOOK_PAGES := $(NOTEBOOKS:notebooks/%.py=$(REPORTS)/notebooks/%.html)

.PHONY: help setup synthetic data process tables figures report pdf test test-slow fuzz bench notebooks clean

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sort | awk 'BEGIN {FS = ":.*## "}; {printf "  \033[36m%-10s\033[0m %s\n", $$1, $$2}'

# The environment is rebuilt only when the package's declared dependencies change.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

setup: $(STAMP) ## Create .venv and install caresurvey with its test dependencies (once)

# The synthetic study is rewritten only when its generator, the published tables or the config
# (its seed) change; the same seed always gives the same bytes.
ifneq ($(SYNTHETIC),)
$(SYNTHETIC_STUDY): $(STAMP) $(CONFIG) $(SYNTH_SOURCES)
	@mkdir -p $(@D)
	$(CARESURVEY) synth --out $(SYNTHETIC) --config $(CONFIG)
endif

synthetic: $(SYNTHETIC_STUDY) ## Write the synthetic study where the config declares it ([paths] synthetic; seed from the config)

$(PROCESSED)/inventory.json: $(SYNTHETIC_STUDY) $(RAW) $(STAMP) $(CONFIG) $(SOURCES)
	@mkdir -p $(@D)
	$(CARESURVEY) inventory --config $(CONFIG)

data: $(PROCESSED)/inventory.json ## Write the synthetic study (where declared), check the config's raw files and record their hashes

# Ingestion checks the raw files itself, so it runs beside the inventory rather than after it.
$(PROCESSED)/reconciliation.json: $(SYNTHETIC_STUDY) $(RAW) $(STAMP) $(CONFIG) $(SOURCES)
	@mkdir -p $(@D)
	$(CARESURVEY) ingest --config $(CONFIG)$(if $(ACCEPT_LOSSES), --accept-losses)

process: $(PROCESSED)/reconciliation.json ## Ingest the raw files into the processed folder (tables, quarantine, reconciliation)

$(REPORTS)/tables/published_consistency.csv: $(PROCESSED)/reconciliation.json $(STAMP) $(CONFIG) $(SOURCES)
	@mkdir -p $(@D)
	$(CARESURVEY) tables --config $(CONFIG)

tables: process $(REPORTS)/tables/published_consistency.csv ## Write every table to the reports folder's tables/ (published_comparison.csv: published vs reproduced)

$(REPORTS)/figures/.done: $(STAMP) $(CONFIG) $(SOURCES)
	@mkdir -p $(@D)
	$(CARESURVEY) figures --config $(CONFIG)
	touch $@

figures: process $(REPORTS)/figures/.done ## Write the figures to the reports folder's figures/ (PNG and SVG)

$(REPORTS)/report.html: $(PROCESSED)/reconciliation.json $(PROCESSED)/inventory.json $(STAMP) $(CONFIG) $(SOURCES)
	@mkdir -p $(@D)
	$(CARESURVEY) report --config $(CONFIG)

# Each notebook is executed on its own, so changing one reruns only that one.
$(REPORTS)/notebooks/%.html: notebooks/%.py $(PROCESSED)/reconciliation.json $(STAMP) $(CONFIG) $(SOURCES)
	@mkdir -p $(@D)
	$(CARESURVEY) notebooks --config $(CONFIG) $<

notebooks: $(NOTEBOOK_PAGES) ## Execute the notebooks into the reports folder's notebooks/*.html (synthetic studies only)

report: $(REPORTS)/report.html $(NOTEBOOK_PAGES) ## Run the study: tables, workbook, figures, notebooks, report.html, provenance (in its reports folder)

$(REPORTS)/report.pdf: $(REPORTS)/report.html
	$(CARESURVEY) pdf --config $(CONFIG)

pdf: $(REPORTS)/report.pdf ## Print the report to reports/report.pdf (needs Debian's chromium; works offline)

test: $(STAMP) ## Run the test suite (fast tests; skips those needing ../shared where it is absent)
	$(PY) -m pytest

test-slow: $(STAMP) ## Run the slow tests too
	$(PY) -m pytest -m 'slow or not slow'

# Property tests run a bounded, repeatable number of examples in `make test`; here each runs
# thousands of fresh random ones (hypothesis profile "fuzz", tests/conftest.py). A failure
# prints the smallest input that shows it.
FUZZ_TESTS ?= tests/ingest/test_reader_properties.py tests/ingest/test_values_and_tables.py
FUZZ_EXAMPLES ?= 2000

fuzz: $(STAMP) ## Fuzz every reader with thousands of broken files (FUZZ_EXAMPLES each; tens of minutes)
	HYPOTHESIS_PROFILE=fuzz FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest -p no:cacheprovider $(FUZZ_TESTS)

# DfE statistics that size the national-scale synthetic set (skipped in the benchmark if absent).
STATISTICS ?= ../shared/data/dfe/ees

bench: $(STAMP) ## Time each stage (median of 3 after a warm-up) into reports/bench.json; not part of `make test`
	$(PY) benchmarks/bench.py --config $(CONFIG) --statistics $(STATISTICS)

clean: ## Delete everything the pipeline made for the study (its processed and reports folders); raw data is never touched
	[ ! -d $(PROCESSED) ] || find $(PROCESSED) -mindepth 1 ! -name .gitkeep -exec rm -rf {} +
	[ ! -d $(REPORTS) ] || find $(REPORTS) -mindepth 1 ! -name .gitkeep -exec rm -rf {} +
