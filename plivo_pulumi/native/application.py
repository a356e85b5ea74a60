"""`plivo:index:Application`: the core's `ApplicationLifecycle`, adapted. Import id: the app id.
An application claims no number."""

from __future__ import annotations

from typing import ClassVar

from plivo_pulumi.native.adapter import LifecycleAdapter


class ApplicationAdapter(LifecycleAdapter):
    lifecycle_name: ClassVar[str] = "ApplicationLifecycle"
