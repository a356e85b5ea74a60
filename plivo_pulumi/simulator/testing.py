"""Test harness: run the simulator as a separate process and drive its admin API.

Example::

    with SimulatorProcess(seed={"numbers": [{"number": "15550000001"}]}) as sim:
        client = PlivoClient(sim.auth_id, sim.auth_token, sim.base_url)
        client.get_number("15550000001")
        assert sim.requests_log()["by_method"] == {"GET": 1}
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import requests
import yaml

__all__ = ["SimulatorProcess", "SimulatorStartError", "account_seed", "plivo_sdk_at"]

# The module constants from which Plivo's Python SDK (`plivo`, 4.x) builds every request URL: the
# Number API's base, and the voice base with its two fallbacks that the Application calls use. The
# client re-reads them on every request (a client's own `base_uri` is reset each time), so they are
# the one place to point the SDK elsewhere.
_PLIVO_SDK_BASES = (
    "PLIVO_API_BASE_URI",
    "API_VOICE_BASE_URI",
    "API_VOICE_BASE_URI_FALLBACK_1",
    "API_VOICE_BASE_URI_FALLBACK_2",
)


class SimulatorStartError(RuntimeError):
    """The simulator did not come up (the message carries its stderr)."""


class SimulatorProcess:
    """``python -m plivo_pulumi.simulator --port 0 --ready-file ...`` as a context manager.

    ``seed`` is a dict (written to a YAML file), a path to a seed file, or None (built-in seed).
    ``faults`` are applied through the admin API once the simulator is up.
    """

    def __init__(
        self,
        seed: dict[str, Any] | str | os.PathLike[str] | None = None,
        *,
        faults: dict[str, Any] | None = None,
        extra_args: list[str] | tuple[str, ...] = (),
        env: dict[str, str] | None = None,
        startup_timeout: float = 20.0,
        python: str = sys.executable,
        quiet: bool = True,
    ) -> None:
        self._seed = seed
        self._faults = faults
        self._extra_args = list(extra_args)
        self._env = env
        self._startup_timeout = startup_timeout
        self._python = python
        self._quiet = quiet
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._last_stderr = ""  # what the process wrote, kept once its work folder is removed
        self._stdout: IO[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.base_url = ""
        self.admin_url = ""
        self.auth_id = ""
        self.auth_token = ""
        self.pid = 0
        self._http = requests.Session()
        self._http.trust_env = False

    def __repr__(self) -> str:
        return f"SimulatorProcess(base_url={self.base_url!r}, pid={self.pid})"

    # -- lifecycle ------------------------------------------------------------------------------

    @property
    def workdir(self) -> Path:
        if self._tmp is None:
            raise RuntimeError("the simulator is not started")
        return Path(self._tmp.name)

    def start(self) -> SimulatorProcess:
        if self.process is not None:
            raise RuntimeError("already started")
        self._tmp = tempfile.TemporaryDirectory(prefix="plivo-sim-")
        work = Path(self._tmp.name)
        ready = work / "ready.json"
        cmd = [self._python, "-m", "plivo_pulumi.simulator", "--host", "127.0.0.1", "--port", "0"]
        cmd += ["--ready-file", str(ready)]
        if isinstance(self._seed, dict):
            seed_path = work / "seed.yaml"
            seed_path.write_text(yaml.safe_dump(self._seed, sort_keys=False), encoding="utf-8")
            cmd += ["--seed", str(seed_path)]
        elif self._seed is not None:
            cmd += ["--seed", os.fspath(self._seed)]
        if self._quiet:
            cmd.append("--quiet")
        cmd += self._extra_args
        env = dict(os.environ if self._env is None else self._env)
        package_root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = package_root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        env.setdefault("PYTHONUNBUFFERED", "1")
        self._stdout = open(work / "stdout.log", "wb")
        self._stderr = open(work / "stderr.log", "wb")
        self.process = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=self._stdout, stderr=self._stderr, env=env
        )
        deadline = time.monotonic() + self._startup_timeout
        while True:
            if ready.exists():
                try:
                    info = json.loads(ready.read_text(encoding="utf-8"))
                    break
                except ValueError:
                    pass  # not possible with the atomic write, but harmless
            code = self.process.poll()
            if code is not None:
                self._close_files()
                raise SimulatorStartError(
                    f"the simulator exited with status {code} before it was ready: "
                    f"{self.stderr_text().strip()}"
                )
            if time.monotonic() > deadline:
                self.kill()
                raise SimulatorStartError(
                    f"the simulator was not ready within {self._startup_timeout:.0f} s: "
                    f"{self.stderr_text().strip()}"
                )
            time.sleep(0.02)
        self.base_url = info["base_url"]
        self.admin_url = info["admin_url"]
        self.auth_id = info["auth_id"]
        self.auth_token = info["auth_token"]
        self.pid = info["pid"]
        if self._faults:
            self.set_faults(**self._faults)
        return self

    def __enter__(self) -> SimulatorProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self, timeout: float = 5.0) -> int | None:
        """SIGTERM, wait, then SIGKILL. Returns the exit status."""
        code = None
        if self.process is not None:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGTERM)
                try:
                    self.process.wait(timeout)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(timeout)
            code = self.process.returncode
        self._cleanup()
        return code

    def kill(self) -> None:
        """SIGKILL at once (a crash, from the client's point of view)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)

    def _close_files(self) -> None:
        for handle in (self._stdout, self._stderr):
            if handle is not None and not handle.closed:
                handle.close()

    def _cleanup(self) -> None:
        self._close_files()
        self._http.close()
        if self._tmp is not None:
            self._last_stderr = self.stderr_text()
            self._tmp.cleanup()
            self._tmp = None

    def stderr_text(self) -> str:
        if self._tmp is None:
            return self._last_stderr
        path = Path(self._tmp.name) / "stderr.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def _admin(self, method: str, path: str, *, expect: tuple[int, ...] = (200,), **kwargs: Any) -> Any:
        response = self._http.request(method, f"{self.admin_url}/{path}", timeout=30, **kwargs)
        if response.status_code not in expect:
            raise AssertionError(
                f"admin {method} /__sim__/{path} answered {response.status_code}: {response.text[:500]}"
            )
        return response.json() if response.content else None

    def requests_log(self) -> dict[str, Any]:
        """``{"requests": [...], "counts": {...}, "by_route": {...}, "by_method": {...}, ...}``"""
        return self._admin("GET", "requests")

    def clear_log(self) -> None:
        self._admin("DELETE", "requests")

    def state(self, *, credentials: bool = False) -> dict[str, Any]:
        return self._admin("GET", "state", params={"credentials": "1"} if credentials else None)

    def number(self, number: str) -> dict[str, Any] | None:
        """One rented number as the simulator stores it (app_id, subaccount bare), or None."""
        response = self._http.get(f"{self.admin_url}/numbers/{number}", timeout=30)
        if response.status_code == 404:
            return None
        response.raise_for_status()
        return response.json()

    def account(self, auth_id: str) -> dict[str, Any] | None:
        """One account, with its auth_token."""
        for account in self.state(credentials=True)["accounts"]:
            if account["auth_id"] == auth_id:
                return account
        return None

    def number_shape(self) -> str:
        return self._admin("GET", "settings")["number_shape"]

    def set_number_shape(self, shape: str) -> None:
        """The number object's shape (docs/simulator.md): "current", "current_uri", "reference",
        "sub_account" or "subaccount"."""
        self._admin("POST", "settings", json={"number_shape": shape})

    def rotate_token(self, auth_id: str, auth_token: str) -> dict[str, Any]:
        """Replace an account's auth token (the old one is refused from now on)."""
        result = self._admin("POST", f"accounts/{auth_id}", json={"auth_token": auth_token})
        if auth_id == self.auth_id:
            self.auth_token = auth_token
        return result

    def edit_out_of_band(self, number: str, **fields: Any) -> dict[str, Any]:
        return self._admin("POST", f"numbers/{number}", json=fields)

    def unrent_out_of_band(self, number: str) -> dict[str, Any]:
        return self._admin("DELETE", f"numbers/{number}")

    def rent_out_of_band(self, number: str, **fields: Any) -> dict[str, Any]:
        return self._admin("PUT", f"numbers/{number}", json=fields, expect=(201,))

    def applications(self) -> list[dict[str, Any]]:
        """Every application as the simulator stores it (`account` its owner), ordered by app_id."""
        return self._admin("GET", "applications")["applications"]

    def application(self, app_id: str) -> dict[str, Any] | None:
        """One application as the simulator stores it, or None when it does not exist."""
        response = self._http.get(f"{self.admin_url}/applications/{app_id}", timeout=30)
        if response.status_code == 404:
            return None
        response.raise_for_status()
        return response.json()

    def add_application(self, app_id: str, account: str | None = None, **fields: Any) -> dict[str, Any]:
        """Add (or replace) an application out of band; `fields` as in a seed entry (`app_name` or
        the older `name`, `answer_url`, any other field); `account` the owner (default: the first
        main account)."""
        body: dict[str, Any] = dict(fields)
        if account is not None:
            body["account"] = account
        return self._admin("PUT", f"applications/{app_id}", json=body, expect=(201,))

    def edit_application(self, app_id: str, **fields: Any) -> dict[str, Any]:
        """Change fields of an application as a person in the console would (`app_name` too)."""
        return self._admin("POST", f"applications/{app_id}", json=fields)

    def remove_application(self, app_id: str, keep_links: bool = False) -> dict[str, Any]:
        """Delete an application out of band: ``{"deleted", "unlinked": [numbers]}``. `keep_links`
        leaves linked numbers pointing at it (an API that would not unlink them)."""
        params = {"keep_links": "1"} if keep_links else None
        return self._admin("DELETE", f"applications/{app_id}", params=params)

    def inventory(self) -> list[dict[str, Any]]:
        """Every number on offer, as seed entries (`country` the ISO code), ordered by number."""
        return self._admin("GET", "inventory")["inventory"]

    def add_offer(self, number: str, **fields: Any) -> dict[str, Any]:
        """Put `number` on offer (or replace its offer); `fields` as in a seed's inventory entry."""
        return self._admin("PUT", f"inventory/{number}", json=fields, expect=(201,))

    def remove_offer(self, number: str) -> dict[str, Any]:
        """Take `number` off offer, as when someone else buys it."""
        return self._admin("DELETE", f"inventory/{number}")

    def purchases(self) -> dict[str, Any]:
        """``{"purchases": [{number, account, main_account, app_id, time, setup_rate,
        monthly_rental_rate, status}], "count", "setup_total", "monthly_total"}``"""
        return self._admin("GET", "purchases")

    def set_default_number_app(self, auth_id: str, app_id: str | None) -> dict[str, Any]:
        """Set (None: clear) the application a number bought by `auth_id` links to by default."""
        return self._admin("POST", f"accounts/{auth_id}", json={"default_number_app": app_id})

    def set_faults(self, **faults: Any) -> dict[str, Any]:
        """Replace the fault settings (unspecified ones take their defaults)."""
        return self._admin("POST", "faults", json=faults)

    def faults(self) -> dict[str, Any]:
        return self._admin("GET", "faults")

    def clear_faults(self) -> None:
        self._admin("DELETE", "faults")

    def callbacks(self) -> list[dict[str, Any]]:
        return self._admin("GET", "callbacks")["callbacks"]

    def reset(self, seed: dict[str, Any] | None = None, *, keep_log: bool = False) -> dict[str, Any]:
        """Back to the startup seed, or to ``seed``; clears the request log unless ``keep_log``."""
        params = {"keep_log": "1"} if keep_log else None
        data = json.dumps(seed) if seed is not None else None
        result = self._admin(
            "POST", "reset", data=data, params=params, headers={"Content-Type": "application/json"}
        )
        self.auth_id = result["auth_id"]
        self.auth_token = result["auth_token"]
        return result


@contextmanager
def plivo_sdk_at(base_url: str) -> Iterator[None]:
    """Point Plivo's official Python SDK at `base_url` (a simulator's `base_url`, `.../v1`) while
    the block runs; its clients then talk to the simulator over HTTP, and the constants are
    restored after. Requires the `plivo` package::

        with SimulatorProcess() as sim, plivo_sdk_at(sim.base_url):
            client = plivo.RestClient(sim.auth_id, sim.auth_token)
            client.numbers.list(type="local")
    """
    import plivo.rest.client as sdk  # imported here: the SDK is a test dependency, not the product's

    saved = {name: getattr(sdk, name) for name in _PLIVO_SDK_BASES}
    for name in _PLIVO_SDK_BASES:
        setattr(sdk, name, base_url.rstrip("/") + "/Account")
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(sdk, name, value)


def account_seed(
    auth_id: str,
    auth_token: str,
    *,
    subaccounts: Iterable[tuple[str, str]] = (),
    applications: Iterable[str | tuple[str, str]] = (),
    numbers: Iterable[str | dict[str, Any]] = (),
    generate: dict[str, Any] | None = None,
    number_shape: str | None = None,
) -> dict[str, Any]:
    """A seed of one main account: its `(auth_id, token)` subaccounts, applications (ids, or
    `(id, name)`), numbers (digits, or seed entries) and an optional `generate` block, all owned by
    the main account unless an entry says otherwise (see docs/simulator.md, "Seed format")."""
    apps = [(a, f"app-{a}") if isinstance(a, str) else a for a in applications]
    seed: dict[str, Any] = {
        "accounts": [
            {
                "auth_id": auth_id,
                "auth_token": auth_token,
                "subaccounts": [{"auth_id": sub, "auth_token": token} for sub, token in subaccounts],
            }
        ],
        "applications": [{"app_id": app, "account": auth_id, "name": name} for app, name in apps],
        "numbers": [
            {"account": auth_id, "number_type": "local", **({"number": n} if isinstance(n, str) else n)}
            for n in numbers
        ],
    }
    if generate is not None:
        seed["generate"] = {"account": auth_id, **generate}
    if number_shape is not None:
        seed["number_shape"] = number_shape
    return seed
