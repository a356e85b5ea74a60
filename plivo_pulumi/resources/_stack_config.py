"""Checks of the stack config that only the program can make, at preview, before any API call.

The provider receives config values already decrypted, so it cannot tell a secret from plain text;
the program can (`pulumi.runtime.is_config_secret`, from the secret keys the engine passes it).
"""

from __future__ import annotations

import pulumi
import pulumi.runtime

from plivo_pulumi.config import CONFIG_KEYS

_checked = False


def require_secret_token() -> None:
    """Refuse a `plivo:authToken` kept in plain text in the stack config: it would sit unencrypted in
    Pulumi.<stack>.yaml, in the state (as the provider's input), in its history and in backups."""
    global _checked
    if _checked:
        return
    key = CONFIG_KEYS["auth_token"]
    if pulumi.runtime.get_config(key) is not None and not pulumi.runtime.is_config_secret(key):
        raise pulumi.RunError(
            f"{key} is stored in plain text in the stack config. Make it a secret: "
            f"`pulumi config set --secret {key} <token>` (or use the PLIVO_AUTH_TOKEN environment "
            "variable). Nothing was sent to Plivo."
        )
    _checked = True
