package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/apiless/apiless/constructs/directaccess"
	"github.com/apiless/apiless/internal/templatetest"
)

// Logical IDs of stateful resources are a contract with every deployed stack: CloudFormation
// identifies a resource by its logical ID, so a changed ID means "create a new resource, then
// delete (or, retained, orphan) the old one". The pins below are written by hand on purpose:
// -update does not rewrite them, and changing one is a breaking change for every user (see the
// README, "Upgrading safely").

// statefulTypes are the resource types whose replacement loses user data, with what is lost.
var statefulTypes = map[string]string{
	"AWS::Cognito::UserPool": "every user account (sign-in, password, attributes): users must sign up again, and " +
		"their new sign-ins map to new identity IDs",
	"AWS::Cognito::IdentityPool": "every identity ID: each user gets a new one at the next sign-in, so every item " +
		"key and folder name keyed by the old IDs is orphaned",
	"AWS::Cognito::IdentityPoolRoleAttachment": "the roles of the identity pool while the attachment is replaced " +
		"(no credentials, or the wrong role, until it is re-created); nothing stored is lost",
	"AWS::Cognito::UserPoolGroup": "every member of the group: membership is not carried to the new group, so " +
		"members lose the group's role",
	"AWS::DynamoDB::GlobalTable": "every item in the table",
	"AWS::DynamoDB::Table":       "every item in the table",
	"AWS::S3::Bucket":            "every file in the bucket (for the access-logs bucket: every access log; for the audit bucket: the audit trail)",
	"AWS::KMS::Key": "the key that encrypts every item and file: a new key cannot decrypt what the old one encrypted, " +
		"and the old one is scheduled for deletion",
}

// pinnedIDs are the stateful logical IDs of each configuration, by type.
var pinnedIDs = map[string]map[string][]string{
	"ApilessDemo": {
		"AWS::Cognito::UserPool":                   {"AccessUserPool771E2DF7"},
		"AWS::Cognito::IdentityPool":               {"AccessIdentityPool3C6EE170"},
		"AWS::Cognito::IdentityPoolRoleAttachment": {"AccessRoleAttachment90D55D62"},
		"AWS::DynamoDB::GlobalTable":               {"AccessItemsD3D6BB4A"},
		"AWS::S3::Bucket":                          {"AccessAccessLogs38BD485A", "AccessFiles94368A56"},
	},
	"ApilessShowcase": {
		"AWS::Cognito::UserPool":                   {"AccessUserPool771E2DF7"},
		"AWS::Cognito::IdentityPool":               {"AccessIdentityPool3C6EE170"},
		"AWS::Cognito::IdentityPoolRoleAttachment": {"AccessRoleAttachment90D55D62"},
		"AWS::Cognito::UserPoolGroup":              {"AccessGroupsadminsGroup72EBDF81", "AccessGroupseditorsGroupDAF1A993"},
		"AWS::DynamoDB::GlobalTable":               {"AccessNotesE8EFFE78", "AccessProfiles55428FA4", "AccessTenantDocsDB096906"},
		"AWS::S3::Bucket":                          {"AccessAccessLogs38BD485A", "AccessAuditLogs4AC5B8A4", "AccessFiles94368A56"},
		"AWS::KMS::Key":                            {"AccessDataKeyB4E5AC22"},
	},
	// The app brings its own user pool, table and bucket (made in its stack) and lets the
	// construct create the identity pool: the app's IDs and the construct's must both hold.
	"BroughtIn": {
		"AWS::Cognito::UserPool":                   {"AppUsersDF9FE12E"},
		"AWS::Cognito::IdentityPool":               {"AccessIdentityPool3C6EE170"},
		"AWS::Cognito::IdentityPoolRoleAttachment": {"AccessRoleAttachment90D55D62"},
		"AWS::DynamoDB::Table":                     {"AppNotesCB92C7B8"},
		"AWS::S3::Bucket":                          {"AppFilesA3DC26A8"},
	},
}

// Extra configurations are synthesized once, together, and shared by the tests of this file and
// of upgrade_diff_test.go.
var (
	extraOnce      sync.Once
	extraTemplates map[string]*templatetest.Template
	extraErr       error
)

func synthExtra(t testing.TB) map[string]*templatetest.Template {
	t.Helper()
	extraOnce.Do(func() {
		extraTemplates, extraErr = templatetest.Synth(nil, func(app awscdk.App) {
			broughtIn(awscdk.NewStack(app, jsii.String("BroughtIn"), nil))
			upgradeBefore(awscdk.NewStack(app, jsii.String("UpgradeBefore"), nil))
			upgradeAfter(awscdk.NewStack(app, jsii.String("UpgradeAfter"), nil))
		})
	})
	if extraErr != nil {
		t.Fatalf("synth: %v", extraErr)
	}
	return extraTemplates
}

func broughtIn(stack awscdk.Stack) {
	pool := awscognito.NewUserPool(stack, jsii.String("AppUsers"), &awscognito.UserPoolProps{
		SignInAliases: &awscognito.SignInAliases{Email: jsii.Bool(true)},
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
	client := pool.AddClient(jsii.String("Web"), &awscognito.UserPoolClientOptions{
		AuthFlows: &awscognito.AuthFlow{UserSrp: jsii.Bool(true)},
	})
	table := awsdynamodb.NewTable(stack, jsii.String("AppNotes"), &awsdynamodb.TableProps{
		PartitionKey:  &awsdynamodb.Attribute{Name: jsii.String("owner"), Type: awsdynamodb.AttributeType_STRING},
		SortKey:       &awsdynamodb.Attribute{Name: jsii.String("noteId"), Type: awsdynamodb.AttributeType_STRING},
		BillingMode:   awsdynamodb.BillingMode_PAY_PER_REQUEST,
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
	bucket := awss3.NewBucket(stack, jsii.String("AppFiles"), &awss3.BucketProps{
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		EnforceSSL:        jsii.Bool(true),
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN,
	})
	directaccess.NewDirectAccess(stack, jsii.String("Access"), &directaccess.DirectAccessProps{
		UserPool: pool, UserPoolClient: client,
		Tables:  []*directaccess.TableRule{{Name: jsii.String("Notes"), Table: table, PartitionKey: jsii.String("owner"), SortKey: jsii.String("noteId")}},
		Buckets: []*directaccess.BucketRule{{Name: jsii.String("Files"), Bucket: bucket}},
	})
}

// statefulIDs returns a template's stateful logical IDs by type.
func statefulIDs(tpl map[string]any) map[string][]string {
	out := map[string][]string{}
	res, _ := tpl["Resources"].(map[string]any)
	for id, r := range res {
		typ, _ := r.(map[string]any)["Type"].(string)
		if _, ok := statefulTypes[typ]; ok {
			out[typ] = append(out[typ], id)
		}
	}
	for _, ids := range out {
		slices.Sort(ids)
	}
	return out
}

// logicalIDProblems compares a template's stateful logical IDs with the pins and says, for each
// pinned ID that is gone, what CloudFormation would do on deploy and what users would lose.
func logicalIDProblems(pins map[string][]string, tpl map[string]any) []string {
	got := statefulIDs(tpl)
	var problems []string
	for _, typ := range slices.Sorted(maps.Keys(statefulTypes)) {
		want, have := pins[typ], got[typ]
		var gone, added []string
		for _, id := range want {
			if !slices.Contains(have, id) {
				gone = append(gone, id)
			}
		}
		for _, id := range have {
			if !slices.Contains(want, id) {
				added = append(added, id)
			}
		}
		for _, id := range gone {
			msg := fmt.Sprintf("%s %s is no longer in the template", typ, id)
			if len(added) > 0 {
				msg += fmt.Sprintf(" (new: %s)", strings.Join(added, ", "))
			}
			msg += fmt.Sprintf(": on the next deploy CloudFormation would create a new resource and delete the old one "+
				"(or orphan it, when retained), i.e. replace it; users would lose %s. Keep the construct ID, or "+
				"pin the new logical ID here only for a major version with a migration note", statefulTypes[typ])
			problems = append(problems, msg)
		}
		if len(gone) == 0 && len(added) > 0 {
			problems = append(problems, fmt.Sprintf("%s %s is new and not pinned: add it to pinnedIDs so that a later rename is caught",
				typ, strings.Join(added, ", ")))
		}
	}
	return problems
}

func logicalIDTemplates(t *testing.T) map[string]*templatetest.Template {
	t.Helper()
	all := map[string]*templatetest.Template{}
	for name, tpl := range synthApp(t) {
		all[name] = tpl
	}
	all["BroughtIn"] = synthExtra(t)["BroughtIn"]
	return all
}

func TestStatefulLogicalIDsArePinned(t *testing.T) {
	templates := logicalIDTemplates(t)
	for _, name := range slices.Sorted(maps.Keys(pinnedIDs)) {
		t.Run(name, func(t *testing.T) {
			tpl := templates[name]
			if tpl == nil {
				t.Fatalf("configuration %s was not synthesized", name)
			}
			for _, p := range logicalIDProblems(pinnedIDs[name], tpl.JSON) {
				t.Error(p)
			}
		})
	}
}

// The golden templates in testdata/ hold the same IDs, so a golden refreshed with -update after
// a rename still fails here.
func TestGoldenTemplatesKeepPinnedIDs(t *testing.T) {
	for _, name := range []string{"ApilessDemo", "ApilessShowcase"} {
		t.Run(name, func(t *testing.T) {
			var tpl map[string]any
			if err := json.Unmarshal(readTestdata(t, name+".template.json"), &tpl); err != nil {
				t.Fatal(err)
			}
			for _, p := range logicalIDProblems(pinnedIDs[name], tpl) {
				t.Error(p)
			}
		})
	}
}

// TestLogicalIDCheckCatchesARename renames each pinned resource in a copy of the template (as a
// changed construct ID would) and requires the check to fail with what CloudFormation would do
// and what users would lose.
func TestLogicalIDCheckCatchesARename(t *testing.T) {
	for name, tpl := range logicalIDTemplates(t) {
		pins := pinnedIDs[name]
		if pins == nil {
			continue
		}
		for typ, ids := range pins {
			for _, id := range ids {
				t.Run(name+"/"+id, func(t *testing.T) {
					renamed := strings.ReplaceAll(string(tpl.Raw), `"`+id+`"`, `"`+id+`Renamed"`)
					var copyJSON map[string]any
					if err := json.Unmarshal([]byte(renamed), &copyJSON); err != nil {
						t.Fatal(err)
					}
					problems := logicalIDProblems(pins, copyJSON)
					if len(problems) != 1 {
						t.Fatalf("renaming %s: got %d problems, want 1: %q", id, len(problems), problems)
					}
					for _, want := range []string{typ + " " + id + " is no longer in the template", id + "Renamed",
						"replace it", "users would lose " + statefulTypes[typ]} {
						if !strings.Contains(problems[0], want) {
							t.Errorf("message lacks %q:\n%s", want, problems[0])
						}
					}
				})
			}
		}
	}
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
