package directaccess_test

// The two kinds of app the property tests build. The construct is imported into other teams'
// apps, whose cdk.json may carry none of this repo's feature flags and whose stacks may have no
// environment; whether two spellings of one bucket or table (a name, a literal ARN, an ARN with
// the stack's partition) resolve to the same string depends on both. So every brought-in
// resource is built, validated and synthesized in both kinds of app.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/apiless/apiless/internal/cdkcontext"
)

// appKind is how an app is built: "repo" has this repo's cdk.json context (feature flags such as
// @aws-cdk/core:enablePartitionLiterals) and a stack with an explicit account and region; "bare"
// has no context at all and an environment-agnostic stack.
type appKind string

const (
	appRepo appKind = "repo"
	appBare appKind = "bare"
)

var appKinds = []appKind{appRepo, appBare}

// The explicit environment of "repo" stacks: the account and region iameval assumes for pseudo
// parameters, so literal ARNs written for this environment are the ones the policies hold.
const (
	propertyAccount = "123456789012"
	propertyRegion  = "us-east-1"
)

// propertyApp is one app with one stack, synthesized at most once.
type propertyApp struct {
	kind   appKind
	app    awscdk.App
	stack  awscdk.Stack
	outdir string
}

func newPropertyApp(kind appKind) (*propertyApp, error) {
	out, err := os.MkdirTemp("", "apiless-property-")
	if err != nil {
		return nil, err
	}
	props := &awscdk.AppProps{Outdir: jsii.String(out)}
	var env *awscdk.Environment
	if kind == appRepo {
		ctx, err := cdkcontext.Load(".")
		if err != nil {
			return nil, err
		}
		props.Context = &ctx
		env = &awscdk.Environment{Account: jsii.String(propertyAccount), Region: jsii.String(propertyRegion)}
	}
	app := awscdk.NewApp(props)
	stack := awscdk.NewStack(app, jsii.String("Test"), &awscdk.StackProps{Env: env})
	return &propertyApp{kind: kind, app: app, stack: stack, outdir: out}, nil
}

// synth synthesizes the app and returns the stack's template; the app's directory is removed.
func (a *propertyApp) synth() ([]byte, error) {
	defer a.close()
	assembly := a.app.Synth(nil)
	for _, st := range *assembly.Stacks() {
		if *st.StackName() != "Test" {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(a.outdir, *st.TemplateFile()))
		if err != nil {
			return nil, err
		}
		if !json.Valid(raw) {
			return nil, fmt.Errorf("%s: not JSON", *st.TemplateFile())
		}
		return raw, nil
	}
	return nil, fmt.Errorf("no stack Test in the assembly")
}

func (a *propertyApp) close() { os.RemoveAll(a.outdir) }
