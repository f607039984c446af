package directaccess

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
)

// TableOperation names a group of DynamoDB item actions a rule grants.
type TableOperation string

const (
	// TableRead grants GetItem, BatchGetItem, Query (table and identity-keyed indexes) and
	// ConditionCheckItem.
	TableRead TableOperation = "read"
	// TableWrite grants PutItem, UpdateItem and BatchWriteItem.
	TableWrite TableOperation = "write"
	// TableDelete grants DeleteItem (BatchWriteItem deletes come with TableWrite).
	TableDelete TableOperation = "delete"
)

// StorageOperation names a group of S3 actions a path rule grants, as in Amplify Gen 2.
type StorageOperation string

const (
	// StorageGet grants s3:GetObject on the path.
	StorageGet StorageOperation = "get"
	// StorageList grants s3:ListBucket limited by s3:prefix to the path.
	StorageList StorageOperation = "list"
	// StorageWrite grants s3:PutObject on the path.
	StorageWrite StorageOperation = "write"
	// StorageDelete grants s3:DeleteObject on the path.
	StorageDelete StorageOperation = "delete"
)

// PartitionValue says what a table's partition key must equal for a caller to touch an item.
type PartitionValue string

const (
	// PartitionByIdentity: the partition key holds the caller's identity pool identity ID.
	PartitionByIdentity PartitionValue = "identity"
	// PartitionByTenant: the partition key holds the caller's tenant ID (needs Tenant).
	PartitionByTenant PartitionValue = "tenant"
)

// DirectAccessProps configures DirectAccess. Every field is optional; the zero value gives a
// user pool, an identity pool, one table keyed by identity and one bucket with a folder per
// identity, all locked down.
type DirectAccessProps struct {
	// UserPool signs users in. When set, UserPoolClient must be set too.
	// Default: a new user pool (email sign-in, strong password policy, retained).
	UserPool awscognito.IUserPool
	// UserPoolClient is the app client the browser signs in with.
	// Default: a new client without secret, SRP and refresh-token flows only.
	UserPoolClient awscognito.IUserPoolClient
	// Mfa for the new user pool; ignored when UserPool is given.
	// Default: awscognito.Mfa_OPTIONAL with TOTP.
	Mfa awscognito.Mfa
	// Tables the clients may use directly. Default: one new table "Items" keyed by identity
	// (partition key DefaultPartitionKey), with read, write and delete for signed-in users.
	Tables []*TableRule
	// Buckets the clients may use directly. Default: one new bucket "Files" with the rule
	// "private/{identity}/*" granting get, list, write and delete to the owner.
	Buckets []*BucketRule
	// CorsAllowedOrigins are the web origins (scheme://host[:port]) allowed to call the buckets
	// from a browser. "*" is accepted with a warning. Default: no CORS rule, so browsers
	// cannot reach the buckets until origins are given.
	CorsAllowedOrigins *[]*string
	// AccessLogsBucket receives the S3 server access logs of the buckets the construct creates.
	// Default: a new, retained, encrypted bucket "AccessLogs" (created only when the construct
	// creates a bucket).
	AccessLogsBucket awss3.IBucket
	// RemovalPolicy for the user pool, tables and buckets the construct creates.
	// awscdk.RemovalPolicy_DESTROY deletes user data with the stack and produces a warning.
	// Default: awscdk.RemovalPolicy_RETAIN.
	RemovalPolicy awscdk.RemovalPolicy
	// Guests turns on unauthenticated identities with their own role.
	// Default: nil, guests cannot get credentials.
	Guests *GuestAccess
	// Groups are Cognito groups with roles of their own; members keep every per-identity grant.
	// Default: no groups.
	Groups []*GroupRule
	// Tenant isolates data by a tenant ID carried in a token claim (ABAC). Default: nil.
	Tenant *TenantIsolation
	// IdentityPoolName is the identity pool's name. Default: derived from the construct path.
	IdentityPoolName *string
	// PresignedGets lets signed-in users hand out presigned GET URLs (S3 query-string
	// authentication) for the objects they may read, valid at most MaxAgeSeconds after signing.
	// Presigned URLs carry the signer's rights to whoever holds the link.
	// Default: nil, every role is denied query-string and POST-form authentication on the
	// buckets (s3:authType), so no presigned URL or form signed with its credentials works.
	PresignedGets *PresignedGets
	// BlockedIdentities are identity pool identity IDs ("us-east-1:1a2b...") denied every
	// DynamoDB and S3 action by a managed policy attached to every role. The Deny reaches
	// credentials already issued (IAM evaluates policies per request).
	// Default: none, and no block-list policy.
	BlockedIdentities *[]*string
	// Maintenance denies data access to every role without deleting anything:
	// MaintenanceReadOnly denies writes and deletes, MaintenanceOff denies every DynamoDB and S3
	// action. Like the block list it reaches credentials already issued.
	// Default: "" (no maintenance policy).
	Maintenance MaintenanceMode
	// Budget is a monthly AWS Budget with a kill switch: when actual cost crosses the limit, AWS
	// Budgets attaches a deny-all-data managed policy to every role of the identity pool
	// (APPLY_IAM_POLICY), through an execution role that may attach only that policy to only
	// these roles. Strongly suggested. Default: nil, no budget.
	Budget *BudgetKillSwitch
	// EncryptionKey encrypts the tables and buckets the construct creates with a customer
	// managed KMS key: &CustomerKey{} creates one with yearly rotation, CustomerKey.Key brings
	// one (of the stack's region). The roles get only the KMS actions S3 and DynamoDB need, and
	// only through those services (kms:ViaService), so the browser cannot call KMS itself.
	// Default: nil, AWS managed keys (S3-managed for buckets, AWS managed KMS for tables).
	EncryptionKey *CustomerKey
	// AuditTrail records who touched which item and object: a CloudTrail trail of data events
	// for exactly the construct's tables and buckets, log file validation on, delivered to a
	// retained, encrypted, public-access-blocked, SSL-only bucket that expires logs after
	// LogRetentionDays. Default: nil, no trail (about $1 per million data events when on).
	AuditTrail *AuditTrail
	// SignInProtection guards the new user pool against credential stuffing and sign-up abuse:
	// Cognito threat protection (needs the Plus feature plan, billed per monthly active user)
	// and a WAF web ACL with a per-IP rate-based rule on the user pool. Default: nil (Essentials
	// plan, no web ACL).
	SignInProtection *SignInProtection
	// EmailSender sends the new pool's codes through Amazon SES from a verified address.
	// Default: nil, Cognito's built-in sender, whose small daily quota anyone can use up with
	// sign-up and resend calls (a warning says so).
	EmailSender *EmailSender
	// TopTalkers turns on CloudWatch Contributor Insights on the new tables (the top partition
	// keys are the top users) and an alarm per table on throttled requests.
	// Default: nil, neither.
	TopTalkers *TopTalkers
}

// SignInProtection configures threat protection and the user pool's web ACL.
type SignInProtection struct {
	// ThreatProtection puts the pool on the Plus plan with threat protection enforced
	// (adaptive authentication, compromised-credential checks). Default: true.
	ThreatProtection *bool
	// RequestsPerFiveMinutes is the WAF rate-based limit per client IP. Default: 300; WAF
	// accepts 10 to 2,000,000,000.
	RequestsPerFiveMinutes *float64
}

// EmailSender is the SES identity the pool sends from.
type EmailSender struct {
	// FromEmail is an SES-verified address. Required.
	FromEmail *string
	// FromName is the sender's display name. Default: none.
	FromName *string
	// ReplyTo is the reply address. Default: FromEmail.
	ReplyTo *string
	// SesRegion is the SES region. Default: the stack's region; required when the stack is
	// region-agnostic (no env), as CDK must know it.
	SesRegion *string
	// ConfigurationSetName is an SES configuration set. Default: none.
	ConfigurationSetName *string
}

// TopTalkers configures Contributor Insights and throttling alarms.
type TopTalkers struct {
	// AlarmTopicArn receives the throttling alarms. Default: none (alarms without actions).
	AlarmTopicArn *string
}

// AuditTrail configures the data-event trail.
type AuditTrail struct {
	// LogRetentionDays is how long log files are kept. Default: 365.
	LogRetentionDays *float64
}

// CustomerKey is a customer managed KMS key for the created tables and buckets.
type CustomerKey struct {
	// Key brings an existing key. Its key policy must let this account's IAM policies use it.
	// Default: a new key with rotation on, retained like the data.
	Key awskms.IKey
}

// BudgetKillSwitch configures the monthly budget and its action.
type BudgetKillSwitch struct {
	// MonthlyLimitUsd is the budget in US dollars per month (the account's whole cost). Required,
	// more than 0.
	MonthlyLimitUsd *float64
	// Emails are notified when actual cost crosses NotifyAtPercent and when the action runs.
	// At least one of Emails and Topic is required; at most 10 emails.
	Emails *[]*string
	// TopicArn is an SNS topic notified alongside the emails. Default: none.
	TopicArn *string
	// NotifyAtPercent of the limit sends a warning first. Default: 80.
	NotifyAtPercent *float64
	// ActAtPercent of the limit attaches the deny policy. Default: 100.
	ActAtPercent *float64
}

// MaintenanceMode switches data access off for every identity without deleting anything.
type MaintenanceMode string

const (
	// MaintenanceReadOnly denies every write and delete on the construct's tables and buckets.
	MaintenanceReadOnly MaintenanceMode = "read-only"
	// MaintenanceOff denies every DynamoDB and S3 action.
	MaintenanceOff MaintenanceMode = "off"
)

// PresignedGets allows presigned GET URLs up to an age.
type PresignedGets struct {
	// MaxAgeSeconds is how long after signing a presigned GET URL is accepted (s3:signatureAge).
	// Default: 300 (5 minutes); at most 604800 (7 days, SigV4's limit).
	MaxAgeSeconds *float64
}

// TableRule declares one DynamoDB table and who may do what with the items in it. Every grant
// is limited to items whose partition key equals the caller's identity ID (or tenant ID).
type TableRule struct {
	// Name is the rule's logical name: the construct ID of a new table and its name in the
	// frontend manifest. Required, PascalCase letters and digits.
	Name *string
	// Table brings an existing table (a TableV2 or a Table) instead of creating one; its key
	// schema must then be declared in PartitionKey, SortKey and Indexes. Default: a new TableV2.
	Table awsdynamodb.ITable
	// PartitionKey is the string attribute that holds the identity ID. Default: "userId".
	PartitionKey *string
	// SortKey is an optional string sort key, so one caller can hold many items. Default: none.
	SortKey *string
	// PartitionValue is what the partition key must equal. Default: PartitionByIdentity.
	PartitionValue PartitionValue
	// Indexes of the table that clients may Query. Only indexes partitioned by the same value
	// as the table (local indexes, or global indexes whose partition key is PartitionKey) are
	// accepted: a query on any other index could read other callers' items.
	// Default: none.
	Indexes []*IndexRule
	// Authenticated are the operations every signed-in user gets on their own items.
	// Default: read, write and delete.
	Authenticated *[]TableOperation
	// Guest are the operations guests get on their own items: read only. Default: none.
	Guest *[]TableOperation
	// Groups adds operations for members of the named groups, still on their own items only.
	// Default: none.
	Groups map[string][]TableOperation
	// Attributes limits the attributes clients may read and write to this list (the key
	// attributes are always added). Write operations then allow only UpdateItem, since PutItem
	// and BatchWriteItem replace whole items; delete is refused. Default: no limit.
	Attributes *[]*string
	// MaxReadRequestUnits caps a new table's on-demand reads per second (TableV2 maximum
	// throughput): requests beyond it are throttled instead of billed, so a runaway client
	// cannot run up the bill. Default: DefaultMaxReadRequestUnits (1,000).
	MaxReadRequestUnits *float64
	// MaxWriteRequestUnits caps a new table's on-demand writes per second.
	// Default: DefaultMaxWriteRequestUnits (200).
	MaxWriteRequestUnits *float64
	// UncappedThroughput removes both caps from a new table, with a warning: one user can then
	// run up the bill without limit. Default: false.
	UncappedThroughput *bool
}

// IndexRule declares a secondary index clients may query.
type IndexRule struct {
	// Name of the index. Required.
	Name *string
	// PartitionKey of a global index; leave nil for a local index (which shares the table's
	// partition key). A global index is accepted only when this equals the table's partition
	// key. Default: nil (local index).
	PartitionKey *string
	// SortKey of the index. Required for a local index, optional for a global one.
	SortKey *string
}

// BucketRule declares one S3 bucket and its path rules.
type BucketRule struct {
	// Name is the rule's logical name: the construct ID of a new bucket and its name in the
	// frontend manifest. Required, PascalCase letters and digits.
	Name *string
	// Bucket brings an existing bucket instead of creating one. Its CORS and encryption are
	// then the owner's business. Default: a new bucket.
	Bucket awss3.IBucket
	// Paths are the access rules. Default: "private/{identity}/*" for the owner (get, list, write,
	// delete).
	Paths []*PathRule
	// IncompleteUploadDays is after how many days a new bucket aborts unfinished multipart
	// uploads (their parts are billed until then). Default: DefaultIncompleteUploadDays (7).
	IncompleteUploadDays *float64
	// NoncurrentVersionDays is after how many days a new (versioned) bucket deletes overwritten
	// and deleted object versions. Default: DefaultNoncurrentVersionDays (30).
	NoncurrentVersionDays *float64
}

// PathRule grants operations on the objects under one path, as Amplify Gen 2 storage rules do.
// Path syntax: no leading "/", ends with "/*", no "//", "*" only at the end; "{identity}" (the
// caller's identity ID) or "{tenant}" at most once, as a whole segment just before the final
// "/*" and never first. A path nested under another rule's path is denied to every audience
// that this rule does not grant, even when the broader rule grants it.
type PathRule struct {
	// Path is the path template, e.g. "private/{identity}/*". Required.
	Path *string
	// Owner is what the identity named in the path may do. Only for paths with {identity}.
	Owner *[]StorageOperation
	// Authenticated is what every signed-in user may do. On a path with {identity} it is
	// limited to get and list (other users' folders are readable, never writable).
	Authenticated *[]StorageOperation
	// Guest is what unauthenticated identities may do: get and list only. Needs Guests.
	Guest *[]StorageOperation
	// Groups is what members of the named groups may do.
	Groups map[string][]StorageOperation
	// Tenant is what members of the tenant named in the path may do. Only for paths with
	// {tenant}.
	Tenant *[]StorageOperation
}

// GuestAccess turns on unauthenticated (guest) identities.
type GuestAccess struct {
	// Acknowledge must be true: guests are anyone on the internet, and their identity IDs
	// change when they sign in, so they can never own data. Required.
	Acknowledge *bool
}

// GroupRule declares a Cognito user pool group with a role of its own.
type GroupRule struct {
	// Name of the group. Required.
	Name *string
	// Precedence decides which group's role a member in several groups gets (lower wins).
	// Required, unique among the groups.
	Precedence *float64
	// Description of the group. Default: none.
	Description *string
}

// TenantIsolation isolates data by tenant using identity pool principal tags (ABAC).
type TenantIsolation struct {
	// Claim is the ID token claim holding the tenant ID, e.g. "custom:tenant". It must not be
	// writable by the app client, or users could move themselves into another tenant: the
	// construct's own client gets no write access to it. Required.
	Claim *string
	// TagKey is the principal tag the claim is mapped to. Default: "tenant".
	TagKey *string
}
