// An application the stack owns, and a number bound to its id (an output known after create).
package main

import (
	"github.com/plivo-pulumi/pulumi-plivo/sdk/go/plivo"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		ivr, err := plivo.NewApplication(ctx, "ivr", &plivo.ApplicationArgs{
			AppName:   pulumi.String("support-ivr"),
			AnswerUrl: pulumi.String("https://voice.example.com/ivr/answer"),
			HangupUrl: pulumi.String("https://voice.example.com/ivr/hangup"),
		})
		if err != nil {
			return err
		}
		if _, err := plivo.NewRentedNumber(ctx, "front-desk", &plivo.RentedNumberArgs{
			Number: pulumi.String("+1 555 000 0001"),
			AppId:  ivr.AppId,
		}); err != nil {
			return err
		}
		ctx.Export("appId", ivr.AppId)
		return nil
	})
}
