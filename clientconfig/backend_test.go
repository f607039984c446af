package clientconfig

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/apiless/apiless/internal/golden"
	"github.com/apiless/apiless/manifest"
)

// The backend's synthesized templates (pinned by the stack tests) are the other side of the
// contract. These tests resolve each template's outputs the way CloudFormation does at deploy time,
// with made-up IDs, and feed them to the config generator. The demo sample in testdata/ is derived
// from ApilessDemo.template.json the same way, so -update rewrites it when the backend changes.

const backendTemplates = "../testdata"

// fakeDeployValue stands in for the value CloudFormation gives a Ref or Fn::GetAtt.
func fakeDeployValue(stack, logicalID, typ, attr string) (string, error) {
	if attr != "" {
		if attr == "ProviderName" {
			return "cognito-idp.us-east-1.amazonaws.com/us-east-1_Ex4mpleP0", nil
		}
		return "", fmt.Errorf("no fake for Fn::GetAtt %s.%s", logicalID, attr)
	}
	switch typ {
	case "AWS::Cognito::UserPool":
		return "us-east-1_Ex4mpleP0", nil
	case "AWS::Cognito::UserPoolClient":
		return "3example0client0id0abcdefgh", nil
	case "AWS::Cognito::IdentityPool":
		return "us-east-1:7c1b6f4e-0000-4000-8000-00000000e001", nil
	case "AWS::DynamoDB::GlobalTable", "AWS::DynamoDB::Table":
		return stack + "-" + logicalID + "-EXAMPLE1234", nil
	case "AWS::S3::Bucket":
		return strings.ToLower(stack + "-" + logicalID + "-example1234"), nil
	}
	return "", fmt.Errorf("no fake for Ref %s (%s)", logicalID, typ)
}

type cfnTemplate struct {
	Resources map[string]struct {
		Type string `json:"Type"`
	} `json:"Resources"`
	Outputs map[string]struct {
		Description string `json:"Description"`
		Value       any    `json:"Value"`
	} `json:"Outputs"`
}

func (t *cfnTemplate) resolve(stack string, v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case map[string]any:
		if ref, ok := v["Ref"].(string); ok {
			if ref == "AWS::Region" {
				return "us-east-1", nil
			}
			return fakeDeployValue(stack, ref, t.Resources[ref].Type, "")
		}
		if ga, ok := v["Fn::GetAtt"].([]any); ok && len(ga) == 2 {
			id, _ := ga[0].(string)
			attr, _ := ga[1].(string)
			return fakeDeployValue(stack, id, t.Resources[id].Type, attr)
		}
		if j, ok := v["Fn::Join"].([]any); ok && len(j) == 2 {
			sep, _ := j[0].(string)
			parts, _ := j[1].([]any)
			out := make([]string, len(parts))
			for i, p := range parts {
				s, err := t.resolve(stack, p)
				if err != nil {
					return "", err
				}
				out[i] = s
			}
			return strings.Join(out, sep), nil
		}
	}
	return "", fmt.Errorf("cannot resolve %v", v)
}

// deployedOutputs returns what `cdk deploy --outputs-file` would write for the template's stack.
func deployedOutputs(t *testing.T, path string) (string, map[string]string, map[string]string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var tpl cfnTemplate
	if err := json.Unmarshal(data, &tpl); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	stack := strings.TrimSuffix(filepath.Base(path), ".template.json")
	outs := map[string]string{}
	descs := map[string]string{}
	for key, o := range tpl.Outputs {
		v, err := tpl.resolve(stack, o.Value)
		if err != nil {
			t.Fatalf("%s output %s: %v", path, key, err)
		}
		outs[key] = v
		descs[key] = o.Description
	}
	return stack, outs, descs
}

// TestBackendTemplatesConvert feeds every synthesized stack template of the backend through the
// generator: whatever the backend publishes must turn into client configuration.
func TestBackendTemplatesConvert(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join(backendTemplates, "*.template.json"))
	if len(paths) == 0 {
		t.Skipf("no backend templates in %s", backendTemplates)
	}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			stack, outs, _ := deployedOutputs(t, path)
			if _, ok := outs[manifest.OutputKey]; !ok {
				t.Fatalf("stack %s publishes no %s output", stack, manifest.OutputKey)
			}
			data, _ := json.Marshal(map[string]map[string]string{stack: outs})
			res, err := Generate(data, path, "")
			if err != nil {
				t.Fatalf("the backend's manifest does not convert: %v", err)
			}
			var o AmplifyOutputs
			if err := json.Unmarshal(res.AmplifyOutputs, &o); err != nil {
				t.Fatal(err)
			}
			if o.Auth.IdentityPoolID != "us-east-1:7c1b6f4e-0000-4000-8000-00000000e001" || len(o.Custom.Apiless.Tables) == 0 {
				t.Errorf("unexpected conversion: %s", res.AmplifyOutputs)
			}
			// The human outputs must agree with the manifest, or people reading them are misled.
			for key, want := range map[string]string{
				"Region": res.Manifest.Region, "UserPoolId": res.Manifest.UserPoolID, "UserPoolClientId": res.Manifest.UserPoolClientID,
				"IdentityPoolId": res.Manifest.IdentityPoolID, "UserPoolProviderName": res.Manifest.UserPoolProviderName,
			} {
				if got, ok := outs[key]; ok && got != want {
					t.Errorf("output %s = %q, manifest says %q", key, got, want)
				}
			}
		})
	}
}

// TestDemoSampleMatchesBackend keeps testdata/demo.*.json (and through the golden files, the web
// app's example config) equal to what deploying ApilessDemo would publish.
func TestDemoSampleMatchesBackend(t *testing.T) {
	path := filepath.Join(backendTemplates, "ApilessDemo.template.json")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("backend demo template not found: %v", err)
	}
	stack, outs, descs := deployedOutputs(t, path)
	cdk := map[string]map[string]string{stack: outs, "NetworkStack": {"VpcId": "vpc-0example"}}
	type dsOutput struct {
		OutputKey, OutputValue, Description string
	}
	var dsOuts []dsOutput
	for _, k := range slices.Sorted(maps.Keys(outs)) {
		dsOuts = append(dsOuts, dsOutput{k, outs[k], descs[k]})
	}
	ds := map[string]any{"Stacks": []any{
		map[string]any{"StackName": "NetworkStack", "StackStatus": "CREATE_COMPLETE",
			"Outputs": []dsOutput{{"VpcId", "vpc-0example", ""}}},
		map[string]any{"StackName": stack, "StackStatus": "UPDATE_COMPLETE", "Outputs": dsOuts},
	}}
	if *golden.Update {
		for name, doc := range map[string]any{"demo.cdk-outputs.json": cdk, "demo.describe-stacks.json": ds} {
			b, err := json.MarshalIndent(doc, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join("testdata", name), append(b, '\n'), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	stacks, err := ReadOutputsFile(filepath.Join("testdata", "demo.cdk-outputs.json"))
	if err != nil {
		t.Fatal(err)
	}
	var sample map[string]string
	for _, s := range stacks {
		if s.Name == stack {
			sample = s.Outputs
		}
	}
	if !reflect.DeepEqual(sample, outs) {
		keys := map[string]bool{}
		for k := range sample {
			keys[k] = true
		}
		for k := range outs {
			keys[k] = true
		}
		var diff []string
		for k := range keys {
			if sample[k] != outs[k] {
				diff = append(diff, fmt.Sprintf("%s:\n  sample:  %s\n  backend: %s", k, sample[k], outs[k]))
			}
		}
		sort.Strings(diff)
		t.Errorf("testdata/demo.cdk-outputs.json no longer matches %s (refresh with: go test ./clientconfig/... -update, twice: once for the sample, once for the golden files):\n%s",
			path, strings.Join(diff, "\n"))
	}
}
