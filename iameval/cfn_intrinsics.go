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

// intrinsicFunc resolves one intrinsic function: arg is its argument as written, path its place in
// the template (ending in the function's name).
type intrinsicFunc func(t *Template, arg any, path string) (any, error)

// intrinsics are the intrinsic functions that can be resolved offline. It is filled in init because
// the functions resolve their arguments, which may hold intrinsics again.
var intrinsics map[string]intrinsicFunc

func init() {
	intrinsics = map[string]intrinsicFunc{
		"Ref":              (*Template).fnRef,
		"Fn::GetAtt":       (*Template).fnGetAtt,
		"Fn::Join":         (*Template).fnJoin,
		"Fn::Sub":          (*Template).sub,
		"Fn::Select":       (*Template).fnSelect,
		"Fn::Split":        (*Template).fnSplit,
		"Fn::If":           (*Template).fnIf,
		"Fn::FindInMap":    (*Template).fnFindInMap,
		"Fn::Base64":       (*Template).fnBase64,
		"Fn::GetAZs":       (*Template).fnGetAZs,
		"Fn::ToJsonString": (*Template).fnToJSONString,
		"Fn::Length":       (*Template).fnLength,
		"Fn::ImportValue": func(_ *Template, _ any, path string) (any, error) {
			return nil, rerr(path, "Fn::ImportValue reads another stack's export, which is not in this template")
		},
	}
}

func (t *Template) intrinsic(fn string, arg any, path string) (any, error) {
	p := path + "." + fn
	f, ok := intrinsics[fn]
	if !ok {
		return nil, rerr(p, "intrinsic %s is not supported offline", fn)
	}
	return f(t, arg, p)
}

// args checks the shape every list-taking intrinsic shares: its argument must be a list of exactly
// len(names) elements, named in the error.
func args(arg any, path string, names ...string) ([]any, error) {
	list, ok := arg.([]any)
	if !ok || len(list) != len(names) {
		return nil, rerr(path, "%s takes [%s], got %s", path[strings.LastIndex(path, ".")+1:], strings.Join(names, ", "), describe(arg))
	}
	return list, nil
}

// resolveStrings resolves each of args to a string; path names the list.
func (t *Template) resolveStrings(args []any, path string) ([]string, error) {
	out := make([]string, len(args))
	for i, a := range args {
		s, err := t.ResolveString(a, fmt.Sprintf("%s[%d]", path, i))
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

func (t *Template) fnRef(arg any, p string) (any, error) {
	name, ok := arg.(string)
	if !ok {
		return nil, rerr(p, "Ref takes a name, got %s", describe(arg))
	}
	return t.ref(name, p)
}

func (t *Template) fnGetAtt(arg any, p string) (any, error) {
	id, attr, err := getAttArgs(arg, p)
	if err != nil {
		return nil, err
	}
	return t.getAtt(id, attr, p)
}

func (t *Template) fnJoin(arg any, p string) (any, error) {
	a, err := args(arg, p, "delimiter", "list")
	if err != nil {
		return nil, err
	}
	delim, err := t.ResolveString(a[0], p+"[0]")
	if err != nil {
		return nil, err
	}
	list, err := t.resolveList(a[1], p+"[1]")
	if err != nil {
		return nil, err
	}
	parts := make([]string, len(list))
	for i, e := range list {
		if parts[i], err = asString(e, fmt.Sprintf("%s[1][%d]", p, i)); err != nil {
			return nil, err
		}
	}
	return strings.Join(parts, delim), nil
}

func (t *Template) fnSelect(arg any, p string) (any, error) {
	a, err := args(arg, p, "index", "list")
	if err != nil {
		return nil, err
	}
	is, err := t.ResolveString(a[0], p+"[0]")
	if err != nil {
		return nil, err
	}
	i, err := strconv.Atoi(is)
	if err != nil {
		return nil, rerr(p+"[0]", "index %q is not a number", is)
	}
	list, err := t.resolveList(a[1], p+"[1]")
	if err != nil {
		return nil, err
	}
	if i < 0 || i >= len(list) {
		return nil, rerr(p, "index %d out of range for a list of %d", i, len(list))
	}
	return list[i], nil
}

func (t *Template) fnSplit(arg any, p string) (any, error) {
	a, err := args(arg, p, "delimiter", "string")
	if err != nil {
		return nil, err
	}
	s, err := t.resolveStrings(a, p)
	if err != nil {
		return nil, err
	}
	var out []any
	for _, part := range strings.Split(s[1], s[0]) {
		out = append(out, part)
	}
	return out, nil
}

func (t *Template) fnIf(arg any, p string) (any, error) {
	a, err := args(arg, p, "condition", "value if true", "value if false")
	if err != nil {
		return nil, err
	}
	name, ok := a[0].(string)
	if !ok {
		return nil, rerr(p+"[0]", "Fn::If needs a condition name")
	}
	on, err := t.condition(name, p+"[0]")
	if err != nil {
		return nil, err
	}
	if on {
		return t.resolve(a[1], p+"[1]")
	}
	return t.resolve(a[2], p+"[2]")
}

func (t *Template) fnFindInMap(arg any, p string) (any, error) {
	a, err := args(arg, p, "map", "top-level key", "second-level key")
	if err != nil {
		return nil, err
	}
	keys, err := t.resolveStrings(a, p)
	if err != nil {
		return nil, err
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
}

func (t *Template) fnBase64(arg any, p string) (any, error) {
	s, err := t.ResolveString(arg, p)
	if err != nil {
		return nil, err
	}
	return base64.StdEncoding.EncodeToString([]byte(s)), nil
}

func (t *Template) fnGetAZs(any, string) (any, error) {
	r := t.env.Region
	return []any{r + "a", r + "b", r + "c"}, nil
}

func (t *Template) fnToJSONString(arg any, p string) (any, error) {
	v, err := t.resolve(arg, p)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, rerr(p, "%v", err)
	}
	return string(b), nil
}

func (t *Template) fnLength(arg any, p string) (any, error) {
	list, err := t.resolveList(arg, p)
	if err != nil {
		return nil, err
	}
	return json.Number(strconv.Itoa(len(list))), nil
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

// sub resolves Fn::Sub. ${!Literal} stays as ${Literal}: that is how IAM policy variables are
// written inside Fn::Sub.
func (t *Template) sub(arg any, path string) (any, error) {
	tmpl, vars, err := subArgs(arg, path)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	rest := tmpl
	for {
		i := strings.Index(rest, "${")
		if i < 0 {
			b.WriteString(rest)
			return b.String(), nil
		}
		b.WriteString(rest[:i])
		j := strings.Index(rest[i:], "}")
		if j < 0 {
			return nil, rerr(path, "Fn::Sub: unterminated ${ in %q", tmpl)
		}
		name := rest[i+2 : i+j]
		rest = rest[i+j+1:]
		if lit, ok := strings.CutPrefix(name, "!"); ok {
			b.WriteString("${" + lit + "}")
			continue
		}
		s, err := t.subValue(strings.TrimSpace(name), vars, path)
		if err != nil {
			return nil, err
		}
		b.WriteString(s)
	}
}

// subArgs reads Fn::Sub's two forms: a template string, or [template, variables].
func subArgs(arg any, path string) (string, map[string]any, error) {
	if s, ok := arg.(string); ok {
		return s, nil, nil
	}
	a, err := args(arg, path, "string", "variables")
	if err != nil {
		return "", nil, err
	}
	s, ok := a[0].(string)
	if !ok {
		return "", nil, rerr(path+"[0]", "Fn::Sub template must be a string")
	}
	vars, ok := a[1].(map[string]any)
	if !ok {
		return "", nil, rerr(path+"[1]", "Fn::Sub variables must be an object")
	}
	return s, vars, nil
}

// subValue is the value of ${name} in Fn::Sub: a variable of its own, a resource attribute, or
// what Ref gives.
func (t *Template) subValue(name string, vars map[string]any, path string) (string, error) {
	var val any
	var err error
	if v, ok := vars[name]; ok {
		val, err = t.resolve(v, path+"[1]."+name)
	} else if id, attr, ok := strings.Cut(name, "."); ok && t.resources[id] != nil {
		val, err = t.getAtt(id, attr, path)
	} else if val, err = t.ref(name, path); err != nil {
		return "", rerr(path, "Fn::Sub ${%s}: not a variable, resource, attribute, parameter or pseudo parameter (an IAM policy variable must be written ${!%s})", name, name)
	}
	if err != nil {
		return "", err
	}
	return asString(val, path)
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

// condFunc evaluates one condition function; arg is its argument, path its place.
type condFunc func(t *Template, arg any, path string) (bool, error)

// condFuncs are the functions of a template's Conditions section, filled in init for the same
// reason as intrinsics.
var condFuncs map[string]condFunc

func init() {
	condFuncs = map[string]condFunc{
		"Condition":  (*Template).condRef,
		"Fn::Equals": (*Template).condEquals,
		"Fn::Not":    (*Template).condNot,
		"Fn::And":    func(t *Template, arg any, p string) (bool, error) { return t.condAll(arg, p, true) },
		"Fn::Or":     func(t *Template, arg any, p string) (bool, error) { return t.condAll(arg, p, false) },
	}
}

func (t *Template) condExpr(expr any, path string) (bool, error) {
	m, ok := expr.(map[string]any)
	if !ok || len(m) != 1 {
		return false, rerr(path, "a condition must be one of Fn::Equals, Fn::And, Fn::Or, Fn::Not, Condition")
	}
	for fn, arg := range m {
		f, ok := condFuncs[fn]
		if !ok {
			return false, rerr(path+"."+fn, "%s is not a condition function", fn)
		}
		return f(t, arg, path+"."+fn)
	}
	return false, nil
}

func (t *Template) condRef(arg any, p string) (bool, error) {
	name, ok := arg.(string)
	if !ok {
		return false, rerr(p, "Condition takes a name")
	}
	return t.condition(name, p)
}

func (t *Template) condEquals(arg any, p string) (bool, error) {
	a, err := args(arg, p, "value", "value")
	if err != nil {
		return false, err
	}
	var js [2]string
	for i := range a {
		v, err := t.resolve(a[i], fmt.Sprintf("%s[%d]", p, i))
		if err != nil {
			return false, err
		}
		b, _ := json.Marshal(v)
		js[i] = string(b)
	}
	return js[0] == js[1], nil
}

func (t *Template) condNot(arg any, p string) (bool, error) {
	a, err := args(arg, p, "condition")
	if err != nil {
		return false, err
	}
	v, err := t.condExpr(a[0], p+"[0]")
	return !v, err
}

// condAll is Fn::And (and true) or Fn::Or (and false), stopping at the first condition that
// decides.
func (t *Template) condAll(arg any, p string, and bool) (bool, error) {
	list, ok := arg.([]any)
	if !ok || len(list) == 0 {
		return false, rerr(p, "%s takes a list of conditions", p[strings.LastIndex(p, ".")+1:])
	}
	for i, a := range list {
		v, err := t.condExpr(a, fmt.Sprintf("%s[%d]", p, i))
		if err != nil {
			return false, err
		}
		if v != and {
			return v, nil
		}
	}
	return and, nil
}
