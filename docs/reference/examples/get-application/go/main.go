// Read one application as the API reports it, by id.
package main

import (
	"github.com/plivo-pulumi/pulumi-plivo/sdk/go/plivo"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		app := plivo.LookupApplicationOutput(ctx, plivo.LookupApplicationOutputArgs{
			AppId: pulumi.String("11111111111111"),
		})
		ctx.Export("appName", app.AppName())
		ctx.Export("answerUrl", app.AnswerUrl())
		return nil
	})
}
