// Package directaccess provides DirectAccess, a construct that lets browsers read and write
// their own DynamoDB items and S3 objects directly with Cognito identity pool credentials, and
// nothing else: the IAM policies it generates scope every grant to the caller's identity ID.
package directaccess

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/apiless/apiless/manifest"
)

// DirectAccess wires a user pool, an identity pool, the roles it hands out, tables and buckets,
// and generates the per-identity policies on those roles.
type DirectAccess interface {
	constructs.Construct
	// UserPool signs users in (created or brought in).
	UserPool() awscognito.IUserPool
	// UserPoolClient is the browser's app client.
	UserPoolClient() awscognito.IUserPoolClient
	// IdentityPool trades user pool tokens for AWS credentials.
	IdentityPool() awscognito.CfnIdentityPool
	// IdentityPoolId is the identity pool's ID.
	IdentityPoolId() *string
	// ProviderName is the user pool's provider name as the identity pool knows it
	// (cognito-idp.<region>.amazonaws.com/<pool id>).
	ProviderName() *string
	// AuthenticatedRole is the role of signed-in users outside any group.
	AuthenticatedRole() awsiam.IRole
	// GuestRole is the role of unauthenticated identities, or nil when Guests is off.
	GuestRole() awsiam.IRole
	// GroupRole is the role of the named group's members, or nil for an unknown group.
	GroupRole(name string) awsiam.IRole
	// Table is the first table rule's table (the default "Items" table): a TableV2 when the
	// construct created it.
	Table() awsdynamodb.ITable
	// TableNamed is the table of the rule with that Name, or nil.
	TableNamed(name string) awsdynamodb.ITable
	// Bucket is the first bucket rule's bucket (the default "Files" bucket).
	Bucket() awss3.IBucket
	// BucketNamed is the bucket of the rule with that Name, or nil.
	BucketNamed(name string) awss3.IBucket
	// Manifest describes the backend for frontends; its IDs are tokens that CloudFormation
	// fills in at deploy time (publish it with a CfnOutput).
	Manifest() *manifest.Manifest
}

type directAccess struct {
	constructs.Construct
	spec           *compiled
	userPool       awscognito.IUserPool
	userPoolClient awscognito.IUserPoolClient
	identityPool   awscognito.CfnIdentityPool
	roles          map[roleKind]awsiam.Role
	tables         map[string]awsdynamodb.ITable
	buckets        map[string]awss3.IBucket
	key            awskms.IKey
	createdKey     awskms.Key
	manifest       *manifest.Manifest
}

// trustedFederation is the principal every identity pool role trusts.
const trustedFederation = "cognito-identity.amazonaws.com"

// NewDirectAccess creates the construct. Invalid props panic with one error that names the
// construct path and lists every problem (see ValidateProps to check props without
// synthesizing). Below this function only the compiled spec is read, never the props.
func NewDirectAccess(scope constructs.Construct, id *string, props *DirectAccessProps) DirectAccess {
	c, problems := compile(props)
	if err := problems.Err(fmt.Sprintf("DirectAccess %s: invalid props", constructPath(scope, id))); err != nil {
		panic(err)
	}
	d := &directAccess{spec: c, roles: map[roleKind]awsiam.Role{}, tables: map[string]awsdynamodb.ITable{}, buckets: map[string]awss3.IBucket{}}
	constructs.NewConstruct_Override(d, scope, id)
	for _, w := range c.warnings {
		awscdk.Annotations_Of(d).AddWarningV2(jsii.String("apiless:"+w.id), jsii.String(w.message))
	}
	d.wireUserPool()
	d.wireIdentityPool()
	d.wireKey()
	for _, t := range c.tables {
		d.tables[t.name] = d.wireTable(t)
	}
	logs := c.accessLogs
	if logs == nil && c.createsBucket() {
		logs = d.newAccessLogsBucket()
	}
	for _, b := range c.buckets {
		d.buckets[b.name] = d.wireBucket(b, logs)
	}
	path := str(d.Node().Path())
	if err := claimResources(d.Node().Root(), path, c.spec, d.tables, d.buckets, logs).Err("DirectAccess " + path + ": invalid props"); err != nil {
		panic(err)
	}
	for _, r := range c.roles() {
		d.wirePolicies(r, c.packs[r])
	}
	d.wireGuardPolicies()
	d.wireAudit(logs)
	d.manifest = buildManifest(c.spec, d.deployIDs())
	d.recordManifest()
	return d
}

// recordManifest puts the manifest, the construct's declared intent, in the identity pool's
// template metadata, where `apiless verify` reads what every rule grants and checks the
// policies against it, whether or not the app publishes the manifest as an output.
func (d *directAccess) recordManifest() {
	doc, err := json.Marshal(d.manifest)
	if err != nil {
		panic(fmt.Errorf("DirectAccess %s: manifest: %w", *d.Node().Path(), err))
	}
	var obj map[string]any
	if err := json.Unmarshal(doc, &obj); err != nil {
		panic(fmt.Errorf("DirectAccess %s: manifest: %w", *d.Node().Path(), err))
	}
	// The pool is the resource the metadata sits on; a Ref to itself would be a circular
	// dependency for CloudFormation.
	delete(obj, "identityPoolId")
	d.identityPool.AddMetadata(jsii.String(manifest.MetadataKey), obj)
}

// constructPath is the path the construct will have, so two DirectAccess constructs in one
// app can be told apart in an error.
func constructPath(scope constructs.Construct, id *string) string {
	if scope == nil {
		return str(id)
	}
	parent := str(scope.Node().Path())
	if parent == "" {
		return str(id)
	}
	return parent + "/" + str(id)
}

func (d *directAccess) deployIDs() deployIDs {
	ids := deployIDs{
		region:           *awscdk.Stack_Of(d).Region(),
		userPoolID:       *d.userPool.UserPoolId(),
		userPoolClientID: *d.userPoolClient.UserPoolClientId(),
		identityPoolID:   *d.IdentityPoolId(),
		providerName:     *d.ProviderName(),
		tableNames:       map[string]string{},
		bucketNames:      map[string]string{},
	}
	for name, t := range d.tables {
		ids.tableNames[name] = *t.TableName()
	}
	for name, b := range d.buckets {
		ids.bucketNames[name] = *b.BucketName()
	}
	return ids
}

func (d *directAccess) wireUserPool() {
	p := d.spec.pool
	if p.existing != nil {
		d.userPool, d.userPoolClient = p.existing, p.client
		return
	}
	var custom *map[string]awscognito.ICustomAttribute
	if name, ok := strings.CutPrefix(d.spec.tenantClaim, "custom:"); ok {
		custom = &map[string]awscognito.ICustomAttribute{
			name: awscognito.NewStringAttribute(&awscognito.StringAttributeProps{Mutable: jsii.Bool(true), MinLen: jsii.Number(1), MaxLen: jsii.Number(128)}),
		}
	}
	poolProps := &awscognito.UserPoolProps{
		SignInAliases: &awscognito.SignInAliases{Email: jsii.Bool(true)},
		AutoVerify:    &awscognito.AutoVerifiedAttrs{Email: jsii.Bool(true)},
		// An email change applies only once the new address is verified: a stolen access token
		// cannot move the account (and its password reset) to an attacker's address.
		KeepOriginal:      &awscognito.KeepOriginalAttrs{Email: jsii.Bool(true)},
		SelfSignUpEnabled: jsii.Bool(true),
		StandardAttributes: &awscognito.StandardAttributes{
			Email: &awscognito.StandardAttribute{Required: jsii.Bool(true), Mutable: jsii.Bool(true)},
		},
		CustomAttributes:   custom,
		PasswordPolicy:     p.password.cdk(),
		AccountRecovery:    awscognito.AccountRecovery_EMAIL_ONLY,
		Mfa:                p.mfa,
		MfaSecondFactor:    &awscognito.MfaSecondFactor{Otp: jsii.Bool(true), Sms: jsii.Bool(false)},
		DeletionProtection: jsii.Bool(d.spec.removal.retained),
		RemovalPolicy:      d.spec.removal.policy,
	}
	signInPoolProps(poolProps, d.spec.threatProtection, d.spec.email)
	pool := awscognito.NewUserPool(d, jsii.String("UserPool"), poolProps)
	if d.spec.rateLimit > 0 {
		wireWebACL(d, pool.UserPoolArn(), d.spec.rateLimit)
	}
	client := awscognito.NewUserPoolClient(d, jsii.String("UserPoolClient"), &awscognito.UserPoolClientProps{
		UserPool:                   pool,
		GenerateSecret:             jsii.Bool(false),
		AuthFlows:                  &awscognito.AuthFlow{UserSrp: jsii.Bool(true)},
		PreventUserExistenceErrors: jsii.Bool(true),
		EnableTokenRevocation:      jsii.Bool(true),
		// No hosted UI: the browser signs in with SRP, so no OAuth flow (implicit grant
		// included) is left open.
		DisableOAuth: jsii.Bool(true),
		// Only email and name are writable by users: a tenant claim or any other custom
		// attribute that decides access must never be set by the user it describes.
		WriteAttributes: awscognito.NewClientAttributes().WithStandardAttributes(&awscognito.StandardAttributesMask{
			Email: jsii.Bool(true), Fullname: jsii.Bool(true),
		}),
		IdTokenValidity:      awscdk.Duration_Minutes(jsii.Number(idTokenMinutes)),
		AccessTokenValidity:  awscdk.Duration_Minutes(jsii.Number(idTokenMinutes)),
		RefreshTokenValidity: awscdk.Duration_Days(jsii.Number(refreshTokenDays)),
	})
	d.userPool, d.userPoolClient = pool, client
}

// cdk renders the password policy into the user pool's props.
func (p passwordPolicy) cdk() *awscognito.PasswordPolicy {
	return &awscognito.PasswordPolicy{
		MinLength: jsii.Number(p.minLength), RequireLowercase: jsii.Bool(p.lowercase), RequireUppercase: jsii.Bool(p.uppercase),
		RequireDigits: jsii.Bool(p.digits), RequireSymbols: jsii.Bool(p.symbols),
		TempPasswordValidity: awscdk.Duration_Days(jsii.Number(p.tempPasswordDays)),
	}
}

// wireIdentityPool uses the L1 resources on purpose: the awscognitoidentitypool L2 (v2.220.0)
// always creates an unauthenticated role and puts it in the role attachment, even with guests
// off, has no principal-tag mapping, and its default roles cannot allow sts:TagSession.
func (d *directAccess) wireIdentityPool() {
	d.identityPool = awscognito.NewCfnIdentityPool(d, jsii.String("IdentityPool"), &awscognito.CfnIdentityPoolProps{
		AllowUnauthenticatedIdentities: jsii.Bool(d.spec.guests),
		// The classic flow skips role mappings and the enhanced flow's session policy.
		AllowClassicFlow: jsii.Bool(false),
		CognitoIdentityProviders: &[]*awscognito.CfnIdentityPool_CognitoIdentityProviderProperty{{
			ClientId:             d.userPoolClient.UserPoolClientId(),
			ProviderName:         d.ProviderName(),
			ServerSideTokenCheck: jsii.Bool(true),
		}},
		IdentityPoolName: optional(d.spec.identityPoolName),
	})
	// Identity IDs live only in the identity pool, and every item key and folder name is one:
	// the pool is stateful, retained like the user pool, so deleting the stack never orphans
	// every user's data.
	d.identityPool.ApplyRemovalPolicy(d.spec.removal.policy, nil)
	if d.spec.guests {
		addNagSuppression(d.identityPool, "AwsSolutions-COG7", "Guest access was asked for by name (GuestAccess.Acknowledge); the guest role gets only the grants declared for guests, never writes to per-identity data.")
	}

	tagSessions := d.spec.tenantTag != ""
	d.roles[roleAuthenticated] = d.newRole(d, "AuthenticatedRole", "authenticated", tagSessions, "Signed-in users of the identity pool")
	roles := map[string]interface{}{"authenticated": d.roles[roleAuthenticated].RoleArn()}
	if d.spec.guests {
		d.roles[roleGuest] = d.newRole(d, "GuestRole", "unauthenticated", false, "Guests (unauthenticated identities) of the identity pool")
		roles["unauthenticated"] = d.roles[roleGuest].RoleArn()
	}
	mappings := d.wireGroups(tagSessions)
	awscognito.NewCfnIdentityPoolRoleAttachment(d, jsii.String("RoleAttachment"), &awscognito.CfnIdentityPoolRoleAttachmentProps{
		IdentityPoolId: d.identityPool.Ref(),
		Roles:          roles,
		RoleMappings:   mappings,
	})
	if tagSessions {
		awscognito.NewCfnIdentityPoolPrincipalTag(d, jsii.String("PrincipalTags"), &awscognito.CfnIdentityPoolPrincipalTagProps{
			IdentityPoolId:       d.identityPool.Ref(),
			IdentityProviderName: d.ProviderName(),
			PrincipalTags:        map[string]interface{}{d.spec.tenantTag: d.spec.tenantClaim},
			UseDefaults:          jsii.Bool(false),
		})
	}
}

// wireGroups creates each group with its role and returns the identity pool's role mapping
// (nil without groups).
func (d *directAccess) wireGroups(tagSessions bool) interface{} {
	if len(d.spec.groups) == 0 {
		return nil
	}
	groups := constructs.NewConstruct(d, jsii.String("Groups"))
	for _, g := range d.spec.groups {
		scope := constructs.NewConstruct(groups, jsii.String(g.name))
		role := d.newRole(scope, "Role", "authenticated", tagSessions, fmt.Sprintf("Members of user pool group %s", g.name))
		d.roles[groupRole(g.name)] = role
		awscognito.NewCfnUserPoolGroup(scope, jsii.String("Group"), &awscognito.CfnUserPoolGroupProps{
			UserPoolId: d.userPool.UserPoolId(),
			GroupName:  jsii.String(g.name),
			Precedence: jsii.Number(g.precedence),
			RoleArn:    role.RoleArn(),
		})
	}
	// Token mapping: Cognito hands a member the role of their highest-precedence group
	// (cognito:preferred_role); users in no group keep the authenticated role.
	return map[string]interface{}{
		"UserPool": &awscognito.CfnIdentityPoolRoleAttachment_RoleMappingProperty{
			Type:                    jsii.String("Token"),
			AmbiguousRoleResolution: jsii.String("AuthenticatedRole"),
			IdentityProvider:        jsii.String(*d.ProviderName() + ":" + *d.userPoolClient.UserPoolClientId()),
		},
	}
}

// newRole creates a role only this identity pool can hand out, and only to identities of the
// given kind: without the amr condition a guest of the pool could assume the signed-in role.
func (d *directAccess) newRole(scope constructs.Construct, id, amr string, tagSessions bool, description string) awsiam.Role {
	var principal awsiam.IPrincipal = awsiam.NewFederatedPrincipal(jsii.String(trustedFederation), &map[string]interface{}{
		"StringEquals":           map[string]interface{}{"cognito-identity.amazonaws.com:aud": d.identityPool.Ref()},
		"ForAnyValue:StringLike": map[string]interface{}{"cognito-identity.amazonaws.com:amr": amr},
	}, jsii.String("sts:AssumeRoleWithWebIdentity"))
	if tagSessions {
		principal = awsiam.NewSessionTagsPrincipal(principal)
	}
	return awsiam.NewRole(scope, jsii.String(id), &awsiam.RoleProps{
		AssumedBy:          principal,
		Description:        jsii.String(description),
		MaxSessionDuration: awscdk.Duration_Hours(jsii.Number(1)),
	})
}

func (d *directAccess) wireTable(t tableSpec) awsdynamodb.ITable {
	if t.existing != nil {
		return t.existing
	}
	var caps *awsdynamodb.MaxThroughputProps
	if t.maxRead > 0 {
		caps = &awsdynamodb.MaxThroughputProps{MaxReadRequestUnits: jsii.Number(t.maxRead), MaxWriteRequestUnits: jsii.Number(t.maxWrite)}
	}
	tp := &awsdynamodb.TablePropsV2{
		PartitionKey: &awsdynamodb.Attribute{Name: jsii.String(t.partitionKey), Type: awsdynamodb.AttributeType_STRING},
		Billing:      awsdynamodb.Billing_OnDemand(caps),
		PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
			PointInTimeRecoveryEnabled: jsii.Bool(true),
		},
		Encryption:         awsdynamodb.TableEncryptionV2_AwsManagedKey(),
		DeletionProtection: jsii.Bool(d.spec.removal.retained),
		RemovalPolicy:      d.spec.removal.policy,
	}
	if t.sortKey != "" {
		tp.SortKey = &awsdynamodb.Attribute{Name: jsii.String(t.sortKey), Type: awsdynamodb.AttributeType_STRING}
	}
	var gsis []*awsdynamodb.GlobalSecondaryIndexPropsV2
	var lsis []*awsdynamodb.LocalSecondaryIndexProps
	for _, ix := range t.indexes {
		var sk *awsdynamodb.Attribute
		if ix.sortKey != "" {
			sk = &awsdynamodb.Attribute{Name: jsii.String(ix.sortKey), Type: awsdynamodb.AttributeType_STRING}
		}
		if ix.global {
			gsis = append(gsis, &awsdynamodb.GlobalSecondaryIndexPropsV2{
				IndexName:    jsii.String(ix.name),
				PartitionKey: &awsdynamodb.Attribute{Name: jsii.String(ix.partitionKey), Type: awsdynamodb.AttributeType_STRING},
				SortKey:      sk,
			})
		} else {
			lsis = append(lsis, &awsdynamodb.LocalSecondaryIndexProps{IndexName: jsii.String(ix.name), SortKey: sk})
		}
	}
	if gsis != nil {
		tp.GlobalSecondaryIndexes = &gsis
	}
	if lsis != nil {
		tp.LocalSecondaryIndexes = &lsis
	}
	if d.spec.topTalkers {
		tp.ContributorInsightsSpecification = &awsdynamodb.ContributorInsightsSpecification{Enabled: jsii.Bool(true)}
	}
	table := awsdynamodb.NewTableV2(d, jsii.String(t.name), tp)
	d.useCustomerKey(table)
	if d.spec.topTalkers {
		wireThrottleAlarms(d, t.name, table.TableName(), d.spec.alarmTopic)
	}
	return table
}

// CORS for browsers using the AWS SDK for JavaScript v3: ETag for multipart uploads, the
// checksum headers it sends by default, and the request IDs for support cases.
var corsExposedHeaders = []string{
	"ETag", "x-amz-checksum-crc32", "x-amz-checksum-crc32c", "x-amz-request-id", "x-amz-id-2", "x-amz-server-side-encryption",
}

// newAccessLogsBucket creates the bucket that receives server access logs. S3 log delivery
// needs S3-managed encryption; logs expire after a year.
func (d *directAccess) newAccessLogsBucket() awss3.IBucket {
	props := SecureBucketProps(d.spec.removal.policy)
	if !*awscdk.FeatureFlags_Of(d).IsEnabled(jsii.String("@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy")) {
		// Without this feature flag CDK grants log delivery through the LogDeliveryWrite ACL,
		// which S3 accepts only on an ObjectWriter bucket. With it (cdk.json of this app),
		// a bucket policy is used and ACLs stay disabled.
		props.ObjectOwnership = awss3.ObjectOwnership_OBJECT_WRITER
	}
	props.LifecycleRules = &[]*awss3.LifecycleRule{{
		Expiration: awscdk.Duration_Days(jsii.Number(365)), NoncurrentVersionExpiration: awscdk.Duration_Days(jsii.Number(DefaultNoncurrentVersionDays)),
		AbortIncompleteMultipartUploadAfter: awscdk.Duration_Days(jsii.Number(DefaultIncompleteUploadDays)),
	}}
	logs := awss3.NewBucket(d, jsii.String("AccessLogs"), props)
	addNagSuppression(logs.Node().DefaultChild().(awscdk.CfnResource), "AwsSolutions-S1", "This is the server access log bucket; logging its own access would loop.")
	return logs
}

func (d *directAccess) wireBucket(b bucketSpec, logs awss3.IBucket) awss3.IBucket {
	if b.existing != nil {
		return b.existing
	}
	var cors *[]*awss3.CorsRule
	if len(d.spec.origins) > 0 {
		cors = &[]*awss3.CorsRule{{
			AllowedOrigins: jsii.Strings(d.spec.origins...),
			AllowedMethods: &[]awss3.HttpMethods{awss3.HttpMethods_GET, awss3.HttpMethods_PUT, awss3.HttpMethods_POST, awss3.HttpMethods_DELETE, awss3.HttpMethods_HEAD},
			AllowedHeaders: jsii.Strings("*"),
			ExposedHeaders: jsii.Strings(corsExposedHeaders...),
			MaxAge:         jsii.Number(3000),
		}}
	}
	bp := SecureBucketProps(d.spec.removal.policy)
	if d.key != nil {
		bp.Encryption, bp.EncryptionKey, bp.BucketKeyEnabled = awss3.BucketEncryption_KMS, d.key, jsii.Bool(true)
	}
	bp.Cors = cors
	bp.ServerAccessLogsBucket = logs
	bp.ServerAccessLogsPrefix = jsii.String(b.name + "/")
	bp.LifecycleRules = &[]*awss3.LifecycleRule{{
		Id:                                  jsii.String("AbortUploadsExpireOldVersions"),
		AbortIncompleteMultipartUploadAfter: awscdk.Duration_Days(jsii.Number(b.incompleteUploadDays)),
		NoncurrentVersionExpiration:         awscdk.Duration_Days(jsii.Number(b.noncurrentVersionDays)),
	}}
	return awss3.NewBucket(d, jsii.String(b.name), bp)
}

// wirePolicies renders a role's planned statements into customer managed policies.
func (d *directAccess) wirePolicies(r roleKind, packs [][]statement) {
	role := d.roles[r]
	for i, pack := range packs {
		id := "Policy"
		if i > 0 {
			id = fmt.Sprintf("Policy%d", i+1)
		}
		var stmts []awsiam.PolicyStatement
		var findings []string
		for _, s := range pack {
			stmts = append(stmts, d.render(s))
			findings = append(findings, nagFindings(s, d.createdLogicalID)...)
		}
		policy := awsiam.NewManagedPolicy(role, jsii.String(id), &awsiam.ManagedPolicyProps{
			Description: jsii.String(fmt.Sprintf("apiless direct access for the %s role, part %d of %d", r, i+1, len(packs))),
			Roles:       &[]awsiam.IRole{role},
			Statements:  &stmts,
		})
		suppressWildcards(policy, findings)
	}
}

// wireAudit records the data events of the construct's tables and buckets, when asked for.
func (d *directAccess) wireAudit(accessLogs awss3.IBucket) {
	if d.spec.auditDays == 0 {
		return
	}
	a := auditTarget{days: d.spec.auditDays, accessLogs: accessLogs}
	a.key = d.createdKey
	for _, t := range d.spec.tables {
		a.tableArns = append(a.tableArns, d.tables[t.name].TableArn())
	}
	for _, b := range d.spec.buckets {
		a.bucketArns = append(a.bucketArns, d.buckets[b.name].BucketArn())
	}
	wireAuditTrail(d, a)
}

// wireKey creates or brings in the customer managed key.
func (d *directAccess) wireKey() {
	k := d.spec.key
	switch {
	case k == nil:
	case k.existing != nil:
		d.key = k.existing
	default:
		d.createdKey = awskms.NewKey(d, jsii.String("DataKey"), &awskms.KeyProps{
			Description:       jsii.String("apiless: encrypts the tables and buckets of the DirectAccess construct"),
			EnableKeyRotation: jsii.Bool(true),
			RemovalPolicy:     d.spec.removal.policy,
		})
		d.key = d.createdKey
	}
}

// useCustomerKey puts the customer key on a new table's replica. TableV2's CustomerManagedKey
// cannot render in a region-agnostic stack (it needs each replica's region); the table has one
// replica, in the stack's region, so the key's ARN is set on it directly.
func (d *directAccess) useCustomerKey(t awsdynamodb.TableV2) {
	if d.key == nil {
		return
	}
	cfn := t.Node().DefaultChild().(awsdynamodb.CfnGlobalTable)
	cfn.AddPropertyOverride(jsii.String("Replicas.0.SSESpecification"), map[string]any{"KMSMasterKeyId": d.key.KeyArn()})
}

// fillPlaceholders puts deploy-time values (tokens) into a condition value.
func (d *directAccess) fillPlaceholders(v string) string {
	if !strings.Contains(v, "{") {
		return v
	}
	v = strings.ReplaceAll(v, regionPlaceholder, *awscdk.Stack_Of(d).Region())
	for name, b := range d.buckets {
		v = strings.ReplaceAll(v, bucketArnPlaceholder(name), *b.BucketArn())
	}
	for name, t := range d.tables {
		v = strings.ReplaceAll(v, tableNamePlaceholder(name), *t.TableName())
	}
	return v
}

// wireGuardPolicies attaches the block list and maintenance policies to every role.
func (d *directAccess) wireGuardPolicies() {
	var roles []awsiam.IRole
	for _, r := range d.spec.roles() {
		roles = append(roles, d.roles[r])
	}
	for _, g := range d.spec.guards {
		if g.attached {
			d.newGuardPolicy(g, &roles)
		} else if d.spec.budget != nil {
			wireBudget(d, d.spec.budget, d.newGuardPolicy(g, nil), roles)
		}
	}
}

func (d *directAccess) newGuardPolicy(g guardPolicy, roles *[]awsiam.IRole) awsiam.ManagedPolicy {
	var stmts []awsiam.PolicyStatement
	for _, s := range g.statements {
		stmts = append(stmts, d.render(s))
	}
	return awsiam.NewManagedPolicy(d, jsii.String(g.id), &awsiam.ManagedPolicyProps{
		Description: jsii.String(g.description),
		Roles:       roles,
		Statements:  &stmts,
	})
}

// createdLogicalID is the logical ID of a table or bucket the construct created.
func (d *directAccess) createdLogicalID(r resource) (string, bool) {
	var node constructs.Node
	if t, ok := d.spec.table(r.Name); r.Kind == tableResource && ok && !t.imported {
		node = d.tables[r.Name].Node()
	} else if b, ok := d.spec.bucket(r.Name); r.Kind == bucketResource && ok && !b.imported {
		node = d.buckets[r.Name].Node()
	} else {
		return "", false
	}
	cfn, ok := node.DefaultChild().(awscdk.CfnElement)
	if !ok {
		return "", false
	}
	return *awscdk.Stack_Of(d).GetLogicalId(cfn), true
}

func (d *directAccess) arn(r resource) string {
	if r.Kind == anyResource {
		return "*"
	}
	if r.Kind == keyResource {
		return *d.key.KeyArn()
	}
	if r.Kind == tableResource {
		return *d.tables[r.Name].TableArn() + r.Suffix
	}
	return *d.buckets[r.Name].BucketArn() + r.Suffix
}

func (d *directAccess) render(s statement) awsiam.PolicyStatement {
	var resources []string
	for _, r := range s.Resources {
		resources = append(resources, d.arn(r))
	}
	effect := awsiam.Effect_ALLOW
	if s.Effect == "Deny" {
		effect = awsiam.Effect_DENY
	}
	props := &awsiam.PolicyStatementProps{
		Sid:       jsii.String(s.Sid),
		Effect:    effect,
		Actions:   jsii.Strings(s.Actions...),
		Resources: jsii.Strings(resources...),
	}
	if len(s.Conditions) > 0 {
		c := map[string]interface{}{}
		for op, kv := range s.Conditions {
			m := map[string]interface{}{}
			for k, v := range kv {
				filled := make([]string, len(v))
				for i, x := range v {
					filled[i] = d.fillPlaceholders(x)
				}
				if len(filled) == 1 {
					m[k] = filled[0]
				} else {
					m[k] = filled
				}
			}
			c[op] = m
		}
		props.Conditions = &c
	}
	return awsiam.NewPolicyStatement(props)
}

func (d *directAccess) UserPool() awscognito.IUserPool             { return d.userPool }
func (d *directAccess) UserPoolClient() awscognito.IUserPoolClient { return d.userPoolClient }
func (d *directAccess) IdentityPool() awscognito.CfnIdentityPool   { return d.identityPool }
func (d *directAccess) IdentityPoolId() *string                    { return d.identityPool.Ref() }
func (d *directAccess) ProviderName() *string                      { return d.userPool.UserPoolProviderName() }
func (d *directAccess) AuthenticatedRole() awsiam.IRole            { return d.roles[roleAuthenticated] }
func (d *directAccess) Manifest() *manifest.Manifest               { return d.manifest }

func (d *directAccess) GuestRole() awsiam.IRole {
	if r, ok := d.roles[roleGuest]; ok {
		return r
	}
	return nil
}

func (d *directAccess) GroupRole(name string) awsiam.IRole {
	if r, ok := d.roles[groupRole(name)]; ok {
		return r
	}
	return nil
}

func (d *directAccess) Table() awsdynamodb.ITable {
	if len(d.spec.tables) == 0 {
		return nil
	}
	return d.tables[d.spec.tables[0].name]
}

func (d *directAccess) TableNamed(name string) awsdynamodb.ITable { return d.tables[name] }

func (d *directAccess) Bucket() awss3.IBucket {
	if len(d.spec.buckets) == 0 {
		return nil
	}
	return d.buckets[d.spec.buckets[0].name]
}

func (d *directAccess) BucketNamed(name string) awss3.IBucket { return d.buckets[name] }
