// List the account's rented numbers that match the filters (no filter: every number).
import * as plivo from "@plivo-pulumi/plivo";

const found = plivo.getRentedNumbersOutput({ numberStartswith: "1555000", services: "voice" });

export const numbers = found.numbers.apply((numbers) => numbers.map((n) => n.number));
