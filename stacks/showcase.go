package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/apiless/apiless/constructs/directaccess"
)

// ShowcaseBlockedIdentity is the (made-up) identity ID the showcase's block list denies.
const ShowcaseBlockedIdentity = "us-east-1:00000000-0000-4000-8000-00000000b10c"

// NewShowcaseStack uses every access-rule feature: two tables (one with indexes, one with an
// attribute limit), a tenant table, a bucket with public/protected/private paths, a nested
// admin-only folder, tenant folders, guests and two groups.
func NewShowcaseStack(scope constructs.Construct, id string, props *awscdk.StackProps) awscdk.Stack {
	stack := awscdk.NewStack(scope, jsii.String(id), props)
	read := []directaccess.TableOperation{directaccess.TableRead}
	readWrite := []directaccess.TableOperation{directaccess.TableRead, directaccess.TableWrite}
	all := []directaccess.StorageOperation{directaccess.StorageGet, directaccess.StorageList, directaccess.StorageWrite, directaccess.StorageDelete}
	getList := []directaccess.StorageOperation{directaccess.StorageGet, directaccess.StorageList}
	access := directaccess.NewDirectAccess(stack, jsii.String("Access"), &directaccess.DirectAccessProps{
		Guests: &directaccess.GuestAccess{Acknowledge: jsii.Bool(true)},
		Groups: []*directaccess.GroupRule{
			{Name: jsii.String("admins"), Precedence: jsii.Number(1)},
			{Name: jsii.String("editors"), Precedence: jsii.Number(2)},
		},
		Tenant: &directaccess.TenantIsolation{Claim: jsii.String("custom:tenant")},
		Tables: []*directaccess.TableRule{
			{
				Name: jsii.String("Notes"), PartitionKey: jsii.String("userId"), SortKey: jsii.String("noteId"),
				Indexes: []*directaccess.IndexRule{
					{Name: jsii.String("byUpdated"), SortKey: jsii.String("updatedAt")},
					{Name: jsii.String("byTitle"), PartitionKey: jsii.String("userId"), SortKey: jsii.String("title")},
				},
				Guest: &read,
			},
			{
				Name: jsii.String("Profiles"), PartitionKey: jsii.String("userId"),
				Authenticated: &readWrite,
				Attributes:    jsii.Strings("displayName", "avatarKey"),
			},
			{
				Name: jsii.String("TenantDocs"), PartitionKey: jsii.String("tenantId"), SortKey: jsii.String("docId"),
				PartitionValue: directaccess.PartitionByTenant,
				Authenticated:  &read,
				Groups:         map[string][]directaccess.TableOperation{"editors": {directaccess.TableWrite, directaccess.TableDelete}},
			},
		},
		Buckets: []*directaccess.BucketRule{{
			Name: jsii.String("Files"),
			Paths: append(directaccess.PublicProtectedPrivate(true),
				&directaccess.PathRule{Path: jsii.String("public/admin/*"), Groups: map[string][]directaccess.StorageOperation{"admins": all}},
				&directaccess.PathRule{Path: jsii.String("tenants/{tenant}/*"), Tenant: &all},
				&directaccess.PathRule{Path: jsii.String("reports/*"), Groups: map[string][]directaccess.StorageOperation{"admins": all, "editors": getList}},
			),
		}},
		CorsAllowedOrigins: jsii.Strings(DefaultCorsOrigin),
		// Guardrails (issue 12): every opt-in one is on here, so the golden template, cdk-nag
		// and the isolation proof cover them. Maintenance is an operational switch, tested in
		// the construct's tests, not a guardrail to leave on.
		PresignedGets:     &directaccess.PresignedGets{MaxAgeSeconds: jsii.Number(300)},
		BlockedIdentities: jsii.Strings(ShowcaseBlockedIdentity),
		Budget:            &directaccess.BudgetKillSwitch{MonthlyLimitUsd: jsii.Number(100), Emails: jsii.Strings("ops@example.com")},
		EncryptionKey:     &directaccess.CustomerKey{},
		AuditTrail:        &directaccess.AuditTrail{},
		SignInProtection:  &directaccess.SignInProtection{},
		EmailSender:       &directaccess.EmailSender{FromEmail: jsii.String("no-reply@example.com"), SesRegion: jsii.String("us-east-1")},
		TopTalkers:        &directaccess.TopTalkers{},
	})
	AddFrontendOutputs(stack, access)
	ExplainUserPoolChoices(access)
	return stack
}
