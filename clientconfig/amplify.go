package clientconfig

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/apiless/apiless/manifest"
)

// AmplifySchemaVersion is the Amplify Gen 2 client config schema version written. Version 1.4 is
// the first whose types (npm @aws-amplify/client-config, client_config_v1.4.d.ts) type the
// audience keys of storage path rules as "group<name>"/"entity<name>" (1.2 and 1.3 had literal
// "groups"/"entity") and allow the EMAIL MFA method; 1.5 changed only the notifications category,
// which apiless does not write. Amplify JS v6 accepts any version starting with "1".
const AmplifySchemaVersion = "1.4"

// AmplifyEntityIdentity is the identity placeholder in amplify_outputs.json storage paths. Amplify's
// backend writes the IAM policy variable there (its {entity_id} token exists only in defineStorage),
// and Amplify JS replaces this exact string with the caller's identity ID.
const AmplifyEntityIdentity = "${cognito-identity.amazonaws.com:sub}"

// Amplify audience keys of a storage path rule.
const (
	amplifyEntityIdentity = "entityidentity"
	amplifyGroupPrefix    = "groups"
)

// AmplifyOutputs is the subset of the Amplify Gen 2 client config (schema 1.x) that apiless fills.
type AmplifyOutputs struct {
	Version string          `json:"version"`
	Auth    AmplifyAuth     `json:"auth"`
	Storage *AmplifyStorage `json:"storage,omitempty"`
	Custom  AmplifyCustom   `json:"custom"`
}

// AmplifyAuth is the "auth" category.
type AmplifyAuth struct {
	AWSRegion                        string                      `json:"aws_region"`
	UserPoolID                       string                      `json:"user_pool_id"`
	UserPoolClientID                 string                      `json:"user_pool_client_id"`
	IdentityPoolID                   string                      `json:"identity_pool_id"`
	PasswordPolicy                   *AmplifyPasswordPolicy      `json:"password_policy,omitempty"`
	UsernameAttributes               []string                    `json:"username_attributes,omitempty"`
	UnauthenticatedIdentitiesEnabled bool                        `json:"unauthenticated_identities_enabled"`
	MfaConfiguration                 string                      `json:"mfa_configuration,omitempty"`
	MfaMethods                       []string                    `json:"mfa_methods,omitempty"`
	Groups                           []map[string]AmplifyGroupV1 `json:"groups,omitempty"`
}

// AmplifyPasswordPolicy is auth.password_policy. Amplify JS expects every field to be set.
type AmplifyPasswordPolicy struct {
	MinLength        int  `json:"min_length"`
	RequireNumbers   bool `json:"require_numbers"`
	RequireLowercase bool `json:"require_lowercase"`
	RequireUppercase bool `json:"require_uppercase"`
	RequireSymbols   bool `json:"require_symbols"`
}

// AmplifyGroupV1 is one group's settings; auth.groups is a list of one-key objects {name: settings}.
type AmplifyGroupV1 struct {
	Precedence int `json:"precedence"`
}

// AmplifyStorage is the "storage" category.
type AmplifyStorage struct {
	AWSRegion  string          `json:"aws_region"`
	BucketName string          `json:"bucket_name"`
	Buckets    []AmplifyBucket `json:"buckets"`
}

// AmplifyBucket is one entry of storage.buckets. Paths maps a path (identity placeholder
// AmplifyEntityIdentity) to audience ("entityidentity", "authenticated", "guest",
// "groups<Name>") to actions ("get", "list", "write", "delete").
type AmplifyBucket struct {
	Name       string                         `json:"name"`
	BucketName string                         `json:"bucket_name"`
	AWSRegion  string                         `json:"aws_region"`
	Paths      map[string]map[string][]string `json:"paths"`
}

// AmplifyCustom is the "custom" category: it carries what Amplify has no category for.
type AmplifyCustom struct {
	Apiless CustomApiless `json:"apiless"`
}

// CustomApiless is custom.apiless: the tables, the buckets with apiless path templates, and the
// keying rules a frontend must follow.
type CustomApiless struct {
	ManifestVersion      string `json:"manifest_version"`
	Stack                string `json:"stack"`
	Region               string `json:"aws_region"`
	UserPoolProviderName string `json:"user_pool_provider_name,omitempty"`
	// IdentityKey says what identifies a caller in keys and paths.
	IdentityKey   string         `json:"identity_key"`
	IdentityToken string         `json:"identity_token"`
	TenantToken   string         `json:"tenant_token,omitempty"`
	TenantClaim   string         `json:"tenant_claim,omitempty"`
	Tables        []CustomTable  `json:"tables"`
	Buckets       []CustomBucket `json:"buckets"`
}

// CustomTable is one DynamoDB table in custom.apiless.tables.
type CustomTable struct {
	Name              string              `json:"name"`
	TableName         string              `json:"table_name"`
	AWSRegion         string              `json:"aws_region"`
	PartitionKey      string              `json:"partition_key"`
	SortKey           string              `json:"sort_key,omitempty"`
	PartitionKeyValue string              `json:"partition_key_value"`
	Indexes           []string            `json:"indexes,omitempty"`
	Access            map[string][]string `json:"access"`
	Attributes        []string            `json:"attributes,omitempty"`
}

// CustomBucket is one bucket in custom.apiless.buckets, with the manifest's path templates
// ({identity}, {tenant}) and audiences ("owner", "tenant", "group:<name>", ...) unchanged.
type CustomBucket struct {
	Name       string                         `json:"name"`
	BucketName string                         `json:"bucket_name"`
	AWSRegion  string                         `json:"aws_region"`
	Paths      map[string]map[string][]string `json:"paths"`
}

// identityKeyNote is written into custom.apiless.identity_key.
const identityKeyNote = "Use the identity pool identity ID (fetchAuthSession().identityId, \"<region>:<uuid>\") " +
	"as the partition key value and in place of " + manifest.IdentityToken + " in paths. " +
	"The user pool sub (the ID token's \"sub\" claim) is a different value: IAM denies it."

// BuildAmplifyOutputs converts a checked manifest into amplify_outputs.json content. stack names
// the source stack. Warnings list what Amplify cannot express (tenant paths); those rules are
// still in custom.apiless.
func BuildAmplifyOutputs(m *manifest.Manifest, stack string) (*AmplifyOutputs, []string, error) {
	if err := Validate(m).Err(fmt.Sprintf("manifest of stack %q is not usable", stack)); err != nil {
		return nil, nil, err
	}
	var warnings []string
	out := &AmplifyOutputs{
		Version: AmplifySchemaVersion,
		Auth: AmplifyAuth{
			AWSRegion:                        m.Region,
			UserPoolID:                       m.UserPoolID,
			UserPoolClientID:                 m.UserPoolClientID,
			IdentityPoolID:                   m.IdentityPoolID,
			UnauthenticatedIdentitiesEnabled: m.UnauthenticatedIdentitiesEnabled,
			MfaConfiguration:                 mfaConfigurations[m.MfaConfiguration],
		},
	}
	if pp := m.PasswordPolicy; pp != nil {
		out.Auth.PasswordPolicy = &AmplifyPasswordPolicy{
			MinLength:        pp.MinLength,
			RequireNumbers:   pp.RequireNumbers,
			RequireLowercase: pp.RequireLowercase,
			RequireUppercase: pp.RequireUppercase,
			RequireSymbols:   pp.RequireSymbols,
		}
	}
	for _, a := range m.UsernameAttributes {
		if name := usernameAttributes[strings.ToLower(a)]; !slices.Contains(out.Auth.UsernameAttributes, name) {
			out.Auth.UsernameAttributes = append(out.Auth.UsernameAttributes, name)
		}
	}
	for _, method := range m.MfaMethods {
		if name := mfaMethods[strings.ToUpper(method)]; !slices.Contains(out.Auth.MfaMethods, name) {
			out.Auth.MfaMethods = append(out.Auth.MfaMethods, name)
		}
	}
	for _, g := range m.Groups {
		out.Auth.Groups = append(out.Auth.Groups, map[string]AmplifyGroupV1{g.Name: {Precedence: g.Precedence}})
	}

	if len(m.Buckets) > 0 {
		st := &AmplifyStorage{AWSRegion: m.Region, BucketName: m.Buckets[0].BucketName}
		for _, b := range m.Buckets {
			paths, warn := amplifyPaths(b)
			warnings = append(warnings, warn...)
			st.Buckets = append(st.Buckets, AmplifyBucket{
				Name: b.Name, BucketName: b.BucketName, AWSRegion: m.Region, Paths: paths,
			})
		}
		out.Storage = st
	}

	c := CustomApiless{
		ManifestVersion:      m.Version,
		Stack:                stack,
		Region:               m.Region,
		UserPoolProviderName: m.UserPoolProviderName,
		IdentityKey:          identityKeyNote,
		IdentityToken:        manifest.IdentityToken,
		TenantClaim:          m.TenantClaim,
		Tables:               []CustomTable{},
		Buckets:              []CustomBucket{},
	}
	if m.TenantClaim != "" {
		c.TenantToken = manifest.TenantToken
	}
	for _, t := range m.Tables {
		access := t.Access
		if access == nil {
			access = map[string][]string{}
		}
		c.Tables = append(c.Tables, CustomTable{
			Name: t.Name, TableName: t.TableName, AWSRegion: m.Region,
			PartitionKey: t.PartitionKey, SortKey: t.SortKey, PartitionKeyValue: t.PartitionKeyValue,
			Indexes: t.Indexes, Access: access, Attributes: t.Attributes,
		})
	}
	for _, b := range m.Buckets {
		paths := b.Paths
		if paths == nil {
			paths = map[string]map[string][]string{}
		}
		c.Buckets = append(c.Buckets, CustomBucket{Name: b.Name, BucketName: b.BucketName, AWSRegion: m.Region, Paths: paths})
	}
	out.Custom.Apiless = c
	return out, warnings, nil
}

// amplifyPaths converts a bucket's path rules the way Amplify's backend does for its own
// defineStorage: the owner's rule goes under the path with AmplifyEntityIdentity in place of
// {identity}, keyed "entityidentity"; the other audiences of an {identity} path go under the path
// with "*" in place of the token (a trailing "/*/*" collapsed to "/*"). Paths with {tenant} have no
// Amplify form and are left out, with a warning.
func amplifyPaths(b manifest.Bucket) (map[string]map[string][]string, []string) {
	paths := map[string]map[string][]string{}
	var warnings []string
	put := func(path, audience string, ops []string) {
		if paths[path] == nil {
			paths[path] = map[string][]string{}
		}
		for _, op := range ops {
			if !slices.Contains(paths[path][audience], op) {
				paths[path][audience] = append(paths[path][audience], op)
			}
		}
	}
	for _, path := range slices.Sorted(maps.Keys(b.Paths)) {
		rules := b.Paths[path]
		if strings.Contains(path, manifest.TenantToken) {
			warnings = append(warnings, fmt.Sprintf(
				"bucket %q path %q: Amplify's storage.paths has no tenant token, so this rule is only in custom.apiless.buckets", b.Name, path))
			continue
		}
		for _, aud := range slices.Sorted(maps.Keys(rules)) {
			ops := sortedOps(rules[aud])
			switch {
			case aud == audienceOwner:
				put(strings.Replace(path, manifest.IdentityToken, AmplifyEntityIdentity, 1), amplifyEntityIdentity, ops)
			default:
				key := aud
				if name, ok := strings.CutPrefix(aud, groupPrefix); ok {
					key = amplifyGroupPrefix + name
				}
				p := path
				if strings.Contains(p, manifest.IdentityToken) {
					p = strings.Replace(p, manifest.IdentityToken, "*", 1)
					if strings.HasSuffix(p, "/*/*") {
						p = strings.TrimSuffix(p, "/*")
					}
				}
				put(p, key, ops)
			}
		}
	}
	return paths, warnings
}

// sortedOps orders storage operations the way Amplify writes them, each once.
func sortedOps(ops []string) []string {
	rank := map[string]int{"get": 0, "list": 1, "write": 2, "delete": 3}
	out := slices.Clone(ops)
	slices.SortStableFunc(out, func(a, b string) int { return cmp.Or(rank[a]-rank[b], strings.Compare(a, b)) })
	return slices.Compact(out)
}

// MarshalAmplifyOutputs renders amplify_outputs.json: two-space indent, trailing newline, no HTML
// escaping (so "${...}" and "<" stay readable).
func MarshalAmplifyOutputs(o *AmplifyOutputs) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(o); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
