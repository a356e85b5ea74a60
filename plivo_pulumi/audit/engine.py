"""The engine side: `pulumi stack export` / `pulumi config` as subprocesses, and the credentials."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable, Mapping
from typing import Any

from plivo_pulumi.audit.model import AuditError, EngineError
from plivo_pulumi.core.config import (
    CONFIG_KEYS,
    ENV_VARS,
    MissingCredentialsError,
    ProviderSettings,
    resolve_settings,
)
from plivo_pulumi.engine.settings import safe_engine_env

# -- I/O: the engine ------------------------------------------------------------------------------

ENGINE_HINT = (
    "check --stack (the stack name), --cwd (the Pulumi project directory) and the backend "
    "(PULUMI_BACKEND_URL or the project's backend setting; `pulumi login` for the default one)"
)


class PulumiCLI:
    """Runs the ``pulumi`` on PATH (or ``executable``) for one stack, in ``cwd`` when given.

    The backend comes from the environment (``PULUMI_BACKEND_URL``, ``PULUMI_HOME``) or the project.
    """

    def __init__(
        self,
        stack: str,
        cwd: str | os.PathLike[str] | None = None,
        *,
        executable: str | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float = 300.0,
    ) -> None:
        self.stack = stack
        self.cwd = os.fspath(cwd) if cwd is not None else None
        self.executable = executable
        self.env = env
        self.timeout = timeout

    def _command(self, *args: str) -> list[str]:
        exe = self.executable or shutil.which("pulumi")
        if exe is None:
            raise EngineError(
                "the Pulumi CLI `pulumi` is not on PATH; install Pulumi (or run `make tools` in this "
                "repository and put .tools/bin on PATH)"
            )
        cmd = [exe, *args, "--stack", self.stack, "--non-interactive", "--color", "never"]
        if self.cwd is not None:
            cmd += ["--cwd", self.cwd]
        return cmd

    def run(self, *args: str, hint: str = ENGINE_HINT) -> str:
        """Run one command; a failure is an :class:`EngineError` with the engine's message and ``hint``."""
        cmd = self._command(*args)
        env = safe_engine_env(os.environ if self.env is None else self.env)
        shown = "pulumi " + " ".join(args) + f" --stack {self.stack}"
        try:
            proc = subprocess.run(
                cmd,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                env=env,
                timeout=self.timeout,
                check=False,
            )
        except FileNotFoundError:
            raise EngineError(f"the Pulumi CLI {cmd[0]!r} cannot be run: it does not exist") from None
        except OSError as exc:
            raise EngineError(f"the Pulumi CLI {cmd[0]!r} cannot be run: {exc}") from None
        except subprocess.TimeoutExpired:
            raise EngineError(f"`{shown}` did not finish within {self.timeout:.0f} s") from None
        if proc.returncode != 0:
            message = " ".join((proc.stderr or proc.stdout or "").split()) or "no message"
            raise EngineError(
                f"`{shown}` failed (exit {proc.returncode}): {message[:800]}" + (f"; {hint}" if hint else "")
            )
        return proc.stdout

    def _json(self, *args: str, hint: str = ENGINE_HINT) -> Any:
        out = self.run(*args, hint=hint)
        try:
            return json.loads(out)
        except ValueError:
            raise EngineError(
                f"`pulumi {' '.join(args)}` printed something that is not JSON: {out[:200]!r}"
            ) from None

    def export(self, *, show_secrets: bool = False) -> dict[str, Any]:
        """``pulumi stack export``: the state, without decrypting secrets unless ``show_secrets``
        (asked only for the token of an explicit provider of another account; needs the stack's
        passphrase or secrets manager)."""
        if show_secrets:
            # Never echo this output in an error: it holds the stack's secrets in plain text.
            try:
                data = json.loads(self.run("stack", "export", "--show-secrets", hint=""))
            except ValueError:
                raise EngineError("`pulumi stack export --show-secrets` did not print JSON") from None
        else:
            data = self._json("stack", "export")
        if not isinstance(data, dict):
            raise EngineError("`pulumi stack export` did not print a JSON object")
        return data

    def config(self, *, show_secrets: bool) -> dict[str, Any]:
        """``pulumi config --json`` (``--show-secrets`` needs the stack's passphrase or secrets manager)."""
        args = ["config", "--json"] + (["--show-secrets"] if show_secrets else [])
        data = self._json(*args, hint="")
        return data if isinstance(data, dict) else {}


def read_settings(
    engine: PulumiCLI, environ: Mapping[str, str] | None = None, note: Callable[[str], Any] | None = None
) -> ProviderSettings:
    """Credentials and endpoint: the stack config (one ``pulumi config --show-secrets --json``) first,
    the environment second. If the config cannot be decrypted, its plain values still count and the
    secret ones come from the environment; if nothing supplies the token, the error says both."""
    environ = os.environ if environ is None else environ
    decrypt_error: EngineError | None = None
    try:
        raw = engine.config(show_secrets=True)
    except EngineError as exc:
        decrypt_error = exc
        try:
            raw = engine.config(show_secrets=False)
        except EngineError:
            raw = {}
    values = {
        key: entry["value"]
        for key, entry in raw.items()
        if isinstance(entry, Mapping) and isinstance(entry.get("value"), str)
    }
    try:
        settings = resolve_settings(values.get, environ)
    except MissingCredentialsError as exc:
        if decrypt_error is not None:
            raise AuditError(
                f"{exc}\nThe stack config could not be read with its secrets: {decrypt_error}\n"
                f"Set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) so that the secret "
                f"{CONFIG_KEYS['auth_token']} can be decrypted, or set {ENV_VARS['auth_token']}."
            ) from None
        raise AuditError(str(exc)) from None
    token_entry = raw.get(CONFIG_KEYS["auth_token"])
    if decrypt_error is not None and isinstance(token_entry, Mapping) and note is not None:
        note(
            f"the secret {CONFIG_KEYS['auth_token']} could not be decrypted (set PULUMI_CONFIG_PASSPHRASE); "
            f"using {ENV_VARS['auth_token']} from the environment"
        )
    return settings
