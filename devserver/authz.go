package devserver

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/apiless/apiless/iameval"
)

// authzRequest is one authorization question a data-plane request raises (a batch raises one
// per table, a transaction one per item).
type authzRequest struct {
	action, resource string
	ctx              iameval.Context
}

// denial is a denied request, explained.
type denial struct {
	req      authzRequest
	decision iameval.Decision
	message  string // the AWS-style error message
	why      string // the explanation for the log
	keys     map[string][]string
}

// authorize decides every question of a request with the session's role; the first denied one
// denies the request.
func (s *Server) authorize(sess *session, reqs []authzRequest) (*denial, error) {
	for _, q := range reqs {
		res, err := s.be.tpl.Authorize(sess.role, q.action, q.resource, q.ctx)
		if err != nil {
			return nil, err
		}
		if !res.Allowed() {
			d := s.explain(sess, q, res)
			s.logDenial(sess, d)
			return d, nil
		}
	}
	return nil, nil
}

// explain says why a request was denied: the Deny statements that matched, the conditions that
// failed in statements that would have allowed it, or that no statement names the action and
// resource.
func (s *Server) explain(sess *session, q authzRequest, res iameval.Result) *denial {
	d := &denial{req: q, decision: res.Decision, keys: map[string][]string{}}
	principal := "arn:aws:sts::" + s.be.tpl.Env().AccountID + ":assumed-role/" + sess.role.Name + "/CognitoIdentityCredentials"
	var why []string
	if res.Decision == iameval.ExplicitDeny {
		for _, st := range res.Denies {
			why = append(why, "explicit deny by "+st.String())
			for _, c := range st.Conditions {
				d.keys[c.Key] = q.ctx[c.Key]
			}
		}
		d.message = fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %s with an explicit deny in a resource-based or identity-based policy", principal, q.action, q.resource)
	} else {
		rps, _ := s.be.tpl.ResourcePolicies(q.resource)
		req := iameval.Request{Principal: iameval.RolePrincipal(sess.role.ARN), Action: q.action, Resource: q.resource, Context: q.ctx}
		for _, n := range iameval.Explain(req, sess.role.Policies, rps) {
			var fails []string
			for _, c := range n.Failed {
				got, ok := q.ctx[c.Key]
				d.keys[c.Key] = got
				have := "absent"
				if ok {
					have = "[" + strings.Join(got, ", ") + "]"
				}
				fails = append(fails, fmt.Sprintf("%s %s [%s] does not hold (request: %s)", c.Operator, c.Key, strings.Join(substituteAll(c.Values, q.ctx), ", "), have))
			}
			why = append(why, n.Statement.String()+" matches but "+strings.Join(fails, "; "))
		}
		if len(why) == 0 {
			why = append(why, fmt.Sprintf("no statement of role %s allows %s on this resource", sess.role.LogicalID, q.action))
		}
		d.message = fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %s because no identity-based policy allows the %s action", principal, q.action, q.resource, q.action)
	}
	for _, k := range []string{"dynamodb:LeadingKeys", "s3:prefix"} {
		if v, ok := q.ctx[k]; ok {
			d.keys[k] = v
		}
	}
	d.why = strings.Join(why, "; ")
	return d
}

// substituteAll shows policy values with their variables filled in from the request.
func substituteAll(vals []string, ctx iameval.Context) []string {
	out := make([]string, len(vals))
	for i, v := range vals {
		sub, ok, err := iameval.Substitute(v, ctx)
		if err != nil || !ok || sub == v {
			out[i] = v
			continue
		}
		out[i] = v + "=" + sub
	}
	return out
}

func (s *Server) logDenial(sess *session, d *denial) {
	keys := slices.Sorted(maps.Keys(d.keys))
	var kv []string
	for _, k := range keys {
		kv = append(kv, k+"=["+strings.Join(d.keys[k], ", ")+"]")
	}
	s.log.event("denied", map[string]any{
		"identity": sess.identityID, "role": sess.role.LogicalID, "action": d.req.action, "resource": d.req.resource,
		"decision": d.decision.String(), "context": d.keys, "contextText": strings.Join(kv, " "), "why": d.why,
	})
}

// logger writes one line per event, as text or JSON.
type logger struct {
	mu   sync.Mutex
	w    io.Writer
	json bool
}

func (l *logger) event(kind string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.json {
		m := map[string]any{"time": time.Now().UTC().Format(time.RFC3339Nano), "event": kind}
		for k, v := range fields {
			if k != "contextText" {
				m[k] = v
			}
		}
		b, _ := json.Marshal(m)
		fmt.Fprintln(l.w, string(b))
		return
	}
	switch kind {
	case "denied":
		fmt.Fprintf(l.w, "DENIED %s %s on %s (identity %s, role %s, %s): %s\n", fields["decision"], fields["action"], fields["resource"],
			fields["identity"], fields["role"], fields["contextText"], fields["why"])
	case "start":
		fmt.Fprintf(l.w, "apiless dev serving %s: user pool %s, identity pool %s, %d tables, %d buckets\n", fields["url"], fields["userPoolId"], fields["identityPoolId"], fields["tables"], fields["buckets"])
	default:
		keys := slices.Sorted(maps.Keys(fields))
		var parts []string
		for _, k := range keys {
			parts = append(parts, fmt.Sprintf("%s=%v", k, fields[k]))
		}
		fmt.Fprintf(l.w, "%s %s\n", kind, strings.Join(parts, " "))
	}
}
