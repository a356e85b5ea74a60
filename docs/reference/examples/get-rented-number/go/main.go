// Read one rented number as the API reports it (the run fails if the account does not rent it).
package main

import (
	"github.com/plivo-pulumi/pulumi-plivo/sdk/go/plivo"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		line := plivo.LookupRentedNumberOutput(ctx, plivo.LookupRentedNumberOutputArgs{
			Number: pulumi.String("+1 555 000 0001"),
		})
		ctx.Export("number", line.Number())
		ctx.Export("appId", line.AppId())
		ctx.Export("numberType", line.NumberType())
		return nil
	})
}
