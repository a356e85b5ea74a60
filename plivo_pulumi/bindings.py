"""Old import path of the YAML fleet rules, kept for programs that import it.

The file's rules now live in the core (`plivo_pulumi.core.fleet_file`, no Pulumi) and
`declare_bindings`, which makes Pulumi resources, in the dynamic front-end (`plivo_pulumi.dynamic.fleet`).
Importing this module loads Pulumi; new code imports one of those two.
"""

from plivo_pulumi.core.fleet_file import *  # noqa: F403
from plivo_pulumi.core.fleet_file import __all__ as _rules
from plivo_pulumi.dynamic.fleet import declare_bindings

__all__ = [*_rules, "declare_bindings"]
