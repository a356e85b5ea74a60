#!/usr/bin/env bash
# Installs the pinned Pulumi engine into .tools/bin (see docs/design.md, "The engine").
#
# The official installer downloads from the internet, which these machines cannot reach, so the
# engine is built from the Go module proxy instead:
#   pulumi                          github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@v3.274.1 (built inside
#                                   the wrapper module scripts/engine, whose go.sum pins every input)
#   pulumi-language-python          the official host of github.com/pulumi/pulumi/sdk/v3@v3.79.0 (wrapper
#                                   module scripts/langhost) behind our launcher (see step 4)
#   pulumi-language-python-exec     shims shipped inside github.com/pulumi/pulumi/sdk/v3@v3.274.1
#   pulumi-resource-pulumi-python   (its python/ folder), installed from the module cache as they are
#
# A `pulumi` of the pinned version already on PATH is used as it is. The script is idempotent: with
# everything in place it only checks versions and exits in about a second.
set -euo pipefail

PULUMI_VERSION="v3.274.1"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$ROOT/.tools/bin"
ENGINE_MODULE="$ROOT/scripts/engine"
LANGHOST_MODULE="$ROOT/scripts/langhost"
LANGHOST_VERSION="v3.79.0"  # must match the require line of scripts/langhost/go.mod

say() { printf '[make tools] %s\n' "$*" >&2; }

pulumi_version_of() { "$1" version 2>/dev/null | tr -d '[:space:]' || true; }

# 1. A pulumi of the pinned version on PATH (outside .tools/bin): use it unchanged.
if existing="$(PATH="$(printf '%s' "$PATH" | tr ':' '\n' | grep -vxF "$BIN" | paste -sd: -)" command -v pulumi 2>/dev/null)"; then
  if [ "$(pulumi_version_of "$existing")" = "$PULUMI_VERSION" ]; then
    say "using $existing ($PULUMI_VERSION) from PATH"
    exit 0
  fi
  say "ignoring $existing: it is $(pulumi_version_of "$existing"), the project pins $PULUMI_VERSION"
fi

command -v go >/dev/null || { say "error: Go is needed to build the engine (apt-get install golang, or see https://go.dev/doc/install)"; exit 1; }
mkdir -p "$BIN"
export GOFLAGS="${GOFLAGS:-} -mod=readonly"

# 2. The CLI.
if [ "$(pulumi_version_of "$BIN/pulumi")" = "$PULUMI_VERSION" ]; then
  say "pulumi $PULUMI_VERSION already built"
else
  start=$(date +%s)
  say "downloading the modules of pulumi $PULUMI_VERSION (cold: about a minute)"
  (cd "$ENGINE_MODULE" && go mod download)
  say "building pulumi $PULUMI_VERSION (cold: several minutes on 2 cores)"
  (cd "$ENGINE_MODULE" && go build -trimpath \
      -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" \
      -o "$BIN/pulumi.tmp" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
  mv "$BIN/pulumi.tmp" "$BIN/pulumi"
  say "built $BIN/pulumi in $(( $(date +%s) - start )) s"
fi
got="$(pulumi_version_of "$BIN/pulumi")"
[ "$got" = "$PULUMI_VERSION" ] || { say "error: $BIN/pulumi reports '$got', expected $PULUMI_VERSION"; exit 1; }

# 3. The Python shims, from the sdk/v3 module download.
SDK_DIR="$(cd "$ENGINE_MODULE" && go mod download -json "github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')"
for shim in cmd/pulumi-language-python-exec dist/pulumi-resource-pulumi-python; do
  name="$(basename "$shim")"
  if ! cmp -s "$SDK_DIR/python/$shim" "$BIN/$name"; then
    install -m 0755 "$SDK_DIR/python/$shim" "$BIN/$name"
    say "installed $name from github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION"
  fi
done

# 4. The Python language host (`pulumi up` in a Python project folder needs it; the Automation API's
#    inline programs run without it). The host of v3.274.1 is a nested module the proxy refuses, so
#    the official host of sdk/v3@v3.79.0 is built in the wrapper module scripts/langhost (committed
#    go.sum) and installed as .tools/libexec/pulumi-language-python. Our launcher, built from the same
#    module, is .tools/bin/pulumi-language-python: it hands that host the project's
#    runtime.options.virtualenv, which today's engine no longer passes on the command line; with
#    .tools/bin/plivo-codegen beside it (scripts/install-codegen.sh), it also serves in front of the
#    host to answer GenerateProgram, which that host lacks (`pulumi import` prints the Python code).
LIBEXEC="$ROOT/.tools/libexec"
stamp="$(cat "$LANGHOST_MODULE/go.mod" "$LANGHOST_MODULE/go.sum" "$LANGHOST_MODULE"/launcher/*.go | sha256sum | cut -c1-16)"
if [ -x "$LIBEXEC/pulumi-language-python" ] && [ -x "$BIN/pulumi-language-python" ] \
   && [ "$(cat "$LIBEXEC/.langhost-stamp" 2>/dev/null)" = "$stamp" ]; then
  say "pulumi-language-python (sdk/v3@$LANGHOST_VERSION host + launcher) already built"
else
  start=$(date +%s)
  mkdir -p "$LIBEXEC"
  say "building the Python language host from github.com/pulumi/pulumi/sdk/v3@$LANGHOST_VERSION (cold: about 2 minutes)"
  (cd "$LANGHOST_MODULE" && go mod download \
    && go build -trimpath -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$LANGHOST_VERSION" \
         -o "$LIBEXEC/pulumi-language-python.tmp" \
         github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python \
    && go build -trimpath -ldflags "-s -w" -o "$BIN/pulumi-language-python.tmp" ./launcher)
  mv "$LIBEXEC/pulumi-language-python.tmp" "$LIBEXEC/pulumi-language-python"
  mv "$BIN/pulumi-language-python.tmp" "$BIN/pulumi-language-python"
  printf '%s\n' "$stamp" > "$LIBEXEC/.langhost-stamp"
  say "built pulumi-language-python in $(( $(date +%s) - start )) s"
fi

say "engine ready: $("$BIN/pulumi" version) in $BIN"
