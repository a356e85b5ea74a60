// List the account's rented numbers that match the filters (no filter: every number).
package main

import (
	"github.com/plivo-pulumi/pulumi-plivo/sdk/go/plivo"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		found := plivo.GetRentedNumbersOutput(ctx, plivo.GetRentedNumbersOutputArgs{
			NumberStartswith: pulumi.String("1555000"),
			Services:         pulumi.String("voice"),
		})
		ctx.Export("numbers", found.Numbers().ApplyT(func(numbers []plivo.RentedNumberInfo) []string {
			digits := []string{}
			for _, n := range numbers {
				digits = append(digits, n.Number)
			}
			return digits
		}))
		return nil
	})
}
