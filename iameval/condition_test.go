package iameval

import "testing"

// Every condition operator, its IfExists form, a negation, and the absent-key rules, one request
// value at a time (the set operators are covered by the AWS examples in eval_test.go).
func TestConditionOperators(t *testing.T) {
	tests := []struct {
		op     string
		values []string
		ctx    []string // nil: the key is absent
		want   bool
	}{
		{"StringEquals", []string{"john"}, []string{"john"}, true},
		{"StringEquals", []string{"john"}, []string{"John"}, false},
		{"StringEquals", []string{"jo*"}, []string{"john"}, false}, // no wildcards in Equals
		{"StringEquals", []string{"jo*"}, []string{"jo*"}, true},
		{"StringEquals", []string{"john"}, nil, false},
		{"StringNotEquals", []string{"john", "ana"}, []string{"bob"}, true},
		{"StringNotEquals", []string{"john", "ana"}, []string{"ana"}, false},
		{"StringNotEquals", []string{"john"}, nil, true}, // negated operators hold on an absent key
		{"StringEqualsIgnoreCase", []string{"john"}, []string{"JOHN"}, true},
		{"StringNotEqualsIgnoreCase", []string{"john"}, []string{"JOHN"}, false},
		{"StringLike", []string{"home/*/docs"}, []string{"home/ana/docs"}, true},
		{"StringLike", []string{"file-?.txt"}, []string{"file-12.txt"}, false},
		{"StringLike", []string{"Home/*"}, []string{"home/x"}, false}, // case-sensitive
		{"StringNotLike", []string{"key1*"}, []string{"key2:x"}, true},
		{"StringEqualsIfExists", []string{"john"}, nil, true},
		{"StringEqualsIfExists", []string{"john"}, []string{"bob"}, false},
		{"StringNotEqualsIfExists", []string{"john"}, []string{"john"}, false},
		{"NumericEquals", []string{"10"}, []string{"10.0"}, true},
		{"NumericNotEquals", []string{"10"}, []string{"11"}, true},
		{"NumericLessThan", []string{"1.2"}, []string{"1.0"}, true},
		{"NumericLessThan", []string{"1.2"}, []string{"1.3"}, false},
		{"NumericLessThanEquals", []string{"5"}, []string{"5"}, true},
		{"NumericGreaterThan", []string{"5"}, []string{"5"}, false},
		{"NumericGreaterThanEquals", []string{"5"}, []string{"6"}, true},
		{"NumericLessThan", []string{"1.2"}, nil, false},
		{"NumericLessThan", []string{"1.2"}, []string{"not-a-number"}, false},
		{"DateLessThan", []string{"2026-12-31T23:59:59Z"}, []string{"2026-01-01T00:00:00Z"}, true},
		{"DateGreaterThan", []string{"2026-12-31T23:59:59Z"}, []string{"2026-01-01T00:00:00Z"}, false},
		{"DateEquals", []string{"2026-01-01"}, []string{"2026-01-01T00:00:00Z"}, true},
		{"DateNotEquals", []string{"1767225600"}, []string{"2026-01-01T00:00:00Z"}, false}, // epoch seconds
		{"DateLessThanEquals", []string{"2026-01-01T00:00:00Z"}, []string{"2026-01-01T00:00:00Z"}, true},
		{"DateGreaterThanEquals", []string{"2026-01-01T00:00:00Z"}, []string{"2025-12-31T00:00:00Z"}, false},
		{"Bool", []string{"false"}, []string{"false"}, true},
		{"Bool", []string{"true"}, []string{"TRUE"}, true},
		{"Bool", []string{"false"}, []string{"true"}, false},
		{"BoolIfExists", []string{"false"}, nil, true},
		{"IpAddress", []string{"203.0.113.0/24"}, []string{"203.0.113.7"}, true},
		{"IpAddress", []string{"203.0.113.7"}, []string{"203.0.113.8"}, false},
		{"NotIpAddress", []string{"203.0.113.0/24"}, []string{"198.51.100.1"}, true},
		{"IpAddress", []string{"2001:db8::/32"}, []string{"2001:db8::1"}, true},
		{"BinaryEquals", []string{"QmluYXJ5"}, []string{"QmluYXJ5"}, true},
		{"ArnLike", []string{"arn:aws:iam::*:role/App*"}, []string{"arn:aws:iam::123456789012:role/AppRole"}, true},
		{"ArnLike", []string{"arn:aws:iam::*:role/App*"}, []string{"arn:aws:iam::123456789012:user/AppUser"}, false},
		// Wildcards stay inside their ARN component: * in the account does not swallow the colon.
		{"ArnLike", []string{"arn:aws:sns:*:123456789012:topic"}, []string{"arn:aws:sns:eu-west-1:999999999999:123456789012:topic"}, false},
		{"ArnEquals", []string{"arn:aws:sns:*:123456789012:topic"}, []string{"arn:aws:sns:eu-west-1:123456789012:topic"}, true},
		{"ArnNotEquals", []string{"arn:aws:sns:*:123456789012:topic"}, []string{"arn:aws:sns:eu-west-1:123456789012:other"}, true},
		{"ArnNotLike", []string{"arn:aws:iam::*:role/App*"}, nil, true},
		{"Null", []string{"true"}, nil, true},
		{"Null", []string{"true"}, []string{"x"}, false},
		{"Null", []string{"false"}, []string{"x"}, true},
		{"Null", []string{"false"}, nil, false},
		{"Null", []string{"false"}, []string{}, false}, // no values is absent
	}
	for _, tc := range tests {
		c, err := parseCondition(tc.op, "k", tc.values)
		if err != nil {
			t.Errorf("%s: %v", tc.op, err)
			continue
		}
		ctx := Context{}
		if tc.ctx != nil {
			ctx["k"] = tc.ctx
		}
		if got := c.eval(newReqContext(ctx)); got != tc.want {
			t.Errorf("%s %v with k=%v: got %v, want %v", tc.op, tc.values, tc.ctx, got, tc.want)
		}
	}
}

// A Deny written with a negated operator applies when the key is missing: the usual "deny unless
// the request comes through my VPC endpoint" statement.
func TestDenyWithNegatedOperatorOnMissingKey(t *testing.T) {
	p := mustPolicy(t, "vpce", `{"Statement": [
	  {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
	  {"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}}]}`)
	tests := []struct {
		name string
		ctx  Context
		want Decision
	}{
		{"through the endpoint", Context{"aws:SourceVpce": {"vpce-1a2b3c4d"}}, Allowed},
		{"through another endpoint", Context{"aws:SourceVpce": {"vpce-ffff"}}, ExplicitDeny},
		{"not through an endpoint at all", Context{}, ExplicitDeny},
	}
	for _, tc := range tests {
		got := Evaluate(Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/x", Context: tc.ctx}, []*Policy{p}, nil)
		if got.Decision != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got.Decision, tc.want)
		}
	}
}
