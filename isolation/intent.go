package isolation

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/apiless/apiless/iameval"
	"github.com/apiless/apiless/manifest"
)

// The check compares what the policies allow with what was meant. Templates made by the
// DirectAccess construct say what was meant: their manifest (in the Metadata of the identity pool,
// or in the ApilessManifest output) lists every table's and path's audiences and operations, and
// the check runs in declared mode, both ways: an allow no rule declared is a violation, and so is
// a declared grant the policies deny. Without a manifest the check runs in strict mode: an
// identity may reach its own key and folder, and what the user names with Options.Shared, and
// nothing else.

// Mode names how the expected decisions were derived.
const (
	// ModeDeclared means the expectations come from the construct's manifest.
	ModeDeclared = "declared"
	// ModeStrict means there is no manifest: only an identity's own data and the folders and
	// tables named in Options.Shared may be reached.
	ModeStrict = "strict"
)

// Options tune a check.
type Options struct {
	// Shared names what strict mode may treat as shared with every identity the policies give it
	// to: "<bucket>/<path>" with the bucket's logical ID or name and a path in the construct's
	// syntax (literal folders, {identity} and {tenant}, ending in "/*"), e.g. "Files/public/*";
	// or a table's logical ID or name. Declared mode ignores it: nothing is shared there unless
	// the manifest declares it.
	Shared []string
}

// want is the decision a probe must get.
type want uint8

const (
	wantDeny  want = iota // an Allow is a violation
	wantAllow             // a Deny is a violation: declared but not granted
	wantAny               // either is fine (own data in strict mode, metadata)
)

// segment is one folder of a declared path: a literal name or a token.
type segment struct {
	lit string
	tok string // "", manifest.IdentityToken or manifest.TenantToken
}

// rule is one declared path of a bucket, read with the construct's path semantics: literal folder
// names plus the tokens, never as an IAM pattern, so "privat?/*" is the folder named "privat?".
type rule struct {
	path   string // as declared, e.g. "private/{identity}/*"
	folder string // the path without its final "/*"
	segs   []segment
	// grants maps an audience (owner, authenticated, guest, tenant, group:<name>, or "*" for
	// anyone) to operations (get, list, write, delete).
	grants map[string][]string
	// loose rules say what may be allowed, not what must be (strict mode).
	loose  bool
	origin string // "manifest", "--shared" or "policy"
}

var allStorageOps = []string{"get", "list", "write", "delete"}

// identityShape is the form of an identity pool identity ID (region:GUID), as Cognito documents
// it; a {identity} folder only ever holds such a name.
var identityShape = regexp.MustCompile(`^[\w-]+:[0-9a-f-]+$`)

func parseRule(path string, grants map[string][]string) (*rule, error) {
	folder, ok := strings.CutSuffix(path, "/*")
	if !ok || folder == "" {
		return nil, fmt.Errorf("path %q does not end in \"/*\" after a folder", path)
	}
	r := &rule{path: path, folder: folder, grants: grants}
	for _, s := range strings.Split(folder, "/") {
		switch s {
		case "":
			return nil, fmt.Errorf("path %q has an empty folder name", path)
		case manifest.IdentityToken, manifest.TenantToken:
			r.segs = append(r.segs, segment{tok: s})
		default:
			r.segs = append(r.segs, segment{lit: s})
		}
	}
	return r, nil
}

func (r *rule) hasToken(tok string) bool {
	return slices.ContainsFunc(r.segs, func(s segment) bool { return s.tok == tok })
}

// under reports whether r is nested in other's folder, compared as the construct compares them:
// by folder names, tokens included as written.
func (r *rule) under(other *rule) bool {
	return strings.HasPrefix(r.folder+"/", other.folder+"/") && r.folder != other.folder
}

// binding holds the values a key gives a rule's tokens, in order; "" is a token the key leaves
// open (a listing prefix that stops inside it).
type binding []string

// match reports whether key lies inside the rule's folder and binds its tokens.
func (r *rule) match(key string) (binding, bool) {
	var b binding
	rest := key
	for _, s := range r.segs {
		if s.tok == "" {
			var ok bool
			if rest, ok = strings.CutPrefix(rest, s.lit+"/"); !ok {
				return nil, false
			}
			continue
		}
		i := strings.IndexByte(rest, '/')
		if i < 0 {
			return nil, false
		}
		b = append(b, rest[:i])
		rest = rest[i+1:]
	}
	return b, true
}

// identityBound reports whether every {identity} of the rule is bound to a name shaped like an
// identity ID. A key that a literal rule also holds (private/shared/x beside private/{identity}/*)
// is only another identity's when its name could be an identity ID.
func (r *rule) identityBound(b binding) bool {
	i := 0
	for _, s := range r.segs {
		if s.tok == "" {
			continue
		}
		if s.tok == manifest.IdentityToken && (i >= len(b) || !identityShape.MatchString(b[i])) {
			return false
		}
		i++
	}
	return true
}

// couldBeIdentities reports whether the values a listing prefix binds to the rule's {identity}
// tokens could be identity IDs: a whole folder name must have an identity ID's shape (no
// identity is named "adm"), while a name the prefix cuts short ("" here) still could become one.
func (r *rule) couldBeIdentities(b binding) bool {
	i := 0
	for _, s := range r.segs {
		if s.tok == "" {
			continue
		}
		if i >= len(b) {
			return true
		}
		if s.tok == manifest.IdentityToken && b[i] != "" && !identityShape.MatchString(b[i]) {
			return false
		}
		i++
	}
	return true
}

// reaches reports whether a listing with this prefix returns object keys inside the rule's
// folder. Without a delimiter a prefix that stops short of the folder (team/lock for
// team/locked/) lists every key under it; with delimiter "/" it only names the folder.
func (r *rule) reaches(prefix string, delimited bool) (binding, bool) {
	var b binding
	rest := prefix
	for _, s := range r.segs {
		if rest == "" {
			return b, !delimited
		}
		if s.tok == "" {
			if strings.HasPrefix(s.lit+"/", rest) {
				return b, !delimited
			}
			var ok bool
			if rest, ok = strings.CutPrefix(rest, s.lit+"/"); !ok {
				return nil, false
			}
			continue
		}
		i := strings.IndexByte(rest, '/')
		if i < 0 {
			return append(b, ""), !delimited
		}
		b = append(b, rest[:i])
		rest = rest[i+1:]
	}
	return b, true
}

// caller is who asks, as the rules see them: the role's audiences and the identity's values.
type caller struct {
	audiences []string
	sub       string
	tenant    string
	guest     bool
}

// allows reports whether the rule grants op to the caller for the bound folder.
func (r *rule) allows(c caller, b binding, op string) bool {
	for aud, ops := range r.grants {
		if !slices.Contains(ops, op) || (aud != "*" && !slices.Contains(c.audiences, aud)) {
			continue
		}
		if r.bindingFits(aud, c, b) {
			return true
		}
	}
	return false
}

func (r *rule) bindingFits(aud string, c caller, b binding) bool {
	i := 0
	for _, s := range r.segs {
		if s.tok == "" {
			continue
		}
		v := ""
		if i < len(b) {
			v = b[i]
		}
		i++
		switch {
		case aud == "owner" && s.tok == manifest.IdentityToken && v != c.sub,
			(aud == "owner" || aud == "tenant") && s.tok == manifest.TenantToken && (v != c.tenant || c.tenant == ""):
			return false
		}
	}
	return true
}

// decision is an expectation with the reason for it.
type decision struct {
	want want
	why  string
}

// effective returns the rules that decide a key: every rule that holds it, except those a more
// deeply nested rule that also holds it overrides. Several rules left (a literal folder named
// like another rule's token) must all allow.
func effective(rules []*rule, key string) (map[*rule]binding, []*rule) {
	held := map[*rule]binding{}
	literal := false
	for _, r := range rules {
		if b, ok := r.match(key); ok {
			held[r] = b
			literal = literal || !r.hasToken(manifest.IdentityToken)
		}
	}
	if literal {
		for r, b := range held {
			if r.hasToken(manifest.IdentityToken) && !r.identityBound(b) {
				delete(held, r)
			}
		}
	}
	var top []*rule
	for r := range held {
		overridden := false
		for o := range held {
			if o.under(r) {
				overridden = true
			}
		}
		if !overridden {
			top = append(top, r)
		}
	}
	sort.Slice(top, func(i, j int) bool { return top[i].path < top[j].path })
	return held, top
}

// sharedHolds reports whether a folder the user named shared (strict mode) holds the key: what the
// user shares outranks the identity folders strict mode reads from the policies.
func sharedHolds(rules []*rule, key string) bool {
	return slices.ContainsFunc(rules, func(r *rule) bool {
		_, ok := r.match(key)
		return ok && r.origin == "--shared"
	})
}

// objectDecision is what a request of op on an object key must get.
func objectDecision(rules []*rule, c caller, key, op string) decision {
	if sharedHolds(rules, key) {
		return decision{wantAny, ""}
	}
	held, top := effective(rules, key)
	if len(top) == 0 {
		return decision{wantDeny, "no rule assigns " + key + " to anyone"}
	}
	loose := false
	for _, r := range top {
		if c.guest && op != "get" && r.hasToken(manifest.IdentityToken) {
			return decision{wantDeny, guestWriteReason}
		}
		if !r.allows(c, held[r], op) {
			return decision{wantDeny, fmt.Sprintf("%s does not grant %s here to %s", r.path, op, strings.Join(c.audiences, "/"))}
		}
		loose = loose || r.loose
	}
	if loose {
		return decision{wantAny, ""}
	}
	return decision{wantAllow, "declared by " + top[0].path}
}

// listDecision is what a listing with this prefix must get: the rules that hold the prefix must
// grant list, and so must every other rule whose keys the listing returns.
func listDecision(rules []*rule, c caller, prefix string, delimited bool) decision {
	if prefix == "" {
		return decision{wantDeny, "lists every object key in the bucket"}
	}
	if sharedHolds(rules, prefix) {
		return decision{wantAny, ""}
	}
	held, top := effective(rules, prefix)
	if len(top) == 0 {
		return decision{wantDeny, "lists object keys no rule assigns to anyone"}
	}
	loose := false
	for _, r := range top {
		if !r.allows(c, held[r], "list") {
			return decision{wantDeny, fmt.Sprintf("%s does not grant list here to %s", r.path, strings.Join(c.audiences, "/"))}
		}
		loose = loose || r.loose
	}
	for _, n := range rules {
		if _, ok := held[n]; ok {
			continue
		}
		if slices.ContainsFunc(top, func(t *rule) bool { return t.under(n) }) {
			continue
		}
		b, ok := n.reaches(prefix, delimited)
		if !ok || n.allows(c, b, "list") || !n.couldBeIdentities(b) {
			continue
		}
		return decision{wantDeny, fmt.Sprintf("the listing reaches into %s, which does not grant list to %s", n.path, strings.Join(c.audiences, "/"))}
	}
	if loose {
		return decision{wantAny, ""}
	}
	return decision{wantAllow, "declared by " + top[0].path}
}

// declaration is one identity pool's manifest.
type declaration struct {
	m      *manifest.Manifest
	source string // where it was read
}

// readDeclarations finds the manifests of a template: in the Metadata of each identity pool
// first, else in the ApilessManifest output. Values may hold intrinsics; they are resolved with
// the template's fake names, so the manifest's table and bucket names match the template's.
func readDeclarations(raw []byte, t *iameval.Template) (map[string]*declaration, *declaration, error) {
	var doc struct {
		Resources map[string]struct {
			Type     string                     `json:"Type"`
			Metadata map[string]json.RawMessage `json:"Metadata"`
		} `json:"Resources"`
		Outputs map[string]struct {
			Value json.RawMessage `json:"Value"`
		} `json:"Outputs"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, nil, fmt.Errorf("template is not a JSON object: %w", err)
	}
	byPool := map[string]*declaration{}
	for id, r := range doc.Resources {
		v, ok := r.Metadata[manifest.MetadataKey]
		if !ok || r.Type != "AWS::Cognito::IdentityPool" {
			continue
		}
		path := "Resources." + id + ".Metadata." + manifest.MetadataKey
		m, err := decodeManifest(t, v, path, false)
		if err != nil {
			return nil, nil, err
		}
		byPool[id] = &declaration{m: m, source: path}
	}
	var fromOutput *declaration
	if o, ok := doc.Outputs[manifest.OutputKey]; ok && len(o.Value) > 0 {
		path := "Outputs." + manifest.OutputKey + ".Value"
		m, err := decodeManifest(t, o.Value, path, true)
		if err != nil {
			return nil, nil, err
		}
		fromOutput = &declaration{m: m, source: path}
	}
	return byPool, fromOutput, nil
}

func decodeManifest(t *iameval.Template, rawValue json.RawMessage, path string, asString bool) (*manifest.Manifest, error) {
	dec := json.NewDecoder(bytes.NewReader(rawValue))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var data []byte
	if asString {
		s, err := t.ResolveString(v, path)
		if err != nil {
			return nil, fmt.Errorf("the manifest cannot be read offline: %w", err)
		}
		data = []byte(s)
	} else {
		res, err := t.Resolve(v, path)
		if err != nil {
			return nil, fmt.Errorf("the manifest cannot be read offline: %w", err)
		}
		if data, err = json.Marshal(res); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	var m manifest.Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: the manifest is not a JSON object of the expected shape: %v", path, err)
	}
	return &m, nil
}

// tableOps maps a declared table operation to the actions that carry it: the first ones must be
// allowed when it is declared, the others may be. Under an attribute limit, write is UpdateItem
// only and nothing deletes or condition-checks whole items.
func tableActionWant(ops []string, limited bool, action string) want {
	has := func(op string) bool { return slices.Contains(ops, op) }
	switch action {
	case "dynamodb:GetItem", "dynamodb:Query":
		return allowIf(has("read"), wantAllow)
	case "dynamodb:BatchGetItem":
		return allowIf(has("read"), wantAny)
	case "dynamodb:ConditionCheckItem":
		return allowIf(has("read") && !limited, wantAny)
	case "dynamodb:UpdateItem":
		return allowIf(has("write"), wantAllow)
	case "dynamodb:PutItem":
		return allowIf(has("write") && !limited, wantAllow)
	case "dynamodb:BatchWriteItem":
		return allowIf(has("write") && !limited, wantAny)
	case "dynamodb:DeleteItem":
		return allowIf(has("delete") && !limited, wantAllow)
	}
	return wantDeny
}

func allowIf(cond bool, w want) want {
	if cond {
		return w
	}
	return wantDeny
}

// storageOp is the declared operation an S3 action belongs to; primary says whether a declared
// operation requires it to be allowed (the others, such as GetObjectTagging, may be).
func storageOp(a action) (op string, primary bool) {
	switch a.cat {
	case catObjectRead:
		return "get", a.name == "s3:GetObject"
	case catList:
		return "list", a.name == "s3:ListBucket"
	case catObjectWrite:
		if strings.HasPrefix(a.name, "s3:DeleteObject") {
			return "delete", a.name == "s3:DeleteObject"
		}
		return "write", a.name == "s3:PutObject"
	}
	return "", false
}
