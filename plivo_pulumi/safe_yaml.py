"""Old import path of `plivo_pulumi.core.safe_yaml`, kept for programs that import it."""

from plivo_pulumi.core.safe_yaml import *  # noqa: F403
from plivo_pulumi.core.safe_yaml import __all__  # noqa: F401
