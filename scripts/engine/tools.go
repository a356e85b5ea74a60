//go:build tools

// Package engine pins the Pulumi engine that `make tools` builds (see scripts/install-engine.sh).
// The blank import only records the dependency so that go.sum covers the whole CLI build.
package engine

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
