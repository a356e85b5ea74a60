"""The engine settings every `pulumi` this project runs gets, unless the environment says otherwise."""

from __future__ import annotations

from collections.abc import Mapping

# Engine settings this project runs `pulumi` with unless the environment sets them. The DIY
# PostgreSQL backend deadlocks listing 4 or more stacks on small machines when its parallelism is
# not below its connection pool (2 x GOMAXPROCS); one at a time avoids it (docs/teams.md).
SAFE_ENGINE_ENV = {"PULUMI_DIY_BACKEND_PARALLEL": "1", "PULUMI_SKIP_UPDATE_CHECK": "1"}


def safe_engine_env(env: Mapping[str, str]) -> dict[str, str]:
    """`env` with `SAFE_ENGINE_ENV` filled in where it says nothing."""
    return {**SAFE_ENGINE_ENV, **env}
