package devserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/apiless/apiless/clientconfig"
	"github.com/apiless/apiless/manifest"
)

// FrontendConfig builds amplify_outputs.json and the Vite .env for the dev server, from the
// manifest the DirectAccess construct records in the template (the ApilessManifest output), as
// `apiless config` does for a deployed stack, plus the local endpoints: custom.apiless_dev in
// amplify_outputs.json (endpoint, userPoolEndpoint, identityPoolEndpoint) and VITE_AWS_ENDPOINT
// in .env. Amplify JS takes the user and identity pool endpoints in Amplify.configure
// (Auth.Cognito.userPoolEndpoint, identityPoolEndpoint); the AWS SDK clients take the endpoint
// (S3 with forcePathStyle).
func (s *Server) FrontendConfig() (amplifyOutputs, dotEnv []byte, warnings []string, err error) {
	raw, err := s.manifestJSON()
	if err != nil {
		return nil, nil, nil, err
	}
	outputs, _ := json.Marshal(map[string]map[string]string{"ApilessDev": {"ApilessManifest": raw}})
	res, err := clientconfig.Generate(outputs, "the template (apiless dev)", "")
	if err != nil {
		return nil, nil, nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal(res.AmplifyOutputs, &doc); err != nil {
		return nil, nil, nil, err
	}
	custom, _ := doc["custom"].(map[string]any)
	if custom == nil {
		custom = map[string]any{}
	}
	custom["apiless_dev"] = map[string]string{"endpoint": s.url, "userPoolEndpoint": s.url, "identityPoolEndpoint": s.url,
		"note": "local endpoints of apiless dev; S3 needs forcePathStyle"}
	doc["custom"] = custom
	ao, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, nil, nil, err
	}
	env := string(res.DotEnv)
	if !strings.HasSuffix(env, "\n") {
		env += "\n"
	}
	env += "# apiless dev: every AWS call goes to this local endpoint\nVITE_AWS_ENDPOINT=" + s.url + "\n"
	return append(ao, '\n'), []byte(env), res.Warnings, nil
}

// manifestJSON resolves the template's ApilessManifest output with the dev server's IDs.
func (s *Server) manifestJSON() (string, error) {
	var t struct {
		Outputs map[string]struct{ Value any } `json:"Outputs"`
	}
	if err := json.Unmarshal(s.opts.Template, &t); err != nil {
		return "", err
	}
	out, ok := t.Outputs["ApilessManifest"]
	if !ok {
		return "", errors.New("the template has no ApilessManifest output (made by the DirectAccess construct with stacks.AddFrontendOutputs): no frontend config can be written")
	}
	v, err := s.be.tpl.ResolveString(out.Value, "Outputs.ApilessManifest.Value")
	if err != nil {
		return "", fmt.Errorf("Outputs.ApilessManifest: %w", err)
	}
	var m manifest.Manifest
	if err := json.Unmarshal([]byte(v), &m); err != nil {
		return "", fmt.Errorf("Outputs.ApilessManifest: %w", err)
	}
	return v, nil
}
