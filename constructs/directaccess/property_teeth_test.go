package directaccess_test

// The property test's two judges have teeth: a good template edited into a leak (an owner
// statement widened to every identity) or into a broken declared grant (the owner's PutObject
// taken away) is caught by verify's isolation check AND by the declared-access oracle, in both
// kinds of app. A judge that passed these would pass anything.

import (
	"bytes"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"

	"github.com/apiless/apiless/constructs/directaccess"
	"github.com/apiless/apiless/isolation"
)

func TestPropertyJudgesCatchMutations(t *testing.T) {
	all := []string{"get", "list", "write", "delete"}
	read := []string{"get", "list"}
	p := genProps{Tables: []genTable{}, Buckets: []genBucket{{Name: "Files", Paths: []genPath{
		{Path: "private/{identity}/*", Owner: &all},
		{Path: "public/*", Authenticated: &read},
	}}}}
	mutations := []struct {
		name, from, to string
		leak           bool
	}{
		{"owner objects widened to every identity", "/private/${cognito-identity.amazonaws.com:sub}/*", "/private/*", true},
		{"owner PutObject taken away", `"s3:PutObject"`, `"s3:GetObjectVersion"`, false},
	}
	for _, kind := range appKinds {
		app, err := newPropertyApp(kind)
		if err != nil {
			t.Fatal(err)
		}
		directaccess.NewDirectAccess(app.stack, jsii.String("Access"), p.props(app.stack))
		raw, err := app.synth()
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range mutations {
			if !bytes.Contains(raw, []byte(m.from)) {
				t.Fatalf("%s app: %s: the template has no %s to edit", kind, m.name, m.from)
			}
			mutated := bytes.ReplaceAll(raw, []byte(m.from), []byte(m.to))
			rep, err := isolation.CheckTemplate(mutated)
			if err != nil {
				t.Fatalf("%s app: %s: %v", kind, m.name, err)
			}
			if len(rep.Violations()) == 0 {
				t.Errorf("%s app: %s: verify finds no violation", kind, m.name)
			}
			problems, err := declaredAccess(p, mutated, rep)
			if err != nil {
				t.Fatalf("%s app: %s: %v", kind, m.name, err)
			}
			leaks := 0
			for _, pr := range problems {
				if strings.Contains(pr, "LEAK") {
					leaks++
				}
			}
			switch {
			case len(problems) == 0:
				t.Errorf("%s app: %s: the declared-access oracle finds nothing", kind, m.name)
			case m.leak && leaks == 0:
				t.Errorf("%s app: %s: the oracle finds no leak, only %v", kind, m.name, problems)
			}
		}
	}
}
