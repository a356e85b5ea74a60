"""A Plivo API stand-in that answers each HTTP method with what the test scripts, for the property
tests of malformed answers and the e2e tests of a misbehaving API."""

from __future__ import annotations

import json
from typing import Any

from tests.support.http_stub import LocalHTTPServer, StubAnswer, StubRequest

# Pages a proxy or gateway sends instead of the API's JSON.
HTML_PAGES = [
    b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center>"
    b"<hr><center>nginx</center></body></html>",
    b"<!DOCTYPE html><html><body><form action=/login>Proxy authentication required</form></body></html>",
    b"<html><body>Service Unavailable</body></html>",
]


class ScriptedAPI:
    """Answers each method with `script(GET=(status, content_type, body), ...)`; records requests."""

    def __init__(self) -> None:
        self.answers: dict[str, tuple[int, str, bytes]] = {}
        self.requests: list[tuple[str, str, bytes]] = []
        self._server = LocalHTTPServer(self._answer)
        self.base_url = f"{self._server.origin}/v1"

    def _answer(self, request: StubRequest) -> StubAnswer:
        self.requests.append((request.method, request.path, request.body))
        status, content_type, payload = self.answers[request.method]
        return status, {"Content-Type": content_type}, payload

    def script(self, **answers: tuple[int, str, bytes]) -> None:
        self.answers = dict(answers)
        self.requests = []

    def posts(self) -> list[dict[str, Any]]:
        return [json.loads(body) for method, _, body in self.requests if method == "POST"]

    def close(self) -> None:
        self._server.close()
