"""The one core both front-ends call, free of Pulumi: the rules of numbers, bindings and applications
(`numbers`, `contract`, `applications`: no I/O), the Plivo API client (`client`), what the account
holds beyond one object (`live`), and the resources' lifecycles (`lifecycle`: check, diff, create,
read, update, delete), with the memory of one deployment (`deployment`).

`plivo_pulumi.dynamic` (Python dynamic providers) and `plivo_pulumi.native` (the `plivo` provider
plugin) are thin adapters over this package; nothing here imports either, nor Pulumi.
"""

from plivo_pulumi.core.unknown import UNKNOWN, is_unknown

__all__ = ["UNKNOWN", "is_unknown"]
