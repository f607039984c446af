package clientconfig

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/apiless/apiless/manifest"
)

// Audiences and operations of the manifest's access maps.
const (
	audienceOwner         = "owner"
	audienceAuthenticated = "authenticated"
	audienceGuest         = "guest"
	audienceTenant        = "tenant"
	groupPrefix           = "group:"

	keyValueIdentity = "identity"
	keyValueTenant   = "tenant"
)

var (
	tableOps  = map[string]bool{"read": true, "write": true, "delete": true}
	bucketOps = map[string]bool{"get": true, "list": true, "write": true, "delete": true}
	// Cognito's names, and the spellings CDK props use, for MFA second factors.
	mfaMethods = map[string]string{
		"SMS": "SMS", "SMS_MFA": "SMS",
		"TOTP": "TOTP", "OTP": "TOTP", "SOFTWARE_TOKEN_MFA": "TOTP",
		"EMAIL": "EMAIL", "EMAIL_OTP": "EMAIL",
	}
	usernameAttributes = map[string]string{
		"email": "email", "phone_number": "phone_number", "phone": "phone_number", "username": "username",
	}
	mfaConfigurations = map[string]string{"OFF": "NONE", "OPTIONAL": "OPTIONAL", "ON": "REQUIRED"}
)

// ManifestFromStack decodes and checks the manifest output of stack. file names the outputs file
// in error messages. All problems are reported at once.
func ManifestFromStack(stack Stack, file string) (*manifest.Manifest, error) {
	where := fmt.Sprintf("output %q of stack %q in %q", manifest.OutputKey, stack.Name, file)
	raw, ok := stack.Outputs[manifest.OutputKey]
	if !ok {
		return nil, fmt.Errorf("stack %q in %q has no %q output", stack.Name, file, manifest.OutputKey)
	}
	if strings.TrimSpace(raw) == "" {
		return nil, fmt.Errorf("%s is empty", where)
	}
	// Version first, so an incompatible manifest gets the version message rather than field errors.
	var head struct {
		Version *string `json:"version"`
	}
	if err := json.Unmarshal([]byte(raw), &head); err != nil {
		return nil, fmt.Errorf("%s is not valid manifest JSON: %s", where, describeJSONError([]byte(raw), err))
	}
	switch {
	case head.Version == nil || *head.Version == "":
		return nil, fmt.Errorf("%s has no manifest version; this apiless config reads version %q", where, manifest.Version)
	case *head.Version != manifest.Version:
		return nil, fmt.Errorf("%s has manifest version %q, but this apiless config reads version %q: run the apiless that deployed the stack (same checkout), or redeploy the stack with this one",
			where, *head.Version, manifest.Version)
	}

	var m manifest.Manifest
	dec := json.NewDecoder(bytes.NewReader([]byte(raw)))
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%s does not match the manifest format: %v", where, err)
	}
	if problems := Validate(&m); len(problems) > 0 {
		return nil, fmt.Errorf("%s is not usable:\n  - %s", where, strings.Join(problems, "\n  - "))
	}
	return &m, nil
}

// Validate lists what in m cannot be turned into client configuration. An empty list means m is
// usable.
func Validate(m *manifest.Manifest) []string {
	var p []string
	add := func(format string, args ...any) { p = append(p, fmt.Sprintf(format, args...)) }

	required := []struct{ name, value string }{
		{"region", m.Region},
		{"userPoolId", m.UserPoolID},
		{"userPoolClientId", m.UserPoolClientID},
		{"identityPoolId", m.IdentityPoolID},
	}
	for _, r := range required {
		if strings.TrimSpace(r.value) == "" {
			add("%s is empty", r.name)
		}
	}
	// Amplify JS takes the Cognito Identity region from the pool ID's "<region>:" prefix, and the
	// user pool's from its "<region>_" prefix.
	if m.IdentityPoolID != "" && !strings.Contains(m.IdentityPoolID, ":") {
		add("identityPoolId %q is not of the form <region>:<id>", m.IdentityPoolID)
	}
	if m.UserPoolID != "" && !strings.Contains(m.UserPoolID, "_") {
		add("userPoolId %q is not of the form <region>_<id>", m.UserPoolID)
	}
	for _, v := range []struct{ name, value string }{
		{"region", m.Region}, {"userPoolId", m.UserPoolID}, {"userPoolClientId", m.UserPoolClientID},
		{"identityPoolId", m.IdentityPoolID}, {"userPoolProviderName", m.UserPoolProviderName},
	} {
		if strings.Contains(v.value, "${Token[") || strings.Contains(v.value, "{\"Ref\"") {
			add("%s is an unresolved CloudFormation token (%q): read the outputs of a deployed stack, not a synthesized template", v.name, v.value)
		}
	}
	if m.MfaConfiguration != "" {
		if _, ok := mfaConfigurations[m.MfaConfiguration]; !ok {
			add("mfaConfiguration %q is not OFF, OPTIONAL or ON", m.MfaConfiguration)
		}
	}
	for _, method := range m.MfaMethods {
		if _, ok := mfaMethods[strings.ToUpper(method)]; !ok {
			add("mfaMethods has %q; known: SMS, TOTP, EMAIL", method)
		}
	}
	for _, attr := range m.UsernameAttributes {
		if _, ok := usernameAttributes[strings.ToLower(attr)]; !ok {
			add("usernameAttributes has %q; known: email, phone_number, username", attr)
		}
	}
	if pp := m.PasswordPolicy; pp != nil && pp.MinLength < 0 {
		add("passwordPolicy.minLength is %d", pp.MinLength)
	}

	groups := map[string]bool{}
	for i, g := range m.Groups {
		switch {
		case g.Name == "":
			add("groups[%d] has no name", i)
		case groups[g.Name]:
			add("group %q is listed twice", g.Name)
		}
		groups[g.Name] = true
	}
	tenantUsed := false

	tables := map[string]bool{}
	for i, t := range m.Tables {
		label := fmt.Sprintf("tables[%d] (%q)", i, t.Name)
		if t.Name == "" {
			add("tables[%d] has no name", i)
		} else if tables[t.Name] {
			add("table name %q is used twice", t.Name)
		}
		tables[t.Name] = true
		if t.TableName == "" {
			add("%s has no tableName", label)
		}
		if t.PartitionKey == "" {
			add("%s has no partitionKey", label)
		}
		switch t.PartitionKeyValue {
		case keyValueIdentity:
		case keyValueTenant:
			tenantUsed = true
		default:
			add("%s partitionKeyValue is %q, want %q or %q", label, t.PartitionKeyValue, keyValueIdentity, keyValueTenant)
		}
		for _, aud := range sortedKeys(t.Access) {
			checkAudience(add, label, aud, groups, audienceAuthenticated, audienceGuest)
			for _, op := range t.Access[aud] {
				if !tableOps[op] {
					add("%s access for %q has operation %q; known: read, write, delete", label, aud, op)
				}
			}
		}
	}

	buckets := map[string]bool{}
	for i, b := range m.Buckets {
		label := fmt.Sprintf("buckets[%d] (%q)", i, b.Name)
		if b.Name == "" {
			add("buckets[%d] has no name", i)
		} else if buckets[b.Name] {
			add("bucket name %q is used twice", b.Name)
		}
		buckets[b.Name] = true
		if b.BucketName == "" {
			add("%s has no bucketName", label)
		}
		for _, path := range sortedKeys(b.Paths) {
			for _, msg := range checkPath(path) {
				add("%s path %q: %s", label, path, msg)
			}
			hasIdentity := strings.Contains(path, manifest.IdentityToken)
			hasTenant := strings.Contains(path, manifest.TenantToken)
			tenantUsed = tenantUsed || hasTenant
			for _, aud := range sortedKeys(b.Paths[path]) {
				checkAudience(add, label+" path "+quote(path), aud, groups,
					audienceOwner, audienceAuthenticated, audienceGuest, audienceTenant)
				if aud == audienceOwner && !hasIdentity {
					add("%s path %q gives %q access but has no %s segment", label, path, audienceOwner, manifest.IdentityToken)
				}
				if aud == audienceTenant && !hasTenant {
					add("%s path %q gives %q access but has no %s segment", label, path, audienceTenant, manifest.TenantToken)
				}
				for _, op := range b.Paths[path][aud] {
					if !bucketOps[op] {
						add("%s path %q access for %q has operation %q; known: get, list, write, delete", label, path, aud, op)
					}
				}
			}
		}
	}
	if tenantUsed && m.TenantClaim == "" {
		add("a table or path is keyed by tenant but tenantClaim is empty")
	}
	return p
}

// checkPath applies the path rules that Amplify Gen 2 accepts: no leading "/", ends with "/*",
// no "//", a wildcard only at the end, and each token at most once as a whole segment.
func checkPath(path string) []string {
	var p []string
	if path == "" {
		return []string{"is empty"}
	}
	if strings.HasPrefix(path, "/") {
		p = append(p, `starts with "/"`)
	}
	if !strings.HasSuffix(path, "/*") {
		p = append(p, `does not end with "/*"`)
	}
	if strings.Contains(path, "//") {
		p = append(p, `has "//"`)
	}
	if strings.Contains(strings.TrimSuffix(path, "*"), "*") {
		p = append(p, "has a wildcard before the end")
	}
	for _, token := range []string{manifest.IdentityToken, manifest.TenantToken} {
		switch n := strings.Count(path, token); {
		case n > 1:
			p = append(p, fmt.Sprintf("has %s %d times", token, n))
		case n == 1:
			whole := false
			for _, seg := range strings.Split(path, "/") {
				if seg == token {
					whole = true
				}
			}
			if !whole {
				p = append(p, fmt.Sprintf("has %s inside a segment; it must be a whole segment", token))
			}
		}
	}
	rest := strings.NewReplacer(manifest.IdentityToken, "", manifest.TenantToken, "").Replace(path)
	if strings.ContainsAny(rest, "{}$") {
		p = append(p, "has an unknown {token} or a $; only "+manifest.IdentityToken+" and "+manifest.TenantToken+" are known")
	}
	return p
}

func checkAudience(add func(string, ...any), label, aud string, groups map[string]bool, allowed ...string) {
	if name, ok := strings.CutPrefix(aud, groupPrefix); ok {
		if !groups[name] {
			add("%s gives access to group %q, which is not in groups", label, name)
		}
		return
	}
	for _, a := range allowed {
		if aud == a {
			return
		}
	}
	add("%s has unknown audience %q; known: %s, group:<name>", label, aud, strings.Join(allowed, ", "))
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func quote(s string) string { return fmt.Sprintf("%q", s) }
