#!/usr/bin/env bash
# Installs the Node.js and Go language hosts into .tools/bin, next to `pulumi` (so the engine prints
# no "from $PATH" warning): `pulumi up` in a `runtime: nodejs` or `runtime: go` project needs them
# (examples/typescript, examples/go, tests/e2e/test_typescript.py, tests/e2e/test_go.py). `make tools`
# runs it after scripts/install-engine.sh.
#
# The official CLI download ships these hosts beside `pulumi`; these machines cannot make that
# download, and the hosts of the pinned engine are nested modules that the Go module proxy refuses.
# github.com/pulumi/pulumi/sdk/v3@v3.66.0 is the last sdk/v3 release with both inside it, so they are
# built from it in the wrapper module scripts/langhosts (its go.mod carries sdk/v3's own `replace`,
# which `go install pkg@version` refuses; its committed go.sum pins every input):
#   .tools/libexec/pulumi-language-nodejs   sdk/v3@v3.66.0 nodejs/cmd/pulumi-language-nodejs
#   .tools/libexec/pulumi-language-go       sdk/v3@v3.66.0 go/pulumi-language-go
#   .tools/bin/pulumi-language-{nodejs,go}  our launcher (scripts/langhosts/launcher): hands the host
#                                           the project's runtime.options as the flags it reads, and
#                                           for Go drops the spurious `cloud-sdk` plugin (see there)
# Hosts already on PATH outside .tools/bin (the official CLI ships both) are used as they are.
# Cold: about 4 minutes on 2 busy cores (a minute idle); seconds with a warm build cache. Idempotent:
# a stamp of scripts/langhosts (go.mod, go.sum, tools.go, launcher/main.go) is kept beside the hosts, and with it up to date the script only
# compares stamps.
set -euo pipefail

LANGHOSTS_VERSION="v3.66.0"  # must match the require line of scripts/langhosts/go.mod
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$ROOT/.tools/bin"
LIBEXEC="$ROOT/.tools/libexec"
MODULE="$ROOT/scripts/langhosts"
STAMP_FILE="$LIBEXEC/.langhosts-stamp"
HOSTS=(pulumi-language-nodejs pulumi-language-go)

say() { printf '[make tools] %s\n' "$*" >&2; }

# 1. Official hosts on PATH (outside .tools/bin, the official CLI's): use them unchanged.
outside_path="$(printf '%s' "$PATH" | tr ':' '\n' | grep -vxF "$BIN" | paste -sd: -)"
if PATH="$outside_path" command -v pulumi-language-nodejs >/dev/null 2>&1 \
   && PATH="$outside_path" command -v pulumi-language-go >/dev/null 2>&1; then
  say "using pulumi-language-nodejs and pulumi-language-go from PATH ($(PATH="$outside_path" command -v pulumi-language-go | xargs dirname))"
  exit 0
fi

# 2. Ours, built in scripts/langhosts.
stamp="$(cat "$MODULE/go.mod" "$MODULE/go.sum" "$MODULE/tools.go" "$MODULE/launcher/main.go" | sha256sum | cut -c1-16)"
ready=1
for host in "${HOSTS[@]}"; do
  [ -x "$BIN/$host" ] && [ -x "$LIBEXEC/$host" ] || ready=0
done
if [ "$ready" = 1 ] && [ "$(cat "$STAMP_FILE" 2>/dev/null)" = "$stamp" ]; then
  say "pulumi-language-nodejs and pulumi-language-go (sdk/v3@$LANGHOSTS_VERSION hosts + launcher) already built"
  exit 0
fi

command -v go >/dev/null || { say "error: Go is needed to build the Node.js and Go language hosts (apt-get install golang, or see https://go.dev/doc/install)"; exit 1; }
mkdir -p "$BIN" "$LIBEXEC"
export GOFLAGS="${GOFLAGS:-} -mod=readonly"
start=$(date +%s)
say "downloading the modules of github.com/pulumi/pulumi/sdk/v3@$LANGHOSTS_VERSION"
(cd "$MODULE" && go mod download)
say "downloaded in $(( $(date +%s) - start )) s; building pulumi-language-nodejs and pulumi-language-go (cold: about 4 minutes on 2 busy cores)"
ldflags="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$LANGHOSTS_VERSION"
(cd "$MODULE" && go build -trimpath -ldflags "$ldflags" -o "$LIBEXEC/pulumi-language-nodejs.tmp" \
    github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs)
say "built pulumi-language-nodejs ($(( $(date +%s) - start )) s so far)"
(cd "$MODULE" && go build -trimpath -ldflags "$ldflags" -o "$LIBEXEC/pulumi-language-go.tmp" \
    github.com/pulumi/pulumi/sdk/v3/go/pulumi-language-go)
say "built pulumi-language-go ($(( $(date +%s) - start )) s so far)"
(cd "$MODULE" && go build -trimpath -ldflags "-s -w" -o "$LIBEXEC/pulumi-language-launcher.tmp" ./launcher)
for host in "${HOSTS[@]}"; do
  mv "$LIBEXEC/$host.tmp" "$LIBEXEC/$host"
  # A copy, not a link: the launcher tells the languages apart by its own file name.
  install -m 0755 "$LIBEXEC/pulumi-language-launcher.tmp" "$BIN/$host.tmp"
  mv "$BIN/$host.tmp" "$BIN/$host"
done
rm -f "$LIBEXEC/pulumi-language-launcher.tmp"
printf '%s\n' "$stamp" > "$STAMP_FILE"
say "built pulumi-language-nodejs and pulumi-language-go in $(( $(date +%s) - start )) s"
