package directaccess

import (
	"fmt"
	"net/mail"
	"regexp"

	"github.com/apiless/apiless/validation"
)

// The guardrails' prop groups: throughput caps and storage lifecycle on the rules, presigned
// URLs, the block list and the maintenance switch on the construct.

// identityIDRegexp is an identity pool identity ID: region:GUID.
var identityIDRegexp = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// wholeNumber checks an optional whole number in [lo, hi]; def is returned for nil.
func (c *checker) wholeNumber(field string, v *float64, def, lo, hi int, unit string) int {
	if v == nil {
		return def
	}
	if *v != float64(int64(*v)) || *v < float64(lo) || *v > float64(hi) {
		c.add(field, validation.Invalid, *v, "%v; expected a whole number of %s from %d to %d", *v, unit, lo, hi)
		return def
	}
	return int(*v)
}

// tableCaps reads a table rule's on-demand throughput caps.
func (c *checker) tableCaps(where string, t *TableRule, ts *tableSpec) {
	// DynamoDB's on-demand maximum is bounded by the table's account quota (40,000 by default).
	const maxUnits = 40000
	ts.maxRead = c.wholeNumber(where+".MaxReadRequestUnits", t.MaxReadRequestUnits, DefaultMaxReadRequestUnits, 1, maxUnits, "request units per second")
	ts.maxWrite = c.wholeNumber(where+".MaxWriteRequestUnits", t.MaxWriteRequestUnits, DefaultMaxWriteRequestUnits, 1, maxUnits, "request units per second")
	capsSet := t.MaxReadRequestUnits != nil || t.MaxWriteRequestUnits != nil
	uncapped := t.UncappedThroughput != nil && *t.UncappedThroughput
	switch {
	case ts.imported && (capsSet || uncapped):
		c.add(where+".Table", validation.Conflict, nil, "is brought in while throughput caps are set on the rule; expected the caps on that table's own definition")
	case uncapped && capsSet:
		c.add(where+".UncappedThroughput", validation.Conflict, true, "is true while MaxReadRequestUnits or MaxWriteRequestUnits is set; expected one or the other")
	case uncapped:
		c.s.warn("uncappedThroughput", fmt.Sprintf("%s.UncappedThroughput is true: table %s has no on-demand maximum, so one client can run up the bill without limit", where, ts.name))
	}
	if uncapped || ts.imported {
		ts.maxRead, ts.maxWrite = 0, 0
	}
}

// bucketLifecycle reads a bucket rule's lifecycle.
func (c *checker) bucketLifecycle(where string, b *BucketRule, bs *bucketSpec) {
	bs.incompleteUploadDays = c.wholeNumber(where+".IncompleteUploadDays", b.IncompleteUploadDays, DefaultIncompleteUploadDays, 1, 3650, "days")
	bs.noncurrentVersionDays = c.wholeNumber(where+".NoncurrentVersionDays", b.NoncurrentVersionDays, DefaultNoncurrentVersionDays, 1, 3650, "days")
	if bs.imported && (b.IncompleteUploadDays != nil || b.NoncurrentVersionDays != nil) {
		c.add(where+".Bucket", validation.Conflict, nil, "is brought in while a lifecycle is set on the rule; expected the lifecycle on that bucket's own definition")
	}
	if bs.imported {
		bs.incompleteUploadDays, bs.noncurrentVersionDays = 0, 0
	}
}

// accessSwitches reads presigned URLs, the block list and the maintenance switch.
func (c *checker) accessSwitches() {
	p := c.props
	if p.PresignedGets != nil {
		// SigV4 presigned URLs are valid for at most seven days.
		c.s.presignedMaxAge = c.wholeNumber("PresignedGets.MaxAgeSeconds", p.PresignedGets.MaxAgeSeconds, DefaultPresignedMaxAgeSeconds, 1, 604800, "seconds")
		c.s.warn("presignedGets", fmt.Sprintf("PresignedGets is on: a presigned GET URL lets whoever holds it read the object for up to %d seconds", c.s.presignedMaxAge))
	}
	if p.BlockedIdentities != nil {
		seen := map[string]bool{}
		for i, id := range *p.BlockedIdentities {
			v := str(id)
			switch {
			case !identityIDRegexp.MatchString(v):
				c.add(validation.Index("BlockedIdentities", i), validation.Invalid, v, "%q is not an identity pool identity ID; expected region:GUID such as \"us-east-1:0a1b2c3d-0000-4000-8000-000000000000\" (not the user pool sub)", v)
			case seen[v]:
				c.add(validation.Index("BlockedIdentities", i), validation.Duplicate, v, "%q is listed twice", v)
			default:
				c.s.blocked = append(c.s.blocked, v)
			}
			seen[v] = true
		}
	}
	switch p.Maintenance {
	case "":
	case MaintenanceReadOnly, MaintenanceOff:
		c.s.maintenance = p.Maintenance
		c.s.warn("maintenance", fmt.Sprintf("Maintenance is %q: every role is denied %s", p.Maintenance, map[MaintenanceMode]string{MaintenanceReadOnly: "writes and deletes", MaintenanceOff: "every DynamoDB and S3 action"}[p.Maintenance]))
	default:
		c.add("Maintenance", validation.NotSupported, string(p.Maintenance), "%q is unknown; expected MaintenanceReadOnly (%q), MaintenanceOff (%q) or \"\"", p.Maintenance, MaintenanceReadOnly, MaintenanceOff)
	}
}

// snsTopicArnPattern is an SNS topic ARN (or a token, filled in at deploy time).
var snsTopicArnPattern = regexp.MustCompile(`^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$`)

// budget reads the budget kill switch.
func (c *checker) budget() {
	b := c.props.Budget
	if b == nil {
		return
	}
	bs := &budgetSpec{topicArn: str(b.TopicArn), notifyPercent: 80, actPercent: 100}
	if b.MonthlyLimitUsd == nil || *b.MonthlyLimitUsd <= 0 {
		c.add("Budget.MonthlyLimitUsd", validation.Invalid, describeFloat(b.MonthlyLimitUsd), "%s; expected a monthly limit in US dollars above 0", describeFloat(b.MonthlyLimitUsd))
	} else {
		bs.limit = *b.MonthlyLimitUsd
	}
	if b.Emails != nil {
		for i, e := range *b.Emails {
			addr, err := mail.ParseAddress(str(e))
			if err != nil || addr.Address != str(e) || addr.Name != "" {
				c.add(validation.Index("Budget.Emails", i), validation.Invalid, str(e), "%q is not an email address; expected e.g. \"ops@example.com\"", str(e))
				continue
			}
			bs.emails = append(bs.emails, addr.Address)
		}
		if len(*b.Emails) > 10 {
			c.add("Budget.Emails", validation.TooMany, len(*b.Emails), "%d addresses; AWS Budgets notifies at most 10 per notification. Expected an SNS topic for more", len(*b.Emails))
		}
	}
	if bs.topicArn != "" && !tokenPattern.MatchString(bs.topicArn) && !snsTopicArnPattern.MatchString(bs.topicArn) {
		c.add("Budget.TopicArn", validation.Invalid, bs.topicArn, "%q is not an SNS topic ARN", bs.topicArn)
	}
	if (b.Emails == nil || len(*b.Emails) == 0) && bs.topicArn == "" {
		c.add("Budget.Emails", validation.Required, nil, "is empty and TopicArn is nil; expected someone to tell when the kill switch fires")
	}
	bs.notifyPercent = float64(c.wholeNumber("Budget.NotifyAtPercent", b.NotifyAtPercent, 80, 1, 1000, "percent"))
	bs.actPercent = float64(c.wholeNumber("Budget.ActAtPercent", b.ActAtPercent, 100, 1, 1000, "percent"))
	c.s.budget = bs
}

// signIn reads sign-in protection and the email sender, which only apply to a new pool.
func (c *checker) signIn() {
	p := c.props
	if sp := p.SignInProtection; sp != nil {
		if p.UserPool != nil {
			c.add("SignInProtection", validation.Conflict, nil, "is set with a brought-in UserPool; expected threat protection and the web ACL to be configured with that pool")
		}
		c.s.threatProtection = sp.ThreatProtection == nil || *sp.ThreatProtection
		c.s.rateLimit = c.wholeNumber("SignInProtection.RequestsPerFiveMinutes", sp.RequestsPerFiveMinutes, 300, 10, 2000000000, "requests")
	}
	if e := p.EmailSender; e != nil {
		if p.UserPool != nil {
			c.add("EmailSender", validation.Conflict, nil, "is set with a brought-in UserPool; expected the sender to be configured on that pool")
		}
		es := &emailSpec{from: str(e.FromEmail), fromName: str(e.FromName), replyTo: str(e.ReplyTo), sesRegion: str(e.SesRegion), configurationSet: str(e.ConfigurationSetName)}
		for field, v := range map[string]string{"EmailSender.FromEmail": es.from, "EmailSender.ReplyTo": es.replyTo} {
			if a, err := mail.ParseAddress(v); (field == "EmailSender.FromEmail" || v != "") && (err != nil || a.Address != v) {
				c.add(field, validation.Invalid, v, "%q is not an email address; expected an SES-verified address such as \"no-reply@example.com\"", v)
			}
		}
		if es.sesRegion != "" && !regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d$`).MatchString(es.sesRegion) {
			c.add("EmailSender.SesRegion", validation.Invalid, es.sesRegion, "%q is not an AWS region", es.sesRegion)
		}
		c.s.email = es
	} else if p.UserPool == nil {
		c.s.warn("cognitoEmailSender", "EmailSender is nil: the user pool sends codes with Cognito's built-in sender, whose small daily quota anyone can exhaust with sign-up and resend calls, leaving real users without codes. Set EmailSender to send through SES")
	}
	if tt := p.TopTalkers; tt != nil {
		c.s.topTalkers, c.s.alarmTopic = true, str(tt.AlarmTopicArn)
		if c.s.alarmTopic != "" && !tokenPattern.MatchString(c.s.alarmTopic) && !snsTopicArnPattern.MatchString(c.s.alarmTopic) {
			c.add("TopTalkers.AlarmTopicArn", validation.Invalid, c.s.alarmTopic, "%q is not an SNS topic ARN", c.s.alarmTopic)
		}
	}
}
