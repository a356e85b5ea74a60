"""Read one application as the API reports it, by id."""

import pulumi
import pulumi_plivo as plivo

app = plivo.get_application_output(app_id="11111111111111")

pulumi.export("appName", app.app_name)
pulumi.export("answerUrl", app.answer_url)
