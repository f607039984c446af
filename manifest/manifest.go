// Package manifest defines the machine-readable description of a deployed apiless stack that
// frontends are configured from.
//
// A stack built on the DirectAccess construct publishes one CloudFormation output, named by
// OutputKey, whose value is this struct as JSON. CloudFormation fills in the IDs and names at
// deploy time, so `cdk deploy --outputs-file outputs.json` (or `aws cloudformation
// describe-stacks`) yields a complete, concrete manifest and `apiless config` can turn it into
// client configuration without anybody copying an ID by hand.
package manifest

// OutputKey is the CloudFormation output key that carries the manifest JSON.
const OutputKey = "ApilessManifest"

// MetadataKey is the key under which the DirectAccess construct also records its manifest in
// the CloudFormation Metadata of its AWS::Cognito::IdentityPool resource, as a JSON object. It is
// the construct's declared intent (who may do what on which table and path), bound to the
// identity pool it belongs to, so `apiless verify` can check every template the construct made,
// whether or not the app publishes the OutputKey output.
const MetadataKey = "ApilessManifest"

// Version is the manifest format version written by this release.
const Version = "1"

// IdentityToken is the placeholder for the caller's identity pool identity ID in storage path
// templates (the value of ${cognito-identity.amazonaws.com:sub} at request time).
const IdentityToken = "{identity}"

// TenantToken is the placeholder for the caller's tenant ID (the principal tag mapped from the
// tenant claim) in storage path templates, when tenant isolation is on.
const TenantToken = "{tenant}"

// Manifest describes everything a client needs to reach an apiless backend directly.
type Manifest struct {
	Version                          string          `json:"version"`
	Region                           string          `json:"region"`
	UserPoolID                       string          `json:"userPoolId"`
	UserPoolClientID                 string          `json:"userPoolClientId"`
	IdentityPoolID                   string          `json:"identityPoolId"`
	UserPoolProviderName             string          `json:"userPoolProviderName"`
	UnauthenticatedIdentitiesEnabled bool            `json:"unauthenticatedIdentitiesEnabled"`
	UsernameAttributes               []string        `json:"usernameAttributes,omitempty"`
	PasswordPolicy                   *PasswordPolicy `json:"passwordPolicy,omitempty"`
	// MfaConfiguration is "OFF", "OPTIONAL" or "ON"; empty when the user pool was brought in.
	MfaConfiguration string   `json:"mfaConfiguration,omitempty"`
	MfaMethods       []string `json:"mfaMethods,omitempty"`
	Groups           []Group  `json:"groups,omitempty"`
	// TenantClaim is the token claim that carries the tenant ID, when tenant isolation is on.
	TenantClaim string `json:"tenantClaim,omitempty"`
	// TenantTag is the principal tag the tenant claim is mapped to ({tenant} in paths and
	// tenant-keyed tables read ${aws:PrincipalTag/<TenantTag>}), when tenant isolation is on.
	TenantTag string   `json:"tenantTag,omitempty"`
	Tables    []Table  `json:"tables"`
	Buckets   []Bucket `json:"buckets"`
}

// PasswordPolicy mirrors the user pool's password rules so a sign-up form can check them early.
type PasswordPolicy struct {
	MinLength        int  `json:"minLength"`
	RequireLowercase bool `json:"requireLowercase"`
	RequireUppercase bool `json:"requireUppercase"`
	RequireNumbers   bool `json:"requireNumbers"`
	RequireSymbols   bool `json:"requireSymbols"`
}

// Group is a Cognito user pool group that maps to its own IAM role.
type Group struct {
	Name       string `json:"name"`
	Precedence int    `json:"precedence"`
}

// Table is a DynamoDB table the client may use directly.
type Table struct {
	// Name is the logical name from the construct's props (stable across deploys).
	Name string `json:"name"`
	// TableName is the physical table name.
	TableName string `json:"tableName"`
	// PartitionKey is the attribute that must hold the identity ID (or tenant ID).
	PartitionKey string `json:"partitionKey"`
	SortKey      string `json:"sortKey,omitempty"`
	// PartitionKeyValue says what the partition key must equal: "identity" or "tenant".
	PartitionKeyValue string   `json:"partitionKeyValue"`
	Indexes           []string `json:"indexes,omitempty"`
	// Access maps an audience ("authenticated", "guest", "group:<name>") to operations
	// ("read", "write", "delete").
	Access map[string][]string `json:"access"`
	// Attributes, when set, is the only attributes the client may read or write.
	Attributes []string `json:"attributes,omitempty"`
}

// Bucket is an S3 bucket the client may use directly, with its path rules.
type Bucket struct {
	Name       string `json:"name"`
	BucketName string `json:"bucketName"`
	// Paths maps a path template (e.g. "private/{identity}/*") to audience -> operations
	// ("get", "list", "write", "delete"). Audiences: "owner", "authenticated", "guest",
	// "group:<name>", "tenant".
	Paths map[string]map[string][]string `json:"paths"`
}
