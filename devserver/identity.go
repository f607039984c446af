package devserver

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/apiless/apiless/iameval"
)

// identityPool emulates the Cognito identity pool (enhanced flow): GetId and
// GetCredentialsForIdentity.
type identityPool struct {
	s      *Server
	mu     sync.Mutex
	bySub  map[string]string // user pool sub -> identity ID
	guests map[string]bool   // guest identity IDs
}

type identityRequest struct {
	IdentityPoolId string
	IdentityId     string
	Logins         map[string]string
	CustomRoleArn  string
}

func (ip *identityPool) serve(w http.ResponseWriter, r *http.Request, op string) {
	var in identityRequest
	if !decodeJSON(w, r, &in) {
		return
	}
	var out any
	var err error
	switch op {
	case "GetId":
		out, err = ip.getID(in)
	case "GetCredentialsForIdentity":
		out, err = ip.credentials(in)
	default:
		err = &awsError{"InvalidParameterException", "apiless dev does not emulate the identity pool operation " + op + " (emulated: GetId, GetCredentialsForIdentity; the classic flow is off)"}
	}
	if err != nil {
		ae, ok := err.(*awsError)
		if !ok {
			ae = &awsError{"InvalidParameterException", err.Error()}
		}
		jsonError(w, http.StatusBadRequest, ae.code, ae.msg)
		return
	}
	writeJSON(w, out)
}

// login verifies the ID token of the Logins map; nil claims means no login (a guest).
func (ip *identityPool) login(logins map[string]string) (claims, error) {
	if len(logins) == 0 {
		return nil, nil
	}
	be := ip.s.be
	if len(logins) > 1 {
		return nil, &awsError{"NotAuthorizedException", "apiless dev emulates one login provider, the template's user pool"}
	}
	for provider, tok := range logins {
		hostForm := strings.TrimPrefix(strings.TrimPrefix(ip.s.pool.issuer(), "https://"), "http://")
		if provider != be.providerName() && provider != hostForm {
			return nil, &awsError{"NotAuthorizedException", fmt.Sprintf("Invalid login token. Logins key %q is not a provider of this identity pool (%s or %s)", provider, be.providerName(), hostForm)}
		}
		c, err := ip.s.pool.verify(tok, "id")
		if err != nil {
			return nil, err
		}
		if !be.clientAllowed(c.str("aud")) {
			return nil, &awsError{"NotAuthorizedException", "Invalid login token. Incorrect token audience: client " + c.str("aud") + " is not a provider of identity pool " + be.identityPoolID}
		}
		return c, nil
	}
	return nil, nil
}

func (ip *identityPool) checkPool(id string) error {
	if id != ip.s.be.identityPoolID {
		return &awsError{"ResourceNotFoundException", "IdentityPool '" + id + "' not found (this dev server serves " + ip.s.be.identityPoolID + ")"}
	}
	return nil
}

func (ip *identityPool) getID(in identityRequest) (any, error) {
	if err := ip.checkPool(in.IdentityPoolId); err != nil {
		return nil, err
	}
	c, err := ip.login(in.Logins)
	if err != nil {
		return nil, err
	}
	ip.mu.Lock()
	defer ip.mu.Unlock()
	if c == nil {
		if !ip.s.be.allowGuests {
			return nil, &awsError{"NotAuthorizedException", "Unauthenticated access is not supported for this identity pool."}
		}
		id := ip.s.be.region + ":" + newUUID()
		ip.guests[id] = true
		return map[string]string{"IdentityId": id}, nil
	}
	id, ok := ip.bySub[c.str("sub")]
	if !ok {
		id = ip.s.be.region + ":" + newUUID()
		ip.bySub[c.str("sub")] = id
	}
	return map[string]string{"IdentityId": id}, nil
}

func (ip *identityPool) credentials(in identityRequest) (any, error) {
	c, err := ip.login(in.Logins)
	if err != nil {
		return nil, err
	}
	ip.mu.Lock()
	owner, known := "", false
	for sub, id := range ip.bySub {
		if id == in.IdentityId {
			owner, known = sub, true
		}
	}
	guest := ip.guests[in.IdentityId]
	ip.mu.Unlock()
	switch {
	case !known && !guest:
		return nil, &awsError{"ResourceNotFoundException", "Identity '" + in.IdentityId + "' not found."}
	case c == nil && !guest:
		return nil, &awsError{"NotAuthorizedException", "Logins are required for an authenticated identity"}
	case c != nil && owner != c.str("sub"):
		return nil, &awsError{"NotAuthorizedException", "Invalid login token. The token belongs to another identity."}
	}
	role, err := ip.chooseRole(c, in.CustomRoleArn)
	if err != nil {
		return nil, err
	}
	sess := &session{identityID: in.IdentityId, role: role, guest: c == nil, tags: map[string]string{}}
	be := ip.s.be
	if c == nil {
		sess.amr = []string{"unauthenticated"}
	} else {
		sess.amr = []string{"authenticated", be.providerName(), be.providerName() + ":CognitoSignIn:" + c.str("sub")}
		for tag, claim := range be.principalTags {
			if v := c.str(claim); v != "" {
				sess.tags[tag] = v
			}
		}
	}
	if err := ip.trust(sess); err != nil {
		return nil, err
	}
	sess.accessKey = "ASIA" + strings.ToUpper(randHex(8))
	sess.secret = randB64(30)
	sess.token = "apiless-dev/" + randB64(60)
	sess.expires = ip.s.now().Add(ip.s.opts.CredentialLifetime)
	ip.s.mu.Lock()
	ip.s.sessions[sess.accessKey] = sess
	ip.s.mu.Unlock()
	return map[string]any{"IdentityId": in.IdentityId, "Credentials": map[string]any{
		"AccessKeyId": sess.accessKey, "SecretKey": sess.secret, "SessionToken": sess.token, "Expiration": sess.expires.Unix()}}, nil
}

// chooseRole picks the role as the template's role attachment says: the guest role, a role
// from the token (cognito:preferred_role, or CustomRoleArn among cognito:roles) or from the
// mapping rules, else the authenticated role (or a deny, as AmbiguousRoleResolution says).
func (ip *identityPool) chooseRole(c claims, custom string) (*iameval.Role, error) {
	be := ip.s.be
	if c == nil {
		if be.guestRole == nil {
			return nil, &awsError{"NotAuthorizedException", "Unauthenticated access is not supported for this identity pool (no unauthenticated role)."}
		}
		return be.guestRole, nil
	}
	fallback := func() (*iameval.Role, error) {
		if be.mapping != nil && be.mapping.ambiguous == "Deny" {
			return nil, &awsError{"NotAuthorizedException", "No role mapping matched and AmbiguousRoleResolution is Deny"}
		}
		if be.authRole == nil {
			return nil, &awsError{"InvalidIdentityPoolConfigurationException", "the identity pool has no authenticated role"}
		}
		return be.authRole, nil
	}
	if be.mapping == nil {
		return fallback()
	}
	switch be.mapping.typ {
	case "Token":
		var roles []string
		if list, ok := c["cognito:roles"].([]any); ok {
			for _, r := range list {
				roles = append(roles, fmt.Sprint(r))
			}
		}
		arn := c.str("cognito:preferred_role")
		if custom != "" {
			if !slices.Contains(roles, custom) {
				return nil, &awsError{"NotAuthorizedException", "CustomRoleArn " + custom + " is not among the token's cognito:roles"}
			}
			arn = custom
		}
		if arn == "" {
			return fallback()
		}
		if r := be.roles[arn]; r != nil {
			return r, nil
		}
		return nil, &awsError{"InvalidIdentityPoolConfigurationException", "role " + arn + " of the token is not in the template"}
	case "Rules":
		for _, rule := range be.mapping.rules {
			v := c.str(rule.claim)
			ok := false
			switch rule.matchType {
			case "Equals":
				ok = v == rule.value
			case "Contains":
				ok = strings.Contains(v, rule.value)
			case "StartsWith":
				ok = strings.HasPrefix(v, rule.value)
			case "NotEqual":
				ok = v != rule.value
			}
			if ok {
				return be.roles[rule.roleARN], nil
			}
		}
	}
	return fallback()
}

// trust asks the chosen role's trust policy, as STS would, whether the identity may assume it
// (sts:AssumeRoleWithWebIdentity, and sts:TagSession when principal tags are set).
func (ip *identityPool) trust(sess *session) error {
	ctx := iameval.Context{
		"cognito-identity.amazonaws.com:aud": {ip.s.be.identityPoolID},
		"cognito-identity.amazonaws.com:amr": sess.amr,
		"cognito-identity.amazonaws.com:sub": {sess.identityID},
	}
	for k, v := range sess.tags {
		ctx["aws:RequestTag/"+k] = []string{v}
	}
	if len(sess.tags) > 0 {
		keys := make([]string, 0, len(sess.tags))
		for k := range sess.tags {
			keys = append(keys, k)
		}
		ctx["aws:TagKeys"] = keys
	}
	actions := []string{"sts:AssumeRoleWithWebIdentity"}
	if len(sess.tags) > 0 {
		actions = append(actions, "sts:TagSession")
	}
	p := iameval.Principal{Type: "Federated", ID: "cognito-identity.amazonaws.com"}
	for _, a := range actions {
		if res := iameval.AssumeRole(sess.role, p, a, ctx); !res.Allowed() {
			ip.s.log.event("denied", map[string]any{"identity": sess.identityID, "role": sess.role.LogicalID, "action": a, "resource": sess.role.ARN,
				"decision": res.Decision.String(), "context": ctx, "contextText": fmt.Sprintf("amr=%v aud=%s", sess.amr, ip.s.be.identityPoolID),
				"why": "the role's trust policy does not let this identity assume it"})
			return &awsError{"InvalidIdentityPoolConfigurationException", fmt.Sprintf("Invalid identity pool configuration. Check assigned IAM roles for this pool: the trust policy of %s denies %s for this identity (amr %v)", sess.role.LogicalID, a, sess.amr)}
		}
	}
	return nil
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func randB64(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}
