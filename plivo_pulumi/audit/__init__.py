"""Account audit: compare the live Plivo account with what a Pulumi stack manages (see docs/audit.md).

One module a job: `model` (the values), `state` (what a stack declares, dynamic and native resources),
`accounts` (which account each resource belongs to: the stack config's, or its explicit provider's),
`compare` (the findings, per account), `render` (table, JSON), `engine` (the `pulumi` CLI,
credentials), `run` (the API, the whole run).
Progress comes through two callbacks, `note(text)` and `on_page(fetched, total)`.

Two halves, kept apart so the comparison is testable without an engine or an API:

* pure functions: :func:`managed_from_state` (what the stack's state declares, through one extractor
  per resource type), :func:`numbers_to_look_up`, :func:`compare` (the findings), :func:`render_table`
  and :func:`render_json`;
* I/O: :class:`PulumiCLI` (``pulumi stack export`` / ``pulumi config`` as subprocesses),
  :func:`read_settings` (credentials: stack config first, environment second), :func:`list_live` and
  :func:`look_up` (the Number API), and :func:`run_audit`, which wires them together.

Findings:

* ``unmanaged``: a number the account rents (and the listing, with its filters, returned) that no
  resource of the stack manages;
* ``drifted``: a managed field (``app_id`` / ``subaccount`` whose desired value in the state's inputs is
  not ``None``) whose live value differs;
* ``gone``: a number the stack manages that the account no longer rents;
* ``duplicated``: a number managed by more than one resource;
* ``duplicated`` also covers an application managed by more than one resource;
* ``unmanaged_app`` (when the stacks declare at least one `Application` or have one pending
  creation, and always for applications that share a name and owner), ``drifted_app``,
  ``gone_app``: the same for applications (every field of an `Application` is managed);
* ``broken_link``: a live number whose application does not exist (with a subaccount's
  credentials, a link to an application of another account cannot be listed: it is reported apart,
  as unverified, not as a finding).
"""

from __future__ import annotations

from plivo_pulumi.audit.accounts import AccountGroup, group_by_account, normalized_base_url
from plivo_pulumi.audit.compare import (
    compare,
    compare_accounts,
    compare_applications,
    numbers_to_look_up,
    unverified_links,
)
from plivo_pulumi.audit.engine import PulumiCLI, read_settings
from plivo_pulumi.audit.model import (
    APPLICATION_TYPE,
    FILTER_NAMES,
    FINDING_KINDS,
    NATIVE_APPLICATION_TYPE,
    NATIVE_RENTED_NUMBER_SET_TYPE,
    NATIVE_RENTED_NUMBER_TYPE,
    PROVIDER_TYPE,
    RENTED_NUMBER_SET_TYPE,
    RENTED_NUMBER_TYPE,
    AccountSummary,
    AccountView,
    AuditError,
    AuditReport,
    EngineError,
    Finding,
    LiveNumber,
    ManagedApplication,
    ManagedNumber,
)
from plivo_pulumi.audit.render import render_json, render_table
from plivo_pulumi.audit.run import learn_subaccounts, list_applications, list_live, look_up, run_audit
from plivo_pulumi.audit.state import (
    explicit_providers,
    extractor_for,
    managed_applications_from_state,
    managed_from_state,
    pending_application_names,
    provider_reference,
    register_extractor,
)

__all__ = [
    "APPLICATION_TYPE",
    "NATIVE_APPLICATION_TYPE",
    "NATIVE_RENTED_NUMBER_SET_TYPE",
    "NATIVE_RENTED_NUMBER_TYPE",
    "PROVIDER_TYPE",
    "AccountGroup",
    "AccountSummary",
    "AccountView",
    "compare_accounts",
    "explicit_providers",
    "group_by_account",
    "normalized_base_url",
    "provider_reference",
    "FINDING_KINDS",
    "FILTER_NAMES",
    "AuditError",
    "AuditReport",
    "EngineError",
    "Finding",
    "LiveNumber",
    "ManagedApplication",
    "ManagedNumber",
    "PulumiCLI",
    "RENTED_NUMBER_TYPE",
    "RENTED_NUMBER_SET_TYPE",
    "compare",
    "compare_applications",
    "extractor_for",
    "learn_subaccounts",
    "list_applications",
    "list_live",
    "look_up",
    "managed_applications_from_state",
    "managed_from_state",
    "numbers_to_look_up",
    "pending_application_names",
    "read_settings",
    "register_extractor",
    "render_json",
    "render_table",
    "run_audit",
    "unverified_links",
]
