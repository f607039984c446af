// Package validation holds the one shape every apiless validator reports problems in: a list of
// [Problem] values, each naming the field path, the kind of problem, the value received and what
// is expected, in the manner of Kubernetes' field.Error. A [List] is an error; tests compare the
// Field and Type of its problems rather than the wording of the message.
package validation

import (
	"fmt"
	"strings"
)

// Type is the kind of a problem: a stable word that tests and tools can match on.
type Type string

const (
	// Required: the field is missing or empty.
	Required Type = "Required"
	// Invalid: the value is malformed or not allowed here.
	Invalid Type = "Invalid"
	// Duplicate: the value is already used by another entry.
	Duplicate Type = "Duplicate"
	// NotSupported: the value is not one of the known values.
	NotSupported Type = "NotSupported"
	// Forbidden: the value is well formed but would break isolation or a rule of the pattern.
	Forbidden Type = "Forbidden"
	// Conflict: the field contradicts another field.
	Conflict Type = "Conflict"
	// TooLong: the value exceeds a length limit.
	TooLong Type = "TooLong"
	// TooMany: a list or resource count exceeds a limit.
	TooMany Type = "TooMany"
)

// Problem is one validation failure.
type Problem struct {
	// Field is the path of the field, e.g. "Tables[0].Indexes[1].PartitionKey"; empty when the
	// problem concerns the whole input.
	Field string
	// Type is the kind of problem.
	Type Type
	// BadValue is the value received, rendered for people ("" when there is none to show).
	BadValue string
	// Detail says what is wrong and what is expected. It includes the value where that helps.
	Detail string
}

// String renders the problem as "Field: detail".
func (p Problem) String() string {
	if p.Field == "" {
		return p.Detail
	}
	return p.Field + ": " + p.Detail
}

// List is every problem found in one input. A nil or empty list means the input is valid. The
// zero value is ready to use.
type List []Problem

// Add records a problem; detail is a format string with args.
func (l *List) Add(field string, typ Type, badValue any, format string, args ...any) {
	*l = append(*l, Problem{Field: field, Type: typ, BadValue: render(badValue), Detail: fmt.Sprintf(format, args...)})
}

// Append adds problems found by another validator, with their fields under prefix (a field
// "Name" found under prefix "Groups[0]" becomes "Groups[0].Name").
func (l *List) Append(prefix string, problems List) {
	for _, p := range problems {
		p.Field = Join(prefix, p.Field)
		*l = append(*l, p)
	}
}

// Err returns the list as an error titled by what, or nil when the list is empty.
func (l List) Err(what string) error {
	if len(l) == 0 {
		return nil
	}
	return &Error{What: what, Problems: l}
}

// Strings renders every problem, one string each.
func (l List) Strings() []string {
	out := make([]string, len(l))
	for i, p := range l {
		out[i] = p.String()
	}
	return out
}

// Has reports whether the list holds a problem of the given type on the given field.
func (l List) Has(field string, typ Type) bool {
	for _, p := range l {
		if p.Field == field && p.Type == typ {
			return true
		}
	}
	return false
}

// Error is a List with a title, as returned by validators.
type Error struct {
	// What names the input, e.g. "DirectAccess Stack/Access: invalid props".
	What     string
	Problems List
}

func (e *Error) Error() string {
	return e.What + ":\n  - " + strings.Join(e.Problems.Strings(), "\n  - ")
}

// Join builds a field path from a parent path and a child field ("" parts are skipped; an index
// such as "[2]" or `["admins"]` attaches without a dot).
func Join(parent, child string) string {
	switch {
	case parent == "":
		return child
	case child == "":
		return parent
	case strings.HasPrefix(child, "["):
		return parent + child
	}
	return parent + "." + child
}

// Index is the path of element i of a list field: Index("Tables", 0) is "Tables[0]".
func Index(field string, i int) string { return fmt.Sprintf("%s[%d]", field, i) }

// Key is the path of the entry k of a map field: Key("Groups", "admins") is `Groups["admins"]`.
func Key(field, k string) string { return fmt.Sprintf("%s[%q]", field, k) }

func render(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return fmt.Sprintf("%q", x)
	case *string:
		if x == nil {
			return "nil"
		}
		return fmt.Sprintf("%q", *x)
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}
