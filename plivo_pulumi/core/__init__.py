"""The one core both front-ends call, free of Pulumi: the rules of numbers, bindings and applications
(no I/O), the Plivo API client, and the operations a resource performs through it.

`plivo_pulumi.dynamic` (Python dynamic providers) and `plivo_pulumi.native` (the `plivo` provider
plugin) are thin adapters over this package; nothing here imports either.
"""
