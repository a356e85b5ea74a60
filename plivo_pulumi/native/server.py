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
"""

from __future__ import annotations

import argparse
import asyncio
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
from plivo_pulumi.native.provider import DiffWithInputsRequest, PlivoProvider, UnknownTypeError
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
            return response

        return await self._guarded(run, context)

    async def CheckConfig(self, request: Any, context: Any) -> Any:
        return await self._guarded(lambda: super(PlivoServicer, self).CheckConfig(request, context), context)

    async def Configure(self, request: Any, context: Any) -> Any:
        self._provider.provider_urn = request.urn  # the SDK's request leaves it out
        return await self._guarded(lambda: super(PlivoServicer, self).Configure(request, context), context)

    async def Check(self, request: Any, context: Any) -> Any:
        return await self._guarded(lambda: super(PlivoServicer, self).Check(request, context), context)

    async def Create(self, request: Any, context: Any) -> Any:
        return await self._guarded(lambda: super(PlivoServicer, self).Create(request, context), context)

    async def Update(self, request: Any, context: Any) -> Any:
        return await self._guarded(lambda: super(PlivoServicer, self).Update(request, context), context)

    async def Delete(self, request: Any, context: Any) -> Any:
        return await self._guarded(lambda: super(PlivoServicer, self).Delete(request, context), context)

    async def Invoke(self, request: Any, context: Any) -> Any:
        return await self._guarded(lambda: super(PlivoServicer, self).Invoke(request, context), context)


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
    await server.start()
    sys.stdout.write(f"{port}\n")
    sys.stdout.flush()
    await server.wait_for_termination()


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
