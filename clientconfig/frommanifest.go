package clientconfig

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/apiless/apiless/manifest"
)

// deployTimeStandIn prefixes the stand-ins BuildAmplifyOutputsWithTokens validates in place of
// deploy-time values.
const deployTimeStandIn = "apiless-deploy-time-value"

// BuildAmplifyOutputsWithTokens converts a manifest whose deploy-time values (region, user pool,
// client and identity pool IDs, provider name, table and bucket names) may still be unresolved
// CDK tokens, such as a DirectAccess construct's Manifest() during synthesis, into
// amplify_outputs.json content. It is for deployments that write the file once CloudFormation
// knows the values (an S3 BucketDeployment with Source.jsonData).
//
// Every check of BuildAmplifyOutputs applies except the two that need deployed values (the ID
// formats and "no unresolved token"); each value is passed through unchanged, so once the tokens
// are resolved the result is what BuildAmplifyOutputs gives for the deployed stack's manifest,
// that is, what `apiless config` writes. m is not modified.
func BuildAmplifyOutputsWithTokens(m *manifest.Manifest, stack string) (*AmplifyOutputs, []string, error) {
	if m == nil {
		return nil, nil, errors.New("manifest is nil")
	}
	c := *m
	restore := map[string]string{}
	for _, f := range []struct {
		value  *string
		format string // the shape Validate expects of the deployed value
	}{
		{&c.Region, "%s-region"},
		{&c.UserPoolID, "%s_user-pool"},
		{&c.UserPoolClientID, "%s-client"},
		{&c.IdentityPoolID, "%s:identity-pool"},
		{&c.UserPoolProviderName, "%s-provider"},
	} {
		if *f.value == "" {
			continue // Validate reports what is required
		}
		standIn := fmt.Sprintf(f.format, deployTimeStandIn)
		restore[standIn] = *f.value
		*f.value = standIn
	}
	out, warnings, err := BuildAmplifyOutputs(&c, stack)
	if err != nil {
		return nil, nil, err
	}

	// Put the values back wherever the builder copied them.
	raw, err := json.Marshal(out)
	if err != nil {
		return nil, nil, err
	}
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, nil, err
	}
	doc = replaceStrings(doc, restore)
	if raw, err = json.Marshal(doc); err != nil {
		return nil, nil, err
	}
	if strings.Contains(string(raw), deployTimeStandIn) {
		// A value derived from a deploy-time one (not a plain copy) cannot be written before deploy.
		return nil, nil, fmt.Errorf("amplify_outputs.json of stack %q derives a value from a deploy-time value; only plain copies can be filled in at deploy time", stack)
	}
	var res AmplifyOutputs
	if err := json.Unmarshal(raw, &res); err != nil {
		return nil, nil, err
	}
	return &res, warnings, nil
}

// replaceStrings returns v with every string value that is a key of with replaced by its value.
func replaceStrings(v any, with map[string]string) any {
	switch v := v.(type) {
	case string:
		if r, ok := with[v]; ok {
			return r
		}
	case map[string]any:
		for k, e := range v {
			v[k] = replaceStrings(e, with)
		}
	case []any:
		for i, e := range v {
			v[i] = replaceStrings(e, with)
		}
	}
	return v
}
