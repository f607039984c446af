package directaccess_test

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/apiless/apiless/constructs/directaccess"
)

// A notes app: each user reads and writes their own notes and files, and every signed-in user
// can read what others put in public/.
func ExampleNewDirectAccess() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Notes"), nil)

	all := []directaccess.StorageOperation{directaccess.StorageGet, directaccess.StorageList, directaccess.StorageWrite, directaccess.StorageDelete}
	read := []directaccess.StorageOperation{directaccess.StorageGet, directaccess.StorageList}
	access := directaccess.NewDirectAccess(stack, jsii.String("Access"), &directaccess.DirectAccessProps{
		Tables: []*directaccess.TableRule{{Name: jsii.String("Notes"), SortKey: jsii.String("noteId")}},
		Buckets: []*directaccess.BucketRule{{Name: jsii.String("Files"), Paths: []*directaccess.PathRule{
			{Path: jsii.String("private/{identity}/*"), Owner: &all},
			{Path: jsii.String("public/*"), Authenticated: &read},
		}}},
		CorsAllowedOrigins: jsii.Strings("https://notes.example.com"),
	})
	awscdk.NewCfnOutput(stack, jsii.String("IdentityPoolId"), &awscdk.CfnOutputProps{Value: access.IdentityPoolId()})
	app.Synth(nil)
}
