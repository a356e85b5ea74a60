//go:build tools

// Package langhosts pins the official Node.js and Go language hosts that `make tools` builds (see
// scripts/install-langhosts.sh). The blank imports record the dependencies so that go.sum covers them.
package langhosts

import (
	_ "github.com/pulumi/pulumi/sdk/v3/go/pulumi-language-go"
	_ "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs"
)
