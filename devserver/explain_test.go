package devserver_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/apiless/apiless/devserver"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Each denial logs why: a statement that matched with a failed condition (and the values), an
// explicit deny by a statement, or no statement for the action and resource.
func TestDenialsAreExplained(t *testing.T) {
	var log lockedBuffer
	b, _ := os.ReadFile("../testdata/ApilessDemo.template.json")
	s, err := devserver.Start(devserver.Options{Template: b, AutoConfirm: true, Log: &log, JSON: true}) // plain HTTP
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	a := s.NewUser(t, "a@example.com", "Passw0rd!")
	other := "us-east-1:00000000-0000-4000-8000-000000000000"
	table := s.TableName("AccessItems")
	_ = putOwn(ctx, s, a.DynamoDB(), other)
	_, _ = a.DynamoDB().Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(table)})
	_, _ = a.S3().PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(s.BucketName("AccessFiles")), Key: aws.String("private/" + a.IdentityID + "/x"), Body: strings.NewReader("x")})
	var denied []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(log.String()), "\n") {
		var ev map[string]any
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("not JSON: %q", line)
		}
		if ev["event"] == "denied" {
			denied = append(denied, ev)
		}
	}
	if len(denied) != 3 {
		t.Fatalf("got %d denial lines, want 3:\n%s", len(denied), log.String())
	}
	for i, want := range []struct{ action, decision, why string }{
		{"dynamodb:PutItem", "implicitly denied", "ForAllValues:StringEquals dynamodb:LeadingKeys [${cognito-identity.amazonaws.com:sub}=" + a.IdentityID + "] does not hold (request: [" + other + "])"},
		{"dynamodb:Scan", "implicitly denied", "no statement of role AccessAuthenticatedRole56E2EC25 allows dynamodb:Scan"},
		{"s3:PutObject", "explicitly denied", "explicit deny by Resources.AccessFilesPolicy52363DE5.Properties.PolicyDocument.Statement[0]"},
	} {
		d := denied[i]
		if d["action"] != want.action || d["decision"] != want.decision || !strings.Contains(d["why"].(string), want.why) || d["identity"] != a.IdentityID {
			t.Errorf("denial %d: %v\nwant action %s, decision %s, why containing %q", i, d, want.action, want.decision, want.why)
		}
	}
	if ctxKeys, _ := denied[2]["context"].(map[string]any); ctxKeys["aws:SecureTransport"] == nil {
		t.Errorf("the TLS denial does not show aws:SecureTransport: %v", denied[2]["context"])
	}
}
