package directaccess

import (
	"slices"

	"github.com/apiless/apiless/validation"
)

// tables validates the table rules (nil: one default table).
func (c *checker) tables() {
	rules := c.props.Tables
	if rules == nil {
		rules = []*TableRule{{Name: ptr(DefaultTableName)}}
	}
	names := map[string]bool{}
	for i, t := range rules {
		where := validation.Index("Tables", i)
		if t == nil {
			c.add(where, validation.Required, nil, "is nil; expected a TableRule")
			continue
		}
		ts := c.tableBase(where, t)
		ts.field = where
		switch {
		case !logicalNamePattern.MatchString(ts.name):
			c.add(where+".Name", validation.Invalid, ts.name, "%q; expected a PascalCase name of letters and digits, e.g. \"Notes\"", ts.name)
		case names[ts.name]:
			c.add(where+".Name", validation.Duplicate, ts.name, "%q is declared twice; expected unique table names", ts.name)
		}
		names[ts.name] = true
		c.indexes(where, t, &ts)
		c.tableGrants(where, t, &ts)
		c.attributes(where, t, &ts)
		c.tableCaps(where, t, &ts)
		c.s.tables = append(c.s.tables, ts)
	}
}

// tableBase reads a rule's table, keys and partition value.
func (c *checker) tableBase(where string, t *TableRule) tableSpec {
	if t.Table != nil {
		if other, ok := c.seenTables.find(t.Table); ok {
			c.add(where+".Table", validation.Duplicate, nil, "is the same table as %s; two rules on one table could grant each other's items (an identity ID and a tenant ID can be equal). Expected one TableRule per table", other)
		}
		c.seenTables.add(t.Table, where+".Table")
	}
	ts := tableSpec{
		name:           str(t.Name),
		existing:       t.Table,
		imported:       t.Table != nil,
		partitionKey:   strOr(t.PartitionKey, DefaultPartitionKey),
		sortKey:        str(t.SortKey),
		partitionValue: t.PartitionValue,
		grants:         map[audience][]TableOperation{},
	}
	if ts.partitionValue == "" {
		ts.partitionValue = PartitionByIdentity
	}
	if t.PartitionKey != nil && !attributeNamePattern.MatchString(ts.partitionKey) {
		c.add(where+".PartitionKey", validation.Invalid, ts.partitionKey, "%q is not a DynamoDB attribute name; expected 1-255 letters, digits or _.-", ts.partitionKey)
	}
	if t.SortKey != nil && (!attributeNamePattern.MatchString(ts.sortKey) || ts.sortKey == ts.partitionKey) {
		c.add(where+".SortKey", validation.Invalid, ts.sortKey, "%q; expected an attribute name other than the partition key, or nil for no sort key", ts.sortKey)
	}
	switch ts.partitionValue {
	case PartitionByIdentity:
	case PartitionByTenant:
		if c.s.tenantTag == "" {
			c.add(where+".PartitionValue", validation.Conflict, string(ts.partitionValue), "%q but Tenant is nil; expected Tenant to map a tenant claim to a principal tag", ts.partitionValue)
		}
	default:
		c.add(where+".PartitionValue", validation.NotSupported, string(ts.partitionValue), "%q is unknown; expected %q or %q", ts.partitionValue, PartitionByIdentity, PartitionByTenant)
	}
	return ts
}

func (c *checker) indexes(where string, t *TableRule, ts *tableSpec) {
	names := map[string]bool{}
	for j, ix := range t.Indexes {
		iw := validation.Index(where+".Indexes", j)
		if ix == nil {
			c.add(iw, validation.Required, nil, "is nil; expected an IndexRule")
			continue
		}
		is := indexSpec{name: str(ix.Name), partitionKey: str(ix.PartitionKey), sortKey: str(ix.SortKey), global: ix.PartitionKey != nil}
		if !indexNamePattern.MatchString(is.name) || names[is.name] {
			c.add(iw+".Name", validation.Invalid, is.name, "%q; expected a unique index name of 3-255 letters, digits or _.-", is.name)
		}
		names[is.name] = true
		if is.global && is.partitionKey != ts.partitionKey {
			c.add(iw+".PartitionKey", validation.Forbidden, is.partitionKey, "%q is not the table's partition key %q; a query on this global index is checked against %q, so a caller could read other callers' items. Expected an index partitioned by %q (or a local index)", is.partitionKey, ts.partitionKey, is.partitionKey, ts.partitionKey)
		}
		if !is.global && is.sortKey == "" {
			c.add(iw+".SortKey", validation.Required, nil, "is empty for a local index; expected the index's sort key")
		}
		if is.sortKey != "" && !attributeNamePattern.MatchString(is.sortKey) {
			c.add(iw+".SortKey", validation.Invalid, is.sortKey, "%q is not a DynamoDB attribute name", is.sortKey)
		}
		if !is.global && !ts.imported && ts.sortKey == "" {
			c.add(iw, validation.Conflict, nil, "a local index needs the table to have a sort key; set %s.SortKey", where)
		}
		ts.indexes = append(ts.indexes, is)
	}
}

func (c *checker) tableGrants(where string, t *TableRule, ts *tableSpec) {
	defaultOps := allTableOperations
	if t.Attributes != nil {
		// Whole-item deletes cannot be limited to attributes.
		defaultOps = []TableOperation{TableRead, TableWrite}
	}
	ts.grants[audienceAuthenticated] = c.tableOps(where+".Authenticated", t.Authenticated, defaultOps)
	if t.Guest != nil {
		ops := c.tableOps(where+".Guest", t.Guest, nil)
		if !c.s.guests {
			c.add(where+".Guest", validation.Conflict, nil, "grants %v but Guests is nil; expected Guests to be enabled first", ops)
		}
		if ts.partitionValue == PartitionByTenant {
			c.add(where+".Guest", validation.Forbidden, nil, "grants %v on a table partitioned by tenant; guests belong to no tenant. Expected no Guest grant here", ops)
		}
		for _, op := range ops {
			if op != TableRead {
				c.add(where+".Guest", validation.Forbidden, string(op), "%q on per-identity items; guests may only read, since a guest's identity ID changes when it signs in and anyone can be a guest", op)
			}
		}
		ts.grants[audienceGuest] = ops
	}
	for _, g := range sortedKeys(t.Groups) {
		gw := validation.Key(where+".Groups", g)
		if !c.groupNames[g] {
			c.add(gw, validation.NotSupported, g, "group %q is not declared in Groups", g)
		}
		ops := t.Groups[g]
		ts.grants[groupAudience(g)] = c.tableOps(gw, &ops, nil)
		if len(ops) > 0 {
			c.groupGranted[g] = true
		}
	}
}

func (c *checker) attributes(where string, t *TableRule, ts *tableSpec) {
	if t.Attributes == nil {
		return
	}
	attrs := map[string]bool{}
	for _, a := range *t.Attributes {
		name := str(a)
		if !attributeNamePattern.MatchString(name) {
			c.add(where+".Attributes", validation.Invalid, name, "%q is not a DynamoDB attribute name", name)
		}
		attrs[name] = true
	}
	if len(*t.Attributes) == 0 {
		c.add(where+".Attributes", validation.Required, nil, "is empty; expected the attributes clients may use, or nil for no limit")
	}
	for _, key := range ts.keyAttributes() {
		attrs[key] = true
	}
	ts.attributes = sortedKeys(attrs)
	for _, a := range sortedKeys(ts.grants) {
		if slices.Contains(ts.grants[a], TableDelete) {
			c.add(where+".Attributes", validation.Conflict, nil, "set together with %q for %s; DeleteItem removes whole items, so it cannot be limited to attributes. Expected no delete with Attributes", TableDelete, a)
		}
	}
}

func (c *checker) tableOps(where string, ops *[]TableOperation, def []TableOperation) []TableOperation {
	if ops == nil {
		return def
	}
	var out []TableOperation
	for _, op := range *ops {
		if !slices.Contains(allTableOperations, op) {
			c.add(where, validation.NotSupported, string(op), "unknown operation %q; expected one of %q, %q, %q", op, TableRead, TableWrite, TableDelete)
			continue
		}
		out = appendNew(out, op)
	}
	return out
}
