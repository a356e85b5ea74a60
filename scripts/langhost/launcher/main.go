// Command launcher is installed as .tools/bin/pulumi-language-python. It starts the official Python
// language host of sdk/v3@v3.79.0 (installed as .tools/libexec/pulumi-language-python) with the
// project's `runtime.options.virtualenv`.
//
// Why: that host learns the virtualenv from its `-root` and `-virtualenv` flags, which engines of
// its time passed on the command line. Today's engine (v3.274.1) starts language hosts with the
// engine address alone and sends the options inside its requests, which the old host does not read,
// so without this launcher a program runs with whatever `python3` is first on PATH.
//
// The project is the one the engine itself uses: found upward from the directory the `pulumi`
// process (our parent) runs in, exactly as the CLI finds it (`--cwd` changes that directory). The
// launcher checks that the project's program directory is the directory the engine started the host
// in; if not (an unusual parent), it falls back to the project found upward from that directory.
// Anything it cannot read leaves the flags out, and the host behaves as it always did.
//
// With plivo-codegen installed beside it, the launcher also stands in front of the host to answer
// GenerateProgram, which that host lacks (proxy.go: `pulumi import` prints the Python declaration).
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"gopkg.in/yaml.v3"
)

// projectFile holds the two parts of Pulumi.yaml that decide where the program and its virtualenv are.
type projectFile struct {
	Main    string    `yaml:"main"`
	Runtime yaml.Node `yaml:"runtime"`
}

func main() {
	self, err := os.Executable()
	if err == nil {
		self, err = filepath.EvalSymlinks(self)
	}
	if err != nil {
		fail("cannot locate itself: %v", err)
	}
	bin := filepath.Dir(self)
	host := filepath.Join(filepath.Dir(bin), "libexec", "pulumi-language-python")

	args := os.Args[1:]
	var extra []string
	if !hasFlag(args, "use-executor") {
		extra = append(extra, "-use-executor="+filepath.Join(bin, "pulumi-language-python-exec"))
	}
	if !hasFlag(args, "virtualenv") && !hasFlag(args, "root") {
		if root, venv, ok := projectRuntime(); ok {
			extra = append(extra, "-root="+root)
			if venv != "" {
				extra = append(extra, "-virtualenv="+venv)
			}
		}
	}
	argv := append([]string{host}, extra...)
	argv = append(argv, args...)
	// With plivo-codegen (built by scripts/install-codegen.sh) beside us, serve in front of the host
	// to answer GenerateProgram (proxy.go); without it, become the host, as before.
	if codegen := filepath.Join(bin, "plivo-codegen"); isExecutable(codegen) {
		serveProxy(argv, codegen)
	}
	if err := syscall.Exec(host, argv, os.Environ()); err != nil {
		fail("cannot start %s (run `make tools`): %v", host, err)
	}
}

func isExecutable(path string) bool {
	info, err := os.Stat(path)
	return err == nil && !info.IsDir() && info.Mode()&0o111 != 0
}

func fail(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "pulumi-language-python launcher: "+format+"\n", a...)
	os.Exit(1)
}

func hasFlag(args []string, name string) bool {
	for _, arg := range args {
		trimmed := strings.TrimLeft(arg, "-")
		if len(trimmed) < len(arg) && (trimmed == name || strings.HasPrefix(trimmed, name+"=")) {
			return true
		}
	}
	return false
}

// projectRuntime returns the project root and its runtime.options.virtualenv, as written.
func projectRuntime() (root, virtualenv string, ok bool) {
	here, err := os.Getwd()
	if err != nil {
		return "", "", false
	}
	var starts []string
	if parentDir, err := os.Readlink(fmt.Sprintf("/proc/%d/cwd", os.Getppid())); err == nil {
		starts = append(starts, parentDir)
	}
	starts = append(starts, here)
	for _, start := range starts {
		path, err := workspace.DetectProjectPathFrom(start)
		if err != nil || path == "" {
			continue
		}
		proj, err := readProject(path)
		if err != nil {
			continue
		}
		root = filepath.Dir(path)
		if !sameDir(programDir(root, proj.Main), here) {
			continue
		}
		return root, virtualenvOption(proj.Runtime), true
	}
	return "", "", false
}

func readProject(path string) (*projectFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var proj projectFile
	if err := yaml.Unmarshal(data, &proj); err != nil { // JSON is YAML too (Pulumi.json)
		return nil, err
	}
	return &proj, nil
}

// programDir is the directory the engine runs the program in: the root, or `main` (its folder when
// `main` names a file).
func programDir(root, main string) string {
	if main == "" {
		return root
	}
	if !filepath.IsAbs(main) {
		main = filepath.Join(root, main)
	}
	if info, err := os.Stat(main); err == nil && !info.IsDir() {
		return filepath.Dir(main)
	}
	return filepath.Clean(main)
}

func sameDir(a, b string) bool {
	ra, errA := filepath.EvalSymlinks(a)
	rb, errB := filepath.EvalSymlinks(b)
	if errA != nil || errB != nil {
		return filepath.Clean(a) == filepath.Clean(b)
	}
	return ra == rb
}

// virtualenvOption reads runtime.options.virtualenv; `runtime: python` (a plain name) has none.
func virtualenvOption(runtime yaml.Node) string {
	if runtime.Kind != yaml.MappingNode {
		return ""
	}
	var parsed struct {
		Options map[string]any `yaml:"options"`
	}
	if err := runtime.Decode(&parsed); err != nil {
		return ""
	}
	if venv, ok := parsed.Options["virtualenv"].(string); ok {
		return venv
	}
	return ""
}
