"""Serving the provider over gRPC, as the engine expects of a plugin: listen on 127.0.0.1 on a free
port, print the port on stdout, serve until the engine closes us.

`PlivoServicer` works around two defects of the pinned SDK's `ProviderServicer` (pulumi 3.272.0):

* `DiffConfig` reads `PropertyDiff.inputDiff` (the attribute is `input_diff`) and passes the
  response's bool `changes` where the proto wants the DiffChanges enum: it crashes on any detailed
  diff. Ours converts the response properly.
* every error is re-raised with a Python traceback appended, which the engine shows the user. The
  core's errors (`PlivoError`: refusals, API errors) are messages for the user: ours sends them
  alone; anything else keeps the traceback (a bug to report).

`Diff` is ours too: the SDK always claims a detailed diff, which would hide the engine's own
per-key diff when we answer "unknown" (let the engine compare inputs, as the dynamic front-end does).
`Read` keeps the state's inputs when the adapter returns none.

The plugin's lifetime is the engine's (`EngineWatch`): the engine closes a plugin when its run ends,
but an engine that is killed (`kill -9`, a CI runner that dies) closes nothing, and a plugin serving
on would outlive it, holding its port and memory, with API calls whose results nobody records. So the
plugin watches the engine that started it and exits when it is gone.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import socket
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
import grpc.aio
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.provider.experimental.provider import DiffRequest, DiffResponse, PropertyDiffKind
from pulumi.provider.experimental.server import ProviderServicer
from pulumi.runtime import proto
from pulumi.runtime._grpc_settings import _GRPC_CHANNEL_OPTIONS
from pulumi.runtime.proto import provider_pb2_grpc

from plivo_pulumi.core.errors import PlivoError
from plivo_pulumi.native.provider import (
    DiffWithInputsRequest,
    PlivoProvider,
    UnknownTypeError,
    resource_type,
)
from plivo_pulumi.native.schema import APPLICATION
from plivo_pulumi.version import __version__

_KINDS = {
    PropertyDiffKind.ADD: proto.PropertyDiff.ADD,
    PropertyDiffKind.ADD_REPLACE: proto.PropertyDiff.ADD_REPLACE,
    PropertyDiffKind.DELETE: proto.PropertyDiff.DELETE,
    PropertyDiffKind.DELETE_REPLACE: proto.PropertyDiff.DELETE_REPLACE,
    PropertyDiffKind.UPDATE: proto.PropertyDiff.UPDATE,
    PropertyDiffKind.UPDATE_REPLACE: proto.PropertyDiff.UPDATE_REPLACE,
}
# Errors whose message is the whole story for the user.
USER_ERRORS: tuple[type[BaseException], ...] = (PlivoError, UnknownTypeError)


def diff_response_to_proto(resp: DiffResponse) -> Any:
    """The SDK's DiffResponse as the proto, right for both Diff and DiffConfig: `changes` as the
    enum (None = unknown: the engine compares the inputs itself), and a detailed diff whenever the
    changes are known."""
    if resp.changes is None:
        changes = proto.DiffResponse.DIFF_UNKNOWN
    else:
        changes = proto.DiffResponse.DIFF_SOME if resp.changes else proto.DiffResponse.DIFF_NONE
    return proto.DiffResponse(
        replaces=resp.replaces,
        stables=resp.stables,
        deleteBeforeReplace=resp.delete_before_replace,
        changes=changes,
        diffs=resp.diffs,
        detailedDiff={
            key: proto.PropertyDiff(kind=_KINDS[diff.kind], inputDiff=diff.input_diff)
            for key, diff in resp.detailed_diff.items()
        },
        # Known changes come with our own detailed diff, even an empty one (hidden keys only): the
        # engine would otherwise print its own diff of every input, internal keys included.
        hasDetailedDiff=bool(resp.detailed_diff) or resp.changes is not None,
    )


def _diff_request(request: Any) -> DiffRequest:
    return DiffWithInputsRequest(
        request.urn,
        request.id,
        PropertyValue.unmarshal_map(request.olds),
        PropertyValue.unmarshal_map(request.news),
        list(request.ignoreChanges),
        PropertyValue.unmarshal_map(request.old_inputs),
    )


def _refreshed_before_update(urn: str, response: Any) -> Any:
    """An Application asks the engine to read it at the start of every update and preview
    (`refreshBeforeUpdate`): the engine shows the provider nothing else of the old state before the
    create of a targeted replace (`up --replace`), and that read is what proves the stack made the
    application, so the replacement keeps it the stack's own (docs/design.md, "Applications"). One GET
    per Application per run."""
    if resource_type(urn) == APPLICATION:
        response.refresh_before_update = True
    return response


def user_message(error: BaseException) -> str | None:
    """The message to show alone, if `error` (or the error the SDK wrapped) is a user error."""
    for candidate in (error, error.__context__):
        if isinstance(candidate, USER_ERRORS):
            return str(candidate)
    return None


class PlivoServicer(ProviderServicer):
    """The SDK's servicer with the fixes above."""

    _provider: PlivoProvider

    async def _guarded(self, call: Callable[[], Awaitable[Any]], context: Any) -> Any:
        try:
            return await call()
        except Exception as exc:
            message = user_message(exc)
            if message is None:
                raise
            await context.abort(grpc.StatusCode.UNKNOWN, message)

    async def DiffConfig(self, request: Any, context: Any) -> Any:
        async def run() -> Any:
            return diff_response_to_proto(await self._provider.diff_config(_diff_request(request)))

        return await self._guarded(run, context)

    async def Diff(self, request: Any, context: Any) -> Any:
        async def run() -> Any:
            return diff_response_to_proto(await self._provider.diff(_diff_request(request)))

        return await self._guarded(run, context)

    async def Read(self, request: Any, context: Any) -> Any:
        async def run() -> Any:
            response = await super(PlivoServicer, self).Read(request, context)
            if not response.id:
                return proto.ReadResponse()  # gone: the engine drops the resource from the state
            return _refreshed_before_update(request.urn, response)

        return await self._guarded(run, context)

    async def CheckConfig(self, request: Any, context: Any) -> Any:
        return await self._guarded(lambda: super(PlivoServicer, self).CheckConfig(request, context), context)

    async def Configure(self, request: Any, context: Any) -> Any:
        self._provider.provider_urn = request.urn  # the SDK's request leaves it out
        return await self._guarded(lambda: super(PlivoServicer, self).Configure(request, context), context)

    async def Check(self, request: Any, context: Any) -> Any:
        return await self._guarded(lambda: super(PlivoServicer, self).Check(request, context), context)

    async def Create(self, request: Any, context: Any) -> Any:
        async def run() -> Any:
            response = await super(PlivoServicer, self).Create(request, context)
            return _refreshed_before_update(request.urn, response)

        return await self._guarded(run, context)

    async def Update(self, request: Any, context: Any) -> Any:
        async def run() -> Any:
            response = await super(PlivoServicer, self).Update(request, context)
            return _refreshed_before_update(request.urn, response)

        return await self._guarded(run, context)

    async def Delete(self, request: Any, context: Any) -> Any:
        return await self._guarded(lambda: super(PlivoServicer, self).Delete(request, context), context)

    async def Invoke(self, request: Any, context: Any) -> Any:
        return await self._guarded(lambda: super(PlivoServicer, self).Invoke(request, context), context)


# How often the plugin looks for its engine, and how long the calls in flight get to finish once it
# is gone (a plugin outlives a killed engine by at most about their sum, plus one probe's timeout).
ENGINE_POLL_SECONDS = 0.5
ENGINE_GONE_GRACE_SECONDS = 2.0
# The engine's address is probed every few polls only (each probe is a connection the engine
# accepts and drops), and gone after refusals in a row (a refusal is definitive on its own: nothing
# listens there any more; two rule out a probe racing the engine's own start).
ADDRESS_PROBE_EVERY = 4
ENGINE_REFUSALS = 2


class EngineWatch:
    """Whether the engine that started this plugin is still there.

    Two signs, either one enough: the parent process changed (the engine starts a plugin as its own
    child, directly or through the launcher's `exec`; when the engine dies the kernel re-parents the
    plugin), or the engine's gRPC address refuses connections (the engine is gone even if a wrapper
    between it and the plugin lives on). A probe that times out proves nothing (a busy machine), so
    only refusals count. Without an engine address (tests, `--version`) only the parent counts."""

    def __init__(self, engine_address: str, parent_pid: int | None = None) -> None:
        self.parent_pid = os.getppid() if parent_pid is None else parent_pid
        self.address = _host_port(engine_address)
        self._polls = 0
        self._refusals = 0

    def parent_gone(self) -> bool:
        return self.parent_pid > 1 and os.getppid() != self.parent_pid

    def address_refused(self) -> bool:
        """One probe of the engine's address: True when the connection is refused."""
        if self.address is None:
            return False
        try:
            with socket.create_connection(self.address, timeout=1.0):
                return False
        except ConnectionRefusedError:
            return True
        except OSError:
            return False

    def gone(self) -> bool:
        if self.parent_gone():
            return True
        self._polls += 1
        if self._polls % ADDRESS_PROBE_EVERY == 0 or self._refusals:
            self._refusals = self._refusals + 1 if self.address_refused() else 0
        return self._refusals >= ENGINE_REFUSALS


def _host_port(address: str) -> tuple[str, int] | None:
    """`127.0.0.1:PORT`, `[::1]:PORT` or `localhost:PORT` as (host, port); None when not an address."""
    host, sep, port = address.strip().rpartition(":")
    if not sep or not host or not port.isdigit():
        return None
    return host.strip("[]"), int(port)


async def wait_for_engine_gone(watch: EngineWatch, interval: float = ENGINE_POLL_SECONDS) -> None:
    """Returns once the engine is gone (probes run in a thread: a connect may take a moment)."""
    while not await asyncio.to_thread(watch.gone):
        await asyncio.sleep(interval)


async def serve_until_done(server: Any, watch: EngineWatch) -> bool:
    """Serve until the engine closes the server (False) or is gone (True: the server is stopped,
    the calls in flight had ENGINE_GONE_GRACE_SECONDS to finish)."""
    closed = asyncio.ensure_future(server.wait_for_termination())
    engine_gone = asyncio.ensure_future(wait_for_engine_gone(watch))
    done, _pending = await asyncio.wait({closed, engine_gone}, return_when=asyncio.FIRST_COMPLETED)
    if engine_gone not in done:
        engine_gone.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await engine_gone
        return False
    await server.stop(grace=ENGINE_GONE_GRACE_SECONDS)
    closed.cancel()
    return True


def exit_now() -> None:
    """Leave at once: a core call may still block a worker thread (an API call and its retries),
    which a normal interpreter exit would wait for, though no engine will ever read its result."""
    with contextlib.suppress(Exception):
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(0)


def build_provider() -> PlivoProvider:
    """The provider with every resource adapter and function of the schema."""
    from plivo_pulumi.native.invokes import INVOKES
    from plivo_pulumi.native.resources import ADAPTERS

    return PlivoProvider(adapters=ADAPTERS, invokes=INVOKES)


async def serve(provider: PlivoProvider, engine_address: str, args: list[str]) -> None:
    provider.connect_engine(engine_address)
    server = grpc.aio.server(options=_GRPC_CHANNEL_OPTIONS)
    servicer = PlivoServicer(args, __version__, provider, engine_address=engine_address)
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    watch = EngineWatch(engine_address)
    await server.start()
    sys.stdout.write(f"{port}\n")
    sys.stdout.flush()
    if await serve_until_done(server, watch):
        exit_now()


def main(argv: list[str] | None = None) -> None:
    """`pulumi-resource-plivo ENGINE_ADDRESS [--logflow] [--logtostderr] ...` as the engine starts it."""
    args = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="pulumi-resource-plivo", description="The Plivo Pulumi provider.")
    parser.add_argument("engine", nargs="?", default="", help="the engine's gRPC address")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    known, _rest = parser.parse_known_args(args)
    if known.version:
        print(__version__)
        return
    try:
        asyncio.run(serve(build_provider(), known.engine, args))
    except KeyboardInterrupt:
        pass
