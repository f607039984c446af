package directaccess

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudtrail"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// auditTarget is what the trail records: the construct's tables and buckets, and where it
// writes.
type auditTarget struct {
	days                  int
	tableArns, bucketArns []*string
	// key is the construct's own key (nil: SSE-S3 log files); accessLogs receives the log
	// bucket's server access logs (nil: none).
	key        awskms.Key
	accessLogs awss3.IBucket
}

// wireAuditTrail creates a trail of data events for exactly the target's tables and buckets.
// The L2 Trail has no DynamoDB data events (v2.220.0), so the trail is the L1 resource with
// advanced event selectors.
func wireAuditTrail(scope constructs.Construct, a auditTarget) awscloudtrail.CfnTrail {
	stack := awscdk.Stack_Of(scope)
	props := SecureBucketProps(awscdk.RemovalPolicy_RETAIN)
	props.LifecycleRules = &[]*awss3.LifecycleRule{{
		Expiration:                          awscdk.Duration_Days(jsii.Number(a.days)),
		NoncurrentVersionExpiration:         awscdk.Duration_Days(jsii.Number(DefaultNoncurrentVersionDays)),
		AbortIncompleteMultipartUploadAfter: awscdk.Duration_Days(jsii.Number(DefaultIncompleteUploadDays)),
	}}
	props.ServerAccessLogsBucket = a.accessLogs
	props.ServerAccessLogsPrefix = jsii.String("AuditLogs/")
	logs := awss3.NewBucket(scope, jsii.String("AuditLogs"), props)
	if a.accessLogs == nil {
		addNagSuppression(logs.Node().DefaultChild().(awscdk.CfnResource), "AwsSolutions-S1", "The audit log bucket of a construct that creates no data bucket has no access-log bucket to write to; CloudTrail's own delivery is the record.")
	}
	cloudtrail := awsiam.NewServicePrincipal(jsii.String("cloudtrail.amazonaws.com"), nil)
	fromThisAccount := &map[string]interface{}{"StringEquals": map[string]interface{}{"aws:SourceAccount": stack.Account()}}
	logs.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("CloudTrailAclCheck"), Principals: &[]awsiam.IPrincipal{cloudtrail},
		Actions: jsii.Strings("s3:GetBucketAcl"), Resources: jsii.Strings(*logs.BucketArn()), Conditions: fromThisAccount,
	}))
	logs.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("CloudTrailWrite"), Principals: &[]awsiam.IPrincipal{cloudtrail},
		Actions: jsii.Strings("s3:PutObject"), Resources: jsii.Strings(*logs.ArnForObjects(jsii.String("AWSLogs/" + *stack.Account() + "/*"))),
		Conditions: &map[string]interface{}{"StringEquals": map[string]interface{}{"aws:SourceAccount": stack.Account(), "s3:x-amz-acl": "bucket-owner-full-control"}},
	}))
	var keyID *string
	if a.key != nil {
		keyID = a.key.KeyArn()
		a.key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid: jsii.String("CloudTrailEncryptsAuditLogs"), Principals: &[]awsiam.IPrincipal{cloudtrail},
			Actions: jsii.Strings("kms:GenerateDataKey*", "kms:DescribeKey"), Resources: jsii.Strings("*"), Conditions: fromThisAccount,
		}), nil)
	}
	trail := awscloudtrail.NewCfnTrail(scope, jsii.String("AuditTrail"), &awscloudtrail.CfnTrailProps{
		IsLogging:                  jsii.Bool(true),
		S3BucketName:               logs.BucketName(),
		EnableLogFileValidation:    jsii.Bool(true),
		IsMultiRegionTrail:         jsii.Bool(false),
		IncludeGlobalServiceEvents: jsii.Bool(false),
		KmsKeyId:                   keyID,
		AdvancedEventSelectors:     auditSelectors(a),
	})
	trail.Node().AddDependency(logs)
	return trail
}

func auditSelectors(a auditTarget) []interface{} {
	field := func(name string, values ...*string) *awscloudtrail.CfnTrail_AdvancedFieldSelectorProperty {
		return &awscloudtrail.CfnTrail_AdvancedFieldSelectorProperty{Field: jsii.String(name), EqualTo: &values}
	}
	var out []interface{}
	if len(a.tableArns) > 0 {
		out = append(out, &awscloudtrail.CfnTrail_AdvancedEventSelectorProperty{
			Name: jsii.String("Items of the apiless tables"),
			FieldSelectors: []interface{}{field("eventCategory", jsii.String("Data")), field("resources.type", jsii.String("AWS::DynamoDB::Table")),
				field("resources.ARN", a.tableArns...)},
		})
	}
	if len(a.bucketArns) > 0 {
		var prefixes []*string
		for _, b := range a.bucketArns {
			prefixes = append(prefixes, jsii.String(*b+"/"))
		}
		out = append(out, &awscloudtrail.CfnTrail_AdvancedEventSelectorProperty{
			Name: jsii.String("Objects of the apiless buckets"),
			FieldSelectors: []interface{}{field("eventCategory", jsii.String("Data")), field("resources.type", jsii.String("AWS::S3::Object")),
				&awscloudtrail.CfnTrail_AdvancedFieldSelectorProperty{Field: jsii.String("resources.ARN"), StartsWith: &prefixes}},
		})
	}
	return out
}
