package clientconfig

import (
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/apiless/apiless/manifest"
	"github.com/apiless/apiless/validation"
)

// withTokens returns a copy of m whose deploy-time values are CDK-style token strings, as a
// DirectAccess construct's Manifest() holds them during synthesis, and the token -> value map
// that deploying would apply.
func withTokens(m manifest.Manifest) (manifest.Manifest, map[string]string) {
	resolve := map[string]string{}
	n := 0
	token := func(v *string) {
		if *v == "" {
			return
		}
		n++
		t := fmt.Sprintf("${Token[TOKEN.%d]}", 100+n)
		resolve[t] = *v
		*v = t
	}
	for _, v := range []*string{&m.Region, &m.UserPoolID, &m.UserPoolClientID, &m.IdentityPoolID, &m.UserPoolProviderName} {
		token(v)
	}
	m.Tables = append([]manifest.Table(nil), m.Tables...)
	for i := range m.Tables {
		token(&m.Tables[i].TableName)
	}
	m.Buckets = append([]manifest.Bucket(nil), m.Buckets...)
	for i := range m.Buckets {
		token(&m.Buckets[i].BucketName)
	}
	return m, resolve
}

// TestBuildAmplifyOutputsWithTokens: with the tokens resolved, the file written at deploy time is
// byte for byte what `apiless config` writes from the deployed stack's outputs.
func TestBuildAmplifyOutputsWithTokens(t *testing.T) {
	for _, file := range []string{"demo.cdk-outputs.json", "full.cdk-outputs.json"} {
		t.Run(file, func(t *testing.T) {
			res, err := Load(filepath.Join("testdata", file), "")
			if err != nil {
				t.Fatal(err)
			}
			tokenized, resolve := withTokens(*res.Manifest)
			before := fmt.Sprintf("%+v", tokenized)

			got, warnings, err := BuildAmplifyOutputsWithTokens(&tokenized, res.Stack)
			if err != nil {
				t.Fatalf("BuildAmplifyOutputsWithTokens: %v", err)
			}
			if after := fmt.Sprintf("%+v", tokenized); after != before {
				t.Errorf("the manifest was modified:\nbefore %s\nafter  %s", before, after)
			}
			if !reflect.DeepEqual(warnings, res.Warnings) {
				t.Errorf("warnings = %q, want %q", warnings, res.Warnings)
			}
			raw, err := MarshalAmplifyOutputs(got)
			if err != nil {
				t.Fatal(err)
			}
			deployed := string(raw)
			for tok, v := range resolve {
				if !strings.Contains(deployed, tok) {
					t.Errorf("token %s (%s) is not in the file", tok, v)
				}
				deployed = strings.ReplaceAll(deployed, tok, v)
			}
			if deployed != string(res.AmplifyOutputs) {
				t.Errorf("resolved file differs from apiless config's:\ngot\n%s\nwant\n%s", deployed, res.AmplifyOutputs)
			}
		})
	}
}

// TestBuildAmplifyOutputsWithTokensChecks: the structural checks still apply, all at once.
func TestBuildAmplifyOutputsWithTokensChecks(t *testing.T) {
	m, _ := withTokens(validManifest())
	m.UserPoolClientID = ""
	m.Buckets[0].Paths = map[string]map[string][]string{"/{identity}/*": {"owner": {"get"}}}
	_, _, err := BuildAmplifyOutputsWithTokens(&m, "S")
	if err == nil {
		t.Fatal("want an error for an empty client ID and a path with a leading /")
	}
	var ve *validation.Error
	if !errors.As(err, &ve) {
		t.Fatalf("error %q is not a *validation.Error", err)
	}
	want := validation.List{
		{Field: "userPoolClientId", Type: validation.Required},
		{Field: `buckets[0].paths["/{identity}/*"]`, Type: validation.Invalid},
	}
	// Only these: nothing about the formats or tokens of the deploy-time values.
	if len(ve.Problems) != len(want) {
		t.Errorf("problems:\n  %s\nwant only %v", strings.Join(ve.Problems.Strings(), "\n  "), want)
	}
	for _, w := range want {
		if !ve.Problems.Has(w.Field, w.Type) {
			t.Errorf("no %s problem on %s in %q", w.Type, w.Field, err)
		}
	}
	if _, _, err := BuildAmplifyOutputsWithTokens(nil, "S"); err == nil {
		t.Error("nil manifest: want an error")
	}
}
