package devserver

import (
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

func showcaseTemplate(b *testing.B) []byte {
	t, err := os.ReadFile("../testdata/ApilessShowcase.template.json")
	if err != nil {
		b.Fatal(err)
	}
	return t
}

// BenchmarkStart measures start-up on the showcase template: parse, read the backend, create
// the tables and buckets, listen. (The token signing key is made in the background.)
func BenchmarkStart(b *testing.B) {
	tpl := showcaseTemplate(b)
	for b.Loop() {
		s, err := Start(Options{Template: tpl})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
}

func benchSession(b *testing.B, s *Server) *session {
	return &session{identityID: "us-east-1:aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", role: s.be.authRole, amr: []string{"authenticated"},
		tags: map[string]string{"tenant": "acme"}, expires: time.Now().Add(time.Hour)}
}

// BenchmarkAuthorize measures what the dev server adds to a request: turning it into
// authorization questions with their context and evaluating them against the role's policies.
func BenchmarkAuthorize(b *testing.B) {
	s, err := Start(Options{Template: showcaseTemplate(b)})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	sess := benchSession(b, s)
	notes := s.TableName("AccessNotes")
	id := sess.identityID
	for _, tc := range []struct{ name, op, body string }{
		{"GetItem", "GetItem", `{"TableName":"` + notes + `","Key":{"userId":{"S":"` + id + `"},"noteId":{"S":"n"}}}`},
		{"Query", "Query", `{"TableName":"` + notes + `","KeyConditionExpression":"userId = :u","ExpressionAttributeValues":{":u":{"S":"` + id + `"}}}`},
		{"BatchWriteItem25", "BatchWriteItem", `{"RequestItems":{"` + notes + `":[` + strings.Repeat(`{"PutRequest":{"Item":{"userId":{"S":"`+id+`"},"noteId":{"S":"n"}}}},`, 24) + `{"PutRequest":{"Item":{"userId":{"S":"` + id + `"},"noteId":{"S":"n"}}}}]}}`},
	} {
		b.Run(tc.name, func(b *testing.B) {
			r := httptest.NewRequest("POST", "/", nil)
			for b.Loop() {
				var req ddbRequest
				if err := jsonUnmarshal([]byte(tc.body), &req); err != nil {
					b.Fatal(err)
				}
				qs, err := s.dynamo.questions(tc.op, &req, s.requestContext(sess, r))
				if err != nil {
					b.Fatal(err)
				}
				if d, err := s.authorize(sess, qs); err != nil || d != nil {
					b.Fatalf("not allowed: %v %v", d, err)
				}
			}
		})
	}
	b.Run("S3ListBucket", func(b *testing.B) {
		bucket := s.BucketName("AccessFiles")
		r := httptest.NewRequest("GET", "/"+bucket+"?list-type=2&prefix=private/"+id+"/", nil)
		for b.Loop() {
			qs, err := s.s3.questions(r, bucket, "", nil, s.requestContext(sess, r))
			if err != nil {
				b.Fatal(err)
			}
			qs[0].ctx["aws:SecureTransport"] = []string{"true"}
			if d, err := s.authorize(sess, qs); err != nil || d != nil {
				b.Fatalf("not allowed: %v %v", d, err)
			}
		}
	})
}
