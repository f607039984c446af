package directaccess_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/apiless/apiless/constructs/directaccess"
	"github.com/apiless/apiless/internal/cdkcontext"
	"github.com/apiless/apiless/validation"
)

// One table or bucket reached through two rules (or the access-log bucket reused for data) is
// refused whatever ARN spelling each rule used, and whatever the importer's app looks like: with
// this repo's feature flags and an explicit environment, and with no flags in an
// environment-agnostic stack (where partitions and accounts stay tokens).
func TestOneResourceUnderTwoRulesIsRefusedEverywhere(t *testing.T) {
	repoContext, err := cdkcontext.Load(".")
	if err != nil {
		t.Fatal(err)
	}
	apps := map[string]func() awscdk.Stack{
		"repo flags, explicit env": func() awscdk.Stack {
			app := awscdk.NewApp(&awscdk.AppProps{Context: &repoContext})
			return awscdk.NewStack(app, jsii.String("S"), &awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String("123456789012"), Region: jsii.String("us-east-1")}})
		},
		"no flags, env-agnostic": func() awscdk.Stack {
			return awscdk.NewStack(awscdk.NewApp(nil), jsii.String("S"), nil)
		},
	}
	type config func(stack awscdk.Stack) *directaccess.DirectAccessProps
	bucketRules := func(a, b awss3.IBucket) *directaccess.DirectAccessProps {
		return &directaccess.DirectAccessProps{Buckets: []*directaccess.BucketRule{
			{Name: jsii.String("Own"), Bucket: a},
			{Name: jsii.String("Shared"), Bucket: b, Paths: []*directaccess.PathRule{{Path: jsii.String("private/*"), Authenticated: &[]directaccess.StorageOperation{directaccess.StorageGet}}}},
		}}
	}
	tableRules := func(a, b awsdynamodb.ITable) *directaccess.DirectAccessProps {
		return &directaccess.DirectAccessProps{Tables: []*directaccess.TableRule{
			{Name: jsii.String("Own"), Table: a},
			{Name: jsii.String("Other"), Table: b},
		}}
	}
	refused := map[string]struct {
		build        config
		field, other string
	}{
		"bucket by name and by literal ARN": {func(s awscdk.Stack) *directaccess.DirectAccessProps {
			return bucketRules(awss3.Bucket_FromBucketName(s, jsii.String("A"), jsii.String("shared-files")), awss3.Bucket_FromBucketArn(s, jsii.String("B"), jsii.String("arn:aws:s3:::shared-files")))
		}, "Buckets[1].Bucket", "Buckets[0].Bucket"},
		"bucket by name and by attributes": {func(s awscdk.Stack) *directaccess.DirectAccessProps {
			return bucketRules(awss3.Bucket_FromBucketName(s, jsii.String("A"), jsii.String("shared-files")), awss3.Bucket_FromBucketAttributes(s, jsii.String("B"), &awss3.BucketAttributes{BucketArn: jsii.String("arn:aws:s3:::shared-files")}))
		}, "Buckets[1].Bucket", "Buckets[0].Bucket"},
		"a bucket of the stack, and the same by its name": {func(s awscdk.Stack) *directaccess.DirectAccessProps {
			created := awss3.NewBucket(s, jsii.String("Made"), nil)
			return bucketRules(created, awss3.Bucket_FromBucketName(s, jsii.String("B"), created.BucketName()))
		}, "Buckets[1].Bucket", "Buckets[0].Bucket"},
		"a named bucket of the app, and the same by its literal name": {func(s awscdk.Stack) *directaccess.DirectAccessProps {
			created := awss3.NewBucket(s, jsii.String("Made"), &awss3.BucketProps{BucketName: jsii.String("apiless-data")})
			return bucketRules(created, awss3.Bucket_FromBucketName(s, jsii.String("B"), jsii.String("apiless-data")))
		}, "Buckets[1].Bucket", "Buckets[0].Bucket"},
		"a bucket of the app, and the same by its ARN": {func(s awscdk.Stack) *directaccess.DirectAccessProps {
			created := awss3.NewBucket(s, jsii.String("Made"), nil)
			return bucketRules(created, awss3.Bucket_FromBucketArn(s, jsii.String("B"), created.BucketArn()))
		}, "Buckets[1].Bucket", "Buckets[0].Bucket"},
		"a table of the app, and the same by its name": {func(s awscdk.Stack) *directaccess.DirectAccessProps {
			created := awsdynamodb.NewTableV2(s, jsii.String("Made"), &awsdynamodb.TablePropsV2{PartitionKey: &awsdynamodb.Attribute{Name: jsii.String("userId"), Type: awsdynamodb.AttributeType_STRING}})
			return tableRules(created, awsdynamodb.TableV2_FromTableName(s, jsii.String("B"), created.TableName()))
		}, "Tables[1].Table", "Tables[0].Table"},
		"a named v1 table of the app, and the same by its ARN": {func(s awscdk.Stack) *directaccess.DirectAccessProps {
			created := awsdynamodb.NewTable(s, jsii.String("Made"), &awsdynamodb.TableProps{TableName: jsii.String("apiless-items"), PartitionKey: &awsdynamodb.Attribute{Name: jsii.String("userId"), Type: awsdynamodb.AttributeType_STRING}})
			return tableRules(created, awsdynamodb.Table_FromTableArn(s, jsii.String("B"), created.TableArn()))
		}, "Tables[1].Table", "Tables[0].Table"},
		"access-log bucket of the app brought back as data": {func(s awscdk.Stack) *directaccess.DirectAccessProps {
			logs := awss3.NewBucket(s, jsii.String("Logs"), nil)
			p := bucketRules(awss3.Bucket_FromBucketName(s, jsii.String("A"), logs.BucketName()), awss3.Bucket_FromBucketName(s, jsii.String("B"), jsii.String("data-files")))
			p.AccessLogsBucket = logs
			return p
		}, "Buckets[0].Bucket", "AccessLogsBucket"},
		"access-log bucket brought back as data": {func(s awscdk.Stack) *directaccess.DirectAccessProps {
			p := bucketRules(awss3.Bucket_FromBucketArn(s, jsii.String("A"), jsii.String("arn:aws:s3:::access-logs")), awss3.Bucket_FromBucketName(s, jsii.String("B"), jsii.String("data-files")))
			p.AccessLogsBucket = awss3.Bucket_FromBucketName(s, jsii.String("Logs"), jsii.String("access-logs"))
			return p
		}, "Buckets[0].Bucket", "AccessLogsBucket"},
		"table by name (TableV2) and by ARN (Table)": {func(s awscdk.Stack) *directaccess.DirectAccessProps {
			return tableRules(awsdynamodb.TableV2_FromTableName(s, jsii.String("A"), jsii.String("t")), awsdynamodb.Table_FromTableArn(s, jsii.String("B"), jsii.String("arn:aws:dynamodb:us-east-1:123456789012:table/t")))
		}, "Tables[1].Table", "Tables[0].Table"},
		"table by name and by attributes": {func(s awscdk.Stack) *directaccess.DirectAccessProps {
			return tableRules(awsdynamodb.Table_FromTableName(s, jsii.String("A"), jsii.String("t")), awsdynamodb.Table_FromTableAttributes(s, jsii.String("B"), &awsdynamodb.TableAttributes{TableName: jsii.String("t")}))
		}, "Tables[1].Table", "Tables[0].Table"},
	}
	for appName, newStack := range apps {
		for name, c := range refused {
			t.Run(appName+"/"+name, func(t *testing.T) {
				stack := newStack()
				props := c.build(stack)
				want := directaccess.ValidateProps(props)
				var v *validation.Error
				if !errors.As(want, &v) || !v.Problems.Has(c.field, validation.Duplicate) || !strings.Contains(want.Error(), c.other) {
					t.Fatalf("ValidateProps = %v; want a Duplicate problem on %s naming %s", want, c.field, c.other)
				}
				got := panicOf(func() { directaccess.NewDirectAccess(stack, jsii.String("Access"), props) })
				if got == nil || !strings.Contains(got.Error(), c.field+": names the same") || !strings.Contains(got.Error(), "S/Access") {
					t.Errorf("NewDirectAccess panicked with %v; want the same problem, naming the construct path", got)
				}
			})
		}
		// Two different resources stay accepted: tables of one name in two accounts.
		t.Run(appName+"/tables of one name in two accounts", func(t *testing.T) {
			stack := newStack()
			props := tableRules(awsdynamodb.Table_FromTableArn(stack, jsii.String("A"), jsii.String("arn:aws:dynamodb:us-east-1:111111111111:table/t")),
				awsdynamodb.Table_FromTableArn(stack, jsii.String("B"), jsii.String("arn:aws:dynamodb:us-east-1:222222222222:table/t")))
			if err := directaccess.ValidateProps(props); err != nil {
				t.Errorf("ValidateProps = %v; want two accounts' tables accepted", err)
			}
		})
	}
}

func panicOf(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	f()
	return nil
}

// Two DirectAccess constructs of one app never share a table or bucket: one's shared rule would
// reach the other's per-identity folders, and each checks only its own rules.
func TestTwoConstructsNeverShareAResource(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("S"), nil)
	first := directaccess.NewDirectAccess(stack, jsii.String("First"), nil)
	shared := &directaccess.DirectAccessProps{
		Tables: []*directaccess.TableRule{{Name: jsii.String("Notes")}},
		Buckets: []*directaccess.BucketRule{{Name: jsii.String("Files"), Bucket: awss3.Bucket_FromBucketName(stack, jsii.String("Again"), first.Bucket().BucketName()),
			Paths: []*directaccess.PathRule{{Path: jsii.String("private/*"), Authenticated: &[]directaccess.StorageOperation{directaccess.StorageGet}}}}},
	}
	if err := directaccess.ValidateProps(shared); err != nil {
		t.Fatalf("ValidateProps = %v; one construct's props alone are fine", err)
	}
	got := panicOf(func() { directaccess.NewDirectAccess(stack, jsii.String("Second"), shared) })
	if got == nil || !strings.Contains(got.Error(), "DirectAccess S/Second: invalid props") || !strings.Contains(got.Error(), "Buckets[0].Bucket: is s3") || !strings.Contains(got.Error(), "which DirectAccess S/First also uses (Buckets[0].Bucket)") {
		t.Errorf("NewDirectAccess panicked with %v; want the bucket refused, naming the first construct", got)
	}
	// Resources of their own: fine.
	directaccess.NewDirectAccess(stack, jsii.String("Third"), nil)
}
