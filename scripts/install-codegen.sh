#!/usr/bin/env bash
# Builds .tools/bin/plivo-codegen, the SDK generator of the native provider (see docs/native-provider-install.md
# and scripts/codegen/main.go): `make tools` runs it after scripts/install-engine.sh.
#
# `pulumi package gen-sdk` would ask the Python language host to generate the SDK, and the host that
# `make tools` builds (sdk/v3@v3.79.0) cannot. The wrapper module scripts/codegen calls the code
# generators of github.com/pulumi/pulumi/pkg/v3@v3.274.1, the engine's own version: its go.mod
# requires pkg/v3 and sdk/v3 at that version and its committed go.sum pins every input (each line of
# it is also in scripts/engine/go.sum), so after the engine's build the module cache holds all but
# one small module and the build takes seconds. Only the Go module proxy is reached, and only for
# modules missing from the cache; GOFLAGS=-mod=readonly, as for the engine, so go.sum is never
# rewritten and no checksum database is asked.
#
# It also serves `plivo-codegen program` (program.go): the Python language-host launcher answers the
# engine's GenerateProgram with it, so `pulumi import` prints the Python declaration.
#
# Idempotent: the binary carries a stamp of its sources (go.mod, go.sum, *.go), and with an
# up-to-date binary in place the script only compares stamps.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$ROOT/.tools/bin"
MODULE="$ROOT/scripts/codegen"

say() { printf '[make tools] %s\n' "$*" >&2; }

stamp="$(cat "$MODULE/go.mod" "$MODULE/go.sum" "$MODULE"/*.go | sha256sum | cut -c1-16)"
if [ -x "$BIN/plivo-codegen" ] && [ "$("$BIN/plivo-codegen" --stamp 2>/dev/null)" = "$stamp" ]; then
  say "plivo-codegen (pkg/v3@v3.274.1 code generators) already built"
  exit 0
fi

command -v go >/dev/null || { say "error: Go is needed to build plivo-codegen (apt-get install golang, or see https://go.dev/doc/install)"; exit 1; }
mkdir -p "$BIN"
export GOFLAGS="${GOFLAGS:-} -mod=readonly"
start=$(date +%s)
say "building plivo-codegen from github.com/pulumi/pulumi/pkg/v3@v3.274.1 (after the engine: about 10 s; alone on cold Go caches: about 2 minutes)"
(cd "$MODULE" && go build -trimpath -ldflags "-s -w -X main.stamp=$stamp" -o "$BIN/plivo-codegen.tmp" .)
mv "$BIN/plivo-codegen.tmp" "$BIN/plivo-codegen"
got="$("$BIN/plivo-codegen" --stamp)"
[ "$got" = "$stamp" ] || { say "error: $BIN/plivo-codegen reports stamp '$got', expected $stamp"; exit 1; }
say "built $BIN/plivo-codegen in $(( $(date +%s) - start )) s"
