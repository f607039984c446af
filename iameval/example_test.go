package iameval_test

import (
	"encoding/json"
	"fmt"

	"github.com/apiless/apiless/iameval"
)

// The per-identity DynamoDB statement without its Null guard: ForAllValues holds on an empty set,
// so a Scan, which carries no dynamodb:LeadingKeys, is allowed and reads every identity's items.
func ExampleEvaluate() {
	var doc any
	_ = json.Unmarshal([]byte(`{"Statement": [{
	  "Effect": "Allow",
	  "Action": ["dynamodb:GetItem", "dynamodb:Scan"],
	  "Resource": "arn:aws:dynamodb:us-east-1:123456789012:table/Items",
	  "Condition": {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["${cognito-identity.amazonaws.com:sub}"]}}}]}`), &doc)
	policy, err := iameval.ParsePolicy(doc, "example")
	if err != nil {
		panic(err)
	}
	me := iameval.Context{"cognito-identity.amazonaws.com:sub": {"us-east-1:1111"}}
	for _, req := range []iameval.Request{
		{Action: "dynamodb:GetItem", Context: me.With("dynamodb:LeadingKeys", "us-east-1:1111")},
		{Action: "dynamodb:GetItem", Context: me.With("dynamodb:LeadingKeys", "us-east-1:2222")},
		{Action: "dynamodb:Scan", Context: me},
	} {
		req.Resource = "arn:aws:dynamodb:us-east-1:123456789012:table/Items"
		fmt.Println(req.Action, req.Context["dynamodb:LeadingKeys"], iameval.Evaluate(req, []*iameval.Policy{policy}, nil).Decision)
	}
	// Output:
	// dynamodb:GetItem [us-east-1:1111] allowed
	// dynamodb:GetItem [us-east-1:2222] implicitly denied
	// dynamodb:Scan [] allowed
}
