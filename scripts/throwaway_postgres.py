"""A throwaway PostgreSQL for tests and demos: its own data directory, 127.0.0.1 and a free port,
stopped by its data directory. It never touches a cluster it did not start.

    python scripts/throwaway_postgres.py start DIR   # prints the connection (never the password)
    python scripts/throwaway_postgres.py stop DIR

`DIR/connection.json` holds host, port, user, database and the backend URL for Pulumi's DIY
PostgreSQL backend (`postgres://USER@HOST:PORT/DB?sslmode=disable`); `DIR/password` (mode 0600)
holds the password, which `env()` hands to libpq as `PGPASSWORD`. The server binaries come from
Debian's `postgresql` package, installed when missing (as root, with apt-get). PostgreSQL refuses
to run as root, so as root the server runs as the `postgres` user the package creates.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
from pathlib import Path

USER = "pulumi"
DATABASE = "pulumi"


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


class ThrowawayPostgres:
    """One server in `root` (created if needed). `start()` then `stop()`, or use as a context manager."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).resolve()
        self.data = self.root / "data"
        self.sockets = self.root / "sockets"
        self.connection_file = self.root / "connection.json"
        self.password_file = self.root / "password"
        self._as_postgres = os.geteuid() == 0

    # -- running commands as the server's user ------------------------------------------------------

    def _run(self, bindir: Path, *args: str, env: dict[str, str] | None = None) -> None:
        command = [str(bindir / args[0]), *args[1:]]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False, timeout=120)
        if done.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-1500:] if log.exists() else ""
            raise PostgresError(
                f"`{' '.join(args[:2])}` failed: {(done.stderr or done.stdout)[-1500:]}{tail}"
            )

    def _give_to_postgres(self, *paths: Path) -> None:
        if self._as_postgres:
            for path in paths:
                shutil.chown(path, "postgres", "postgres")

    # -- lifecycle ----------------------------------------------------------------------------------

    def start(self) -> ThrowawayPostgres:
        bindir = ensure_installed()
        if self.data.exists():
            raise PostgresError(f"{self.data} exists: stop that server and remove {self.root} first")
        self.root.mkdir(parents=True, exist_ok=True)
        self.sockets.mkdir(exist_ok=True)
        password = secrets.token_urlsafe(24)
        self.password_file.write_text(password)
        self.password_file.chmod(0o600)
        pwfile = self.root / ".initdb-password"
        pwfile.write_text(password)
        pwfile.chmod(0o600)
        self._give_to_postgres(self.root, self.sockets, pwfile)
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
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {self.sockets}"
        log = self.root / "server.log"
        log.touch()
        self._give_to_postgres(log)
        self._run(
            bindir, "pg_ctl", "-D", str(self.data), "-o", options, "-l", str(log), "-w", "-t", "60", "start"
        )
        connection = {
            "host": "127.0.0.1",
            "port": port,
            "user": USER,
            "database": DATABASE,
            "url": f"postgres://{USER}@127.0.0.1:{port}/{DATABASE}?sslmode=disable",
        }
        env = {**os.environ, "PGPASSWORD": password}
        self._run(bindir, "createdb", "-h", "127.0.0.1", "-p", str(port), "-U", USER, DATABASE, env=env)
        self.connection_file.write_text(json.dumps(connection, indent=2))
        return self

    def stop(self) -> None:
        """Stops the server of this data directory only (fast shutdown); a stopped one is fine."""
        if not (self.data / "postmaster.pid").exists():
            return
        bindir = ensure_installed()
        self._run(bindir, "pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop")

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
