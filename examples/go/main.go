// Plivo numbers bound to an application, with the generated Go SDK (sdk/go/plivo). The same program
// as examples/yaml; README.md says how to run it.
package main

import (
	"github.com/plivo-pulumi/pulumi-plivo/sdk/go/plivo"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		cfg := config.New(ctx, "")

		// An application the program owns: the numbers are bound to its id, an output.
		ivr, err := plivo.NewApplication(ctx, "supportIvr", &plivo.ApplicationArgs{
			AppName:   pulumi.String("support-ivr"),
			AnswerUrl: pulumi.String("https://voice.example.com/support/answer"),
			HangupUrl: pulumi.String("https://voice.example.com/support/hangup"),
		})
		if err != nil {
			return err
		}

		// One number, written the way people write it.
		main, err := plivo.NewRentedNumber(ctx, "supportMain", &plivo.RentedNumberArgs{
			Number: pulumi.String("+1 (555) 040-0001"),
			AppId:  ivr.AppId,
		})
		if err != nil {
			return err
		}

		// A set from a list: the numbers of the stack's config `overflow`, each bound to the IVR.
		var overflow []string
		if err := cfg.TryObject("overflow", &overflow); err != nil {
			overflow = []string{"15550400002", "15550400003"}
		}
		bindings := plivo.RentedNumberSetBindingMap{}
		for _, number := range overflow {
			bindings[number] = plivo.RentedNumberSetBindingArgs{AppId: ivr.AppId}
		}
		if _, err := plivo.NewRentedNumberSet(ctx, "supportOverflow", &plivo.RentedNumberSetArgs{
			Bindings: bindings,
		}); err != nil {
			return err
		}

		// A second account (a subaccount with its own credentials): an explicit provider. It reads no
		// stack config of its own, so it is given the default provider's API address (unset: Plivo's).
		var baseURL pulumi.StringPtrInput
		if url := config.New(ctx, "plivo").Get("baseUrl"); url != "" {
			baseURL = pulumi.String(url)
		}
		sub, err := plivo.NewProvider(ctx, "sub", &plivo.ProviderArgs{
			AuthId:    pulumi.String(cfg.Require("subAuthId")),
			AuthToken: cfg.RequireSecret("subAuthToken"),
			BaseUrl:   baseURL,
		})
		if err != nil {
			return err
		}
		if _, err := plivo.NewRentedNumber(ctx, "afterHours", &plivo.RentedNumberArgs{
			Number: pulumi.String("15550400004"),
			AppId:  pulumi.String(""),
		}, pulumi.Provider(sub)); err != nil {
			return err
		}

		// A read of the account: every rented number.
		rented := plivo.GetRentedNumbersOutput(ctx, plivo.GetRentedNumbersOutputArgs{})

		ctx.Export("supportIvr", ivr.AppId)
		ctx.Export("supportMain", main.Number)
		ctx.Export("rentedCount", rented.Numbers().ApplyT(func(n []plivo.RentedNumberInfo) int { return len(n) }))
		return nil
	})
}
