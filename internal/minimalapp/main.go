// Command minimalapp is the yardstick for the app's synth time: a plain aws-cdk-go program that
// creates the same resources as the demo stack with hand-written policies and no apiless code.
// Compare with hyperfine (see README, Performance):
//
//	go build -o /tmp/minimal ./internal/minimalapp && go build -o /tmp/apiless .
//	hyperfine -w 2 -r 10 'CDK_OUTDIR=$(mktemp -d) /tmp/minimal' 'CDK_OUTDIR=$(mktemp -d) /tmp/apiless'
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"
)

func main() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Minimal"), nil)
	pool := awscognito.NewUserPool(stack, jsii.String("UserPool"), &awscognito.UserPoolProps{
		SignInAliases: &awscognito.SignInAliases{Email: jsii.Bool(true)}, SelfSignUpEnabled: jsii.Bool(true),
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
	client := pool.AddClient(jsii.String("Client"), &awscognito.UserPoolClientOptions{AuthFlows: &awscognito.AuthFlow{UserSrp: jsii.Bool(true)}})
	ip := awscognito.NewCfnIdentityPool(stack, jsii.String("IdentityPool"), &awscognito.CfnIdentityPoolProps{
		AllowUnauthenticatedIdentities: jsii.Bool(false),
		CognitoIdentityProviders: &[]*awscognito.CfnIdentityPool_CognitoIdentityProviderProperty{{
			ClientId: client.UserPoolClientId(), ProviderName: pool.UserPoolProviderName(),
		}},
	})
	role := awsiam.NewRole(stack, jsii.String("Role"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewFederatedPrincipal(jsii.String("cognito-identity.amazonaws.com"), &map[string]interface{}{
			"StringEquals": map[string]interface{}{"cognito-identity.amazonaws.com:aud": ip.Ref()},
		}, jsii.String("sts:AssumeRoleWithWebIdentity")),
	})
	awscognito.NewCfnIdentityPoolRoleAttachment(stack, jsii.String("Attach"), &awscognito.CfnIdentityPoolRoleAttachmentProps{
		IdentityPoolId: ip.Ref(), Roles: map[string]interface{}{"authenticated": role.RoleArn()},
	})
	table := awsdynamodb.NewTableV2(stack, jsii.String("Table"), &awsdynamodb.TablePropsV2{
		PartitionKey: &awsdynamodb.Attribute{Name: jsii.String("userId"), Type: awsdynamodb.AttributeType_STRING},
		SortKey:      &awsdynamodb.Attribute{Name: jsii.String("itemId"), Type: awsdynamodb.AttributeType_STRING},
	})
	logs := awss3.NewBucket(stack, jsii.String("Logs"), &awss3.BucketProps{EnforceSSL: jsii.Bool(true)})
	bucket := awss3.NewBucket(stack, jsii.String("Bucket"), &awss3.BucketProps{EnforceSSL: jsii.Bool(true), ServerAccessLogsBucket: logs})
	awsiam.NewManagedPolicy(stack, jsii.String("Policy"), &awsiam.ManagedPolicyProps{
		Roles: &[]awsiam.IRole{role},
		Statements: &[]awsiam.PolicyStatement{
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Actions:   jsii.Strings("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"),
				Resources: jsii.Strings(*table.TableArn()),
				Conditions: &map[string]interface{}{"ForAllValues:StringEquals": map[string]interface{}{
					"dynamodb:LeadingKeys": "${cognito-identity.amazonaws.com:sub}"}},
			}),
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Actions:   jsii.Strings("s3:GetObject", "s3:PutObject"),
				Resources: jsii.Strings(*bucket.BucketArn() + "/private/${cognito-identity.amazonaws.com:sub}/*"),
			}),
		},
	})
	app.Synth(nil)
}
