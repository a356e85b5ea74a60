"""`plivo:index:Application`: the core's `ApplicationLifecycle`, adapted. Import id: the app id."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from plivo_pulumi.core.applications import APP_FIELDS, desired_application
from plivo_pulumi.core.lifecycle import DECLARED_KEY, ApplicationLifecycle
from plivo_pulumi.core.numbers import is_subaccount_id
from plivo_pulumi.core.unknown import is_unknown
from plivo_pulumi.native import schema
from plivo_pulumi.native.adapter import LifecycleAdapter


class ApplicationAdapter(LifecycleAdapter):
    lifecycle_class = ApplicationLifecycle
    type_token: ClassVar[str] = schema.APPLICATION
    claim_field: ClassVar[str] = "appName"
    import_id_hint: ClassVar[str] = "the application's app id (digits, like 11111111111111)"

    def with_declared(self, news: dict[str, Any]) -> dict[str, Any]:
        """As the dynamic `Application` does: a left-out owner is the configured subaccount (the API
        makes a subaccount's application its own), and the code's fields with their defaults."""
        news = dict(news)
        account = self.provider.config.auth_id() or ""
        if news.get("subaccount") is None and is_subaccount_id(account):
            news["subaccount"] = account
        news[DECLARED_KEY] = desired_application({name: news.get(name) for name in APP_FIELDS})
        return news

    def claim(self, owner: str, inputs: Mapping[str, Any]) -> None:
        app_name, subaccount = inputs.get("app_name"), inputs.get("subaccount")
        if isinstance(app_name, str) and not is_unknown(app_name) and not is_unknown(subaccount):
            self.provider.deployment.claim_application_name(owner, app_name, subaccount or "")
