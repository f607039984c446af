package isolation

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Verdict is the judgement of one check.
type Verdict string

const (
	// VerdictOK means denied where it must be denied, or allowed where it must be allowed.
	VerdictOK Verdict = "ok"
	// VerdictOwn means the identity reaches its own data (its key, its folder).
	VerdictOwn Verdict = "own"
	// VerdictShared means the identity reaches data that a policy shares on purpose: a named
	// folder without identity variables (public/*, protected/*/*), or bucket or table metadata.
	VerdictShared Verdict = "shared"
	// VerdictWarning means not a leak, but something that does not work as intended (a role its
	// own identities cannot assume, an index whose partition key is not the identity).
	VerdictWarning Verdict = "warning"
	// VerdictViolation means an identity reaches another identity's data, data no rule assigns
	// to anyone, or administration; or someone outside the pool's audience can assume the role.
	VerdictViolation Verdict = "violation"
)

// Finding is one line of the report: a check, what was tried, and the verdict.
type Finding struct {
	// Role is the logical ID of the role the check ran as; empty for identity-pool checks.
	Role    string  `json:"role,omitempty"`
	Verdict Verdict `json:"verdict"`
	// Check says what was tried, e.g. "table Items: other identity's key".
	Check string `json:"check"`
	// Result is "allowed", "denied" or "allowed N of M".
	Result string `json:"result"`
	// Allowed lists the actions that were allowed.
	Allowed []string `json:"allowed,omitempty"`
	// Tried is the number of requests evaluated for the check.
	Tried int `json:"tried"`
	// Resource is the ARN the requests targeted (the first one, when there were several).
	Resource string `json:"resource,omitempty"`
	// Request shows the request context that matters, e.g. dynamodb:LeadingKeys=[...].
	Request string `json:"request,omitempty"`
	// Statements name the policy statements that allowed the requests, by their place in the
	// template.
	Statements []string `json:"statements,omitempty"`
	// Missing lists the actions that are declared but denied.
	Missing []string `json:"missing,omitempty"`
	// Reason explains a violation or warning.
	Reason string `json:"reason,omitempty"`
}

// PoolReport holds the checks on an identity pool itself (how its principal tags are fed).
type PoolReport struct {
	LogicalID string `json:"logicalId,omitempty"`
	ID        string `json:"id"`
	// Mode is "declared" when the pool carries the construct's manifest, else "strict".
	Mode     string    `json:"mode"`
	Findings []Finding `json:"findings,omitempty"`
}

// RoleReport holds every check run as one role an identity pool hands out.
type RoleReport struct {
	LogicalID string `json:"logicalId"`
	ARN       string `json:"arn"`
	// Audiences says who gets the role: authenticated, guest, group <name>, rule <...>, or that it
	// only trusts identity pools without being attached.
	Audiences    []string `json:"audiences"`
	IdentityPool string   `json:"identityPool,omitempty"`
	// Mode is the mode the role was checked in: "declared" or "strict".
	Mode     string    `json:"mode"`
	Findings []Finding `json:"findings"`
}

// Report is the result of an isolation check on one template.
type Report struct {
	IdentityPools []PoolReport `json:"identityPools"`
	Roles         []RoleReport `json:"roles"`
	// Mode is "declared", "strict", or "declared and strict" when pools differ.
	Mode string `json:"mode"`
	// Tables and Buckets count the tables and buckets probed, in the template or outside it.
	Tables  int `json:"tables"`
	Buckets int `json:"buckets"`
	// Requests is the number of authorization requests evaluated.
	Requests int `json:"requests"`
}

func (r *Report) all() []Finding {
	var out []Finding
	for _, p := range r.IdentityPools {
		out = append(out, p.Findings...)
	}
	for _, role := range r.Roles {
		out = append(out, role.Findings...)
	}
	return out
}

func (r *Report) with(v Verdict) []Finding {
	var out []Finding
	for _, f := range r.all() {
		if f.Verdict == v {
			out = append(out, f)
		}
	}
	return out
}

// Violations returns every finding with the verdict violation. An isolated template has none.
func (r *Report) Violations() []Finding { return r.with(VerdictViolation) }

// Warnings returns every finding with the verdict warning.
func (r *Report) Warnings() []Finding { return r.with(VerdictWarning) }

// JSON returns the report as indented JSON.
func (r *Report) JSON() ([]byte, error) { return json.MarshalIndent(r, "", "  ") }

// String returns the report as readable tables, one per role.
func (r *Report) String() string {
	var b bytes.Buffer
	_ = r.WriteText(&b)
	return b.String()
}

// WriteText writes the report as readable tables: per role, every check with its verdict, the
// result and, for what was allowed, the actions and the statements that allowed them.
func (r *Report) WriteText(w io.Writer) error {
	var b bytes.Buffer
	for _, p := range r.IdentityPools {
		fmt.Fprintf(&b, "identity pool %s", p.ID)
		if p.LogicalID != "" {
			fmt.Fprintf(&b, " (%s)", p.LogicalID)
		}
		fmt.Fprintf(&b, ": %s mode\n", p.Mode)
		if len(p.Findings) > 0 {
			writeTable(&b, p.Findings)
		}
	}
	if len(r.IdentityPools) > 0 {
		b.WriteString("\n")
	}
	for i, role := range r.Roles {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "role %s (%s; %s mode)\n  %s\n", role.LogicalID, strings.Join(role.Audiences, ", "), role.Mode, role.ARN)
		writeTable(&b, role.Findings)
	}
	v, wn := len(r.Violations()), len(r.Warnings())
	fmt.Fprintf(&b, "\n%s, %s; %s mode; %d requests evaluated for %s, %s and %s\n",
		plural(v, "violation"), plural(wn, "warning"), r.Mode, r.Requests, plural(len(r.Roles), "role"),
		plural(r.Tables, "table"), plural(r.Buckets, "bucket"))
	_, err := w.Write(b.Bytes())
	return err
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func writeTable(w io.Writer, findings []Finding) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  VERDICT\tCHECK\tRESULT\tDETAIL")
	for _, f := range findings {
		verdict := string(f.Verdict)
		if f.Verdict == VerdictViolation || f.Verdict == VerdictWarning {
			verdict = strings.ToUpper(verdict)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", verdict, f.Check, f.Result, detail(f))
	}
	tw.Flush()
}

func detail(f Finding) string {
	var parts []string
	if len(f.Allowed) > 0 {
		parts = append(parts, shortActions(f.Allowed, 6))
	} else if f.Tried > 1 {
		parts = append(parts, fmt.Sprintf("%d requests tried", f.Tried))
	}
	if len(f.Missing) > 0 {
		parts = append(parts, "missing "+shortActions(f.Missing, 6))
	}
	if f.Verdict == VerdictViolation || f.Verdict == VerdictWarning {
		if f.Reason != "" {
			parts = append(parts, f.Reason)
		}
		if len(f.Statements) > 0 {
			parts = append(parts, "allowed by "+strings.Join(f.Statements, ", "))
		}
	}
	return strings.Join(parts, "; ")
}

func shortActions(actions []string, max int) string {
	names := make([]string, 0, len(actions))
	for _, a := range actions {
		_, n, _ := strings.Cut(a, ":")
		names = append(names, n)
	}
	if len(names) > max {
		return strings.Join(names[:max], " ") + fmt.Sprintf(" +%d more", len(names)-max)
	}
	return strings.Join(names, " ")
}
