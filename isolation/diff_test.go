package isolation

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The diff tests build template pairs by hand from the demo template: the old template as
// synthesized, the new one with one change, made by meaning (the statement with a Sid, the trust
// condition on amr), so the expected gain or loss is known exactly.

var demoTemplate = filepath.Join("..", "testdata", "ApilessDemo.template.json")

func diffOf(t *testing.T, old, new tmpl) *Diff {
	t.Helper()
	d, err := DiffTemplates([]byte(jsonOf(old)), []byte(jsonOf(new)), Options{})
	if err != nil {
		t.Fatalf("DiffTemplates: %v", err)
	}
	return d
}

// changeLine is a change in one comparable line: "audience | check | actions".
func changeLine(c Change) string {
	return c.Audience + " | " + c.Check + " | " + strings.Join(c.Actions, " ")
}

func lines(cs []Change) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, changeLine(c))
	}
	return out
}

// addIndex adds a global secondary index partitioned by the table's partition key (userId) to
// the demo table.
func addIndex(m tmpl, name string) {
	table := resourcesOf(m)["AccessItemsD3D6BB4A"].(map[string]any)["Properties"].(map[string]any)
	table["GlobalSecondaryIndexes"] = []any{map[string]any{
		"IndexName":  name,
		"KeySchema":  []any{map[string]any{"AttributeName": "userId", "KeyType": "HASH"}},
		"Projection": map[string]any{"ProjectionType": "ALL"},
	}}
}

func reverseAny(v any) {
	if l, ok := v.([]any); ok {
		slices.Reverse(l)
	}
}

func TestDiffTemplatePairs(t *testing.T) {
	const auth = "AccessAuthenticatedRole56E2EC25"
	tests := []struct {
		name       string
		old, new   func(t *testing.T, m tmpl)
		gained     []string
		lost       []string
		wantUnsafe bool
	}{
		{
			name: "identical",
		},
		{
			name: "reordered statements, actions and resources",
			new: func(t *testing.T, m tmpl) {
				for _, d := range policyDocs(m, auth) {
					reverseAny(d["Statement"])
					for _, s := range statementsOf(d) {
						reverseAny(s["Action"])
						if c, ok := s["Condition"].(map[string]any); ok {
							if l, ok := c["StringLike"].(map[string]any); ok {
								reverseAny(l["s3:prefix"])
							}
						}
					}
				}
			},
		},
		{
			name: "gained action: signed-in users may read every object under public/",
			new: func(t *testing.T, m tmpl) {
				addStatement(m, auth, map[string]any{"Effect": "Allow", "Action": "s3:GetObject", "Resource": bucketObjects("public/*")})
			},
			gained:     []string{"authenticated | bucket AccessFiles94368A56 public/*: object a policy names | s3:GetObject"},
			wantUnsafe: true,
		},
		{
			name: "lost folder: the private folder is no longer writable",
			new: func(t *testing.T, m tmpl) {
				s := statementBySid(t, m, auth, "OwnObjects")
				s["Action"] = []any{"s3:GetObject"}
			},
			lost: []string{"authenticated | bucket AccessFiles94368A56 private/{identity}/*: own object | s3:DeleteObject s3:PutObject"},
		},
		{
			name: "lost folder: the private folder statements removed",
			new: func(t *testing.T, m tmpl) {
				for _, d := range policyDocs(m, auth) {
					var keep []any
					for _, s := range statementsOf(d) {
						if s["Sid"] != "OwnObjects" && s["Sid"] != "OwnFolderList" {
							keep = append(keep, s)
						}
					}
					d["Statement"] = keep
				}
			},
			lost: []string{
				"authenticated | bucket AccessFiles94368A56 private/{identity}/*: own object | s3:DeleteObject s3:GetObject s3:PutObject",
				"authenticated | bucket AccessFiles94368A56 private/{identity}/*: list own folder | s3:ListBucket",
				"authenticated | bucket AccessFiles94368A56 private/{identity}/*: list own folder (delimiter /) | s3:ListBucket",
				"authenticated | bucket AccessFiles94368A56: list a prefix a policy names | s3:ListBucket",
			},
		},
		{
			name: "widened index: Query on the table's indexes as well",
			old:  func(t *testing.T, m tmpl) { addIndex(m, "byDate") },
			new: func(t *testing.T, m tmpl) {
				addIndex(m, "byDate")
				s := statementBySid(t, m, auth, "OwnItems")
				s["Resource"] = []any{s["Resource"], map[string]any{"Fn::Join": []any{"", []any{
					map[string]any{"Fn::GetAtt": []any{"AccessItemsD3D6BB4A", "Arn"}}, "/index/*"}}}}
			},
			gained:     []string{"authenticated | table AccessItemsD3D6BB4A index byDate: own key | dynamodb:Query"},
			wantUnsafe: true,
		},
		{
			name: "trust change: guests of the pool may assume the signed-in role",
			new: func(t *testing.T, m tmpl) {
				if err := removeTrustCondition(m, auth, amrKey); err != nil {
					t.Fatal(err)
				}
			},
			gained:     []string{"authenticated | trust: guest identity of AccessIdentityPool3C6EE170 | sts:AssumeRoleWithWebIdentity"},
			wantUnsafe: true,
		},
		{
			name: "renamed role: matched by audience, nothing changes",
			new: func(t *testing.T, m tmpl) {
				s := strings.ReplaceAll(jsonOf(m), auth, "AccessSignedInRoleRenamed")
				var renamed tmpl
				if err := json.Unmarshal([]byte(s), &renamed); err != nil {
					t.Fatal(err)
				}
				clear(m)
				for k, v := range renamed {
					m[k] = v
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			old, new := loadTemplate(t, demoTemplate), loadTemplate(t, demoTemplate)
			if tc.old != nil {
				tc.old(t, old)
			}
			if tc.new != nil {
				tc.new(t, new)
			}
			d := diffOf(t, old, new)
			want := func(l []string) []string {
				if l == nil {
					return []string{}
				}
				return l
			}
			if got := lines(d.Gains()); !slices.Equal(got, want(tc.gained)) {
				t.Errorf("gained:\n got  %q\n want %q", got, want(tc.gained))
			}
			if got := lines(d.Losses()); !slices.Equal(got, want(tc.lost)) {
				t.Errorf("lost:\n got  %q\n want %q", got, want(tc.lost))
			}
			if got := len(d.Unallowed()) > 0; got != tc.wantUnsafe {
				t.Errorf("unallowed gains = %v, want %v", got, tc.wantUnsafe)
			}
			if d.Requests == 0 {
				t.Error("no request was evaluated")
			}
			// The reverse diff swaps gains and losses.
			r := diffOf(t, new, old)
			if got := lines(r.Losses()); !slices.Equal(got, want(tc.gained)) {
				t.Errorf("reverse diff lost:\n got  %q\n want %q", got, want(tc.gained))
			}
		})
	}
}

func TestDiffKinds(t *testing.T) {
	for label, want := range map[string]string{
		"trust: guest identity of X":              "trust",
		"table T index byDate: own key":           "index",
		"table T: own key within the attribute x": "table",
		"bucket B private/{identity}/*: own":      "bucket",
		"DynamoDB account: administration":        "account",
	} {
		if got := checkKind(label); got != want {
			t.Errorf("checkKind(%q) = %q, want %q", label, got, want)
		}
	}
}

func TestDiffAllowList(t *testing.T) {
	old, new := loadTemplate(t, demoTemplate), loadTemplate(t, demoTemplate)
	addStatement(new, "AccessAuthenticatedRole56E2EC25", map[string]any{"Effect": "Allow", "Action": []any{"s3:GetObject", "s3:PutObject"}, "Resource": bucketObjects("public/*")})
	tests := []struct {
		name  string
		list  string
		all   bool
		wantN int
	}{
		{"no list", "", false, 1},
		{"--allow-gain", "", true, 0},
		{"exact entries", "# reviewed\nauthenticated | bucket AccessFiles94368A56 public/*: object a policy names | s3:GetObject\nauthenticated | bucket AccessFiles94368A56 public/*: object a policy names | s3:PutObject\n", false, 0},
		{"wildcards", "authenticated | bucket *: object a policy names | s3:*\n", false, 0},
		{"one action of two", "authenticated | bucket AccessFiles94368A56 public/*: object a policy names | s3:GetObject\n", false, 1},
		{"another audience", "guest | * | *\n", false, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			al, err := ParseAllowList([]byte(tc.list))
			if err != nil {
				t.Fatal(err)
			}
			d := diffOf(t, old, new)
			d.Apply(al, tc.all)
			if got := len(d.Unallowed()); got != tc.wantN {
				t.Errorf("unallowed gains = %d, want %d: %q", got, tc.wantN, lines(d.Unallowed()))
			}
		})
	}
	if _, err := ParseAllowList([]byte("authenticated | only two parts\n")); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("a malformed line: err = %v, want one naming line 1", err)
	}
}

func TestDiffOutputs(t *testing.T) {
	old, new := loadTemplate(t, demoTemplate), loadTemplate(t, demoTemplate)
	addStatement(new, "AccessAuthenticatedRole56E2EC25", map[string]any{"Effect": "Allow", "Action": "s3:GetObject", "Resource": bucketObjects("public/*")})
	d := diffOf(t, old, new)
	var text, md bytes.Buffer
	if err := d.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"authenticated (role AccessAuthenticatedRole56E2EC25)",
		"+ gains bucket AccessFiles94368A56 public/*: object a policy names",
		"1 check gained (1 not allowed), 0 checks lost",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text output lacks %q:\n%s", want, text.String())
		}
	}
	if err := d.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"1 check gained without approval", "| authenticated | 1 | 0 |", "`s3:GetObject`"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}
	b, err := d.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var back Diff
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if got := lines(back.Gains()); len(got) != 1 || back.Gains()[0].Kind != "bucket" {
		t.Errorf("JSON round trip: gains %q", got)
	}
	empty := diffOf(t, old, old)
	md.Reset()
	_ = empty.WriteMarkdown(&md)
	if !strings.Contains(md.String(), "no audience gains or loses") {
		t.Errorf("markdown of an empty diff: %s", md.String())
	}
}
