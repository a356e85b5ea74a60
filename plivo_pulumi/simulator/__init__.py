"""A faithful local simulator of the Plivo Number, Application and PhoneNumber (search, buy) APIs,
over real HTTP.

Run it with ``plivo-sim`` or ``python -m plivo_pulumi.simulator`` (``--help`` lists the flags); in
tests use :class:`plivo_pulumi.simulator.testing.SimulatorProcess`. The real API's routes, the admin
API under ``/__sim__/`` (seeds, request log, out-of-band edits, faults, number shape), its modules
and every assumption made where the API reference is silent are documented once, in
``docs/simulator.md``; ``GET /__sim__/health`` lists the admin endpoints of the running server.
"""

from .models import Account, Application, Number, PlivoState, SeedError, SimError

__all__ = ["Account", "Application", "Number", "PlivoState", "SeedError", "SimError"]
