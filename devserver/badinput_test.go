package devserver_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apiless/apiless/devserver"
	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func demoServer(t *testing.T, opts devserver.Options) *devserver.Server {
	t.Helper()
	b, err := os.ReadFile("../testdata/ApilessDemo.template.json")
	if err != nil {
		t.Fatal(err)
	}
	opts.Template, opts.TLS, opts.AutoConfirm = b, true, true
	s, err := devserver.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestStartRefusesTemplatesItCannotServe(t *testing.T) {
	for _, tc := range []struct{ name, template, want string }{
		{"not JSON", `{`, "not a JSON object"},
		{"no identity pool roles", `{"Resources":{"P":{"Type":"AWS::Cognito::UserPool","Properties":{}},"I":{"Type":"AWS::Cognito::IdentityPool","Properties":{"AllowUnauthenticatedIdentities":false}}}}`, "no AWS::Cognito::IdentityPoolRoleAttachment"},
		{"no identity pool", `{"Resources":{"T":{"Type":"AWS::DynamoDB::Table","Properties":{}}}}`, "needs exactly one"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := devserver.Start(devserver.Options{Template: []byte(tc.template)})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Start: %v; want an error containing %q", err, tc.want)
			}
		})
	}
	b, _ := os.ReadFile("../testdata/ApilessDemo.template.json")
	if _, err := devserver.Start(devserver.Options{Template: b, Addr: "0.0.0.0:0"}); err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("Start on 0.0.0.0: %v; want a loopback-only error", err)
	}
	s := demoServer(t, devserver.Options{})
	addr := strings.TrimPrefix(s.URL(), "https://")
	if _, err := devserver.Start(devserver.Options{Template: b, Addr: addr}); err == nil || !strings.Contains(err.Error(), "address already in use") {
		t.Errorf("Start on a used port: %v", err)
	}
}

func putOwn(ctx context.Context, s *devserver.Server, c *dynamodb.Client, owner string) error {
	_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.TableName("AccessItems")), Item: map[string]types.AttributeValue{
		"userId": &types.AttributeValueMemberS{Value: owner}, "itemId": &types.AttributeValueMemberS{Value: "x"}}})
	return err
}

func TestSignatureChecks(t *testing.T) {
	clk := &clock{t: time.Now()}
	s := demoServer(t, devserver.Options{Now: clk.now, CredentialLifetime: 10 * time.Minute})
	ctx := context.Background()
	a := s.NewUser(t, "a@example.com", "Passw0rd!")
	forged := dynamodb.NewFromConfig(s.AWSConfig(credentials.NewStaticCredentialsProvider(a.Credentials.AccessKeyID, "not-the-secret", a.Credentials.SessionToken)))
	if c := errCode(putOwn(ctx, s, forged, a.IdentityID)); c != "SignatureDoesNotMatch" {
		t.Errorf("forged signature: %s", c)
	}
	unknown := dynamodb.NewFromConfig(s.AWSConfig(credentials.NewStaticCredentialsProvider("ASIAUNKNOWN", "x", "y")))
	if c := errCode(putOwn(ctx, s, unknown, a.IdentityID)); c != "UnrecognizedClientException" {
		t.Errorf("unknown access key: %s", c)
	}
	if err := putOwn(ctx, s, a.DynamoDB(), a.IdentityID); err != nil {
		t.Fatalf("own write: %v", err)
	}
	// A request signed 20 minutes ago is refused even with valid credentials.
	body := []byte(`{"TableName":"` + s.TableName("AccessItems") + `"}`)
	req, _ := http.NewRequest(http.MethodPost, s.URL(), bytes.NewReader(body))
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810.DescribeTable")
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, a.Credentials, req, hex.EncodeToString(sum[:]), "dynamodb", s.Region(), clk.now().Add(-20*time.Minute)); err != nil {
		t.Fatal(err)
	}
	res, err := s.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 400 || res.Header.Get("X-Amzn-ErrorType") != "InvalidSignatureException" {
		t.Errorf("old signature: %d %s", res.StatusCode, res.Header.Get("X-Amzn-ErrorType"))
	}
	clk.add(11 * time.Minute)
	if c := errCode(putOwn(ctx, s, a.DynamoDB(), a.IdentityID)); c != "ExpiredTokenException" {
		t.Errorf("expired credentials: %s", c)
	}
}

func TestMalformedRequests(t *testing.T) {
	s := demoServer(t, devserver.Options{})
	a := s.NewUser(t, "a@example.com", "Passw0rd!")
	ctx := context.Background()
	signed := func(target, body string) *http.Response {
		req, _ := http.NewRequest(http.MethodPost, s.URL(), strings.NewReader(body))
		req.Header.Set("X-Amz-Target", target)
		sum := sha256.Sum256([]byte(body))
		if err := v4.NewSigner().SignHTTP(ctx, a.Credentials, req, hex.EncodeToString(sum[:]), "dynamodb", s.Region(), time.Now()); err != nil {
			t.Fatal(err)
		}
		res, err := s.HTTPClient().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	for _, tc := range []struct{ name, target, body, code string }{
		{"DynamoDB body not JSON", "DynamoDB_20120810.GetItem", `{"TableName":`, "SerializationException"},
		{"DynamoDB batch without items", "DynamoDB_20120810.BatchGetItem", `{}`, "ValidationException"},
		{"operation not emulated", "DynamoDB_20120810.ExportTableToPointInTime", `{}`, "AccessDeniedException"},
		{"unknown service", "AmazonSQS.SendMessage", `{}`, "UnknownOperationException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := signed(tc.target, tc.body)
			if got := res.Header.Get("X-Amzn-ErrorType"); got != tc.code {
				t.Errorf("%s: %d %s; want %s", tc.target, res.StatusCode, got, tc.code)
			}
		})
	}
	res, err := s.HTTPClient().Post(s.URL(), "application/x-amz-json-1.1", strings.NewReader(`{`))
	if err == nil {
		res.Body.Close()
	}
	req, _ := http.NewRequest(http.MethodPost, s.URL(), strings.NewReader(`not json`))
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.InitiateAuth")
	if res, err := s.HTTPClient().Do(req); err != nil || res.Header.Get("X-Amzn-ErrorType") != "SerializationException" {
		t.Errorf("malformed Cognito call: %v %v", err, res.Header.Get("X-Amzn-ErrorType"))
	}
	// The server still works.
	if err := putOwn(ctx, s, a.DynamoDB(), a.IdentityID); err != nil {
		t.Errorf("after malformed requests: %v", err)
	}
}

func TestTokenOfAnotherPoolIsRefused(t *testing.T) {
	s1 := demoServer(t, devserver.Options{})
	s2 := demoServer(t, devserver.Options{})
	a := s1.NewUser(t, "a@example.com", "Passw0rd!")
	ci := cognitoidentity.NewFromConfig(s2.AWSConfig(nil))
	_, err := ci.GetId(context.Background(), &cognitoidentity.GetIdInput{IdentityPoolId: aws.String(s2.IdentityPoolID()),
		Logins: map[string]string{"cognito-idp." + s2.Region() + ".amazonaws.com/" + s2.UserPoolID(): a.IDToken}})
	if c := errCode(err); c != "NotAuthorizedException" {
		t.Errorf("token of another pool: %v", err)
	}
	_, err = ci.GetId(context.Background(), &cognitoidentity.GetIdInput{IdentityPoolId: aws.String(s2.IdentityPoolID())})
	if c := errCode(err); c != "NotAuthorizedException" {
		t.Errorf("guest GetId on a pool without guests: %v", err)
	}
}

func TestDeniedWritesStoreNothing(t *testing.T) {
	s := demoServer(t, devserver.Options{})
	ctx := context.Background()
	a := s.NewUser(t, "a@example.com", "Passw0rd!")
	b := s.NewUser(t, "b@example.com", "Passw0rd!")
	if c := errCode(putOwn(ctx, s, a.DynamoDB(), b.IdentityID)); c != "AccessDeniedException" {
		t.Fatalf("foreign write: %s", c)
	}
	out, err := b.DynamoDB().GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.TableName("AccessItems")), Key: map[string]types.AttributeValue{
		"userId": &types.AttributeValueMemberS{Value: b.IdentityID}, "itemId": &types.AttributeValueMemberS{Value: "x"}}})
	if err != nil || len(out.Item) != 0 {
		t.Errorf("the denied write was stored: %v %v", out.Item, err)
	}
}

// The bucket's CORS rules come from the template: an origin they do not list gets no CORS
// answer, so a browser blocks the call locally as it would in the cloud.
func TestBucketCORSFromTheTemplate(t *testing.T) {
	s := demoServer(t, devserver.Options{})
	preflight := func(origin string) *http.Response {
		req, _ := http.NewRequest(http.MethodOptions, s.URL()+"/"+s.BucketName("AccessFiles")+"/private/x/f.txt", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "PUT")
		req.Header.Set("Access-Control-Request-Headers", "content-type,x-amz-date,authorization,x-amz-security-token,x-amz-content-sha256")
		res, err := s.HTTPClient().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	ok := preflight("http://localhost:5173")
	if ok.StatusCode != 200 || ok.Header.Get("Access-Control-Allow-Origin") != "http://localhost:5173" || !strings.Contains(ok.Header.Get("Access-Control-Expose-Headers"), "ETag") {
		t.Errorf("listed origin: %d %v", ok.StatusCode, ok.Header)
	}
	bad := preflight("https://elsewhere.example")
	if bad.StatusCode != 403 || bad.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("unlisted origin: %d %v", bad.StatusCode, bad.Header)
	}
}
