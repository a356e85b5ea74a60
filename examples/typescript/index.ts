// Plivo numbers bound to an application, with the generated TypeScript SDK @plivo-pulumi/plivo
// (sdk/nodejs). The same program as examples/yaml; README.md says how to run it.
import * as pulumi from "@pulumi/pulumi";
import * as plivo from "@plivo-pulumi/plivo";

const config = new pulumi.Config();

// An application the program owns: the numbers are bound to its id, an output.
const ivr = new plivo.Application("supportIvr", {
    appName: "support-ivr",
    answerUrl: "https://voice.example.com/support/answer",
    hangupUrl: "https://voice.example.com/support/hangup",
});

// One number, written the way people write it.
const main = new plivo.RentedNumber("supportMain", {
    number: "+1 (555) 040-0001",
    appId: ivr.appId,
});

// A set from a list: the numbers of the stack's config `overflow` (a list), each bound to the IVR.
const overflow: string[] = config.getObject<string[]>("overflow") ?? ["15550400002", "15550400003"];
const bindings: Record<string, plivo.types.input.RentedNumberSetBindingArgs> = {};
for (const n of overflow) {
    bindings[n] = { appId: ivr.appId };
}
new plivo.RentedNumberSet("supportOverflow", { bindings });

// A second account (a subaccount with its own credentials): an explicit provider. It reads no stack
// config of its own, so it is given the default provider's API address (unset: Plivo's).
const sub = new plivo.Provider("sub", {
    authId: config.require("subAuthId"),
    authToken: config.requireSecret("subAuthToken"),
    baseUrl: new pulumi.Config("plivo").get("baseUrl"),
});
new plivo.RentedNumber("afterHours", { number: "15550400004", appId: "" }, { provider: sub });

// A read of the account: every rented number.
const rented = plivo.getRentedNumbersOutput({});

export const supportIvr = ivr.appId;
export const supportMain = main.number;
export const rentedCount = rented.numbers.apply((numbers) => numbers.length);
