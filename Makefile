# plivo-pulumi: every command a user or CI runs. See README.md.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
TOOLS  := $(CURDIR)/.tools/bin
# The pinned engine and the venv's python first on PATH: the engine starts dynamic providers with
# the first python3 it finds.
RUN    := PATH="$(TOOLS):$(CURDIR)/$(VENV)/bin:$$PATH" PULUMI_SKIP_UPDATE_CHECK=1

.PHONY: venv tools test test-fast demo bench lint clean

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

tools:
	bash scripts/install-engine.sh

# Two workers, a test file each at a time (the e2e files share a simulator per module); then the
# secrets scan, alone, over every file the suite's stacks wrote (tests/e2e/test_zz_secrets.py).
test: venv tools
	@tmp="$$(mktemp -d /tmp/plivo-test.XXXXXX)" && \
	$(RUN) $(PY) -m pytest -q -n 2 --dist loadfile --basetemp="$$tmp/suite" \
		--ignore=tests/e2e/test_zz_secrets.py && \
	$(RUN) PLIVO_SECRETS_SCAN_ROOT="$$tmp" $(PY) -m pytest -q --basetemp="$$tmp/scan" \
		tests/e2e/test_zz_secrets.py

# Unit and client/simulator tests only (no engine).
test-fast: venv
	$(RUN) $(PY) -m pytest -q -m "not e2e"

demo: venv tools
	$(RUN) $(PY) scripts/demo.py

bench: venv tools
	$(PY) -m pip install --quiet -e '.[bench]'
	$(RUN) $(PY) -m bench
	$(RUN) $(PY) -m bench.backends

lint: venv
	$(PY) -m ruff check plivo_pulumi tests examples bench scripts
	$(PY) -m ruff format --check plivo_pulumi tests examples bench scripts
	$(PY) -m mypy

clean:
	rm -rf $(VENV) .tools .demo .bench .pytest_cache
