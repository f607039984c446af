package directaccess

import (
	"reflect"
	"testing"

	"github.com/apiless/apiless/validation"
)

// Bad guardrail values are refused with the field that holds them.
func TestGuardrailValuesRefused(t *testing.T) {
	n := func(f float64) *float64 { return &f }
	brought := &TableRule{Name: ptr("Old"), Table: fakeTable{}, MaxReadRequestUnits: n(10)}
	for _, tt := range []struct {
		name   string
		props  *DirectAccessProps
		field  string
		typ    validation.Type
		phrase string
	}{
		{"negative read cap", &DirectAccessProps{Tables: []*TableRule{{Name: ptr("T"), MaxReadRequestUnits: n(-1)}}}, "Tables[0].MaxReadRequestUnits", validation.Invalid, "-1; expected a whole number of request units per second from 1 to 40000"},
		{"zero write cap", &DirectAccessProps{Tables: []*TableRule{{Name: ptr("T"), MaxWriteRequestUnits: n(0)}}}, "Tables[0].MaxWriteRequestUnits", validation.Invalid, "expected a whole number"},
		{"fractional cap", &DirectAccessProps{Tables: []*TableRule{{Name: ptr("T"), MaxReadRequestUnits: n(1.5)}}}, "Tables[0].MaxReadRequestUnits", validation.Invalid, "1.5"},
		{"uncapped and a cap", &DirectAccessProps{Tables: []*TableRule{{Name: ptr("T"), MaxReadRequestUnits: n(5), UncappedThroughput: ptr(true)}}}, "Tables[0].UncappedThroughput", validation.Conflict, "one or the other"},
		{"cap on a brought-in table", &DirectAccessProps{Tables: []*TableRule{brought}}, "Tables[0].Table", validation.Conflict, "throughput caps"},
		{"zero upload days", &DirectAccessProps{Buckets: []*BucketRule{{Name: ptr("B"), IncompleteUploadDays: n(0)}}}, "Buckets[0].IncompleteUploadDays", validation.Invalid, "days from 1 to 3650"},
		{"negative version days", &DirectAccessProps{Buckets: []*BucketRule{{Name: ptr("B"), NoncurrentVersionDays: n(-30)}}}, "Buckets[0].NoncurrentVersionDays", validation.Invalid, "-30"},
		{"presigned over 7 days", &DirectAccessProps{PresignedGets: &PresignedGets{MaxAgeSeconds: n(604801)}}, "PresignedGets.MaxAgeSeconds", validation.Invalid, "seconds from 1 to 604800"},
		{"blocked user pool sub", &DirectAccessProps{BlockedIdentities: strs("0a1b2c3d-0000-4000-8000-000000000000")}, "BlockedIdentities[0]", validation.Invalid, "not the user pool sub"},
		{"blocked twice", &DirectAccessProps{BlockedIdentities: strs(lookalikeID, lookalikeID)}, "BlockedIdentities[1]", validation.Duplicate, "listed twice"},
		{"unknown maintenance", &DirectAccessProps{Maintenance: "readonly"}, "Maintenance", validation.NotSupported, `"readonly" is unknown`},
	} {
		t.Run(tt.name, func(t *testing.T) { refusedWith(t, tt.props, tt.field, tt.typ, tt.phrase) })
	}
}

// The block list and maintenance policies, as data.
func TestGuardPoliciesPlan(t *testing.T) {
	s, problems := newSpec(&DirectAccessProps{BlockedIdentities: strs(lookalikeID), Maintenance: MaintenanceReadOnly})
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	got := guardPolicies(s)
	want := []guardPolicy{
		{id: "BlockList", attached: true, description: "apiless block list: the listed identities are denied every DynamoDB and S3 action",
			statements: []statement{{Sid: "BlockedIdentities", Effect: "Deny", Actions: []string{"dynamodb:*", "s3:*"}, Resources: []resource{{Kind: anyResource}},
				Conditions: conditions{"StringEquals": {"cognito-identity.amazonaws.com:sub": {lookalikeID}}}}}},
		{id: "Maintenance", attached: true, description: "apiless maintenance (read-only): writes and deletes are denied",
			statements: []statement{{Sid: "MaintenanceReadOnly", Effect: "Deny", Resources: []resource{{Kind: anyResource}},
				Actions: []string{"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "s3:PutObject", "s3:DeleteObject"}}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("guard policies:\n got  %+v\n want %+v", got, want)
	}
	if s, _ := newSpec(nil); len(guardPolicies(s)) != 0 {
		t.Errorf("defaults plan guard policies %v; want none", guardPolicies(s))
	}
}

func TestBudgetValuesRefused(t *testing.T) {
	n := func(f float64) *float64 { return &f }
	for _, tt := range []struct {
		name   string
		b      *BudgetKillSwitch
		field  string
		typ    validation.Type
		phrase string
	}{
		{"zero budget", &BudgetKillSwitch{MonthlyLimitUsd: n(0), Emails: strs("a@example.com")}, "Budget.MonthlyLimitUsd", validation.Invalid, "above 0"},
		{"no budget", &BudgetKillSwitch{Emails: strs("a@example.com")}, "Budget.MonthlyLimitUsd", validation.Invalid, "is nil"},
		{"not an email", &BudgetKillSwitch{MonthlyLimitUsd: n(5), Emails: strs("ops at example")}, "Budget.Emails[0]", validation.Invalid, "is not an email address"},
		{"a name and an email", &BudgetKillSwitch{MonthlyLimitUsd: n(5), Emails: strs("Ops <ops@example.com>")}, "Budget.Emails[0]", validation.Invalid, "is not an email address"},
		{"nobody to tell", &BudgetKillSwitch{MonthlyLimitUsd: n(5)}, "Budget.Emails", validation.Required, "someone to tell"},
		{"bad topic", &BudgetKillSwitch{MonthlyLimitUsd: n(5), TopicArn: ptr("billing")}, "Budget.TopicArn", validation.Invalid, "not an SNS topic ARN"},
		{"zero percent", &BudgetKillSwitch{MonthlyLimitUsd: n(5), Emails: strs("a@example.com"), ActAtPercent: n(0)}, "Budget.ActAtPercent", validation.Invalid, "percent from 1 to 1000"},
	} {
		t.Run(tt.name, func(t *testing.T) { refusedWith(t, &DirectAccessProps{Budget: tt.b}, tt.field, tt.typ, tt.phrase) })
	}
}

func TestSignInValuesRefused(t *testing.T) {
	n := func(f float64) *float64 { return &f }
	for _, tt := range []struct {
		name   string
		props  *DirectAccessProps
		field  string
		typ    validation.Type
		phrase string
	}{
		{"rate limit too low", &DirectAccessProps{SignInProtection: &SignInProtection{RequestsPerFiveMinutes: n(5)}}, "SignInProtection.RequestsPerFiveMinutes", validation.Invalid, "requests from 10"},
		{"sender not an email", &DirectAccessProps{EmailSender: &EmailSender{FromEmail: ptr("no-reply")}}, "EmailSender.FromEmail", validation.Invalid, "is not an email address"},
		{"sender missing", &DirectAccessProps{EmailSender: &EmailSender{}}, "EmailSender.FromEmail", validation.Invalid, "is not an email address"},
		{"bad reply-to", &DirectAccessProps{EmailSender: &EmailSender{FromEmail: ptr("a@example.com"), ReplyTo: ptr("x")}}, "EmailSender.ReplyTo", validation.Invalid, "is not an email address"},
		{"bad SES region", &DirectAccessProps{EmailSender: &EmailSender{FromEmail: ptr("a@example.com"), SesRegion: ptr("Virginia")}}, "EmailSender.SesRegion", validation.Invalid, "not an AWS region"},
		{"bad alarm topic", &DirectAccessProps{TopTalkers: &TopTalkers{AlarmTopicArn: ptr("ops")}}, "TopTalkers.AlarmTopicArn", validation.Invalid, "not an SNS topic ARN"},
		{"sender with a brought-in pool", &DirectAccessProps{UserPool: fakeUserPool{}, UserPoolClient: fakeUserPoolClient{}, EmailSender: &EmailSender{FromEmail: ptr("a@example.com")}}, "EmailSender", validation.Conflict, "brought-in UserPool"},
	} {
		t.Run(tt.name, func(t *testing.T) { refusedWith(t, tt.props, tt.field, tt.typ, tt.phrase) })
	}
}

// The KMS statements as data: only through S3 or DynamoDB of the stack's region, only for the
// construct's own created tables and buckets, and only the actions the role's grants need.
func TestPlanKeyStatements(t *testing.T) {
	s, problems := newSpec(&DirectAccessProps{
		Guests:        guests(),
		Tables:        []*TableRule{{Name: ptr("Notes"), Guest: tops(TableRead)}, {Name: ptr("Old"), Table: fakeTable{name: "old"}}},
		Buckets:       []*BucketRule{bucket("Files", &PathRule{Path: ptr("private/{identity}/*"), Owner: &allS}, &PathRule{Path: ptr("public/*"), Guest: &readS, Authenticated: &readS})},
		EncryptionKey: &CustomerKey{},
	})
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	key := []resource{{Kind: keyResource}}
	via := func(service string, ctxKey string, op string, values ...string) conditions {
		c := conditions{"StringEquals": {"kms:ViaService": {service + ".{region}.amazonaws.com"}}}
		c.add(op, ctxKey, values...)
		return c
	}
	files := []string{"{bucketArn:Files}", "{bucketArn:Files}/*"}
	for _, tt := range []struct {
		role roleKind
		want []statement
	}{
		{roleAuthenticated, []statement{
			{Effect: "Allow", Actions: []string{"kms:Decrypt"}, Resources: key, sidBase: "KeyForTables", Conditions: via("dynamodb", "kms:EncryptionContext:aws:dynamodb:tableName", "StringEquals", "{tableName:Notes}")},
			{Effect: "Allow", Actions: []string{"kms:Decrypt", "kms:GenerateDataKey"}, Resources: key, sidBase: "KeyForUploads", Conditions: via("s3", "kms:EncryptionContext:aws:s3:arn", "StringLike", files...)},
		}},
		{roleGuest, []statement{
			{Effect: "Allow", Actions: []string{"kms:Decrypt"}, Resources: key, sidBase: "KeyForTables", Conditions: via("dynamodb", "kms:EncryptionContext:aws:dynamodb:tableName", "StringEquals", "{tableName:Notes}")},
			{Effect: "Allow", Actions: []string{"kms:Decrypt"}, Resources: key, sidBase: "KeyForDownloads", Conditions: via("s3", "kms:EncryptionContext:aws:s3:arn", "StringLike", files...)},
		}},
	} {
		if got := keyStatements(s, s.audiencesOf(tt.role)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s key statements:\n got  %s\n want %s", tt.role, dump(got), dump(tt.want))
		}
	}
	if s, _ := newSpec(nil); keyStatements(s, s.audiencesOf(roleAuthenticated)) != nil {
		t.Errorf("key statements without EncryptionKey")
	}
}
