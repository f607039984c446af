package directaccess

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
)

// Stand-ins for brought-in CDK objects. Validation only looks at whether they are set, so a
// nil embedded interface is enough and no jsii call is ever made.
type (
	fakeUserPool       struct{ awscognito.IUserPool }
	fakeUserPoolClient struct{ awscognito.IUserPoolClient }
	fakeTable          struct {
		awsdynamodb.ITable
		name, account, region string
	}
	fakeBucket struct {
		awss3.IBucket
		name string
	}
)

// The calls checkSameResources makes on brought-in objects; a fake without a name names
// nothing, so it never equals another.
func (f fakeTable) TableName() *string    { return &f.name }
func (f fakeTable) Stack() awscdk.Stack   { return nil }
func (f fakeTable) Node() constructs.Node { return nil }
func (f fakeTable) TableArn() *string {
	arn := "arn:aws:dynamodb:" + f.region + ":" + f.account + ":table/" + f.name
	return &arn
}
func (f fakeTable) Env() *awscdk.ResourceEnvironment {
	return &awscdk.ResourceEnvironment{Account: &f.account, Region: &f.region}
}
func (f fakeBucket) BucketName() *string   { return &f.name }
func (f fakeBucket) Stack() awscdk.Stack   { return nil }
func (f fakeBucket) Node() constructs.Node { return nil }

// One object passed to two rules (pointers: each &fake{} is a distinct object).
var (
	sharedBucket = &fakeBucket{}
	sharedTable  = &fakeTable{}
)

func tops(ops ...TableOperation) *[]TableOperation     { return &ops }
func sops(ops ...StorageOperation) *[]StorageOperation { return &ops }
func strs(values ...string) *[]*string {
	p := make([]*string, len(values))
	for i := range values {
		p[i] = &values[i]
	}
	return &p
}
func group(name string, precedence float64) *GroupRule {
	return &GroupRule{Name: ptr(name), Precedence: ptr(precedence)}
}
func table(name, pk string) *TableRule { return &TableRule{Name: ptr(name), PartitionKey: ptr(pk)} }
func bucket(name string, paths ...*PathRule) *BucketRule {
	return &BucketRule{Name: ptr(name), Paths: paths}
}
func guests() *GuestAccess { return &GuestAccess{Acknowledge: ptr(true)} }
func tenant(tag string) *TenantIsolation {
	return &TenantIsolation{Claim: ptr("custom:tenant"), TagKey: ptr(tag)}
}

var (
	allS  = []StorageOperation{StorageGet, StorageList, StorageWrite, StorageDelete}
	readS = []StorageOperation{StorageGet, StorageList}
)

func TestSpecDefaults(t *testing.T) {
	for _, tt := range []struct {
		name  string
		props *DirectAccessProps
	}{{"nil props", nil}, {"zero props", &DirectAccessProps{}}} {
		t.Run(tt.name, func(t *testing.T) {
			s, problems := newSpec(tt.props)
			if len(problems) > 0 {
				t.Fatalf("newSpec problems = %q, want none", problems)
			}
			wantTables := []tableSpec{{
				name: "Items", field: "Tables[0]", partitionKey: "userId", partitionValue: PartitionByIdentity,
				grants:  map[audience][]TableOperation{audienceAuthenticated: {TableRead, TableWrite, TableDelete}},
				maxRead: DefaultMaxReadRequestUnits, maxWrite: DefaultMaxWriteRequestUnits,
			}}
			if !reflect.DeepEqual(s.tables, wantTables) {
				t.Errorf("tables = %+v, want %+v", s.tables, wantTables)
			}
			if len(s.buckets) != 1 || s.buckets[0].name != "Files" || s.buckets[0].imported {
				t.Fatalf("buckets = %+v, want one created bucket %q", s.buckets, "Files")
			}
			if b := s.buckets[0]; b.incompleteUploadDays != 7 || b.noncurrentVersionDays != 30 {
				t.Errorf("lifecycle = %d, %d days; want 7 and 30", b.incompleteUploadDays, b.noncurrentVersionDays)
			}
			if s.presignedMaxAge != 0 || s.blocked != nil || s.maintenance != "" {
				t.Errorf("presigned %d, blocked %v, maintenance %q; want all off", s.presignedMaxAge, s.blocked, s.maintenance)
			}
			paths := s.buckets[0].paths
			wantGrants := map[audience][]StorageOperation{audienceOwner: allS}
			if len(paths) != 1 || paths[0].raw != DefaultObjectPath || !reflect.DeepEqual(paths[0].grants, wantGrants) {
				t.Errorf("paths = %+v, want one rule %q with grants %v", paths, DefaultObjectPath, wantGrants)
			}
			if s.guests || len(s.groups) > 0 || s.tenantTag != "" || len(s.origins) > 0 {
				t.Errorf("guests %v, groups %v, tenantTag %q, origins %v; want all off", s.guests, s.groups, s.tenantTag, s.origins)
			}
			if err := ValidateProps(tt.props); err != nil {
				t.Errorf("ValidateProps = %v, want nil", err)
			}
		})
	}
	if DefaultObjectPath != "private/{identity}/*" {
		t.Errorf("DefaultObjectPath = %q, want %q", DefaultObjectPath, "private/{identity}/*")
	}
}

// TestValidatePropsAccepts lists legal configurations that must synthesize.
func TestValidatePropsAccepts(t *testing.T) {
	tests := []struct {
		name  string
		props *DirectAccessProps
	}{
		{"brought-in pool and client", &DirectAccessProps{UserPool: fakeUserPool{}, UserPoolClient: fakeUserPoolClient{}}},
		{"deploy-time https origin", &DirectAccessProps{CorsAllowedOrigins: strs("https://${Token[TOKEN.123]}", "http://localhost:5173")}},
		{"brought-in table and bucket", &DirectAccessProps{
			Tables:  []*TableRule{{Name: ptr("Legacy"), Table: fakeTable{}, PartitionKey: ptr("pk"), Indexes: []*IndexRule{{Name: ptr("byDate"), SortKey: ptr("date")}}}},
			Buckets: []*BucketRule{{Name: ptr("Assets"), Bucket: fakeBucket{}}},
		}},
		{"presets with guests", &DirectAccessProps{Guests: guests(), Buckets: []*BucketRule{bucket("Files", PublicProtectedPrivate(true)...)}}},
		{"presets without guests", &DirectAccessProps{Buckets: []*BucketRule{bucket("Files", PublicProtectedPrivate(false)...)}}},
		{"indexes keyed by identity", &DirectAccessProps{Tables: []*TableRule{{
			Name: ptr("Notes"), SortKey: ptr("noteId"),
			Indexes: []*IndexRule{
				{Name: ptr("byUpdated"), SortKey: ptr("updatedAt")},
				{Name: ptr("byTitle"), PartitionKey: ptr("userId"), SortKey: ptr("title")},
				{Name: ptr("byOwner"), PartitionKey: ptr("userId")},
			},
		}}}},
		{"attributes with read and write", &DirectAccessProps{Tables: []*TableRule{{
			Name: ptr("Profiles"), Authenticated: tops(TableRead, TableWrite), Attributes: strs("displayName"),
		}}}},
		{"attributes default ops", &DirectAccessProps{Tables: []*TableRule{{Name: ptr("Profiles"), Attributes: strs("displayName")}}}},
		{"guest read on table and shared path", &DirectAccessProps{
			Guests:  guests(),
			Tables:  []*TableRule{{Name: ptr("Items"), Guest: tops(TableRead)}},
			Buckets: []*BucketRule{bucket("Files", &PathRule{Path: ptr("public/*"), Guest: sops(StorageGet, StorageList)})},
		}},
		{"nested shared path", &DirectAccessProps{
			Groups: []*GroupRule{group("admins", 1)},
			Buckets: []*BucketRule{bucket("Files",
				&PathRule{Path: ptr("public/*"), Authenticated: &allS},
				&PathRule{Path: ptr("public/admin/*"), Groups: map[string][]StorageOperation{"admins": allS}},
				&PathRule{Path: ptr("public/team/*"), Authenticated: sops(StorageGet)},
				&PathRule{Path: ptr("private/{identity}/*"), Owner: &allS},
			)},
		}},
		{"tenants", &DirectAccessProps{
			Tenant:  &TenantIsolation{Claim: ptr("custom:tenant")},
			Tables:  []*TableRule{{Name: ptr("Docs"), PartitionKey: ptr("tenantId"), PartitionValue: PartitionByTenant}},
			Buckets: []*BucketRule{bucket("Files", &PathRule{Path: ptr("tenants/{tenant}/*"), Tenant: &allS})},
		}},
		{"groups", &DirectAccessProps{
			Groups:  []*GroupRule{group("admins", 0), group("editors", 2)},
			Tables:  []*TableRule{{Name: ptr("Items"), Groups: map[string][]TableOperation{"admins": {TableRead}}}},
			Buckets: []*BucketRule{bucket("Files", &PathRule{Path: ptr("reports/*"), Groups: map[string][]StorageOperation{"editors": readS}})},
		}},
		{"cors origins", &DirectAccessProps{CorsAllowedOrigins: strs("https://app.example.com", "http://localhost:5173", "https://app.example.com/", "*")}},
		{"no tables", &DirectAccessProps{Tables: []*TableRule{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := ValidateProps(tt.props); err != nil {
				t.Errorf("ValidateProps = %v, want nil", err)
			}
		})
	}
}

// TestValidatePropsRefuses: every refusal of issues 2 and 3. Each case lists, per expected
// problem, substrings naming the prop path, the value and what is expected; the case fails if
// a problem is missing or an unexpected one appears.
func TestValidatePropsRefuses(t *testing.T) {
	tests := []struct {
		name  string
		props *DirectAccessProps
		want  [][]string
	}{
		{"deploy-time origin over http", &DirectAccessProps{CorsAllowedOrigins: strs("http://${Token[TOKEN.123]}")},
			[][]string{{`CorsAllowedOrigins[0]: "http://${Token[TOKEN.123]}" is not a web origin`}}},
		{"deploy-time value with a path", &DirectAccessProps{CorsAllowedOrigins: strs("https://${Token[TOKEN.123]}/app")},
			[][]string{{`CorsAllowedOrigins[0]: "https://${Token[TOKEN.123]}/app" is not a web origin`}}},
		// User pool.
		{"unknown MFA setting", &DirectAccessProps{Mfa: "MAYBE"},
			[][]string{{`Mfa: "MAYBE" is unknown`, "expected awscognito.Mfa_OFF, Mfa_OPTIONAL or Mfa_REQUIRED"}}},
		{"snapshot removal policy", &DirectAccessProps{RemovalPolicy: awscdk.RemovalPolicy_SNAPSHOT},
			[][]string{{`RemovalPolicy: "SNAPSHOT" is not supported by user pools and buckets`, "expected RETAIN (default), RETAIN_ON_UPDATE_OR_DELETE or DESTROY"}}},
		{"guest on a tenant table", &DirectAccessProps{
			Guests: &GuestAccess{Acknowledge: ptr(true)},
			Tenant: &TenantIsolation{Claim: ptr("custom:tenant")},
			Tables: []*TableRule{{Name: ptr("Docs"), PartitionValue: PartitionByTenant, Guest: &[]TableOperation{TableRead}}},
		}, [][]string{{`Tables[0].Guest: grants [read] on a table partitioned by tenant; guests belong to no tenant`}}},
		// Tables.
		{"empty partition key", &DirectAccessProps{Tables: []*TableRule{table("Items", "")}},
			[][]string{{`Tables[0].PartitionKey: ""`, "is not a DynamoDB attribute name", "expected 1-255 letters, digits or _.-"}}},
		{"invalid partition key", &DirectAccessProps{Tables: []*TableRule{table("Items", "user id")}},
			[][]string{{`Tables[0].PartitionKey: "user id"`, "is not a DynamoDB attribute name"}}},
		{"sort key equals partition key", &DirectAccessProps{Tables: []*TableRule{{Name: ptr("Items"), SortKey: ptr("userId")}}},
			[][]string{{`Tables[0].SortKey: "userId"`, "expected an attribute name other than the partition key"}}},
		{"table name not PascalCase", &DirectAccessProps{Tables: []*TableRule{table("my-items", "userId")}},
			[][]string{{`Tables[0].Name: "my-items"`, "expected a PascalCase name"}}},
		{"table name missing", &DirectAccessProps{Tables: []*TableRule{{}}},
			[][]string{{`Tables[0].Name: ""`, "expected a PascalCase name"}}},
		{"duplicate table names", &DirectAccessProps{Tables: []*TableRule{table("Notes", "userId"), table("Items", "userId"), table("Notes", "owner")}},
			[][]string{{`Tables[2].Name: "Notes" is declared twice`, "expected unique table names"}}},
		{"nil table rule", &DirectAccessProps{Tables: []*TableRule{nil}},
			[][]string{{"Tables[0]: is nil; expected a TableRule"}}},
		{"unknown partition value", &DirectAccessProps{Tables: []*TableRule{{Name: ptr("Items"), PartitionValue: "user"}}},
			[][]string{{`Tables[0].PartitionValue: "user" is unknown`, `expected "identity" or "tenant"`}}},
		{"partition value tenant without Tenant", &DirectAccessProps{Tables: []*TableRule{{Name: ptr("Docs"), PartitionValue: PartitionByTenant}}},
			[][]string{{`Tables[0].PartitionValue: "tenant" but Tenant is nil`, "expected Tenant to map a tenant claim to a principal tag"}}},
		{"global index keyed by another attribute", &DirectAccessProps{Tables: []*TableRule{{
			Name: ptr("Notes"), Indexes: []*IndexRule{{Name: ptr("byCategory"), PartitionKey: ptr("category"), SortKey: ptr("date")}},
		}}}, [][]string{{`Tables[0].Indexes[0].PartitionKey: "category" is not the table's partition key "userId"`,
			"could read other callers' items", `Expected an index partitioned by "userId"`}}},
		{"second global index with empty partition key", &DirectAccessProps{Tables: []*TableRule{{
			Name: ptr("Notes"), PartitionKey: ptr("owner"), SortKey: ptr("id"),
			Indexes: []*IndexRule{{Name: ptr("byDate"), SortKey: ptr("date")}, {Name: ptr("byNothing"), PartitionKey: ptr("")}},
		}}}, [][]string{{`Tables[0].Indexes[1].PartitionKey: "" is not the table's partition key "owner"`}}},
		{"local index without sort key", &DirectAccessProps{Tables: []*TableRule{{
			Name: ptr("Notes"), SortKey: ptr("noteId"), Indexes: []*IndexRule{{Name: ptr("byDate")}},
		}}}, [][]string{{"Tables[0].Indexes[0].SortKey: is empty for a local index", "expected the index's sort key"}}},
		{"local index on table without sort key", &DirectAccessProps{Tables: []*TableRule{{
			Name: ptr("Notes"), Indexes: []*IndexRule{{Name: ptr("byDate"), SortKey: ptr("date")}},
		}}}, [][]string{{"Tables[0].Indexes[0]: a local index needs the table to have a sort key", "set Tables[0].SortKey"}}},
		{"duplicate index names", &DirectAccessProps{Tables: []*TableRule{{
			Name: ptr("Notes"), SortKey: ptr("id"),
			Indexes: []*IndexRule{{Name: ptr("byDate"), SortKey: ptr("date")}, {Name: ptr("byDate"), SortKey: ptr("other")}},
		}}}, [][]string{{`Tables[0].Indexes[1].Name: "byDate"`, "expected a unique index name"}}},
		{"guest write and delete on items", &DirectAccessProps{Guests: guests(), Tables: []*TableRule{{
			Name: ptr("Items"), Guest: tops(TableRead, TableWrite, TableDelete),
		}}}, [][]string{
			{`Tables[0].Guest: "write" on per-identity items`, "guests may only read"},
			{`Tables[0].Guest: "delete" on per-identity items`, "guests may only read"},
		}},
		{"guest grant on table while Guests is nil", &DirectAccessProps{Tables: []*TableRule{{Name: ptr("Items"), Guest: tops(TableRead)}}},
			[][]string{{"Tables[0].Guest: grants [read] but Guests is nil", "expected Guests to be enabled first"}}},
		{"attributes with delete", &DirectAccessProps{Tables: []*TableRule{{
			Name: ptr("Profiles"), Authenticated: tops(TableRead, TableWrite, TableDelete), Attributes: strs("displayName"),
		}}}, [][]string{{`Tables[0].Attributes: set together with "delete" for authenticated`, "DeleteItem removes whole items", "Expected no delete with Attributes"}}},
		{"attributes with delete for a group", &DirectAccessProps{
			Groups: []*GroupRule{group("admins", 1)},
			Tables: []*TableRule{{
				Name: ptr("Profiles"), Attributes: strs("displayName"),
				Groups: map[string][]TableOperation{"admins": {TableRead, TableDelete}},
			}},
		}, [][]string{{`Tables[0].Attributes: set together with "delete" for group:admins`}}},
		{"attributes with delete for several audiences", &DirectAccessProps{
			Groups: []*GroupRule{group("admins", 1), group("editors", 2)},
			Tables: []*TableRule{{
				Name: ptr("Profiles"), Attributes: strs("displayName"), Authenticated: tops(TableDelete),
				Groups: map[string][]TableOperation{"admins": {TableDelete}, "editors": {TableDelete}},
			}},
		}, [][]string{
			{`Tables[0].Attributes: set together with "delete" for authenticated`},
			{`Tables[0].Attributes: set together with "delete" for group:admins`},
			{`Tables[0].Attributes: set together with "delete" for group:editors`},
		}},
		{"empty attributes", &DirectAccessProps{Tables: []*TableRule{{Name: ptr("Profiles"), Attributes: strs()}}},
			[][]string{{"Tables[0].Attributes: is empty", "or nil for no limit"}}},
		{"invalid attribute", &DirectAccessProps{Tables: []*TableRule{{Name: ptr("Profiles"), Attributes: strs("display name")}}},
			[][]string{{`Tables[0].Attributes: "display name" is not a DynamoDB attribute name`}}},
		{"unknown table operation", &DirectAccessProps{Tables: []*TableRule{{Name: ptr("Items"), Authenticated: tops(TableRead, "scan")}}},
			[][]string{{`Tables[0].Authenticated: unknown operation "scan"`, `expected one of "read", "write", "delete"`}}},
		{"unknown table operation for a group", &DirectAccessProps{
			Groups: []*GroupRule{group("admins", 1)},
			Tables: []*TableRule{{Name: ptr("Items"), Groups: map[string][]TableOperation{"admins": {TableRead, "partiql"}}}},
		}, [][]string{{`Tables[0].Groups["admins"]: unknown operation "partiql"`}}},

		// Buckets and paths.
		{"duplicate bucket names", &DirectAccessProps{Buckets: []*BucketRule{{Name: ptr("Files")}, {Name: ptr("Files")}}},
			[][]string{{`Buckets[1].Name: "Files" is declared twice`, "expected unique bucket names"}}},
		{"bucket name not PascalCase", &DirectAccessProps{Buckets: []*BucketRule{{Name: ptr("files")}}},
			[][]string{{`Buckets[0].Name: "files"`, "expected a PascalCase name"}}},
		{"empty path list", &DirectAccessProps{Buckets: []*BucketRule{{Name: ptr("Files"), Paths: []*PathRule{}}}},
			[][]string{{"Buckets[0].Paths: is empty", `or nil for the default "private/{identity}/*"`}}},
		{"invalid path", &DirectAccessProps{Buckets: []*BucketRule{bucket("Files", &PathRule{Path: ptr("/private/{identity}"), Owner: &allS})}},
			[][]string{
				{`Buckets[0].Paths[0].Path: path "/private/{identity}": starts with "/"`},
				{`Buckets[0].Paths[0].Path: path "/private/{identity}": does not end with "/*"`},
			}},
		{"duplicate paths", &DirectAccessProps{Buckets: []*BucketRule{bucket("Files",
			&PathRule{Path: ptr("public/*"), Authenticated: &readS},
			&PathRule{Path: ptr("private/{identity}/*"), Owner: &allS},
			&PathRule{Path: ptr("public/*"), Authenticated: &allS},
		)}}, [][]string{{`Buckets[0].Paths[2].Path: "public/*" is declared twice in bucket "Files"`, "expected one rule per path"}}},
		{"same path in two buckets is fine, twice in one is not", &DirectAccessProps{Buckets: []*BucketRule{
			bucket("Files", &PathRule{Path: ptr("public/*"), Authenticated: &readS}),
			bucket("Media", &PathRule{Path: ptr("public/*"), Authenticated: &readS}, &PathRule{Path: ptr("public/*"), Authenticated: &readS}),
		}}, [][]string{{`Buckets[1].Paths[1].Path: "public/*" is declared twice in bucket "Media"`}}},
		{"owner path nested under a shared path", &DirectAccessProps{Buckets: []*BucketRule{bucket("Files",
			&PathRule{Path: ptr("public/*"), Authenticated: &readS},
			&PathRule{Path: ptr("public/{identity}/*"), Owner: &allS},
		)}}, [][]string{{`Buckets[0].Paths: "public/{identity}/*" is a per-identity folder under "public/*"`, "a broader rule would cover every identity's folder"}}},
		{"owner path nested under a shared path declared after it", &DirectAccessProps{Buckets: []*BucketRule{bucket("Files",
			&PathRule{Path: ptr("users/{identity}/*"), Owner: &allS},
			&PathRule{Path: ptr("users/*"), Groups: map[string][]StorageOperation{"admins": readS}},
		)}, Groups: []*GroupRule{group("admins", 1)}},
			[][]string{{`Buckets[0].Paths: "users/{identity}/*" is a per-identity folder under "users/*"`}}},
		{"tenant path nested under a shared path", &DirectAccessProps{Tenant: tenant("tenant"), Buckets: []*BucketRule{bucket("Files",
			&PathRule{Path: ptr("orgs/*"), Authenticated: &readS},
			&PathRule{Path: ptr("orgs/{tenant}/*"), Tenant: &allS},
		)}}, [][]string{{`Buckets[0].Paths: "orgs/{tenant}/*" is a per-tenant folder under "orgs/*"`}}},
		{"two levels of nesting", &DirectAccessProps{Buckets: []*BucketRule{bucket("Files",
			&PathRule{Path: ptr("public/*"), Authenticated: &allS},
			&PathRule{Path: ptr("public/a/*"), Authenticated: &readS},
			&PathRule{Path: ptr("public/a/b/*"), Authenticated: sops(StorageGet)},
		)}}, [][]string{{`Buckets[0].Paths: "public/a/b/*" is nested under 2 rules (public/*, public/a/*)`, "expected at most one enclosing rule"}}},
		{"guest write on owner path", &DirectAccessProps{Guests: guests(), Buckets: []*BucketRule{bucket("Files",
			&PathRule{Path: ptr("private/{identity}/*"), Owner: &allS, Guest: sops(StorageGet, StorageWrite, StorageDelete)},
		)}}, [][]string{
			{`Buckets[0].Paths[0].Guest: "write" on "private/{identity}/*"`, "guests may never write to a per-identity folder"},
			{`Buckets[0].Paths[0].Guest: "delete" on "private/{identity}/*"`},
		}},
		{"guest write on shared path", &DirectAccessProps{Guests: guests(), Buckets: []*BucketRule{bucket("Files",
			&PathRule{Path: ptr("public/*"), Guest: sops(StorageWrite)},
		)}}, [][]string{{`Buckets[0].Paths[0].Guest: "write" on "public/*"`, "may only get and list"}}},
		{"others write on owner path", &DirectAccessProps{Buckets: []*BucketRule{bucket("Files",
			&PathRule{Path: ptr("protected/{identity}/*"), Owner: &allS, Authenticated: sops(StorageGet, StorageWrite)},
		)}}, [][]string{{`Buckets[0].Paths[0].Authenticated: "write" on "protected/{identity}/*"`, "never change it"}}},
		{"guest grant on path while Guests is nil", &DirectAccessProps{Buckets: []*BucketRule{bucket("Files",
			&PathRule{Path: ptr("public/*"), Authenticated: &allS, Guest: sops(StorageGet)},
		)}}, [][]string{{`Buckets[0].Paths[0].Guest: grants on "public/*" but Guests is nil`, "expected Guests to be enabled first"}}},
		{"guests not acknowledged", &DirectAccessProps{Guests: &GuestAccess{}},
			[][]string{{"Guests.Acknowledge: is false; expected true"}}},
		{"owner on shared path", &DirectAccessProps{Buckets: []*BucketRule{bucket("Files",
			&PathRule{Path: ptr("public/*"), Owner: &allS},
		)}}, [][]string{{`Buckets[0].Paths[0].Owner: set on "public/*", which has no {identity} folder`}}},
		{"tenant grant on owner path", &DirectAccessProps{Tenant: tenant("tenant"), Buckets: []*BucketRule{bucket("Files",
			&PathRule{Path: ptr("private/{identity}/*"), Owner: &allS, Tenant: &allS},
		)}}, [][]string{{`Buckets[0].Paths[0].Tenant: set on "private/{identity}/*", which has no {tenant} folder`}}},
		{"path grants nothing", &DirectAccessProps{Buckets: []*BucketRule{bucket("Files", &PathRule{Path: ptr("public/*")})}},
			[][]string{{`Buckets[0].Paths[0]: "public/*" grants nothing to anyone`}}},
		{"path grants empty operation lists", &DirectAccessProps{Buckets: []*BucketRule{bucket("Files",
			&PathRule{Path: ptr("private/{identity}/*"), Owner: sops()},
		)}}, [][]string{{`Buckets[0].Paths[0]: "private/{identity}/*" grants nothing to anyone`}}},
		{"unknown storage operation", &DirectAccessProps{Buckets: []*BucketRule{bucket("Files",
			&PathRule{Path: ptr("public/*"), Authenticated: sops("read")},
		)}}, [][]string{{`Buckets[0].Paths[0].Authenticated: unknown operation "read"`, `expected one of "get", "list", "write", "delete"`}}},
		{"unknown storage operation for owner", &DirectAccessProps{Buckets: []*BucketRule{bucket("Files",
			&PathRule{Path: ptr("private/{identity}/*"), Owner: sops(StorageGet, "put")},
		)}}, [][]string{{`Buckets[0].Paths[0].Owner: unknown operation "put"`}}},

		// Tenants.
		{"tenant token without Tenant", &DirectAccessProps{Buckets: []*BucketRule{bucket("Files",
			&PathRule{Path: ptr("tenants/{tenant}/*"), Tenant: &allS},
		)}}, [][]string{{`Buckets[0].Paths[0].Path: "tenants/{tenant}/*" uses {tenant} but Tenant is nil`, "expected Tenant to map a tenant claim"}}},
		{"authenticated on tenant path", &DirectAccessProps{Tenant: tenant("tenant"), Buckets: []*BucketRule{bucket("Files",
			&PathRule{Path: ptr("tenants/{tenant}/*"), Tenant: &allS, Authenticated: sops(StorageGet)},
		)}}, [][]string{{`Buckets[0].Paths[0]: Authenticated or Guest on tenant path "tenants/{tenant}/*" would reach every tenant's folder`}}},
		{"guest on tenant path", &DirectAccessProps{Guests: guests(), Tenant: tenant("tenant"), Buckets: []*BucketRule{bucket("Files",
			&PathRule{Path: ptr("tenants/{tenant}/*"), Tenant: &allS, Guest: sops(StorageGet)},
		)}}, [][]string{{`Buckets[0].Paths[0]: Authenticated or Guest on tenant path`}}},
		{"bad tenant claim and tag", &DirectAccessProps{Tenant: &TenantIsolation{Claim: ptr("custom tenant"), TagKey: ptr("a b")}},
			[][]string{
				{`Tenant.Claim: "custom tenant" is not a token claim name`, `expected e.g. "custom:tenant"`},
				{`Tenant.TagKey: "a b" is not a principal tag key`},
			}},
		{"missing tenant claim", &DirectAccessProps{Tenant: &TenantIsolation{}},
			[][]string{{`Tenant.Claim: "" is not a token claim name`}}},
		{"tenant claim users can write", &DirectAccessProps{Tenant: &TenantIsolation{Claim: ptr("name")}},
			[][]string{{`Tenant.Claim: "name" can be written by users through the app client, so anyone could pick their tenant`, `expected a custom attribute such as "custom:tenant"`}}},
		{"tenant claim of a brought-in pool is its owner's business", &DirectAccessProps{
			UserPool: fakeUserPool{}, UserPoolClient: fakeUserPoolClient{}, Tenant: &TenantIsolation{Claim: ptr("name")},
			Tables: []*TableRule{{Name: ptr("Items")}}, Buckets: []*BucketRule{}, Mfa: "bogus",
		}, [][]string{
			{`Mfa: "bogus" is unknown`},
			{`Mfa: "bogus" is set with a brought-in UserPool`},
		}},
		{"one bucket under two rules", &DirectAccessProps{Buckets: []*BucketRule{
			{Name: ptr("Files"), Bucket: sharedBucket, Paths: []*PathRule{{Path: ptr("public/*"), Authenticated: sops(StorageDelete)}}},
			{Name: ptr("Uploads"), Bucket: sharedBucket, Paths: []*PathRule{{Path: ptr("uploads/{identity}/*"), Owner: sops(StorageDelete)}}},
		}}, [][]string{{`Buckets[1].Bucket: is the same bucket as Buckets[0].Bucket`, "Expected all its paths in one BucketRule"}}},
		{"one table under two rules", &DirectAccessProps{Tenant: &TenantIsolation{Claim: ptr("custom:tenant")}, Tables: []*TableRule{
			{Name: ptr("ByUser"), Table: sharedTable},
			{Name: ptr("ByTenant"), Table: sharedTable, PartitionValue: PartitionByTenant},
		}}, [][]string{{`Tables[1].Table: is the same table as Tables[0].Table`, "an identity ID and a tenant ID can be equal"}}},
		{"access logs into a data bucket", &DirectAccessProps{AccessLogsBucket: sharedBucket, Buckets: []*BucketRule{
			{Name: ptr("Files"), Bucket: sharedBucket},
		}}, [][]string{{`Buckets[0].Bucket: is the same bucket as AccessLogsBucket`}}},
		{"rule beside tenant folders", &DirectAccessProps{Tenant: &TenantIsolation{Claim: ptr("custom:tenant")}, Buckets: []*BucketRule{bucket("Files",
			&PathRule{Path: ptr("orgs/{tenant}/*"), Tenant: sops(StorageGet)},
			&PathRule{Path: ptr("orgs/common/*"), Authenticated: sops(StorageGet)},
		)}}, [][]string{{`"orgs/common/*" is beside the per-tenant folders of "orgs/{tenant}/*"`, `Expected other rules outside "orgs/"`}}},

		// Groups.
		{"group with no grants", &DirectAccessProps{Groups: []*GroupRule{group("admins", 1)}},
			[][]string{{`Groups: group "admins" is granted nothing by any table or path rule`, "Expected a grant in a TableRule.Groups or PathRule.Groups, or remove the group"}}},
		{"group with only empty operation lists", &DirectAccessProps{
			Groups:  []*GroupRule{group("admins", 1)},
			Tables:  []*TableRule{{Name: ptr("Items"), Groups: map[string][]TableOperation{"admins": {}}}},
			Buckets: []*BucketRule{bucket("Files", &PathRule{Path: ptr("public/*"), Authenticated: &readS, Groups: map[string][]StorageOperation{"admins": nil}})},
		}, [][]string{{`Groups: group "admins" is granted nothing`}}},
		{"table rule names undeclared group", &DirectAccessProps{Tables: []*TableRule{{Name: ptr("Items"), Groups: map[string][]TableOperation{"ghosts": {TableRead}}}}},
			[][]string{{`Tables[0].Groups["ghosts"]: group "ghosts" is not declared in Groups`}}},
		{"path rule names undeclared group", &DirectAccessProps{Buckets: []*BucketRule{bucket("Files",
			&PathRule{Path: ptr("reports/*"), Groups: map[string][]StorageOperation{"ghosts": readS}},
		)}}, [][]string{{`Buckets[0].Paths[0].Groups["ghosts"]: group "ghosts" is not declared in Groups`}}},
		{"duplicate group precedence", &DirectAccessProps{
			Groups: []*GroupRule{group("admins", 1), group("editors", 1)},
			Tables: []*TableRule{{Name: ptr("Items"), Groups: map[string][]TableOperation{"admins": {TableRead}, "editors": {TableRead}}}},
		}, [][]string{{`Groups[1].Precedence: 1 is also the precedence of group "admins"`, "expected unique precedences"}}},
		{"bad group precedence", &DirectAccessProps{
			Groups: []*GroupRule{{Name: ptr("admins")}, {Name: ptr("editors"), Precedence: ptr(-1.0)}, {Name: ptr("viewers"), Precedence: ptr(1.5)}},
			Tables: []*TableRule{{Name: ptr("Items"), Groups: map[string][]TableOperation{"admins": {TableRead}, "editors": {TableRead}, "viewers": {TableRead}}}},
		}, [][]string{
			{"Groups[0].Precedence: is nil; expected a whole number >= 0"},
			{"Groups[1].Precedence: -1; expected a whole number >= 0"},
			{"Groups[2].Precedence: 1.5; expected a whole number >= 0"},
		}},
		{"duplicate and invalid group names", &DirectAccessProps{
			Groups: []*GroupRule{group("admins", 1), group("admins", 2), group("two words", 3)},
			Tables: []*TableRule{{Name: ptr("Items"), Groups: map[string][]TableOperation{"admins": {TableRead}, "two words": {TableRead}}}},
		}, [][]string{
			{`Groups[1].Name: "admins" is declared twice`},
			{`Groups[2].Name: "two words" is not a Cognito group name`},
		}},

		// CORS.
		{"bad CORS origins", &DirectAccessProps{CorsAllowedOrigins: strs("not a url", "https://app.example.com/path", "ftp://files.example.com", "https://ok.example.com", "")},
			[][]string{
				{`CorsAllowedOrigins[0]: "not a url" is not a web origin`, `expected scheme://host[:port] such as "https://app.example.com"`},
				{`CorsAllowedOrigins[1]: "https://app.example.com/path" is not a web origin`},
				{`CorsAllowedOrigins[2]: "ftp://files.example.com" is not a web origin`},
				{`CorsAllowedOrigins[4]: "" is not a web origin`},
			}},
		{"CORS origin with query", &DirectAccessProps{CorsAllowedOrigins: strs("https://app.example.com?x=1", "app.example.com")},
			[][]string{{`CorsAllowedOrigins[0]`}, {`CorsAllowedOrigins[1]: "app.example.com"`}}},

		// Cognito.
		{"user pool without client", &DirectAccessProps{UserPool: fakeUserPool{}},
			[][]string{{"UserPoolClient: is nil while UserPool is set", "expected the app client of that pool"}}},
		{"client without user pool", &DirectAccessProps{UserPoolClient: fakeUserPoolClient{}},
			[][]string{{"UserPoolClient: is set without UserPool; expected both or neither"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, got := newSpec(tt.props)
			checkProblems(t, "newSpec", got, tt.want)
			// ValidateProps reports the same problems, one per line.
			err := ValidateProps(tt.props)
			if err == nil {
				t.Fatalf("ValidateProps = nil, want an error listing %d problems", len(tt.want))
			}
			if lines := problemLines(err); !reflect.DeepEqual(lines, got.Strings()) {
				t.Errorf("ValidateProps lines = %q, want %q", lines, got)
			}
		})
	}
}

// TestValidatePropsReportsAllAtOnce: problems in different rules are all reported in one
// error, one line each, in declaration order.
func TestValidatePropsReportsAllAtOnce(t *testing.T) {
	props := &DirectAccessProps{
		Tables: []*TableRule{
			table("Items", ""),
			{Name: ptr("Notes"), Indexes: []*IndexRule{{Name: ptr("byCategory"), PartitionKey: ptr("category")}}},
		},
		CorsAllowedOrigins: strs("ftp://example.com"),
	}
	err := ValidateProps(props)
	if err == nil {
		t.Fatal("ValidateProps = nil, want 3 problems")
	}
	if !strings.HasPrefix(err.Error(), "DirectAccess: invalid props:\n  - ") {
		t.Errorf("error = %q, want it to start with %q", err, "DirectAccess: invalid props:\n  - ")
	}
	got := problemLines(err)
	want := [][]string{
		{`Tables[0].PartitionKey: ""`},
		{`Tables[1].Indexes[0].PartitionKey: "category"`},
		{`CorsAllowedOrigins[0]: "ftp://example.com"`},
	}
	if len(got) != len(want) {
		t.Fatalf("ValidateProps gave %d problem lines, want %d:\n%v", len(got), len(want), err)
	}
	for i := range want {
		if !containsAll(got[i], want[i]) {
			t.Errorf("line %d = %q, want it to contain %q", i, got[i], want[i])
		}
	}
}

// TestValidatePropsDeterministic: the same props give the same message every time (map
// iteration must not reorder problems).
func TestValidatePropsDeterministic(t *testing.T) {
	props := &DirectAccessProps{
		Groups: []*GroupRule{group("a", 1), group("b", 2), group("c", 3)},
		Tables: []*TableRule{{
			Name: ptr("Profiles"), Attributes: strs("x"), Authenticated: tops(TableDelete),
			Groups: map[string][]TableOperation{"a": {TableDelete}, "b": {TableDelete}, "c": {TableDelete, "bogus"}, "d": {TableRead}},
		}},
		Buckets: []*BucketRule{bucket("Files", &PathRule{Path: ptr("reports/*"), Groups: map[string][]StorageOperation{"a": {"x"}, "b": {"y"}, "z": readS}})},
	}
	first := ValidateProps(props)
	if first == nil {
		t.Fatal("ValidateProps = nil, want problems")
	}
	for i := 0; i < 50; i++ {
		if got := ValidateProps(props); got.Error() != first.Error() {
			t.Fatalf("run %d:\n%v\nwant the same as run 0:\n%v", i, got, first)
		}
	}
}

func TestSpecPublicProtectedPrivate(t *testing.T) {
	for _, withGuests := range []bool{false, true} {
		t.Run(map[bool]string{false: "without guests", true: "with guests"}[withGuests], func(t *testing.T) {
			rules := PublicProtectedPrivate(withGuests)
			var guest []StorageOperation
			if withGuests {
				guest = readS
			}
			want := []struct {
				path                        string
				owner, authenticated, guest []StorageOperation
			}{
				{"public/*", nil, allS, guest},
				{"protected/{identity}/*", allS, readS, guest},
				{"private/{identity}/*", allS, nil, nil},
			}
			if len(rules) != len(want) {
				t.Fatalf("got %d rules, want %d", len(rules), len(want))
			}
			for i, w := range want {
				r := rules[i]
				if got := str(r.Path); got != w.path {
					t.Errorf("rule %d path = %q, want %q", i, got, w.path)
				}
				for _, f := range []struct {
					field string
					got   *[]StorageOperation
					want  []StorageOperation
				}{{"Owner", r.Owner, w.owner}, {"Authenticated", r.Authenticated, w.authenticated}, {"Guest", r.Guest, w.guest}} {
					var got []StorageOperation
					if f.got != nil {
						got = *f.got
					}
					if !reflect.DeepEqual(got, f.want) {
						t.Errorf("rule %q %s = %v, want %v", w.path, f.field, got, f.want)
					}
				}
				if len(r.Groups) > 0 || r.Tenant != nil {
					t.Errorf("rule %q has Groups %v / Tenant %v, want none", w.path, r.Groups, r.Tenant)
				}
			}
			props := &DirectAccessProps{Buckets: []*BucketRule{bucket("Files", rules...)}}
			if withGuests {
				props.Guests = guests()
			}
			if err := ValidateProps(props); err != nil {
				t.Errorf("ValidateProps(preset) = %v, want nil", err)
			}
		})
	}
}

// TestPublicProtectedPrivateEditable: the doc invites editing the returned rules; editing one
// rule's operations must not change another rule's.
func TestSpecPublicProtectedPrivateEditable(t *testing.T) {
	rules := PublicProtectedPrivate(true)
	*rules[0].Authenticated = []StorageOperation{StorageGet} // public: read-only for signed-in users
	(*rules[1].Authenticated)[0] = StorageList               // protected: list only
	*rules[0].Guest = nil                                    // public: no guest access
	if got := *rules[1].Owner; !reflect.DeepEqual(got, allS) {
		t.Errorf("protected Owner = %v after editing public Authenticated, want %v", got, allS)
	}
	if got := *rules[2].Owner; !reflect.DeepEqual(got, allS) {
		t.Errorf("private Owner = %v after editing public Authenticated, want %v", got, allS)
	}
	if got := *rules[1].Guest; !reflect.DeepEqual(got, readS) {
		t.Errorf("protected Guest = %v after editing public Guest and protected Authenticated, want %v", got, readS)
	}
	if again := PublicProtectedPrivate(true); !reflect.DeepEqual(*again[0].Authenticated, allS) {
		t.Errorf("a fresh preset's public Authenticated = %v, want %v", *again[0].Authenticated, allS)
	}
}

// problemLines splits a ValidateProps error into its problems.
func problemLines(err error) []string {
	_, body, _ := strings.Cut(err.Error(), "\n  - ")
	return strings.Split(body, "\n  - ")
}
