package devserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"

	md "github.com/truora/minidyn/server"
)

// dynamoPlane serves DynamoDB: authorization here, storage and query semantics by minidyn's
// HTTP server.
type dynamoPlane struct {
	s    *Server
	mini *md.Server
}

func newDynamoPlane(s *Server) (*dynamoPlane, error) {
	p := &dynamoPlane{s: s, mini: md.NewServer()}
	for _, tb := range s.be.tables {
		if err := p.createTable(tb); err != nil {
			return nil, fmt.Errorf("devserver: table %s: %w", tb.logicalID, err)
		}
	}
	return p, p.load()
}

// call runs one operation on minidyn in process.
func (p *dynamoPlane) call(op string, in any) ([]byte, error) {
	body, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+op)
	rec := httptest.NewRecorder()
	p.mini.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		return nil, fmt.Errorf("%s: %s", op, strings.TrimSpace(rec.Body.String()))
	}
	return rec.Body.Bytes(), nil
}

func (p *dynamoPlane) createTable(tb *table) error {
	ks := func(k [2]string) []map[string]string {
		out := []map[string]string{{"AttributeName": k[0], "KeyType": "HASH"}}
		if k[1] != "" {
			out = append(out, map[string]string{"AttributeName": k[1], "KeyType": "RANGE"})
		}
		return out
	}
	var defs []map[string]string
	for _, d := range tb.attrDefs {
		defs = append(defs, map[string]string{"AttributeName": d.name, "AttributeType": d.typ})
	}
	in := map[string]any{"TableName": tb.name, "AttributeDefinitions": defs, "KeySchema": ks(tb.keySchemas[""]), "BillingMode": "PAY_PER_REQUEST"}
	index := func(names []string) []map[string]any {
		var out []map[string]any
		for _, n := range names {
			out = append(out, map[string]any{"IndexName": n, "KeySchema": ks(tb.keySchemas[n]), "Projection": map[string]string{"ProjectionType": "ALL"}})
		}
		return out
	}
	if len(tb.gsis) > 0 {
		in["GlobalSecondaryIndexes"] = index(tb.gsis)
	}
	if len(tb.lsis) > 0 {
		in["LocalSecondaryIndexes"] = index(tb.lsis)
	}
	_, err := p.call("CreateTable", in)
	return err
}

// save writes every item to the data directory.
func (p *dynamoPlane) save() error {
	path := p.s.dataPath("dynamodb.json")
	if path == "" {
		return nil
	}
	all := map[string][]json.RawMessage{}
	for name := range p.s.be.tables {
		out, err := p.call("Scan", map[string]any{"TableName": name})
		if err != nil {
			return err
		}
		var res struct{ Items []json.RawMessage }
		if err := json.Unmarshal(out, &res); err != nil {
			return err
		}
		all[name] = res.Items
	}
	b, err := json.MarshalIndent(all, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// load puts back the items a previous run saved.
func (p *dynamoPlane) load() error {
	path := p.s.dataPath("dynamodb.json")
	if path == "" {
		return nil
	}
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	var all map[string][]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return fmt.Errorf("devserver: %s: %w", path, err)
	}
	for name, items := range all {
		if _, ok := p.s.be.tables[name]; !ok {
			continue // a table the template no longer has
		}
		for _, it := range items {
			if _, err := p.call("PutItem", map[string]any{"TableName": name, "Item": it}); err != nil {
				return fmt.Errorf("devserver: %s: %w", path, err)
			}
		}
	}
	return nil
}

// ddbRequest holds the fields of every DynamoDB item operation that authorization reads.
type ddbRequest struct {
	TableName                 string
	IndexName                 string
	Key                       map[string]*md.AttributeValue
	Item                      map[string]*md.AttributeValue
	ProjectionExpression      string
	AttributesToGet           []string
	ExpressionAttributeNames  map[string]string
	ExpressionAttributeValues map[string]*md.AttributeValue
	KeyConditionExpression    string
	KeyConditions             map[string]md.Condition
	UpdateExpression          string
	AttributeUpdates          map[string]json.RawMessage
	Select                    string
	ReturnValues              string
	RequestItems              json.RawMessage
	TransactItems             []map[string]ddbRequest
	// Keys is a BatchGetItem table entry's key list; PutRequest and DeleteRequest are
	// BatchWriteItem entries.
	Keys          []map[string]*md.AttributeValue
	PutRequest    *ddbRequest
	DeleteRequest *ddbRequest
}

// served are the operations passed on to minidyn once authorized.
var served = []string{"GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem",
	"TransactGetItems", "TransactWriteItems", "DescribeTable"}

func (p *dynamoPlane) serve(w http.ResponseWriter, r *http.Request, op string) {
	sess, body, err := p.s.lookupSession(r)
	if err != nil {
		sigErrorJSON(w, err)
		return
	}
	var req ddbRequest
	if err := json.Unmarshal(body, &req); err != nil {
		jsonError(w, http.StatusBadRequest, "SerializationException", "malformed request body: "+err.Error())
		return
	}
	base := p.s.requestContext(sess, r)
	qs, err := p.questions(op, &req, base)
	if err != nil {
		jsonError(w, http.StatusBadRequest, "ValidationException", err.Error())
		return
	}
	d, err := p.s.authorize(sess, qs)
	if err != nil {
		jsonError(w, http.StatusInternalServerError, "InternalFailure", "apiless dev cannot evaluate the policies: "+err.Error())
		return
	}
	if d != nil {
		jsonError(w, http.StatusBadRequest, "AccessDeniedException", d.message)
		return
	}
	if !slices.Contains(served, op) {
		jsonError(w, http.StatusBadRequest, "UnknownOperationException", "apiless dev does not emulate DynamoDB "+op+" (it was authorized)")
		return
	}
	r.Body = bodyReader(body)
	r.ContentLength = int64(len(body))
	p.mini.ServeHTTP(w, r)
}

func sigErrorJSON(w http.ResponseWriter, err error) {
	code := "UnrecognizedClientException"
	if se, ok := err.(*sigError); ok {
		code = se.code
	}
	jsonError(w, http.StatusBadRequest, code, err.Error())
}

func (p *dynamoPlane) tableARN(name string) string {
	if tb, ok := p.s.be.tables[name]; ok {
		return tb.arn
	}
	e := p.s.be.tpl.Env()
	return fmt.Sprintf("arn:%s:dynamodb:%s:%s:table/%s", e.Partition, e.Region, e.AccountID, name)
}

// questions turns a request into the authorization requests AWS evaluates for it.
func (p *dynamoPlane) questions(op string, req *ddbRequest, base map[string][]string) ([]authzRequest, error) {
	one := func(action string, q *ddbRequest, keys []string) authzRequest {
		ctx := clone(base)
		resource := p.tableARN(q.TableName)
		if q.IndexName != "" {
			resource += "/index/" + q.IndexName
		}
		if keys != nil {
			ctx["dynamodb:LeadingKeys"] = keys
		}
		readAttrs(action, q, ctx, p.s.be.tables[q.TableName])
		return authzRequest{action: "dynamodb:" + action, resource: resource, ctx: ctx}
	}
	switch op {
	case "GetItem", "DeleteItem", "UpdateItem", "ConditionCheckItem":
		return []authzRequest{one(op, req, p.leading(req.TableName, "", req.Key))}, nil
	case "PutItem":
		return []authzRequest{one(op, req, p.leading(req.TableName, "", req.Item))}, nil
	case "Query":
		return []authzRequest{one(op, req, p.queryKeys(req))}, nil
	case "Scan", "DescribeTable", "CreateTable", "DeleteTable", "UpdateTable", "DescribeTimeToLive", "ListTagsOfResource":
		return []authzRequest{one(op, req, nil)}, nil
	case "BatchGetItem", "BatchWriteItem":
		var items map[string]json.RawMessage
		if err := json.Unmarshal(req.RequestItems, &items); err != nil || len(items) == 0 {
			return nil, fmt.Errorf("%s needs RequestItems", op)
		}
		var out []authzRequest
		for _, name := range slices.Sorted(maps.Keys(items)) {
			q, keys, err := p.batchEntry(op, name, items[name])
			if err != nil {
				return nil, err
			}
			out = append(out, one(op, q, keys))
		}
		return out, nil
	case "TransactGetItems", "TransactWriteItems":
		var out []authzRequest
		for _, ti := range req.TransactItems {
			for kind, q := range ti {
				action := map[string]string{"Get": "GetItem", "Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem", "ConditionCheck": "ConditionCheckItem"}[kind]
				if action == "" {
					return nil, fmt.Errorf("unknown transaction item %s", kind)
				}
				key := q.Key
				if kind == "Put" {
					key = q.Item
				}
				out = append(out, one(action, &q, p.leading(q.TableName, "", key)))
			}
		}
		return out, nil
	case "ListTables":
		e := p.s.be.tpl.Env()
		return []authzRequest{{action: "dynamodb:ListTables", resource: fmt.Sprintf("arn:%s:dynamodb:%s:%s:table/*", e.Partition, e.Region, e.AccountID), ctx: clone(base)}}, nil
	}
	return []authzRequest{one(op, req, nil)}, nil
}

// batchEntry reads one table's entry of a batch and every partition key it names.
func (p *dynamoPlane) batchEntry(op, name string, raw json.RawMessage) (*ddbRequest, []string, error) {
	q := &ddbRequest{TableName: name}
	keys := []string{}
	if op == "BatchGetItem" {
		if err := json.Unmarshal(raw, q); err != nil {
			return nil, nil, err
		}
		q.TableName = name
		for _, k := range q.Keys {
			keys = append(keys, p.leading(name, "", k)...)
		}
		return q, keys, nil
	}
	var writes []ddbRequest
	if err := json.Unmarshal(raw, &writes); err != nil {
		return nil, nil, err
	}
	for _, wr := range writes {
		switch {
		case wr.PutRequest != nil:
			keys = append(keys, p.leading(name, "", wr.PutRequest.Item)...)
		case wr.DeleteRequest != nil:
			keys = append(keys, p.leading(name, "", wr.DeleteRequest.Key)...)
		}
	}
	return q, keys, nil
}

// leading is the partition key value of an item or key, as dynamodb:LeadingKeys carries it.
func (p *dynamoPlane) leading(tableName, index string, key map[string]*md.AttributeValue) []string {
	tb, ok := p.s.be.tables[tableName]
	if !ok {
		return []string{}
	}
	hash := tb.keySchemas[index][0]
	if v := key[hash]; v != nil {
		return []string{avString(v)}
	}
	return []string{}
}

func avString(v *md.AttributeValue) string {
	switch {
	case v.S != nil:
		return *v.S
	case v.N != nil:
		return *v.N
	case v.B != nil:
		return string(v.B)
	}
	return ""
}

var andWord = regexp.MustCompile(`(?i)\s+and\s+`)

var keyCondEq = regexp.MustCompile(`^\(*\s*([#\w.]+)\s*=\s*(:\w+)\s*\)*$|^\(*\s*(:\w+)\s*=\s*([#\w.]+)\s*\)*$`)

// queryKeys finds the partition key value a query names in its key condition.
func (p *dynamoPlane) queryKeys(q *ddbRequest) []string {
	tb, ok := p.s.be.tables[q.TableName]
	if !ok {
		return []string{}
	}
	hash := tb.keySchemas[q.IndexName][0]
	if c, ok := q.KeyConditions[hash]; ok && len(c.AttributeValueList) == 1 {
		return []string{avString(c.AttributeValueList[0])}
	}
	for _, part := range andWord.Split(q.KeyConditionExpression, -1) {
		m := keyCondEq.FindStringSubmatch(strings.TrimSpace(part))
		if m == nil {
			continue
		}
		name, val := m[1], m[2]
		if name == "" {
			name, val = m[4], m[3]
		}
		if resolveName(name, q.ExpressionAttributeNames) == hash {
			if v := q.ExpressionAttributeValues[val]; v != nil {
				return []string{avString(v)}
			}
		}
	}
	return []string{}
}

func resolveName(n string, names map[string]string) string {
	if strings.HasPrefix(n, "#") {
		if r, ok := names[n]; ok {
			return r
		}
	}
	return n
}

var (
	pathHead   = regexp.MustCompile(`(?:^|[^\w#:.\]])(#?[A-Za-z_][\w]*)`)
	updateWord = map[string]bool{"set": true, "remove": true, "add": true, "delete": true, "if_not_exists": true, "list_append": true}
)

// expressionAttributes lists the top-level attributes an expression names.
func expressionAttributes(expr string, names map[string]string) []string {
	var out []string
	for _, m := range pathHead.FindAllStringSubmatch(expr, -1) {
		if updateWord[strings.ToLower(m[1])] {
			continue
		}
		if n := resolveName(m[1], names); !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// readAttrs adds dynamodb:Attributes, dynamodb:Select and dynamodb:ReturnValues as DynamoDB
// sets them for the action.
func readAttrs(action string, q *ddbRequest, ctx map[string][]string, tb *table) {
	var attrs []string
	switch action {
	case "GetItem", "Query", "Scan", "BatchGetItem":
		attrs = append(attrs, q.AttributesToGet...)
		if q.ProjectionExpression != "" {
			attrs = append(attrs, expressionAttributes(q.ProjectionExpression, q.ExpressionAttributeNames)...)
		}
		sel := q.Select
		switch {
		case sel != "":
		case len(attrs) > 0:
			sel = "SPECIFIC_ATTRIBUTES"
		case q.IndexName != "":
			sel = "ALL_PROJECTED_ATTRIBUTES"
		default:
			sel = "ALL_ATTRIBUTES"
		}
		ctx["dynamodb:Select"] = []string{sel}
	case "PutItem":
		attrs = slices.Sorted(maps.Keys(q.Item))
	case "UpdateItem":
		attrs = slices.Sorted(maps.Keys(q.Key))
		attrs = append(attrs, expressionAttributes(q.UpdateExpression, q.ExpressionAttributeNames)...)
		attrs = append(attrs, slices.Sorted(maps.Keys(q.AttributeUpdates))...)
	}
	if len(attrs) > 0 {
		ctx["dynamodb:Attributes"] = attrs
	}
	if q.ReturnValues != "" {
		ctx["dynamodb:ReturnValues"] = []string{q.ReturnValues}
	}
}

func clone(m map[string][]string) map[string][]string {
	out := make(map[string][]string, len(m)+4)
	for k, v := range m {
		out[k] = v
	}
	return out
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
