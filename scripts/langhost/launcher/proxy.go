package main

// The proxy in front of the official host: the host of sdk/v3@v3.79.0 answers GenerateProgram with
// "method GenerateProgram not implemented", so `pulumi import` in a Python project (which asks the
// language host to write the declaration of what it imported) exited 1 after a successful import.
// The launcher starts the host as its child, serves the engine itself, forwards every call to the
// host unchanged (raw frames, streams included), and answers GenerateProgram by running
// `plivo-codegen program` (scripts/codegen/program.go, pkg/v3@v3.274.1's Python program generator).

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strings"
	"syscall"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

const (
	generateProgram = "/pulumirpc.LanguageRuntime/GenerateProgram"
	maxMessage      = 400 * 1024 * 1024 // the engine's own limit (rpcutil.GrpcChannelOptions)
)

// frame is a message as bytes: the proxy never decodes what it forwards.
type frame []byte

type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) {
	f, ok := v.(*frame)
	if !ok {
		return nil, fmt.Errorf("launcher: cannot marshal %T", v)
	}
	return *f, nil
}

func (rawCodec) Unmarshal(data []byte, v any) error {
	f, ok := v.(*frame)
	if !ok {
		return fmt.Errorf("launcher: cannot unmarshal into %T", v)
	}
	*f = append((*f)[:0], data...)
	return nil
}

func (rawCodec) Name() string { return "proto" }

type proxy struct {
	host    *grpc.ClientConn
	codegen string
}

// serveProxy runs the host (argv) as a child and serves the engine in front of it; it never returns.
func serveProxy(argv []string, codegen string) {
	runtime.LockOSThread() // Pdeathsig follows the thread that started the child
	child := exec.Command(argv[0], argv[1:]...)
	child.Stdin, child.Stderr = os.Stdin, os.Stderr
	child.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // dies with the launcher
	out, err := child.StdoutPipe()
	if err != nil {
		fail("cannot start %s: %v", argv[0], err)
	}
	if err := child.Start(); err != nil {
		fail("cannot start %s (run `make tools`): %v", argv[0], err)
	}
	lines := bufio.NewReader(out)
	first, err := lines.ReadString('\n') // the host's port, as the engine expects of a plugin
	if err != nil {
		_ = child.Process.Kill()
		fail("the language host exited before it listened: %v", err)
	}
	conn, err := grpc.Dial("127.0.0.1:"+strings.TrimSpace(first),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(rawCodec{}),
			grpc.MaxCallRecvMsgSize(maxMessage), grpc.MaxCallSendMsgSize(maxMessage)))
	if err != nil {
		_ = child.Process.Kill()
		fail("cannot reach the language host: %v", err)
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = child.Process.Kill()
		fail("cannot listen: %v", err)
	}
	p := &proxy{host: conn, codegen: codegen}
	server := grpc.NewServer(grpc.ForceServerCodec(rawCodec{}), grpc.UnknownServiceHandler(p.handle),
		grpc.MaxRecvMsgSize(maxMessage), grpc.MaxSendMsgSize(maxMessage))
	fmt.Printf("%d\n", listener.Addr().(*net.TCPAddr).Port)
	go func() { _, _ = io.Copy(os.Stdout, lines) }()

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	go func() {
		sig := <-stop
		_ = child.Process.Signal(sig)
	}()
	go func() {
		err := child.Wait()
		code := 0
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			code = exit.ExitCode()
		}
		os.Exit(code)
	}()
	if err := server.Serve(listener); err != nil {
		_ = child.Process.Kill()
		fail("serving: %v", err)
	}
}

func (p *proxy) handle(_ any, stream grpc.ServerStream) error {
	method, ok := grpc.MethodFromServerStream(stream)
	if !ok {
		return status.Error(codes.Internal, "launcher: no method in the request")
	}
	if method == generateProgram {
		return p.generateProgram(stream)
	}
	ctx, cancel := context.WithCancel(stream.Context())
	defer cancel()
	if md, ok := metadata.FromIncomingContext(ctx); ok {
		ctx = metadata.NewOutgoingContext(ctx, md.Copy())
	}
	upstream, err := p.host.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true, ClientStreams: true}, method)
	if err != nil {
		return err
	}
	toHost := make(chan error, 1)
	go func() {
		for {
			var f frame
			if err := stream.RecvMsg(&f); err != nil {
				if errors.Is(err, io.EOF) {
					toHost <- upstream.CloseSend()
				} else {
					toHost <- err
				}
				return
			}
			if err := upstream.SendMsg(&f); err != nil {
				// The host already ended the call (an Unimplemented method answers before reading
				// the request): its status comes through RecvMsg, never this io.EOF.
				toHost <- nil
				return
			}
		}
	}()
	fromHost := make(chan error, 1)
	go func() {
		// Headers are read after the first message, never before: a call that fails at once has
		// none (a trailers-only answer), and Header() then reports io.EOF instead of the status,
		// which RecvMsg returns.
		var err error
		for first := true; ; first = false {
			var f frame
			if err = upstream.RecvMsg(&f); err != nil {
				break
			}
			if first {
				if header, herr := upstream.Header(); herr == nil && len(header) > 0 {
					if err = stream.SendHeader(header); err != nil {
						break
					}
				}
			}
			if err = stream.SendMsg(&f); err != nil {
				break
			}
		}
		stream.SetTrailer(upstream.Trailer())
		fromHost <- err
	}()
	for {
		select {
		case err := <-toHost:
			if err != nil {
				return err
			}
			toHost = nil // the engine finished sending; wait for the host's answer
		case err := <-fromHost:
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

// generateProgram answers with `plivo-codegen program` (the request and the response as bytes).
func (p *proxy) generateProgram(stream grpc.ServerStream) error {
	var request frame
	if err := stream.RecvMsg(&request); err != nil {
		return err
	}
	cmd := exec.CommandContext(stream.Context(), p.codegen, "program")
	var out, stderr bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader(request), &out, &stderr
	if err := cmd.Run(); err != nil {
		detail := strings.TrimSpace(stderr.String())
		if detail == "" {
			detail = err.Error()
		}
		return status.Errorf(codes.Unknown, "generating the Python program: %s", detail)
	}
	response := frame(out.Bytes())
	return stream.SendMsg(&response)
}
