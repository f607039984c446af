package directaccess

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsbudgets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// wireBudget creates the monthly budget, its notification and the action that attaches deny to
// the roles once actual cost crosses the threshold, with an execution role that Budgets can
// assume and that may attach or detach only that policy, only on these roles.
func wireBudget(scope constructs.Construct, b *budgetSpec, deny awsiam.IManagedPolicy, roles []awsiam.IRole) {
	stack := awscdk.Stack_Of(scope)
	var notify, act []interface{}
	for _, e := range b.emails {
		notify = append(notify, &awsbudgets.CfnBudget_SubscriberProperty{SubscriptionType: jsii.String("EMAIL"), Address: jsii.String(e)})
		act = append(act, &awsbudgets.CfnBudgetsAction_SubscriberProperty{Type: jsii.String("EMAIL"), Address: jsii.String(e)})
	}
	if b.topicArn != "" {
		notify = append(notify, &awsbudgets.CfnBudget_SubscriberProperty{SubscriptionType: jsii.String("SNS"), Address: jsii.String(b.topicArn)})
		act = append(act, &awsbudgets.CfnBudgetsAction_SubscriberProperty{Type: jsii.String("SNS"), Address: jsii.String(b.topicArn)})
	}
	budget := awsbudgets.NewCfnBudget(scope, jsii.String("Budget"), &awsbudgets.CfnBudgetProps{
		Budget: &awsbudgets.CfnBudget_BudgetDataProperty{
			BudgetType:  jsii.String("COST"),
			TimeUnit:    jsii.String("MONTHLY"),
			BudgetLimit: &awsbudgets.CfnBudget_SpendProperty{Amount: jsii.Number(b.limit), Unit: jsii.String("USD")},
		},
		NotificationsWithSubscribers: []interface{}{&awsbudgets.CfnBudget_NotificationWithSubscribersProperty{
			Notification: &awsbudgets.CfnBudget_NotificationProperty{
				NotificationType: jsii.String("ACTUAL"), ComparisonOperator: jsii.String("GREATER_THAN"),
				Threshold: jsii.Number(b.notifyPercent), ThresholdType: jsii.String("PERCENTAGE"),
			},
			Subscribers: notify,
		}},
	})
	var roleArns, roleNames []*string
	for _, r := range roles {
		roleArns = append(roleArns, r.RoleArn())
		roleNames = append(roleNames, r.RoleName())
	}
	exec := awsiam.NewRole(scope, jsii.String("BudgetActionRole"), &awsiam.RoleProps{
		Description: jsii.String("AWS Budgets attaches the apiless deny-all-data policy to the identity pool's roles"),
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("budgets.amazonaws.com"), &awsiam.ServicePrincipalOpts{
			Conditions: &map[string]interface{}{"StringEquals": map[string]interface{}{"aws:SourceAccount": stack.Account()}},
		}),
	})
	exec.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AttachOnlyTheDenyPolicy"),
		Actions:    jsii.Strings("iam:AttachRolePolicy", "iam:DetachRolePolicy"),
		Resources:  &roleArns,
		Conditions: &map[string]interface{}{"ArnEquals": map[string]interface{}{"iam:PolicyARN": deny.ManagedPolicyArn()}},
	}))
	action := awsbudgets.NewCfnBudgetsAction(scope, jsii.String("BudgetAction"), &awsbudgets.CfnBudgetsActionProps{
		BudgetName:       budget.Ref(),
		ActionType:       jsii.String("APPLY_IAM_POLICY"),
		ActionThreshold:  &awsbudgets.CfnBudgetsAction_ActionThresholdProperty{Type: jsii.String("PERCENTAGE"), Value: jsii.Number(b.actPercent)},
		Definition:       &awsbudgets.CfnBudgetsAction_DefinitionProperty{IamActionDefinition: &awsbudgets.CfnBudgetsAction_IamActionDefinitionProperty{PolicyArn: deny.ManagedPolicyArn(), Roles: &roleNames}},
		ExecutionRoleArn: exec.RoleArn(),
		NotificationType: jsii.String("ACTUAL"),
		ApprovalModel:    jsii.String("AUTOMATIC"),
		Subscribers:      act,
	})
	action.Node().AddDependency(exec)
}
