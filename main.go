// The apiless demo app: a backend that browsers use directly, without an API layer.
//
//	npx cdk synth                    # or: go run .
//	npx cdk synth -c stage=prod -c corsOrigins=https://app.example.com
//	npx cdk synth -c hosting=true    # also host web/dist on S3 + CloudFront
package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/apiless/apiless/internal/cdkcontext"
	"github.com/apiless/apiless/stacks"
)

func main() {
	// jsii.Close is deliberately not deferred: with Go 1.26 it sometimes prints
	// "Runtime process exited abnormally" although everything worked, and the node
	// process ends with this one anyway.
	defer exitOnError()

	app := awscdk.NewApp(appProps())
	addStacks(app)
	app.Synth(nil)
}

// addStacks adds the app's stacks as the context asks: -c stage=NAME (default dev),
// -c stackName=NAME (default ApilessDemo), -c corsOrigins=URL[,URL] (default the Vite dev
// server), -c hosting=true to serve web/dist from S3 + CloudFront (off by default), and
// -c showcase=true for the stack that uses every access-rule feature.
func addStacks(app awscdk.App) {
	stage := contextString(app, "stage", "dev")
	var hosting *stacks.HostingProps // -c hosting=true: the web app on S3 + CloudFront
	if contextString(app, "hosting", "false") == "true" {
		hosting = &stacks.HostingProps{WebAppDir: stacks.DefaultWebAppDir}
	}
	stack := stacks.NewDemoStack(app, contextString(app, "stackName", "ApilessDemo"), &stacks.DemoStackProps{
		StackProps:         awscdk.StackProps{Description: jsii.String("apiless demo backend (" + stage + ")")},
		CorsAllowedOrigins: splitList(contextString(app, "corsOrigins", stacks.DefaultCorsOrigin)),
		Hosting:            hosting,
	})
	awscdk.Tags_Of(stack).Add(jsii.String("stage"), jsii.String(stage), nil)
	if contextString(app, "showcase", "false") == "true" {
		stacks.NewShowcaseStack(app, "ApilessShowcase", &awscdk.StackProps{
			Description: jsii.String("apiless showcase: every access-rule feature (" + stage + ")"),
		})
	}
}

// appProps makes `go run .` behave like `cdk synth`: write ./cdk.out and use cdk.json's
// context (feature flags), which only the CLI would otherwise pass in. Under the CLI, which
// sets CDK_OUTDIR and CDK_CONTEXT_JSON, the CLI decides.
func appProps() *awscdk.AppProps {
	if os.Getenv("CDK_OUTDIR") != "" {
		return nil
	}
	ctx, err := cdkcontext.Load(".")
	if err != nil {
		panic(err)
	}
	return &awscdk.AppProps{Outdir: jsii.String("cdk.out"), Context: &ctx}
}

// contextString reads a CDK context value (-c key=value or cdk.json), or def.
func contextString(app awscdk.App, key, def string) string {
	if v, ok := app.Node().TryGetContext(jsii.String(key)).(string); ok && v != "" {
		return v
	}
	return def
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// exitOnError turns a synth-time error (invalid props, a CDK validation) into one readable
// message and exit code 1 instead of a goroutine dump.
func exitOnError() {
	if r := recover(); r != nil {
		fmt.Fprintf(os.Stderr, "apiless: synth failed:\n%v\n", r)
		os.Exit(1)
	}
}
