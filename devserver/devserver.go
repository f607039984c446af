// Package devserver is a local backend for frontends built on apiless: from a synthesized
// CloudFormation template it serves, on 127.0.0.1, the Cognito user pool and identity pool, and
// DynamoDB and S3 data planes for the template's tables and buckets that enforce the template's
// own IAM policies.
//
// Every DynamoDB and S3 request must carry a SigV4 signature made with credentials the server
// issued from its identity pool; it is then authorized by [iameval] against the policies of the
// role those credentials belong to, with the request context AWS would supply
// (dynamodb:LeadingKeys from every key of the request, dynamodb:Attributes, dynamodb:Select,
// dynamodb:ReturnValues, s3:prefix, s3:delimiter, principal tags, aws:SecureTransport, the
// identity variables). A denied request gets AWS's error and one log line that says why; an
// allowed one is served by minidyn (DynamoDB) or gofakes3 (S3).
//
// Start one with [Start]; tests use [StartTest] and [Server.NewUser].
package devserver

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/apiless/apiless/iameval"
)

// Options configure a dev server.
type Options struct {
	// Template is the synthesized CloudFormation template (JSON). Required.
	Template []byte
	// Addr is the listen address. Default: 127.0.0.1:0 (a free port). Only loopback addresses
	// are accepted.
	Addr string
	// TLS serves HTTPS with a self-signed certificate for 127.0.0.1 and localhost (see
	// [Server.CertPool]). Over plain HTTP aws:SecureTransport is false, so policies that require
	// TLS deny the requests, as AWS would. Default: plain HTTP.
	TLS bool
	// DataDir keeps items and objects across restarts. Default: in memory only.
	DataDir string
	// AutoConfirm confirms new users at sign-up. Default: the confirmation code is logged and
	// ConfirmSignUp must be called.
	AutoConfirm bool
	// Log receives one line per event (start, sign-up code, denied request). Default: discarded.
	Log io.Writer
	// JSON writes log lines as JSON objects. Default: text.
	JSON bool
	// CredentialLifetime is how long issued credentials last. Default: one hour, as Cognito.
	CredentialLifetime time.Duration
	// Now is the clock. Default: time.Now.
	Now func() time.Time
}

// Server is a running dev server.
type Server struct {
	opts     Options
	be       *backend
	ln       net.Listener
	http     *http.Server
	url      string
	certPool *x509.CertPool
	log      *logger

	mu       sync.Mutex
	sessions map[string]*session // by access key ID

	pool     *userPool
	identity *identityPool
	dynamo   *dynamoPlane
	s3       *s3Plane
	done     chan struct{}
}

// session is a set of temporary credentials the identity pool issued.
type session struct {
	accessKey, secret, token string
	expires                  time.Time
	identityID               string
	role                     *iameval.Role
	guest                    bool
	amr                      []string
	tags                     map[string]string
}

// Start reads the template and serves it until Close. It fails, naming the problem, when the
// template has no identity pool with roles, when a role's policies cannot be evaluated offline,
// or when the address is in use.
func Start(opts Options) (*Server, error) {
	if len(opts.Template) == 0 {
		return nil, errors.New("devserver: no template given")
	}
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if opts.CredentialLifetime == 0 {
		opts.CredentialLifetime = time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	if err := loopbackOnly(opts.Addr); err != nil {
		return nil, err
	}
	tpl, err := iameval.ParseTemplate(opts.Template, iameval.Env{})
	if err != nil {
		return nil, fmt.Errorf("devserver: %w", err)
	}
	be, err := readBackend(tpl)
	if err != nil {
		return nil, fmt.Errorf("devserver: the template cannot be served:\n%w", err)
	}
	s := &Server{opts: opts, be: be, sessions: map[string]*session{}, log: &logger{w: opts.Log, json: opts.JSON}, done: make(chan struct{})}
	if s.dynamo, err = newDynamoPlane(s); err != nil {
		return nil, err
	}
	if s.s3, err = newS3Plane(s); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		s.s3.close()
		return nil, fmt.Errorf("devserver: cannot listen on %s: %w", opts.Addr, err)
	}
	scheme := "http"
	if opts.TLS {
		cfg, pool, err := selfSignedTLS()
		if err != nil {
			ln.Close()
			return nil, err
		}
		s.certPool = pool
		ln = tls.NewListener(ln, cfg)
		scheme = "https"
	}
	s.ln = ln
	s.url = scheme + "://" + ln.Addr().String()
	s.pool = newUserPool(s)
	s.identity = &identityPool{s: s, bySub: map[string]string{}, guests: map[string]bool{}}
	if err := s.loadState(); err != nil {
		ln.Close()
		s.s3.close()
		return nil, err
	}
	s.http = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, ErrorLog: nil}
	go func() {
		defer close(s.done)
		_ = s.http.Serve(ln)
	}()
	s.log.event("start", map[string]any{"url": s.url, "userPoolId": be.userPoolID, "identityPoolId": be.identityPoolID,
		"tables": len(be.tables), "buckets": len(be.buckets)})
	if !opts.TLS && s.s3.sslEnforced() {
		s.log.event("warning", map[string]any{"message": "the template's policies decide on aws:SecureTransport: over plain HTTP their requests are denied, as AWS would deny them; use TLS (apiless dev --tls)"})
	}
	return s, nil
}

func loopbackOnly(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("devserver: address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("devserver: address %q: only loopback addresses (127.0.0.1, ::1, localhost) are served", addr)
	}
	return nil
}

// URL is the server's base URL (http://127.0.0.1:PORT), the endpoint of every emulated service.
func (s *Server) URL() string { return s.url }

// CertPool holds the self-signed certificate of a TLS server; nil without TLS.
func (s *Server) CertPool() *x509.CertPool { return s.certPool }

// HTTPClient is an HTTP client that trusts the server's certificate.
func (s *Server) HTTPClient() *http.Client {
	if s.certPool == nil {
		return &http.Client{Timeout: 30 * time.Second}
	}
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.certPool}}}
}

// Region is the region of the emulated resources.
func (s *Server) Region() string { return s.be.region }

// UserPoolID, UserPoolClientID and IdentityPoolID are the template's IDs as the server serves them.
func (s *Server) UserPoolID() string { return s.be.userPoolID }

// UserPoolClientID is the first app client of the user pool.
func (s *Server) UserPoolClientID() string {
	if len(s.be.clients) == 0 {
		return ""
	}
	return s.be.clients[0]
}

// IdentityPoolID is the identity pool's ID (region:guid).
func (s *Server) IdentityPoolID() string { return s.be.identityPoolID }

// TableName returns the physical name of the table with the given logical ID (or a prefix of
// it, e.g. "AccessItems" for AccessItemsD3D6BB4A).
func (s *Server) TableName(logicalID string) string {
	for _, t := range s.be.tables {
		if t.logicalID == logicalID || strings.HasPrefix(t.logicalID, logicalID) {
			return t.name
		}
	}
	return ""
}

// BucketName returns the physical name of the bucket with the given logical ID or prefix.
func (s *Server) BucketName(logicalID string) string {
	for _, b := range s.be.buckets {
		if b.logicalID == logicalID || strings.HasPrefix(b.logicalID, logicalID) {
			return b.name
		}
	}
	return ""
}

// Close stops the server and, with a data directory, saves the items.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.http.Shutdown(ctx)
	<-s.done
	return errors.Join(err, s.dynamo.save(), s.saveState(), s.s3.close())
}

func (s *Server) now() time.Time { return s.opts.Now() }

// ServeHTTP routes a request to the emulated service it is meant for: by X-Amz-Target for the
// JSON protocols (Cognito, DynamoDB), else S3 (path-style).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			s.log.event("error", map[string]any{"message": fmt.Sprint(v), "path": r.URL.Path})
			jsonError(w, http.StatusInternalServerError, "InternalFailure", "apiless dev: internal error")
		}
	}()
	target := r.Header.Get("X-Amz-Target")
	if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" && !s.s3.isBucketPath(r.URL.Path) {
		preflightAny(w, r)
		return
	}
	switch {
	case strings.HasPrefix(target, "AWSCognitoIdentityProviderService."):
		allowAnyOrigin(w, r)
		s.pool.serve(w, r, strings.TrimPrefix(target, "AWSCognitoIdentityProviderService."))
	case strings.HasPrefix(target, "AWSCognitoIdentityService."):
		allowAnyOrigin(w, r)
		s.identity.serve(w, r, strings.TrimPrefix(target, "AWSCognitoIdentityService."))
	case strings.HasPrefix(target, "DynamoDB_20120810."):
		allowAnyOrigin(w, r)
		s.dynamo.serve(w, r, strings.TrimPrefix(target, "DynamoDB_20120810."))
	case target != "":
		allowAnyOrigin(w, r)
		jsonError(w, http.StatusBadRequest, "UnknownOperationException", "apiless dev does not emulate "+target+" (only Cognito user and identity pools, DynamoDB and S3)")
	case strings.HasSuffix(r.URL.Path, "/.well-known/jwks.json"):
		s.pool.serveJWKS(w, r)
	default:
		s.s3.serve(w, r)
	}
}

// allowAnyOrigin answers CORS for the Cognito and DynamoDB endpoints, which AWS serves to any origin.
func allowAnyOrigin(w http.ResponseWriter, r *http.Request) {
	if o := r.Header.Get("Origin"); o != "" {
		w.Header().Set("Access-Control-Allow-Origin", o)
		w.Header().Set("Access-Control-Expose-Headers", "x-amzn-RequestId, x-amzn-ErrorType, x-amzn-ErrorMessage, Date, x-amz-crc32")
		w.Header().Set("Vary", "Origin")
	}
}

func preflightAny(w http.ResponseWriter, r *http.Request) {
	allowAnyOrigin(w, r)
	w.Header().Set("Access-Control-Allow-Methods", "GET, PUT, POST, DELETE, HEAD")
	w.Header().Set("Access-Control-Allow-Headers", r.Header.Get("Access-Control-Request-Headers"))
	w.Header().Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusOK)
}

// jsonError writes an error in the AWS JSON protocols' shape.
func jsonError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", code)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": msg})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(v)
}

// decodeJSON reads a JSON request body; a malformed body is a SerializationException.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(v); err != nil {
		jsonError(w, http.StatusBadRequest, "SerializationException", "malformed request body: "+err.Error())
		return false
	}
	return true
}

// lookupSession verifies the request's SigV4 signature against the credentials it names and
// returns their session and the request body.
func (s *Server) lookupSession(r *http.Request) (*session, []byte, error) {
	a, err := parseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		return nil, nil, err
	}
	s.mu.Lock()
	sess := s.sessions[a.accessKey]
	s.mu.Unlock()
	if sess == nil {
		return nil, nil, &sigError{"UnrecognizedClientException", "The security token included in the request is invalid (access key " + a.accessKey + " was not issued by this apiless dev server)"}
	}
	body, err := verifySignature(r, sess, a, s.now())
	if err != nil {
		return nil, nil, err
	}
	return sess, body, nil
}

// requestContext is what AWS supplies with every request of a session.
func (s *Server) requestContext(sess *session, r *http.Request) iameval.Context {
	ctx := iameval.Context{
		"cognito-identity.amazonaws.com:sub": {sess.identityID},
		"cognito-identity.amazonaws.com:aud": {s.be.identityPoolID},
		"cognito-identity.amazonaws.com:amr": sess.amr,
		"aws:SecureTransport":                {fmt.Sprint(r.TLS != nil)},
		"aws:PrincipalArn":                   {sess.role.ARN},
		"aws:PrincipalAccount":               {s.be.tpl.Env().AccountID},
		"aws:PrincipalType":                  {"AssumedRole"},
		"aws:userid":                         {"AROAAPILESSDEV:CognitoIdentityCredentials"},
		"aws:CurrentTime":                    {s.now().UTC().Format(time.RFC3339)},
		"aws:EpochTime":                      {fmt.Sprint(s.now().Unix())},
		"aws:SourceIp":                       {"127.0.0.1"},
	}
	if r.TLS != nil {
		ctx["s3:TlsVersion"] = []string{tlsVersion(r.TLS.Version)}
	}
	for k, v := range sess.tags {
		ctx["aws:PrincipalTag/"+k] = []string{v}
	}
	return ctx
}

func tlsVersion(v uint16) string {
	switch v {
	case tls.VersionTLS13:
		return "1.3"
	case tls.VersionTLS12:
		return "1.2"
	}
	return "1.0"
}

// dataPath is a file in the data directory, or "" without one.
func (s *Server) dataPath(name string) string {
	if s.opts.DataDir == "" {
		return ""
	}
	_ = os.MkdirAll(s.opts.DataDir, 0o755)
	return s.opts.DataDir + string(os.PathSeparator) + name
}
