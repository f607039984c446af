package directaccess

import (
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"
)

// The construct explains its own wildcard resources to cdk-nag (AwsSolutions-IAM5) through the
// "cdk_nag" resource metadata that cdk-nag reads, so it needs no dependency on cdk-nag. Each
// suppression names the exact finding, derived from the same statements the policy is rendered
// from, so any other wildcard still fails the check.

const (
	nagWildcardRule   = "AwsSolutions-IAM5"
	nagWildcardReason = "The wildcard is the object-key suffix of a folder granted by an apiless path rule: " +
		"per-identity folders end in the caller's identity ID (or tenant tag) before the *, shared folders are granted on purpose by name."
)

var policyVariable = regexp.MustCompile(`\$\{([^}]+)\}`)

// nagFindings lists the appliesTo entries cdk-nag reports for the wildcard resources of s.
// createdID gives the logical ID of a table or bucket the construct created (false for a
// brought-in one). Entries are strings for created resources (exact logical IDs) and regex
// objects for brought-in ones (their ARNs are rendered by whoever created them).
func nagFindings(s statement, createdID func(resource) (string, bool)) []string {
	var out []string
	for _, r := range s.Resources {
		if !strings.Contains(r.Suffix, "*") || s.Effect != "Allow" {
			continue
		}
		suffix := policyVariable.ReplaceAllString(r.Suffix, "<$1>")
		if id, ok := createdID(r); ok {
			out = append(out, "Resource::<"+id+".Arn>"+suffix)
		} else {
			out = append(out, "regex:/^Resource::.*"+regexp.QuoteMeta(suffix)+"$/")
		}
	}
	return out
}

// suppressWildcards records the findings as cdk-nag suppressions on the policy's resource.
func suppressWildcards(policy awsiam.ManagedPolicy, findings []string) {
	if len(findings) == 0 {
		return
	}
	var appliesTo []interface{}
	seen := map[string]bool{}
	for _, f := range findings {
		if seen[f] {
			continue
		}
		seen[f] = true
		if re, ok := strings.CutPrefix(f, "regex:"); ok {
			appliesTo = append(appliesTo, map[string]interface{}{"regex": re})
		} else {
			appliesTo = append(appliesTo, f)
		}
	}
	addNagSuppression(policy.Node().DefaultChild().(awscdk.CfnResource), nagWildcardRule, nagWildcardReason, appliesTo...)
}

// addNagSuppression appends a cdk-nag suppression to a resource's metadata, the format
// cdk-nag's NagSuppressions writes, without a dependency on cdk-nag.
func addNagSuppression(resource awscdk.CfnResource, rule, reason string, appliesTo ...interface{}) {
	suppression := map[string]interface{}{"id": rule, "reason": reason}
	if len(appliesTo) > 0 {
		suppression["applies_to"] = appliesTo
	}
	rules := []interface{}{}
	if existing, ok := resource.GetMetadata(jsii.String("cdk_nag")).(map[string]interface{}); ok {
		if r, ok := existing["rules_to_suppress"].([]interface{}); ok {
			rules = r
		}
	}
	resource.AddMetadata(jsii.String("cdk_nag"), map[string]interface{}{"rules_to_suppress": append(rules, suppression)})
}

// AddNagSuppression records a reasoned cdk-nag suppression on a resource without depending on
// cdk-nag; stacks use it to explain their own choices (for example an optional MFA setting).
// appliesTo, when given, limits it to those findings (e.g. "Resource::<Bucket.Arn>/*").
func AddNagSuppression(resource awscdk.CfnResource, rule, reason string, appliesTo ...string) {
	var findings []interface{}
	for _, a := range appliesTo {
		findings = append(findings, a)
	}
	addNagSuppression(resource, rule, reason, findings...)
}
