package clientconfig

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apiless/apiless/internal/golden"
	"github.com/apiless/apiless/manifest"
	"github.com/apiless/apiless/validation"
)

// TestGolden generates the configuration of each sample outputs file and compares it byte for
// byte with testdata/golden. Refresh with: go test ./clientconfig/... -update
func TestGolden(t *testing.T) {
	tests := []struct {
		name   string
		input  string
		stack  string
		golden string
	}{
		{"demo from cdk --outputs-file", "demo.cdk-outputs.json", "", "demo"},
		{"demo from describe-stacks", "demo.describe-stacks.json", "", "demo"},
		{"demo chosen with --stack", "demo.cdk-outputs.json", "ApilessDemo", "demo"},
		{"groups, tenants, several tables and buckets", "full.cdk-outputs.json", "", "full"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Load(filepath.Join("testdata", tt.input), tt.stack)
			if err != nil {
				t.Fatalf("Load(%s): %v", tt.input, err)
			}
			checkGolden(t, filepath.Join("testdata", "golden", tt.golden+".amplify_outputs.json"), res.AmplifyOutputs)
			checkGolden(t, filepath.Join("testdata", "golden", tt.golden+".env"), res.DotEnv)
		})
	}
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	golden.Check(t, path, got)
}

// TestDemoMeaning checks, beyond the golden bytes, the values the demo app relies on.
func TestDemoMeaning(t *testing.T) {
	res, err := Load(filepath.Join("testdata", "demo.cdk-outputs.json"), "")
	if err != nil {
		t.Fatal(err)
	}
	var o AmplifyOutputs
	if err := json.Unmarshal(res.AmplifyOutputs, &o); err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		what      string
		got, want any
	}{
		{"version", o.Version, "1.4"},
		{"auth.identity_pool_id", o.Auth.IdentityPoolID, "us-east-1:7c1b6f4e-0000-4000-8000-00000000e001"},
		{"auth.user_pool_id", o.Auth.UserPoolID, "us-east-1_Ex4mpleP0"},
		{"auth.mfa_configuration", o.Auth.MfaConfiguration, "OPTIONAL"},
		{"auth.unauthenticated_identities_enabled", o.Auth.UnauthenticatedIdentitiesEnabled, false},
		{"storage.bucket_name", o.Storage.BucketName, "apilessdemo-accessfiles94368a56-example1234"},
		{"storage.buckets[0].name", o.Storage.Buckets[0].Name, "Files"},
		{"owner path", fmt.Sprint(o.Storage.Buckets[0].Paths), "map[private/${cognito-identity.amazonaws.com:sub}/*:map[entityidentity:[get list write delete]]]"},
		{"custom table", o.Custom.Apiless.Tables[0].TableName, "ApilessDemo-AccessItemsD3D6BB4A-EXAMPLE1234"},
		{"custom partition key", o.Custom.Apiless.Tables[0].PartitionKey, "userId"},
		{"custom sort key", o.Custom.Apiless.Tables[0].SortKey, "itemId"},
		{"custom bucket template", fmt.Sprint(o.Custom.Apiless.Buckets[0].Paths), "map[private/{identity}/*:map[owner:[get list write delete]]]"},
		{"stack", res.Stack, "ApilessDemo"},
		{"warnings", len(res.Warnings), 0},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
		}
	}
	for _, line := range []string{
		"VITE_IDENTITY_POOL_ID=us-east-1:7c1b6f4e-0000-4000-8000-00000000e001",
		"VITE_TABLE_ITEMS_NAME=ApilessDemo-AccessItemsD3D6BB4A-EXAMPLE1234",
		"VITE_TABLE_ITEMS_PARTITION_KEY=userId",
		"VITE_BUCKET_FILES_OWNER_PATH=private/{identity}/*",
	} {
		if !strings.Contains(string(res.DotEnv), "\n"+line+"\n") {
			t.Errorf(".env lacks the line %q:\n%s", line, res.DotEnv)
		}
	}
}

// TestAmplifyPaths pins the conversion of path rules to Amplify's form, rule by rule.
func TestAmplifyPaths(t *testing.T) {
	tests := []struct {
		name     string
		paths    map[string]map[string][]string
		want     string
		warnings int
	}{
		{
			name:  "owner folder at the root",
			paths: map[string]map[string][]string{"{identity}/*": {"owner": {"delete", "get", "write", "list"}}},
			want:  `{"${cognito-identity.amazonaws.com:sub}/*":{"entityidentity":["get","list","write","delete"]}}`,
		},
		{
			name: "protected: owner writes, everyone signed in reads",
			paths: map[string]map[string][]string{"protected/{identity}/*": {
				"owner": {"get", "list", "write", "delete"}, "authenticated": {"get"}, "group:Editors": {"list"}}},
			want: `{"protected/${cognito-identity.amazonaws.com:sub}/*":{"entityidentity":["get","list","write","delete"]},` +
				`"protected/*":{"authenticated":["get"],"groupsEditors":["list"]}}`,
		},
		{
			name:  "shared path for guests and a group",
			paths: map[string]map[string][]string{"public/*": {"guest": {"get"}, "group:Editors": {"write", "get"}}},
			want:  `{"public/*":{"groupsEditors":["get","write"],"guest":["get"]}}`,
		},
		{
			name:     "tenant path is left out with a warning",
			paths:    map[string]map[string][]string{"t/{tenant}/*": {"tenant": {"get"}}, "docs/*": {"authenticated": {"get"}}},
			want:     `{"docs/*":{"authenticated":["get"]}}`,
			warnings: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, warnings := amplifyPaths(manifest.Bucket{Name: "B", BucketName: "b", Paths: tt.paths})
			gotJSON, _ := json.Marshal(got)
			// encoding/json escapes nothing in these strings, so the comparison is literal.
			if string(gotJSON) != tt.want {
				t.Errorf("paths:\ngot  %s\nwant %s", gotJSON, tt.want)
			}
			if len(warnings) != tt.warnings {
				t.Errorf("warnings = %q, want %d", warnings, tt.warnings)
			}
		})
	}
}

func validManifest() manifest.Manifest {
	return manifest.Manifest{
		Version: "1", Region: "us-east-1", UserPoolID: "us-east-1_abc", UserPoolClientID: "client",
		IdentityPoolID: "us-east-1:0000", UserPoolProviderName: "cognito-idp.us-east-1.amazonaws.com/us-east-1_abc",
		Tables: []manifest.Table{{Name: "Items", TableName: "T", PartitionKey: "userId", SortKey: "itemId",
			PartitionKeyValue: "identity", Access: map[string][]string{"authenticated": {"read"}}}},
		Buckets: []manifest.Bucket{{Name: "Files", BucketName: "b",
			Paths: map[string]map[string][]string{"{identity}/*": {"owner": {"get"}}}}},
	}
}

// cdkFile wraps manifests (or raw output values) into a cdk --outputs-file document.
func cdkFile(t *testing.T, stacks map[string]any) []byte {
	t.Helper()
	doc := map[string]map[string]string{}
	for name, v := range stacks {
		switch v := v.(type) {
		case string:
			doc[name] = map[string]string{manifest.OutputKey: v}
		case nil:
			doc[name] = map[string]string{"Other": "x"}
		default:
			b, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			doc[name] = map[string]string{manifest.OutputKey: string(b)}
		}
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mutate returns validManifest changed by f (its tables and buckets are copies).
func mutate(f func(m *manifest.Manifest)) manifest.Manifest {
	m := validManifest()
	m.Tables = append([]manifest.Table(nil), m.Tables...)
	m.Buckets = append([]manifest.Bucket(nil), m.Buckets...)
	f(&m)
	return m
}

// TestErrors checks that each failure names what is wrong and where.
func TestErrors(t *testing.T) {
	good := validManifest()
	tests := []struct {
		name  string
		data  []byte
		stack string
		want  []string // substrings the error must contain
	}{
		{"not JSON", []byte("{\n  \"A\": {\n    oops\n}"), "",
			[]string{`outputs file "out.json" is not valid JSON`, "line 3"}},
		{"JSON array", []byte(`[1,2]`), "", []string{`"out.json" is JSON but not an object`, "describe-stacks"}},
		{"stack value not an object", []byte(`{"ApilessDemo": "x"}`), "", []string{`"ApilessDemo" is not an object of outputs`}},
		{"no stacks", []byte(`{}`), "", []string{`"out.json" holds no stacks`}},
		{"no describe-stacks stacks", []byte(`{"Stacks": []}`), "", []string{`"out.json" holds no stacks`}},
		{"no apiless stack", cdkFile(t, map[string]any{"Net": nil, "Db": nil}), "",
			[]string{`"out.json" has no apiless stack`, `"ApilessManifest"`, "Db, Net"}},
		{"several apiless stacks", cdkFile(t, map[string]any{"A": good, "B": good, "C": nil}), "",
			[]string{"2 apiless stacks (A, B)", "--stack NAME"}},
		{"--stack names a missing stack", cdkFile(t, map[string]any{"A": good}), "Nope",
			[]string{`no stack "Nope"`, "stacks in the file: A"}},
		{"--stack names a stack without manifest", cdkFile(t, map[string]any{"A": good, "Net": nil}), "Net",
			[]string{`stack "Net" in "out.json" has no "ApilessManifest" output`, "its outputs: Other"}},
		{"manifest not JSON", cdkFile(t, map[string]any{"A": "{not json"}), "",
			[]string{`output "ApilessManifest" of stack "A" in "out.json" is not valid manifest JSON`}},
		{"manifest empty", cdkFile(t, map[string]any{"A": " "}), "",
			[]string{`output "ApilessManifest" of stack "A" in "out.json" is empty`}},
		{"manifest without version", cdkFile(t, map[string]any{"A": mutate(func(m *manifest.Manifest) { m.Version = "" })}), "",
			[]string{`of stack "A"`, "has no manifest version"}},
		{"manifest of a newer version", cdkFile(t, map[string]any{"A": mutate(func(m *manifest.Manifest) { m.Version = "2" })}), "",
			[]string{`of stack "A" in "out.json" has manifest version "2"`, `reads version "1"`}},
		{"manifest with a wrong field type", cdkFile(t, map[string]any{"A": `{"version":"1","tables":"no"}`}), "",
			[]string{`of stack "A"`, "does not match the manifest format"}},
		{"missing IDs, all reported", cdkFile(t, map[string]any{"A": mutate(func(m *manifest.Manifest) {
			m.Region, m.UserPoolID, m.IdentityPoolID = "", "", ""
		})}), "", []string{`of stack "A" in "out.json" is not usable:`, "\n  - region: is empty", "\n  - userPoolId: is empty", "\n  - identityPoolId: is empty"}},
		{"a problem names the field path and the value", cdkFile(t, map[string]any{"A": mutate(func(m *manifest.Manifest) {
			m.Buckets[0].Paths = map[string]map[string][]string{"/a/{identity}/*": {"owner": {"get"}}}
		})}), "", []string{`of stack "A" in "out.json" is not usable:`, `buckets[0].paths["/a/{identity}/*"]: starts with "/"`}},
		{"env name collision", cdkFile(t, map[string]any{"A": mutate(func(m *manifest.Manifest) {
			m.Tables = append(m.Tables, manifest.Table{Name: "items", TableName: "T2", PartitionKey: "k", PartitionKeyValue: "identity"})
		})}), "", []string{`tables "Items" and "items" both give the variable prefix VITE_TABLE_ITEMS_`}},
		{"describe-stacks without StackName", []byte(`{"Stacks":[{"Outputs":[]}]}`), "", []string{"Stacks[0] has no StackName"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Generate(tt.data, "out.json", tt.stack)
			if err == nil {
				t.Fatalf("Generate succeeded (stack %q), want an error containing %q", res.Stack, tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

// TestValidate checks each problem Validate finds by its field (the manifest's JSON path) and
// type, with a stable phrase of its detail, and that all of them are reported and nothing else.
func TestValidate(t *testing.T) {
	type want struct {
		field  string
		typ    validation.Type
		phrase string // in the problem's Detail
	}
	tests := []struct {
		name string
		m    manifest.Manifest
		want []want
	}{
		{"valid", validManifest(), nil},
		{"missing IDs", mutate(func(m *manifest.Manifest) { m.Region, m.UserPoolID, m.IdentityPoolID = "", "", " " }), []want{
			{"region", validation.Required, "is empty"},
			{"userPoolId", validation.Required, "is empty"},
			{"identityPoolId", validation.Required, "is empty"},
			{"identityPoolId", validation.Invalid, "<region>:<id>"},
		}},
		{"IDs without region", mutate(func(m *manifest.Manifest) { m.IdentityPoolID, m.UserPoolID = "abc", "def" }), []want{
			{"identityPoolId", validation.Invalid, `"abc" is not of the form <region>:<id>`},
			{"userPoolId", validation.Invalid, `"def" is not of the form <region>_<id>`},
		}},
		{"unresolved token", mutate(func(m *manifest.Manifest) { m.UserPoolClientID = "${Token[TOKEN.123]}" }), []want{
			{"userPoolClientId", validation.Invalid, "unresolved CloudFormation token"},
		}},
		{"bad table", mutate(func(m *manifest.Manifest) {
			m.Tables[0] = manifest.Table{Name: "Items", PartitionKeyValue: "sub", Access: map[string][]string{"everyone": {"scan"}}}
		}), []want{
			{"tables[0].tableName", validation.Required, "is empty"},
			{"tables[0].partitionKey", validation.Required, "is empty"},
			{"tables[0].partitionKeyValue", validation.NotSupported, `"sub"; expected "identity" or "tenant"`},
			{`tables[0].access["everyone"]`, validation.NotSupported, `unknown audience "everyone"`},
			{`tables[0].access["everyone"][0]`, validation.NotSupported, `operation "scan"; known: read, write, delete`},
		}},
		{"names", mutate(func(m *manifest.Manifest) {
			m.Groups = []manifest.Group{{Name: "admins"}, {Name: ""}, {Name: "admins"}}
			m.Tables = append(m.Tables, m.Tables[0], manifest.Table{TableName: "T", PartitionKey: "k", PartitionKeyValue: "identity"})
			m.Buckets = append(m.Buckets, manifest.Bucket{Name: m.Buckets[0].Name})
		}), []want{
			{"groups[1].name", validation.Required, "is empty"},
			{"groups[2].name", validation.Duplicate, `"admins" is listed twice`},
			{"tables[1].name", validation.Duplicate, "is used twice"},
			{"tables[2].name", validation.Required, "is empty"},
			{"buckets[1].name", validation.Duplicate, "is used twice"},
			{"buckets[1].bucketName", validation.Required, "is empty"},
		}},
		{"bad paths", mutate(func(m *manifest.Manifest) {
			m.Buckets[0].Paths = map[string]map[string][]string{
				"/a/{identity}/*":         {"owner": {"get"}},
				"b/*/c/*":                 {"authenticated": {"get"}},
				"c/x{identity}/*":         {"owner": {"get"}},
				"d/{who}/*":               {"authenticated": {"get"}},
				"e/*":                     {"owner": {"get"}, "group:Ghosts": {"get"}},
				"f/{identity}":            {"owner": {"read"}},
				"g/{tenant}/{identity}/*": {"tenant": {"get"}},
				"h/*":                     {"tenant": {"get"}, "everyone": {"get"}},
			}
		}), []want{
			{`buckets[0].paths["/a/{identity}/*"]`, validation.Invalid, `starts with "/"`},
			{`buckets[0].paths["b/*/c/*"]`, validation.Invalid, "wildcard before the end"},
			{`buckets[0].paths["c/x{identity}/*"]`, validation.Invalid, "{identity} inside a segment"},
			{`buckets[0].paths["d/{who}/*"]`, validation.Invalid, "unknown {token}"},
			{`buckets[0].paths["e/*"]["owner"]`, validation.Forbidden, "no {identity} segment"},
			{`buckets[0].paths["e/*"]["group:Ghosts"]`, validation.Invalid, `group "Ghosts", which is not in groups`},
			{`buckets[0].paths["f/{identity}"]`, validation.Invalid, `does not end with "/*"`},
			{`buckets[0].paths["f/{identity}"]["owner"][0]`, validation.NotSupported, `operation "read"; known: get, list, write, delete`},
			{`buckets[0].paths["h/*"]["tenant"]`, validation.Forbidden, "no {tenant} segment"},
			{`buckets[0].paths["h/*"]["everyone"]`, validation.NotSupported, `unknown audience "everyone"`},
			{"tenantClaim", validation.Required, "keyed by tenant"},
		}},
		{"unknown MFA, username attribute and password length", mutate(func(m *manifest.Manifest) {
			m.MfaConfiguration, m.MfaMethods, m.UsernameAttributes = "MAYBE", []string{"TOTP", "PIGEON"}, []string{"nickname"}
			m.PasswordPolicy = &manifest.PasswordPolicy{MinLength: -1}
		}), []want{
			{"mfaConfiguration", validation.NotSupported, `"MAYBE"; expected OFF, OPTIONAL or ON`},
			{"mfaMethods[1]", validation.NotSupported, `"PIGEON"`},
			{"usernameAttributes[0]", validation.NotSupported, `"nickname"`},
			{"passwordPolicy.minLength", validation.Invalid, "expected 0 or more"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Validate(&tt.m)
			for _, w := range tt.want {
				i := slices.IndexFunc(got, func(p validation.Problem) bool {
					return p.Field == w.field && p.Type == w.typ && strings.Contains(p.Detail, w.phrase)
				})
				if i < 0 {
					t.Errorf("no %s problem on %s with %q; got:\n  %s", w.typ, w.field, w.phrase, strings.Join(got.Strings(), "\n  "))
				}
			}
			if len(got) != len(tt.want) {
				t.Errorf("%d problems, want %d:\n  %s", len(got), len(tt.want), strings.Join(got.Strings(), "\n  "))
			}
		})
	}
}

func TestReadOutputsFileErrors(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.json")
	if err := os.WriteFile(empty, []byte("\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		want       []string
	}{
		{"missing file", filepath.Join(dir, "nope.json"), []string{"nope.json", "does not exist", "cdk deploy --outputs-file"}},
		{"empty file", empty, []string{"empty.json", "is empty"}},
		{"a directory", dir, []string{"cannot read outputs file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.path, "")
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q: %v", w, err)
				}
			}
		})
	}
}

// TestManifestObjectValue accepts a manifest written as a JSON object rather than a string.
func TestManifestObjectValue(t *testing.T) {
	m := validManifest()
	b, _ := json.Marshal(m)
	data := []byte(fmt.Sprintf(`{"S": {"ApilessManifest": %s}}`, b))
	res, err := Generate(data, "out.json", "")
	if err != nil {
		t.Fatal(err)
	}
	if res.Manifest.IdentityPoolID != m.IdentityPoolID {
		t.Errorf("identity pool = %q, want %q", res.Manifest.IdentityPoolID, m.IdentityPoolID)
	}
}

// TestOutputsIgnoreHumanValues proves that only the manifest is read: human outputs that disagree
// with it do not leak into the generated files.
func TestOutputsIgnoreHumanValues(t *testing.T) {
	m := validManifest()
	b, _ := json.Marshal(m)
	data, _ := json.Marshal(map[string]map[string]string{"S": {
		manifest.OutputKey: string(b), "UserPoolId": "us-east-1_WRONG", "TableName": "WrongTable",
	}})
	res, err := Generate(data, "out.json", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range [][]byte{res.AmplifyOutputs, res.DotEnv} {
		if bytes.Contains(out, []byte("WRONG")) || bytes.Contains(out, []byte("WrongTable")) {
			t.Errorf("generated output uses a human output value:\n%s", out)
		}
	}
}

// TestWebExampleIsCurrent keeps the demo app's committed example configuration (web/example/,
// which a clean clone builds and tests with) equal to what the config command generates from
// testdata/demo.cdk-outputs.json. Refresh with: go test ./clientconfig/... -update
func TestWebExampleIsCurrent(t *testing.T) {
	res, err := Load(filepath.Join("testdata", "demo.cdk-outputs.json"), "")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join("..", "web", "example")
	checkGolden(t, filepath.Join(dir, AmplifyOutputsFile), res.AmplifyOutputs)
	checkGolden(t, filepath.Join(dir, DotEnvFile), res.DotEnv)
}
