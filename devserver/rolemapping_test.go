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
)

// A Rules role mapping: the role comes from the first rule that matches a claim; with
// AmbiguousRoleResolution Deny an identity no rule matches gets no credentials.
func TestRulesRoleMapping(t *testing.T) {
	raw, err := os.ReadFile(showcase)
	if err != nil {
		t.Fatal(err)
	}
	var tpl map[string]any
	if err := json.Unmarshal(raw, &tpl); err != nil {
		t.Fatal(err)
	}
	att := tpl["Resources"].(map[string]any)["AccessRoleAttachment90D55D62"].(map[string]any)["Properties"].(map[string]any)
	mapping := att["RoleMappings"].(map[string]any)["UserPool"].(map[string]any)
	mapping["Type"] = "Rules"
	mapping["AmbiguousRoleResolution"] = "Deny"
	mapping["RulesConfiguration"] = map[string]any{"Rules": []any{map[string]any{"Claim": "email", "MatchType": "StartsWith", "Value": "editor",
		"RoleARN": map[string]any{"Fn::GetAtt": []any{"AccessGroupseditorsRole9E16E442", "Arn"}}}}}
	changed, _ := json.Marshal(tpl)
	var log lockedBuffer
	s, err := devserver.Start(devserver.Options{Template: changed, TLS: true, AutoConfirm: true, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	editor, err := s.SignUp(ctx, "editor@example.com", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	// A Scan is denied to every role: the denial line names the role the credentials carry.
	_, _ = editor.DynamoDB().Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(s.TableName("AccessNotes"))})
	if !strings.Contains(log.String(), "role AccessGroupseditorsRole9E16E442") {
		t.Errorf("the rule did not choose the editors role:\n%s", log.String())
	}
	if _, err := s.SignUp(ctx, "someone@example.com", "Passw0rd!"); errCode(err) != "NotAuthorizedException" {
		t.Errorf("no rule matched, AmbiguousRoleResolution Deny: %v", err)
	}
}
