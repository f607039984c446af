package clientconfig

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/apiless/apiless/manifest"
	"github.com/apiless/apiless/validation"
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
	if err := Validate(&m).Err(where + " is not usable"); err != nil {
		return nil, err
	}
	return &m, nil
}

// Validate lists what in m cannot be turned into client configuration, every problem at once,
// each on the manifest's JSON path ("tables[0].partitionKey", `buckets[1].paths["public/*"]`).
// An empty list means m is usable.
func Validate(m *manifest.Manifest) validation.List {
	var l validation.List
	validateIDs(&l, m)
	validateAuth(&l, m)
	groups := validateGroups(&l, m.Groups)
	tenantUsed := validateTables(&l, m.Tables, groups)
	if validateBuckets(&l, m.Buckets, groups) {
		tenantUsed = true
	}
	if tenantUsed && m.TenantClaim == "" {
		l.Add("tenantClaim", validation.Required, "",
			"is empty, but a table or path is keyed by tenant; expected the name of the ID token claim that holds the tenant")
	}
	return l
}

// validateIDs checks the deploy-time identifiers: present, of the form Amplify JS reads the
// region from, and resolved.
func validateIDs(l *validation.List, m *manifest.Manifest) {
	for _, r := range []struct{ field, value string }{
		{"region", m.Region},
		{"userPoolId", m.UserPoolID},
		{"userPoolClientId", m.UserPoolClientID},
		{"identityPoolId", m.IdentityPoolID},
	} {
		if strings.TrimSpace(r.value) == "" {
			l.Add(r.field, validation.Required, r.value, "is empty; expected the deployed stack's value")
		}
	}
	// Amplify JS takes the Cognito Identity region from the pool ID's "<region>:" prefix, and the
	// user pool's from its "<region>_" prefix.
	if m.IdentityPoolID != "" && !strings.Contains(m.IdentityPoolID, ":") {
		l.Add("identityPoolId", validation.Invalid, m.IdentityPoolID, "%q is not of the form <region>:<id>", m.IdentityPoolID)
	}
	if m.UserPoolID != "" && !strings.Contains(m.UserPoolID, "_") {
		l.Add("userPoolId", validation.Invalid, m.UserPoolID, "%q is not of the form <region>_<id>", m.UserPoolID)
	}
	for _, v := range []struct{ field, value string }{
		{"region", m.Region}, {"userPoolId", m.UserPoolID}, {"userPoolClientId", m.UserPoolClientID},
		{"identityPoolId", m.IdentityPoolID}, {"userPoolProviderName", m.UserPoolProviderName},
	} {
		if strings.Contains(v.value, "${Token[") || strings.Contains(v.value, "{\"Ref\"") {
			l.Add(v.field, validation.Invalid, v.value,
				"%q is an unresolved CloudFormation token: read the outputs of a deployed stack, not a synthesized template", v.value)
		}
	}
}

// validateAuth checks the sign-in settings against the values Amplify knows.
func validateAuth(l *validation.List, m *manifest.Manifest) {
	if _, ok := mfaConfigurations[m.MfaConfiguration]; m.MfaConfiguration != "" && !ok {
		l.Add("mfaConfiguration", validation.NotSupported, m.MfaConfiguration, "%q; expected OFF, OPTIONAL or ON", m.MfaConfiguration)
	}
	for i, method := range m.MfaMethods {
		if _, ok := mfaMethods[strings.ToUpper(method)]; !ok {
			l.Add(validation.Index("mfaMethods", i), validation.NotSupported, method, "%q; known: SMS, TOTP, EMAIL", method)
		}
	}
	for i, attr := range m.UsernameAttributes {
		if _, ok := usernameAttributes[strings.ToLower(attr)]; !ok {
			l.Add(validation.Index("usernameAttributes", i), validation.NotSupported, attr, "%q; known: email, phone_number, username", attr)
		}
	}
	if pp := m.PasswordPolicy; pp != nil && pp.MinLength < 0 {
		l.Add("passwordPolicy.minLength", validation.Invalid, pp.MinLength, "is %d; expected 0 or more", pp.MinLength)
	}
}

// validateGroups checks the group names and returns them.
func validateGroups(l *validation.List, groups []manifest.Group) map[string]bool {
	names := map[string]bool{}
	for i, g := range groups {
		field := validation.Index("groups", i) + ".name"
		switch {
		case g.Name == "":
			l.Add(field, validation.Required, g.Name, "is empty; every group needs a name")
		case names[g.Name]:
			l.Add(field, validation.Duplicate, g.Name, "%q is listed twice", g.Name)
		}
		names[g.Name] = true
	}
	return names
}

// validateTables checks the tables and reports whether one is keyed by tenant.
func validateTables(l *validation.List, tables []manifest.Table, groups map[string]bool) (tenantUsed bool) {
	names := map[string]bool{}
	for i, t := range tables {
		field := validation.Index("tables", i)
		validateName(l, field, "table", t.Name, names)
		if t.TableName == "" {
			l.Add(field+".tableName", validation.Required, t.TableName, "is empty; expected the DynamoDB table name of table %q", t.Name)
		}
		if t.PartitionKey == "" {
			l.Add(field+".partitionKey", validation.Required, t.PartitionKey, "is empty; expected the partition key attribute of table %q", t.Name)
		}
		switch t.PartitionKeyValue {
		case keyValueIdentity:
		case keyValueTenant:
			tenantUsed = true
		default:
			l.Add(field+".partitionKeyValue", validation.NotSupported, t.PartitionKeyValue,
				"%q; expected %q or %q", t.PartitionKeyValue, keyValueIdentity, keyValueTenant)
		}
		for _, aud := range slices.Sorted(maps.Keys(t.Access)) {
			audField := validation.Key(field+".access", aud)
			validateAudience(l, audField, aud, groups, audienceAuthenticated, audienceGuest)
			validateOps(l, audField, t.Access[aud], tableOps, "read, write, delete")
		}
	}
	return tenantUsed
}

// validateBuckets checks the buckets and their path rules and reports whether a path is keyed
// by tenant.
func validateBuckets(l *validation.List, buckets []manifest.Bucket, groups map[string]bool) (tenantUsed bool) {
	names := map[string]bool{}
	for i, b := range buckets {
		field := validation.Index("buckets", i)
		validateName(l, field, "bucket", b.Name, names)
		if b.BucketName == "" {
			l.Add(field+".bucketName", validation.Required, b.BucketName, "is empty; expected the S3 bucket name of bucket %q", b.Name)
		}
		for _, path := range slices.Sorted(maps.Keys(b.Paths)) {
			pathField := validation.Key(field+".paths", path)
			for _, msg := range checkPath(path) {
				l.Add(pathField, validation.Invalid, path, "%s", msg)
			}
			hasIdentity := strings.Contains(path, manifest.IdentityToken)
			hasTenant := strings.Contains(path, manifest.TenantToken)
			tenantUsed = tenantUsed || hasTenant
			for _, aud := range slices.Sorted(maps.Keys(b.Paths[path])) {
				audField := validation.Key(pathField, aud)
				validateAudience(l, audField, aud, groups, audienceOwner, audienceAuthenticated, audienceGuest, audienceTenant)
				for _, need := range []struct {
					audience, token string
					has             bool
				}{{audienceOwner, manifest.IdentityToken, hasIdentity}, {audienceTenant, manifest.TenantToken, hasTenant}} {
					if aud == need.audience && !need.has {
						l.Add(audField, validation.Forbidden, aud,
							"gives %q access but path %q has no %s segment, so it would be shared", aud, path, need.token)
					}
				}
				validateOps(l, audField, b.Paths[path][aud], bucketOps, "get, list, write, delete")
			}
		}
	}
	return tenantUsed
}

// validateName checks the logical name of a table or bucket at field and records it in seen.
func validateName(l *validation.List, field, kind, name string, seen map[string]bool) {
	switch {
	case name == "":
		l.Add(field+".name", validation.Required, name, "is empty; every %s needs a logical name", kind)
	case seen[name]:
		l.Add(field+".name", validation.Duplicate, name, "%s name %q is used twice", kind, name)
	}
	seen[name] = true
}

// validateOps checks the operations granted at field (an access entry) against the known ones.
func validateOps(l *validation.List, field string, ops []string, known map[string]bool, knownList string) {
	for j, op := range ops {
		if !known[op] {
			l.Add(validation.Index(field, j), validation.NotSupported, op, "operation %q; known: %s", op, knownList)
		}
	}
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
	segments := strings.Split(path, "/")
	for _, token := range []string{manifest.IdentityToken, manifest.TenantToken} {
		switch n := strings.Count(path, token); {
		case n > 1:
			p = append(p, fmt.Sprintf("has %s %d times", token, n))
		case n == 1 && !slices.Contains(segments, token):
			p = append(p, fmt.Sprintf("has %s inside a segment; it must be a whole segment", token))
		}
	}
	rest := strings.NewReplacer(manifest.IdentityToken, "", manifest.TenantToken, "").Replace(path)
	if strings.ContainsAny(rest, "{}$") {
		p = append(p, "has an unknown {token} or a $; only "+manifest.IdentityToken+" and "+manifest.TenantToken+" are known")
	}
	return p
}

// validateAudience checks an audience key at field: one of allowed, or "group:<name>" of a
// declared group.
func validateAudience(l *validation.List, field, aud string, groups map[string]bool, allowed ...string) {
	if name, ok := strings.CutPrefix(aud, groupPrefix); ok {
		if !groups[name] {
			l.Add(field, validation.Invalid, aud, "gives access to group %q, which is not in groups", name)
		}
		return
	}
	if !slices.Contains(allowed, aud) {
		l.Add(field, validation.NotSupported, aud, "unknown audience %q; known: %s, group:<name>", aud, strings.Join(allowed, ", "))
	}
}
