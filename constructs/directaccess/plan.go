package directaccess

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// The per-role policies, built as plain data from the spec so the whole access model can be
// tested without synthesizing.

// rolePlan is the statements one role gets.
type rolePlan struct {
	Role       roleKind
	Statements []statement
}

// DynamoDB actions per operation. Every one of them carries dynamodb:LeadingKeys; Scan and the
// PartiQL actions are never granted because a request without a key passes ForAllValues.
var tableActions = map[TableOperation][]string{
	TableRead:   {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:ConditionCheckItem"},
	TableWrite:  {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"},
	TableDelete: {"dynamodb:DeleteItem"},
}

// attributeLimitedWrite is what TableWrite grants under an attribute limit: PutItem and
// BatchWriteItem replace whole items, UpdateItem can be limited to named attributes.
var attributeLimitedWrite = []string{"dynamodb:UpdateItem"}

// attributeLimitedRead is what TableRead grants under an attribute limit: ConditionCheckItem
// is left out because with ReturnValuesOnConditionCheckFailure=ALL_OLD a failed check returns
// the whole item, and no documented condition key limits that.
var attributeLimitedRead = []string{"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"}

var storageObjectActions = map[StorageOperation]string{
	StorageGet:    "s3:GetObject",
	StorageWrite:  "s3:PutObject",
	StorageDelete: "s3:DeleteObject",
}

const listAction = "s3:ListBucket"

// buildPlan computes every role's statements.
func buildPlan(s *spec) []rolePlan {
	var plans []rolePlan
	for _, r := range s.roles() {
		plans = append(plans, rolePlan{Role: r, Statements: mergeStatements(roleStatements(s, r))})
	}
	return plans
}

// roleStatements is every statement a role gets, one per grant, before merging.
func roleStatements(s *spec, r roleKind) []statement {
	auds := s.audiencesOf(r)
	var stmts []statement
	for _, t := range s.tables {
		stmts = append(stmts, tableStatements(s, t, auds)...)
	}
	for _, b := range s.buckets {
		stmts = append(stmts, bucketStatements(s, b, auds)...)
	}
	stmts = append(stmts, keyStatements(s, auds)...)
	return append(stmts, presignedDenies(s)...)
}

// keyStatements are the KMS actions S3 and DynamoDB need, with the caller's credentials, to
// serve the role's grants on the tables and buckets encrypted with the customer key: only
// through those services (kms:ViaService) and only for those tables and buckets (the
// encryption context each service sets), so the key cannot be called from the browser.
func keyStatements(s *spec, auds []audience) []statement {
	if s.key == nil {
		return nil
	}
	var out []statement
	var tables []string
	for _, t := range s.tables {
		if !t.imported && len(tableOpsOf(t, auds)) > 0 {
			tables = append(tables, tableNamePlaceholder(t.name))
		}
	}
	if len(tables) > 0 {
		c := conditions{}
		c.add("StringEquals", "kms:ViaService", "dynamodb."+regionPlaceholder+".amazonaws.com")
		c.add("StringEquals", "kms:EncryptionContext:aws:dynamodb:tableName", tables...)
		out = append(out, statement{Effect: "Allow", Actions: []string{"kms:Decrypt"}, Resources: []resource{{Kind: keyResource}}, Conditions: c, sidBase: "KeyForTables"})
	}
	var read, write []string
	for _, b := range s.buckets {
		if b.imported {
			continue
		}
		ctx := []string{bucketArnPlaceholder(b.name), bucketArnPlaceholder(b.name) + "/*"}
		ops := bucketOpsOf(b, auds)
		if slices.Contains(ops, StorageWrite) {
			write = append(write, ctx...)
		} else if slices.Contains(ops, StorageGet) {
			read = append(read, ctx...)
		}
	}
	// Uploads need GenerateDataKey, and Decrypt for multipart uploads; reads need Decrypt.
	for _, k := range []struct {
		actions []string
		arns    []string
		sid     string
	}{{[]string{"kms:Decrypt", "kms:GenerateDataKey"}, write, "KeyForUploads"}, {[]string{"kms:Decrypt"}, read, "KeyForDownloads"}} {
		if len(k.arns) == 0 {
			continue
		}
		c := conditions{}
		c.add("StringEquals", "kms:ViaService", "s3."+regionPlaceholder+".amazonaws.com")
		c.add("StringLike", "kms:EncryptionContext:aws:s3:arn", k.arns...)
		out = append(out, statement{Effect: "Allow", Actions: k.actions, Resources: []resource{{Kind: keyResource}}, Conditions: c, sidBase: k.sid})
	}
	return out
}

// tableOpsOf is what the audiences may do on a table.
func tableOpsOf(t tableSpec, auds []audience) []TableOperation {
	var ops []TableOperation
	for _, a := range auds {
		ops = appendNew(ops, t.grants[a]...)
	}
	return ops
}

// bucketOpsOf is what the audiences may do anywhere in a bucket.
func bucketOpsOf(b bucketSpec, auds []audience) []StorageOperation {
	var ops []StorageOperation
	for _, p := range b.paths {
		for _, a := range auds {
			ops = appendNew(ops, p.grants[a]...)
		}
	}
	return ops
}

func tableStatements(s *spec, t tableSpec, auds []audience) []statement {
	var ops []TableOperation
	for _, a := range auds {
		// Table grants are keyed by authenticated/guest/group; owner and tenant scoping comes
		// from the partition key condition, which every table statement carries.
		for _, op := range t.grants[a] {
			if !slices.Contains(ops, op) {
				ops = append(ops, op)
			}
		}
	}
	if len(ops) == 0 {
		return nil
	}
	var actions []string
	for _, op := range allTableOperations {
		if !slices.Contains(ops, op) {
			continue
		}
		if op == TableWrite && t.attributes != nil {
			actions = append(actions, attributeLimitedWrite...)
			continue
		}
		if op == TableRead && t.attributes != nil {
			actions = append(actions, attributeLimitedRead...)
			continue
		}
		actions = append(actions, tableActions[op]...)
	}
	resources := []resource{{Kind: tableResource, Name: t.name}}
	if slices.Contains(ops, TableRead) {
		for _, ix := range t.indexes {
			resources = append(resources, resource{Kind: tableResource, Name: t.name, Suffix: "/index/" + ix.name})
		}
	}
	keyVar, sidBase := IdentityVariable, "OwnItems"
	cond := conditions{}
	if t.partitionValue == PartitionByTenant {
		keyVar, sidBase = TenantVariable(s.tenantTag), "TenantItems"
		addTenantGuards(cond, s.tenantTag)
	}
	cond.add("ForAllValues:StringEquals", "dynamodb:LeadingKeys", keyVar)
	// Without a key in the request ForAllValues is vacuously true; this makes such a request
	// (a Scan, or any future keyless action) fail instead.
	cond.add("Null", "dynamodb:LeadingKeys", "false")
	// DynamoDB also answers plain HTTP: credentials and items must not cross the wire in clear.
	cond.add("Bool", "aws:SecureTransport", "true")
	if t.attributes != nil {
		sidBase += "Attributes"
		cond.add("ForAllValues:StringEquals", "dynamodb:Attributes", t.attributes...)
		cond.add("StringEqualsIfExists", "dynamodb:Select", "SPECIFIC_ATTRIBUTES")
		cond.add("StringEqualsIfExists", "dynamodb:ReturnValues", "NONE", "UPDATED_OLD", "UPDATED_NEW")
	}
	return []statement{{Effect: "Allow", Actions: actions, Resources: resources, Conditions: cond, sidBase: sidBase}}
}

func bucketStatements(s *spec, b bucketSpec, auds []audience) []statement {
	var allows, denies []statement
	for _, p := range b.paths {
		for _, a := range auds {
			allows = append(allows, pathGrants(s, b.name, p, a)...)
		}
		for _, parent := range b.paths {
			if p.isUnder(parent.pathTemplate) {
				denies = append(denies, nestedDenies(b.name, parent, p, auds)...)
			}
		}
	}
	return append(allows, denies...)
}

// pathGrants is what one audience gets on one path: its objects and the listing of its folder.
func pathGrants(s *spec, bucket string, p pathSpec, a audience) []statement {
	ops := p.grants[a]
	if len(ops) == 0 {
		return nil
	}
	folder := p.render(a, s.tenantTag)
	scope := "Shared"
	var cond conditions
	switch a {
	case audienceOwner:
		scope = "Own"
	case audienceTenant:
		scope = "Tenant"
		cond = conditions{}
		addTenantGuards(cond, s.tenantTag)
	}
	var out []statement
	if actions := objectActions(ops); len(actions) > 0 {
		out = append(out, statement{Effect: "Allow", Actions: actions,
			Resources:  []resource{{Kind: bucketResource, Name: bucket, Suffix: "/" + folder + "/*"}},
			Conditions: cond.clone(), sidBase: scope + "Objects"})
	}
	if slices.Contains(ops, StorageList) {
		lc := cond.clone()
		if lc == nil {
			lc = conditions{}
		}
		lc.add("StringLike", "s3:prefix", folder+"/", folder+"/*")
		out = append(out, statement{Effect: "Allow", Actions: []string{listAction},
			Resources:  []resource{{Kind: bucketResource, Name: bucket}},
			Conditions: lc, sidBase: scope + "FolderList"})
	}
	return out
}

// nestedDenies: a rule nested in another takes away what the broader rule grants and it does
// not.
func nestedDenies(bucket string, parent, p pathSpec, auds []audience) []statement {
	var granted, inherited []StorageOperation
	for _, a := range auds {
		granted = append(granted, p.grants[a]...)
		inherited = append(inherited, parent.grants[a]...)
	}
	var taken []StorageOperation
	for _, op := range allStorageOperations {
		if slices.Contains(inherited, op) && !slices.Contains(granted, op) {
			taken = append(taken, op)
		}
	}
	var out []statement
	if actions := objectActions(taken); len(actions) > 0 {
		out = append(out, statement{Effect: "Deny", Actions: actions,
			Resources: []resource{{Kind: bucketResource, Name: bucket, Suffix: "/" + p.folder + "/*"}},
			sidBase:   "DenyNestedObjects"})
	}
	if slices.Contains(taken, StorageList) {
		out = append(out, nestedListDenies(bucket, parent.folder, p.folder)...)
	}
	return out
}

// nestedListDenies take away listing a nested folder. Listing its own prefix is denied outright.
// A listing of a shorter prefix that leads into it ("team/", "team/lock" for "team/locked/") is
// denied too unless it groups keys by "/" (s3:delimiter): without a delimiter S3 returns every
// key under the prefix, the nested folder's included, while with one it returns only the
// nested folder's name.
func nestedListDenies(bucket, parentFolder, folder string) []statement {
	own := conditions{}
	own.add("StringLike", "s3:prefix", escapeIAM(folder)+"/", escapeIAM(folder)+"/*")
	leading := conditions{}
	leading.add("StringLike", "s3:prefix", prefixesInto(parentFolder, folder)...)
	leading.add("StringNotEquals", "s3:delimiter", "/")
	on := []resource{{Kind: bucketResource, Name: bucket}}
	return []statement{
		{Effect: "Deny", Actions: []string{listAction}, Resources: on, Conditions: own, sidBase: "DenyNestedList"},
		{Effect: "Deny", Actions: []string{listAction}, Resources: on, Conditions: leading, sidBase: "DenyNestedPrefixList"},
	}
}

// prefixesInto lists every listing prefix from the parent folder ("team/") up to the nested
// folder's name ("team/locked"), each written as an exact IAM pattern.
func prefixesInto(parentFolder, folder string) []string {
	var out []string
	for i := len(parentFolder) + 1; i <= len(folder); i++ {
		if i == len(folder) || utf8.RuneStart(folder[i]) {
			out = append(out, escapeIAM(folder[:i]))
		}
	}
	return out
}

// addTenantGuards makes a tenant statement apply only to callers that carry a usable tenant
// tag: present (a missing tag must never match) and a plain folder-safe value.
func addTenantGuards(c conditions, tag string) {
	c.add("Null", "aws:PrincipalTag/"+tag, "false")
	c.add("StringNotLike", "aws:PrincipalTag/"+tag, TenantTagRefusedPatterns...)
}

func objectActions(ops []StorageOperation) []string {
	var actions []string
	for _, op := range allStorageOperations {
		if a, ok := storageObjectActions[op]; ok && slices.Contains(ops, op) {
			actions = append(actions, a)
		}
	}
	return actions
}

// mergeStatements folds statements that differ only in what can be unioned without widening
// access, then names them. Two rules are used:
//   - same effect, actions, resources and conditions except the values of StringLike s3:prefix:
//     a StringLike with several values matches any of them, so the union is exact;
//   - same effect, actions and conditions: a statement applies to each of its resources
//     independently, so the resource lists can be joined.
func mergeStatements(stmts []statement) []statement {
	stmts = mergeBy(stmts, func(s statement) string {
		c := s.Conditions.clone()
		if c != nil && c["StringLike"] != nil {
			delete(c["StringLike"], "s3:prefix")
		}
		return s.sidBase + "|" + s.Effect + "|" + strings.Join(s.Actions, ",") + "|" + resourcesKey(s.Resources) + "|" + c.key()
	}, func(into *statement, from statement) {
		if from.Conditions["StringLike"] == nil {
			return
		}
		for _, v := range from.Conditions["StringLike"]["s3:prefix"] {
			if !slices.Contains(into.Conditions["StringLike"]["s3:prefix"], v) {
				into.Conditions["StringLike"]["s3:prefix"] = append(into.Conditions["StringLike"]["s3:prefix"], v)
			}
		}
	})
	stmts = mergeBy(stmts, func(s statement) string {
		return s.sidBase + "|" + s.Effect + "|" + strings.Join(s.Actions, ",") + "|" + s.Conditions.key()
	}, func(into *statement, from statement) {
		for _, r := range from.Resources {
			if !slices.Contains(into.Resources, r) {
				into.Resources = append(into.Resources, r)
			}
		}
	})
	count := map[string]int{}
	for _, s := range stmts {
		count[s.sidBase]++
	}
	seen := map[string]int{}
	for i := range stmts {
		base := stmts[i].sidBase
		seen[base]++
		stmts[i].Sid = base
		if count[base] > 1 {
			stmts[i].Sid = fmt.Sprintf("%s%d", base, seen[base])
		}
	}
	return stmts
}

func mergeBy(stmts []statement, key func(statement) string, join func(into *statement, from statement)) []statement {
	var out []statement
	index := map[string]int{}
	for _, s := range stmts {
		k := key(s)
		if i, ok := index[k]; ok {
			join(&out[i], s)
			continue
		}
		index[k] = len(out)
		s.Conditions = s.Conditions.clone()
		s.Resources = slices.Clone(s.Resources)
		out = append(out, s)
	}
	return out
}

func resourcesKey(rs []resource) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = string(r.Kind) + ":" + r.Name + r.Suffix
	}
	return strings.Join(parts, ",")
}

// The actions the construct ever grants on objects and listings.
var grantedStorageActions = []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject", listAction}

// presignedDenies take away query-string (presigned URL) and POST-form authentication on every
// bucket: a presigned URL carries the signer's rights to whoever holds it. With PresignedGets,
// GetObject may be presigned, but is refused once the signature is older than the maximum age.
func presignedDenies(s *spec) []statement {
	var on []resource
	for _, b := range s.buckets {
		on = append(on, resource{Kind: bucketResource, Name: b.name}, resource{Kind: bucketResource, Name: b.name, Suffix: "/*"})
	}
	if len(on) == 0 {
		return nil
	}
	if s.presignedMaxAge == 0 {
		c := conditions{}
		c.add("StringEquals", "s3:authType", "REST-QUERY-STRING", "POST")
		return []statement{{Effect: "Deny", Actions: grantedStorageActions, Resources: on, Conditions: c, sidBase: "DenyPresigned"}}
	}
	others := conditions{}
	others.add("StringEquals", "s3:authType", "REST-QUERY-STRING", "POST")
	old := conditions{}
	old.add("StringEquals", "s3:authType", "REST-QUERY-STRING")
	// s3:signatureAge is in milliseconds.
	old.add("NumericGreaterThan", "s3:signatureAge", fmt.Sprint(s.presignedMaxAge*1000))
	post := conditions{}
	post.add("StringEquals", "s3:authType", "POST")
	return []statement{
		{Effect: "Deny", Actions: grantedStorageActions[1:], Resources: on, Conditions: others, sidBase: "DenyPresigned"},
		{Effect: "Deny", Actions: grantedStorageActions[:1], Resources: on, Conditions: old, sidBase: "DenyOldPresignedGet"},
		{Effect: "Deny", Actions: grantedStorageActions[:1], Resources: on, Conditions: post, sidBase: "DenyPostGet"},
	}
}

// guardPolicy is a managed policy of Deny statements beside a role's grants: the block list,
// the maintenance switch, the budget action's deny-all.
type guardPolicy struct {
	// id is the construct ID; attached policies go on every role, the others (the budget's) are
	// attached by AWS when a threshold is crossed.
	id, description string
	attached        bool
	statements      []statement
}

var (
	everyDataAction = []string{"dynamodb:*", "s3:*"}
	anywhere        = []resource{{Kind: anyResource}}
)

// writeActions are the write and delete actions the construct ever grants.
func grantedWriteActions() []string {
	return slices.Concat(tableActions[TableWrite], tableActions[TableDelete], []string{"s3:PutObject", "s3:DeleteObject"})
}

// guardPolicies are the Deny policies the spec asks for, in a stable order.
func guardPolicies(s *spec) []guardPolicy {
	var out []guardPolicy
	if len(s.blocked) > 0 {
		c := conditions{}
		c.add("StringEquals", "cognito-identity.amazonaws.com:sub", s.blocked...)
		out = append(out, guardPolicy{id: "BlockList", attached: true,
			description: "apiless block list: the listed identities are denied every DynamoDB and S3 action",
			statements:  []statement{{Sid: "BlockedIdentities", Effect: "Deny", Actions: everyDataAction, Resources: anywhere, Conditions: c}}})
	}
	switch s.maintenance {
	case MaintenanceReadOnly:
		out = append(out, guardPolicy{id: "Maintenance", attached: true,
			description: "apiless maintenance (read-only): writes and deletes are denied",
			statements:  []statement{{Sid: "MaintenanceReadOnly", Effect: "Deny", Actions: grantedWriteActions(), Resources: anywhere}}})
	case MaintenanceOff:
		out = append(out, guardPolicy{id: "Maintenance", attached: true,
			description: "apiless maintenance (off): every DynamoDB and S3 action is denied",
			statements:  []statement{{Sid: "MaintenanceOff", Effect: "Deny", Actions: everyDataAction, Resources: anywhere}}})
	}
	if s.budget != nil {
		// Not attached here: AWS Budgets attaches it when the limit is crossed.
		out = append(out, guardPolicy{id: "BudgetDenyAllData",
			description: "apiless budget kill switch: attached by AWS Budgets when the monthly limit is crossed; denies every DynamoDB and S3 action",
			statements:  []statement{{Sid: "BudgetExceeded", Effect: "Deny", Actions: everyDataAction, Resources: anywhere}}})
	}
	return out
}
