"""Fleet: every number of bindings.yaml as a RentedNumber, with stable resource names.

For thousands of numbers, `RentedNumberSet.from_yaml("fleet", BINDINGS)` declares the same bindings
as one resource (see README, "RentedNumber or RentedNumberSet").
"""

from pathlib import Path

import pulumi

from plivo_pulumi.dynamic.fleet import declare_bindings

BINDINGS = Path(__file__).with_name("bindings.yaml")

numbers = declare_bindings(BINDINGS)
pulumi.export("managed_numbers", len(numbers))
