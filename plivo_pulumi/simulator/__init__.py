"""A faithful local simulator of the Plivo Number API, over real HTTP.

Run it with ``plivo-sim`` or ``python -m plivo_pulumi.simulator`` (``--help`` lists the flags); in
tests use :class:`plivo_pulumi.simulator.testing.SimulatorProcess`. Full documentation, including
every assumption made where the API reference is silent: ``docs/simulator.md``.

Layout (moto-style): :mod:`.model` is the domain (accounts, applications, numbers, rules, seeding),
:mod:`.http` the HTTP layer (routing, Basic auth, JSON, faults, request log, admin API), :mod:`.seed`
the default seed and seed files, :mod:`.testing` the subprocess harness.

Real API (base URL ``http://HOST:PORT/v1``), Basic auth per account::

    GET    /v1/Account/{auth_id}/Number/            list, filters + limit (1-20) / offset
    GET    /v1/Account/{auth_id}/Number/{number}/   details (200)
    POST   /v1/Account/{auth_id}/Number/{number}/   edit app_id / subaccount (202)
    DELETE /v1/Account/{auth_id}/Number/{number}/   unrent (204)

Admin API (not in the real API; no auth; not logged; not faulted), under ``/__sim__``::

    GET    /__sim__/health                  liveness, base and admin URLs
    GET    /__sim__/requests                {"requests": [{method, path, status, account, fault, time}],
                                             "counts": {"GET /v1/Account/MA.../Number/1567.../": n},
                                             "by_route": {"GET /v1/Account/{auth_id}/Number/{number}/": n},
                                             "by_method": {"GET": n, ...}, "by_status": {...}, "total": n}
    DELETE /__sim__/requests                clear the request log
    GET    /__sim__/state[?credentials=1]   accounts (tokens only with credentials=1), applications, numbers
    GET    /__sim__/numbers                 every rented number
    GET    /__sim__/numbers/{number}        one number (404 if not rented)
    POST   /__sim__/numbers/{number}        out-of-band edit, JSON {"app_id", "subaccount", "alias", ...}
    PUT    /__sim__/numbers/{number}        out-of-band rent, JSON {account?, subaccount?, app_id?, ...}
    DELETE /__sim__/numbers/{number}        out-of-band unrent
    PUT    /__sim__/applications/{app_id}   create an application, JSON {account?, name?}
    DELETE /__sim__/applications/{app_id}   delete an application (numbers lose the link)
    GET    /__sim__/faults                  current fault settings
    POST   /__sim__/faults                  replace them: {"latency_ms", "latency_jitter_ms", "error_rate",
                                             "error_statuses", "rate_limit_rate", "retry_after",
                                             "drop_rate", "seed", "script": ["drop", "rate_limit",
                                             "error", "error:503", "ok", ...]} (script steps are used
                                             up one per API request, before the random rates)
    DELETE /__sim__/faults                  no faults
    POST   /__sim__/reset                   back to the startup seed, or to the JSON/YAML seed in the body
    POST   /__sim__/seed                    reset to the seed in the body (required)
    GET    /__sim__/callbacks               asynchronous-mode callbacks delivered so far

Faults apply to real-API requests only, before authentication, and a faulted request changes
nothing. Reset clears the request log (unless ``?keep_log=1``) but keeps the fault settings.
"""

from .model import Account, Application, Number, PlivoState, SeedError, SimError

__all__ = ["Account", "Application", "Number", "PlivoState", "SeedError", "SimError"]
