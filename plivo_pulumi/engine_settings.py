"""Old import path of `plivo_pulumi.engine.settings`, kept for programs that import it."""

from plivo_pulumi.engine.settings import SAFE_ENGINE_ENV, safe_engine_env  # noqa: F401
