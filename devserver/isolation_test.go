package devserver_test

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/apiless/apiless/devserver"
	"github.com/apiless/apiless/isolation"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// The dev server's decision for each class of request the isolation check probes must equal
// the check's prediction for the same template: the same evaluator, fed the context a real
// request carries, through the real AWS SDK clients, signatures and Cognito flows.

const showcase = "../testdata/ApilessShowcase.template.json"

var (
	reportOnce sync.Once
	report     *isolation.Report
	reportErr  error
)

func showcaseReport(t *testing.T) *isolation.Report {
	reportOnce.Do(func() {
		b, err := os.ReadFile(showcase)
		if err != nil {
			reportErr = err
			return
		}
		report, reportErr = isolation.CheckTemplate(b)
	})
	if reportErr != nil {
		t.Fatal(reportErr)
	}
	return report
}

// predicted is what isolation.CheckTemplate says of action for the role's check.
func predicted(t *testing.T, role, check, action string) bool {
	t.Helper()
	for _, r := range showcaseReport(t).Roles {
		if !strings.HasPrefix(r.LogicalID, role) {
			continue
		}
		for _, f := range r.Findings {
			if f.Check == check {
				for _, a := range f.Allowed {
					if a == action {
						return true
					}
				}
				return false
			}
		}
	}
	t.Fatalf("isolation report has no check %q for role %s", check, role)
	return false
}

// decision reads an SDK call's outcome: AccessDenied is a deny; success or any other answer
// (NoSuchKey, a missing item) means the request was authorized.
func decision(err error) bool {
	c := errCode(err)
	return c != "AccessDenied" && c != "AccessDeniedException"
}

type world struct {
	s                 *devserver.Server
	a, b, admin, acme *devserver.User
	guest             *devserver.User
	notes, profiles   string
	tenantDocs, files string
}

var (
	worldOnce sync.Once
	theWorld  *world
)

// showcaseWorld starts one dev server on the showcase template with two users, an admin, a
// tenant member and a guest, shared by the tests.
func showcaseWorld(t *testing.T) *world {
	worldOnce.Do(func() {
		b, err := os.ReadFile(showcase)
		if err != nil {
			t.Fatal(err)
		}
		s, err := devserver.Start(devserver.Options{Template: b, TLS: true, AutoConfirm: true})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		w := &world{s: s, notes: s.TableName("AccessNotes"), profiles: s.TableName("AccessProfiles"), tenantDocs: s.TableName("AccessTenantDocs"), files: s.BucketName("AccessFiles")}
		w.a = s.NewUser(t, "a@example.com", "Passw0rd!")
		w.b = s.NewUser(t, "b@example.com", "Passw0rd!")
		w.admin = s.NewUser(t, "admin@example.com", "Passw0rd!")
		if err := s.AddUserToGroup("admin@example.com", "admins"); err != nil {
			t.Fatal(err)
		}
		if err := w.admin.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		w.acme = s.NewUser(t, "acme@example.com", "Passw0rd!")
		if err := s.SetUserAttribute("acme@example.com", "custom:tenant", "acme"); err != nil {
			t.Fatal(err)
		}
		if err := w.acme.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		if w.guest, err = s.Guest(ctx); err != nil {
			t.Fatal(err)
		}
		theWorld = w
	})
	if theWorld == nil {
		t.Fatal("no dev server")
	}
	return theWorld
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

type class struct {
	name   string
	role   string // logical ID prefix of the role the caller holds
	check  string // the isolation check it belongs to
	action string
	call   func(ctx context.Context, w *world) error
}

func noteKey(owner string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"userId": s(owner), "noteId": s("n1")}
}

const (
	auth  = "AccessAuthenticatedRole"
	guest = "AccessGuestRole"
	admin = "AccessGroupsadminsRole"
	tbl   = "table AccessNotesE8EFFE78: "
	bkt   = "bucket AccessFiles94368A56 "
)

var classes = []class{
	{"own item put", auth, tbl + "own key", "dynamodb:PutItem", func(ctx context.Context, w *world) error {
		_, err := w.a.DynamoDB().PutItem(ctx, &dynamodb.PutItemInput{TableName: &w.notes, Item: map[string]types.AttributeValue{"userId": s(w.a.IdentityID), "noteId": s("n1"), "title": s("t")}})
		return err
	}},
	{"own item get", auth, tbl + "own key", "dynamodb:GetItem", func(ctx context.Context, w *world) error {
		_, err := w.a.DynamoDB().GetItem(ctx, &dynamodb.GetItemInput{TableName: &w.notes, Key: noteKey(w.a.IdentityID)})
		return err
	}},
	{"other identity's item", auth, tbl + "other identity's key", "dynamodb:GetItem", func(ctx context.Context, w *world) error {
		_, err := w.a.DynamoDB().GetItem(ctx, &dynamodb.GetItemInput{TableName: &w.notes, Key: noteKey(w.b.IdentityID)})
		return err
	}},
	{"other identity's item delete", auth, tbl + "other identity's key", "dynamodb:DeleteItem", func(ctx context.Context, w *world) error {
		_, err := w.a.DynamoDB().DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &w.notes, Key: noteKey(w.b.IdentityID)})
		return err
	}},
	{"batch get mixing own and other", auth, tbl + "own and other identity's key in one batch", "dynamodb:BatchGetItem", func(ctx context.Context, w *world) error {
		_, err := w.a.DynamoDB().BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
			w.notes: {Keys: []map[string]types.AttributeValue{noteKey(w.a.IdentityID), noteKey(w.b.IdentityID)}}}})
		return err
	}},
	{"batch write mixing own and other", auth, tbl + "own and other identity's key in one batch", "dynamodb:BatchWriteItem", func(ctx context.Context, w *world) error {
		_, err := w.a.DynamoDB().BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{
			w.notes: {{PutRequest: &types.PutRequest{Item: noteKey(w.a.IdentityID)}}, {DeleteRequest: &types.DeleteRequest{Key: noteKey(w.b.IdentityID)}}}}})
		return err
	}},
	{"batch get own only", auth, tbl + "own key", "dynamodb:BatchGetItem", func(ctx context.Context, w *world) error {
		_, err := w.a.DynamoDB().BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
			w.notes: {Keys: []map[string]types.AttributeValue{noteKey(w.a.IdentityID)}}}})
		return err
	}},
	{"scan", auth, tbl + "whole-table access (Scan, export, streams, replication)", "dynamodb:Scan", func(ctx context.Context, w *world) error {
		_, err := w.a.DynamoDB().Scan(ctx, &dynamodb.ScanInput{TableName: &w.notes})
		return err
	}},
	{"own query", auth, tbl + "own key", "dynamodb:Query", func(ctx context.Context, w *world) error {
		_, err := w.a.DynamoDB().Query(ctx, &dynamodb.QueryInput{TableName: &w.notes, KeyConditionExpression: aws.String("#u = :u"),
			ExpressionAttributeNames: map[string]string{"#u": "userId"}, ExpressionAttributeValues: map[string]types.AttributeValue{":u": s(w.a.IdentityID)}})
		return err
	}},
	{"index query on own key", auth, "table AccessNotesE8EFFE78 index byTitle: own key", "dynamodb:Query", func(ctx context.Context, w *world) error {
		_, err := w.a.DynamoDB().Query(ctx, &dynamodb.QueryInput{TableName: &w.notes, IndexName: aws.String("byTitle"), KeyConditionExpression: aws.String("userId = :u"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":u": s(w.a.IdentityID)}})
		return err
	}},
	{"index query on another key", auth, "table AccessNotesE8EFFE78 index byTitle: other identity's key", "dynamodb:Query", func(ctx context.Context, w *world) error {
		_, err := w.a.DynamoDB().Query(ctx, &dynamodb.QueryInput{TableName: &w.notes, IndexName: aws.String("byTitle"), KeyConditionExpression: aws.String("userId = :u AND begins_with(title, :t)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":u": s(w.b.IdentityID), ":t": s("t")}})
		return err
	}},
	{"attribute limit: projection inside", auth, "table AccessProfiles55428FA4: own key within the attribute limit", "dynamodb:GetItem", func(ctx context.Context, w *world) error {
		_, err := w.a.DynamoDB().GetItem(ctx, &dynamodb.GetItemInput{TableName: &w.profiles, Key: map[string]types.AttributeValue{"userId": s(w.a.IdentityID)}, ProjectionExpression: aws.String("displayName, avatarKey")})
		return err
	}},
	{"attribute limit: whole item", auth, "table AccessProfiles55428FA4: own key, whole items past the attribute limit", "dynamodb:GetItem", func(ctx context.Context, w *world) error {
		_, err := w.a.DynamoDB().GetItem(ctx, &dynamodb.GetItemInput{TableName: &w.profiles, Key: map[string]types.AttributeValue{"userId": s(w.a.IdentityID)}})
		return err
	}},
	{"attribute limit: update inside", auth, "table AccessProfiles55428FA4: own key within the attribute limit", "dynamodb:UpdateItem", func(ctx context.Context, w *world) error {
		_, err := w.a.DynamoDB().UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &w.profiles, Key: map[string]types.AttributeValue{"userId": s(w.a.IdentityID)},
			UpdateExpression: aws.String("SET displayName = :d"), ExpressionAttributeValues: map[string]types.AttributeValue{":d": s("A")}})
		return err
	}},
	{"attribute limit: update outside", auth, "table AccessProfiles55428FA4: own key, an attribute outside the limit", "dynamodb:UpdateItem", func(ctx context.Context, w *world) error {
		_, err := w.a.DynamoDB().UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &w.profiles, Key: map[string]types.AttributeValue{"userId": s(w.a.IdentityID)},
			UpdateExpression: aws.String("SET isAdmin = :d"), ExpressionAttributeValues: map[string]types.AttributeValue{":d": s("yes")}})
		return err
	}},
	{"tenant table: own tenant", "AccessAuthenticatedRole", "table AccessTenantDocsDB096906: own key", "dynamodb:GetItem", func(ctx context.Context, w *world) error {
		_, err := w.acme.DynamoDB().GetItem(ctx, &dynamodb.GetItemInput{TableName: &w.tenantDocs, Key: map[string]types.AttributeValue{"tenantId": s("acme"), "docId": s("d")}})
		return err
	}},
	{"tenant table: other tenant", auth, "table AccessTenantDocsDB096906: other tenant's key", "dynamodb:GetItem", func(ctx context.Context, w *world) error {
		_, err := w.acme.DynamoDB().GetItem(ctx, &dynamodb.GetItemInput{TableName: &w.tenantDocs, Key: map[string]types.AttributeValue{"tenantId": s("globex"), "docId": s("d")}})
		return err
	}},
	{"own folder object put", auth, bkt + "private/{identity}/*: own object", "s3:PutObject", func(ctx context.Context, w *world) error {
		_, err := w.a.S3().PutObject(ctx, &s3.PutObjectInput{Bucket: &w.files, Key: aws.String("private/" + w.a.IdentityID + "/f.txt"), Body: strings.NewReader("hello")})
		return err
	}},
	{"own folder object get", auth, bkt + "private/{identity}/*: own object", "s3:GetObject", func(ctx context.Context, w *world) error {
		_, err := w.a.S3().GetObject(ctx, &s3.GetObjectInput{Bucket: &w.files, Key: aws.String("private/" + w.a.IdentityID + "/f.txt")})
		return err
	}},
	{"other folder object", auth, bkt + "private/{identity}/*: other identity's object", "s3:GetObject", func(ctx context.Context, w *world) error {
		_, err := w.b.S3().GetObject(ctx, &s3.GetObjectInput{Bucket: &w.files, Key: aws.String("private/" + w.a.IdentityID + "/f.txt")})
		return err
	}},
	{"other folder object write", auth, bkt + "private/{identity}/*: other identity's object", "s3:PutObject", func(ctx context.Context, w *world) error {
		_, err := w.b.S3().PutObject(ctx, &s3.PutObjectInput{Bucket: &w.files, Key: aws.String("private/" + w.a.IdentityID + "/g.txt"), Body: strings.NewReader("x")})
		return err
	}},
	{"list own folder", auth, bkt + "private/{identity}/*: list own folder", "s3:ListBucket", func(ctx context.Context, w *world) error {
		_, err := w.a.S3().ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &w.files, Prefix: aws.String("private/" + w.a.IdentityID + "/")})
		return err
	}},
	{"list another's folder", auth, bkt + "private/{identity}/*: list another's folder", "s3:ListBucket", func(ctx context.Context, w *world) error {
		_, err := w.a.S3().ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &w.files, Prefix: aws.String("private/" + w.b.IdentityID + "/")})
		return err
	}},
	{"list without a prefix", auth, "bucket AccessFiles94368A56: list without a prefix", "s3:ListBucket", func(ctx context.Context, w *world) error {
		_, err := w.a.S3().ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &w.files})
		return err
	}},
	{"tenant folder: own tenant", auth, bkt + "tenants/{tenant}/*: own object", "s3:PutObject", func(ctx context.Context, w *world) error {
		_, err := w.acme.S3().PutObject(ctx, &s3.PutObjectInput{Bucket: &w.files, Key: aws.String("tenants/acme/doc.txt"), Body: strings.NewReader("x")})
		return err
	}},
	{"tenant folder: other tenant", auth, bkt + "tenants/{tenant}/*: other tenant's object", "s3:GetObject", func(ctx context.Context, w *world) error {
		_, err := w.acme.S3().GetObject(ctx, &s3.GetObjectInput{Bucket: &w.files, Key: aws.String("tenants/globex/doc.txt")})
		return err
	}},
	{"group folder as a signed-in user", auth, bkt + "reports/*: object in the folder", "s3:PutObject", func(ctx context.Context, w *world) error {
		_, err := w.a.S3().PutObject(ctx, &s3.PutObjectInput{Bucket: &w.files, Key: aws.String("reports/q1.txt"), Body: strings.NewReader("x")})
		return err
	}},
	{"group folder as an admin", admin, bkt + "reports/*: object in the folder", "s3:PutObject", func(ctx context.Context, w *world) error {
		_, err := w.admin.S3().PutObject(ctx, &s3.PutObjectInput{Bucket: &w.files, Key: aws.String("reports/q1.txt"), Body: strings.NewReader("x")})
		return err
	}},
	{"admin keeps its own folder", admin, bkt + "private/{identity}/*: own object", "s3:PutObject", func(ctx context.Context, w *world) error {
		_, err := w.admin.S3().PutObject(ctx, &s3.PutObjectInput{Bucket: &w.files, Key: aws.String("private/" + w.admin.IdentityID + "/a.txt"), Body: strings.NewReader("x")})
		return err
	}},
	{"guest reads public", guest, bkt + "public/*: object in the folder", "s3:GetObject", func(ctx context.Context, w *world) error {
		_, err := w.guest.S3().GetObject(ctx, &s3.GetObjectInput{Bucket: &w.files, Key: aws.String("public/readme.txt")})
		return err
	}},
	{"guest writes public", guest, bkt + "public/*: object in the folder", "s3:PutObject", func(ctx context.Context, w *world) error {
		_, err := w.guest.S3().PutObject(ctx, &s3.PutObjectInput{Bucket: &w.files, Key: aws.String("public/readme.txt"), Body: strings.NewReader("x")})
		return err
	}},
	{"guest reads its own notes", guest, tbl + "own key (read)", "dynamodb:GetItem", func(ctx context.Context, w *world) error {
		_, err := w.guest.DynamoDB().GetItem(ctx, &dynamodb.GetItemInput{TableName: &w.notes, Key: noteKey(w.guest.IdentityID)})
		return err
	}},
	{"guest writes its own notes", guest, tbl + "own key (read)", "dynamodb:PutItem", func(ctx context.Context, w *world) error {
		_, err := w.guest.DynamoDB().PutItem(ctx, &dynamodb.PutItemInput{TableName: &w.notes, Item: noteKey(w.guest.IdentityID)})
		return err
	}},
}

// TestDecisionsEqualIsolationPrediction sweeps every class.
func TestDecisionsEqualIsolationPrediction(t *testing.T) {
	w := showcaseWorld(t)
	ctx := context.Background()
	allowed, denied := 0, 0
	for _, c := range classes {
		t.Run(c.name, func(t *testing.T) {
			want := predicted(t, c.role, c.check, c.action)
			err := c.call(ctx, w)
			got := decision(err)
			t.Logf("allowed=%v predicted=%v err=%v", got, want, errCode(err))
			if got != want {
				t.Errorf("%s (%s, check %q): dev server allowed=%v (%v), isolation.CheckTemplate predicts allowed=%v", c.action, c.role, c.check, got, err, want)
			}
			if got {
				allowed++
			} else {
				denied++
			}
		})
	}
	if allowed == 0 || denied == 0 {
		t.Errorf("the sweep should see both decisions: %d allowed, %d denied", allowed, denied)
	}
}
