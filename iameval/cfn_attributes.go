package iameval

import "fmt"

// ref resolves Ref: pseudo parameters, parameters (by their Default) and resources (by the physical
// ID CloudFormation returns for their type).
func (t *Template) ref(name, path string) (any, error) {
	e := t.env
	switch name {
	case "AWS::Partition":
		return e.Partition, nil
	case "AWS::Region":
		return e.Region, nil
	case "AWS::AccountId":
		return e.AccountID, nil
	case "AWS::URLSuffix":
		return e.URLSuffix, nil
	case "AWS::StackName":
		return e.StackName, nil
	case "AWS::StackId":
		return e.StackID, nil
	case "AWS::NotificationARNs":
		return []any{}, nil
	case "AWS::NoValue":
		return noValue, nil
	}
	if pm, ok := t.parameters[name]; ok {
		if d, ok := pm["Default"]; ok {
			return d, nil
		}
		return nil, rerr(path, "parameter %s has no Default, so its value is only known at deploy time", name)
	}
	if _, ok := t.resources[name]; ok {
		s, err := t.Ref(name)
		if err != nil {
			return nil, rerr(path, "%v", err)
		}
		return s, nil
	}
	return nil, rerr(path, "Ref %s: no such resource, parameter or pseudo parameter", name)
}

// Ref returns the value Ref gives for a resource: its physical ID in the shape of its type (a
// bucket or table name, a role name, a user pool ID, an identity pool ID, a managed policy ARN).
func (t *Template) Ref(logicalID string) (string, error) {
	r, ok := t.resources[logicalID]
	if !ok {
		return "", fmt.Errorf("no resource %q in the template", logicalID)
	}
	e := t.env
	switch r.Type {
	case "AWS::Cognito::UserPool":
		return e.Region + "_" + suffix(logicalID)[:9], nil
	case "AWS::Cognito::UserPoolClient":
		return fakeAlnum(logicalID, 26), nil
	case "AWS::Cognito::IdentityPool":
		return e.Region + ":" + fakeUUID(e.StackName+"/"+logicalID), nil
	case "AWS::IAM::ManagedPolicy":
		name, err := t.PhysicalName(logicalID)
		if err != nil {
			return "", err
		}
		return iamARN(e, "policy", r, name)
	case "AWS::SNS::Topic":
		name, err := t.PhysicalName(logicalID)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("arn:%s:sns:%s:%s:%s", e.Partition, e.Region, e.AccountID, name), nil
	case "AWS::SQS::Queue":
		name, err := t.PhysicalName(logicalID)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("https://sqs.%s.%s/%s/%s", e.Region, e.URLSuffix, e.AccountID, name), nil
	case "AWS::KMS::Key":
		return fakeUUID(logicalID), nil
	}
	return t.PhysicalName(logicalID)
}

func iamARN(e Env, kind string, r *Resource, name string) (string, error) {
	p := "/"
	if v, ok := r.Properties["Path"].(string); ok && v != "" {
		p = v
	}
	return fmt.Sprintf("arn:%s:iam::%s:%s%s%s", e.Partition, e.AccountID, kind, p, name), nil
}

func (t *Template) getAtt(id, attr, path string) (any, error) {
	if _, ok := t.resources[id]; !ok {
		return nil, rerr(path, "Fn::GetAtt %s.%s: no such resource", id, attr)
	}
	v, err := t.GetAtt(id, attr)
	if err != nil {
		return nil, rerr(path, "%v", err)
	}
	return v, nil
}

// GetAtt returns the value of Fn::GetAtt for the attributes this package models (ARNs and the
// identifiers policies are built from). Any other attribute is an error naming the resource type,
// because a made-up value could make a policy match what it would not match in AWS.
func (t *Template) GetAtt(logicalID, attr string) (string, error) {
	r, ok := t.resources[logicalID]
	if !ok {
		return "", fmt.Errorf("no resource %q in the template", logicalID)
	}
	f, ok := attributes[r.Type+"."+attr]
	if !ok {
		return "", fmt.Errorf("Fn::GetAtt %s.%s: attribute %s of %s is not modelled offline", logicalID, attr, attr, r.Type)
	}
	return f(t, r)
}

// attrFunc computes one attribute of a resource.
type attrFunc func(t *Template, r *Resource) (string, error)

// named builds an attribute from the resource's physical name.
func named(f func(e Env, name string) string) attrFunc {
	return func(t *Template, r *Resource) (string, error) {
		n, err := t.PhysicalName(r.LogicalID)
		if err != nil {
			return "", err
		}
		return f(t.env, n), nil
	}
}

// arnOf is the ARN of a service's resource; regional ones carry the region and account.
func arnOf(e Env, service string, regional bool, resource string) string {
	region, account := "", ""
	if regional {
		region, account = e.Region, e.AccountID
	}
	return fmt.Sprintf("arn:%s:%s:%s:%s:%s", e.Partition, service, region, account, resource)
}

// namedARN is the ARN of a regional resource whose resource part is format applied to its name.
func namedARN(service, format string) attrFunc {
	return named(func(e Env, n string) string { return arnOf(e, service, true, fmt.Sprintf(format, n)) })
}

// fromRef builds an attribute from what Ref gives for the resource.
func fromRef(f func(e Env, id string) string) attrFunc {
	return func(t *Template, r *Resource) (string, error) {
		id, err := t.Ref(r.LogicalID)
		if err != nil {
			return "", err
		}
		return f(t.env, id), nil
	}
}

func fromLogicalID(f func(e Env, logicalID string) string) attrFunc {
	return func(t *Template, r *Resource) (string, error) { return f(t.env, r.LogicalID), nil }
}

func iamNamedARN(kind string) attrFunc {
	return func(t *Template, r *Resource) (string, error) {
		n, err := t.PhysicalName(r.LogicalID)
		if err != nil {
			return "", err
		}
		return iamARN(t.env, kind, r, n)
	}
}

var (
	refAttr  = fromRef(func(_ Env, id string) string { return id })
	nameAttr = named(func(_ Env, n string) string { return n })
)

// attributes are the Fn::GetAtt attributes modelled offline, by "Type.Attribute".
var attributes = map[string]attrFunc{
	"AWS::S3::Bucket.Arn":                 named(func(e Env, n string) string { return arnOf(e, "s3", false, n) }),
	"AWS::S3::Bucket.DomainName":          named(func(e Env, n string) string { return n + ".s3." + e.URLSuffix }),
	"AWS::S3::Bucket.RegionalDomainName":  named(func(e Env, n string) string { return n + ".s3." + e.Region + "." + e.URLSuffix }),
	"AWS::S3::Bucket.DualStackDomainName": named(func(e Env, n string) string { return n + ".s3.dualstack." + e.Region + "." + e.URLSuffix }),
	"AWS::S3::Bucket.WebsiteURL":          named(func(e Env, n string) string { return "http://" + n + ".s3-website-" + e.Region + "." + e.URLSuffix }),

	"AWS::DynamoDB::Table.Arn":             namedARN("dynamodb", "table/%s"),
	"AWS::DynamoDB::GlobalTable.Arn":       namedARN("dynamodb", "table/%s"),
	"AWS::DynamoDB::Table.StreamArn":       namedARN("dynamodb", "table/%s/stream/2024-01-01T00:00:00.000"),
	"AWS::DynamoDB::GlobalTable.StreamArn": namedARN("dynamodb", "table/%s/stream/2024-01-01T00:00:00.000"),
	"AWS::DynamoDB::Table.TableId":         fromLogicalID(func(_ Env, id string) string { return fakeUUID(id) }),
	"AWS::DynamoDB::GlobalTable.TableId":   fromLogicalID(func(_ Env, id string) string { return fakeUUID(id) }),

	"AWS::IAM::Role.Arn":                iamNamedARN("role"),
	"AWS::IAM::Role.RoleId":             fromLogicalID(func(_ Env, id string) string { return "AROA" + suffix(id) + suffix(id + "/")[:5] }),
	"AWS::IAM::User.Arn":                iamNamedARN("user"),
	"AWS::IAM::ManagedPolicy.PolicyArn": refAttr,

	"AWS::Cognito::UserPool.Arn": fromRef(func(e Env, id string) string { return arnOf(e, "cognito-idp", true, "userpool/"+id) }),
	"AWS::Cognito::UserPool.ProviderName": fromRef(func(e Env, id string) string {
		return "cognito-idp." + e.Region + "." + e.URLSuffix + "/" + id
	}),
	"AWS::Cognito::UserPool.ProviderURL": fromRef(func(e Env, id string) string {
		return "https://cognito-idp." + e.Region + "." + e.URLSuffix + "/" + id
	}),
	"AWS::Cognito::UserPool.UserPoolId":     refAttr,
	"AWS::Cognito::UserPoolClient.ClientId": refAttr,
	"AWS::Cognito::IdentityPool.Id":         refAttr,
	"AWS::Cognito::IdentityPool.Name":       nameAttr,
	"AWS::Lambda::Function.Arn":             namedARN("lambda", "function:%s"),
	"AWS::SNS::Topic.TopicArn":              refAttr,
	"AWS::SNS::Topic.TopicName":             nameAttr,
	"AWS::SQS::Queue.QueueName":             nameAttr,
	"AWS::SQS::Queue.Arn":                   namedARN("sqs", "%s"),
	"AWS::SQS::Queue.QueueUrl":              refAttr,
	"AWS::Kinesis::Stream.Name":             nameAttr,
	"AWS::Kinesis::Stream.Arn":              namedARN("kinesis", "stream/%s"),
	"AWS::StepFunctions::StateMachine.Name": nameAttr,
	"AWS::StepFunctions::StateMachine.Arn":  namedARN("states", "stateMachine:%s"),
	"AWS::KMS::Key.Arn":                     fromLogicalID(func(e Env, id string) string { return arnOf(e, "kms", true, "key/"+fakeUUID(id)) }),
	"AWS::KMS::Key.KeyId":                   fromLogicalID(func(_ Env, id string) string { return fakeUUID(id) }),
	"AWS::Logs::LogGroup.Arn":               namedARN("logs", "log-group:%s:*"),
	"AWS::Events::Rule.Arn":                 namedARN("events", "rule/%s"),
}
