package directaccess

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// IAM quotas that bound the policies (characters, not counting white space).
const (
	managedPolicyMaxChars  = 6144
	managedPoliciesPerRole = 10
)

// Conservative lengths for ARNs that are only known at deploy time.
const (
	estimatedTableArnLen  = len("arn:aws-us-gov:dynamodb:ap-southeast-4:123456789012:table/") + 255 // longest table name
	estimatedBucketArnLen = len("arn:aws-us-gov:s3:::") + 63                                        // longest bucket name
)

var placeholderPattern = regexp.MustCompile(`\{(region|bucketArn:[^}]*|tableName:[^}]*)\}`)

// estimatedSize is the JSON length of the statement with every ARN at its estimated length.
func (s statement) estimatedSize() int {
	var res []string
	for _, r := range s.Resources {
		n := estimatedBucketArnLen
		if r.Kind == tableResource {
			n = estimatedTableArnLen
		}
		res = append(res, strings.Repeat("x", n)+r.Suffix)
	}
	b, _ := json.Marshal(map[string]any{"Sid": s.Sid, "Effect": s.Effect, "Action": s.Actions, "Resource": res, "Condition": s.Conditions})
	// Placeholders in conditions become ARNs, names and regions of their longest length.
	n := len(b)
	for _, m := range placeholderPattern.FindAllString(string(b), -1) {
		n += max(estimatedBucketArnLen, 255) - len(m)
	}
	return n
}

// packPolicies splits a role's statements into managed policies that each stay under IAM's
// size limit, keeping statement order. It returns an error when the role would need more
// managed policies than IAM attaches to one role.
func packPolicies(r rolePlan) ([][]statement, error) {
	const overhead = len(`{"Version":"2012-10-17","Statement":[]}`)
	var packs [][]statement
	var current []statement
	size := overhead
	var stmts []statement
	for _, s := range r.Statements {
		stmts = append(stmts, splitStatement(s, managedPolicyMaxChars-overhead)...)
	}
	for _, s := range stmts {
		n := s.estimatedSize() + 1
		if n+overhead > managedPolicyMaxChars {
			return nil, fmt.Errorf("role %s: statement %s is about %d characters, over IAM's %d for one policy; split the rule", r.Role, s.Sid, n, managedPolicyMaxChars)
		}
		if size+n > managedPolicyMaxChars && len(current) > 0 {
			packs = append(packs, current)
			current, size = nil, overhead
		}
		current = append(current, s)
		size += n
	}
	if len(current) > 0 {
		packs = append(packs, current)
	}
	if len(packs) > managedPoliciesPerRole {
		return nil, fmt.Errorf("role %s: the rules need %d managed policies of up to %d characters; IAM attaches at most %d to a role. Expected fewer or broader rules", r.Role, len(packs), managedPolicyMaxChars, managedPoliciesPerRole)
	}
	return packs, nil
}

// splitStatement cuts a statement too large for one policy (limit characters, with its comma)
// into statements with the same effect, actions and conditions over parts of its resources,
// then of its s3:prefix values. Both cuts are exact: a statement applies to each resource
// independently, and a StringLike with several values matches any of them. Merging can join
// many tables or folders into one statement; this keeps such a rule set packable. A statement
// that cannot be cut is returned as is, for packPolicies to report.
func splitStatement(s statement, limit int) []statement {
	fits := func(p statement) bool { return p.estimatedSize()+1 <= limit }
	if fits(s) {
		return []statement{s}
	}
	var parts []statement
	// chunk grows each part item by item while it fits, so parts come out nearly full.
	chunk := func(p statement, n int, take func(from, to int) statement, emit func(statement)) {
		for from := 0; from < n; {
			to := from + 1
			for to < n && fits(take(from, to+1)) {
				to++
			}
			emit(take(from, to))
			from = to
		}
	}
	byPrefix := func(p statement) {
		prefixes := p.Conditions["StringLike"]["s3:prefix"]
		if fits(p) || len(prefixes) < 2 {
			parts = append(parts, p) // a part that still does not fit is reported by packPolicies
			return
		}
		chunk(p, len(prefixes), func(from, to int) statement {
			q := p
			q.Conditions = p.Conditions.clone()
			q.Conditions["StringLike"]["s3:prefix"] = slices.Clone(prefixes[from:to])
			return q
		}, func(q statement) { parts = append(parts, q) })
	}
	measured := s
	measured.Sid = s.Sid + "Part000" // the longest name a part gets
	if len(s.Resources) > 1 {
		chunk(measured, len(s.Resources), func(from, to int) statement {
			q := measured
			q.Resources = slices.Clone(s.Resources[from:to])
			q.Conditions = s.Conditions.clone()
			return q
		}, byPrefix)
	} else {
		byPrefix(measured)
	}
	for i := range parts {
		parts[i].Sid = s.Sid
		if i > 0 {
			parts[i].Sid = fmt.Sprintf("%sPart%d", s.Sid, i+1)
		}
	}
	return parts
}
