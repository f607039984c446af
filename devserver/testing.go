package devserver

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// StartTest starts a TLS dev server on the template file (or JSON) for a test, with users
// confirmed at sign-up, and stops it when the test ends.
func StartTest(t testing.TB, template []byte) *Server {
	t.Helper()
	s, err := Start(Options{Template: template, TLS: true, AutoConfirm: true, Log: testLog{t}})
	if err != nil {
		t.Fatalf("devserver: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// StartTestFile is StartTest on a template file.
func StartTestFile(t testing.TB, path string) *Server {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("devserver: %v", err)
	}
	return StartTest(t, b)
}

type testLog struct{ t testing.TB }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(string(p[:len(p)-1]))
	return len(p), nil
}

// AddUserToGroup puts a user into a group of the template's user pool (what
// AdminAddUserToGroup does); it applies to tokens issued afterwards.
func (s *Server) AddUserToGroup(username, groupName string) error {
	if _, ok := s.be.groups[groupName]; !ok {
		return fmt.Errorf("devserver: the user pool has no group %q", groupName)
	}
	s.pool.mu.Lock()
	defer s.pool.mu.Unlock()
	u := s.pool.users[username]
	if u == nil {
		return fmt.Errorf("devserver: no user %q", username)
	}
	u.groups = append(u.groups, groupName)
	return nil
}

// SetUserAttribute sets an attribute as an administrator would (AdminUpdateUserAttributes),
// e.g. custom:tenant, which app clients cannot write; it applies to tokens issued afterwards.
func (s *Server) SetUserAttribute(username, name, value string) error {
	s.pool.mu.Lock()
	defer s.pool.mu.Unlock()
	u := s.pool.users[username]
	if u == nil {
		return fmt.Errorf("devserver: no user %q", username)
	}
	u.attrs[name] = value
	return nil
}

// AWSConfig is an AWS SDK configuration that sends every call to the dev server, with the given
// credentials (nil: anonymous, for Cognito).
func (s *Server) AWSConfig(creds aws.CredentialsProvider) aws.Config {
	cfg := aws.Config{Region: s.Region(), HTTPClient: s.HTTPClient(), BaseEndpoint: aws.String(s.URL()), Credentials: creds}
	if creds == nil {
		cfg.Credentials = aws.AnonymousCredentials{}
	}
	return cfg
}

// User is a signed-in user of the dev server's user pool with identity-pool credentials.
type User struct {
	Username   string
	IdentityID string
	IDToken    string
	// RefreshToken signs in again without the password.
	RefreshToken string
	Credentials  aws.Credentials
	s            *Server
}

// NewUser signs up (auto-confirmed with StartTest), signs in with SRP and gets credentials
// from the identity pool, all through the real AWS SDK clients, and fails the test on error.
func (s *Server) NewUser(t testing.TB, username, password string) *User {
	t.Helper()
	u, err := s.SignUp(context.Background(), username, password)
	if err != nil {
		t.Fatalf("devserver: %v", err)
	}
	return u
}

// SignUp signs a user up, confirms them (with the logged code unless AutoConfirm), signs in
// and gets identity-pool credentials, through the real AWS SDK clients.
func (s *Server) SignUp(ctx context.Context, username, password string) (*User, error) {
	idp := cip.NewFromConfig(s.AWSConfig(nil))
	out, err := idp.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(s.UserPoolClientID()), Username: aws.String(username), Password: aws.String(password),
		UserAttributes: []ciptypes.AttributeType{{Name: aws.String("email"), Value: aws.String(username)}}})
	if err != nil {
		return nil, fmt.Errorf("SignUp %s: %w", username, err)
	}
	if !out.UserConfirmed {
		s.pool.mu.Lock()
		code := s.pool.users[username].code
		s.pool.mu.Unlock()
		if _, err := idp.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(s.UserPoolClientID()), Username: aws.String(username), ConfirmationCode: aws.String(code)}); err != nil {
			return nil, fmt.Errorf("ConfirmSignUp %s: %w", username, err)
		}
	}
	u, err := s.SignIn(ctx, username, password)
	if err != nil {
		return nil, fmt.Errorf("sign in %s: %w", username, err)
	}
	return u, nil
}

// SignIn signs a user in (USER_SRP_AUTH, PASSWORD_VERIFIER) and gets identity-pool credentials.
func (s *Server) SignIn(ctx context.Context, username, password string) (*User, error) {
	idp := cip.NewFromConfig(s.AWSConfig(nil))
	srp := NewSRPClient(s.UserPoolID())
	start, err := idp.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(s.UserPoolClientID()), AuthFlow: ciptypes.AuthFlowTypeUserSrpAuth,
		AuthParameters: map[string]string{"USERNAME": username, "SRP_A": srp.A()}})
	if err != nil {
		return nil, err
	}
	p := start.ChallengeParameters
	ts := s.now().UTC().Format("Mon Jan 2 15:04:05 UTC 2006")
	sig, err := srp.Respond(p["USER_ID_FOR_SRP"], password, p["SALT"], p["SRP_B"], p["SECRET_BLOCK"], ts)
	if err != nil {
		return nil, err
	}
	done, err := idp.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(s.UserPoolClientID()),
		ChallengeName: ciptypes.ChallengeNameTypePasswordVerifier, Session: start.Session,
		ChallengeResponses: map[string]string{"USERNAME": p["USERNAME"], "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"], "TIMESTAMP": ts, "PASSWORD_CLAIM_SIGNATURE": sig}})
	if err != nil {
		return nil, err
	}
	u := &User{Username: username, IDToken: aws.ToString(done.AuthenticationResult.IdToken), RefreshToken: aws.ToString(done.AuthenticationResult.RefreshToken), s: s}
	return u, u.credentials(ctx)
}

// Refresh gets new tokens with the refresh token and new credentials with them (for example
// after group or attribute changes).
func (u *User) Refresh(ctx context.Context) error {
	idp := cip.NewFromConfig(u.s.AWSConfig(nil))
	out, err := idp.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: aws.String(u.s.UserPoolClientID()), RefreshToken: aws.String(u.RefreshToken)})
	if err != nil {
		return err
	}
	u.IDToken = aws.ToString(out.AuthenticationResult.IdToken)
	return u.credentials(ctx)
}

func (u *User) credentials(ctx context.Context) error {
	ci := cognitoidentity.NewFromConfig(u.s.AWSConfig(nil))
	logins := map[string]string{}
	if u.IDToken != "" {
		logins[u.s.be.providerName()] = u.IDToken
	}
	id, err := ci.GetId(ctx, &cognitoidentity.GetIdInput{IdentityPoolId: aws.String(u.s.IdentityPoolID()), Logins: logins})
	if err != nil {
		return err
	}
	u.IdentityID = aws.ToString(id.IdentityId)
	out, err := ci.GetCredentialsForIdentity(ctx, &cognitoidentity.GetCredentialsForIdentityInput{IdentityId: id.IdentityId, Logins: logins})
	if err != nil {
		return err
	}
	c := out.Credentials
	u.Credentials = aws.Credentials{AccessKeyID: aws.ToString(c.AccessKeyId), SecretAccessKey: aws.ToString(c.SecretKey), SessionToken: aws.ToString(c.SessionToken),
		CanExpire: true, Expires: aws.ToTime(c.Expiration), Source: "apiless dev"}
	return nil
}

// Guest gets guest credentials (when the identity pool allows unauthenticated identities).
func (s *Server) Guest(ctx context.Context) (*User, error) {
	u := &User{s: s}
	return u, u.credentials(ctx)
}

func (u *User) provider() aws.CredentialsProvider {
	c := u.Credentials
	return credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken)
}

// DynamoDB is a DynamoDB client with the user's credentials.
func (u *User) DynamoDB() *dynamodb.Client {
	return dynamodb.NewFromConfig(u.s.AWSConfig(u.provider()))
}

// S3 is an S3 client (path-style) with the user's credentials.
func (u *User) S3() *s3.Client {
	return s3.NewFromConfig(u.s.AWSConfig(u.provider()), func(o *s3.Options) { o.UsePathStyle = true })
}
