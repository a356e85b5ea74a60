"""Adopt a rented number and bind it to an application."""

import pulumi
import pulumi_plivo as plivo

front_desk = plivo.RentedNumber(
    "front-desk",
    number="+1 (555) 000-0001",  # normalized to 15550000001
    app_id="11111111111111",
)

pulumi.export("number", front_desk.number)
pulumi.export("appId", front_desk.app_id)
