"""Old import path of the simulator's domain model, now the package
`plivo_pulumi.simulator.models` (one module per domain); kept for programs and tests that import it."""

from .models import *  # noqa: F403
from .models import __all__  # noqa: F401
