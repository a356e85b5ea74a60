// An application the stack owns, and a number bound to its id (an output known after create).
import * as plivo from "@plivo-pulumi/plivo";

const ivr = new plivo.Application("ivr", {
    appName: "support-ivr",
    answerUrl: "https://voice.example.com/ivr/answer",
    hangupUrl: "https://voice.example.com/ivr/hangup",
});
new plivo.RentedNumber("front-desk", { number: "+1 555 000 0001", appId: ivr.appId });

export const appId = ivr.appId;
