// Package iameval evaluates AWS IAM requests against the policies in a synthesized CloudFormation
// template, offline and in plain Go.
//
// It is deliberately small: it models what a Cognito identity-pool backend can generate (roles with
// inline, AWS::IAM::Policy and in-template managed policies, trust policies, S3 bucket policies and
// DynamoDB resource policies) and the parts of the IAM policy language those use, and it refuses,
// with an error that names the place, anything it cannot model rather than guessing.
//
// The evaluation follows AWS's documented logic for requests inside one account: an explicit Deny
// in any applicable policy wins, otherwise an Allow in either the identity-based or the
// resource-based policies allows, otherwise the request is implicitly denied. Assuming a role is
// the exception AWS makes: the role's trust policy must allow it, and an identity-based Allow is
// needed besides when the caller is in another account or the trust policy names only its
// account. Permission
// boundaries, session policies and SCPs are not modelled; since they can only remove permissions,
// ignoring them can make the evaluator report more access than AWS grants, never less.
//
// Templates are read with [ParseTemplate]. CloudFormation intrinsics are resolved to deterministic
// fake physical IDs and ARNs shaped like the real ones ([Env] supplies the pseudo parameters), so
// that policies written with Fn::Join, Fn::GetAtt and Ref become concrete strings that can be
// matched against concrete request ARNs.
//
// The package is in two layers. The IAM policy language (policy.go, condition.go, pattern.go,
// overlap.go, evaluate.go) knows nothing of CloudFormation; reading templates (the cfn_*.go files:
// template, intrinsics, attributes, roles) builds on it. A test keeps the policy language from
// referring to anything the cfn_ files declare.
package iameval
