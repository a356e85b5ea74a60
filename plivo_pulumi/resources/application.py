"""Old import path of `plivo_pulumi.dynamic.application`, kept for the provider pickles in existing states."""

from plivo_pulumi.dynamic.application import Application, ApplicationProvider  # noqa: F401
