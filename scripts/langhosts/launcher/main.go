// Command launcher is installed twice, as .tools/bin/pulumi-language-nodejs and
// .tools/bin/pulumi-language-go. It starts the official host of the same name from sdk/v3@v3.66.0
// (installed in .tools/libexec) with the flags that the project's `runtime.options` stand for.
//
// Why: those hosts read their options (typescript, tsconfig, nodeargs; binary, buildTarget) from
// command-line flags, which engines of their time built from `runtime.options`. Today's engine
// (v3.274.1) starts a language host with the engine address alone and sends the options inside its
// requests, which the old hosts do not read, so without this launcher every option is ignored.
//
// The launcher serves the engine itself, as a gRPC proxy in front of the host (its child): every call
// is forwarded unchanged except two. GenerateProgram, which the old hosts lack (so `pulumi import`
// could print no code), is answered by `plivo-codegen program nodejs|go` (scripts/codegen/program.go,
// pkg/v3@v3.274.1's program generators).
//
// The Go host also reports every `github.com/pulumi/pulumi-*` module of go.mod as a provider plugin,
// indirect requires included: sdk/v3 itself requires github.com/pulumi/pulumi-cloud-sdk/go, so each
// Go program "needs" a plugin `cloud-sdk` that does not exist (`pulumi about` lists it, `pulumi
// install` tries to download it). The launcher drops such plugins from the Go host's
// GetRequiredPlugins answer: an indirect require named like a provider that ships no pulumi-plugin.json.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync/atomic"
	"syscall"

	"github.com/golang/protobuf/proto" //nolint:staticcheck // the proto package of the v3.66.0 host
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"golang.org/x/mod/modfile"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"gopkg.in/yaml.v3"
)

// hostFlags lists, per host, the runtime options it accepts as `-name=value` flags. Other options are
// left out: the old hosts exit on a flag they do not know.
var hostFlags = map[string][]string{
	"pulumi-language-nodejs": {"typescript", "tsconfig", "nodeargs"},
	"pulumi-language-go":     {"binary", "buildTarget"},
}

func main() {
	self, err := os.Executable()
	if err != nil {
		fail("cannot locate itself: %v", err)
	}
	name := filepath.Base(self) // the copy's own name: this launcher is not a symlink
	known, ok := hostFlags[name]
	if !ok {
		fail("installed as %q, expected pulumi-language-nodejs or pulumi-language-go", name)
	}
	resolved, err := filepath.EvalSymlinks(self)
	if err != nil {
		fail("cannot locate itself: %v", err)
	}
	host := filepath.Join(filepath.Dir(filepath.Dir(resolved)), "libexec", name)

	args := os.Args[1:]
	var extra []string
	if options, ok := projectOptions(); ok {
		extra = optionFlags(options, known, args)
	}
	argv := append(append([]string{host}, extra...), args...)
	codegen := filepath.Join(filepath.Dir(resolved), "plivo-codegen")
	if info, err := os.Stat(codegen); err != nil || info.IsDir() {
		codegen = "" // GenerateProgram then stays the host's: not implemented
	}
	os.Exit(serve(strings.TrimPrefix(name, "pulumi-language-"), host, argv, codegen))
}

func fail(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "pulumi-language launcher: "+format+"\n", a...)
	os.Exit(1)
}

// optionFlags turns the options the host knows into flags, leaving out those already on the command line.
func optionFlags(options map[string]any, known, args []string) []string {
	var flags []string
	for _, key := range known {
		value, set := options[key]
		if !set || value == nil || hasFlag(args, key) {
			continue
		}
		switch v := value.(type) {
		case string, bool, int, float64:
			flags = append(flags, fmt.Sprintf("-%s=%v", key, v))
		}
	}
	sort.Strings(flags)
	return flags
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

// projectOptions returns the runtime.options of the project the engine runs: found upward from the
// directory of the `pulumi` process (our parent), as the CLI finds it, and checked against the
// directory the engine started the host in (the program's). Anything it cannot read gives no options.
func projectOptions() (map[string]any, bool) {
	here, err := os.Getwd()
	if err != nil {
		return nil, false
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
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		var proj struct {
			Main    string    `yaml:"main"`
			Runtime yaml.Node `yaml:"runtime"`
		}
		if yaml.Unmarshal(data, &proj) != nil { // JSON is YAML too (Pulumi.json)
			continue
		}
		if !sameDir(programDir(filepath.Dir(path), proj.Main), here) {
			continue
		}
		var runtime struct {
			Options map[string]any `yaml:"options"`
		}
		if proj.Runtime.Kind == yaml.MappingNode && proj.Runtime.Decode(&runtime) == nil {
			return runtime.Options, true
		}
		return nil, true
	}
	return nil, false
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

// serve runs the host as a child and serves the engine in front of it; returns the exit code.
func serve(language, host string, argv []string, codegen string) int {
	runtime.LockOSThread() // Pdeathsig follows the thread that started the child
	child := exec.Command(host, argv[1:]...)
	child.Stdin, child.Stderr = os.Stdin, os.Stderr
	child.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // it dies with us
	stdout, err := child.StdoutPipe()
	if err != nil {
		fail("%v", err)
	}
	// The engine interrupts the plugin's whole process group: the host gets the signal too, and we
	// exit once it has.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGINT, syscall.SIGTERM)
	if err := child.Start(); err != nil {
		fail("cannot start %s (run `make tools`): %v", host, err)
	}
	lines := bufio.NewReader(stdout)
	port, err := lines.ReadString('\n') // the host's port, as the engine expects of any plugin
	if err != nil {
		return waitChild(child)
	}
	conn, err := grpc.Dial("127.0.0.1:"+strings.TrimSpace(port),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxMessage), grpc.MaxCallSendMsgSize(maxMessage)))
	if err != nil {
		fail("cannot reach the %s host: %v", language, err)
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail("cannot listen: %v", err)
	}
	fwd := &forwarder{conn: conn, language: language, codegen: codegen}
	server := grpc.NewServer(grpc.ForceServerCodec(rawCodec{}), grpc.UnknownServiceHandler(fwd.handle),
		grpc.MaxRecvMsgSize(maxMessage), grpc.MaxSendMsgSize(maxMessage))
	go func() { _ = server.Serve(listener) }()
	fmt.Printf("%d\n", listener.Addr().(*net.TCPAddr).Port)
	_, _ = io.Copy(os.Stdout, lines) // the program's own output, which the host writes to its stdout
	code := waitChild(child)
	server.Stop()
	return code
}

func waitChild(child *exec.Cmd) int {
	if err := child.Wait(); err != nil {
		if exit, ok := err.(*exec.ExitError); ok && exit.ExitCode() >= 0 {
			return exit.ExitCode()
		}
		return 1
	}
	return 0
}

const maxMessage = 400 * 1024 * 1024 // the engine's own limit

// rawCodec passes messages through as bytes: the proxy decodes only the two calls it changes.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) { return *v.(*[]byte), nil }
func (rawCodec) Unmarshal(data []byte, v any) error {
	*v.(*[]byte) = append([]byte(nil), data...)
	return nil
}
func (rawCodec) Name() string { return "proto" }

type forwarder struct {
	conn     *grpc.ClientConn
	language string // "nodejs" or "go"
	codegen  string // plivo-codegen beside the launcher, or ""
}

const (
	getRequiredPlugins = "/pulumirpc.LanguageRuntime/GetRequiredPlugins"
	generateProgram    = "/pulumirpc.LanguageRuntime/GenerateProgram"
)

// handle forwards one call, of any kind, to the host; GenerateProgram is answered by plivo-codegen,
// and the Go host's GetRequiredPlugins answer is filtered.
func (f *forwarder) handle(_ any, in grpc.ServerStream) error {
	method, _ := grpc.MethodFromServerStream(in)
	if method == generateProgram && f.codegen != "" {
		return f.generateProgram(in)
	}
	filter := method == getRequiredPlugins && f.language == "go"
	ctx, cancel := context.WithCancel(in.Context())
	defer cancel()
	out, err := f.conn.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true, ClientStreams: true}, method,
		grpc.ForceCodec(rawCodec{}))
	if err != nil {
		return err
	}
	var pwd atomic.Value // the request's program directory, known before the answer comes
	pwd.Store("")
	go func() {
		for {
			var msg []byte
			if err := in.RecvMsg(&msg); err != nil {
				if err == io.EOF {
					_ = out.CloseSend()
				} else {
					cancel()
				}
				return
			}
			if filter {
				var req pulumirpc.GetRequiredPluginsRequest
				if proto.Unmarshal(msg, &req) == nil {
					pwd.Store(req.GetPwd())
				}
			}
			if err := out.SendMsg(&msg); err != nil {
				return
			}
		}
	}()
	for {
		var msg []byte
		err := out.RecvMsg(&msg)
		if err == io.EOF {
			in.SetTrailer(out.Trailer())
			return nil
		}
		if err != nil {
			return err
		}
		if filter {
			msg = dropSpuriousPlugins(msg, pwd.Load().(string))
		}
		if err := in.SendMsg(&msg); err != nil {
			return err
		}
	}
}

// generateProgram answers with `plivo-codegen program LANGUAGE` (request and response as bytes):
// `pulumi import` asks the host for the code of what it imported, which the old hosts cannot write.
func (f *forwarder) generateProgram(in grpc.ServerStream) error {
	var request []byte
	if err := in.RecvMsg(&request); err != nil {
		return err
	}
	cmd := exec.CommandContext(in.Context(), f.codegen, "program", f.language)
	var out, stderr bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader(request), &out, &stderr
	if err := cmd.Run(); err != nil {
		detail := strings.TrimSpace(stderr.String())
		if detail == "" {
			detail = err.Error()
		}
		return status.Errorf(codes.Unknown, "generating the %s program: %s", f.language, detail)
	}
	response := out.Bytes()
	return in.SendMsg(&response)
}

// dropSpuriousPlugins removes from a GetRequiredPluginsResponse the plugins that come from indirect
// requires of go.mod named github.com/pulumi/pulumi-<name> whose module ships no pulumi-plugin.json
// (a provider SDK declares itself with one; the Go host guesses from the name alone).
func dropSpuriousPlugins(msg []byte, pwd string) []byte {
	var resp pulumirpc.GetRequiredPluginsResponse
	if pwd == "" || proto.Unmarshal(msg, &resp) != nil {
		return msg
	}
	data, err := os.ReadFile(filepath.Join(pwd, "go.mod"))
	if err != nil {
		return msg
	}
	gomod, err := modfile.ParseLax("go.mod", data, nil)
	if err != nil {
		return msg
	}
	direct, indirect := map[string]bool{}, map[string]string{} // plugin name -> module path
	for _, req := range gomod.Require {
		parts := strings.Split(req.Mod.Path, "/")
		if len(parts) < 3 || parts[0] != "github.com" || parts[1] != "pulumi" || !strings.HasPrefix(parts[2], "pulumi-") {
			continue
		}
		name := strings.TrimPrefix(parts[2], "pulumi-")
		if req.Indirect {
			indirect[name] = req.Mod.Path
		} else {
			direct[name] = true
		}
	}
	kept := resp.Plugins[:0]
	changed := false
	for _, plugin := range resp.Plugins {
		path, guessed := indirect[plugin.GetName()]
		if guessed && !direct[plugin.GetName()] && !shipsPluginJSON(pwd, path) {
			changed = true
			continue
		}
		kept = append(kept, plugin)
	}
	if !changed {
		return msg
	}
	resp.Plugins = kept
	filtered, err := proto.Marshal(&resp)
	if err != nil {
		return msg
	}
	return filtered
}

// shipsPluginJSON looks for pulumi-plugin.json where the Go host looks: the module's root, go/, go/*/.
func shipsPluginJSON(pwd, module string) bool {
	cmd := exec.Command("go", "list", "-m", "-json", module)
	cmd.Dir = pwd
	out, err := cmd.Output()
	if err != nil {
		return true // unknown: keep what the host reported
	}
	var info struct{ Dir string }
	if json.Unmarshal(out, &info) != nil || info.Dir == "" {
		return true
	}
	candidates := []string{
		filepath.Join(info.Dir, "pulumi-plugin.json"),
		filepath.Join(info.Dir, "go", "pulumi-plugin.json"),
	}
	if more, err := filepath.Glob(filepath.Join(info.Dir, "go", "*", "pulumi-plugin.json")); err == nil {
		candidates = append(candidates, more...)
	}
	for _, candidate := range candidates {
		if _, err := os.Stat(candidate); err == nil {
			return true
		}
	}
	return false
}
