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

.PHONY: venv tools sdk docs sdk-compile plugin dist test test-fast demo bench bench-plugin bench-orders lint clean

# The venv: this package (with the native provider's console script pulumi-resource-plivo) and the
# generated SDK pulumi_plivo, committed in sdk/python (no Go needed here). pyproject.toml states ranges;
# constraints.txt pins the exact versions the repo's own runs use.
venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml sdk/python/pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test]' -e sdk/python
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
	$(PY) scripts/gen_docs.py

# Regenerates the reference docs/reference/*.md from the schema and the example programs in
# docs/reference/examples (commit the result; tests/test_reference_docs.py fails while they are out of
# step). docs/writing-docs.md says how the pages are made.
docs: venv
	$(PY) scripts/gen_docs.py

# Compiles the TypeScript and Go SDKs with a small program each (tests/test_sdk_compile.py; npm and Go
# needed): README, "TypeScript and Go". `make test` runs it too.
sdk-compile: venv tools
	$(RUN) $(PY) -m pytest -q tests/test_sdk_compile.py

# The plugin archive for `pulumi plugin install resource plivo VERSION --file ...`
# (docs/native-provider-install.md): dist/pulumi-resource-plivo-v<version>-linux-amd64.tar.gz,
# self-contained (PyInstaller one-folder: no Python needed where it runs). The script installs the
# pinned PyInstaller (scripts/plugin-build-requirements.txt) into build/pyinstaller/venv once.
plugin: venv
	@$(URL_ENV) $(PY) -m plivo_pulumi.native.plugin_url >/dev/null
	$(URL_ENV) $(PY) scripts/build_plugin.py

# Everything users install, into dist/ (docs/install.md): the plivo-pulumi wheel and sdist, the
# pulumi_plivo wheel, the npm package of sdk/nodejs, the Go SDK module in the module-proxy layout
# (dist/goproxy) and the plugin tarball (`make plugin`); prints each with its size. npm and Go needed.
dist: plugin
	$(PY) scripts/build_dist.py

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
	$(PY) -m pip install --quiet -c constraints.txt -e '.[bench]'
	$(RUN) $(PY) -m bench
	$(RUN) $(PY) -m bench.backends
	$(RUN) $(PY) -m bench.orders

# A PhoneNumberOrder's refresh by account size: API calls and seconds (docs/benchmarks-orders.md).
bench-orders: venv
	$(RUN) $(PY) -m bench.orders

# The self-contained plugin archive beside the console-script one: sizes, start and cold preview times
# (bench/plugin.py; docs/native-provider-install.md quotes them).
bench-plugin: venv tools
	$(RUN) $(PY) -m bench.plugin

lint: venv
	$(PY) -m ruff check plivo_pulumi tests examples bench scripts
	$(PY) -m ruff format --check plivo_pulumi tests examples bench scripts
	$(PY) -m mypy

clean:
	rm -rf $(VENV) .tools .demo .bench .pytest_cache dist
