// Two local numbers in 415 with SMS, bound to an application, never more than 2 USD a month.
package main

import (
	"github.com/plivo-pulumi/pulumi-plivo/sdk/go/plivo"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		sf, err := plivo.NewPhoneNumberOrder(ctx, "sf-support", &plivo.PhoneNumberOrderArgs{
			Country:        pulumi.String("US"),
			Type:           pulumi.String("local"),
			Pattern:        pulumi.String("415"),
			Services:       pulumi.StringArray{pulumi.String("voice"), pulumi.String("sms")},
			Count:          pulumi.Int(2),
			AppId:          pulumi.String("11111111111111"),
			MaxMonthlyCost: pulumi.Float64(2),
		})
		if err != nil {
			return err
		}
		ctx.Export("numbers", sf.Numbers)
		ctx.Export("monthlyCost", sf.MonthlyCost)
		return nil
	})
}
