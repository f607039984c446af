package directaccess_test

// Brought-in tables and buckets, every spelling CDK offers, in both kinds of app: one resource
// reached through two spellings (or the access-logs bucket brought back as a data bucket) must
// be refused, naming the second field, whatever the app's feature flags and environment. The
// random property test draws from the same spellings (see spelling in property_test.go).

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/apiless/apiless/constructs/directaccess"
	"github.com/apiless/apiless/validation"
)

// bucketSpellings bring in the bucket named name: "new named" creates it in the stack with that
// name, "new" creates it with a generated name (name unused).
var bucketSpellings = []string{"name", "arn literal", "arn partition", "attributes name", "attributes arn", "new named", "new"}

// tokenSpellings bring in a bucket or table again through the name or ARN of another object
// (CDK tokens when that one is created in the stack).
var tokenSpellings = []string{"its name", "its arn", "its attributes arn"}

func bringBucket(scope constructs.Construct, id, spelling, name string) awss3.IBucket {
	stack := awscdk.Stack_Of(scope)
	id = "Brought" + id
	switch spelling {
	case "new":
		return awss3.NewBucket(scope, jsii.String(id), &awss3.BucketProps{BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(), EnforceSSL: jsii.Bool(true)})
	case "name":
		return awss3.Bucket_FromBucketName(scope, jsii.String(id), jsii.String(name))
	case "arn literal":
		return awss3.Bucket_FromBucketArn(scope, jsii.String(id), jsii.String("arn:aws:s3:::"+name))
	case "arn partition":
		return awss3.Bucket_FromBucketArn(scope, jsii.String(id), jsii.String(fmt.Sprintf("arn:%s:s3:::%s", *stack.Partition(), name)))
	case "attributes name":
		return awss3.Bucket_FromBucketAttributes(scope, jsii.String(id), &awss3.BucketAttributes{BucketName: jsii.String(name)})
	case "attributes arn":
		return awss3.Bucket_FromBucketAttributes(scope, jsii.String(id), &awss3.BucketAttributes{BucketArn: jsii.String("arn:aws:s3:::" + name)})
	case "new named":
		return awss3.NewBucket(scope, jsii.String(id), &awss3.BucketProps{BucketName: jsii.String(name),
			BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(), EnforceSSL: jsii.Bool(true)})
	}
	panic("unknown bucket spelling " + spelling)
}

// bringBucketAgain brings in the bucket of another object by its name or ARN.
func bringBucketAgain(scope constructs.Construct, id, spelling string, of awss3.IBucket) awss3.IBucket {
	id = "Brought" + id
	switch spelling {
	case "its name":
		return awss3.Bucket_FromBucketName(scope, jsii.String(id), of.BucketName())
	case "its arn":
		return awss3.Bucket_FromBucketArn(scope, jsii.String(id), of.BucketArn())
	case "its attributes arn":
		return awss3.Bucket_FromBucketAttributes(scope, jsii.String(id), &awss3.BucketAttributes{BucketArn: of.BucketArn()})
	}
	panic("unknown bucket spelling " + spelling)
}

// bringTableAgain brings in the table of another object by its name or ARN.
func bringTableAgain(scope constructs.Construct, id, spelling string, of awsdynamodb.ITable) awsdynamodb.ITable {
	id = "Brought" + id
	switch spelling {
	case "its name":
		return awsdynamodb.TableV2_FromTableName(scope, jsii.String(id), of.TableName())
	case "its arn":
		return awsdynamodb.Table_FromTableArn(scope, jsii.String(id), of.TableArn())
	case "its attributes arn":
		return awsdynamodb.TableV2_FromTableAttributes(scope, jsii.String(id), &awsdynamodb.TableAttributesV2{TableArn: of.TableArn()})
	}
	panic("unknown table spelling " + spelling)
}

// createdInStack reports whether a spelling creates the resource in the stack (its name and ARN
// are then CDK tokens).
func createdInStack(spelling string) bool { return strings.HasPrefix(spelling, "new") }

// tableSpellings bring in the table named name in the stack's account and region.
var tableSpellings = []string{"v2 name", "v1 name", "v1 arn literal", "v2 arn literal", "v1 arn stack", "v2 arn stack", "v1 attributes name", "v1 attributes arn", "v2 attributes name", "new v1 named", "new v2 named", "new v2"}

func bringTable(scope constructs.Construct, id, spelling, name, pk string) awsdynamodb.ITable {
	stack := awscdk.Stack_Of(scope)
	id = "Brought" + id
	literal := fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s", propertyRegion, propertyAccount, name)
	stackARN := fmt.Sprintf("arn:%s:dynamodb:%s:%s:table/%s", *stack.Partition(), *stack.Region(), *stack.Account(), name)
	key := &awsdynamodb.Attribute{Name: jsii.String(pk), Type: awsdynamodb.AttributeType_STRING}
	switch spelling {
	case "v2 name":
		return awsdynamodb.TableV2_FromTableName(scope, jsii.String(id), jsii.String(name))
	case "v1 name":
		return awsdynamodb.Table_FromTableName(scope, jsii.String(id), jsii.String(name))
	case "v1 arn literal":
		return awsdynamodb.Table_FromTableArn(scope, jsii.String(id), jsii.String(literal))
	case "v2 arn literal":
		return awsdynamodb.TableV2_FromTableArn(scope, jsii.String(id), jsii.String(literal))
	case "v1 arn stack":
		return awsdynamodb.Table_FromTableArn(scope, jsii.String(id), jsii.String(stackARN))
	case "v2 arn stack":
		return awsdynamodb.TableV2_FromTableArn(scope, jsii.String(id), jsii.String(stackARN))
	case "v1 attributes name":
		return awsdynamodb.Table_FromTableAttributes(scope, jsii.String(id), &awsdynamodb.TableAttributes{TableName: jsii.String(name)})
	case "v1 attributes arn":
		return awsdynamodb.Table_FromTableAttributes(scope, jsii.String(id), &awsdynamodb.TableAttributes{TableArn: jsii.String(literal)})
	case "v2 attributes name":
		return awsdynamodb.TableV2_FromTableAttributes(scope, jsii.String(id), &awsdynamodb.TableAttributesV2{TableName: jsii.String(name)})
	case "new v1 named":
		return awsdynamodb.NewTable(scope, jsii.String(id), &awsdynamodb.TableProps{TableName: jsii.String(name), PartitionKey: key, BillingMode: awsdynamodb.BillingMode_PAY_PER_REQUEST})
	case "new v2 named":
		return awsdynamodb.NewTableV2(scope, jsii.String(id), &awsdynamodb.TablePropsV2{TableName: jsii.String(name), PartitionKey: key})
	case "new v2":
		return awsdynamodb.NewTableV2(scope, jsii.String(id), &awsdynamodb.TablePropsV2{PartitionKey: key})
	}
	panic("unknown table spelling " + spelling)
}

// refusedWith reports whether err is a *validation.Error with a Duplicate problem on field.
func refusedWith(err error, field string) bool {
	var verr *validation.Error
	return errors.As(err, &verr) && slices.ContainsFunc(verr.Problems, func(p validation.Problem) bool {
		return p.Field == field && p.Type == validation.Duplicate
	})
}

// TestPropertySameResource: every pair of spellings of one bucket, of one table, and of the
// access-logs bucket and a data bucket, in both kinds of app, is refused by ValidateProps and by
// NewDirectAccess, naming the second rule's field. Two different resources spelled the same
// ways are accepted.
func TestPropertySameResource(t *testing.T) {
	all := []directaccess.StorageOperation{directaccess.StorageGet, directaccess.StorageList, directaccess.StorageWrite, directaccess.StorageDelete}
	owner := []*directaccess.PathRule{{Path: jsii.String("private/{identity}/*"), Owner: &all}}
	shared := []*directaccess.PathRule{{Path: jsii.String("private/*"), Authenticated: &all}}
	type pairCase struct {
		what, a, b string
		same       bool // one resource (else two different ones)
		props      func(scope constructs.Construct) *directaccess.DirectAccessProps
		field      string
	}
	var cases []pairCase
	// pairs lists (a, b, same) over the spellings: direct spellings of one name or of two
	// names, and b as a's own name or ARN.
	pairs := func(spellings []string) (out []pairCase) {
		for _, a := range spellings {
			for _, b := range append(slices.Clone(spellings), tokenSpellings...) {
				token := slices.Contains(tokenSpellings, b)
				generated := strings.HasSuffix(a, "new") || strings.HasSuffix(a, "new v2") || strings.HasSuffix(b, "new") || strings.HasSuffix(b, "new v2")
				switch {
				case token:
					out = append(out, pairCase{a: a, b: b, same: true})
				case createdInStack(a) && createdInStack(b) || generated:
					out = append(out, pairCase{a: a, b: b, same: false}) // two created resources, or a generated name
				default:
					out = append(out, pairCase{a: a, b: b, same: true}, pairCase{a: a, b: b, same: false})
				}
			}
		}
		return out
	}
	bucketPair := func(stack constructs.Construct, id string, c pairCase, name, other string) (awss3.IBucket, awss3.IBucket) {
		first := bringBucket(stack, id+"A", c.a, name)
		if slices.Contains(tokenSpellings, c.b) {
			return first, bringBucketAgain(stack, id+"B", c.b, first)
		}
		if !c.same {
			name = other
		}
		return first, bringBucket(stack, id+"B", c.b, name)
	}
	for _, c := range pairs(bucketSpellings) {
		c := c
		c.what, c.field = "bucket", "Buckets[1].Bucket"
		c.props = func(stack constructs.Construct) *directaccess.DirectAccessProps {
			a, b := bucketPair(stack, "", c, "apiless-data", "apiless-data-2")
			return &directaccess.DirectAccessProps{Tables: []*directaccess.TableRule{}, Buckets: []*directaccess.BucketRule{
				{Name: jsii.String("Files"), Bucket: a, Paths: owner},
				{Name: jsii.String("Shared"), Bucket: b, Paths: shared},
			}}
		}
		cases = append(cases, c)
		l := c
		l.what = "access logs"
		l.props = func(stack constructs.Construct) *directaccess.DirectAccessProps {
			logs, b := bucketPair(stack, "Logs", l, "apiless-logs", "apiless-data")
			return &directaccess.DirectAccessProps{Tables: []*directaccess.TableRule{}, AccessLogsBucket: logs, Buckets: []*directaccess.BucketRule{
				{Name: jsii.String("Files"), Paths: owner},
				{Name: jsii.String("Logs"), Bucket: b, Paths: owner},
			}}
		}
		cases = append(cases, l)
	}
	for _, c := range pairs(tableSpellings) {
		c := c
		c.what, c.field = "table", "Tables[1].Table"
		c.props = func(stack constructs.Construct) *directaccess.DirectAccessProps {
			a := bringTable(stack, "A", c.a, "apiless-notes", "pk")
			var b awsdynamodb.ITable
			switch {
			case slices.Contains(tokenSpellings, c.b):
				b = bringTableAgain(stack, "B", c.b, a)
			case c.same:
				b = bringTable(stack, "B", c.b, "apiless-notes", "pk")
			default:
				b = bringTable(stack, "B", c.b, "apiless-notes-2", "pk")
			}
			return &directaccess.DirectAccessProps{Buckets: []*directaccess.BucketRule{}, Tenant: &directaccess.TenantIsolation{Claim: jsii.String("custom:tenant")},
				Tables: []*directaccess.TableRule{
					{Name: jsii.String("Notes"), Table: a, PartitionKey: jsii.String("pk")},
					{Name: jsii.String("OrgNotes"), Table: b, PartitionKey: jsii.String("pk"), PartitionValue: directaccess.PartitionByTenant},
				}}
		}
		cases = append(cases, c)
	}
	// Every (kind of app, pair) once with -cases=300 or more; below that a seeded sample of one
	// per configuration case, so the default run stays fast.
	type item struct {
		kind appKind
		c    pairCase
	}
	var items []item
	for _, kind := range appKinds {
		for _, c := range cases {
			items = append(items, item{kind, c})
		}
	}
	total := len(items)
	if n := *propertyCases; n < 300 && n < len(items) {
		r := rand.New(rand.NewPCG(*propertySeed, 0))
		r.Shuffle(len(items), func(i, j int) { items[i], items[j] = items[j], items[i] })
		items = items[:n]
	}
	var failures []string
	checked := 0
	apps := map[appKind]*propertyApp{}
	for _, kind := range appKinds {
		// One app per kind; every case gets a scope of its own in the stack (no synth here).
		app, err := newPropertyApp(kind)
		if err != nil {
			t.Fatal(err)
		}
		defer app.close()
		apps[kind] = app
	}
	for n, it := range items {
		c := it.c
		scope := constructs.NewConstruct(apps[it.kind].stack, jsii.String(fmt.Sprintf("Case%d", n)))
		props := c.props(scope)
		err := directaccess.ValidateProps(props)
		label := fmt.Sprintf("%s app: %s %q and %q", it.kind, c.what, c.a, c.b)
		switch {
		case c.same && !refusedWith(err, c.field):
			failures = append(failures, fmt.Sprintf("%s, one resource: want a %s problem on %s, got %v", label, validation.Duplicate, c.field, err))
		case !c.same && err != nil:
			failures = append(failures, fmt.Sprintf("%s, two different resources: refused: %v", label, err))
		}
		checked++
		if err != nil {
			if problem := refusal(scope, "Access", props, err); problem != "" {
				failures = append(failures, fmt.Sprintf("%s: ValidateProps refuses, but %s", label, problem))
			}
		}
	}
	t.Logf("%d of %d (kind of app, pair of spellings) checked (-cases=%d; all from -cases=%d)", checked, total, *propertyCases, 300)
	if len(failures) > 0 {
		t.Errorf("%d of %d pairs decided wrongly:\n  %s", len(failures), checked, strings.Join(failures, "\n  "))
	}
}

// importedTableSpellings and importedBucketSpellings bring in a resource outside the template.
var (
	importedTableSpellings  = slices.DeleteFunc(slices.Clone(tableSpellings), createdInStack)
	importedBucketSpellings = slices.DeleteFunc(slices.Clone(bucketSpellings), createdInStack)
)
