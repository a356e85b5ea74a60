//go:build tools

// Package langhost pins the official Python language host that `make tools` builds (see
// scripts/install-engine.sh). The blank import records the dependency so that go.sum covers it.
package langhost

import _ "github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python"
