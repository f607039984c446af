package devserver_test

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/apiless/apiless/devserver"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
)

// Start a dev server on a synthesized template, sign two users up and check, with the real AWS
// SDK clients, that one can write its own item but not the other's. In a test, use
// devserver.StartTest(t, template) and s.NewUser(t, ...) instead.
func Example() {
	template, _ := os.ReadFile("../testdata/ApilessDemo.template.json")
	s, err := devserver.Start(devserver.Options{Template: template, TLS: true, AutoConfirm: true})
	if err != nil {
		panic(err)
	}
	defer s.Close()
	ctx := context.Background()
	alice, _ := s.SignUp(ctx, "alice@example.com", "Passw0rd!")
	bob, _ := s.SignUp(ctx, "bob@example.com", "Passw0rd!")

	table := s.TableName("AccessItems")
	for _, owner := range []*devserver.User{alice, bob} {
		_, err := alice.DynamoDB().PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: map[string]types.AttributeValue{
			"userId": &types.AttributeValueMemberS{Value: owner.IdentityID}, "itemId": &types.AttributeValueMemberS{Value: "note-1"}}})
		var ae smithy.APIError
		switch {
		case err == nil:
			fmt.Printf("alice writes %s's item: allowed\n", owner.Username)
		case errors.As(err, &ae):
			fmt.Printf("alice writes %s's item: %s\n", owner.Username, ae.ErrorCode())
		}
	}
	// Output:
	// alice writes alice@example.com's item: allowed
	// alice writes bob@example.com's item: AccessDeniedException
}
