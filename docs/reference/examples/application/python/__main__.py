"""An application the stack owns, and a number bound to its id (an output known after create)."""

import pulumi
import pulumi_plivo as plivo

ivr = plivo.Application(
    "ivr",
    app_name="support-ivr",
    answer_url="https://voice.example.com/ivr/answer",
    hangup_url="https://voice.example.com/ivr/hangup",
)
plivo.RentedNumber("front-desk", number="+1 555 000 0001", app_id=ivr.app_id)

pulumi.export("appId", ivr.app_id)
