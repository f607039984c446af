package directaccess_test

// What must be refused, derived from the generated data, independently of the construct's own
// checks: paths with characters IAM treats specially, folders spelled like identity IDs beside
// {identity} folders (and anything beside {tenant} folders), rule names that collide with each
// other or with the construct's own children, and one table or bucket under two rules.

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/aws/jsii-runtime-go"

	"github.com/apiless/apiless/constructs/directaccess"
	"github.com/apiless/apiless/validation"
)

// expectation is one reason a generated configuration must be refused.
type expectation struct {
	// fields: a problem must name one of them (or a field under it), unless late.
	fields []string
	why    string
	// late: the construct checks it only once everything else passed (one resource under two
	// spellings), so other problems may stand in for it.
	late bool
}

// shortestIdentityID is the shortest identity ID a region can have ("<region>:<GUID>").
const shortestIdentityID = "us-east-1:00000000-0000-0000-0000-000000000000"

var identityIDPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// iamSpecial says why IAM (or S3) would not read a path literally, or "".
func iamSpecial(path string) string {
	rest := strings.NewReplacer("{identity}", "", "{tenant}", "").Replace(path)
	switch {
	case strings.ContainsAny(path, "?"):
		return `"?" matches any one character`
	case strings.Contains(path, "$"):
		return `"$" starts a policy variable or escape`
	case strings.ContainsAny(rest, "{}"):
		return "braces that are not {identity} or {tenant}"
	case strings.Contains(strings.TrimSuffix(path, "/*"), "*"):
		return `"*" before the final "/*" matches any run, "/" included`
	case !utf8.ValidString(path):
		return "invalid UTF-8"
	case strings.IndexFunc(path, unicode.IsControl) >= 0:
		return "a control character"
	}
	literal := strings.NewReplacer("{identity}", shortestIdentityID, "{tenant}", "t").Replace(strings.TrimSuffix(path, "*"))
	if len(literal)+1 > 1024 {
		return fmt.Sprintf("%d bytes before any object name: longer than S3's 1,024-byte keys", len(literal))
	}
	return ""
}

var (
	childIDsOnce sync.Once
	childIDs     []string
)

// constructChildIDs are the construct IDs DirectAccess gives its own children, read from the
// construct tree of a configuration that uses every feature (not from the construct's list).
func constructChildIDs() []string {
	childIDsOnce.Do(func() {
		app, err := newPropertyApp(appBare)
		if err != nil {
			panic(err)
		}
		defer app.close()
		all := []directaccess.StorageOperation{directaccess.StorageGet}
		d := directaccess.NewDirectAccess(app.stack, jsii.String("Access"), &directaccess.DirectAccessProps{
			Guests: &directaccess.GuestAccess{Acknowledge: jsii.Bool(true)},
			Groups: []*directaccess.GroupRule{{Name: jsii.String("admins"), Precedence: jsii.Number(1)}},
			Tenant: &directaccess.TenantIsolation{Claim: jsii.String("custom:tenant")},
			Buckets: []*directaccess.BucketRule{{Name: jsii.String("Files"), Paths: []*directaccess.PathRule{
				{Path: jsii.String("private/{identity}/*"), Owner: &all, Groups: map[string][]directaccess.StorageOperation{"admins": all}},
				{Path: jsii.String("orgs/{tenant}/*"), Tenant: &all},
			}}},
		})
		for _, c := range *d.Node().Children() {
			if id := *c.Node().Id(); id != "Items" && id != "Files" {
				childIDs = append(childIDs, id)
			}
		}
	})
	return childIDs
}

// mustRefuse lists every reason the configuration must be refused.
func mustRefuse(p genProps) []expectation {
	var out []expectation
	tables, buckets := p.Tables, p.Buckets
	if tables == nil {
		tables = []genTable{{Name: directaccess.DefaultTableName}}
	}
	if buckets == nil {
		buckets = []genBucket{{Name: directaccess.DefaultBucketName}}
	}
	children := constructChildIDs()
	for i, t := range tables {
		field := validation.Index("Tables", i)
		if slices.Contains(children, t.Name) {
			out = append(out, expectation{fields: []string{field + ".Name"}, why: fmt.Sprintf("table rule %q is named like the construct's own child %q", t.Name, t.Name)})
		}
		for k, b := range buckets {
			if b.Name == t.Name {
				out = append(out, expectation{fields: []string{field + ".Name", validation.Index("Buckets", k) + ".Name"}, why: fmt.Sprintf("table and bucket rules both named %q", t.Name)})
			}
		}
		if i > 0 && (t.BroughtIn == "same" || t.BroughtIn == "same-name" && tables[0].BroughtIn == "import") {
			out = append(out, expectation{fields: []string{field + ".Table"}, why: fmt.Sprintf("Tables[0]'s table again (%s %s)", t.BroughtIn, t.Spelling), late: t.BroughtIn == "same-name"})
		}
	}
	for i, b := range buckets {
		field := validation.Index("Buckets", i)
		if slices.Contains(children, b.Name) {
			out = append(out, expectation{fields: []string{field + ".Name"}, why: fmt.Sprintf("bucket rule %q is named like the construct's own child %q", b.Name, b.Name)})
		}
		switch {
		case i > 0 && (b.BroughtIn == "same" || b.BroughtIn == "same-name" && buckets[0].BroughtIn == "import"):
			out = append(out, expectation{fields: []string{field + ".Bucket"}, why: fmt.Sprintf("Buckets[0]'s bucket again (%s %s)", b.BroughtIn, b.Spelling), late: b.BroughtIn == "same-name"})
		case b.BroughtIn == "logs" && p.AccessLogs != "" && !createdInStack(p.AccessLogs):
			out = append(out, expectation{fields: []string{field + ".Bucket"}, why: fmt.Sprintf("the access-logs bucket (%s) as a data bucket (%s)", p.AccessLogs, b.Spelling), late: true})
		}
		for j, r := range b.Paths {
			pf := validation.Index(field+".Paths", j)
			if why := iamSpecial(r.Path); why != "" {
				out = append(out, expectation{fields: []string{pf + ".Path"}, why: fmt.Sprintf("path %q: %s", r.Path, why)})
				continue
			}
			if strings.ContainsAny(r.Path, "{}") {
				continue
			}
			// A literal path whose folder, right after the parent of some {identity} folder, is
			// spelled like an identity ID; or any literal path beside {tenant} folders.
			for _, o := range b.Paths {
				for tok, spelled := range map[string]func(string) bool{"{identity}": identityIDPattern.MatchString, "{tenant}": func(string) bool { return true }} {
					parent, ok := strings.CutSuffix(strings.TrimSuffix(o.Path, "/*"), tok)
					if !ok || iamSpecial(o.Path) != "" || !strings.HasPrefix(r.Path, parent) {
						continue
					}
					if seg, _, _ := strings.Cut(strings.TrimPrefix(r.Path, parent), "/"); spelled(seg) {
						out = append(out, expectation{fields: []string{field + ".Paths"}, why: fmt.Sprintf("path %q is beside %q", r.Path, o.Path)})
					}
				}
			}
		}
	}
	return out
}

// checkRefusal judges ValidateProps' answer against the expectations: a configuration that must
// be refused is; every refusal is a *validation.Error whose problems each carry a detail, at
// least one names a field, and each expectation's field is named (unless late).
func checkRefusal(err error, want []expectation) []string {
	var out []string
	if err == nil {
		for _, e := range want {
			out = append(out, "accepted, but it must be refused: "+e.why)
		}
		return out
	}
	var verr *validation.Error
	if !errors.As(err, &verr) {
		return []string{fmt.Sprintf("refused with a %T, not a *validation.Error: %v", err, err)}
	}
	if len(verr.Problems) == 0 {
		return []string{"refused with no problems listed"}
	}
	if !slices.ContainsFunc(verr.Problems, func(p validation.Problem) bool { return p.Field != "" }) {
		out = append(out, "refused, but no problem names a field")
	}
	for _, p := range verr.Problems {
		if strings.TrimSpace(p.Detail) == "" {
			out = append(out, fmt.Sprintf("problem on %q (%s) has no detail", p.Field, p.Type))
		}
	}
	for _, e := range want {
		if e.late {
			continue
		}
		named := slices.ContainsFunc(verr.Problems, func(p validation.Problem) bool {
			return slices.ContainsFunc(e.fields, func(f string) bool {
				return p.Field == f || strings.HasPrefix(p.Field, f+".") || strings.HasPrefix(p.Field, f+"[")
			})
		})
		if !named {
			out = append(out, fmt.Sprintf("refused, but no problem names %s (%s)", strings.Join(e.fields, " or "), e.why))
		}
	}
	return out
}
