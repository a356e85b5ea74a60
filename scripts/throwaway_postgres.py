"""A throwaway PostgreSQL for tests and demos: its own data directory, 127.0.0.1 and a free port,
stopped by the folder it was started in. It never touches a cluster it did not start.

    python scripts/throwaway_postgres.py start DIR   # prints the connection (never the password)
    python scripts/throwaway_postgres.py stop DIR

`DIR/connection.json` holds host, port, user, database, the backend URL for Pulumi's DIY
PostgreSQL backend (`postgres://USER@HOST:PORT/DB?sslmode=disable`) and `server_dir`, where the
server lives; `DIR/password` (mode 0600) holds the password, which `env()` hands to libpq as
`PGPASSWORD`. The server's files (data directory, unix socket, `server.log`) are in a private folder
under /tmp (`server_dir`: mode 0700, `plivo-pg-*`), whatever DIR is: a socket's path must fit in 107
bytes, and as root the server runs as the `postgres` user, who may not be able to enter DIR (under a
0700 folder such as `mktemp -d` makes). A start that fails removes what it made, so the next start
works; `stop DIR` stops the server and removes its folder. The server binaries come from Debian's
`postgresql` package, installed when missing (as root, with apt-get).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

USER = "pulumi"
DATABASE = "pulumi"
# Where the server's private folder is made: short (unix socket paths are limited to 107 bytes) and
# open to every user (the `postgres` user runs the server when this runs as root).
SERVER_PARENT = Path("/tmp")
SERVER_PREFIX = "plivo-pg-"


class PostgresError(RuntimeError):
    """The throwaway server could not be installed, started or stopped; the message says why."""


def _bindir() -> Path | None:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if versions:
        return versions[-1].parent
    found = shutil.which("initdb")
    return Path(found).resolve().parent if found else None


def ensure_installed() -> Path:
    """The directory of initdb and pg_ctl, installing Debian's postgresql package when missing."""
    bindir = _bindir()
    if bindir is not None:
        return bindir
    if os.geteuid() != 0:
        raise PostgresError(
            "PostgreSQL is not installed; install it (apt-get install postgresql) or run as root"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "postgresql"]):
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise PostgresError(f"`{' '.join(command)}` failed: {(done.stderr or done.stdout)[-2000:]}")
    bindir = _bindir()
    if bindir is None:
        raise PostgresError("the postgresql package was installed but initdb was not found")
    return bindir


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _conf_value(value: str) -> str:
    """A string as a postgresql.conf value (single quotes, doubled inside)."""
    return "'" + value.replace("'", "''") + "'"


class ThrowawayPostgres:
    """One server, started from `root` (created if needed). `start()` then `stop()`, or use as a
    context manager."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).resolve()
        self.connection_file = self.root / "connection.json"
        self.password_file = self.root / "password"
        self._as_postgres = os.geteuid() == 0
        self.server_dir: Path | None = None

    @property
    def data(self) -> Path:
        """The data directory (in the server's private folder)."""
        if self.server_dir is None:
            raise PostgresError(f"no server was started from {self.root}")
        return self.server_dir / "data"

    # -- running commands as the server's user ------------------------------------------------------

    def _run(self, bindir: Path, *args: str, env: dict[str, str] | None = None) -> None:
        command = [str(bindir / args[0]), *args[1:]]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False, timeout=120)
        if done.returncode != 0:
            log = self.server_dir / "server.log" if self.server_dir else None
            tail = log.read_text(errors="replace")[-1500:] if log and log.exists() else ""
            raise PostgresError(f"`{' '.join(args)}` failed: {(done.stderr or done.stdout)[-1500:]}{tail}")

    def _give_to_postgres(self, *paths: Path) -> None:
        if self._as_postgres:
            for path in paths:
                shutil.chown(path, "postgres", "postgres")

    # -- lifecycle ----------------------------------------------------------------------------------

    def start(self) -> ThrowawayPostgres:
        """Start a server; on any failure, stop it and remove what this start made (the next start
        then works), and raise."""
        bindir = ensure_installed()
        if self.connection_file.exists():
            raise PostgresError(
                f"{self.root} already holds a server started by this script ({self.connection_file}): "
                f"run `python scripts/throwaway_postgres.py stop {self.root}` first"
            )
        self.root.mkdir(parents=True, exist_ok=True)
        self.server_dir = Path(tempfile.mkdtemp(prefix=SERVER_PREFIX, dir=SERVER_PARENT))  # mode 0700
        try:
            self._start(bindir, self.server_dir)
        except BaseException:
            self._discard(bindir)
            raise
        return self

    def _start(self, bindir: Path, server_dir: Path) -> None:
        self._give_to_postgres(server_dir)
        password = secrets.token_urlsafe(24)
        self.password_file.touch(mode=0o600)
        self.password_file.chmod(0o600)
        self.password_file.write_text(password)
        pwfile = server_dir / "initdb-password"
        pwfile.touch(mode=0o600)
        pwfile.write_text(password)
        self._give_to_postgres(pwfile)
        try:
            self._run(
                bindir,
                "initdb",
                "-D",
                str(self.data),
                "-U",
                USER,
                f"--pwfile={pwfile}",
                "-A",
                "scram-sha-256",
            )
        finally:
            pwfile.unlink(missing_ok=True)
        port = _free_port()
        # In the config file rather than `pg_ctl -o`, which goes through a shell unquoted.
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                "\n# scripts/throwaway_postgres.py\n"
                "listen_addresses = '127.0.0.1'\n"
                f"port = {port}\n"
                f"unix_socket_directories = {_conf_value(str(server_dir))}\n"
            )
        log = server_dir / "server.log"
        log.touch()
        self._give_to_postgres(log)
        self._run(bindir, "pg_ctl", "-D", str(self.data), "-l", str(log), "-w", "-t", "60", "start")
        connection = {
            "host": "127.0.0.1",
            "port": port,
            "user": USER,
            "database": DATABASE,
            "url": f"postgres://{USER}@127.0.0.1:{port}/{DATABASE}?sslmode=disable",
            "server_dir": str(server_dir),
        }
        env = {**os.environ, "PGPASSWORD": password}
        self._run(bindir, "createdb", "-h", "127.0.0.1", "-p", str(port), "-U", USER, DATABASE, env=env)
        self.connection_file.write_text(json.dumps(connection, indent=2))

    def _discard(self, bindir: Path) -> None:
        """After a failed start: the server stopped if it runs, its folder and this start's files gone."""
        if self.server_dir is not None and (self.data / "postmaster.pid").exists():
            try:
                self._run(bindir, "pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
            except (PostgresError, subprocess.TimeoutExpired):
                pass
        self._remove_files()

    def _remove_files(self) -> None:
        # Only a folder this script makes: a connection file edited by hand cannot send rmtree elsewhere.
        if (
            self.server_dir is not None
            and self.server_dir.parent == SERVER_PARENT
            and self.server_dir.name.startswith(SERVER_PREFIX)
        ):
            shutil.rmtree(self.server_dir, ignore_errors=True)
        self.connection_file.unlink(missing_ok=True)
        self.password_file.unlink(missing_ok=True)

    def stop(self) -> None:
        """Stops the server started from `root` (fast shutdown) and removes its folder, connection and
        password; nothing started (or already stopped) is fine."""
        if not self.connection_file.exists():
            return
        recorded = self.connection.get("server_dir")
        self.server_dir = Path(recorded) if recorded else None
        if self.server_dir is not None and (self.data / "postmaster.pid").exists():
            bindir = ensure_installed()
            self._run(bindir, "pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop")
        self._remove_files()

    @property
    def connection(self) -> dict:
        return json.loads(self.connection_file.read_text())

    @property
    def url(self) -> str:
        """The backend URL for `PULUMI_BACKEND_URL`: no password in it."""
        return str(self.connection["url"])

    def env(self) -> dict[str, str]:
        """The environment for `pulumi` with this backend: the URL, the password for libpq only, and
        the setting that keeps the DIY backend from deadlocking on stack listings (docs/teams.md)."""
        return {
            "PULUMI_BACKEND_URL": self.url,
            "PGPASSWORD": self.password_file.read_text(),
            "PULUMI_DIY_BACKEND_PARALLEL": "1",
        }

    def __enter__(self) -> ThrowawayPostgres:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("start", "stop"):
        print(__doc__, file=sys.stderr)
        return 2
    server = ThrowawayPostgres(argv[1])
    try:
        if argv[0] == "start":
            server.start()
            print(json.dumps(server.connection, indent=2))
        else:
            server.stop()
    except PostgresError as exc:
        print(f"throwaway_postgres: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
