"""`make bench`: fleet benchmarks of plivo-pulumi against the local simulator (not a timed test).

Variants, each at N numbers and a simulator latency, through the same pinned engine and simulator:
  floor              N do-nothing dynamic resources (the engine's own cost per resource)
  rented_number      N `plivo_pulumi.RentedNumber`
  rented_number_set  one `plivo_pulumi.RentedNumberSet` of N numbers
  imperative         a plain script with `PlivoClient`: list the account, compare, POST what differs
                     (8 in flight); no engine

Steps: preview of a new stack, first up, no-op up, refresh, and up --refresh after 5% drift. Run
`python -m bench --help` for the options; docs/benchmarks.md has the figures of the last full run.
"""
