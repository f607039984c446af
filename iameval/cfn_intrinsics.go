package iameval

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// noValue is what Ref AWS::NoValue resolves to: the enclosing property or list element is removed.
type noValueT struct{}

var noValue = noValueT{}

// ResolveError reports an intrinsic function that cannot be resolved offline. Path names the place
// in the template, in the form Resources.X.Properties.PolicyDocument.Statement[2].Resource[0].
type ResolveError struct {
	Path string
	Msg  string
}

func (e *ResolveError) Error() string { return e.Path + ": " + e.Msg }

func rerr(path, format string, args ...any) error {
	return &ResolveError{Path: path, Msg: fmt.Sprintf(format, args...)}
}

// Resolve returns v with every intrinsic function replaced by its value. path names v's place in
// the template and prefixes every error. A value that resolves to AWS::NoValue comes back as nil.
func (t *Template) Resolve(v any, path string) (any, error) {
	r, err := t.resolve(v, path)
	if err != nil {
		return nil, err
	}
	if r == noValue {
		return nil, nil
	}
	return r, nil
}

// ResolveString resolves v and requires a string (numbers are accepted in their JSON form).
func (t *Template) ResolveString(v any, path string) (string, error) {
	r, err := t.resolve(v, path)
	if err != nil {
		return "", err
	}
	return asString(r, path)
}

func asString(v any, path string) (string, error) {
	s, err := scalarString(v)
	if err != nil {
		return "", rerr(path, "expected a string, got %s", describe(v))
	}
	return s, nil
}

// describe is describeValue, knowing AWS::NoValue as well.
func describe(v any) string {
	if v == noValue {
		return "AWS::NoValue"
	}
	return describeValue(v)
}

func (t *Template) resolve(v any, path string) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			for k, arg := range x {
				if k == "Ref" || strings.HasPrefix(k, "Fn::") {
					return t.intrinsic(k, arg, path)
				}
			}
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			r, err := t.resolve(e, path+"."+k)
			if err != nil {
				return nil, err
			}
			if r != noValue {
				out[k] = r
			}
		}
		return out, nil
	case []any:
		out := make([]any, 0, len(x))
		for i, e := range x {
			r, err := t.resolve(e, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			if r != noValue {
				out = append(out, r)
			}
		}
		return out, nil
	}
	return v, nil
}

func (t *Template) intrinsic(fn string, arg any, path string) (any, error) {
	p := path + "." + fn
	switch fn {
	case "Ref":
		name, ok := arg.(string)
		if !ok {
			return nil, rerr(p, "Ref takes a name, got %s", describe(arg))
		}
		return t.ref(name, p)
	case "Fn::GetAtt":
		id, attr, err := getAttArgs(arg, p)
		if err != nil {
			return nil, err
		}
		return t.getAtt(id, attr, p)
	case "Fn::Join":
		args, ok := arg.([]any)
		if !ok || len(args) != 2 {
			return nil, rerr(p, "Fn::Join takes [delimiter, list]")
		}
		delim, err := t.ResolveString(args[0], p+"[0]")
		if err != nil {
			return nil, err
		}
		list, err := t.resolveList(args[1], p+"[1]")
		if err != nil {
			return nil, err
		}
		parts := make([]string, len(list))
		for i, e := range list {
			s, err := asString(e, fmt.Sprintf("%s[1][%d]", p, i))
			if err != nil {
				return nil, err
			}
			parts[i] = s
		}
		return strings.Join(parts, delim), nil
	case "Fn::Sub":
		return t.sub(arg, p)
	case "Fn::Select":
		args, ok := arg.([]any)
		if !ok || len(args) != 2 {
			return nil, rerr(p, "Fn::Select takes [index, list]")
		}
		is, err := t.ResolveString(args[0], p+"[0]")
		if err != nil {
			return nil, err
		}
		i, err := strconv.Atoi(is)
		if err != nil {
			return nil, rerr(p+"[0]", "index %q is not a number", is)
		}
		list, err := t.resolveList(args[1], p+"[1]")
		if err != nil {
			return nil, err
		}
		if i < 0 || i >= len(list) {
			return nil, rerr(p, "index %d out of range for a list of %d", i, len(list))
		}
		return list[i], nil
	case "Fn::Split":
		args, ok := arg.([]any)
		if !ok || len(args) != 2 {
			return nil, rerr(p, "Fn::Split takes [delimiter, string]")
		}
		delim, err := t.ResolveString(args[0], p+"[0]")
		if err != nil {
			return nil, err
		}
		s, err := t.ResolveString(args[1], p+"[1]")
		if err != nil {
			return nil, err
		}
		var out []any
		for _, part := range strings.Split(s, delim) {
			out = append(out, part)
		}
		return out, nil
	case "Fn::If":
		args, ok := arg.([]any)
		if !ok || len(args) != 3 {
			return nil, rerr(p, "Fn::If takes [condition, value if true, value if false]")
		}
		name, ok := args[0].(string)
		if !ok {
			return nil, rerr(p+"[0]", "Fn::If needs a condition name")
		}
		on, err := t.condition(name, p+"[0]")
		if err != nil {
			return nil, err
		}
		if on {
			return t.resolve(args[1], p+"[1]")
		}
		return t.resolve(args[2], p+"[2]")
	case "Fn::FindInMap":
		args, ok := arg.([]any)
		if !ok || len(args) != 3 {
			return nil, rerr(p, "Fn::FindInMap takes [map, top-level key, second-level key]")
		}
		var keys [3]string
		for i := range keys {
			s, err := t.ResolveString(args[i], fmt.Sprintf("%s[%d]", p, i))
			if err != nil {
				return nil, err
			}
			keys[i] = s
		}
		m, ok := t.mappings[keys[0]].(map[string]any)
		if !ok {
			return nil, rerr(p, "no mapping %q", keys[0])
		}
		top, ok := m[keys[1]].(map[string]any)
		if !ok {
			return nil, rerr(p, "mapping %q has no key %q", keys[0], keys[1])
		}
		v, ok := top[keys[2]]
		if !ok {
			return nil, rerr(p, "mapping %q.%q has no key %q", keys[0], keys[1], keys[2])
		}
		return t.resolve(v, p)
	case "Fn::Base64":
		s, err := t.ResolveString(arg, p)
		if err != nil {
			return nil, err
		}
		return base64.StdEncoding.EncodeToString([]byte(s)), nil
	case "Fn::GetAZs":
		r := t.env.Region
		return []any{r + "a", r + "b", r + "c"}, nil
	case "Fn::ToJsonString":
		v, err := t.resolve(arg, p)
		if err != nil {
			return nil, err
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, rerr(p, "%v", err)
		}
		return string(b), nil
	case "Fn::Length":
		list, err := t.resolveList(arg, p)
		if err != nil {
			return nil, err
		}
		return json.Number(strconv.Itoa(len(list))), nil
	case "Fn::ImportValue":
		return nil, rerr(p, "Fn::ImportValue reads another stack's export, which is not in this template")
	}
	return nil, rerr(p, "intrinsic %s is not supported offline", fn)
}

func (t *Template) resolveList(v any, path string) ([]any, error) {
	r, err := t.resolve(v, path)
	if err != nil {
		return nil, err
	}
	list, ok := r.([]any)
	if !ok {
		return nil, rerr(path, "expected a list, got %s", describe(r))
	}
	return list, nil
}

func getAttArgs(arg any, path string) (string, string, error) {
	switch x := arg.(type) {
	case string:
		id, attr, ok := strings.Cut(x, ".")
		if !ok {
			return "", "", rerr(path, "Fn::GetAtt %q is not of the form Resource.Attribute", x)
		}
		return id, attr, nil
	case []any:
		if len(x) == 2 {
			id, ok1 := x[0].(string)
			attr, ok2 := x[1].(string)
			if ok1 && ok2 {
				return id, attr, nil
			}
		}
	}
	return "", "", rerr(path, "Fn::GetAtt takes [resource, attribute], got %s", describe(arg))
}

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
	e := t.env
	name := func() (string, error) { return t.PhysicalName(logicalID) }
	arnOf := func(service, region, account, resource string) (string, error) {
		return fmt.Sprintf("arn:%s:%s:%s:%s:%s", e.Partition, service, region, account, resource), nil
	}
	switch r.Type + "." + attr {
	case "AWS::S3::Bucket.Arn":
		n, err := name()
		if err != nil {
			return "", err
		}
		return arnOf("s3", "", "", n)
	case "AWS::S3::Bucket.DomainName":
		n, err := name()
		return n + ".s3." + e.URLSuffix, err
	case "AWS::S3::Bucket.RegionalDomainName":
		n, err := name()
		return n + ".s3." + e.Region + "." + e.URLSuffix, err
	case "AWS::S3::Bucket.DualStackDomainName":
		n, err := name()
		return n + ".s3.dualstack." + e.Region + "." + e.URLSuffix, err
	case "AWS::S3::Bucket.WebsiteURL":
		n, err := name()
		return "http://" + n + ".s3-website-" + e.Region + "." + e.URLSuffix, err
	case "AWS::DynamoDB::Table.Arn", "AWS::DynamoDB::GlobalTable.Arn":
		n, err := name()
		if err != nil {
			return "", err
		}
		return arnOf("dynamodb", e.Region, e.AccountID, "table/"+n)
	case "AWS::DynamoDB::Table.StreamArn", "AWS::DynamoDB::GlobalTable.StreamArn":
		n, err := name()
		if err != nil {
			return "", err
		}
		return arnOf("dynamodb", e.Region, e.AccountID, "table/"+n+"/stream/2024-01-01T00:00:00.000")
	case "AWS::DynamoDB::GlobalTable.TableId", "AWS::DynamoDB::Table.TableId":
		return fakeUUID(logicalID), nil
	case "AWS::IAM::Role.Arn":
		n, err := name()
		if err != nil {
			return "", err
		}
		return iamARN(e, "role", r, n)
	case "AWS::IAM::Role.RoleId":
		return "AROA" + suffix(logicalID) + suffix(logicalID + "/")[:5], nil
	case "AWS::IAM::User.Arn":
		n, err := name()
		if err != nil {
			return "", err
		}
		return iamARN(e, "user", r, n)
	case "AWS::IAM::ManagedPolicy.PolicyArn":
		return t.Ref(logicalID)
	case "AWS::Cognito::UserPool.Arn":
		id, _ := t.Ref(logicalID)
		return arnOf("cognito-idp", e.Region, e.AccountID, "userpool/"+id)
	case "AWS::Cognito::UserPool.ProviderName":
		id, _ := t.Ref(logicalID)
		return "cognito-idp." + e.Region + "." + e.URLSuffix + "/" + id, nil
	case "AWS::Cognito::UserPool.ProviderURL":
		id, _ := t.Ref(logicalID)
		return "https://cognito-idp." + e.Region + "." + e.URLSuffix + "/" + id, nil
	case "AWS::Cognito::UserPool.UserPoolId":
		return t.Ref(logicalID)
	case "AWS::Cognito::UserPoolClient.ClientId":
		return t.Ref(logicalID)
	case "AWS::Cognito::IdentityPool.Id":
		return t.Ref(logicalID)
	case "AWS::Cognito::IdentityPool.Name":
		return name()
	case "AWS::Lambda::Function.Arn":
		n, err := name()
		if err != nil {
			return "", err
		}
		return arnOf("lambda", e.Region, e.AccountID, "function:"+n)
	case "AWS::SNS::Topic.TopicArn":
		return t.Ref(logicalID)
	case "AWS::SNS::Topic.TopicName", "AWS::SQS::Queue.QueueName", "AWS::Kinesis::Stream.Name",
		"AWS::StepFunctions::StateMachine.Name":
		return name()
	case "AWS::SQS::Queue.Arn":
		n, err := name()
		if err != nil {
			return "", err
		}
		return arnOf("sqs", e.Region, e.AccountID, n)
	case "AWS::SQS::Queue.QueueUrl":
		return t.Ref(logicalID)
	case "AWS::KMS::Key.Arn":
		return arnOf("kms", e.Region, e.AccountID, "key/"+fakeUUID(logicalID))
	case "AWS::KMS::Key.KeyId":
		return fakeUUID(logicalID), nil
	case "AWS::Logs::LogGroup.Arn":
		n, err := name()
		if err != nil {
			return "", err
		}
		return arnOf("logs", e.Region, e.AccountID, "log-group:"+n+":*")
	case "AWS::Events::Rule.Arn":
		n, err := name()
		if err != nil {
			return "", err
		}
		return arnOf("events", e.Region, e.AccountID, "rule/"+n)
	case "AWS::Kinesis::Stream.Arn":
		n, err := name()
		if err != nil {
			return "", err
		}
		return arnOf("kinesis", e.Region, e.AccountID, "stream/"+n)
	case "AWS::StepFunctions::StateMachine.Arn":
		n, err := name()
		if err != nil {
			return "", err
		}
		return arnOf("states", e.Region, e.AccountID, "stateMachine:"+n)
	}
	return "", fmt.Errorf("Fn::GetAtt %s.%s: attribute %s of %s is not modelled offline", logicalID, attr, attr, r.Type)
}

// sub resolves Fn::Sub. ${!Literal} stays as ${Literal}: that is how IAM policy variables are
// written inside Fn::Sub.
func (t *Template) sub(arg any, path string) (any, error) {
	var tmpl string
	vars := map[string]any{}
	switch x := arg.(type) {
	case string:
		tmpl = x
	case []any:
		if len(x) != 2 {
			return nil, rerr(path, "Fn::Sub takes a string or [string, variables]")
		}
		s, ok := x[0].(string)
		if !ok {
			return nil, rerr(path+"[0]", "Fn::Sub template must be a string")
		}
		tmpl = s
		m, ok := x[1].(map[string]any)
		if !ok {
			return nil, rerr(path+"[1]", "Fn::Sub variables must be an object")
		}
		vars = m
	default:
		return nil, rerr(path, "Fn::Sub takes a string or [string, variables]")
	}
	var b strings.Builder
	rest := tmpl
	for {
		i := strings.Index(rest, "${")
		if i < 0 {
			b.WriteString(rest)
			break
		}
		b.WriteString(rest[:i])
		j := strings.Index(rest[i:], "}")
		if j < 0 {
			return nil, rerr(path, "Fn::Sub: unterminated ${ in %q", tmpl)
		}
		name := rest[i+2 : i+j]
		rest = rest[i+j+1:]
		if strings.HasPrefix(name, "!") {
			b.WriteString("${" + name[1:] + "}")
			continue
		}
		name = strings.TrimSpace(name)
		var val any
		var err error
		if v, ok := vars[name]; ok {
			val, err = t.resolve(v, path+"[1]."+name)
		} else if id, attr, ok := strings.Cut(name, "."); ok && t.resources[id] != nil {
			val, err = t.getAtt(id, attr, path)
		} else {
			val, err = t.ref(name, path)
			if err != nil {
				return nil, rerr(path, "Fn::Sub ${%s}: not a variable, resource, attribute, parameter or pseudo parameter (an IAM policy variable must be written ${!%s})", name, name)
			}
		}
		if err != nil {
			return nil, err
		}
		s, err := asString(val, path)
		if err != nil {
			return nil, err
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

// condition evaluates a named entry of the template's Conditions section.
func (t *Template) condition(name, path string) (bool, error) {
	if v, ok := t.condValue[name]; ok {
		return v, nil
	}
	expr, ok := t.conditions[name]
	if !ok {
		return false, rerr(path, "no condition %q in the template", name)
	}
	if t.condBusy[name] {
		return false, rerr(path, "condition %q refers to itself", name)
	}
	t.condBusy[name] = true
	defer delete(t.condBusy, name)
	v, err := t.condExpr(expr, "Conditions."+name)
	if err != nil {
		return false, err
	}
	t.condValue[name] = v
	return v, nil
}

func (t *Template) condExpr(expr any, path string) (bool, error) {
	m, ok := expr.(map[string]any)
	if !ok || len(m) != 1 {
		return false, rerr(path, "a condition must be one of Fn::Equals, Fn::And, Fn::Or, Fn::Not, Condition")
	}
	for fn, arg := range m {
		p := path + "." + fn
		switch fn {
		case "Condition":
			name, ok := arg.(string)
			if !ok {
				return false, rerr(p, "Condition takes a name")
			}
			return t.condition(name, p)
		case "Fn::Equals":
			args, ok := arg.([]any)
			if !ok || len(args) != 2 {
				return false, rerr(p, "Fn::Equals takes two values")
			}
			a, err := t.resolve(args[0], p+"[0]")
			if err != nil {
				return false, err
			}
			b, err := t.resolve(args[1], p+"[1]")
			if err != nil {
				return false, err
			}
			ja, _ := json.Marshal(a)
			jb, _ := json.Marshal(b)
			return string(ja) == string(jb), nil
		case "Fn::Not":
			args, ok := arg.([]any)
			if !ok || len(args) != 1 {
				return false, rerr(p, "Fn::Not takes one condition")
			}
			v, err := t.condExpr(args[0], p+"[0]")
			return !v, err
		case "Fn::And", "Fn::Or":
			args, ok := arg.([]any)
			if !ok || len(args) == 0 {
				return false, rerr(p, "%s takes a list of conditions", fn)
			}
			and := fn == "Fn::And"
			for i, a := range args {
				v, err := t.condExpr(a, fmt.Sprintf("%s[%d]", p, i))
				if err != nil {
					return false, err
				}
				if and && !v {
					return false, nil
				}
				if !and && v {
					return true, nil
				}
			}
			return and, nil
		}
		return false, rerr(p, "%s is not a condition function", fn)
	}
	return false, nil
}
