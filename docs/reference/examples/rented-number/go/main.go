// Adopt a rented number and bind it to an application.
package main

import (
	"github.com/plivo-pulumi/pulumi-plivo/sdk/go/plivo"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		frontDesk, err := plivo.NewRentedNumber(ctx, "front-desk", &plivo.RentedNumberArgs{
			Number: pulumi.String("+1 (555) 000-0001"), // normalized to 15550000001
			AppId:  pulumi.String("11111111111111"),
		})
		if err != nil {
			return err
		}
		ctx.Export("number", frontDesk.Number)
		ctx.Export("appId", frontDesk.AppId)
		return nil
	})
}
