// A second account: a subaccount with its own credentials, as an explicit provider.
//
// The default provider reads the stack's `plivo:*` config; an explicit one reads none, so it is given
// its settings (here from the project's config: `pulumi config set subAuthId SA...` and
// `pulumi config set --secret subAuthToken ...`). Left out, baseUrl is PLIVO_BASE_URL or Plivo's API.
package main

import (
	"github.com/plivo-pulumi/pulumi-plivo/sdk/go/plivo"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		cfg := config.New(ctx, "")
		supportTeam, err := plivo.NewProvider(ctx, "support-team", &plivo.ProviderArgs{
			AuthId:    pulumi.String(cfg.Require("subAuthId")),
			AuthToken: cfg.RequireSecret("subAuthToken"),
		})
		if err != nil {
			return err
		}
		_, err = plivo.NewRentedNumber(ctx, "team-line", &plivo.RentedNumberArgs{
			Number: pulumi.String("+1 555 000 0005"),
			AppId:  pulumi.String(""), // managed as "no application"
		}, pulumi.Provider(supportTeam))
		return err
	})
}
