// Read one application as the API reports it, by id.
import * as plivo from "@plivo-pulumi/plivo";

const app = plivo.getApplicationOutput({ appId: "11111111111111" });

export const appName = app.appName;
export const answerUrl = app.answerUrl;
