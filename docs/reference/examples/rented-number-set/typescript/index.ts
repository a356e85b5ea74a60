// Bind many rented numbers as one resource: each number maps to its binding.
import * as plivo from "@plivo-pulumi/plivo";

const supportLines = new plivo.RentedNumberSet("support-lines", {
    bindings: {
        "+1 555 000 0002": { appId: "11111111111111" },
        "+1 555 000 0003": { appId: "22222222222222" },
    },
});

export const bindings = supportLines.bindings;
