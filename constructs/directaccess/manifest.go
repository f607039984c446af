package directaccess

import (
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"

	"github.com/apiless/apiless/manifest"
)

// buildManifest describes the backend for frontends. IDs and names are CDK tokens here; a
// CfnOutput of the JSON turns them into values at deploy time.
func (d *directAccess) buildManifest(props *DirectAccessProps) *manifest.Manifest {
	m := &manifest.Manifest{
		Version:                          manifest.Version,
		Region:                           *awscdk.Stack_Of(d).Region(),
		UserPoolID:                       *d.userPool.UserPoolId(),
		UserPoolClientID:                 *d.userPoolClient.UserPoolClientId(),
		IdentityPoolID:                   *d.IdentityPoolId(),
		UserPoolProviderName:             *d.ProviderName(),
		UnauthenticatedIdentitiesEnabled: d.spec.guests,
		TenantClaim:                      d.spec.tenantClaim,
		Tables:                           []manifest.Table{},
		Buckets:                          []manifest.Bucket{},
	}
	if props.UserPool == nil {
		m.UsernameAttributes = []string{"email"}
		m.PasswordPolicy = &manifest.PasswordPolicy{MinLength: 8, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true}
		mfa := props.Mfa
		if mfa == "" {
			mfa = awscognito.Mfa_OPTIONAL
		}
		m.MfaConfiguration = string(mfa)
		if mfa != awscognito.Mfa_OFF {
			m.MfaMethods = []string{"TOTP"}
		}
	}
	for _, g := range d.spec.groups {
		m.Groups = append(m.Groups, manifest.Group{Name: g.name, Precedence: int(g.precedence)})
	}
	for _, t := range d.spec.tables {
		mt := manifest.Table{
			Name: t.name, TableName: *d.tables[t.name].TableName(), PartitionKey: t.partitionKey,
			SortKey: t.sortKey, PartitionKeyValue: string(t.partitionValue), Access: map[string][]string{},
			Attributes: t.attributes,
		}
		for _, ix := range t.indexes {
			mt.Indexes = append(mt.Indexes, ix.name)
		}
		for a, ops := range t.grants {
			if len(ops) == 0 {
				continue
			}
			for _, op := range allTableOperations {
				if slices.Contains(ops, op) {
					mt.Access[string(a)] = append(mt.Access[string(a)], string(op))
				}
			}
		}
		m.Tables = append(m.Tables, mt)
	}
	for _, b := range d.spec.buckets {
		mb := manifest.Bucket{Name: b.name, BucketName: *d.buckets[b.name].BucketName(), Paths: map[string]map[string][]string{}}
		for _, p := range b.paths {
			rules := map[string][]string{}
			for a, ops := range p.grants {
				for _, op := range allStorageOperations {
					if slices.Contains(ops, op) {
						rules[string(a)] = append(rules[string(a)], string(op))
					}
				}
			}
			mb.Paths[p.raw] = rules
		}
		m.Buckets = append(m.Buckets, mb)
	}
	return m
}
