package directaccess_test

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/apiless/apiless/constructs/directaccess"
	"github.com/apiless/apiless/validation"
)

// A notes app: each user reads and writes their own notes and files, and every signed-in user
// can read what others put in public/. The construct's Manifest says what the rules grant, in
// the form frontends are configured from (its IDs are deploy-time tokens, so they are not
// printed here).
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

	fmt.Println(*access.Node().Path())
	m := access.Manifest()
	for _, t := range m.Tables {
		fmt.Printf("table %s: key %s = %s, authenticated %s\n", t.Name, t.PartitionKey, t.PartitionKeyValue, strings.Join(t.Access["authenticated"], " "))
	}
	for _, b := range m.Buckets {
		for _, path := range slices.Sorted(maps.Keys(b.Paths)) {
			for _, aud := range slices.Sorted(maps.Keys(b.Paths[path])) {
				fmt.Printf("bucket %s %s: %s %s\n", b.Name, path, aud, strings.Join(b.Paths[path][aud], " "))
			}
		}
	}
	// Output:
	// Notes/Access
	// table Notes: key userId = identity, authenticated read write delete
	// bucket Files private/{identity}/*: owner get list write delete
	// bucket Files public/*: authenticated get list
}

// ValidateProps reports every problem at once, each with the field, the value received and what
// is expected, without synthesizing. The problems are data: tests and tools read the field and
// the type instead of the wording.
func ExampleValidateProps() {
	read := []directaccess.StorageOperation{directaccess.StorageGet}
	err := directaccess.ValidateProps(&directaccess.DirectAccessProps{
		Tables: []*directaccess.TableRule{{Name: jsii.String("notes")}},
		Buckets: []*directaccess.BucketRule{{Name: jsii.String("Files"), Paths: []*directaccess.PathRule{
			{Path: jsii.String("privat?/*"), Authenticated: &read},
		}}},
	})
	fmt.Println(err)

	var invalid *validation.Error
	if errors.As(err, &invalid) {
		for _, p := range invalid.Problems {
			fmt.Println(p.Field, p.Type)
		}
	}
	// Output:
	// DirectAccess: invalid props:
	//   - Tables[0].Name: "notes"; expected a PascalCase name of letters and digits, e.g. "Notes"
	//   - Buckets[0].Paths[0].Path: path "privat?/*": contains "?", which IAM matches as any one character (so "privat?/*" would also reach "private/<every identity>/"); expected literal folder names
	// Tables[0].Name Invalid
	// Buckets[0].Paths[0].Path Invalid
}
