package directaccess

import (
	"encoding/json"
	"reflect"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"

	"github.com/apiless/apiless/validation"
)

// sameObjects remembers brought-in tables or buckets to find one object passed twice. Objects
// are compared by identity where their type allows it; checkSameResources then compares what
// they name.
type sameObjects []struct {
	obj   any
	where string
}

func (s *sameObjects) add(obj any, where string) {
	*s = append(*s, struct {
		obj   any
		where string
	}{obj, where})
}

func (s sameObjects) find(obj any) (string, bool) {
	if !reflect.TypeOf(obj).Comparable() {
		return "", false
	}
	for _, seen := range s {
		if reflect.TypeOf(seen.obj) == reflect.TypeOf(obj) && seen.obj == obj {
			return seen.where, true
		}
	}
	return "", false
}

// resourceIdentity is what names a brought-in table or bucket for AWS: the service and the
// resource name, plus the account and region where they are known. Two different CDK objects
// (FromBucketName and FromBucketArn, a Table and a TableV2 by attributes) have different ARN
// spellings but the same identity.
type resourceIdentity struct {
	service, name, account, region string
}

// sameAs reports whether two identities can name one resource: same service and name, and no
// account or region that is known on both sides and differs. Unknown (token) parts are
// assumed equal, which refuses rather than risks a leak.
func (a resourceIdentity) sameAs(b resourceIdentity) bool {
	if a.service != b.service || a.name == "" || a.name != b.name {
		return false
	}
	known := func(x, y string) bool { return x != "" && y != "" && !isToken(x) && !isToken(y) }
	if known(a.account, b.account) && a.account != b.account {
		return false
	}
	return !(known(a.region, b.region) && a.region != b.region)
}

func isToken(s string) bool { return strings.Contains(s, "${Token[") }

// identified is a brought-in resource with the field that declared it.
type identified struct {
	where string
	id    resourceIdentity
}

// checkSameResources refuses one table or bucket reached through two rules, or the access-logs
// bucket reused as a data bucket (its log keys name every user's objects), whatever spelling
// each rule used. It is the one place that calls brought-in objects (jsii, when they are real).
func checkSameResources(s *spec) validation.List {
	var problems validation.List
	var seen []identified
	check := func(where string, id resourceIdentity, what string) {
		for _, other := range seen {
			if other.id.sameAs(id) {
				problems.Add(where, validation.Duplicate, id.name, "names the same %s (%s %q) as %s; the rules of one %s must be checked together, and an access-log bucket must never hold data. Expected one rule per %s", what, id.service, id.name, other.where, what, what)
				return
			}
		}
		seen = append(seen, identified{where, id})
	}
	if s.accessLogs != nil {
		check("AccessLogsBucket", bucketIdentity(s.accessLogs), "bucket")
	}
	for i, b := range s.buckets {
		if b.existing != nil {
			check(validation.Index("Buckets", i)+".Bucket", bucketIdentity(b.existing), "bucket")
		}
	}
	for i, t := range s.tables {
		if t.existing != nil {
			check(validation.Index("Tables", i)+".Table", tableIdentity(t.existing), "table")
		}
	}
	return append(problems, checkKeyRegion(s)...)
}

// checkKeyRegion refuses a brought-in key of another region than its stack: S3 and DynamoDB
// use only KMS keys of their own region.
func checkKeyRegion(s *spec) validation.List {
	var problems validation.List
	if s.key == nil || s.key.existing == nil {
		return nil
	}
	k := s.key.existing
	keyRegion := ""
	if arn := str(k.KeyArn()); !isToken(arn) {
		if parts := strings.SplitN(arn, ":", 6); len(parts) == 6 {
			keyRegion = parts[3]
		}
	}
	stackRegion := ""
	if st := k.Stack(); st != nil {
		stackRegion = str(st.Region())
	}
	if keyRegion != "" && stackRegion != "" && !isToken(stackRegion) && keyRegion != stackRegion {
		problems.Add("EncryptionKey.Key", validation.Invalid, keyRegion, "is a key of region %s in a stack of region %s; S3 and DynamoDB can only use a KMS key of their own region. Expected a key of %s", keyRegion, stackRegion, stackRegion)
	}
	return problems
}

// resolvedName renders a name that may hold tokens in a form that is equal for equal
// CloudFormation values: tokens are resolved in the object's stack ({"Ref": ...},
// {"Fn::Select": ...}) when there is one.
func resolvedName(name *string, stack func() awscdk.Stack) string {
	if name == nil {
		return ""
	}
	if !isToken(*name) {
		return *name
	}
	if st := stack(); st != nil {
		if b, err := json.Marshal(st.Resolve(name)); err == nil {
			return string(b)
		}
	}
	return *name
}

func bucketIdentity(b awss3.IBucket) resourceIdentity {
	// Bucket names are unique in a partition: the name alone is the identity.
	return resourceIdentity{service: "s3", name: resolvedName(b.BucketName(), b.Stack)}
}

func tableIdentity(t awsdynamodb.ITable) resourceIdentity {
	id := resourceIdentity{service: "dynamodb", name: resolvedName(t.TableName(), t.Stack)}
	if env := t.Env(); env != nil {
		id.account, id.region = str(env.Account), str(env.Region)
	}
	// A table imported by a literal ARN names its account and region there (CDK's imported
	// tables report the stack's environment instead).
	if arn := str(t.TableArn()); !isToken(arn) {
		if parts := strings.SplitN(arn, ":", 6); len(parts) == 6 && parts[2] == "dynamodb" {
			id.region, id.account = parts[3], parts[4]
		}
	}
	return id
}
