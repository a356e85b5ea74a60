"""The native provider: configuration (CheckConfig, DiffConfig, Configure), the schema, and routing of
every resource call by type token to its adapter (one module per resource) and of invokes.

One plugin process serves one provider instance (the default provider of the stack config, or one
explicit `plivo.Provider`), so its configuration and its client are this object's. The core's calls
are blocking HTTP: they run in worker threads, so the engine's parallel steps overlap.
"""

from __future__ import annotations

import asyncio
import contextvars
import sys
import threading
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import grpc
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.provider.experimental.provider import (
    CheckFailure,
    CheckRequest,
    CheckResponse,
    ConfigureRequest,
    ConfigureResponse,
    CreateRequest,
    CreateResponse,
    DeleteRequest,
    DiffRequest,
    DiffResponse,
    GetSchemaRequest,
    GetSchemaResponse,
    InvokeRequest,
    InvokeResponse,
    PropertyDiff,
    PropertyDiffKind,
    Provider,
    ReadRequest,
    ReadResponse,
    UpdateRequest,
    UpdateResponse,
)
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc

from plivo_pulumi.core.client import PlivoClient
from plivo_pulumi.core.config import (
    CONFIG_KEYS,
    TUNING_KEYS,
    configured_auth_id,
    normalized_base_url,
    resolve_settings,
)
from plivo_pulumi.core.deployment import Deployment
from plivo_pulumi.core.errors import CONFIG_HINT, AuthenticationError, PlivoError
from plivo_pulumi.core.lifecycle import Context
from plivo_pulumi.engine.invocation import (
    Invocation,
    current_invocation,
    run_deployment,
    run_is_constrained,
    run_replaces_unread_application,
    saved_config_hint,
)
from plivo_pulumi.native import schema as schema_module
from plivo_pulumi.native.convert import inputs_from_engine, plain, properties_to_engine
from plivo_pulumi.version import __version__

# Provider config names (camelCase, as in the schema) by the core's setting names.
CONFIG_NAMES = {name: key.split(":", 1)[1] for name, key in CONFIG_KEYS.items()} | {
    name: key.split(":", 1)[1] for name, (key, _env) in TUNING_KEYS.items()
}
# A new value of these is another account: the provider (and with it every resource) is replaced.
ACCOUNT_CONFIG = ("authId", "baseUrl")
TOKEN_CONFIG = "authToken"


class DiffWithInputsRequest(DiffRequest):
    """The SDK's DiffRequest, plus the old inputs the engine sends and the SDK's request leaves out
    (a diff that honours `ignoreChanges` compares them; see `adapter.LifecycleAdapter.diff`)."""

    def __init__(
        self,
        urn: str,
        resource_id: str,
        old_state: dict[str, PropertyValue],
        new_inputs: dict[str, PropertyValue],
        ignore_changes: list[str],
        old_inputs: dict[str, PropertyValue],
    ) -> None:
        super().__init__(urn, resource_id, old_state, new_inputs, ignore_changes)
        self.old_inputs = old_inputs


def resource_type(urn: str) -> str:
    """The resource's own type token from its URN. The URN's type part is the chain of parent types
    (`review:index:Team$plivo:index:RentedNumber` for a child of a component), whose last element is
    the resource's; the SDK's `request.type` returns the whole chain."""
    parts = urn.split("::")
    chain = parts[-2] if len(parts) > 2 else ""
    return chain.rsplit("$", 1)[-1]


class InvokeInputError(ValueError):
    """An argument of a function call that cannot be used: reported before any API call, as a
    failure of `argument` (the schema's name, which the SDKs print beside the message)."""

    def __init__(self, message: str, argument: str = "") -> None:
        super().__init__(message)
        self.argument = argument


class UnknownTypeError(Exception):
    """A type token this provider does not serve (a newer SDK than the plugin, most likely)."""


class ResourceAdapter(Protocol):
    """What the provider asks of each resource module: the SDK's request in, its response out."""

    def check(self, request: CheckRequest) -> CheckResponse: ...
    def diff(self, request: DiffRequest) -> DiffResponse: ...
    def create(self, request: CreateRequest) -> CreateResponse: ...
    def read(self, request: ReadRequest) -> ReadResponse: ...
    def update(self, request: UpdateRequest) -> UpdateResponse: ...
    def delete(self, request: DeleteRequest) -> None: ...


class ProviderConfig:
    """The configuration Configure received, read the way the core's `resolve_settings` expects
    (`plivo:authId`...), with the same environment fallbacks as the dynamic provider."""

    def __init__(self, values: Mapping[str, Any] | None = None) -> None:
        self._values = dict(values or {})

    def get(self, key: str) -> Any:
        """`key` in the stack-config form (`plivo:authId`) or the schema's (`authId`)."""
        name = key.split(":", 1)[-1]
        value = self._values.get(name)
        return None if value is None or value == "" else value

    def auth_id(self) -> str | None:
        return configured_auth_id(self.get)

    def client(self) -> PlivoClient:
        return resolve_settings(self.get).client()


def config_values(args: Mapping[str, PropertyValue], variables: Mapping[str, str]) -> dict[str, Any]:
    """Configure's values by schema name: the provider's inputs, else the legacy `variables`
    (`plivo:config:authId`), which older engines send instead."""
    values = {name: plain(value) for name, value in args.items()}
    for key, value in variables.items():
        name = key.rsplit(":", 1)[-1]
        values.setdefault(name, value)
    return values


class PlainTextTokenError(PlivoError):
    """The provider's token is not a secret."""


def refuse_plain_token(args: Mapping[str, PropertyValue]) -> None:
    """The dynamic front-end's refusal of a plain-text token, at Configure (the engine strips
    secretness from CheckConfig's inputs, not from Configure's): a token that is not a secret would
    be stored unencrypted in the stack config, the state, its history and backups."""
    token = args.get(TOKEN_CONFIG)
    if token is None or token.value in (None, "") or token.contains_secret():
        return
    key = CONFIG_KEYS["auth_token"]
    raise PlainTextTokenError(
        f"{key} is stored in plain text. Make it a secret: "
        f'`printf %s "$PLIVO_AUTH_TOKEN" | pulumi config set --secret {key}` (the token from standard '
        "input, never on a command line; or use the PLIVO_AUTH_TOKEN environment variable), or pass "
        "an explicit provider's authToken as a secret. Nothing was sent to Plivo."
    )


def config_diff(olds: Mapping[str, PropertyValue], news: Mapping[str, PropertyValue]) -> DiffResponse:
    """A changed account (auth id or endpoint) replaces the provider, so the resources move with it
    (the engine replaces them under the new one) instead of keeping outputs of the old account; a
    rotated token, tuning, or the same endpoint spelled another way (`normalized_base_url`) updates
    it in place: no resource is replaced, nothing is deleted."""
    changed: dict[str, PropertyDiff] = {}
    for name in sorted(set(olds) | set(news)):
        old = plain(olds[name]) if name in olds else None
        new = plain(news[name]) if name in news else None
        if old == new:
            continue
        replace = name in ACCOUNT_CONFIG
        if name == "baseUrl" and old is not None and normalized_base_url(old) == normalized_base_url(new):
            replace = False  # the same account: an in-place update of the provider
        if old is None:
            kind = PropertyDiffKind.ADD_REPLACE if replace else PropertyDiffKind.ADD
        elif new is None:
            kind = PropertyDiffKind.DELETE_REPLACE if replace else PropertyDiffKind.DELETE
        else:
            kind = PropertyDiffKind.UPDATE_REPLACE if replace else PropertyDiffKind.UPDATE
        changed[name] = PropertyDiff(kind, input_diff=True)
    replaces = [name for name, diff in changed.items() if "REPLACE" in diff.kind.name]
    return DiffResponse(changes=bool(changed), replaces=replaces, diffs=list(changed), detailed_diff=changed)


PROVIDER_TYPE = "pulumi:providers:plivo"


def explicit_provider_name(provider_urn: str) -> str | None:
    """The name of an explicit `plivo.Provider` from the URN the engine sends with Configure; None for
    the default provider (named `default`, or `default_<version>`) or when the engine sent no URN."""
    parts = provider_urn.split("::")
    if len(parts) < 3 or parts[-2].rsplit("$", 1)[-1] != PROVIDER_TYPE:
        return None
    name = parts[-1]
    return None if name == "default" or name.startswith("default_") else name


def explicit_provider_hint(name: str, invocation: Invocation | None = None) -> str:
    """What to fix when an explicit provider's credentials are refused: its inputs in the program,
    not the stack config (which only the default provider reads)."""
    text = (
        f"These credentials are the inputs of the explicit provider plivo.Provider '{name}' (its authId "
        "and authToken), not the stack config plivo:*: fix the values the program passes to it (the token "
        "as a secret, e.g. from `pulumi config set --secret`)."
    )
    invocation = invocation if invocation is not None else current_invocation()
    if (
        invocation is not None
        and invocation.command in ("refresh", "destroy")
        and not invocation.runs_program
    ):
        text += (
            f" This run (`{invocation.shown()}`) did not run the program, so the provider used its "
            "inputs saved in the state at the last deployment: after changing them, run "
            f"`{invocation.with_run_program()}`."
        )
    return text


# The URN of the resource whose call is running (copied into the worker thread by asyncio.to_thread),
# so that a line for the user shows under that resource.
CURRENT_URN: contextvars.ContextVar[str] = contextvars.ContextVar("plivo_current_urn", default="")


class EngineLog:
    """Lines for the user through the engine's Log call: the engine shows a plugin's stderr only in
    its verbose logs. Without an engine address (tests), stderr."""

    def __init__(self, engine_address: str = "") -> None:
        self._stub: Any = None
        if engine_address:
            channel = grpc.insecure_channel(engine_address)
            self._stub = engine_pb2_grpc.EngineStub(channel)

    def __call__(self, message: str) -> None:
        text = f"plivo: {message}"
        if self._stub is None:
            print(text, file=sys.stderr, flush=True)
            return
        try:
            self._stub.Log(
                engine_pb2.LogRequest(severity=engine_pb2.INFO, message=text, urn=CURRENT_URN.get())
            )
        except grpc.RpcError:
            print(text, file=sys.stderr, flush=True)


AdapterFactory = Callable[["PlivoProvider"], ResourceAdapter]
Invoker = Callable[["PlivoProvider", dict[str, Any]], dict[str, Any]]


class PlivoProvider(Provider):
    """The `plivo` provider. Resource adapters and invokes are looked up by type token in the
    registries passed in (`plivo_pulumi.native.server.build_provider` wires the real ones)."""

    def __init__(
        self,
        adapters: Mapping[str, AdapterFactory] | None = None,
        invokes: Mapping[str, Invoker] | None = None,
    ) -> None:
        self.config = ProviderConfig()
        self._adapter_factories = dict(adapters or {})
        self._adapters: dict[str, ResourceAdapter] = {}
        self._invokes = dict(invokes or {})
        self._client: PlivoClient | None = None
        self._client_lock = threading.Lock()
        # The core's memory of this deployment (numbers declared, claimed, released): this
        # object's own until an engine connects, then the engine run's, shared with every other
        # provider process of the run (docs/design.md, "One engine run, one memory").
        self.deployment = Deployment()
        # The URN of this provider instance (Configure's), which says whether it is an explicit one.
        self.provider_urn = ""
        # URNs this process imported (a Read with no state): only their Check applies the import rules.
        self.import_reads: set[str] = set()
        self.notify = EngineLog()

    def connect_engine(self, engine_address: str) -> None:
        """Send the lines for the user to the engine that started the plugin, and share the memory of
        its run with the other provider processes (the default provider, explicit ones, dynamic)."""
        self.notify = EngineLog(engine_address)
        if engine_address:
            self.deployment = run_deployment()

    # -- shared by the adapters ---------------------------------------------------------------

    def lifecycle_context(self) -> Context:
        return Context(
            client=self.client,
            account=self.config.auth_id(),
            deployment=self.deployment,
            notify=lambda message: self.notify(message),
            constrained=run_is_constrained,
            credentials_hint=self.credentials_hint,
            replacing_unread=run_replaces_unread_application,
        )

    def credentials_hint(self) -> str:
        """What a refused credential's message adds: the explicit provider's inputs, or the stack
        config's story (`engine.invocation.saved_config_hint`) for the default provider."""
        name = explicit_provider_name(self.provider_urn)
        return saved_config_hint() if name is None else explicit_provider_hint(name)

    def _for_this_provider(self, error: AuthenticationError) -> AuthenticationError:
        """The core's 401/403 says how to set the stack config; under an explicit provider, that
        provider's inputs are what to fix."""
        name = explicit_provider_name(self.provider_urn)
        text = str(error)
        if name is None or CONFIG_HINT not in text:
            return error
        inputs = f"the authId and authToken inputs of plivo.Provider '{name}' (the token as a secret)"
        return AuthenticationError(
            text.replace(CONFIG_HINT, inputs), status=error.status, method=error.method, path=error.path
        )

    async def _run(self, call: Callable[..., Any], request: Any) -> Any:
        """A resource call in a worker thread, under the resource's URN (for lines to the user)."""
        CURRENT_URN.set(request.urn)
        try:
            return await asyncio.to_thread(call, request)
        except AuthenticationError as exc:
            raise self._for_this_provider(exc) from None

    def client(self) -> PlivoClient:
        """The API client, made on first use: check and diff (preview) need no credentials."""
        with self._client_lock:
            if self._client is None:
                self._client = self.config.client()
            return self._client

    def adapter(self, type_token: str) -> ResourceAdapter:
        made = self._adapters.get(type_token)
        if made is None:
            factory = self._adapter_factories.get(type_token)
            if factory is None:
                raise UnknownTypeError(f"the plivo provider {__version__} has no resource type {type_token}")
            made = self._adapters[type_token] = factory(self)
        return made

    # -- configuration ------------------------------------------------------------------------

    async def get_schema(self, request: GetSchemaRequest) -> GetSchemaResponse:
        return GetSchemaResponse(schema=schema_module.schema_json())

    async def check_config(self, request: CheckRequest) -> CheckResponse:
        return CheckResponse(inputs=dict(request.new_inputs), failures=[])

    async def diff_config(self, request: DiffRequest) -> DiffResponse:
        return config_diff(request.old_state, request.new_inputs)

    async def configure(self, request: ConfigureRequest) -> ConfigureResponse:
        refuse_plain_token(request.args)
        with self._client_lock:
            self.config = ProviderConfig(config_values(request.args, request.variables))
            self._client = None
            self._adapters = {}  # their lifecycles know the account
        # No preview support: the engine then plans creates and updates without calling us, and
        # leaves the outputs we would compute unknown (check and diff already ran, with no API call).
        return ConfigureResponse(accept_secrets=True, supports_preview=False)

    # -- resources ----------------------------------------------------------------------------

    async def check(self, request: CheckRequest) -> CheckResponse:
        return await self._run(self.adapter(resource_type(request.urn)).check, request)

    async def diff(self, request: DiffRequest) -> DiffResponse:
        return await self._run(self.adapter(resource_type(request.urn)).diff, request)

    async def create(self, request: CreateRequest) -> CreateResponse:
        return await self._run(self.adapter(resource_type(request.urn)).create, request)

    async def read(self, request: ReadRequest) -> ReadResponse:
        return await self._run(self.adapter(resource_type(request.urn)).read, request)

    async def update(self, request: UpdateRequest) -> UpdateResponse:
        return await self._run(self.adapter(resource_type(request.urn)).update, request)

    async def delete(self, request: DeleteRequest) -> None:
        await self._run(self.adapter(resource_type(request.urn)).delete, request)

    # -- invokes ------------------------------------------------------------------------------

    async def invoke(self, request: InvokeRequest) -> InvokeResponse:
        invoker = self._invokes.get(request.tok)
        if invoker is None:
            raise UnknownTypeError(f"the plivo provider {__version__} has no function {request.tok}")
        args, _secret = inputs_from_engine(request.args)
        try:
            result = await asyncio.to_thread(invoker, self, args)
        except InvokeInputError as exc:  # before any API call: reported like a check failure
            return InvokeResponse(failures=[CheckFailure(exc.argument, str(exc))])
        except AuthenticationError as exc:
            raise self._for_this_provider(exc) from None
        return InvokeResponse(return_value=properties_to_engine(result))
