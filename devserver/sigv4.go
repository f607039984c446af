package devserver

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// sigError is a request whose signature does not hold; code is the AWS error code.
type sigError struct {
	code, msg string
}

func (e *sigError) Error() string { return e.code + ": " + e.msg }

// authHeader is the parsed Authorization header of a SigV4 request.
type authHeader struct {
	accessKey, date, region, service string
	signedHeaders                    []string
	signature                        string
}

func parseAuthorization(h string) (authHeader, error) {
	var a authHeader
	rest, ok := strings.CutPrefix(h, "AWS4-HMAC-SHA256 ")
	if !ok {
		return a, &sigError{"MissingAuthenticationToken", "the request is not signed with AWS4-HMAC-SHA256 (presigned URLs and anonymous requests are not emulated)"}
	}
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			f := strings.Split(v, "/")
			if len(f) != 5 || f[4] != "aws4_request" {
				return a, &sigError{"IncompleteSignature", "malformed Credential " + v}
			}
			a.accessKey, a.date, a.region, a.service = f[0], f[1], f[2], f[3]
		case "SignedHeaders":
			a.signedHeaders = strings.Split(v, ";")
		case "Signature":
			a.signature = v
		}
	}
	if a.accessKey == "" || a.signature == "" || len(a.signedHeaders) == 0 {
		return a, &sigError{"IncompleteSignature", "the Authorization header lacks Credential, SignedHeaders or Signature"}
	}
	return a, nil
}

// verifySignature checks the SigV4 signature of r against the session's secret by signing the
// same canonical request again with the AWS SDK's signer. It returns the request body.
func verifySignature(r *http.Request, sess *session, a authHeader, now time.Time) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	if err != nil {
		return nil, &sigError{"IncompleteSignature", "cannot read the body: " + err.Error()}
	}
	amzDate := r.Header.Get("X-Amz-Date")
	signedAt, err := time.Parse("20060102T150405Z", amzDate)
	if err != nil {
		return nil, &sigError{"IncompleteSignature", "missing or malformed X-Amz-Date " + amzDate}
	}
	if d := now.Sub(signedAt); d > 15*time.Minute || d < -15*time.Minute {
		return nil, &sigError{"InvalidSignatureException", fmt.Sprintf("Signature expired: %s is now earlier than %s (15 min)", amzDate, now.UTC().Format("20060102T150405Z"))}
	}
	if sess.token != r.Header.Get("X-Amz-Security-Token") {
		return nil, &sigError{"UnrecognizedClientException", "The security token included in the request is invalid"}
	}
	payload := r.Header.Get("X-Amz-Content-Sha256")
	if payload == "" {
		sum := sha256.Sum256(body)
		payload = hex.EncodeToString(sum[:])
	} else if payload != "UNSIGNED-PAYLOAD" && !strings.HasPrefix(payload, "STREAMING-") {
		sum := sha256.Sum256(body)
		if hex.EncodeToString(sum[:]) != payload {
			return nil, &sigError{"XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed."}
		}
	}
	clone, err := http.NewRequest(r.Method, "http://"+r.Host+r.URL.RequestURI(), nil)
	if err != nil {
		return nil, &sigError{"IncompleteSignature", err.Error()}
	}
	clone.URL.RawQuery = r.URL.RawQuery
	clone.Host = r.Host
	for _, h := range a.signedHeaders {
		switch h {
		case "host":
			continue
		case "content-length":
			clone.ContentLength = r.ContentLength
		}
		vals := r.Header.Values(h)
		if h == "content-length" && len(vals) == 0 {
			vals = []string{fmt.Sprint(r.ContentLength)}
		}
		clone.Header[http.CanonicalHeaderKey(h)] = vals
	}
	signer := v4.NewSigner(func(o *v4.SignerOptions) {
		o.DisableURIPathEscaping = a.service == "s3"
	})
	creds := aws.Credentials{AccessKeyID: sess.accessKey, SecretAccessKey: sess.secret, SessionToken: sess.token}
	if err := signer.SignHTTP(context.Background(), creds, clone, payload, a.service, a.region, signedAt); err != nil {
		return nil, &sigError{"IncompleteSignature", err.Error()}
	}
	want, err := parseAuthorization(clone.Header.Get("Authorization"))
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(want.signature), []byte(a.signature)) != 1 {
		return nil, &sigError{"SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method."}
	}
	if now.After(sess.expires) {
		return nil, &sigError{"ExpiredTokenException", "The security token included in the request is expired"}
	}
	return body, nil
}

// bodyReader gives a handler the body that signature verification read.
func bodyReader(b []byte) io.ReadCloser { return io.NopCloser(bytes.NewReader(b)) }
