package iameval

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
)

// Policy is a parsed policy document. Source names where it came from in the template.
type Policy struct {
	Source     string
	Statements []*Statement
}

// Statement is one statement of a policy, with its lists as written.
type Statement struct {
	// Source is the statement's place in the template, e.g.
	// Resources.AuthRoleDefaultPolicy.Properties.PolicyDocument.Statement[2].
	Source string
	Sid    string
	Effect string // "Allow" or "Deny"

	// Principal and NotPrincipal map a principal type (AWS, Federated, Service, CanonicalUser)
	// to its values; the bare "*" principal is stored as {"*": ["*"]}. Nil when absent.
	Principal    map[string][]string
	NotPrincipal map[string][]string

	Action, NotAction     []string
	Resource, NotResource []string
	Conditions            []*Condition

	actions, notActions     [][]unit
	resources, notResources []pattern
	hasAction               bool
	hasNotAction            bool
	hasResource             bool
	hasNotResource          bool
}

// String names the statement for reports: its place in the template and its Sid.
func (s *Statement) String() string {
	if s.Sid != "" {
		return s.Source + " (Sid " + s.Sid + ")"
	}
	return s.Source
}

// ParsePolicy parses a policy document whose intrinsics are already resolved. Unknown elements,
// effects and condition operators are errors: a statement that is misread could allow what AWS
// denies or the reverse.
func ParsePolicy(doc any, source string) (*Policy, error) {
	m, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: policy document is not an object", source)
	}
	p := &Policy{Source: source}
	var stmts []any
	switch s := m["Statement"].(type) {
	case []any:
		stmts = s
	case map[string]any:
		stmts = []any{s}
	default:
		return nil, fmt.Errorf("%s: policy has no Statement", source)
	}
	for i, raw := range stmts {
		st, err := parseStatement(raw, fmt.Sprintf("%s.Statement[%d]", source, i))
		if err != nil {
			return nil, err
		}
		p.Statements = append(p.Statements, st)
	}
	return p, nil
}

func parseStatement(raw any, source string) (*Statement, error) {
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: statement is not an object", source)
	}
	s := &Statement{Source: source}
	// In a fixed order, so that a statement with several faults always reports the same one.
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if err := s.setElement(k, m[k], source); err != nil {
			return nil, err
		}
	}
	if s.Effect == "" {
		return nil, fmt.Errorf("%s: statement has no Effect", source)
	}
	if s.hasAction == s.hasNotAction {
		return nil, fmt.Errorf("%s: statement needs exactly one of Action and NotAction", source)
	}
	if s.hasResource && s.hasNotResource {
		return nil, fmt.Errorf("%s: statement has both Resource and NotResource", source)
	}
	for _, a := range s.Action {
		s.actions = append(s.actions, literalUnits(a))
	}
	for _, a := range s.NotAction {
		s.notActions = append(s.notActions, literalUnits(a))
	}
	var err error
	if s.resources, err = compilePatterns(s.Resource, source+".Resource"); err != nil {
		return nil, err
	}
	if s.notResources, err = compilePatterns(s.NotResource, source+".NotResource"); err != nil {
		return nil, err
	}
	return s, nil
}

// setElement reads one element of a statement.
func (s *Statement) setElement(k string, v any, source string) error {
	var err error
	switch k {
	case "Sid":
		s.Sid, _ = v.(string)
	case "Effect":
		e, _ := v.(string)
		if e != "Allow" && e != "Deny" {
			return fmt.Errorf("%s.Effect: %q is neither Allow nor Deny", source, e)
		}
		s.Effect = e
	case "Principal":
		s.Principal, err = parsePrincipal(v)
	case "NotPrincipal":
		s.NotPrincipal, err = parsePrincipal(v)
	case "Action":
		s.Action, err = stringList(v)
		s.hasAction = true
	case "NotAction":
		s.NotAction, err = stringList(v)
		s.hasNotAction = true
	case "Resource":
		s.Resource, err = stringList(v)
		s.hasResource = true
	case "NotResource":
		s.NotResource, err = stringList(v)
		s.hasNotResource = true
	case "Condition":
		s.Conditions, err = parseConditions(v)
	default:
		return fmt.Errorf("%s: unknown policy element %q", source, k)
	}
	if err != nil {
		return fmt.Errorf("%s.%s: %w", source, k, err)
	}
	return nil
}

// compilePatterns compiles the entries of a Resource or NotResource list; path names the list.
func compilePatterns(list []string, path string) ([]pattern, error) {
	var out []pattern
	for i, r := range list {
		p, err := compilePattern(r)
		if err != nil {
			return nil, fmt.Errorf("%s[%d]: %w", path, i, err)
		}
		out = append(out, p)
	}
	return out, nil
}

func parsePrincipal(v any) (map[string][]string, error) {
	if s, ok := v.(string); ok {
		if s != "*" {
			return nil, fmt.Errorf("principal %q: only \"*\" may be given as a bare string", s)
		}
		return map[string][]string{"*": {"*"}}, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("principal must be \"*\" or an object")
	}
	out := map[string][]string{}
	for k, vals := range m {
		switch k {
		case "AWS", "Federated", "Service", "CanonicalUser":
		default:
			return nil, fmt.Errorf("unknown principal type %q", k)
		}
		list, err := stringList(vals)
		if err != nil {
			return nil, err
		}
		out[k] = list
	}
	return out, nil
}

func stringList(v any) ([]string, error) {
	switch x := v.(type) {
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, err := scalarString(e)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	default:
		s, err := scalarString(v)
		if err != nil {
			return nil, err
		}
		return []string{s}, nil
	}
}

func scalarString(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case json.Number:
		return x.String(), nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case bool:
		return strconv.FormatBool(x), nil
	}
	return "", fmt.Errorf("expected a string, got %s", describeValue(v))
}

// describeValue names a JSON value's kind for error messages, showing short objects.
func describeValue(v any) string {
	switch v.(type) {
	case map[string]any:
		b, _ := json.Marshal(v)
		if len(b) > 120 {
			b = append(b[:117], "..."...)
		}
		return "object " + string(b)
	case []any:
		return "a list"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

func parseConditions(v any) ([]*Condition, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("condition block must be an object")
	}
	// Sorted so that errors and reports do not depend on map order.
	var out []*Condition
	for _, op := range slices.Sorted(maps.Keys(m)) {
		keys, ok := m[op].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s must map condition keys to values", op)
		}
		for _, k := range slices.Sorted(maps.Keys(keys)) {
			vals, err := stringList(keys[k])
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", op, k, err)
			}
			c, err := parseCondition(op, k, vals)
			if err != nil {
				return nil, err
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// Variables lists the policy variables (lower-cased context keys) used in the statement's
// Resource, NotResource and condition values.
func (s *Statement) Variables() []string {
	seen := map[string]bool{}
	add := func(ps []pattern) {
		for _, p := range ps {
			for _, pt := range p.parts {
				if pt.kind == pVar {
					seen[pt.text] = true
				}
			}
		}
	}
	add(s.resources)
	add(s.notResources)
	for _, c := range s.Conditions {
		add(c.pats)
	}
	return slices.Sorted(maps.Keys(seen))
}
