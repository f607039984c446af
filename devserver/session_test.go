package devserver_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/apiless/apiless/devserver"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func TestSignUpNeedsTheLoggedCode(t *testing.T) {
	var log lockedBuffer
	b, _ := os.ReadFile("../testdata/ApilessDemo.template.json")
	s, err := devserver.Start(devserver.Options{Template: b, Log: &log, JSON: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	idp := cip.NewFromConfig(s.AWSConfig(nil))
	client := aws.String(s.UserPoolClientID())
	if _, err := idp.SignUp(ctx, &cip.SignUpInput{ClientId: client, Username: aws.String("c@example.com"), Password: aws.String("short")}); errCode(err) != "InvalidPasswordException" {
		t.Errorf("weak password: %v", err)
	}
	if _, err := idp.SignUp(ctx, &cip.SignUpInput{ClientId: client, Username: aws.String("c@example.com"), Password: aws.String("Passw0rd!"),
		UserAttributes: []ciptypes.AttributeType{{Name: aws.String("custom:tenant"), Value: aws.String("acme")}}}); errCode(err) != "NotAuthorizedException" {
		t.Errorf("writing an attribute the client may not write: %v", err)
	}
	if _, err := idp.SignUp(ctx, &cip.SignUpInput{ClientId: client, Username: aws.String("c@example.com"), Password: aws.String("Passw0rd!")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SignIn(ctx, "c@example.com", "Passw0rd!"); errCode(err) != "UserNotConfirmedException" {
		t.Errorf("unconfirmed sign-in: %v", err)
	}
	var code string
	for _, line := range strings.Split(strings.TrimSpace(log.String()), "\n") {
		var ev map[string]any
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		if ev["event"] == "signup" {
			code, _ = ev["confirmationCode"].(string)
		}
	}
	if _, err := idp.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: client, Username: aws.String("c@example.com"), ConfirmationCode: aws.String("000000x")}); errCode(err) != "CodeMismatchException" {
		t.Errorf("wrong code: %v", err)
	}
	if _, err := idp.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: client, Username: aws.String("c@example.com"), ConfirmationCode: aws.String(code)}); err != nil {
		t.Fatalf("logged code %q: %v", code, err)
	}
	if _, err := s.SignIn(ctx, "c@example.com", "wrong-Passw0rd!"); errCode(err) != "NotAuthorizedException" {
		t.Errorf("wrong password: %v", err)
	}
	if _, err := s.SignIn(ctx, "c@example.com", "Passw0rd!"); err != nil {
		t.Errorf("sign-in after confirmation: %v", err)
	}
}

func TestRefreshRevokeAndSignOut(t *testing.T) {
	s := demoServer(t, devserver.Options{})
	ctx := context.Background()
	a := s.NewUser(t, "a@example.com", "Passw0rd!")
	first := a.Credentials.AccessKeyID
	if err := a.Refresh(ctx); err != nil {
		t.Fatalf("GetTokensFromRefreshToken: %v", err)
	}
	if a.Credentials.AccessKeyID == first {
		t.Error("refresh gave the same credentials")
	}
	idp := cip.NewFromConfig(s.AWSConfig(nil))
	client := aws.String(s.UserPoolClientID())
	if _, err := idp.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: client, AuthFlow: ciptypes.AuthFlowTypeRefreshTokenAuth,
		AuthParameters: map[string]string{"REFRESH_TOKEN": a.RefreshToken}}); err != nil {
		t.Errorf("REFRESH_TOKEN_AUTH: %v", err)
	}
	if _, err := idp.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: client, Token: aws.String(a.RefreshToken)}); err != nil {
		t.Fatalf("RevokeToken: %v", err)
	}
	if err := a.Refresh(ctx); errCode(err) != "NotAuthorizedException" {
		t.Errorf("refresh after RevokeToken: %v", err)
	}
	b := s.NewUser(t, "b@example.com", "Passw0rd!")
	done, err := idp.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: client, AuthFlow: ciptypes.AuthFlowTypeRefreshTokenAuth,
		AuthParameters: map[string]string{"REFRESH_TOKEN": b.RefreshToken}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := idp.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: done.AuthenticationResult.AccessToken}); err != nil {
		t.Fatalf("GlobalSignOut: %v", err)
	}
	if err := b.Refresh(ctx); errCode(err) != "NotAuthorizedException" {
		t.Errorf("refresh after GlobalSignOut: %v", err)
	}
}

func TestDataDirKeepsItemsAndObjects(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	b, _ := os.ReadFile("../testdata/ApilessDemo.template.json")
	start := func() *devserver.Server {
		s, err := devserver.Start(devserver.Options{Template: b, TLS: true, AutoConfirm: true, DataDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := start()
	a := s.NewUser(t, "a@example.com", "Passw0rd!")
	if err := putOwn(ctx, s, a.DynamoDB(), a.IdentityID); err != nil {
		t.Fatal(err)
	}
	key := "private/" + a.IdentityID + "/kept.txt"
	if _, err := a.S3().PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(s.BucketName("AccessFiles")), Key: &key, Body: strings.NewReader("kept")}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = start()
	defer s.Close()
	// The user, its identity and its data survive: sign in again and read them back.
	a2, err := s.SignIn(ctx, "a@example.com", "Passw0rd!")
	if err != nil {
		t.Fatalf("sign-in after restart: %v", err)
	}
	if a2.IdentityID != a.IdentityID {
		t.Errorf("identity ID changed across the restart: %s, was %s", a2.IdentityID, a.IdentityID)
	}
	out, err := a2.DynamoDB().GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.TableName("AccessItems")), Key: map[string]types.AttributeValue{
		"userId": &types.AttributeValueMemberS{Value: a.IdentityID}, "itemId": &types.AttributeValueMemberS{Value: "x"}}})
	if err != nil || len(out.Item) == 0 {
		t.Errorf("the item did not survive the restart: %v %v", out, err)
	}
	obj, err := a2.S3().GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.BucketName("AccessFiles")), Key: &key})
	if err != nil {
		t.Fatalf("the object did not survive the restart: %v", err)
	}
	obj.Body.Close()
	if err := a2.Refresh(ctx); err != nil {
		t.Errorf("refresh after the restart: %v", err)
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }
