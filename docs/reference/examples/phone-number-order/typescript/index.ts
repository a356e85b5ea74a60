// Two local numbers in 415 with SMS, bound to an application, never more than 2 USD a month.
import * as plivo from "@plivo-pulumi/plivo";

const sf = new plivo.PhoneNumberOrder("sf-support", {
    country: "US",
    type: "local",
    pattern: "415",
    services: ["voice", "sms"],
    count: 2,
    appId: "11111111111111",
    maxMonthlyCost: 2,
});

export const numbers = sf.numbers;
export const monthlyCost = sf.monthlyCost;
