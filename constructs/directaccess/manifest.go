package directaccess

import (
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"

	"github.com/apiless/apiless/manifest"
)

// deployIDs are the values of a deployed backend that only CloudFormation knows: CDK tokens at
// synth, filled in at deploy time.
type deployIDs struct {
	region, userPoolID, userPoolClientID, identityPoolID, providerName string
	// tableNames and bucketNames map a rule's Name to the physical name.
	tableNames, bucketNames map[string]string
}

// buildManifest describes the backend for frontends, from the spec and the deploy-time IDs.
func buildManifest(s *spec, ids deployIDs) *manifest.Manifest {
	m := &manifest.Manifest{
		Version:                          manifest.Version,
		Region:                           ids.region,
		UserPoolID:                       ids.userPoolID,
		UserPoolClientID:                 ids.userPoolClientID,
		IdentityPoolID:                   ids.identityPoolID,
		UserPoolProviderName:             ids.providerName,
		UnauthenticatedIdentitiesEnabled: s.guests,
		TenantClaim:                      s.tenantClaim,
		TenantTag:                        s.tenantTag,
		Tables:                           []manifest.Table{},
		Buckets:                          []manifest.Bucket{},
	}
	if s.pool.existing == nil {
		m.UsernameAttributes = []string{"email"}
		m.PasswordPolicy = s.pool.password.manifest()
		m.MfaConfiguration = string(s.pool.mfa)
		if s.pool.mfa != awscognito.Mfa_OFF {
			m.MfaMethods = []string{"TOTP"}
		}
	}
	for _, g := range s.groups {
		m.Groups = append(m.Groups, manifest.Group{Name: g.name, Precedence: int(g.precedence)})
	}
	for _, t := range s.tables {
		m.Tables = append(m.Tables, manifestTable(t, ids.tableNames[t.name], s.maintenance))
	}
	for _, b := range s.buckets {
		m.Buckets = append(m.Buckets, manifestBucket(b, ids.bucketNames[b.name], s.maintenance))
	}
	return m
}

// inService is whether an operation is still granted under a maintenance mode: the manifest
// declares what identities may do now, so verify expects the maintenance denies and a frontend
// can show the app as read-only.
func inService(mode MaintenanceMode, op string) bool {
	switch mode {
	case MaintenanceOff:
		return false
	case MaintenanceReadOnly:
		return op != string(TableWrite) && op != string(TableDelete) // the storage names are the same
	}
	return true
}

func (p passwordPolicy) manifest() *manifest.PasswordPolicy {
	return &manifest.PasswordPolicy{MinLength: p.minLength, RequireLowercase: p.lowercase, RequireUppercase: p.uppercase, RequireNumbers: p.digits, RequireSymbols: p.symbols}
}

func manifestTable(t tableSpec, physical string, mode MaintenanceMode) manifest.Table {
	mt := manifest.Table{
		Name: t.name, TableName: physical, PartitionKey: t.partitionKey,
		SortKey: t.sortKey, PartitionKeyValue: string(t.partitionValue), Access: map[string][]string{},
		Attributes: t.attributes,
	}
	for _, ix := range t.indexes {
		mt.Indexes = append(mt.Indexes, ix.name)
	}
	for a, ops := range t.grants {
		for _, op := range allTableOperations {
			if slices.Contains(ops, op) && inService(mode, string(op)) {
				mt.Access[string(a)] = append(mt.Access[string(a)], string(op))
			}
		}
	}
	return mt
}

func manifestBucket(b bucketSpec, physical string, mode MaintenanceMode) manifest.Bucket {
	mb := manifest.Bucket{Name: b.name, BucketName: physical, Paths: map[string]map[string][]string{}}
	for _, p := range b.paths {
		rules := map[string][]string{}
		for a, ops := range p.grants {
			for _, op := range allStorageOperations {
				if slices.Contains(ops, op) && inService(mode, string(op)) {
					rules[string(a)] = append(rules[string(a)], string(op))
				}
			}
		}
		mb.Paths[p.raw] = rules
	}
	return mb
}
