# plivo-pulumi: every command a user or CI runs. See README.md.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
TOOLS  := $(CURDIR)/.tools/bin
# The pinned engine and the venv's python first on PATH: the engine starts dynamic providers with
# the first python3 it finds.
RUN    := PATH="$(TOOLS):$(CURDIR)/$(VENV)/bin:$$PATH" PULUMI_SKIP_UPDATE_CHECK=1

# Where `pulumi install`/`up` fetch the plugin (the schema's pluginDownloadURL), fixed at build time
# by `make sdk` and `make plugin`: PLUGIN_DOWNLOAD_URL='https://.../v${VERSION}/'
# (docs/native-provider-install.md, "Releasing"); empty: the release URL
# (plivo_pulumi/native/plugin_url.py). Passed unexpanded: the build fills in ${VERSION}.
URL_ENV = PLUGIN_DOWNLOAD_URL='$(value PLUGIN_DOWNLOAD_URL)'

.PHONY: venv tools sdk sdk-compile plugin test test-fast demo bench lint clean

# The venv: this package (with the native provider's console script pulumi-resource-plivo) and the
# generated SDK pulumi_plivo, committed in sdk/python (no Go needed here).
venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml sdk/python/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]' -e sdk/python
	touch $@

# The pinned engine, then plivo-codegen (the SDK generator, on the engine's own pkg/v3), then the
# YAML language host pulumi-language-yaml (scripts/yaml; README, "Tools"), then the Node.js and Go
# language hosts pulumi-language-nodejs and pulumi-language-go (scripts/langhosts).
tools:
	bash scripts/install-engine.sh
	bash scripts/install-codegen.sh
	bash scripts/install-yaml.sh
	bash scripts/install-langhosts.sh

# Regenerates sdk/schema.json, sdk/python, sdk/nodejs and sdk/go from plivo_pulumi.native.schema (commit the result;
# tests/test_sdk.py and tests/test_sdk_compile.py fail while they are out of step). Needs plivo-codegen only.
sdk: venv
	bash scripts/install-codegen.sh
	$(URL_ENV) $(PY) scripts/gen_sdk.py
	$(URL_ENV) $(PY) scripts/gen_sdk.py --language nodejs
	$(URL_ENV) $(PY) scripts/gen_sdk.py --language go

# Compiles the TypeScript and Go SDKs with a small program each (tests/test_sdk_compile.py; npm and Go
# needed): README, "TypeScript and Go". `make test` runs it too.
sdk-compile: venv tools
	$(RUN) $(PY) -m pytest -q tests/test_sdk_compile.py

# The plugin tarball for `pulumi plugin install resource plivo VERSION --file ...`
# (docs/native-provider-install.md): dist/pulumi-resource-plivo-v<version>-linux-amd64.tar.gz.
plugin: venv
	@$(URL_ENV) $(PY) -m plivo_pulumi.native.plugin_url >/dev/null
	$(URL_ENV) $(PY) scripts/build_plugin.py

# Four workers on two cores, a test file each at a time (the e2e files share a simulator per module):
# the e2e tests mostly wait on the engine (two workers left the cores half idle, load ~1: 28 min);
# then the secrets scan, alone, over every file the suite's stacks wrote (tests/e2e/test_zz_secrets.py).
test: venv tools
	@tmp="$$(mktemp -d /tmp/plivo-test.XXXXXX)" && \
	$(RUN) $(PY) -m pytest -q -n 4 --dist loadfile --basetemp="$$tmp/suite" \
		--ignore=tests/e2e/test_zz_secrets.py && \
	$(RUN) PLIVO_SECRETS_SCAN_ROOT="$$tmp" $(PY) -m pytest -q --basetemp="$$tmp/scan" \
		tests/e2e/test_zz_secrets.py

# Unit and client/simulator tests only (no engine, no plivo-codegen).
test-fast: venv
	$(RUN) $(PY) -m pytest -q -m "not e2e and not tools"

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
	rm -rf $(VENV) .tools .demo .bench .pytest_cache dist
