"""Applications as code: the applications of bindings.yaml are created (or adopted) and every
number is bound to its application's output, so `pulumi up` creates an application before the
numbers that point to it, and `pulumi destroy` unlinks them before deleting it.

Run it with the Pulumi CLI (`pulumi up` in this folder, with plivo:authId and the secret
plivo:authToken set). The same in Python, without the file:

    ivr = Application("ivr", app_name="ivr", answer_url="https://voice.example.com/ivr/answer")
    RentedNumber("support-01", number="+1 555 030 0001", app_id=ivr.app_id)
"""

from pathlib import Path

import pulumi

from plivo_pulumi.dynamic.fleet import declare_fleet

fleet = declare_fleet(Path(__file__).parent / "bindings.yaml")

for name, app in fleet.applications.items():
    pulumi.export(f"{name}_app_id", app.app_id)
pulumi.export("numbers", sorted(fleet.numbers))
