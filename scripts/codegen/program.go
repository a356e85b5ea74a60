package main

// The `program` mode: the language hosts' GenerateProgram, which the hosts `make tools` builds
// (Python: sdk/v3@v3.79.0; Node.js and Go: sdk/v3@v3.66.0, scripts/langhosts) lack. For Python it was so `pulumi import` could not print the Python declaration of what it
// imported and exited 1 after a successful import. Our launcher (scripts/langhost/launcher) answers
// the engine's GenerateProgram by running `plivo-codegen program`, which does what the official
// Python host of pkg/v3 does: parse the PCL the engine sends, bind it with the schemas the engine's
// loader serves (the provider's own GetSchema), and generate Python with codegen/python.
//
// `plivo-codegen program nodejs` and `plivo-codegen program go` do the same with codegen/nodejs and
// codegen/go, for the Node.js and Go launchers (scripts/langhosts/launcher).
//
// Wire format: a pulumirpc.GenerateProgramRequest (protobuf) on stdin, a GenerateProgramResponse on
// stdout; an error is printed on stderr with exit status 1.

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/pcl"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/pkg/v3/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/contract"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/proto"

	hclsyntax "github.com/pulumi/pulumi/pkg/v3/codegen/hcl2/syntax"
)

func generateProgram(req *pulumirpc.GenerateProgramRequest, language string) (*pulumirpc.GenerateProgramResponse, error) {
	if req.LoaderTarget == "" {
		return nil, errors.New("the request names no schema loader")
	}
	loader, err := schema.NewLoaderClient(req.LoaderTarget)
	if err != nil {
		return nil, err
	}
	defer contract.IgnoreClose(loader)

	parser := hclsyntax.NewParser()
	for path, contents := range req.Source {
		if err := parser.ParseFile(strings.NewReader(contents), path); err != nil {
			return nil, err
		}
		if parser.Diagnostics.HasErrors() {
			return &pulumirpc.GenerateProgramResponse{
				Diagnostics: plugin.HclDiagnosticsToRPCDiagnostics(parser.Diagnostics),
			}, nil
		}
	}
	options := []pcl.BindOption{pcl.PreferOutputVersionedInvokes}
	if !req.Strict {
		options = append(options, pcl.NonStrictBindOptions()...)
	}
	program, diags, err := pcl.BindProgram(parser.Files, schema.NewCachedLoader(loader), options...)
	if err != nil {
		return nil, err
	}
	rpcDiags := plugin.HclDiagnosticsToRPCDiagnostics(diags)
	if diags.HasErrors() || program == nil {
		return &pulumirpc.GenerateProgramResponse{Diagnostics: rpcDiags}, nil
	}
	var files map[string][]byte
	switch language {
	case "nodejs":
		files, diags, err = nodejs.GenerateProgram(program)
	case "go":
		files, diags, err = gogen.GenerateProgram(program)
	default:
		files, diags, err = python.GenerateProgram(program)
	}
	if err != nil {
		return nil, err
	}
	rpcDiags = append(rpcDiags, plugin.HclDiagnosticsToRPCDiagnostics(diags)...)
	return &pulumirpc.GenerateProgramResponse{Source: files, Diagnostics: rpcDiags}, nil
}

func runProgram(in io.Reader, out io.Writer, language string) error {
	raw, err := io.ReadAll(in)
	if err != nil {
		return err
	}
	var req pulumirpc.GenerateProgramRequest
	if err := proto.Unmarshal(raw, &req); err != nil {
		return fmt.Errorf("not a GenerateProgramRequest: %w", err)
	}
	resp, err := generateProgram(&req, language)
	if err != nil {
		return err
	}
	encoded, err := proto.Marshal(resp)
	if err != nil {
		return err
	}
	_, err = out.Write(encoded)
	return err
}

// programMode runs `plivo-codegen program [python|nodejs|go]` when it is the first argument; it
// reports whether it did.
func programMode(args []string) bool {
	if len(args) == 0 || args[0] != "program" {
		return false
	}
	language := "python"
	if len(args) > 1 {
		language = args[1]
	}
	if language != "python" && language != "nodejs" && language != "go" {
		fmt.Fprintf(os.Stderr, "plivo-codegen program: unknown language %q (python, nodejs or go)\n", language)
		os.Exit(2)
	}
	if err := runProgram(os.Stdin, os.Stdout, language); err != nil {
		fmt.Fprintf(os.Stderr, "plivo-codegen program: %v\n", err)
		os.Exit(1)
	}
	return true
}
