package devserver

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apiless/apiless/iameval"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3bolt"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	bolt "go.etcd.io/bbolt"
)

// s3Plane serves S3 (path-style): CORS from the template and authorization here, storage by
// gofakes3.
type s3Plane struct {
	s       *Server
	fake    http.Handler
	closeFn func() error
}

func newS3Plane(s *Server) (*s3Plane, error) {
	var be gofakes3.Backend
	p := &s3Plane{s: s, closeFn: func() error { return nil }}
	if file := s.dataPath("s3.bolt"); file != "" {
		db, err := bolt.Open(file, 0o600, &bolt.Options{Timeout: time.Second})
		if err != nil {
			return nil, fmt.Errorf("devserver: %s: %w", file, err)
		}
		be, p.closeFn = s3bolt.New(db), db.Close
	} else {
		be = s3mem.New()
	}
	for name := range s.be.buckets {
		exists, err := be.BucketExists(name)
		if err != nil {
			return nil, err
		}
		if !exists {
			if err := be.CreateBucket(name); err != nil {
				return nil, fmt.Errorf("devserver: bucket %s: %w", name, err)
			}
		}
	}
	p.fake = gofakes3.New(be, gofakes3.WithAutoBucket(false)).Server()
	return p, nil
}

func (p *s3Plane) close() error { return p.closeFn() }

// sslEnforced reports whether some policy of the template decides on aws:SecureTransport (a
// bucket policy that denies plain HTTP, role statements that allow only over TLS).
func (p *s3Plane) sslEnforced() bool {
	var policies []*iameval.Policy
	for _, b := range p.s.be.buckets {
		if rps, err := p.s.be.tpl.ResourcePolicies(b.arn + "/x"); err == nil {
			policies = append(policies, rps...)
		}
	}
	for _, r := range p.s.be.roles {
		policies = append(policies, r.Policies...)
	}
	for _, pol := range policies {
		for _, st := range pol.Statements {
			for _, c := range st.Conditions {
				if strings.EqualFold(c.Key, "aws:SecureTransport") {
					return true
				}
			}
		}
	}
	return false
}

// split returns the bucket and key of a path-style URL path.
func splitPath(p string) (bucket, key string) {
	p = strings.TrimPrefix(p, "/")
	bucket, key, _ = strings.Cut(p, "/")
	return bucket, key
}

func (p *s3Plane) isBucketPath(urlPath string) bool {
	b, _ := splitPath(urlPath)
	_, ok := p.s.be.buckets[b]
	return ok
}

func (p *s3Plane) serve(w http.ResponseWriter, r *http.Request) {
	bucketName, key := splitPath(r.URL.Path)
	bk := p.s.be.buckets[bucketName]
	if r.Method == http.MethodOptions {
		p.preflight(w, r, bk)
		return
	}
	if bk != nil {
		p.cors(w, r, bk)
	}
	sess, body, err := p.s.lookupSession(r)
	if err != nil {
		code := "AccessDenied"
		status := http.StatusForbidden
		if se, ok := err.(*sigError); ok {
			code = map[string]string{"UnrecognizedClientException": "InvalidAccessKeyId", "ExpiredTokenException": "ExpiredToken",
				"InvalidSignatureException": "RequestTimeTooSkewed", "MissingAuthenticationToken": "AccessDenied"}[se.code]
			if code == "" {
				code = se.code
			}
			if se.code == "IncompleteSignature" || se.code == "XAmzContentSHA256Mismatch" {
				status = http.StatusBadRequest
			}
		}
		s3Error(w, status, code, err.Error(), r.URL.Path)
		return
	}
	if bk == nil && bucketName != "" {
		s3Error(w, http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist (apiless dev serves the template's buckets only)", r.URL.Path)
		return
	}
	if body, err = decodeAWSChunked(r, body); err != nil {
		s3Error(w, http.StatusBadRequest, "InvalidRequest", err.Error(), r.URL.Path)
		return
	}
	qs, err := p.questions(r, bucketName, key, body, p.s.requestContext(sess, r))
	if err != nil {
		s3Error(w, http.StatusBadRequest, "MalformedXML", err.Error(), r.URL.Path)
		return
	}
	d, err := p.s.authorize(sess, qs)
	if err != nil {
		s3Error(w, http.StatusInternalServerError, "InternalError", "apiless dev cannot evaluate the policies: "+err.Error(), r.URL.Path)
		return
	}
	if d != nil {
		s3Error(w, http.StatusForbidden, "AccessDenied", d.message, r.URL.Path)
		return
	}
	r.Body = bodyReader(body)
	r.ContentLength = int64(len(body))
	r.Header.Set("Content-Length", strconv.Itoa(len(body)))
	p.fake.ServeHTTP(w, r)
}

// decodeAWSChunked undoes the aws-chunked content encoding (streaming uploads and trailing
// checksums of the AWS SDKs), which gofakes3 does not read. Chunk signatures are not checked.
func decodeAWSChunked(r *http.Request, body []byte) ([]byte, error) {
	enc := r.Header.Get("Content-Encoding")
	sha := r.Header.Get("X-Amz-Content-Sha256")
	if !strings.Contains(enc, "aws-chunked") && !strings.HasPrefix(sha, "STREAMING-") {
		return body, nil
	}
	var out bytes.Buffer
	br := bufio.NewReader(bytes.NewReader(body))
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return nil, fmt.Errorf("malformed aws-chunked body: %v", err)
		}
		sizeHex, _, _ := strings.Cut(strings.TrimSpace(line), ";")
		n, err := strconv.ParseInt(sizeHex, 16, 64)
		if err != nil {
			return nil, fmt.Errorf("malformed aws-chunked chunk size %q", sizeHex)
		}
		if n == 0 {
			break
		}
		if _, err := io.CopyN(&out, br, n); err != nil {
			return nil, fmt.Errorf("short aws-chunked chunk: %v", err)
		}
		br.ReadString('\n')
	}
	var parts []string
	for _, e := range strings.Split(enc, ",") {
		if e = strings.TrimSpace(e); e != "" && e != "aws-chunked" {
			parts = append(parts, e)
		}
	}
	if len(parts) == 0 {
		r.Header.Del("Content-Encoding")
	} else {
		r.Header.Set("Content-Encoding", strings.Join(parts, ","))
	}
	r.Header.Del("X-Amz-Decoded-Content-Length")
	r.Header.Del("X-Amz-Trailer")
	r.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	return out.Bytes(), nil
}

// questions maps an S3 request to its action(s), resource and condition keys.
func (p *s3Plane) questions(r *http.Request, bucketName, key string, body []byte, base map[string][]string) ([]authzRequest, error) {
	q := r.URL.Query()
	e := p.s.be.tpl.Env()
	bucketARN := fmt.Sprintf("arn:%s:s3:::%s", e.Partition, bucketName)
	objectARN := bucketARN + "/" + key
	ask := func(action, resource string, extra ...string) authzRequest {
		ctx := clone(base)
		for i := 0; i+1 < len(extra); i += 2 {
			if extra[i+1] != "" {
				ctx[extra[i]] = []string{extra[i+1]}
			}
		}
		return authzRequest{action: "s3:" + action, resource: resource, ctx: ctx}
	}
	has := func(k string) bool { return q.Has(k) }
	switch {
	case bucketName == "":
		return []authzRequest{ask("ListAllMyBuckets", "*")}, nil
	case key == "" && r.Method == http.MethodPost && has("delete"):
		var del struct {
			Objects []struct{ Key string } `xml:"Object"`
		}
		if err := xml.Unmarshal(body, &del); err != nil {
			return nil, fmt.Errorf("DeleteObjects body: %v", err)
		}
		var out []authzRequest
		for _, o := range del.Objects {
			out = append(out, ask("DeleteObject", bucketARN+"/"+o.Key))
		}
		return out, nil
	case key == "":
		return []authzRequest{p.bucketQuestion(r, q, bucketARN, ask)}, nil
	}
	var out []authzRequest
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		switch {
		case has("tagging"):
			out = append(out, ask("GetObjectTagging", objectARN))
		case has("acl"):
			out = append(out, ask("GetObjectAcl", objectARN))
		case has("uploadId"):
			out = append(out, ask("ListMultipartUploadParts", objectARN))
		case has("versionId"):
			out = append(out, ask("GetObjectVersion", objectARN))
		default:
			out = append(out, ask("GetObject", objectARN))
		}
	case http.MethodPut:
		switch {
		case has("tagging"):
			out = append(out, ask("PutObjectTagging", objectARN))
		case has("acl"):
			out = append(out, ask("PutObjectAcl", objectARN))
		default:
			out = append(out, ask("PutObject", objectARN))
			if r.Header.Get("X-Amz-Tagging") != "" {
				out = append(out, ask("PutObjectTagging", objectARN))
			}
			if src := r.Header.Get("X-Amz-Copy-Source"); src != "" {
				src, _ = url.PathUnescape(strings.TrimPrefix(src, "/"))
				src, _, _ = strings.Cut(src, "?")
				out = append(out, ask("GetObject", fmt.Sprintf("arn:%s:s3:::%s", e.Partition, src)))
			}
		}
	case http.MethodDelete:
		switch {
		case has("tagging"):
			out = append(out, ask("DeleteObjectTagging", objectARN))
		case has("uploadId"):
			out = append(out, ask("AbortMultipartUpload", objectARN))
		default:
			out = append(out, ask("DeleteObject", objectARN))
		}
	case http.MethodPost:
		out = append(out, ask("PutObject", objectARN))
	default:
		return nil, fmt.Errorf("method %s is not an S3 object operation", r.Method)
	}
	return out, nil
}

func (p *s3Plane) bucketQuestion(r *http.Request, q url.Values, bucketARN string, ask func(string, string, ...string) authzRequest) authzRequest {
	sub := ""
	for _, k := range []string{"versions", "uploads", "location", "cors", "policy", "acl", "tagging", "versioning", "encryption", "lifecycle", "logging", "notification", "website", "publicAccessBlock", "ownershipControls"} {
		if q.Has(k) {
			sub = k
			break
		}
	}
	write := map[string]bool{http.MethodPut: true, http.MethodDelete: true, http.MethodPost: true}[r.Method]
	switch {
	case sub == "" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		return ask("ListBucket", bucketARN, "s3:prefix", q.Get("prefix"), "s3:delimiter", q.Get("delimiter"), "s3:max-keys", q.Get("max-keys"))
	case sub == "versions":
		return ask("ListBucketVersions", bucketARN, "s3:prefix", q.Get("prefix"), "s3:delimiter", q.Get("delimiter"))
	case sub == "uploads":
		return ask("ListBucketMultipartUploads", bucketARN)
	case sub == "location":
		return ask("GetBucketLocation", bucketARN)
	case sub == "" && r.Method == http.MethodPut:
		return ask("CreateBucket", bucketARN)
	case sub == "" && r.Method == http.MethodDelete:
		return ask("DeleteBucket", bucketARN)
	}
	name := map[string]string{"cors": "BucketCORS", "policy": "BucketPolicy", "acl": "BucketAcl", "tagging": "BucketTagging",
		"versioning": "BucketVersioning", "encryption": "EncryptionConfiguration", "lifecycle": "LifecycleConfiguration",
		"logging": "BucketLogging", "notification": "BucketNotification", "website": "BucketWebsite",
		"publicAccessBlock": "BucketPublicAccessBlock", "ownershipControls": "BucketOwnershipControls"}[sub]
	if write {
		return ask("Put"+name, bucketARN)
	}
	return ask("Get"+name, bucketARN)
}

// corsRule finds the bucket's CORS rule for an origin, method and request headers.
func (b *bucket) corsRule(origin, method string, headers []string) *corsRule {
	for i := range b.cors {
		c := &b.cors[i]
		if !slices.ContainsFunc(c.origins, func(o string) bool { ok, _ := path.Match(o, origin); return o == "*" || ok }) {
			continue
		}
		if !slices.Contains(c.methods, method) {
			continue
		}
		allHeaders := true
		for _, h := range headers {
			if !slices.ContainsFunc(c.headers, func(a string) bool { ok, _ := path.Match(strings.ToLower(a), h); return a == "*" || ok }) {
				allHeaders = false
				break
			}
		}
		if allHeaders {
			return c
		}
	}
	return nil
}

func (p *s3Plane) preflight(w http.ResponseWriter, r *http.Request, bk *bucket) {
	origin, method := r.Header.Get("Origin"), r.Header.Get("Access-Control-Request-Method")
	var headers []string
	for _, h := range strings.Split(r.Header.Get("Access-Control-Request-Headers"), ",") {
		if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
			headers = append(headers, h)
		}
	}
	var rule *corsRule
	if bk != nil {
		rule = bk.corsRule(origin, method, headers)
	}
	if rule == nil {
		p.s.log.event("cors-denied", map[string]any{"origin": origin, "method": method, "path": r.URL.Path,
			"why": "no CORS rule of the bucket in the template allows this origin, method and headers"})
		s3Error(w, http.StatusForbidden, "AccessForbidden", "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.", r.URL.Path)
		return
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Allow-Methods", strings.Join(rule.methods, ", "))
	h.Set("Access-Control-Allow-Headers", r.Header.Get("Access-Control-Request-Headers"))
	if len(rule.expose) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(rule.expose, ", "))
	}
	if rule.maxAge > 0 {
		h.Set("Access-Control-Max-Age", strconv.Itoa(rule.maxAge))
	}
	h.Set("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method")
	w.WriteHeader(http.StatusOK)
}

// cors adds the CORS headers of the rule matching an actual request's origin; without a rule
// the browser sees no Access-Control-Allow-Origin and blocks the response, as with AWS.
func (p *s3Plane) cors(w http.ResponseWriter, r *http.Request, bk *bucket) {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return
	}
	if rule := bk.corsRule(origin, r.Method, nil); rule != nil {
		w.Header().Set("Access-Control-Allow-Origin", origin)
		if len(rule.expose) > 0 {
			w.Header().Set("Access-Control-Expose-Headers", strings.Join(rule.expose, ", "))
		}
		w.Header().Set("Vary", "Origin")
	}
}

// s3Error writes S3's XML error shape.
func s3Error(w http.ResponseWriter, status int, code, msg, resource string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	type errBody struct {
		XMLName   xml.Name `xml:"Error"`
		Code      string
		Message   string
		Resource  string
		RequestId string
	}
	_, _ = io.WriteString(w, xml.Header)
	_ = xml.NewEncoder(w).Encode(errBody{Code: code, Message: msg, Resource: resource, RequestId: "APILESSDEV"})
}
