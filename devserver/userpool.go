package devserver

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
)

var errBadChallenge = errors.New("malformed PASSWORD_VERIFIER challenge")

// user is one account of the emulated user pool.
type user struct {
	username  string // what the user signs in with (email)
	sub       string
	salt, v   *big.Int
	confirmed bool
	code      string
	attrs     map[string]string
	groups    []string
	signedOut time.Time // tokens issued before are revoked (GlobalSignOut)
}

type refreshToken struct {
	sub, clientID string
	originJTI     string
}

// userPool emulates the Cognito user pool of the template.
type userPool struct {
	s        *Server
	mu       sync.Mutex
	users    map[string]*user // by username
	bySub    map[string]*user
	srp      map[string]*srpServer // by session
	refresh  map[string]*refreshToken
	revoked  map[string]bool // origin_jti of revoked refresh tokens
	keyReady chan struct{}
	key      *rsa.PrivateKey
	policy   passwordPolicy
	writable []string // attributes the client may write (empty: all)
}

type passwordPolicy struct {
	minLength                    int
	lower, upper, number, symbol bool
}

func newUserPool(s *Server) *userPool {
	p := &userPool{s: s, users: map[string]*user{}, bySub: map[string]*user{}, srp: map[string]*srpServer{},
		refresh: map[string]*refreshToken{}, revoked: map[string]bool{}, keyReady: make(chan struct{}), policy: passwordPolicy{minLength: 8}}
	go func() {
		p.key, _ = rsa.GenerateKey(rand.Reader, 2048)
		close(p.keyReady)
	}()
	for _, up := range s.be.tpl.ResourcesOfType("AWS::Cognito::UserPool") {
		if pol, ok := up.Properties["Policies"].(map[string]any); ok {
			pp, _ := pol["PasswordPolicy"].(map[string]any)
			fmt.Sscan(fmt.Sprint(pp["MinimumLength"]), &p.policy.minLength)
			p.policy.lower = fmt.Sprint(pp["RequireLowercase"]) == "true"
			p.policy.upper = fmt.Sprint(pp["RequireUppercase"]) == "true"
			p.policy.number = fmt.Sprint(pp["RequireNumbers"]) == "true"
			p.policy.symbol = fmt.Sprint(pp["RequireSymbols"]) == "true"
		}
	}
	for _, c := range s.be.tpl.ResourcesOfType("AWS::Cognito::UserPoolClient") {
		if wa, ok := c.Properties["WriteAttributes"].([]any); ok {
			for _, a := range wa {
				p.writable = append(p.writable, fmt.Sprint(a))
			}
		}
	}
	return p
}

func (p *userPool) poolName() string {
	_, name, _ := strings.Cut(p.s.be.userPoolID, "_")
	return name
}

// issuer is the iss of the pool's tokens: the dev server's URL and the pool ID.
func (p *userPool) issuer() string { return p.s.url + "/" + p.s.be.userPoolID }

func (p *userPool) checkPassword(pw string) error {
	var problems []string
	if len(pw) < p.policy.minLength {
		problems = append(problems, fmt.Sprintf("at least %d characters", p.policy.minLength))
	}
	has := func(f func(rune) bool) bool { return strings.IndexFunc(pw, f) >= 0 }
	if p.policy.lower && !has(unicode.IsLower) {
		problems = append(problems, "a lowercase letter")
	}
	if p.policy.upper && !has(unicode.IsUpper) {
		problems = append(problems, "an uppercase letter")
	}
	if p.policy.number && !has(unicode.IsDigit) {
		problems = append(problems, "a number")
	}
	if p.policy.symbol && !has(func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsSpace(r) }) {
		problems = append(problems, "a symbol")
	}
	if len(problems) > 0 {
		return fmt.Errorf("Password did not conform with policy: it needs %s", strings.Join(problems, ", "))
	}
	return nil
}

type authParams map[string]string

type idpRequest struct {
	ClientId           string
	Username           string
	Password           string
	ConfirmationCode   string
	UserAttributes     []struct{ Name, Value string }
	AuthFlow           string
	AuthParameters     authParams
	ChallengeName      string
	ChallengeResponses authParams
	Session            string
	RefreshToken       string
	Token              string
	AccessToken        string
}

func (p *userPool) serve(w http.ResponseWriter, r *http.Request, op string) {
	var in idpRequest
	if !decodeJSON(w, r, &in) {
		return
	}
	if in.ClientId != "" && !slices.Contains(p.s.be.clients, in.ClientId) {
		jsonError(w, http.StatusBadRequest, "ResourceNotFoundException", "User pool client "+in.ClientId+" does not exist.")
		return
	}
	var out any
	var err error
	switch op {
	case "SignUp":
		out, err = p.signUp(in)
	case "ConfirmSignUp":
		out, err = p.confirm(in)
	case "InitiateAuth":
		out, err = p.initiateAuth(in)
	case "RespondToAuthChallenge":
		out, err = p.respond(in)
	case "GetTokensFromRefreshToken":
		out, err = p.refreshTokens(in.RefreshToken, in.ClientId)
	case "RevokeToken":
		out, err = p.revoke(in)
	case "GlobalSignOut":
		out, err = p.globalSignOut(in)
	case "GetUser":
		out, err = p.getUser(in)
	default:
		err = &awsError{"InvalidParameterException", "apiless dev does not emulate the user pool operation " + op +
			" (emulated: SignUp, ConfirmSignUp, InitiateAuth, RespondToAuthChallenge, GetTokensFromRefreshToken, RevokeToken, GlobalSignOut, GetUser)"}
	}
	if err != nil {
		var ae *awsError
		if errors.As(err, &ae) {
			jsonError(w, http.StatusBadRequest, ae.code, ae.msg)
		} else {
			jsonError(w, http.StatusBadRequest, "InvalidParameterException", err.Error())
		}
		return
	}
	writeJSON(w, out)
}

type awsError struct{ code, msg string }

func (e *awsError) Error() string { return e.code + ": " + e.msg }

func notAuthorized() error {
	return &awsError{"NotAuthorizedException", "Incorrect username or password."}
}

func (p *userPool) signUp(in idpRequest) (any, error) {
	if in.Username == "" {
		return nil, &awsError{"InvalidParameterException", "Username is required"}
	}
	if err := p.checkPassword(in.Password); err != nil {
		return nil, &awsError{"InvalidPasswordException", err.Error()}
	}
	attrs := map[string]string{}
	for _, a := range in.UserAttributes {
		if len(p.writable) > 0 && !slices.Contains(p.writable, a.Name) {
			return nil, &awsError{"NotAuthorizedException", "A client attempted to write unauthorized attribute " + a.Name}
		}
		attrs[a.Name] = a.Value
	}
	if _, ok := attrs["email"]; !ok && strings.Contains(in.Username, "@") {
		attrs["email"] = in.Username
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.users[in.Username]; ok {
		return nil, &awsError{"UsernameExistsException", "An account with the given email already exists."}
	}
	sub := newUUID()
	u := &user{username: in.Username, sub: sub, attrs: attrs, confirmed: p.s.opts.AutoConfirm, code: fmt.Sprintf("%06d", randomInt(4).Int64()%1000000)}
	u.salt, u.v = srpVerifier(p.poolName(), sub, in.Password)
	p.users[in.Username] = u
	p.bySub[sub] = u
	if u.confirmed {
		p.s.log.event("signup", map[string]any{"username": in.Username, "sub": sub, "confirmed": true})
	} else {
		p.s.log.event("signup", map[string]any{"username": in.Username, "sub": sub, "confirmationCode": u.code,
			"message": "no email is sent: confirm with this code"})
	}
	return map[string]any{"UserConfirmed": u.confirmed, "UserSub": sub,
		"CodeDeliveryDetails": map[string]string{"AttributeName": "email", "DeliveryMedium": "EMAIL", "Destination": "apiless dev log"}}, nil
}

func (p *userPool) confirm(in idpRequest) (any, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	u := p.users[in.Username]
	if u == nil {
		return nil, &awsError{"UserNotFoundException", "Username/client id combination not found."}
	}
	if in.ConfirmationCode != u.code {
		return nil, &awsError{"CodeMismatchException", "Invalid verification code provided, please try again."}
	}
	u.confirmed = true
	return map[string]any{}, nil
}

func (p *userPool) initiateAuth(in idpRequest) (any, error) {
	switch in.AuthFlow {
	case "USER_SRP_AUTH":
	case "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN":
		return p.refreshTokens(in.AuthParameters["REFRESH_TOKEN"], in.ClientId)
	default:
		return nil, &awsError{"InvalidParameterException", "Auth flow " + in.AuthFlow + " is not enabled for the client (apiless dev emulates USER_SRP_AUTH and REFRESH_TOKEN_AUTH)"}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	u := p.users[in.AuthParameters["USERNAME"]]
	if u == nil {
		return nil, notAuthorized()
	}
	if !u.confirmed {
		return nil, &awsError{"UserNotConfirmedException", "User is not confirmed."}
	}
	A, ok := new(big.Int).SetString(in.AuthParameters["SRP_A"], 16)
	if !ok {
		return nil, &awsError{"InvalidParameterException", "SRP_A is not a hex number"}
	}
	st := newSRPServer(u.salt, u.v)
	st.A = A
	session := newUUID()
	p.srp[session] = st
	p.srp[u.sub] = st // Amplify may answer without the session; the user ID finds it
	return map[string]any{"ChallengeName": "PASSWORD_VERIFIER", "Session": session, "ChallengeParameters": map[string]string{
		"SALT": st.salt.Text(16), "SRP_B": st.B.Text(16), "SECRET_BLOCK": base64.StdEncoding.EncodeToString(st.secretBlock),
		"USER_ID_FOR_SRP": u.sub, "USERNAME": u.sub}}, nil
}

func (p *userPool) respond(in idpRequest) (any, error) {
	if in.ChallengeName != "PASSWORD_VERIFIER" {
		return nil, &awsError{"InvalidParameterException", "apiless dev emulates only the PASSWORD_VERIFIER challenge, not " + in.ChallengeName}
	}
	r := in.ChallengeResponses
	p.mu.Lock()
	u := p.bySub[r["USERNAME"]]
	if u == nil {
		u = p.users[r["USERNAME"]]
	}
	var st *srpServer
	if u != nil {
		st = p.srp[u.sub]
		delete(p.srp, u.sub)
	}
	delete(p.srp, in.Session)
	p.mu.Unlock()
	if u == nil || st == nil {
		return nil, notAuthorized()
	}
	want, ok := st.expectedSignature(st.A, p.poolName(), u.sub, r["TIMESTAMP"])
	if !ok || want != r["PASSWORD_CLAIM_SIGNATURE"] || r["PASSWORD_CLAIM_SECRET_BLOCK"] != base64.StdEncoding.EncodeToString(st.secretBlock) {
		return nil, notAuthorized()
	}
	res, err := p.issue(u, in.ClientId, true, "")
	if err != nil {
		return nil, err
	}
	return map[string]any{"ChallengeParameters": map[string]string{}, "AuthenticationResult": res}, nil
}

func (p *userPool) refreshTokens(token, clientID string) (any, error) {
	p.mu.Lock()
	rt := p.refresh[token]
	var u *user
	if rt != nil {
		u = p.bySub[rt.sub]
	}
	p.mu.Unlock()
	if rt == nil || u == nil || p.revoked[rt.originJTI] || (clientID != "" && rt.clientID != clientID) {
		return nil, &awsError{"NotAuthorizedException", "Invalid Refresh Token"}
	}
	res, err := p.issue(u, rt.clientID, false, rt.originJTI)
	if err != nil {
		return nil, err
	}
	return map[string]any{"AuthenticationResult": res}, nil
}

func (p *userPool) revoke(in idpRequest) (any, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	rt := p.refresh[in.Token]
	if rt == nil {
		return nil, &awsError{"UnsupportedTokenTypeException", "the token is not a refresh token of this pool"}
	}
	p.revoked[rt.originJTI] = true
	delete(p.refresh, in.Token)
	return map[string]any{}, nil
}

func (p *userPool) globalSignOut(in idpRequest) (any, error) {
	claims, err := p.verify(in.AccessToken, "access")
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	u := p.bySub[claims.str("sub")]
	if u == nil {
		return nil, notAuthorized()
	}
	u.signedOut = p.s.now()
	for tok, rt := range p.refresh {
		if rt.sub == u.sub {
			p.revoked[rt.originJTI] = true
			delete(p.refresh, tok)
		}
	}
	return map[string]any{}, nil
}

func (p *userPool) getUser(in idpRequest) (any, error) {
	claims, err := p.verify(in.AccessToken, "access")
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	u := p.bySub[claims.str("sub")]
	if u == nil {
		return nil, notAuthorized()
	}
	var attrs []map[string]string
	for k, v := range u.attrs {
		attrs = append(attrs, map[string]string{"Name": k, "Value": v})
	}
	attrs = append(attrs, map[string]string{"Name": "sub", "Value": u.sub})
	return map[string]any{"Username": u.sub, "UserAttributes": attrs}, nil
}

// issue signs an ID and an access token (and a refresh token on sign-in) for the user.
func (p *userPool) issue(u *user, clientID string, withRefresh bool, originJTI string) (map[string]any, error) {
	now := p.s.now()
	if originJTI == "" {
		originJTI = newUUID()
	}
	if clientID == "" && len(p.s.be.clients) > 0 {
		clientID = p.s.be.clients[0]
	}
	base := map[string]any{"sub": u.sub, "iss": p.issuer(), "auth_time": now.Unix(), "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "origin_jti": originJTI}
	groups := p.groupsOf(u)
	id := clone2(base)
	id["aud"], id["token_use"], id["jti"], id["cognito:username"] = clientID, "id", newUUID(), u.sub
	for k, v := range u.attrs {
		id[k] = v
	}
	if _, ok := u.attrs["email"]; ok {
		id["email_verified"] = true
	}
	if len(groups) > 0 {
		names, roles := []string{}, []string{}
		for _, g := range groups {
			names = append(names, g.name)
			if g.roleARN != "" {
				roles = append(roles, g.roleARN)
			}
		}
		id["cognito:groups"] = names
		if len(roles) > 0 {
			id["cognito:roles"] = roles
			id["cognito:preferred_role"] = roles[0]
		}
	}
	access := clone2(base)
	access["client_id"], access["token_use"], access["jti"], access["username"], access["scope"] = clientID, "access", newUUID(), u.sub, "aws.cognito.signin.user.admin"
	if len(groups) > 0 {
		access["cognito:groups"] = id["cognito:groups"]
	}
	idTok, err := p.sign(id)
	if err != nil {
		return nil, err
	}
	accTok, err := p.sign(access)
	if err != nil {
		return nil, err
	}
	res := map[string]any{"IdToken": idTok, "AccessToken": accTok, "ExpiresIn": 3600, "TokenType": "Bearer"}
	if withRefresh {
		b := make([]byte, 48)
		_, _ = rand.Read(b)
		rt := base64.RawURLEncoding.EncodeToString(b)
		p.mu.Lock()
		p.refresh[rt] = &refreshToken{sub: u.sub, clientID: clientID, originJTI: originJTI}
		p.mu.Unlock()
		res["RefreshToken"] = rt
	}
	return res, nil
}

// groupsOf lists the user's groups by precedence (lowest first), as cognito:groups orders them.
func (p *userPool) groupsOf(u *user) []group {
	var out []group
	for _, n := range u.groups {
		if g, ok := p.s.be.groups[n]; ok {
			out = append(out, g)
		}
	}
	slices.SortStableFunc(out, func(a, b group) int { return a.precedence - b.precedence })
	return out
}

func clone2(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+8)
	for k, v := range m {
		out[k] = v
	}
	return out
}

const keyID = "apiless-dev-1"

func (p *userPool) sign(claims map[string]any) (string, error) {
	<-p.keyReady
	if p.key == nil {
		return "", errors.New("no signing key")
	}
	h, _ := json.Marshal(map[string]string{"alg": "RS256", "kid": keyID, "typ": "JWT"})
	c, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	in := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
	sum := sha256.Sum256([]byte(in))
	sig, err := rsa.SignPKCS1v15(rand.Reader, p.key, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return in + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

type claims map[string]any

func (c claims) str(k string) string { s, _ := c[k].(string); return s }

// verify checks a token's signature, issuer, expiry and use, and that it is not revoked.
func (p *userPool) verify(tok, use string) (claims, error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil, &awsError{"NotAuthorizedException", "Invalid login token. Not a valid OpenId Connect identity token."}
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, &awsError{"NotAuthorizedException", "Invalid login token. Malformed signature."}
	}
	<-p.keyReady
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(&p.key.PublicKey, crypto.SHA256, sum[:], sig) != nil {
		return nil, &awsError{"NotAuthorizedException", "Invalid login token. The token's signature does not verify with the key of this dev server's user pool (a token of another pool or server?)"}
	}
	raw, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var c claims
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	if err := dec.Decode(&c); err != nil {
		return nil, &awsError{"NotAuthorizedException", "Invalid login token. Malformed claims."}
	}
	if c.str("iss") != p.issuer() {
		return nil, &awsError{"NotAuthorizedException", "Invalid login token. Issuer " + c.str("iss") + " is not this user pool (" + p.issuer() + ")"}
	}
	if c.str("token_use") != use {
		return nil, &awsError{"NotAuthorizedException", "Invalid login token. Not an " + use + " token."}
	}
	exp, _ := c["exp"].(json.Number).Int64()
	if p.s.now().Unix() >= exp {
		return nil, &awsError{"NotAuthorizedException", "Invalid login token. Token expired: " + time.Unix(exp, 0).UTC().Format(time.RFC3339)}
	}
	iat, _ := c["iat"].(json.Number).Int64()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.revoked[c.str("origin_jti")] {
		return nil, &awsError{"NotAuthorizedException", "Token has been revoked"}
	}
	if u := p.bySub[c.str("sub")]; u != nil && !u.signedOut.IsZero() && iat <= u.signedOut.Unix() {
		return nil, &awsError{"NotAuthorizedException", "Access Token has been revoked"}
	}
	return c, nil
}

func (p *userPool) serveJWKS(w http.ResponseWriter, r *http.Request) {
	<-p.keyReady
	pub := p.key.PublicKey
	allowAnyOrigin(w, r)
	writeJSON(w, map[string]any{"keys": []map[string]string{{"kty": "RSA", "alg": "RS256", "use": "sig", "kid": keyID,
		"n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()), "e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes())}}})
}

func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
