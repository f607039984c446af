package sample

import "strings"

func UseB() int { return T{n: len(strings.TrimSpace(" "))}.n }

// field, not method: names a field of T, no reference to c.go's method of the same name.
type U struct{ name string }

func (u U) Get() string { return u.name }
