package clientconfig

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/apiless/apiless/manifest"
)

// EnvVar is one variable of the generated .env, with the comment written above it.
type EnvVar struct {
	Name, Value, Doc string
}

// EnvVars lists the VITE_ variables for m, in file order. Per-table and per-bucket variables use
// the logical name in upper case with every other character turned into "_"
// (table "Items" gives VITE_TABLE_ITEMS_NAME). Names that collide, and values that a .env cannot
// hold unquoted ($ would be expanded by Vite, quotes, #, spaces, newlines), are errors.
func EnvVars(m *manifest.Manifest) ([]EnvVar, error) {
	vars := []EnvVar{
		{"VITE_AWS_REGION", m.Region, "AWS region of every resource below"},
		{"VITE_USER_POOL_ID", m.UserPoolID, "Cognito user pool (sign-up, sign-in)"},
		{"VITE_USER_POOL_CLIENT_ID", m.UserPoolClientID, "app client of the user pool (public, no secret)"},
		{"VITE_IDENTITY_POOL_ID", m.IdentityPoolID, "Cognito identity pool: exchanges the ID token for AWS credentials"},
		{"VITE_USER_POOL_PROVIDER_NAME", m.UserPoolProviderName, "key of the ID token in the identity pool's Logins map"},
		{"VITE_GUEST_ACCESS", strconv.FormatBool(m.UnauthenticatedIdentitiesEnabled), "whether signed-out visitors get guest credentials"},
	}
	if m.TenantClaim != "" {
		vars = append(vars, EnvVar{"VITE_TENANT_CLAIM", m.TenantClaim, "ID token claim that carries the tenant ID"})
	}
	var tableNames, bucketNames []string
	seen := map[string]string{}
	for _, t := range m.Tables {
		id := envID(t.Name)
		if prev, ok := seen["T"+id]; ok {
			return nil, fmt.Errorf("tables %q and %q both give the variable prefix VITE_TABLE_%s_: rename one", prev, t.Name, id)
		}
		seen["T"+id] = t.Name
		tableNames = append(tableNames, t.Name)
		p := "VITE_TABLE_" + id + "_"
		vars = append(vars,
			EnvVar{p + "NAME", t.TableName, fmt.Sprintf("DynamoDB table %q", t.Name)},
			EnvVar{p + "PARTITION_KEY", t.PartitionKey, fmt.Sprintf("partition key attribute; its value must be the caller's %s ID", t.PartitionKeyValue)},
			EnvVar{p + "PARTITION_KEY_VALUE", t.PartitionKeyValue, "identity or tenant"},
		)
		if t.SortKey != "" {
			vars = append(vars, EnvVar{p + "SORT_KEY", t.SortKey, "sort key attribute"})
		}
	}
	for _, b := range m.Buckets {
		id := envID(b.Name)
		if prev, ok := seen["B"+id]; ok {
			return nil, fmt.Errorf("buckets %q and %q both give the variable prefix VITE_BUCKET_%s_: rename one", prev, b.Name, id)
		}
		seen["B"+id] = b.Name
		bucketNames = append(bucketNames, b.Name)
		p := "VITE_BUCKET_" + id + "_"
		vars = append(vars, EnvVar{p + "NAME", b.BucketName, fmt.Sprintf("S3 bucket %q", b.Name)})
		if owner := OwnerPath(b); owner != "" {
			vars = append(vars, EnvVar{p + "OWNER_PATH", owner,
				"path the owner reads and writes; put the identity ID in place of " + manifest.IdentityToken})
		}
	}
	vars = append(vars,
		EnvVar{"VITE_TABLES", strings.Join(tableNames, ","), "logical names of the tables above, comma-separated"},
		EnvVar{"VITE_BUCKETS", strings.Join(bucketNames, ","), "logical names of the buckets above, comma-separated"},
	)
	for _, v := range vars {
		if strings.ContainsAny(v.Value, "$\"'`#\\ \t\r\n") {
			return nil, fmt.Errorf("value of %s (%q) has a character that a .env cannot hold unquoted", v.Name, v.Value)
		}
	}
	return vars, nil
}

// OwnerPath returns the first path (sorted) of b that its owner may write, or "".
func OwnerPath(b manifest.Bucket) string {
	for _, path := range slices.Sorted(maps.Keys(b.Paths)) {
		if slices.Contains(b.Paths[path][audienceOwner], "write") {
			return path
		}
	}
	return ""
}

// BuildDotEnv renders the .env file. header lines are written as comments first.
func BuildDotEnv(m *manifest.Manifest, header []string) ([]byte, error) {
	vars, err := EnvVars(m)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	for _, h := range header {
		fmt.Fprintf(&b, "# %s\n", h)
	}
	for _, v := range vars {
		fmt.Fprintf(&b, "\n# %s\n%s=%s\n", v.Doc, v.Name, v.Value)
	}
	return []byte(b.String()), nil
}

// envID turns a logical name into the middle of a variable name: "Items" -> "ITEMS",
// "user-files" -> "USER_FILES".
func envID(name string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(name) {
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}
