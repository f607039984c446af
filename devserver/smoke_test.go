package devserver_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/apiless/apiless/devserver"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

func errCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if err != nil {
		return "other: " + err.Error()
	}
	return ""
}

func TestSmokeDemo(t *testing.T) {
	s := devserver.StartTestFile(t, "../testdata/ApilessDemo.template.json")
	ctx := context.Background()
	a := s.NewUser(t, "a@example.com", "Passw0rd!")
	b := s.NewUser(t, "b@example.com", "Passw0rd!")
	table := s.TableName("AccessItems")
	put := func(u *devserver.User, owner string) error {
		_, err := u.DynamoDB().PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: map[string]types.AttributeValue{
			"userId": &types.AttributeValueMemberS{Value: owner}, "itemId": &types.AttributeValueMemberS{Value: "1"}}})
		return err
	}
	if err := put(a, a.IdentityID); err != nil {
		t.Fatalf("own put: %v", err)
	}
	if err := put(a, b.IdentityID); errCode(err) != "AccessDeniedException" {
		t.Fatalf("other put: %v", err)
	}
	out, err := a.DynamoDB().GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: map[string]types.AttributeValue{
		"userId": &types.AttributeValueMemberS{Value: a.IdentityID}, "itemId": &types.AttributeValueMemberS{Value: "1"}}})
	if err != nil || len(out.Item) == 0 {
		t.Fatalf("own get: %v %v", out, err)
	}
	bucket := s.BucketName("AccessFiles")
	_, err = a.S3().PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("private/" + a.IdentityID + "/f.txt"), Body: strings.NewReader("hi")})
	if err != nil {
		t.Fatalf("own object: %v", err)
	}
	_, err = b.S3().GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("private/" + a.IdentityID + "/f.txt")})
	if errCode(err) != "AccessDenied" {
		t.Fatalf("other object: %v", err)
	}
	got, err := a.S3().GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("private/" + a.IdentityID + "/f.txt")})
	if err != nil {
		t.Fatalf("own get object: %v", err)
	}
	_ = got
}

func TestFrontendConfig(t *testing.T) {
	s := devserver.StartTestFile(t, "../testdata/ApilessDemo.template.json")
	ao, env, _, err := s.FrontendConfig()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(ao), s.UserPoolID()) || !strings.Contains(string(ao), s.URL()) || !strings.Contains(string(env), "VITE_AWS_ENDPOINT="+s.URL()) {
		t.Errorf("config does not point at the dev server:\n%s\n%s", ao, env)
	}
}
