package directaccess

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awswafv2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// signInPoolProps adds threat protection and the SES sender to a new pool's props.
func signInPoolProps(p *awscognito.UserPoolProps, threatProtection bool, email *emailSpec) {
	if threatProtection {
		p.FeaturePlan = awscognito.FeaturePlan_PLUS
		p.StandardThreatProtectionMode = awscognito.StandardThreatProtectionMode_FULL_FUNCTION
	}
	if email != nil {
		p.Email = awscognito.UserPoolEmail_WithSES(&awscognito.UserPoolSESOptions{
			FromEmail: jsii.String(email.from), FromName: optional(email.fromName), ReplyTo: optional(email.replyTo),
			SesRegion: optional(email.sesRegion), ConfigurationSetName: optional(email.configurationSet),
		})
	}
}

// wireWebACL puts a regional web ACL with a per-IP rate-based rule in front of the user pool.
func wireWebACL(scope constructs.Construct, userPoolArn *string, limit int) {
	visibility := func(name string) *awswafv2.CfnWebACL_VisibilityConfigProperty {
		return &awswafv2.CfnWebACL_VisibilityConfigProperty{CloudWatchMetricsEnabled: jsii.Bool(true), MetricName: jsii.String(name), SampledRequestsEnabled: jsii.Bool(true)}
	}
	acl := awswafv2.NewCfnWebACL(scope, jsii.String("SignInProtection"), &awswafv2.CfnWebACLProps{
		Scope:            jsii.String("REGIONAL"),
		DefaultAction:    &awswafv2.CfnWebACL_DefaultActionProperty{Allow: &awswafv2.CfnWebACL_AllowActionProperty{}},
		VisibilityConfig: visibility("apilessSignIn"),
		Rules: []interface{}{&awswafv2.CfnWebACL_RuleProperty{
			Name:     jsii.String("RateLimitPerIp"),
			Priority: jsii.Number(0),
			Action:   &awswafv2.CfnWebACL_RuleActionProperty{Block: &awswafv2.CfnWebACL_BlockActionProperty{}},
			Statement: &awswafv2.CfnWebACL_StatementProperty{RateBasedStatement: &awswafv2.CfnWebACL_RateBasedStatementProperty{
				Limit: jsii.Number(limit), AggregateKeyType: jsii.String("IP"), EvaluationWindowSec: jsii.Number(300),
			}},
			VisibilityConfig: visibility("apilessSignInRateLimit"),
		}},
	})
	awswafv2.NewCfnWebACLAssociation(scope, jsii.String("SignInProtectionAssociation"), &awswafv2.CfnWebACLAssociationProps{
		ResourceArn: userPoolArn,
		WebAclArn:   acl.AttrArn(),
	})
}

// wireThrottleAlarms alarms on any throttled read or write of a table (a client at the cap).
func wireThrottleAlarms(scope constructs.Construct, name string, tableName *string, topicArn string) {
	var action awscloudwatch.IAlarmAction
	if topicArn != "" {
		action = awscloudwatchactions.NewSnsAction(awssns.Topic_FromTopicArn(scope, jsii.String(name+"AlarmTopic"), jsii.String(topicArn)))
	}
	for _, m := range []string{"ReadThrottleEvents", "WriteThrottleEvents"} {
		alarm := awscloudwatch.NewAlarm(scope, jsii.String(name+m), &awscloudwatch.AlarmProps{
			AlarmDescription: jsii.String("apiless: requests to table " + name + " were throttled (a client at the throughput cap, or a runaway loop)"),
			Metric: awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
				Namespace: jsii.String("AWS/DynamoDB"), MetricName: jsii.String(m),
				DimensionsMap: &map[string]*string{"TableName": tableName},
				Statistic:     jsii.String("Sum"), Period: awscdk.Duration_Minutes(jsii.Number(5)),
			}),
			Threshold:          jsii.Number(1),
			EvaluationPeriods:  jsii.Number(1),
			ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
			TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
		})
		if action != nil {
			alarm.AddAlarmAction(action)
		}
	}
}
