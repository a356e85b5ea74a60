"""The plugin's lifetime without the engine: a real `pulumi-resource-plivo` process (`python -m
plivo_pulumi.native`) whose engine goes away, by either sign the plugin watches (issue 29, item 9).
The CLI test with a killed `pulumi` is tests/e2e/native/test_native_lifetime.py."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator

import pytest

from plivo_pulumi.native.server import EngineWatch
from tests.support.processes import alive

EXIT_WITHIN_SECONDS = 10.0


def wait_gone(pid: int, within: float = EXIT_WITHIN_SECONDS) -> float:
    """Seconds until `pid` is no longer running; fails past `within`."""
    start = time.monotonic()
    while alive(pid):
        if time.monotonic() - start > within:
            pytest.fail(f"the plugin (pid {pid}) still runs {within:.0f} s after its engine went away")
        time.sleep(0.1)
    return time.monotonic() - start


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A socket standing for the engine's gRPC address."""
    sock = socket.create_server(("127.0.0.1", 0))
    try:
        yield sock
    finally:
        sock.close()


def start_plugin(engine_address: str) -> subprocess.Popen[str]:
    plugin = subprocess.Popen(
        [sys.executable, "-m", "plivo_pulumi.native", engine_address],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert plugin.stdout is not None
    assert plugin.stdout.readline().strip().isdigit(), "the plugin prints its port first"
    return plugin


def test_the_plugin_exits_when_the_engine_address_stops_listening(listener: socket.socket) -> None:
    host, port = listener.getsockname()[:2]
    plugin = start_plugin(f"{host}:{port}")
    try:
        time.sleep(1.5)
        assert plugin.poll() is None, "the plugin serves while its engine listens"
        listener.close()
        wait_gone(plugin.pid)
        assert plugin.wait(5) == 0
    finally:
        plugin.kill()
        plugin.wait(5)


def test_the_plugin_exits_when_its_parent_is_killed(listener: socket.socket) -> None:
    """The engine's address still listens (a stand-in that outlives the parent): the parent's death
    alone is enough."""
    host, port = listener.getsockname()[:2]
    parent_code = textwrap.dedent(
        f"""
        import subprocess, sys, time
        plugin = subprocess.Popen(
            [sys.executable, "-m", "plivo_pulumi.native", "{host}:{port}"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        plugin.stdout.readline()
        print(plugin.pid, flush=True)
        time.sleep(600)
        """
    )
    parent = subprocess.Popen([sys.executable, "-c", parent_code], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    plugin_pid = int(parent.stdout.readline())
    try:
        time.sleep(1.0)
        assert alive(plugin_pid), "the plugin serves while its parent lives"
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(5)
        wait_gone(plugin_pid)
    finally:
        if alive(plugin_pid):
            os.kill(plugin_pid, signal.SIGKILL)


def test_the_watch_counts_refusals_only(listener: socket.socket) -> None:
    host, port = listener.getsockname()[:2]
    watch = EngineWatch(f"{host}:{port}", parent_pid=os.getppid())
    assert not watch.address_refused()
    assert not any(watch.gone() for _ in range(10))
    listener.close()
    assert watch.address_refused()
    assert any(watch.gone() for _ in range(10))
    # No engine address (`--version`, tests): only the parent counts.
    assert not EngineWatch("", parent_pid=os.getppid()).gone()
    assert EngineWatch("", parent_pid=os.getppid() + 100_000).gone()
