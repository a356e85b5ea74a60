"""The resource adapters of the provider, by type token (one module per resource)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from plivo_pulumi.native.provider import AdapterFactory

ADAPTERS: dict[str, AdapterFactory] = {}
