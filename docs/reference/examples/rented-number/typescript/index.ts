// Adopt a rented number and bind it to an application.
import * as plivo from "@plivo-pulumi/plivo";

const frontDesk = new plivo.RentedNumber("front-desk", {
    number: "+1 (555) 000-0001", // normalized to 15550000001
    appId: "11111111111111",
});

export const number = frontDesk.number;
export const appId = frontDesk.appId;
