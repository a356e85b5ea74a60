"""Two local numbers in 415 with SMS, bound to an application, never more than 2 USD a month."""

import pulumi
import pulumi_plivo as plivo

sf = plivo.PhoneNumberOrder(
    "sf-support",
    country="US",
    type="local",
    pattern="415",
    services=["voice", "sms"],
    count=2,
    app_id="11111111111111",
    max_monthly_cost=2,
)

pulumi.export("numbers", sf.numbers)
pulumi.export("monthlyCost", sf.monthly_cost)
