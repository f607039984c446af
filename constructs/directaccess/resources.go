package directaccess

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"

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

// resourceIdentity is what names a brought-in table or bucket for AWS: the service, every
// spelling of its name (the literal name, the CloudFormation value a token stands for, and the
// template resource it refers to), plus the account and region where they are known. Two
// different CDK objects (FromBucketName and FromBucketArn, a Table and a TableV2 by attributes,
// a bucket of the app and the same bucket imported by its name or ARN) share a spelling.
type resourceIdentity struct {
	service         string
	names           []string
	account, region string
}

// sameAs reports whether two identities can name one resource: same service, a common name, and
// no account or region that is known on both sides and differs. Unknown (token) parts are
// assumed equal, which refuses rather than risks a leak.
func (a resourceIdentity) sameAs(b resourceIdentity) bool {
	common := slices.ContainsFunc(a.names, func(n string) bool { return n != "" && slices.Contains(b.names, n) })
	if a.service != b.service || !common {
		return false
	}
	known := func(x, y string) bool { return x != "" && y != "" && !isToken(x) && !isToken(y) }
	if known(a.account, b.account) && a.account != b.account {
		return false
	}
	return !(known(a.region, b.region) && a.region != b.region)
}

// stackSuffix joins a resolved CloudFormation value to the address of the stack it is in.
const stackSuffix = " in stack "

// label is the most readable name, for messages.
func (a resourceIdentity) label() string {
	if len(a.names) == 0 {
		return ""
	}
	name, _, _ := strings.Cut(a.names[0], stackSuffix)
	return name
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
				problems.Add(where, validation.Duplicate, id.label(), "names the same %s (%s %q) as %s; the rules of one %s must be checked together, and an access-log bucket must never hold data. Expected one rule per %s", what, id.service, id.label(), other.where, what, what)
				return
			}
		}
		seen = append(seen, identified{where, id})
	}
	if s.accessLogs != nil {
		check("AccessLogsBucket", bucketIdentity(s.accessLogs), "bucket")
	}
	for _, b := range s.buckets {
		if b.existing != nil {
			check(b.field+".Bucket", bucketIdentity(b.existing), "bucket")
		}
	}
	for _, t := range s.tables {
		if t.existing != nil {
			check(t.field+".Table", tableIdentity(t.existing), "table")
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

// nameSpellings renders a name that may hold tokens in every form that is equal for equal
// CloudFormation values: a literal as it is; a token resolved in the object's stack ({"Ref":
// ...}, {"Fn::Select": ...}), and, when it refers to exactly one resource of the template, that
// resource ("resource:<stack>/<logical ID>"), so a bucket's Ref and a name cut out of its
// Fn::GetAtt Arn meet.
func nameSpellings(name *string, stack awscdk.Stack) []string {
	if name == nil || *name == "" {
		return nil
	}
	if !isToken(*name) || stack == nil {
		return []string{*name}
	}
	resolved := stack.Resolve(name)
	b, err := json.Marshal(resolved)
	if err != nil {
		return []string{*name}
	}
	// Logical IDs are unique within one stack only: the value is qualified by its stack.
	out := []string{string(b) + stackSuffix + str(stack.Node().Addr())}
	if refs := logicalRefs(resolved, nil); len(refs) == 1 {
		out = append(out, resourceKey(stack, refs[0]))
	}
	return out
}

func resourceKey(stack awscdk.Stack, logicalID string) string {
	return "resource:" + str(stack.Node().Addr()) + "/" + logicalID
}

// logicalRefs lists the template resources a resolved CloudFormation value refers to (Ref and
// Fn::GetAtt, pseudo parameters left out).
func logicalRefs(v any, out []string) []string {
	switch x := v.(type) {
	case map[string]any:
		if ref, ok := x["Ref"].(string); ok && !strings.HasPrefix(ref, "AWS::") {
			out = appendNew(out, ref)
		}
		if att, ok := x["Fn::GetAtt"].([]any); ok && len(att) > 0 {
			if id, ok := att[0].(string); ok {
				out = appendNew(out, id)
			}
		}
		for _, e := range x {
			out = logicalRefs(e, out)
		}
	case []any:
		for _, e := range x {
			out = logicalRefs(e, out)
		}
	}
	return out
}

// createdSpellings names a table or bucket created in the app (its L1 resource is the object's
// default child): the template resource, and its physical name when the app set a literal one.
func createdSpellings(node constructs.Node, stack awscdk.Stack, physical func(awscdk.CfnResource) *string) []string {
	if node == nil || stack == nil {
		return nil
	}
	cfn, ok := node.DefaultChild().(awscdk.CfnResource)
	if !ok || cfn == nil {
		return nil
	}
	out := []string{resourceKey(stack, *stack.GetLogicalId(cfn))}
	if name := physical(cfn); name != nil && *name != "" && !isToken(*name) {
		out = append([]string{*name}, out...)
	}
	return out
}

func bucketIdentity(b awss3.IBucket) resourceIdentity {
	// Bucket names are unique in a partition: the name alone is the identity.
	stack := b.Stack()
	names := nameSpellings(b.BucketName(), stack)
	names = appendNew(names, createdSpellings(b.Node(), stack, func(c awscdk.CfnResource) *string {
		if cb, ok := c.(awss3.CfnBucket); ok {
			return cb.BucketName()
		}
		return nil
	})...)
	return resourceIdentity{service: "s3", names: names}
}

func tableIdentity(t awsdynamodb.ITable) resourceIdentity {
	stack := t.Stack()
	names := nameSpellings(t.TableName(), stack)
	names = appendNew(names, createdSpellings(t.Node(), stack, func(c awscdk.CfnResource) *string {
		switch ct := c.(type) {
		case awsdynamodb.CfnGlobalTable:
			return ct.TableName()
		case awsdynamodb.CfnTable:
			return ct.TableName()
		}
		return nil
	})...)
	id := resourceIdentity{service: "dynamodb", names: names}
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
