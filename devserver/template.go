package devserver

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/apiless/apiless/iameval"
)

// backend is what the dev server emulates, read once from the template: the user pool and its
// client, the identity pool with its roles, role mappings and principal tags, the tables and the
// buckets.
type backend struct {
	tpl    *iameval.Template
	region string

	userPoolID string   // us-east-1_xxx
	clients    []string // app client IDs of the user pool
	// customAttrs are the user pool's custom attributes (without the custom: prefix).
	customAttrs []string
	groups      map[string]group // by group name

	identityPoolID string
	allowGuests    bool
	providers      []identityProvider
	authRole       *iameval.Role
	guestRole      *iameval.Role
	mapping        *roleMapping             // nil: always the authenticated role
	principalTags  map[string]string        // tag key -> token claim
	roles          map[string]*iameval.Role // by ARN

	tables  map[string]*table  // by physical name
	buckets map[string]*bucket // by physical name
}

type group struct {
	name       string
	precedence int
	roleARN    string
}

// identityProvider is one entry of the identity pool's CognitoIdentityProviders.
type identityProvider struct {
	providerName string // cognito-idp.<region>.amazonaws.com/<pool id>
	clientID     string
}

// roleMapping is the identity pool's role mapping for the user pool provider.
type roleMapping struct {
	typ       string // Token or Rules
	ambiguous string // AuthenticatedRole or Deny
	rules     []mappingRule
}

type mappingRule struct {
	claim, matchType, value, roleARN string
}

type table struct {
	logicalID string
	name      string
	arn       string
	hashKey   string
	rangeKey  string
	// indexes maps an index name to its partition key attribute.
	indexes    map[string]string
	attrDefs   []attrDef
	keySchemas map[string][2]string // "" for the table, else index name -> hash, range
	gsis       []string
	lsis       []string
}

type attrDef struct{ name, typ string }

type bucket struct {
	logicalID string
	name      string
	arn       string
	cors      []corsRule
}

type corsRule struct {
	origins, methods, headers, expose []string
	maxAge                            int
}

// readBackend reads the template. It fails when the template has no identity pool with roles:
// nothing could then hand out credentials.
func readBackend(tpl *iameval.Template) (*backend, error) {
	b := &backend{tpl: tpl, region: tpl.Env().Region, groups: map[string]group{}, roles: map[string]*iameval.Role{},
		tables: map[string]*table{}, buckets: map[string]*bucket{}, principalTags: map[string]string{}}
	var errs []error
	for _, step := range []func() error{b.readUserPool, b.readIdentityPool, b.readRoleAttachment, b.readPrincipalTags, b.readTables, b.readBuckets} {
		if err := step(); err != nil {
			errs = append(errs, err)
		}
	}
	return b, errors.Join(errs...)
}

func (b *backend) str(r *iameval.Resource, prop string) (string, error) {
	v, ok := r.Properties[prop]
	if !ok {
		return "", nil
	}
	return b.tpl.ResolveString(v, "Resources."+r.LogicalID+".Properties."+prop)
}

func (b *backend) readUserPool() error {
	pools := b.tpl.ResourcesOfType("AWS::Cognito::UserPool")
	if len(pools) == 0 {
		return fmt.Errorf("the template has no AWS::Cognito::UserPool: apiless dev emulates a Cognito user pool as the identity pool's sign-in provider")
	}
	if len(pools) > 1 {
		return fmt.Errorf("the template has %d user pools; apiless dev emulates one", len(pools))
	}
	up := pools[0]
	id, err := b.tpl.Ref(up.LogicalID)
	if err != nil {
		return err
	}
	b.userPoolID = id
	if schema, ok := up.Properties["Schema"].([]any); ok {
		for _, s := range schema {
			m, _ := s.(map[string]any)
			name, _ := m["Name"].(string)
			if _, custom := m["AttributeDataType"]; custom && name != "" {
				b.customAttrs = append(b.customAttrs, name)
			}
		}
	}
	for _, c := range b.tpl.ResourcesOfType("AWS::Cognito::UserPoolClient") {
		cid, err := b.tpl.Ref(c.LogicalID)
		if err != nil {
			return err
		}
		b.clients = append(b.clients, cid)
	}
	for _, g := range b.tpl.ResourcesOfType("AWS::Cognito::UserPoolGroup") {
		name, err := b.str(g, "GroupName")
		if err != nil {
			return err
		}
		if name == "" {
			name = g.LogicalID
		}
		role, err := b.str(g, "RoleArn")
		if err != nil {
			return err
		}
		prec := 0
		if p, ok := g.Properties["Precedence"]; ok {
			fmt.Sscan(fmt.Sprint(p), &prec)
		}
		b.groups[name] = group{name: name, precedence: prec, roleARN: role}
	}
	return nil
}

func (b *backend) readIdentityPool() error {
	pools := b.tpl.ResourcesOfType("AWS::Cognito::IdentityPool")
	if len(pools) != 1 {
		return fmt.Errorf("the template has %d AWS::Cognito::IdentityPool resources; apiless dev needs exactly one", len(pools))
	}
	ip := pools[0]
	id, err := b.tpl.Ref(ip.LogicalID)
	if err != nil {
		return err
	}
	b.identityPoolID = id
	b.allowGuests = fmt.Sprint(ip.Properties["AllowUnauthenticatedIdentities"]) == "true"
	list, _ := ip.Properties["CognitoIdentityProviders"].([]any)
	for i, e := range list {
		m, _ := e.(map[string]any)
		path := fmt.Sprintf("Resources.%s.Properties.CognitoIdentityProviders[%d]", ip.LogicalID, i)
		pn, err := b.tpl.ResolveString(m["ProviderName"], path+".ProviderName")
		if err != nil {
			return err
		}
		cid, err := b.tpl.ResolveString(m["ClientId"], path+".ClientId")
		if err != nil {
			return err
		}
		b.providers = append(b.providers, identityProvider{providerName: pn, clientID: cid})
	}
	return nil
}

func (b *backend) role(arn, where string) (*iameval.Role, error) {
	r, err := b.tpl.RoleByARN(arn)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, fmt.Errorf("%s: role %s is not defined in the template, so its policies cannot be evaluated", where, arn)
	}
	if len(r.ExternalPolicies) > 0 {
		return nil, fmt.Errorf("%s: role %s has managed policies outside the template (%s) that cannot be evaluated offline", where, r.LogicalID, strings.Join(r.ExternalPolicies, ", "))
	}
	b.roles[r.ARN] = r
	return r, nil
}

func (b *backend) readRoleAttachment() error {
	atts := b.tpl.ResourcesOfType("AWS::Cognito::IdentityPoolRoleAttachment")
	if len(atts) == 0 {
		return fmt.Errorf("the template has no AWS::Cognito::IdentityPoolRoleAttachment: the identity pool hands out no role")
	}
	att := atts[0]
	base := "Resources." + att.LogicalID + ".Properties"
	roles, _ := att.Properties["Roles"].(map[string]any)
	for kind, v := range roles {
		arn, err := b.tpl.ResolveString(v, base+".Roles."+kind)
		if err != nil {
			return err
		}
		r, err := b.role(arn, base+".Roles."+kind)
		if err != nil {
			return err
		}
		switch kind {
		case "authenticated":
			b.authRole = r
		case "unauthenticated":
			b.guestRole = r
		}
	}
	if b.authRole == nil && b.guestRole == nil {
		return fmt.Errorf("%s.Roles: no authenticated or unauthenticated role", base)
	}
	maps, _ := att.Properties["RoleMappings"].(map[string]any)
	for name, v := range maps {
		m, _ := v.(map[string]any)
		rm := &roleMapping{}
		rm.typ, _ = m["Type"].(string)
		rm.ambiguous, _ = m["AmbiguousRoleResolution"].(string)
		if rc, ok := m["RulesConfiguration"].(map[string]any); ok {
			rules, _ := rc["Rules"].([]any)
			for i, r := range rules {
				rmap, _ := r.(map[string]any)
				arn, err := b.tpl.ResolveString(rmap["RoleARN"], fmt.Sprintf("%s.RoleMappings.%s.RulesConfiguration.Rules[%d].RoleARN", base, name, i))
				if err != nil {
					return err
				}
				if _, err := b.role(arn, base+".RoleMappings."+name); err != nil {
					return err
				}
				rm.rules = append(rm.rules, mappingRule{claim: fmt.Sprint(rmap["Claim"]), matchType: fmt.Sprint(rmap["MatchType"]), value: fmt.Sprint(rmap["Value"]), roleARN: arn})
			}
		}
		b.mapping = rm
	}
	if b.mapping != nil && b.mapping.typ == "Token" {
		for _, g := range b.groups {
			if g.roleARN != "" {
				if _, err := b.role(g.roleARN, "group "+g.name); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (b *backend) readPrincipalTags() error {
	for _, pt := range b.tpl.ResourcesOfType("AWS::Cognito::IdentityPoolPrincipalTag") {
		if fmt.Sprint(pt.Properties["UseDefaults"]) == "true" {
			b.principalTags["username"] = "sub"
			b.principalTags["client"] = "aud"
		}
		tags, _ := pt.Properties["PrincipalTags"].(map[string]any)
		for k, v := range tags {
			b.principalTags[k] = fmt.Sprint(v)
		}
	}
	return nil
}

func (b *backend) readTables() error {
	for _, typ := range []string{"AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable"} {
		for _, r := range b.tpl.ResourcesOfType(typ) {
			name, err := b.tpl.Ref(r.LogicalID)
			if err != nil {
				return err
			}
			arn, err := b.tpl.GetAtt(r.LogicalID, "Arn")
			if err != nil {
				return err
			}
			tb := &table{logicalID: r.LogicalID, name: name, arn: arn, indexes: map[string]string{}, keySchemas: map[string][2]string{}}
			defs, _ := r.Properties["AttributeDefinitions"].([]any)
			for _, d := range defs {
				m, _ := d.(map[string]any)
				tb.attrDefs = append(tb.attrDefs, attrDef{fmt.Sprint(m["AttributeName"]), fmt.Sprint(m["AttributeType"])})
			}
			tb.keySchemas[""] = keySchema(r.Properties["KeySchema"])
			tb.hashKey, tb.rangeKey = tb.keySchemas[""][0], tb.keySchemas[""][1]
			for _, kind := range []string{"GlobalSecondaryIndexes", "LocalSecondaryIndexes"} {
				list, _ := r.Properties[kind].([]any)
				for _, ix := range list {
					m, _ := ix.(map[string]any)
					n := fmt.Sprint(m["IndexName"])
					ks := keySchema(m["KeySchema"])
					tb.keySchemas[n] = ks
					tb.indexes[n] = ks[0]
					if kind == "GlobalSecondaryIndexes" {
						tb.gsis = append(tb.gsis, n)
					} else {
						tb.lsis = append(tb.lsis, n)
					}
				}
			}
			b.tables[name] = tb
		}
	}
	return nil
}

func keySchema(v any) [2]string {
	var out [2]string
	list, _ := v.([]any)
	for _, e := range list {
		m, _ := e.(map[string]any)
		switch m["KeyType"] {
		case "HASH":
			out[0] = fmt.Sprint(m["AttributeName"])
		case "RANGE":
			out[1] = fmt.Sprint(m["AttributeName"])
		}
	}
	return out
}

func (b *backend) readBuckets() error {
	for _, r := range b.tpl.ResourcesOfType("AWS::S3::Bucket") {
		name, err := b.tpl.Ref(r.LogicalID)
		if err != nil {
			return err
		}
		arn, err := b.tpl.GetAtt(r.LogicalID, "Arn")
		if err != nil {
			return err
		}
		bk := &bucket{logicalID: r.LogicalID, name: name, arn: arn}
		if cc, ok := r.Properties["CorsConfiguration"].(map[string]any); ok {
			rules, _ := cc["CorsRules"].([]any)
			for i, cr := range rules {
				m, _ := cr.(map[string]any)
				path := fmt.Sprintf("Resources.%s.Properties.CorsConfiguration.CorsRules[%d]", r.LogicalID, i)
				rule := corsRule{}
				for field, dst := range map[string]*[]string{"AllowedOrigins": &rule.origins, "AllowedMethods": &rule.methods, "AllowedHeaders": &rule.headers, "ExposedHeaders": &rule.expose} {
					if v, ok := m[field]; ok {
						res, err := b.tpl.Resolve(v, path+"."+field)
						if err != nil {
							return err
						}
						list, _ := res.([]any)
						for _, s := range list {
							*dst = append(*dst, fmt.Sprint(s))
						}
					}
				}
				fmt.Sscan(fmt.Sprint(m["MaxAge"]), &rule.maxAge)
				bk.cors = append(bk.cors, rule)
			}
		}
		b.buckets[name] = bk
	}
	return nil
}

// providerName is the user pool's name as the identity pool's Logins map and the amr see it.
func (b *backend) providerName() string {
	return "cognito-idp." + b.region + ".amazonaws.com/" + b.userPoolID
}

// clientAllowed reports whether the identity pool accepts ID tokens of the client.
func (b *backend) clientAllowed(clientID string) bool {
	return slices.ContainsFunc(b.providers, func(p identityProvider) bool {
		return p.providerName == b.providerName() && p.clientID == clientID
	})
}
