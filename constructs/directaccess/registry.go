package directaccess

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"

	"github.com/apiless/apiless/validation"
)

// Two DirectAccess constructs of one app must not share a table or bucket: each checks its own
// rules, so one construct's shared private/* rule would reach the other's per-identity folders.
// ValidateProps sees one construct's props and cannot know; NewDirectAccess remembers, per app,
// what every construct uses.

// claimed is a table or bucket a construct uses.
type claimed struct {
	construct, where string
	id               resourceIdentity
}

// appClaims maps an app (its root construct: jsii hands back the same Go object for the same
// app) to what its DirectAccess constructs use. Tests build many apps in one process; each app's
// entries stay apart.
var appClaims = map[constructs.IConstruct][]claimed{}

// claimResources refuses a table, bucket or access-log bucket another DirectAccess construct of
// the same app already uses, then records this construct's (the construct at path, whose rules
// are s, wired to tables, buckets and logs).
func claimResources(root constructs.IConstruct, path string, s *spec, tables map[string]awsdynamodb.ITable, buckets map[string]awss3.IBucket, logs awss3.IBucket) validation.List {
	var mine []claimed
	for _, t := range s.tables {
		mine = append(mine, claimed{path, t.field + ".Table", tableIdentity(tables[t.name])})
	}
	for _, b := range s.buckets {
		mine = append(mine, claimed{path, b.field + ".Bucket", bucketIdentity(buckets[b.name])})
	}
	if logs != nil {
		mine = append(mine, claimed{path, "AccessLogsBucket", bucketIdentity(logs)})
	}
	var problems validation.List
	for _, m := range mine {
		for _, other := range appClaims[root] {
			if other.id.sameAs(m.id) {
				problems.Add(m.where, validation.Duplicate, m.id.label(), "is %s %q, which DirectAccess %s also uses (%s); the rules of two constructs are checked apart, so one's grants could reach the other's users' data. Expected one DirectAccess per table and bucket",
					m.id.service, m.id.label(), other.construct, other.where)
				break
			}
		}
	}
	if len(problems) == 0 {
		appClaims[root] = append(appClaims[root], mine...)
	}
	return problems
}
