"""Stacks written before the dynamic resources moved to `plivo_pulumi.dynamic` store each resource's
provider as a pickle naming `plivo_pulumi.resources.<module>`: refresh and destroy load it from the
state, so those names must keep resolving to the providers of today."""

import base64

import dill
import pytest

from plivo_pulumi.dynamic import ApplicationProvider, RentedNumberProvider, RentedNumberSetProvider

# Made by `dill.dumps(provider, protocol=4, recurse=True)` (what pulumi 3.272 stores) at 2de745c.
OLD_PICKLES = {
    RentedNumberProvider: "gASVRAAAAAAAAACMJHBsaXZvX3B1bHVtaS5yZXNvdXJjZXMucmVudGVkX251bWJlcpSMFFJlbnRlZE51bWJlclByb3ZpZGVylJOUKYGULg==",  # noqa: E501
    RentedNumberSetProvider: "gASVSwAAAAAAAACMKHBsaXZvX3B1bHVtaS5yZXNvdXJjZXMucmVudGVkX251bWJlcl9zZXSUjBdSZW50ZWROdW1iZXJTZXRQcm92aWRlcpSTlCmBlC4=",  # noqa: E501
    ApplicationProvider: "gASVQQAAAAAAAACMInBsaXZvX3B1bHVtaS5yZXNvdXJjZXMuYXBwbGljYXRpb26UjBNBcHBsaWNhdGlvblByb3ZpZGVylJOUKYGULg==",  # noqa: E501
}


@pytest.mark.parametrize("provider", OLD_PICKLES, ids=lambda cls: cls.__name__)
def test_a_provider_pickled_under_the_old_path_loads_as_todays(provider: type) -> None:
    raw = base64.b64decode(OLD_PICKLES[provider])
    assert b"plivo_pulumi.resources." in raw
    assert type(dill.loads(raw)) is provider
