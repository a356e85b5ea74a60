"""Read one rented number as the API reports it (the run fails if the account does not rent it)."""

import pulumi
import pulumi_plivo as plivo

line = plivo.get_rented_number_output(number="+1 555 000 0001")

pulumi.export("number", line.number)
pulumi.export("appId", line.app_id)
pulumi.export("numberType", line.number_type)
