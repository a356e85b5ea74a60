"""Quickstart: three rented numbers bound to their applications (and one to a subaccount).

Run it with the official Pulumi CLI (`pulumi up` in this folder, with plivo:authId and the secret
plivo:authToken set), or through the Automation API as the test suite does.
"""

import pulumi

from plivo_pulumi import RentedNumber, RentedNumberArgs

support = RentedNumber("support-line", number="+1 (555) 010-0001", app_id="10000000000001")
sales = RentedNumber(
    "sales-line",
    RentedNumberArgs(number="15550100002", app_id="10000000000002", subaccount="SAQUICKSTARTSUB00001"),
)
# app_id left unset: the application binding is not managed here (a console change is not drift).
alerts = RentedNumber("alerts-line", number="15550100003", subaccount="")

pulumi.export("support_application", support.application)
pulumi.export("sales_subaccount", sales.subaccount)
pulumi.export("alerts_app_id", alerts.app_id)
