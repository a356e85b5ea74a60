#!/usr/bin/env bash
# Installs the Pulumi YAML language host, pulumi-language-yaml, into .tools/bin: `pulumi up` in a
# `runtime: yaml` project folder needs it (examples/yaml, tests/e2e/test_yaml*.py). `make tools` runs
# it after scripts/install-engine.sh and scripts/install-codegen.sh.
#
# The official CLI download ships this host beside `pulumi`; these machines cannot make that
# download, so the host is built from the Go module proxy instead:
#   pulumi-language-yaml   github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml@v1.25.0, built in
#                          the wrapper module scripts/yaml, whose committed go.sum pins every input
# pulumi-yaml v1.25.0 requires github.com/pulumi/pulumi/pkg/v3 v3.206.0 (not the engine's v3.274.1),
# so it shares little of the engine's module cache: cold, about 1.5 GB of modules and 5-6 minutes
# on 2 idle cores (see README, "Tools"); seconds when the caches are warm.
#
# A pulumi-language-yaml already on PATH outside .tools/bin (the official CLI's) is used as it is:
# the engine finds language hosts on PATH, and the Makefile puts .tools/bin first only for what is
# in it. Idempotent: a stamp of scripts/yaml (go.mod, go.sum, tools.go) is kept beside the binary,
# and with an up-to-date binary in place the script only compares stamps.
set -euo pipefail

YAML_VERSION="v1.25.0"  # must match the require line of scripts/yaml/go.mod
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$ROOT/.tools/bin"
MODULE="$ROOT/scripts/yaml"
STAMP_FILE="$ROOT/.tools/libexec/.yaml-stamp"

say() { printf '[make tools] %s\n' "$*" >&2; }

# 1. An official host on PATH (outside .tools/bin): use it unchanged.
if existing="$(PATH="$(printf '%s' "$PATH" | tr ':' '\n' | grep -vxF "$BIN" | paste -sd: -)" command -v pulumi-language-yaml 2>/dev/null)"; then
  say "using $existing from PATH (the YAML language host)"
  exit 0
fi

# 2. Ours, built in scripts/yaml.
stamp="$(cat "$MODULE/go.mod" "$MODULE/go.sum" "$MODULE/tools.go" | sha256sum | cut -c1-16)"
if [ -x "$BIN/pulumi-language-yaml" ] && [ "$(cat "$STAMP_FILE" 2>/dev/null)" = "$stamp" ]; then
  say "pulumi-language-yaml $YAML_VERSION already built"
  exit 0
fi

command -v go >/dev/null || { say "error: Go is needed to build the YAML language host (apt-get install golang, or see https://go.dev/doc/install)"; exit 1; }
mkdir -p "$BIN" "$(dirname "$STAMP_FILE")"
export GOFLAGS="${GOFLAGS:-} -mod=readonly"
start=$(date +%s)
say "downloading the modules of pulumi-yaml $YAML_VERSION (cold: about 1.5 GB, a minute or two)"
(cd "$MODULE" && go mod download)
say "downloaded in $(( $(date +%s) - start )) s; building pulumi-language-yaml $YAML_VERSION (cold: about 4-5 minutes on 2 cores)"
(cd "$MODULE" && go build -trimpath \
    -ldflags "-s -w -X github.com/pulumi/pulumi-yaml/pkg/version.Version=$YAML_VERSION" \
    -o "$BIN/pulumi-language-yaml.tmp" github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml)
mv "$BIN/pulumi-language-yaml.tmp" "$BIN/pulumi-language-yaml"
printf '%s\n' "$stamp" > "$STAMP_FILE"
say "built $BIN/pulumi-language-yaml in $(( $(date +%s) - start )) s"
