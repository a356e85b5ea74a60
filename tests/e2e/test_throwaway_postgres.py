"""`scripts/throwaway_postgres.py start DIR` / `stop DIR` with a real PostgreSQL, run as users run it
(the script's command line), for the folders that broke it: a space in the path, a path too long for a
unix socket, a folder under a 0700 parent (as root the server runs as `postgres`, who cannot enter
it), and a start that fails, which must leave nothing that stops the next start. The tests fail,
never skip, when the server cannot start.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import scripts.throwaway_postgres as throwaway
from scripts.throwaway_postgres import SERVER_PARENT, SERVER_PREFIX, PostgresError, ThrowawayPostgres

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "throwaway_postgres.py"


@pytest.fixture
def scratch() -> Iterator[Path]:
    """A folder under /tmp that every user may enter (the test builds the hostile paths inside)."""
    root = Path(tempfile.mkdtemp(prefix="plivo-pg-test-", dir="/tmp"))
    root.chmod(0o755)
    yield root
    for started in root.rglob("connection.json"):
        ThrowawayPostgres(started.parent).stop()
    shutil.rmtree(root, ignore_errors=True)


def script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=300, check=False
    )


def server_folders() -> set[Path]:
    return set(SERVER_PARENT.glob(f"{SERVER_PREFIX}*"))


def assert_serves_then_stops(folder: Path) -> None:
    """`start` worked: the server answers SQL with the recorded password on the recorded port, its
    socket is in a short private folder; `stop` stops it and removes its folder."""
    connection = json.loads((folder / "connection.json").read_text())
    server_dir = Path(connection["server_dir"])
    assert server_dir.parent == SERVER_PARENT and oct(server_dir.stat().st_mode & 0o777) == "0o700"
    sock = server_dir / f".s.PGSQL.{connection['port']}"
    assert sock.is_socket() and len(str(sock).encode()) <= 107
    assert oct((folder / "password").stat().st_mode & 0o777) == "0o600"
    psql = [str(throwaway.ensure_installed() / "psql"), "-h", "127.0.0.1", "-p", str(connection["port"])]
    query = subprocess.run(
        [*psql, "-U", connection["user"], "-d", connection["database"], "-tAc", "select 6 * 7"],
        env={**os.environ, "PGPASSWORD": (folder / "password").read_text()},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert query.stdout.strip() == "42", query.stderr
    stopped = script("stop", str(folder))
    assert stopped.returncode == 0, stopped.stderr
    assert not server_dir.exists() and not (folder / "connection.json").exists()
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", connection["port"])) != 0, "the server is down"


def test_a_folder_with_a_space(scratch):
    folder = scratch / "my state" / "pg db"
    started = script("start", str(folder))
    assert started.returncode == 0, started.stderr
    assert json.loads(started.stdout)["port"] > 0
    assert_serves_then_stops(folder)


def test_a_path_too_long_for_a_unix_socket(scratch):
    folder = scratch
    while len(str(folder)) < 200:
        folder = folder / ("deep-folder-" + "x" * 20)
    started = script("start", str(folder))
    assert started.returncode == 0, started.stderr
    assert_serves_then_stops(folder)


def test_a_folder_under_a_private_parent_as_mktemp_makes():
    parent = Path(tempfile.mkdtemp())  # mode 0700, owned by whoever runs the tests (root in CI)
    try:
        assert oct(parent.stat().st_mode & 0o777) == "0o700"
        folder = parent / "pg"
        started = script("start", str(folder))
        assert started.returncode == 0, started.stderr
        assert_serves_then_stops(folder)
    finally:
        ThrowawayPostgres(parent / "pg").stop()
        shutil.rmtree(parent, ignore_errors=True)


def test_a_failed_start_leaves_nothing_and_the_next_start_works(scratch, monkeypatch):
    folder = scratch / "pg"
    before = server_folders()
    with socket.socket() as taken:  # the port the server is given is in use: its start fails
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        monkeypatch.setattr(throwaway, "_free_port", lambda: taken.getsockname()[1])
        with pytest.raises(PostgresError, match="`pg_ctl .* start` failed(.|\\n)*Address already in use"):
            ThrowawayPostgres(folder).start()
    assert sorted(p.name for p in folder.iterdir()) == [], "no data, password or connection left"
    assert server_folders() - before == set(), "the server's folder was removed"
    monkeypatch.undo()
    started = script("start", str(folder))
    assert started.returncode == 0, started.stderr
    assert_serves_then_stops(folder)


def test_a_second_start_refuses_until_stopped(scratch):
    folder = scratch / "pg"
    assert script("start", str(folder)).returncode == 0
    again = script("start", str(folder))
    assert again.returncode == 1
    assert f"run `python scripts/throwaway_postgres.py stop {folder}` first" in again.stderr
    assert_serves_then_stops(folder)
