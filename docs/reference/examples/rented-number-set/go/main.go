// Bind many rented numbers as one resource: each number maps to its binding.
package main

import (
	"github.com/plivo-pulumi/pulumi-plivo/sdk/go/plivo"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		supportLines, err := plivo.NewRentedNumberSet(ctx, "support-lines", &plivo.RentedNumberSetArgs{
			Bindings: plivo.RentedNumberSetBindingMap{
				"+1 555 000 0002": plivo.RentedNumberSetBindingArgs{AppId: pulumi.String("11111111111111")},
				"+1 555 000 0003": plivo.RentedNumberSetBindingArgs{AppId: pulumi.String("22222222222222")},
			},
		})
		if err != nil {
			return err
		}
		ctx.Export("bindings", supportLines.Bindings)
		return nil
	})
}
