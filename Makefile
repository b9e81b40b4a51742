# The index of what one can do here: `make help` lists it. Every target installs
# what it needs into .venv (Python) or .tools (npm) from pinned versions, so a
# fresh machine with python3 and make needs no other step.

SHELL := bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum < requirements/lock.txt | cut -d' ' -f1)
REDOCLY_VERSION := 2.77.0
REDOCLY := .tools/node_modules/.bin/redocly
PRISM_VERSION := 5.16.0
PRISM := .tools/node_modules/.bin/prism
BENCH_STAMP := $(VENV)/.bench-installed-$(shell cksum < requirements/bench.txt | cut -d' ' -f1)
# The generator's post hooks call `ruff`: the pinned one in .venv must come first.
export PATH := $(abspath $(BIN)):$(PATH)


.DEFAULT_GOAL := help
.PHONY: check test pytest-fast pytest-all help venv generate check-generated lint typecheck spec docs docs-tables spec-diff contract serve chromium dovecot oracle browser-check bench drill lock clean

# The two lanes. `make check`, for every edit: no root, no browser, no Dovecot, about a minute on two
# cores (mypy's cache, .mypy_cache, keeps repeated runs short). `make test`: everything, as CI runs it.
# The split is by marker (pyproject.toml; tests/test_lanes.py proves it): a test that costs seconds
# is marked `slow`, or with a marker that says why.
CHECK_MARKERS := not slow

check: $(STAMP) ## Fast lane, for every edit: lint, types, every test not marked slow
	$(MAKE) --no-print-directory -j 3 --output-sync=target lint typecheck pytest-fast

# One pytest worker more than the cores: the tests wait on sockets, child processes and the suite's
# runs about as much as they compute, and the extra worker fills those waits (on 2 cores, the fast
# lane: 66.5 s with 2 workers, 57.7 s with 3). Lint and types run beside them.
PYTEST_WORKERS := $(shell echo $$(( $$(nproc) + 1 )))

pytest-fast: $(STAMP)
	$(BIN)/pytest -n $(PYTEST_WORKERS) -q -m "$(CHECK_MARKERS)"

# Lint, types and the spec run beside the tests: they are mostly CPU while many tests wait on sockets
# and processes, and CI's time is a budget (15 minutes).
test: $(STAMP) $(REDOCLY) dovecot ## Everything CI runs: linters, types, the spec, all tests (generated/ included), on every core and one more
	$(MAKE) --no-print-directory -j 4 --output-sync=target lint typecheck spec pytest-all

pytest-all: $(STAMP)
	$(BIN)/pytest -n $(PYTEST_WORKERS) --durations=40


help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-16s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): requirements/lock.txt
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -r requirements/lock.txt
	@# This project, editable: the contract core, the suite, the sandbox and their commands
	@# (onlyoffice-contract, onlyoffice-sandbox) in .venv/bin.
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@# The generated client (its own package) and the repository's test support (harness, bench, drill).
	$(BIN)/python -c 'import pathlib, site; pathlib.Path(site.getsitepackages()[0], "onlyoffice-send-contract.pth").write_text("$(CURDIR)/generated\n$(CURDIR)\n")'
	touch $@

venv: $(STAMP) ## Install the pinned Python tools into .venv

$(REDOCLY):
	npm install --prefix .tools --no-audit --no-fund --loglevel=error @redocly/cli@$(REDOCLY_VERSION)

generate: $(STAMP) ## Regenerate the client in generated/ from openapi.yaml
	$(BIN)/python -m codegen generate

check-generated: $(STAMP) ## Fail if generated/ differs from what openapi.yaml generates (pytest checks it too)
	$(BIN)/python -m codegen check

lint: $(STAMP) ## Ruff on the hand-written code (generated/ is excluded)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP) ## mypy --strict on the generated client and the hand-written code
	MYPYPATH=generated $(BIN)/mypy --strict -p onlyoffice_send_client
	$(BIN)/mypy

SPECS := openapi.yaml sandbox-api.yaml

spec: $(STAMP) $(REDOCLY) ## Validate openapi.yaml and sandbox-api.yaml (openapi-spec-validator, redocly lint)
	$(BIN)/openapi-spec-validator $(SPECS)
	$(REDOCLY) lint --config redocly.yaml $(SPECS) 2>&1 | grep -v '^ *║\|^ *╔\|^ *╚' | grep -v '^$$'; exit $${PIPESTATUS[0]}

# The API reference pages the sandbox serves (/docs, /docs/sandbox): package data, committed, since an
# installed sandbox has no node. Each ends with the sha256 of the spec it was built from; a test fails
# when a spec changed and the page was not rebuilt.
DOCS_DIR := onlyoffice_sandbox/web/static/docs

# The tables in docs/ (settings, statuses, rules, deviations, faulty variants, these targets) are
# written from the code that defines them, between their markers; a test fails when one is stale.
docs-tables: $(STAMP) ## Rewrite the tables in docs/ from the code (no npm; make docs runs it too)
	$(BIN)/python -m codegen.docs_tables

docs: docs-tables $(REDOCLY) ## The tables in docs/, and the API reference pages from both specs (Redocly)
	@mkdir -p $(DOCS_DIR)
	@for spec in $(SPECS); do \
	  page=$(DOCS_DIR)/$${spec%.yaml}.html; \
	  $(REDOCLY) build-docs --inlineBundle --config redocly.yaml $$spec -o $$page 2>&1 | grep -v '^ *║\|^ *╔\|^ *╚' | grep -v '^$$'; \
	  test -s $$page || exit 1; \
	  echo "<!-- built from $$spec sha256 $$(sha256sum $$spec | cut -d' ' -f1) by redocly $(REDOCLY_VERSION) -->" >> $$page; \
	done

# The IMAP and POP3 sinks are tested against Debian's Dovecot, which the tests start as a process of
# their own on free loopback ports (harness/dovecot.py): a system service, running or not, is never used.
DOVECOT := /usr/sbin/dovecot

dovecot: ## Install Debian's Dovecot (IMAP, POP3, LMTP) for the mail sink tests (apt-get; needs root)
	@test -x $(DOVECOT) || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd dovecot-pop3d dovecot-lmtpd; }

# The binder oracle (oracle/Oracle.cs): the real server's binder on the real runtime, Debian's Mono and
# Newtonsoft.Json, which tests/test_binder_oracle.py holds the Python binder against. Built into
# oracle/build/ (git-ignored); without Mono that test is skipped, and says so.
ORACLE := oracle/build/oracle.exe
NEWTONSOFT := /usr/lib/cli/Newtonsoft.Json-5.0/Newtonsoft.Json.dll

oracle: $(ORACLE) ## Install Debian's Mono and Newtonsoft.Json (apt-get; needs root) and build the binder oracle

$(ORACLE): oracle/Oracle.cs
	@command -v mcs >/dev/null && command -v mono >/dev/null && test -f $(NEWTONSOFT) || { apt-get update -qq \
	  && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mono-mcs mono-runtime libnewtonsoft-json5.0-cil; }
	@mkdir -p $(@D)
	mcs -nologo -warnaserror -optimize -out:$@ -r:$(NEWTONSOFT) -r:System.Xml.Linq.dll -r:System.Core.dll oracle/Oracle.cs

# The browser check drives Debian's Chromium with Playwright (pinned in requirements/lock.txt); never
# `playwright install`, which downloads a browser build this network cannot reach.
CHROMIUM := /usr/bin/chromium

chromium: ## Install Debian's Chromium for the browser check (apt-get; needs root)
	@test -x $(CHROMIUM) || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

browser-check: $(STAMP) chromium ## The pages in headless Chromium: DOM assertions, screenshots in reports/browser/
	$(BIN)/pytest -p no:xdist tests/test_browser.py -v

# The contract suite's settings: Make variables or environment variables alike.
CONTRACT_SETTINGS := BASE_URL API_KEY FROM RECIPIENT_DOMAIN MAX_EXAMPLES SEED MAX_SENDS REQUEST_TIMEOUT REPORT_DIR PROFILE ATTACHMENT_FILE_ID MAIL_SINK DELIVERY_TIMEOUT DELIVERY_SAMPLE FROM_NAME RELAY_HEADERS DELIVERY_SETTLE TIER RATE_LIMIT THROTTLE_BUDGET WORKERS
export $(CONTRACT_SETTINGS)

# Make reports any failure of a recipe as its own exit status 2; the suite's own status (1 does not
# conform, 4 usage error) is in Make's message ("Error 4"), and CI that needs it calls
# .venv/bin/onlyoffice-contract directly (docs/suite.md, "In CI").
contract: $(STAMP) ## Check a server against openapi.yaml (BASE_URL=..., or the embedded sandbox); see docs/suite.md
	$(BIN)/onlyoffice-contract

serve: $(STAMP) ## Run the sandbox on 127.0.0.1:8080 with the embedded SMTP capture (SANDBOX_* settings apply)
	$(BIN)/onlyoffice-sandbox

$(PRISM):
	npm install --prefix .tools --no-audit --no-fund --loglevel=error @stoplight/prism-cli@$(PRISM_VERSION)

$(BENCH_STAMP): $(STAMP) requirements/bench.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -r requirements/bench.txt
	touch $@

bench: $(STAMP) $(BENCH_STAMP) $(PRISM) ## Speed, as ratios against peers run side by side; writes BENCHMARKS.md
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
	$(BIN)/python -m bench

drill: $(STAMP) ## Reliability under load and faults (10,000 sends, outage, kill -9, hostile input); writes RELIABILITY.md
	$(BIN)/python -m drill

# The spec-change gate: the working tree's openapi.yaml, client and sandbox against BASE's (docs/spec.md).
# Exit status 1: a breaking change without the bump it needs; 4: BASE is no revision or a spec does not load.
spec-diff: $(STAMP) ## What a change of openapi.yaml breaks and the bump it needs (BASE=<git ref>, default HEAD~1)
	$(BIN)/onlyoffice-contract spec-diff $(or $(BASE),HEAD~1) --json reports/spec-diff.json --changelog reports/spec-diff.md

lock: ## Re-pin requirements/lock.txt from requirements/tools.in (needs PyPI)
	rm -rf .tmp-lock && $(PYTHON) -m venv .tmp-lock
	.tmp-lock/bin/pip install --quiet --disable-pip-version-check -r requirements/tools.in
	{ echo "# Generated by 'make lock' from requirements/tools.in: every package, pinned."; \
	  .tmp-lock/bin/pip freeze --exclude pip; } > requirements/lock.txt
	rm -rf .tmp-lock

clean: ## Remove .venv, .tools, caches, reports and the sandbox's data
	rm -rf $(VENV) .tools .tmp-generate* .tmp-lock .pytest_cache .mypy_cache .ruff_cache .hypothesis reports sandbox-data *.egg-info
