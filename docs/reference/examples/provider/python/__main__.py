"""A second account: a subaccount with its own credentials, as an explicit provider.

The default provider reads the stack's `plivo:*` config; an explicit one reads none, so it is given
its settings (here from the project's config: `pulumi config set subAuthId SA...` and
`pulumi config set --secret subAuthToken ...`). Left out, baseUrl is PLIVO_BASE_URL or Plivo's API.
"""

import pulumi
import pulumi_plivo as plivo

config = pulumi.Config()
support_team = plivo.Provider(
    "support-team",
    auth_id=config.require("subAuthId"),
    auth_token=config.require_secret("subAuthToken"),
)

plivo.RentedNumber(
    "team-line",
    number="+1 555 000 0005",
    app_id="",  # managed as "no application"
    opts=pulumi.ResourceOptions(provider=support_team),
)
