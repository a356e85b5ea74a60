"""List the account's rented numbers that match the filters (no filter: every number)."""

import pulumi
import pulumi_plivo as plivo

found = plivo.get_rented_numbers_output(number_startswith="1555000", services="voice")

pulumi.export("numbers", found.numbers.apply(lambda numbers: [n.number for n in numbers]))
