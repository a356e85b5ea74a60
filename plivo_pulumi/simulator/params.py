"""Parameter helpers that the Number and the Application routes share (`responses.py`,
`application_responses.py`): unknown parameters, paging parameters and the `meta` of a List answer.
One place, so both resources page and refuse typos alike."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from .errors import BadRequest

MAX_PAGE_SIZE = 20
# The parameters of asynchronous mode, which every route takes.
ASYNC_KEYS = ("callback_url", "callback_method")


def no_params(params: dict[str, Any], allowed: tuple[str, ...]) -> None:
    """Refuse (400, by name) any parameter but `allowed`: client typos surface instead of being
    ignored."""
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        hint = f"; allowed: {', '.join(allowed + ASYNC_KEYS)}"
        raise BadRequest(f"unknown parameter(s) {', '.join(k[:40] for k in unknown[:5])}{hint}")


def same_id(params: dict[str, Any], name: str, key: str) -> None:
    """A body that repeats the path's id (the Python SDK's `number` on a number's edit, `app_id` on
    an application's delete or asynchronous get) must name the same object: 400 otherwise."""
    if name in params:
        value = params.pop(name)
        if isinstance(value, bool) or str(value) != key:
            raise BadRequest(f"{name} {str(value)[:40]!r} in the request does not match the URL's ({key})")


def int_param(params: dict[str, Any], key: str, default: int) -> int:
    value = params.get(key)
    if value is None:
        return default
    text = str(value).strip()
    if not (text.isascii() and re.fullmatch(r"-?\d{1,9}", text)):
        raise BadRequest(f"{key} must be an integer")
    return int(text)


def page_params(params: dict[str, Any]) -> tuple[int, int]:
    """`limit` (1-20, default 20) and `offset` (default 0) of a List call."""
    limit = int_param(params, "limit", MAX_PAGE_SIZE)
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise BadRequest(f"limit must be between 1 and {MAX_PAGE_SIZE} (got {limit}); page with offset")
    offset = int_param(params, "offset", 0)
    if offset < 0:
        raise BadRequest("offset must be 0 or more")
    return limit, offset


def page_meta(base: str, limit: int, offset: int, total: int, filters: dict[str, Any]) -> dict[str, Any]:
    """The `meta` of a List answer, with the links to the previous and next pages (filters kept)."""

    def link(at: int) -> str:
        query: dict[str, Any] = {"limit": limit, "offset": at, **filters}
        return base + "?" + urlencode(query)

    return {
        "previous": link(max(0, offset - limit)) if offset > 0 else None,
        "next": link(offset + limit) if offset + limit < total else None,
        "total_count": total,
        "offset": offset,
        "limit": limit,
    }
