"""The import path of the dynamic resources before 0.2 (they now live in `plivo_pulumi.dynamic`).

Kept because every stack written before then stores each resource's provider as a pickle that names
`plivo_pulumi.resources.<module>.<Provider>`: refresh and destroy of those stacks load it from here.
New code imports `plivo_pulumi` or `plivo_pulumi.dynamic`.
"""

from plivo_pulumi.dynamic import *  # noqa: F403
from plivo_pulumi.dynamic import __all__  # noqa: F401
