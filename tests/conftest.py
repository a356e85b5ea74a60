"""Shared fixtures.

Simulator fixtures (tests/test_client.py, tests/test_simulator.py, and anyone else):

* ``simulator``: a fresh simulator process per test (built-in seed); slower, fully isolated.
* ``shared_simulator``: one process for the whole session.
* ``sim_builtin``: the shared process, reset to the built-in seed, request log cleared and faults off,
  before each test. Use this by default.
"""

from __future__ import annotations

import queue
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

import pytest

from plivo_pulumi.simulator.testing import SimulatorProcess
from tests.support.http_stub import LocalHTTPServer, StubRequest


@pytest.fixture(autouse=True)
def _fresh_provider_process_state() -> Iterator[None]:
    """In-process provider tests share one process: each test starts as a new deployment would."""
    from plivo_pulumi.core.deployment import DEPLOYMENT

    DEPLOYMENT.forget()
    yield


@pytest.fixture
def simulator() -> Iterator[SimulatorProcess]:
    with SimulatorProcess() as process:
        yield process


@pytest.fixture(scope="session")
def shared_simulator() -> Iterator[SimulatorProcess]:
    with SimulatorProcess() as process:
        yield process


@pytest.fixture
def sim_builtin(shared_simulator: SimulatorProcess) -> SimulatorProcess:
    if shared_simulator.process is None or shared_simulator.process.poll() is not None:
        pytest.fail(f"the shared simulator died: {shared_simulator.stderr_text()}")
    shared_simulator.clear_faults()
    shared_simulator.reset()
    shared_simulator.clear_log()
    return shared_simulator


class CallbackReceiver:
    """Records asynchronous-mode callbacks (method, path, query, form, content type)."""

    def __init__(self) -> None:
        self.received: queue.Queue = queue.Queue()
        self._server = LocalHTTPServer(self._record)
        self.url = f"{self._server.origin}/hook"

    def _record(self, request: StubRequest) -> tuple[int, dict[str, str], bytes]:
        split = urlsplit(request.path)
        self.received.put(
            {
                "method": request.method,
                "path": split.path,
                "query": dict(parse_qsl(split.query)),
                "form": dict(parse_qsl(request.body.decode())),
                "content_type": request.headers.get("Content-Type"),
            }
        )
        return 200, {}, b""

    def get(self, timeout: float = 5.0) -> dict:
        return self.received.get(timeout=timeout)

    def close(self) -> None:
        self._server.close()


@pytest.fixture
def callback_receiver() -> Iterator[CallbackReceiver]:
    receiver = CallbackReceiver()
    yield receiver
    receiver.close()
