# Promptweight: `make run` builds the extension and opens an editor; `make test` runs every check.
# Both set up what they need and are fast on a second run.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Python versions whose wheels the .vsix carries (linux-x64).
WHEEL_PYTHONS ?= 3.11 3.12 3.13 3.14
VSIX := build/promptweight.vsix

PY_SOURCES := $(shell find server shared_schemas -name '*.py' -not -path '*/__pycache__/*')
TS_SOURCES := $(shell find client/src -name '*.ts')

.PHONY: help setup encodings generate lint typecheck test test-client test-python test-editor run vsix bench catalog clean

help:
	@echo "make run   build the .vsix and open examples/ in an editor with it installed"
	@echo "make test  set up and run every test and check"
	@echo "make vsix  build $(VSIX)"
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

bundled/wheels/.built: pyproject.toml $(PY_SOURCES) server/encodings/manifest.json scripts/build_wheelhouse.sh
	rm -rf bundled/wheels
	scripts/build_wheelhouse.sh $(PY) bundled/wheels "$(WHEEL_PYTHONS)"
	touch $@

$(VSIX): dist/extension.js bundled/wheels/.built package.json README.md LICENSE .vscodeignore
	mkdir -p build
	npx vsce package --no-dependencies --target linux-x64 --out $(VSIX) >/dev/null
	@echo "built $(VSIX)"

vsix: $(VSIX)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	npx tsc --noEmit -p client
	node client/generate-types.mjs --check

# The client's pure modules (no `vscode`), with Node's test runner.
test-client: node_modules/.installed
	node client/build-tests.mjs
	node --test --test-reporter=spec build/client-tests/

test-python: setup
	$(VENV)/bin/pytest -q

test-editor: $(VSIX)
	tests/e2e/run_editor_test.sh $(VSIX)

test: lint test-client test-python test-editor

# The tiny model examples/promptweight.train.yaml trains: a real 4-bit run on a laptop CPU.
examples/tiny-model/config.json: server/training/tiny_model.py $(VENV)/.installed
	$(PY) -m server.training.tiny_model examples/tiny-model

run: $(VSIX) examples/tiny-model/config.json
	scripts/run_editor.sh $(VSIX) examples $(abspath $(PY))

# Regenerates shared_schemas/data/model_catalog.json from LiteLLM's price table (MIT), taken
# from the litellm wheel on PyPI. Review the diff before committing it.
LITELLM_VERSION ?= 1.110.2
catalog: $(VENV)/.installed
	rm -rf build/litellm && mkdir -p build/litellm
	$(PY) -m pip download --quiet --no-deps --only-binary=:all: --dest build/litellm litellm==$(LITELLM_VERSION)
	cd build/litellm && unzip -q -o litellm-*.whl 'litellm/model_prices_and_context_window_backup.json'
	$(PY) scripts/build_model_catalog.py build/litellm/litellm/model_prices_and_context_window_backup.json shared_schemas/data/model_catalog.json

# Speed, as ratios against baselines measured in the same run: build/bench.json.
bench: setup
	$(PY) -m bench.run_bench --out build/bench.json

clean:
	rm -rf build dist bundled node_modules/.installed $(VENV)/.installed
