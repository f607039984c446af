package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/apiless/apiless/constructs/directaccess"
	"github.com/apiless/apiless/isolation"
)

// Two real configurations of the construct, an app before and after an upgrade that adds a
// group with its own folder and opens a shared folder to signed-in users: the permission diff must show exactly
// those gains, per audience, and nothing lost.

var upgradeAll = []directaccess.StorageOperation{directaccess.StorageGet, directaccess.StorageList, directaccess.StorageWrite, directaccess.StorageDelete}

func upgradeBefore(stack awscdk.Stack) {
	directaccess.NewDirectAccess(stack, jsii.String("Access"), &directaccess.DirectAccessProps{
		Tables: []*directaccess.TableRule{{Name: jsii.String("Notes"), SortKey: jsii.String("noteId")}},
		Buckets: []*directaccess.BucketRule{{Name: jsii.String("Files"), Paths: []*directaccess.PathRule{
			{Path: jsii.String("private/{identity}/*"), Owner: &upgradeAll},
		}}},
	})
}

func upgradeAfter(stack awscdk.Stack) {
	read := []directaccess.StorageOperation{directaccess.StorageGet, directaccess.StorageList}
	directaccess.NewDirectAccess(stack, jsii.String("Access"), &directaccess.DirectAccessProps{
		Groups: []*directaccess.GroupRule{{Name: jsii.String("admins"), Precedence: jsii.Number(1)}},
		Tables: []*directaccess.TableRule{{Name: jsii.String("Notes"), SortKey: jsii.String("noteId")}},
		Buckets: []*directaccess.BucketRule{{Name: jsii.String("Files"), Paths: []*directaccess.PathRule{
			{Path: jsii.String("private/{identity}/*"), Owner: &upgradeAll},
			{Path: jsii.String("public/*"), Authenticated: &read},
			{Path: jsii.String("reports/*"), Groups: map[string][]directaccess.StorageOperation{"admins": upgradeAll}},
		}}},
	})
}

func audiencesOf(cs []isolation.Change) []string {
	var out []string
	for _, c := range cs {
		if !slices.Contains(out, c.Audience) {
			out = append(out, c.Audience)
		}
	}
	slices.Sort(out)
	return out
}

func TestPermissionDiffOfRealConfigurations(t *testing.T) {
	tpls := synthExtra(t)
	before, after := tpls["UpgradeBefore"].Raw, tpls["UpgradeAfter"].Raw

	same, err := isolation.DiffTemplates(before, before, isolation.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !same.Empty() {
		t.Errorf("a template against itself: want an empty diff, got %+v", same.Audiences)
	}

	d, err := isolation.DiffTemplates(before, after, isolation.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := audiencesOf(d.Gains()), []string{"authenticated", "group admins"}; !slices.Equal(got, want) {
		t.Errorf("audiences that gain: got %q, want %q", got, want)
	}
	if l := d.Losses(); len(l) != 0 {
		t.Errorf("nothing is taken away, got losses %+v", l)
	}
	var authPublic []string
	for _, c := range d.Gains() {
		if c.Audience == "authenticated" {
			if !strings.Contains(c.Check, "public/*") && !strings.Contains(c.Request, "s3:prefix=public/") {
				t.Errorf("signed-in users gain outside public/*: %+v", c)
			}
			authPublic = append(authPublic, c.Actions...)
		}
		if c.Audience == "group admins" && strings.Contains(c.Check, "private/{identity}/*: own object") {
			// A new group role must carry every per-identity grant.
			if !slices.Equal(c.Actions, []string{"s3:DeleteObject", "s3:GetObject", "s3:PutObject"}) {
				t.Errorf("group admins' own folder: got %q", c.Actions)
			}
		}
	}
	for _, a := range []string{"s3:GetObject", "s3:ListBucket"} {
		if !slices.Contains(authPublic, a) {
			t.Errorf("signed-in users should gain %s on public/*, gained %q", a, authPublic)
		}
	}
	for _, a := range authPublic {
		if a == "s3:PutObject" || a == "s3:DeleteObject" {
			t.Errorf("public/* is read-only for signed-in users, but they gain %s", a)
		}
	}

	back, err := isolation.DiffTemplates(after, before, isolation.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Gains()) != 0 || len(back.Losses()) != len(d.Gains()) {
		t.Errorf("the downgrade: want %d losses and no gains, got %d and %d", len(d.Gains()), len(back.Losses()), len(back.Gains()))
	}
}
