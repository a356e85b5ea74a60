// A second account: a subaccount with its own credentials, as an explicit provider.
//
// The default provider reads the stack's `plivo:*` config; an explicit one reads none, so it is given
// its settings (here from the project's config: `pulumi config set subAuthId SA...` and
// `pulumi config set --secret subAuthToken ...`). Left out, baseUrl is PLIVO_BASE_URL or Plivo's API.
import * as pulumi from "@pulumi/pulumi";
import * as plivo from "@plivo-pulumi/plivo";

const config = new pulumi.Config();
const supportTeam = new plivo.Provider("support-team", {
    authId: config.require("subAuthId"),
    authToken: config.requireSecret("subAuthToken"),
});

new plivo.RentedNumber(
    "team-line",
    { number: "+1 555 000 0005", appId: "" }, // appId "": managed as "no application"
    { provider: supportTeam },
);
