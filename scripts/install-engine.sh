#!/usr/bin/env bash
# Installs the pinned Pulumi engine into .tools/bin (see DESIGN.md, "The engine").
#
# The official installer downloads from the internet, which these machines cannot reach, so the
# engine is built from the Go module proxy instead:
#   pulumi                          github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@v3.274.1 (built inside
#                                   the wrapper module scripts/engine, whose go.sum pins every input)
#   pulumi-language-python          the untagged nested module .../sdk/python/cmd/pulumi-language-python/v3
#                                   at the pseudo-version of the v3.274.1 commit (PULUMI_LANGUAGE_PYTHON_VERSION)
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
LANGHOST_MODULE="github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3"
# The nested language-host module has no tags; its pseudo-version must name the commit that tag
# v3.274.1 points to. Override with the environment variable if you know it.
PULUMI_LANGUAGE_PYTHON_VERSION="${PULUMI_LANGUAGE_PYTHON_VERSION:-}"

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

# 4. The Python language host (needed by `pulumi up` in a Python project directory; the Automation
#    API's inline programs, which this project's tests and demo use, run without it).
if [ -x "$BIN/pulumi-language-python" ]; then
  say "pulumi-language-python already built"
elif [ -z "$PULUMI_LANGUAGE_PYTHON_VERSION" ]; then
  say "warning: pulumi-language-python not built: the Go module proxy refuses every version of"
  say "  $LANGHOST_MODULE (HTTP 403 'This module version is not available.'), so the pseudo-version of"
  say "  the $PULUMI_VERSION commit cannot be resolved here. Set PULUMI_LANGUAGE_PYTHON_VERSION=v3.0.0-<time>-<hash>"
  say "  to build it, or use the official Pulumi CLI. Inline Automation API programs do not need it."
else
  # Like the CLI, it is built inside a throwaway wrapper module: the nested module's own go.mod
  # carries replace lines (local paths), which `go install pkg@version` refuses.
  tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
  say "building pulumi-language-python $PULUMI_LANGUAGE_PYTHON_VERSION"
  (
    cd "$tmp"
    export GOFLAGS=-mod=mod
    go mod init plivo-pulumi/langhost >/dev/null 2>&1
    grep '^replace' "$ENGINE_MODULE/go.mod" >> go.mod
    go get "$LANGHOST_MODULE@$PULUMI_LANGUAGE_PYTHON_VERSION" \
      "github.com/pulumi/pulumi/pkg/v3@$PULUMI_VERSION" "github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION"
    go build -trimpath -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" \
      -o "$BIN/pulumi-language-python" "$LANGHOST_MODULE"
  ) 2>&1 | sed 's/^/[make tools]   /' >&2
  [ -x "$BIN/pulumi-language-python" ] \
    || { say "error: building $LANGHOST_MODULE@$PULUMI_LANGUAGE_PYTHON_VERSION failed (see above)"; exit 1; }
fi

say "engine ready: $("$BIN/pulumi" version) in $BIN"
