package iameval

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
)

// Env holds the values of the CloudFormation pseudo parameters (AWS::Partition, AWS::Region, ...)
// used when intrinsics are resolved. Empty fields take the value from [DefaultEnv].
type Env struct {
	Partition string
	Region    string
	AccountID string
	URLSuffix string
	StackName string
	StackID   string
}

// DefaultEnv returns the pseudo parameter values used when none are given: the aws partition,
// us-east-1 and the documentation account 123456789012.
func DefaultEnv() Env {
	return Env{
		Partition: "aws",
		Region:    "us-east-1",
		AccountID: "123456789012",
		URLSuffix: "amazonaws.com",
		StackName: "Stack",
		StackID:   "arn:aws:cloudformation:us-east-1:123456789012:stack/Stack/00000000-0000-4000-8000-000000000000",
	}
}

func (e Env) withDefaults() Env {
	d := DefaultEnv()
	if e.Partition == "" {
		e.Partition = d.Partition
	}
	if e.Region == "" {
		e.Region = d.Region
	}
	if e.AccountID == "" {
		e.AccountID = d.AccountID
	}
	if e.URLSuffix == "" {
		e.URLSuffix = d.URLSuffix
	}
	if e.StackName == "" {
		e.StackName = d.StackName
	}
	if e.StackID == "" {
		e.StackID = fmt.Sprintf("arn:%s:cloudformation:%s:%s:stack/%s/00000000-0000-4000-8000-000000000000",
			e.Partition, e.Region, e.AccountID, e.StackName)
	}
	return e
}

// Resource is one entry of a template's Resources section, as written (intrinsics unresolved).
type Resource struct {
	LogicalID  string
	Type       string
	Properties map[string]any
}

// Template is a parsed CloudFormation template whose intrinsics can be resolved offline.
type Template struct {
	env        Env
	resources  map[string]*Resource
	parameters map[string]map[string]any
	mappings   map[string]any
	conditions map[string]any
	condValue  map[string]bool
	condBusy   map[string]bool

	policyCache   map[string]*Policy
	roleCache     map[string]*Role
	byType        map[string][]*Resource
	resPolicyMemo map[string][]*Policy
}

// ParseTemplate reads a CloudFormation template in JSON. Resources whose Condition is false are
// dropped, as CloudFormation would not create them.
func ParseTemplate(data []byte, env Env) (*Template, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("template is not a JSON object: %w", err)
	}
	t := &Template{
		env:           env.withDefaults(),
		resources:     map[string]*Resource{},
		parameters:    map[string]map[string]any{},
		condValue:     map[string]bool{},
		condBusy:      map[string]bool{},
		policyCache:   map[string]*Policy{},
		roleCache:     map[string]*Role{},
		byType:        map[string][]*Resource{},
		resPolicyMemo: map[string][]*Policy{},
	}
	if m, ok := raw["Mappings"].(map[string]any); ok {
		t.mappings = m
	}
	if c, ok := raw["Conditions"].(map[string]any); ok {
		t.conditions = c
	}
	if p, ok := raw["Parameters"].(map[string]any); ok {
		for name, v := range p {
			if pm, ok := v.(map[string]any); ok {
				t.parameters[name] = pm
			}
		}
	}
	res, ok := raw["Resources"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("template has no Resources object")
	}
	if err := t.readResources(res); err != nil {
		return nil, err
	}
	return t, nil
}

// readResources reads the Resources section, leaving out resources whose Condition is false.
func (t *Template) readResources(res map[string]any) error {
	conditional := map[string]string{}
	for id, v := range res {
		rm, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("Resources.%s is not an object", id)
		}
		typ, ok := rm["Type"].(string)
		if !ok || typ == "" {
			return fmt.Errorf("Resources.%s has no Type", id)
		}
		props, _ := rm["Properties"].(map[string]any)
		if props == nil {
			props = map[string]any{}
		}
		t.resources[id] = &Resource{LogicalID: id, Type: typ, Properties: props}
		if c, ok := rm["Condition"].(string); ok {
			conditional[id] = c
		}
	}
	for id, cond := range conditional {
		on, err := t.condition(cond, "Resources."+id+".Condition")
		if err != nil {
			return err
		}
		if !on {
			delete(t.resources, id)
		}
	}
	return nil
}

// Env returns the pseudo parameter values the template resolves with.
func (t *Template) Env() Env { return t.env }

// Resource returns the resource with the given logical ID.
func (t *Template) Resource(logicalID string) (*Resource, bool) {
	r, ok := t.resources[logicalID]
	return r, ok
}

// ResourcesOfType returns the resources of one CloudFormation type, sorted by logical ID so that
// every report built from them is stable. The slice is shared; callers must not modify it.
func (t *Template) ResourcesOfType(typ string) []*Resource {
	if out, ok := t.byType[typ]; ok {
		return out
	}
	var out []*Resource
	for _, r := range t.resources {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b *Resource) int { return strings.Compare(a.LogicalID, b.LogicalID) })
	t.byType[typ] = out
	return out
}

// PhysicalName returns the name CloudFormation would give the resource: its explicit name
// property when the template sets one, otherwise a deterministic generated name in the shape
// CloudFormation uses (stack, logical ID and a random-looking suffix).
func (t *Template) PhysicalName(logicalID string) (string, error) {
	r, ok := t.resources[logicalID]
	if !ok {
		return "", fmt.Errorf("no resource %q in the template", logicalID)
	}
	if prop := nameProperty[r.Type]; prop != "" {
		if v, ok := r.Properties[prop]; ok {
			return t.ResolveString(v, "Resources."+logicalID+".Properties."+prop)
		}
	}
	switch r.Type {
	case "AWS::S3::Bucket":
		// Bucket names are lower case and at most 63 characters.
		n := strings.ToLower(t.env.StackName + "-" + logicalID + "-" + suffix(logicalID))
		if len(n) > 63 {
			n = n[:63]
		}
		return n, nil
	case "AWS::Cognito::UserPoolGroup":
		return logicalID, nil
	}
	return t.env.StackName + "-" + logicalID + "-" + suffix(logicalID), nil
}

// nameProperty is the property that names a resource, for the types whose Ref or ARN carries it.
var nameProperty = map[string]string{
	"AWS::S3::Bucket":                  "BucketName",
	"AWS::DynamoDB::Table":             "TableName",
	"AWS::DynamoDB::GlobalTable":       "TableName",
	"AWS::IAM::Role":                   "RoleName",
	"AWS::IAM::User":                   "UserName",
	"AWS::IAM::Group":                  "GroupName",
	"AWS::IAM::ManagedPolicy":          "ManagedPolicyName",
	"AWS::IAM::Policy":                 "PolicyName",
	"AWS::Cognito::UserPoolGroup":      "GroupName",
	"AWS::Cognito::IdentityPool":       "IdentityPoolName",
	"AWS::Lambda::Function":            "FunctionName",
	"AWS::SQS::Queue":                  "QueueName",
	"AWS::SNS::Topic":                  "TopicName",
	"AWS::Logs::LogGroup":              "LogGroupName",
	"AWS::Kinesis::Stream":             "Name",
	"AWS::Events::Rule":                "Name",
	"AWS::StepFunctions::StateMachine": "StateMachineName",
}

// suffix is a deterministic stand-in for the random suffix CloudFormation appends to generated
// names, so two runs over one template produce the same ARNs.
func suffix(seed string) string {
	h := fnv.New128a()
	h.Write([]byte(seed))
	sum := h.Sum(nil)
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, 12)
	for i := range b {
		b[i] = alphabet[int(sum[i])%len(alphabet)]
	}
	return string(b)
}

// fakeUUID returns a deterministic UUID-shaped string for IDs such as identity pool IDs.
func fakeUUID(seed string) string {
	h := fnv.New128a()
	h.Write([]byte(seed))
	s := fmt.Sprintf("%x", h.Sum(nil))
	return s[0:8] + "-" + s[8:12] + "-4" + s[13:16] + "-8" + s[17:20] + "-" + s[20:32]
}

// fakeAlnum returns n deterministic lower-case alphanumerics, for IDs such as app client IDs.
func fakeAlnum(seed string, n int) string {
	return strings.ToLower(strings.Repeat(suffix(seed), n/12+1)[:n])
}
