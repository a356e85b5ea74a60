"""Bind many rented numbers as one resource: each number maps to its binding."""

import pulumi
import pulumi_plivo as plivo

support_lines = plivo.RentedNumberSet(
    "support-lines",
    bindings={
        "+1 555 000 0002": plivo.RentedNumberSetBindingArgs(app_id="11111111111111"),
        "+1 555 000 0003": plivo.RentedNumberSetBindingArgs(app_id="22222222222222"),
    },
)

pulumi.export("bindings", support_lines.bindings)
