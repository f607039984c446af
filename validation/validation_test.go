package validation

import (
	"errors"
	"testing"
)

func TestListCollectsEveryProblemWithItsField(t *testing.T) {
	var l List
	if l.Err("x") != nil {
		t.Fatal("an empty list must be no error")
	}
	l.Add(Index("Tables", 0)+".Name", Invalid, "x y", "%q; expected a PascalCase name", "x y")
	var inner List
	inner.Add("Name", Duplicate, "admins", "%q is declared twice", "admins")
	l.Append(Index("Groups", 1), inner)
	err := l.Err("DirectAccess Stack/Access: invalid props")
	var ve *Error
	if !errors.As(err, &ve) || len(ve.Problems) != 2 {
		t.Fatalf("got %v, want an *Error with 2 problems", err)
	}
	if !ve.Problems.Has("Tables[0].Name", Invalid) || !ve.Problems.Has("Groups[1].Name", Duplicate) {
		t.Errorf("problems = %#v", ve.Problems)
	}
	want := "DirectAccess Stack/Access: invalid props:\n  - Tables[0].Name: \"x y\"; expected a PascalCase name\n  - Groups[1].Name: \"admins\" is declared twice"
	if err.Error() != want {
		t.Errorf("got\n%s\nwant\n%s", err, want)
	}
	if ve.Problems[0].BadValue != `"x y"` {
		t.Errorf("BadValue = %s", ve.Problems[0].BadValue)
	}
}

func TestJoin(t *testing.T) {
	for _, c := range []struct{ parent, child, want string }{
		{"", "Name", "Name"}, {"Tables[0]", "", "Tables[0]"}, {"Tables[0]", "Name", "Tables[0].Name"},
		{"Tables[0]", "[1]", "Tables[0][1]"}, {"Paths[0]", Key("Groups", "a"), `Paths[0].Groups["a"]`},
	} {
		if got := Join(c.parent, c.child); got != c.want {
			t.Errorf("Join(%q, %q) = %q, want %q", c.parent, c.child, got, c.want)
		}
	}
}
