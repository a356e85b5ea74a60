"""Shared fixtures.

Simulator fixtures (tests/test_client.py, tests/test_simulator.py, and anyone else):

* ``simulator``: a fresh simulator process per test (built-in seed); slower, fully isolated.
* ``shared_simulator``: one process for the whole session.
* ``sim``: the shared process, reset to the built-in seed, request log cleared and faults off,
  before each test. Use this by default.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from plivo_pulumi.simulator.testing import SimulatorProcess


@pytest.fixture
def simulator() -> Iterator[SimulatorProcess]:
    with SimulatorProcess() as process:
        yield process


@pytest.fixture(scope="session")
def shared_simulator() -> Iterator[SimulatorProcess]:
    with SimulatorProcess() as process:
        yield process


@pytest.fixture
def sim(shared_simulator: SimulatorProcess) -> SimulatorProcess:
    if shared_simulator.process is None or shared_simulator.process.poll() is not None:
        pytest.fail(f"the shared simulator died: {shared_simulator.stderr_text()}")
    shared_simulator.clear_faults()
    shared_simulator.reset()
    shared_simulator.clear_log()
    return shared_simulator


class CallbackReceiver:
    """A tiny HTTP server on 127.0.0.1 that records asynchronous-mode callbacks."""

    def __init__(self) -> None:
        import queue
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from urllib.parse import parse_qsl, urlsplit

        self.received: queue.Queue = queue.Queue()
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def _record(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                split = urlsplit(self.path)
                received.put(
                    {
                        "method": self.command,
                        "path": split.path,
                        "query": dict(parse_qsl(split.query)),
                        "form": dict(parse_qsl(body)),
                        "content_type": self.headers.get("Content-Type"),
                    }
                )
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = _record

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def get(self, timeout: float = 5.0) -> dict:
        return self.received.get(timeout=timeout)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def callback_receiver() -> Iterator[CallbackReceiver]:
    receiver = CallbackReceiver()
    yield receiver
    receiver.close()
