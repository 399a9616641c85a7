# Promptweight: `make run` builds the extension and opens an editor; `make test` runs every check.
# Both set up what they need and are fast on a second run.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Python versions whose wheels each .vsix carries.
WHEEL_PYTHONS ?= 3.11 3.12 3.13 3.14
VSIX := build/promptweight.vsix
# `make package`: one .vsix per VS Code platform (`vsce --target`), each with its own
# wheelhouse, and the CLI's wheel and sdist, all in $(PACKAGE_DIR).
PACKAGE_TARGETS ?= linux-x64 linux-arm64 darwin-x64 darwin-arm64 win32-x64
PACKAGE_DIR := build/package
PACKAGES := $(foreach target,$(PACKAGE_TARGETS),$(PACKAGE_DIR)/promptweight-$(target).vsix)
# What a .vsix holds: the files .vscodeignore lets back in (`!PATTERN`), so that a file added
# there rebuilds the packages too; the wheels and the bundles (dist/, from dist/extension.js's
# build) are made by their own rules.
VSIX_FILES := .vscodeignore dist/extension.js $(wildcard $(filter-out bundled/% dist/%,$(patsubst !%,%,$(filter !%,$(shell cat .vscodeignore)))))

PY_SOURCES := $(shell find server shared_schemas -name '*.py' -not -path '*/__pycache__/*')
TS_SOURCES := $(shell find client/src client/webview -name '*.ts')

.PHONY: help setup encodings generate lint typecheck test test-client test-python test-editor run vsix package test-package bench catalog clean

help:
	@echo "make run   build the .vsix and open examples/ in an editor with it installed"
	@echo "make test  set up and run every test and check"
	@echo "make vsix  build $(VSIX)"
	@echo "make package  build a .vsix per platform and the CLI's wheel and sdist into $(PACKAGE_DIR)"
	@echo "make bench measure keystroke latency, start-up and memory into build/bench.json"

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	# torch's small CPU build first: a plain `torch` requirement would take the 5.5 GB CUDA one.
	$(PY) -m pip install --quiet --disable-pip-version-check torch==2.13.0
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev,train,chart]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --silent
	touch $@

setup: $(VENV)/.installed node_modules/.installed encodings

# The offline tokenizer files, verified against the sha256 that Python tiktoken pins.
server/encodings/manifest.json: scripts/build_encodings.py node_modules/.installed $(VENV)/.installed
	$(PY) scripts/build_encodings.py node_modules/tiktoken server/encodings

encodings: server/encodings/manifest.json

generate: $(VENV)/.installed node_modules/.installed
	$(PY) -m shared_schemas.generate
	node client/generate-types.mjs

dist/extension.js: $(TS_SOURCES) client/build.mjs node_modules/.installed
	node client/build.mjs --minify

bundled/wheels/.built: pyproject.toml $(PY_SOURCES) server/encodings/manifest.json scripts/build_wheelhouse.sh scripts/wheelhouse.py
	rm -rf bundled/wheels
	scripts/build_wheelhouse.sh $(PY) bundled/wheels "$(WHEEL_PYTHONS)"
	touch $@

$(VSIX): bundled/wheels/.built $(VSIX_FILES)
	mkdir -p build
	npx vsce package --no-dependencies --target linux-x64 --out $(VSIX) >/dev/null
	@echo "built $(VSIX)"

vsix: $(VSIX)

# The CLI's sdist, and its wheel built from the sdist (scripts/build_python_dist.py says why
# not `python -m build`). The wheelhouses below carry this same wheel.
$(PACKAGE_DIR)/.python-dist: pyproject.toml $(PY_SOURCES) server/encodings/manifest.json README.md LICENSE scripts/build_python_dist.py
	rm -f $(PACKAGE_DIR)/promptweight-*.whl $(PACKAGE_DIR)/promptweight-*.tar.gz
	$(PY) scripts/build_python_dist.py $(PACKAGE_DIR)
	touch $@

# A platform's dependencies change only with pyproject.toml: a change to the server's code
# swaps its wheel in when the .vsix is staged, without downloading the rest again.
# Stamps, not intermediates: make would otherwise delete them and rebuild every wheelhouse.
.PRECIOUS: build/wheelhouses/%/.built
build/wheelhouses/%/.built: pyproject.toml scripts/build_wheelhouse.sh scripts/wheelhouse.py | $(PACKAGE_DIR)/.python-dist
	rm -rf build/wheelhouses/$*
	scripts/build_wheelhouse.sh $(PY) build/wheelhouses/$* "$(WHEEL_PYTHONS)" $* $(PACKAGE_DIR)/promptweight-*-py3-none-any.whl
	touch $@

$(PACKAGE_DIR)/promptweight-%.vsix: build/wheelhouses/%/.built $(PACKAGE_DIR)/.python-dist $(VSIX_FILES) scripts/package_vsix.sh
	scripts/package_vsix.sh $* build/wheelhouses/$* $@ $(PACKAGE_DIR)/promptweight-*-py3-none-any.whl

# Each wheelhouse is checked as it is built: every requirement, with the platform's markers,
# has a wheel for each Python in it (scripts/wheelhouse.py).
package: $(PACKAGES) $(PACKAGE_DIR)/.python-dist
	@ls -l $(PACKAGE_DIR) | tail -n +2

# Every wheelhouse `make package` built, resolved offline for its platform's tags by pip.
test-package: package
	PROMPTWEIGHT_TEST_PACKAGE=1 $(VENV)/bin/pytest -q tests/packaging

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	npx tsc --noEmit -p client
	npx tsc --noEmit -p client/webview
	node client/generate-types.mjs --check

# The client's pure modules (no `vscode`), with Node's test runner.
test-client: node_modules/.installed
	node client/build-tests.mjs
	node --test --test-reporter=spec build/client-tests/

test-python: setup
	$(VENV)/bin/pytest -q

test-editor: $(VSIX)
	tests/e2e/run_editor_test.sh $(VSIX)

# The README's screenshot: the real-editor tests save one of each surface in build/screens/;
# this runs them all and copies the chosen ones into docs/screens/, which is committed.
README_SCREENS := token-report
.PHONY: screenshots
screenshots: $(VSIX)
	tests/e2e/run_editor_test.sh $(VSIX)
	mkdir -p docs/screens
	cp $(README_SCREENS:%=build/screens/%.png) docs/screens/

test: lint test-client test-python test-editor

# The tiny model examples/promptweight.train.yaml trains: a real 4-bit run on a laptop CPU.
examples/tiny-model/config.json: server/training/tiny_model.py $(VENV)/.installed
	$(PY) -m server.training.tiny_model examples/tiny-model

run: $(VSIX) examples/tiny-model/config.json
	scripts/run_editor.sh $(VSIX) examples $(abspath $(PY))

# Regenerates shared_schemas/data/model_catalog.json from LiteLLM's price table (MIT), taken
# from the litellm wheel on PyPI: every chat model, with the curated ones and the figures kept
# by hand in scripts/. `make catalog LITELLM_VERSION=x.y.z` takes a newer release; review the
# diff (one model a line) before committing it (README, "Refreshing the model catalog").
LITELLM_VERSION ?= 1.110.2
catalog: $(VENV)/.installed
	rm -rf build/litellm && mkdir -p build/litellm
	$(PY) -m pip download --quiet --no-deps --only-binary=:all: --dest build/litellm litellm==$(LITELLM_VERSION)
	cd build/litellm && unzip -q -o litellm-*.whl 'litellm/model_prices_and_context_window_backup.json'
	$(PY) scripts/build_model_catalog.py build/litellm/litellm/model_prices_and_context_window_backup.json shared_schemas/data/model_catalog.json --litellm-version $(LITELLM_VERSION) --snapshot-date $$(date -u +%F)

# Speed, as ratios against baselines measured in the same run: build/bench.json.
# The cold start drives the real editor: the .vsix and the real-editor test's toolchain.
bench: setup $(VSIX)
	tests/e2e/install_toolchain.sh >/dev/null
	$(PY) -m bench.run_bench --out build/bench.json

clean:
	rm -rf build dist bundled node_modules/.installed $(VENV)/.installed
