package iameval

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Context is the request context: condition keys and their values. Keys are matched case
// insensitively, as in IAM. A key with several values is multivalued (dynamodb:LeadingKeys for a
// batch, cognito-identity.amazonaws.com:amr). A key that is missing, or has no values, is absent.
type Context map[string][]string

// With returns a copy of c with key set to values (or removed when values is empty).
func (c Context) With(key string, values ...string) Context {
	out := make(Context, len(c)+1)
	for k, v := range c {
		if !strings.EqualFold(k, key) {
			out[k] = v
		}
	}
	if len(values) > 0 {
		out[key] = append([]string(nil), values...)
	}
	return out
}

// reqContext is a Context with lower-cased keys, built once per evaluation.
type reqContext struct {
	m map[string][]string
}

func newReqContext(c Context) *reqContext {
	m := make(map[string][]string, len(c))
	for k, v := range c {
		if len(v) > 0 {
			m[strings.ToLower(k)] = v
		}
	}
	return &reqContext{m: m}
}

func (c *reqContext) get(key string) ([]string, bool) {
	v, ok := c.m[key]
	return v, ok
}

// single returns the value of a key that has exactly one value. AWS does not substitute
// multivalued keys into policy variables, so for them this reports false.
func (c *reqContext) single(key string) (string, bool) {
	v, ok := c.m[key]
	if !ok || len(v) != 1 {
		return "", false
	}
	return v[0], true
}

type opKind uint8

const (
	opString opKind = iota
	opStringIgnoreCase
	opStringLike
	opNumeric
	opDate
	opBool
	opIP
	opBinary
	opArn
	opNull
)

type relation uint8

const (
	relEq relation = iota
	relLt
	relLe
	relGt
	relGe
)

type operator struct {
	name    string
	kind    opKind
	negated bool
	rel     relation
}

var operators = func() map[string]operator {
	list := []operator{
		{"StringEquals", opString, false, relEq},
		{"StringNotEquals", opString, true, relEq},
		{"StringEqualsIgnoreCase", opStringIgnoreCase, false, relEq},
		{"StringNotEqualsIgnoreCase", opStringIgnoreCase, true, relEq},
		{"StringLike", opStringLike, false, relEq},
		{"StringNotLike", opStringLike, true, relEq},
		{"NumericEquals", opNumeric, false, relEq},
		{"NumericNotEquals", opNumeric, true, relEq},
		{"NumericLessThan", opNumeric, false, relLt},
		{"NumericLessThanEquals", opNumeric, false, relLe},
		{"NumericGreaterThan", opNumeric, false, relGt},
		{"NumericGreaterThanEquals", opNumeric, false, relGe},
		{"DateEquals", opDate, false, relEq},
		{"DateNotEquals", opDate, true, relEq},
		{"DateLessThan", opDate, false, relLt},
		{"DateLessThanEquals", opDate, false, relLe},
		{"DateGreaterThan", opDate, false, relGt},
		{"DateGreaterThanEquals", opDate, false, relGe},
		{"Bool", opBool, false, relEq},
		{"BinaryEquals", opBinary, false, relEq},
		{"IpAddress", opIP, false, relEq},
		{"NotIpAddress", opIP, true, relEq},
		// ArnEquals and ArnLike behave the same in IAM: both take wildcards per ARN component.
		{"ArnEquals", opArn, false, relEq},
		{"ArnLike", opArn, false, relEq},
		{"ArnNotEquals", opArn, true, relEq},
		{"ArnNotLike", opArn, true, relEq},
		{"Null", opNull, false, relEq},
	}
	m := map[string]operator{}
	for _, o := range list {
		m[strings.ToLower(o.name)] = o
	}
	return m
}()

type qualifier uint8

const (
	qNone qualifier = iota
	qForAll
	qForAny
)

// Condition is one operator, key and value list of a statement's Condition block.
type Condition struct {
	Operator string   // as written, for example "ForAllValues:StringEquals"
	Key      string   // as written
	Values   []string // as written (numbers and booleans in their JSON form)

	op       operator
	qual     qualifier
	ifExists bool
	key      string

	pats  []pattern
	nums  []float64
	times []time.Time
	nets  []netip.Prefix
}

func parseCondition(opName, key string, values []string) (*Condition, error) {
	c := &Condition{Operator: opName, Key: key, Values: values, key: strings.ToLower(key)}
	if err := c.parseOperator(opName); err != nil {
		return nil, err
	}
	if len(values) == 0 {
		return nil, fmt.Errorf("condition %s on %s has no values", opName, key)
	}
	for _, v := range values {
		if err := c.addValue(v); err != nil {
			return nil, fmt.Errorf("condition %s on %s: %w", opName, key, err)
		}
	}
	return c, nil
}

// parseOperator reads an operator name: an optional set operator (ForAllValues:, ForAnyValue:), the
// operator, and an optional IfExists.
func (c *Condition) parseOperator(opName string) error {
	base := opName
	if q, rest, ok := strings.Cut(opName, ":"); ok {
		switch strings.ToLower(q) {
		case "forallvalues":
			c.qual = qForAll
		case "foranyvalue":
			c.qual = qForAny
		default:
			return fmt.Errorf("unknown condition set operator %q in %q", q, opName)
		}
		base = rest
	}
	if b, ok := strings.CutSuffix(base, "IfExists"); ok {
		c.ifExists = true
		base = b
	}
	op, ok := operators[strings.ToLower(base)]
	if !ok {
		return fmt.Errorf("unknown condition operator %q", opName)
	}
	c.op = op
	if op.kind == opNull && (c.ifExists || c.qual != qNone) {
		return fmt.Errorf("condition operator %q: Null takes neither IfExists nor a set operator", opName)
	}
	return nil
}

// addValue checks one policy value against the operator's kind and keeps it in compiled form.
func (c *Condition) addValue(v string) error {
	switch c.op.kind {
	case opString, opStringIgnoreCase, opStringLike, opArn:
		p, err := compilePattern(v)
		if err != nil {
			return err
		}
		c.pats = append(c.pats, p)
	case opNumeric:
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return fmt.Errorf("%q is not a number", v)
		}
		c.nums = append(c.nums, f)
	case opDate:
		tm, ok := parseTime(v)
		if !ok {
			return fmt.Errorf("%q is not a date", v)
		}
		c.times = append(c.times, tm)
	case opIP:
		pfx, ok := parsePrefix(v)
		if !ok {
			return fmt.Errorf("%q is not an IP address or CIDR", v)
		}
		c.nets = append(c.nets, pfx)
	case opBool, opNull:
		if !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
			return fmt.Errorf("%q is not true or false", v)
		}
	}
	return nil
}

// eval decides the condition for a request context.
//
// AWS's rules, in the order they apply here:
//   - Null checks presence only: "true" holds when the key is absent, "false" when it is present.
//   - An absent key satisfies ...IfExists; otherwise ForAllValues holds (the empty set is a subset of
//     anything), ForAnyValue fails, a negated operator (StringNotEquals, ...) holds and a positive one
//     fails.
//   - With several policy values, a positive operator holds if any value matches; a negated one
//     holds only if none does.
//   - ForAllValues needs every request value to satisfy the operator, ForAnyValue at least one.
//     A multivalued key under a plain operator is evaluated as ForAnyValue would (AWS says to
//     always use a set operator there; this is the permissive reading, so it never hides an Allow).
func (c *Condition) eval(ctx *reqContext) bool {
	vals, present := ctx.get(c.key)
	if c.op.kind == opNull {
		absent := !present
		for _, v := range c.Values {
			if strings.EqualFold(v, "true") == absent {
				return true
			}
		}
		return false
	}
	if !present {
		if c.ifExists {
			return true
		}
		switch c.qual {
		case qForAll:
			return true
		case qForAny:
			return false
		}
		return c.op.negated
	}
	if c.qual == qForAll {
		for _, v := range vals {
			if !c.holdsFor(v, ctx) {
				return false
			}
		}
		return true
	}
	for _, v := range vals {
		if c.holdsFor(v, ctx) {
			return true
		}
	}
	return false
}

// holdsFor applies the operator to one request value.
func (c *Condition) holdsFor(v string, ctx *reqContext) bool {
	return c.anyPolicyValueMatches(v, ctx) != c.op.negated
}

// anyPolicyValueMatches is the positive form of the operator, ORed over the policy values. A
// policy value whose variable has no value matches nothing (AWS: "there is no equal or like
// value"), which is why negated operators hold against it.
func (c *Condition) anyPolicyValueMatches(v string, ctx *reqContext) bool {
	switch c.op.kind {
	case opString, opStringIgnoreCase, opStringLike, opArn:
		return slices.ContainsFunc(c.pats, func(p pattern) bool { return c.patternMatches(p, v, ctx) })
	case opNumeric:
		f, err := strconv.ParseFloat(v, 64)
		return err == nil && slices.ContainsFunc(c.nums, func(n float64) bool { return compare(f, n, c.op.rel) })
	case opDate:
		tm, ok := parseTime(v)
		return ok && slices.ContainsFunc(c.times, func(p time.Time) bool { return compareTime(tm, p, c.op.rel) })
	case opBool:
		return slices.ContainsFunc(c.Values, func(p string) bool { return strings.EqualFold(p, v) })
	case opBinary:
		return slices.Contains(c.Values, v)
	case opIP:
		a, err := netip.ParseAddr(v)
		return err == nil && slices.ContainsFunc(c.nets, func(n netip.Prefix) bool { return n.Contains(a) })
	}
	return false
}

// patternMatches applies a string or ARN operator to one policy value, its variables taken from
// the request. StringEquals and its kin read * and ? as plain characters, StringLike as wildcards.
func (c *Condition) patternMatches(p pattern, v string, ctx *reqContext) bool {
	us, ok := p.expand(ctx)
	if !ok {
		return false
	}
	switch c.op.kind {
	case opString:
		return literalString(us) == v
	case opStringIgnoreCase:
		return strings.EqualFold(literalString(us), v)
	case opStringLike:
		return glob(us, v, false)
	}
	return matchARN(us, v)
}

func compare(a, b float64, r relation) bool {
	switch r {
	case relLt:
		return a < b
	case relLe:
		return a <= b
	case relGt:
		return a > b
	case relGe:
		return a >= b
	}
	return a == b
}

func compareTime(a, b time.Time, r relation) bool {
	switch r {
	case relLt:
		return a.Before(b)
	case relLe:
		return !a.After(b)
	case relGt:
		return a.After(b)
	case relGe:
		return !a.Before(b)
	}
	return a.Equal(b)
}

func parseTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0).UTC(), true
	}
	return time.Time{}, false
}

func parsePrefix(s string) (netip.Prefix, bool) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), true
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.PrefixFrom(a, a.BitLen()), true
	}
	return netip.Prefix{}, false
}
