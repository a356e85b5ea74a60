//go:build tools

// Package yaml pins the Pulumi YAML language host that `make tools` builds (see
// scripts/install-yaml.sh). The blank import only records the dependency so that go.sum covers the
// whole build of cmd/pulumi-language-yaml.
package yaml

import _ "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml"
