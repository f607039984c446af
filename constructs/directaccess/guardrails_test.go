package directaccess_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/jsii-runtime-go"

	"github.com/apiless/apiless/constructs/directaccess"
	"github.com/apiless/apiless/iameval"
	"github.com/apiless/apiless/internal/templatetest"
	"github.com/apiless/apiless/isolation"
	"github.com/apiless/apiless/validation"
)

const (
	blockedID = "us-east-1:0a1b2c3d-0000-4000-8000-00000000dead"
	aliceID   = "us-east-1:0a1b2c3d-0000-4000-8000-0000000a11ce"
)

func init() {
	configs["guardrails"] = func(stack awscdk.Stack) {
		read := []directaccess.TableOperation{directaccess.TableRead}
		directaccess.NewDirectAccess(stack, jsii.String("Access"), &directaccess.DirectAccessProps{
			Guests: &directaccess.GuestAccess{Acknowledge: jsii.Bool(true)},
			Tables: []*directaccess.TableRule{
				{Name: jsii.String("Notes"), MaxReadRequestUnits: jsii.Number(50), MaxWriteRequestUnits: jsii.Number(10), Guest: &read},
				{Name: jsii.String("Logs"), UncappedThroughput: jsii.Bool(true)},
			},
			Buckets: []*directaccess.BucketRule{{
				Name: jsii.String("Files"), IncompleteUploadDays: jsii.Number(3), NoncurrentVersionDays: jsii.Number(90),
			}},
			PresignedGets:     &directaccess.PresignedGets{MaxAgeSeconds: jsii.Number(600)},
			BlockedIdentities: jsii.Strings(blockedID),
			Maintenance:       directaccess.MaintenanceReadOnly,
		})
	}
	configs["maintenanceOff"] = func(stack awscdk.Stack) {
		directaccess.NewDirectAccess(stack, jsii.String("Access"), &directaccess.DirectAccessProps{Maintenance: directaccess.MaintenanceOff})
	}
}

func TestThroughputCapsAndLifecycle(t *testing.T) {
	for _, tt := range []struct {
		config, table                  string
		read, write                    any // nil: no cap
		incompleteDays, noncurrentDays float64
	}{
		{"defaults", "AccessItems", 1000.0, 200.0, 7, 30},
		{"guardrails", "AccessNotes", 50.0, 10.0, 3, 90},
		{"guardrails", "AccessLogs", nil, nil, 3, 90},
	} {
		t.Run(tt.config+"/"+tt.table, func(t *testing.T) {
			s := synth(t, tt.config)
			_, table := s.Named(t, "AWS::DynamoDB::GlobalTable", tt.table)
			props := table["Properties"].(map[string]any)
			write, _ := props["WriteOnDemandThroughputSettings"].(map[string]any)
			replica := props["Replicas"].([]any)[0].(map[string]any)
			read, _ := replica["ReadOnDemandThroughputSettings"].(map[string]any)
			if got := write["MaxWriteRequestUnits"]; got != tt.write {
				t.Errorf("MaxWriteRequestUnits = %v, want %v", got, tt.write)
			}
			if got := read["MaxReadRequestUnits"]; got != tt.read {
				t.Errorf("replica MaxReadRequestUnits = %v, want %v", got, tt.read)
			}
			_, bucket := s.Named(t, "AWS::S3::Bucket", "AccessFiles")
			rules, _ := json.Marshal(bucket["Properties"].(map[string]any)["LifecycleConfiguration"])
			want, _ := json.Marshal(map[string]any{"Rules": []any{map[string]any{
				"AbortIncompleteMultipartUpload": map[string]any{"DaysAfterInitiation": tt.incompleteDays},
				"Id":                             "AbortUploadsExpireOldVersions",
				"NoncurrentVersionExpiration":    map[string]any{"NoncurrentDays": tt.noncurrentDays},
				"Status":                         "Enabled",
			}}})
			if string(rules) != string(want) {
				t.Errorf("lifecycle = %s, want %s", rules, want)
			}
		})
	}
	warned := false
	for _, w := range synth(t, "guardrails").Warnings {
		warned = warned || strings.Contains(w, "Tables[1].UncappedThroughput is true: table Logs has no on-demand maximum")
	}
	if !warned {
		t.Errorf("no uncappedThroughput warning in %v", synth(t, "guardrails").Warnings)
	}
}

func TestAccountTakeoverDefaults(t *testing.T) {
	s := synth(t, "defaults")
	a := assertions.Template_FromJSON(&s.JSON, nil)
	a.HasResourceProperties(jsii.String("AWS::Cognito::UserPool"), map[string]any{
		"UserAttributeUpdateSettings": map[string]any{"AttributesRequireVerificationBeforeUpdate": []any{"email"}},
	})
	_, client := s.Resource(t, "AWS::Cognito::UserPoolClient")
	p := client["Properties"].(map[string]any)
	got, _ := json.Marshal([]any{p["WriteAttributes"], p["IdTokenValidity"], p["AccessTokenValidity"], p["RefreshTokenValidity"], p["TokenValidityUnits"]})
	want := `[["email","name"],30,30,43200,{"AccessToken":"minutes","IdToken":"minutes","RefreshToken":"minutes"}]`
	if string(got) != want {
		t.Errorf("client write attributes and token validity = %s, want %s", got, want)
	}
}

// world is a synthesized template read by iameval, for requests as the browser makes them.
type world struct {
	t   *testing.T
	tpl *iameval.Template
	s   *templatetest.Template
}

func newWorld(t *testing.T, config string) *world {
	s := synth(t, config)
	tpl, err := iameval.ParseTemplate(s.Raw, iameval.Env{})
	if err != nil {
		t.Fatal(err)
	}
	return &world{t, tpl, s}
}

func (w *world) arn(typ, prefix, suffix string) string {
	id, _ := w.s.Named(w.t, typ, prefix)
	arn, err := w.tpl.GetAtt(id, "Arn")
	if err != nil {
		w.t.Fatal(err)
	}
	return arn + suffix
}

// decide evaluates one request of identity id holding the role whose logical ID starts with role.
func (w *world) decide(role, id, action, resource string, extra ...string) iameval.Decision {
	w.t.Helper()
	roleID, _ := w.s.Named(w.t, "AWS::IAM::Role", role)
	r, err := w.tpl.Role(roleID)
	if err != nil {
		w.t.Fatal(err)
	}
	ctx := iameval.Context{
		"cognito-identity.amazonaws.com:sub": {id}, "aws:SecureTransport": {"true"}, "s3:authType": {"REST-HEADER"},
	}
	for i := 0; i+1 < len(extra); i += 2 {
		ctx[extra[i]] = []string{extra[i+1]}
	}
	return iameval.Evaluate(iameval.Request{Principal: iameval.RolePrincipal(r.ARN), Action: action, Resource: resource, Context: ctx}, r.Policies, nil).Decision
}

type decisionCase struct {
	name, role, id, action, resource string
	ctx                              []string
	want                             iameval.Decision
}

func (w *world) check(cases []decisionCase) {
	w.t.Helper()
	for _, c := range cases {
		if got := w.decide(c.role, c.id, c.action, c.resource, c.ctx...); got != c.want {
			w.t.Errorf("%s: %s by %s (%s) on %s %v = %s, want %s", c.name, c.action, c.id, c.role, c.resource, c.ctx, got, c.want)
		}
	}
}

// TestSigningAndTransport: the browser's own requests pass, the same request over plain HTTP,
// by a presigned URL or a POST form is refused; with PresignedGets, presigned GETs are
// accepted up to the stated age.
func TestSigningAndTransport(t *testing.T) {
	w := newWorld(t, "defaults")
	items, obj := w.arn("AWS::DynamoDB::GlobalTable", "AccessItems", ""), w.arn("AWS::S3::Bucket", "AccessFiles", "/private/"+aliceID+"/a.txt")
	own := []string{"dynamodb:LeadingKeys", aliceID}
	w.check([]decisionCase{
		{"own item", "AccessAuthenticatedRole", aliceID, "dynamodb:GetItem", items, own, iameval.Allowed},
		{"own item over HTTP", "AccessAuthenticatedRole", aliceID, "dynamodb:GetItem", items, append([]string{"aws:SecureTransport", "false"}, own...), iameval.ImplicitDeny},
		{"own object", "AccessAuthenticatedRole", aliceID, "s3:GetObject", obj, nil, iameval.Allowed},
	})
	for _, auth := range []string{"REST-QUERY-STRING", "POST"} {
		for _, action := range []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"} {
			w.check([]decisionCase{{"presigned " + auth, "AccessAuthenticatedRole", aliceID, action, obj, []string{"s3:authType", auth}, iameval.ExplicitDeny}})
		}
	}
	g := newWorld(t, "guardrails")
	obj = g.arn("AWS::S3::Bucket", "AccessFiles", "/private/"+aliceID+"/a.txt")
	g.check([]decisionCase{
		{"fresh presigned GET", "AccessAuthenticatedRole", aliceID, "s3:GetObject", obj, []string{"s3:authType", "REST-QUERY-STRING", "s3:signatureAge", "600000"}, iameval.Allowed},
		{"stale presigned GET", "AccessAuthenticatedRole", aliceID, "s3:GetObject", obj, []string{"s3:authType", "REST-QUERY-STRING", "s3:signatureAge", "600001"}, iameval.ExplicitDeny},
		{"presigned PUT", "AccessAuthenticatedRole", aliceID, "s3:PutObject", obj, []string{"s3:authType", "REST-QUERY-STRING", "s3:signatureAge", "1"}, iameval.ExplicitDeny},
		{"POST form", "AccessAuthenticatedRole", aliceID, "s3:GetObject", obj, []string{"s3:authType", "POST"}, iameval.ExplicitDeny},
	})
}

// TestBlockListAndMaintenance: the Deny policies are attached to every role and decide
// requests of credentials the roles already issued.
func TestBlockListAndMaintenance(t *testing.T) {
	w := newWorld(t, "guardrails")
	notes := w.arn("AWS::DynamoDB::GlobalTable", "AccessNotes", "")
	files := w.arn("AWS::S3::Bucket", "AccessFiles", "")
	for _, role := range []string{"AccessAuthenticatedRole", "AccessGuestRole"} {
		w.check([]decisionCase{
			{"blocked read", role, blockedID, "dynamodb:GetItem", notes, []string{"dynamodb:LeadingKeys", blockedID}, iameval.ExplicitDeny},
			{"blocked object", role, blockedID, "s3:GetObject", files + "/private/" + blockedID + "/a", nil, iameval.ExplicitDeny},
			{"blocked listing", role, blockedID, "s3:ListBucket", files, []string{"s3:prefix", "private/" + blockedID + "/"}, iameval.ExplicitDeny},
			{"read-only maintenance: write", role, aliceID, "dynamodb:PutItem", notes, []string{"dynamodb:LeadingKeys", aliceID}, iameval.ExplicitDeny},
			{"read-only maintenance: upload", role, aliceID, "s3:PutObject", files + "/private/" + aliceID + "/a", nil, iameval.ExplicitDeny},
		})
	}
	w.check([]decisionCase{
		{"read-only maintenance: read", "AccessAuthenticatedRole", aliceID, "dynamodb:GetItem", notes, []string{"dynamodb:LeadingKeys", aliceID}, iameval.Allowed},
		{"read-only maintenance: guest read", "AccessGuestRole", aliceID, "dynamodb:GetItem", notes, []string{"dynamodb:LeadingKeys", aliceID}, iameval.Allowed},
	})
	off := newWorld(t, "maintenanceOff")
	items := off.arn("AWS::DynamoDB::GlobalTable", "AccessItems", "")
	off.check([]decisionCase{
		{"maintenance off: read", "AccessAuthenticatedRole", aliceID, "dynamodb:GetItem", items, []string{"dynamodb:LeadingKeys", aliceID}, iameval.ExplicitDeny},
		{"maintenance off: object", "AccessAuthenticatedRole", aliceID, "s3:GetObject", off.arn("AWS::S3::Bucket", "AccessFiles", "/private/"+aliceID+"/a"), nil, iameval.ExplicitDeny},
	})
	// Exactly one block-list and one maintenance policy, on every role.
	for _, id := range []string{"AccessBlockList", "AccessMaintenance"} {
		_, p := w.s.Named(t, "AWS::IAM::ManagedPolicy", id)
		roles, _ := json.Marshal(p["Properties"].(map[string]any)["Roles"])
		if n := strings.Count(string(roles), `"Ref"`); n != 2 {
			t.Errorf("%s attached to %s; want the authenticated and the guest role", id, roles)
		}
	}
	if ids := w.s.Resources("AWS::IAM::ManagedPolicy"); len(ids) != 4 {
		t.Errorf("managed policies %v; want one per role plus the block list and maintenance", ids)
	}
	if ids := synth(t, "defaults").Resources("AWS::IAM::ManagedPolicy"); len(ids) != 1 {
		t.Errorf("default managed policies %v; want only the authenticated role's", ids)
	}
}

func TestGuardrailIsolation(t *testing.T) {
	for _, name := range []string{"guardrails", "maintenanceOff", "budget"} {
		t.Run(name, func(t *testing.T) { isolation.AssertIsolated(t, synth(t, name).Raw) })
	}
}

func init() {
	configs["budget"] = func(stack awscdk.Stack) {
		directaccess.NewDirectAccess(stack, jsii.String("Access"), &directaccess.DirectAccessProps{
			Groups: []*directaccess.GroupRule{{Name: jsii.String("admins"), Precedence: jsii.Number(1)}},
			Tables: []*directaccess.TableRule{{Name: jsii.String("Items"), Groups: map[string][]directaccess.TableOperation{"admins": {directaccess.TableRead}}}},
			Budget: &directaccess.BudgetKillSwitch{
				MonthlyLimitUsd: jsii.Number(50), Emails: jsii.Strings("ops@example.com"),
				TopicArn: jsii.String("arn:aws:sns:us-east-1:123456789012:billing"),
			},
		})
	}
}

// TestBudgetKillSwitch: a monthly budget, a notification at 80 %, and at 100 % an action that
// attaches a real deny policy to every role; the execution role may attach only that policy.
func TestBudgetKillSwitch(t *testing.T) {
	s := synth(t, "budget")
	denyID, deny := s.Named(t, "AWS::IAM::ManagedPolicy", "AccessBudgetDenyAllData")
	if roles, ok := deny["Properties"].(map[string]any)["Roles"]; ok {
		t.Errorf("budget deny policy attached to %v at deploy; want it attached only by the budget action", roles)
	}
	_, budget := s.Resource(t, "AWS::Budgets::Budget")
	got, _ := json.Marshal(budget["Properties"])
	want := `{"Budget":{"BudgetLimit":{"Amount":50,"Unit":"USD"},"BudgetType":"COST","TimeUnit":"MONTHLY"},"NotificationsWithSubscribers":[{"Notification":{"ComparisonOperator":"GREATER_THAN","NotificationType":"ACTUAL","Threshold":80,"ThresholdType":"PERCENTAGE"},"Subscribers":[{"Address":"ops@example.com","SubscriptionType":"EMAIL"},{"Address":"arn:aws:sns:us-east-1:123456789012:billing","SubscriptionType":"SNS"}]}]}`
	if string(got) != want {
		t.Errorf("budget = %s\nwant %s", got, want)
	}
	budgetID, _ := s.Resource(t, "AWS::Budgets::Budget")
	auth, _ := s.Named(t, "AWS::IAM::Role", "AccessAuthenticatedRole")
	admins, _ := s.Named(t, "AWS::IAM::Role", "AccessGroupsadminsRole")
	execID, _ := s.Named(t, "AWS::IAM::Role", "AccessBudgetActionRole")
	_, action := s.Resource(t, "AWS::Budgets::BudgetsAction")
	ap := action["Properties"].(map[string]any)
	got, _ = json.Marshal([]any{ap["BudgetName"], ap["ActionType"], ap["ActionThreshold"], ap["Definition"], ap["ExecutionRoleArn"], ap["ApprovalModel"], ap["NotificationType"]})
	wantAction, _ := json.Marshal([]any{map[string]any{"Ref": budgetID}, "APPLY_IAM_POLICY", map[string]any{"Type": "PERCENTAGE", "Value": 100},
		map[string]any{"IamActionDefinition": map[string]any{"PolicyArn": map[string]any{"Ref": denyID}, "Roles": []any{map[string]any{"Ref": auth}, map[string]any{"Ref": admins}}}},
		map[string]any{"Fn::GetAtt": []any{execID, "Arn"}}, "AUTOMATIC", "ACTUAL"})
	if string(got) != string(wantAction) {
		t.Errorf("budget action = %s\nwant %s", got, wantAction)
	}
	// The execution role: trusted by Budgets of this account only, may attach only the deny policy.
	_, exec := s.Named(t, "AWS::IAM::Role", "AccessBudgetActionRole")
	trust, _ := json.Marshal(exec["Properties"].(map[string]any)["AssumeRolePolicyDocument"])
	if !strings.Contains(string(trust), `"Condition":{"StringEquals":{"aws:SourceAccount":{"Ref":"AWS::AccountId"}}},"Effect":"Allow","Principal":{"Service":"budgets.amazonaws.com"}`) {
		t.Errorf("execution role trust = %s", trust)
	}
	_, execPolicy := s.Resource(t, "AWS::IAM::Policy")
	doc, _ := json.Marshal(execPolicy["Properties"].(map[string]any)["PolicyDocument"])
	wantDoc, _ := json.Marshal(map[string]any{"Statement": []any{map[string]any{
		"Action":    []any{"iam:AttachRolePolicy", "iam:DetachRolePolicy"},
		"Condition": map[string]any{"ArnEquals": map[string]any{"iam:PolicyARN": map[string]any{"Ref": denyID}}},
		"Effect":    "Allow",
		"Resource":  []any{map[string]any{"Fn::GetAtt": []any{auth, "Arn"}}, map[string]any{"Fn::GetAtt": []any{admins, "Arn"}}},
		"Sid":       "AttachOnlyTheDenyPolicy",
	}}, "Version": "2012-10-17"})
	if string(doc) != string(wantDoc) {
		t.Errorf("execution role policy = %s\nwant %s", doc, wantDoc)
	}
	// What the action does: attach the deny policy to the roles. Every request is then denied.
	attached := attachBudgetDeny(t, s, denyID, auth, admins)
	items := attached.arn("AWS::DynamoDB::GlobalTable", "AccessItems", "")
	before := newWorld(t, "budget")
	for _, w := range []struct {
		name string
		w    *world
		want iameval.Decision
	}{{"before", before, iameval.Allowed}, {"after the action", attached, iameval.ExplicitDeny}} {
		for _, role := range []string{"AccessAuthenticatedRole", "AccessGroupsadminsRole"} {
			w.w.check([]decisionCase{{w.name, role, aliceID, "dynamodb:GetItem", items, []string{"dynamodb:LeadingKeys", aliceID}, w.want}})
		}
	}
}

// attachBudgetDeny is the template as it is after the budget action ran: the deny policy
// attached to the roles.
func attachBudgetDeny(t *testing.T, s *templatetest.Template, policy string, roles ...string) *world {
	var doc map[string]any
	if err := json.Unmarshal(s.Raw, &doc); err != nil {
		t.Fatal(err)
	}
	var refs []any
	for _, r := range roles {
		refs = append(refs, map[string]any{"Ref": r})
	}
	doc["Resources"].(map[string]any)[policy].(map[string]any)["Properties"].(map[string]any)["Roles"] = refs
	raw, _ := json.Marshal(doc)
	tpl, err := iameval.ParseTemplate(raw, iameval.Env{})
	if err != nil {
		t.Fatal(err)
	}
	after := *s
	after.Raw = raw
	return &world{t, tpl, &after}
}

func init() {
	configs["customerKey"] = func(stack awscdk.Stack) {
		read := []directaccess.StorageOperation{directaccess.StorageGet, directaccess.StorageList}
		all := []directaccess.StorageOperation{directaccess.StorageGet, directaccess.StorageList, directaccess.StorageWrite, directaccess.StorageDelete}
		directaccess.NewDirectAccess(stack, jsii.String("Access"), &directaccess.DirectAccessProps{
			Guests: &directaccess.GuestAccess{Acknowledge: jsii.Bool(true)},
			Buckets: []*directaccess.BucketRule{{Name: jsii.String("Files"), Paths: []*directaccess.PathRule{
				{Path: jsii.String("private/{identity}/*"), Owner: &all},
				{Path: jsii.String("public/*"), Authenticated: &read, Guest: &read},
			}}},
			EncryptionKey: &directaccess.CustomerKey{},
		})
	}
}

// TestCustomerKey: the created key (rotation on, retained) encrypts the table and the bucket;
// the roles may use it only through S3 and DynamoDB, for these resources: a browser calling
// KMS itself is denied.
func TestCustomerKey(t *testing.T) {
	s := synth(t, "customerKey")
	keyID, key := s.Resource(t, "AWS::KMS::Key")
	if key["Properties"].(map[string]any)["EnableKeyRotation"] != true || key["DeletionPolicy"] != "Retain" {
		t.Errorf("key = %v; want rotation on and retained", key)
	}
	keyArn := map[string]any{"Fn::GetAtt": []any{keyID, "Arn"}}
	a := assertions.Template_FromJSON(&s.JSON, nil)
	a.HasResourceProperties(jsii.String("AWS::DynamoDB::GlobalTable"), map[string]any{
		"SSESpecification": map[string]any{"SSEEnabled": true, "SSEType": "KMS"},
		"Replicas":         []any{assertions.Match_ObjectLike(&map[string]any{"SSESpecification": map[string]any{"KMSMasterKeyId": keyArn}})},
	})
	a.HasResourceProperties(jsii.String("AWS::S3::Bucket"), map[string]any{
		"BucketEncryption": map[string]any{"ServerSideEncryptionConfiguration": []any{map[string]any{
			"BucketKeyEnabled":              true,
			"ServerSideEncryptionByDefault": map[string]any{"KMSMasterKeyID": keyArn, "SSEAlgorithm": "aws:kms"},
		}}},
	})
	w := newWorld(t, "customerKey")
	k, err := w.tpl.GetAtt(keyID, "Arn")
	if err != nil {
		t.Fatal(err)
	}
	bucket := w.arn("AWS::S3::Bucket", "AccessFiles", "")
	tableName, err := w.tpl.Ref(w.s.Resources("AWS::DynamoDB::GlobalTable")[0])
	if err != nil {
		t.Fatal(err)
	}
	viaS3 := []string{"kms:ViaService", "s3.us-east-1.amazonaws.com", "kms:EncryptionContext:aws:s3:arn", bucket}
	viaDDB := []string{"kms:ViaService", "dynamodb.us-east-1.amazonaws.com", "kms:EncryptionContext:aws:dynamodb:tableName", tableName}
	const auth, guest = "AccessAuthenticatedRole", "AccessGuestRole"
	w.check([]decisionCase{
		{"upload through S3", auth, aliceID, "kms:GenerateDataKey", k, viaS3, iameval.Allowed},
		{"download through S3", auth, aliceID, "kms:Decrypt", k, viaS3, iameval.Allowed},
		{"item through DynamoDB", auth, aliceID, "kms:Decrypt", k, viaDDB, iameval.Allowed},
		{"guest download through S3", guest, aliceID, "kms:Decrypt", k, viaS3, iameval.Allowed},
		{"guest cannot upload", guest, aliceID, "kms:GenerateDataKey", k, viaS3, iameval.ImplicitDeny},
		{"guest has no table", guest, aliceID, "kms:Decrypt", k, viaDDB, iameval.ImplicitDeny},
		{"decrypt from the browser", auth, aliceID, "kms:Decrypt", k, nil, iameval.ImplicitDeny},
		{"decrypt from the browser with a forged context", auth, aliceID, "kms:Decrypt", k, []string{"kms:EncryptionContext:aws:s3:arn", bucket}, iameval.ImplicitDeny},
		{"generate a data key from the browser", auth, aliceID, "kms:GenerateDataKey", k, nil, iameval.ImplicitDeny},
		{"through S3 for another bucket", auth, aliceID, "kms:Decrypt", k, []string{"kms:ViaService", "s3.us-east-1.amazonaws.com", "kms:EncryptionContext:aws:s3:arn", "arn:aws:s3:::other"}, iameval.ImplicitDeny},
		{"through DynamoDB for another table", auth, aliceID, "kms:Decrypt", k, []string{"kms:ViaService", "dynamodb.us-east-1.amazonaws.com", "kms:EncryptionContext:aws:dynamodb:tableName", "other"}, iameval.ImplicitDeny},
		{"through another region", auth, aliceID, "kms:Decrypt", k, []string{"kms:ViaService", "s3.eu-west-1.amazonaws.com", "kms:EncryptionContext:aws:s3:arn", bucket}, iameval.ImplicitDeny},
		{"encrypt", auth, aliceID, "kms:Encrypt", k, viaS3, iameval.ImplicitDeny},
		{"create a grant", auth, aliceID, "kms:CreateGrant", k, viaS3, iameval.ImplicitDeny},
	})
	isolation.AssertIsolated(t, s.Raw)
}

func TestKeyOfAnotherRegionRefused(t *testing.T) {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Regional"), &awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String("123456789012"), Region: jsii.String("us-east-1")}})
	key := awskms.Key_FromKeyArn(stack, jsii.String("Key"), jsii.String("arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"))
	err := directaccess.ValidateProps(&directaccess.DirectAccessProps{EncryptionKey: &directaccess.CustomerKey{Key: key}})
	var verr *validation.Error
	if !errors.As(err, &verr) || !verr.Problems.Has("EncryptionKey.Key", validation.Invalid) {
		t.Fatalf("ValidateProps = %v; want an Invalid problem on EncryptionKey.Key", err)
	}
	same := awskms.Key_FromKeyArn(stack, jsii.String("Same"), jsii.String("arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"))
	if err := directaccess.ValidateProps(&directaccess.DirectAccessProps{EncryptionKey: &directaccess.CustomerKey{Key: same}}); err != nil {
		t.Errorf("a key of the stack's region: %v", err)
	}
}

func init() {
	configs["audit"] = func(stack awscdk.Stack) {
		directaccess.NewDirectAccess(stack, jsii.String("Access"), &directaccess.DirectAccessProps{
			Tables:        []*directaccess.TableRule{{Name: jsii.String("Notes")}, {Name: jsii.String("Profiles")}},
			AuditTrail:    &directaccess.AuditTrail{LogRetentionDays: jsii.Number(400)},
			EncryptionKey: &directaccess.CustomerKey{},
		})
	}
}

// TestAuditTrail: data events of exactly the construct's tables and buckets, validated and
// encrypted log files, in a retained, locked-down bucket with its own lifecycle.
func TestAuditTrail(t *testing.T) {
	s := synth(t, "audit")
	_, trail := s.Resource(t, "AWS::CloudTrail::Trail")
	p := trail["Properties"].(map[string]any)
	keyID, _ := s.Resource(t, "AWS::KMS::Key")
	logsID, logs := s.Named(t, "AWS::S3::Bucket", "AccessAuditLogs")
	notes, _ := s.Named(t, "AWS::DynamoDB::GlobalTable", "AccessNotes")
	profiles, _ := s.Named(t, "AWS::DynamoDB::GlobalTable", "AccessProfiles")
	files, _ := s.Named(t, "AWS::S3::Bucket", "AccessFiles")
	got, _ := json.Marshal([]any{p["IsLogging"], p["EnableLogFileValidation"], p["IsMultiRegionTrail"], p["S3BucketName"], p["KMSKeyId"], p["AdvancedEventSelectors"], p["EventSelectors"]})
	arn := func(id string) any { return map[string]any{"Fn::GetAtt": []any{id, "Arn"}} }
	want, _ := json.Marshal([]any{true, true, false, map[string]any{"Ref": logsID}, arn(keyID), []any{
		map[string]any{"FieldSelectors": []any{
			map[string]any{"Equals": []any{"Data"}, "Field": "eventCategory"},
			map[string]any{"Equals": []any{"AWS::DynamoDB::Table"}, "Field": "resources.type"},
			map[string]any{"Equals": []any{arn(notes), arn(profiles)}, "Field": "resources.ARN"},
		}, "Name": "Items of the apiless tables"},
		map[string]any{"FieldSelectors": []any{
			map[string]any{"Equals": []any{"Data"}, "Field": "eventCategory"},
			map[string]any{"Equals": []any{"AWS::S3::Object"}, "Field": "resources.type"},
			map[string]any{"Field": "resources.ARN", "StartsWith": []any{map[string]any{"Fn::Join": []any{"", []any{arn(files), "/"}}}}},
		}, "Name": "Objects of the apiless buckets"},
	}, nil})
	if string(got) != string(want) {
		t.Errorf("trail = %s\nwant  %s", got, want)
	}
	lp := logs["Properties"].(map[string]any)
	if logs["DeletionPolicy"] != "Retain" || lp["PublicAccessBlockConfiguration"] == nil || lp["LifecycleConfiguration"] == nil {
		t.Errorf("audit log bucket = %v; want retained, public access blocked, with a lifecycle", logs)
	}
	rules, _ := json.Marshal(lp["LifecycleConfiguration"])
	if !strings.Contains(string(rules), `"ExpirationInDays":400`) {
		t.Errorf("audit log lifecycle = %s; want expiry after 400 days", rules)
	}
	policy, _ := json.Marshal(s.JSON["Resources"])
	for _, want := range []string{`"aws:SecureTransport":"false"`, `"Sid":"CloudTrailWrite"`, `"Sid":"CloudTrailAclCheck"`, `"Sid":"CloudTrailEncryptsAuditLogs"`} {
		if !strings.Contains(string(policy), want) {
			t.Errorf("template lacks %s", want)
		}
	}
	if n := len(synth(t, "defaults").Resources("AWS::CloudTrail::Trail")); n != 0 {
		t.Errorf("defaults create %d trails; want none", n)
	}
	isolation.AssertIsolated(t, s.Raw)
}

func init() {
	configs["signIn"] = func(stack awscdk.Stack) {
		directaccess.NewDirectAccess(stack, jsii.String("Access"), &directaccess.DirectAccessProps{
			SignInProtection: &directaccess.SignInProtection{RequestsPerFiveMinutes: jsii.Number(200)},
			EmailSender:      &directaccess.EmailSender{FromEmail: jsii.String("no-reply@example.com"), FromName: jsii.String("Notes"), SesRegion: jsii.String("us-east-1")},
			TopTalkers:       &directaccess.TopTalkers{AlarmTopicArn: jsii.String("arn:aws:sns:us-east-1:123456789012:ops")},
		})
	}
}

// TestSignInAbuseAndTopTalkers: the Plus plan with threat protection enforced, a web ACL with a
// per-IP rate limit on the user pool, SES as sender (and no sender warning), Contributor
// Insights on the table and an alarm on throttled reads and writes.
func TestSignInAbuseAndTopTalkers(t *testing.T) {
	s := synth(t, "signIn")
	poolID, pool := s.Resource(t, "AWS::Cognito::UserPool")
	pp := pool["Properties"].(map[string]any)
	got, _ := json.Marshal([]any{pp["UserPoolTier"], pp["UserPoolAddOns"], pp["EmailConfiguration"]})
	if !strings.Contains(string(got), `"PLUS",{"AdvancedSecurityMode":"ENFORCED"},{"EmailSendingAccount":"DEVELOPER","From":"Notes \u003cno-reply@example.com\u003e"`) {
		t.Errorf("user pool tier, add-ons, email = %s", got)
	}
	_, acl := s.Resource(t, "AWS::WAFv2::WebACL")
	rules, _ := json.Marshal(acl["Properties"].(map[string]any)["Rules"])
	if want := `"Statement":{"RateBasedStatement":{"AggregateKeyType":"IP","EvaluationWindowSec":300,"Limit":200}}`; !strings.Contains(string(rules), want) || !strings.Contains(string(rules), `"Action":{"Block":{}}`) {
		t.Errorf("web ACL rules = %s; want a blocking %s", rules, want)
	}
	aclID, _ := s.Resource(t, "AWS::WAFv2::WebACL")
	_, assoc := s.Resource(t, "AWS::WAFv2::WebACLAssociation")
	got, _ = json.Marshal(assoc["Properties"])
	if want, _ := json.Marshal(map[string]any{"ResourceArn": map[string]any{"Fn::GetAtt": []any{poolID, "Arn"}}, "WebACLArn": map[string]any{"Fn::GetAtt": []any{aclID, "Arn"}}}); string(got) != string(want) {
		t.Errorf("association = %s, want %s", got, want)
	}
	for _, w := range s.Warnings {
		if strings.Contains(w, "cognitoEmailSender") {
			t.Errorf("sender warning with EmailSender set: %s", w)
		}
	}
	a := assertions.Template_FromJSON(&s.JSON, nil)
	a.HasResourceProperties(jsii.String("AWS::DynamoDB::GlobalTable"), map[string]any{
		"Replicas": []any{assertions.Match_ObjectLike(&map[string]any{"ContributorInsightsSpecification": map[string]any{"Enabled": true}})},
	})
	alarms := s.Resources("AWS::CloudWatch::Alarm")
	if len(alarms) != 2 {
		t.Fatalf("alarms %v; want one on read and one on write throttles", alarms)
	}
	for _, id := range alarms {
		p := s.Props(id)
		got, _ := json.Marshal([]any{p["Namespace"], p["Threshold"], p["ComparisonOperator"], p["AlarmActions"]})
		if want := `["AWS/DynamoDB",1,"GreaterThanOrEqualToThreshold",["arn:aws:sns:us-east-1:123456789012:ops"]]`; string(got) != want {
			t.Errorf("alarm %s = %s, want %s", id, got, want)
		}
	}
	d := synth(t, "defaults")
	for _, typ := range []string{"AWS::WAFv2::WebACL", "AWS::CloudWatch::Alarm", "AWS::Budgets::Budget", "AWS::KMS::Key"} {
		if n := len(d.Resources(typ)); n != 0 {
			t.Errorf("defaults create %d %s; want none (opt-in)", n, typ)
		}
	}
	isolation.AssertIsolated(t, s.Raw)
}
