"""The base of every Plivo dynamic provider: configuration read in the provider process, one shared
API client created on first use (so check and diff, at preview, need no credentials), and the
translation between the dynamic-provider host and the core's lifecycle of the resource."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any, ClassVar

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)
from pulumi.runtime import rpc

from plivo_pulumi.core.client import PlivoClient
from plivo_pulumi.core.config import configured_auth_id, resolve_settings
from plivo_pulumi.core.lifecycle import Context, Lifecycle, Observed, Written
from plivo_pulumi.dynamic import _short_errors as short_errors
from plivo_pulumi.dynamic._binding import secret_fields, with_unknown_markers
from plivo_pulumi.engine.invocation import (
    run_deployment,
    run_is_constrained,
    run_replaces_unread_application,
    saved_config_hint,
)

_CLIENT_LOCK = threading.Lock()
short_errors.install()  # inside the provider process: errors show their message, not a traceback


def log(message: str) -> None:
    """The provider process has no engine connection: stderr is what the engine shows the user."""
    print(f"plivo: {message}", file=sys.stderr, flush=True)


class PlivoResourceProvider(ResourceProvider):
    """Holds no state when serialized, so the provider stored with every resource stays tiny and
    never carries credentials. A subclass names its resource's lifecycle and the inputs the program
    may mark secret; every method converts the host's values, calls the lifecycle and wraps its
    answer."""

    # Nothing secret is captured when this object is pickled: the serialized provider can stay plain.
    serialize_as_secret_always = False
    lifecycle: ClassVar[type[Lifecycle]]
    secret_candidates: ClassVar[tuple[str, ...]]

    def configure(self, req: ConfigureRequest) -> None:
        self._config_get: Callable[[str], Any] | None = req.config.get
        self._client: PlivoClient | None = None

    def configured_auth_id(self) -> str | None:
        """The configured account id, read without credentials or a client (check runs at preview)."""
        return configured_auth_id(getattr(self, "_config_get", None))

    def api(self) -> PlivoClient:
        with _CLIENT_LOCK:
            client = getattr(self, "_client", None)
            if client is None:
                client = self._client = resolve_settings(getattr(self, "_config_get", None)).client()
            return client

    def _lifecycle(self) -> Lifecycle:
        """Made per call (it is cheap), so nothing of it is ever pickled with the provider."""
        context = Context(
            client=self.api,
            account=self.configured_auth_id(),
            deployment=run_deployment(),  # the engine run's, shared with the native plugins
            notify=log,
            constrained=run_is_constrained,
            credentials_hint=saved_config_hint,
            replacing_unread=run_replaces_unread_application,
        )
        return type(self).lifecycle(context)

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        news = with_unknown_markers(news)
        secret = secret_fields(news, self.secret_candidates)
        checked = self._lifecycle().check(with_unknown_markers(_olds), news, secret)
        return CheckResult(checked.inputs, [CheckFailure(f.field, f.reason) for f in checked.failures])

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        planned = self._lifecycle().diff(id_, olds, with_unknown_markers(news))
        return DiffResult(
            changes=None if planned.engine_may_compare else bool(planned.changed or planned.replaces),
            replaces=planned.replaces,
            delete_before_replace=planned.delete_before_replace,
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        written = self._lifecycle().create(props)
        return CreateResult(written.id, _with_secrets(written))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        observed = self._lifecycle().read(id_, props)
        return ReadResult(observed.id, _with_secrets(observed), observed.inputs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(_with_secrets(self._lifecycle().update(id_, olds, news)))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        self._lifecycle().delete(id_, props)


def _with_secrets(result: Written | Observed) -> dict[str, Any]:
    """The outputs, those derived from a secret input marked secret (the engine marks only those
    named like a secret input)."""
    outs = dict(result.outputs)
    for name in result.secret_outputs:
        outs[name] = rpc.wrap_rpc_secret(outs[name])
    return outs
