// Read one rented number as the API reports it (the run fails if the account does not rent it).
import * as plivo from "@plivo-pulumi/plivo";

const line = plivo.getRentedNumberOutput({ number: "+1 555 000 0001" });

export const number = line.number;
export const appId = line.appId;
export const numberType = line.numberType;
