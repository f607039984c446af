package isolation

import "strings"

// The action catalogue: every DynamoDB and S3 action in the AWS Service Authorization Reference,
// grouped by what it lets a caller reach. The check tries each one; a grant of any action outside
// the item and object operations is reported, so a wildcard such as "s3:*" or "dynamodb:*" in a
// policy shows up as what it really grants.

// category says what an action reaches and how an Allow for it is judged.
type category int

const (
	// catItemRead and catItemWrite act on items and carry dynamodb:LeadingKeys.
	catItemRead category = iota
	catItemWrite
	// catBulk reads or writes a whole table or index (Scan, export, streams, replication).
	catBulk
	// catObjectRead and catObjectWrite act on one object.
	catObjectRead
	catObjectWrite
	// catList lists object keys and takes s3:prefix.
	catList
	// catUploads lists in-progress multipart uploads; IAM has no prefix key for it.
	catUploads
	// catMetadata reads configuration or names, not user data.
	catMetadata
	// catAdmin changes configuration or permissions, or copies data wholesale.
	catAdmin
)

// resKind is the resource type an action is authorized on.
type resKind int

const (
	resNone resKind = iota // no resource type: the request is authorized on "*"
	resTable
	resIndex
	resStream
	resBackup
	resExport
	resImport
	resGlobalTable
	resObject
	resBucket
	resAccessPoint
	resObjectLambdaAccessPoint
	resJob
	resStorageLens
	resStorageLensGroup
	resMultiRegionAccessPoint
	resMultiRegionRequest
	resAccessGrantsInstance
	resAccessGrantsLocation
	resAccessGrant
)

type action struct {
	name string // with the service prefix, e.g. "dynamodb:GetItem"
	cat  category
	res  []resKind
}

func group(service string, cat category, res []resKind, names string) []action {
	var out []action
	for _, n := range strings.Fields(names) {
		out = append(out, action{name: service + ":" + n, cat: cat, res: res})
	}
	return out
}

var (
	onTable        = []resKind{resTable}
	onTableOrIndex = []resKind{resTable, resIndex}
	onIndex        = []resKind{resIndex}
	onStream       = []resKind{resStream}
	onBackup       = []resKind{resBackup}
	onExport       = []resKind{resExport}
	onImport       = []resKind{resImport}
	onGlobalTable  = []resKind{resGlobalTable}
	onNothing      = []resKind{resNone}
	onObject       = []resKind{resObject}
	onBucket       = []resKind{resBucket}
)

func join(groups ...[]action) []action {
	var out []action
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// dynamoActions lists the DynamoDB actions (Service Authorization Reference, Amazon DynamoDB).
var dynamoActions = join(
	group("dynamodb", catItemRead, onTable, "BatchGetItem ConditionCheckItem GetItem"),
	group("dynamodb", catItemRead, onTableOrIndex, "PartiQLSelect Query"),
	group("dynamodb", catItemWrite, onTable, "BatchWriteItem DeleteItem PartiQLDelete PartiQLInsert PartiQLUpdate PutItem UpdateItem"),
	group("dynamodb", catBulk, onTableOrIndex, "Scan"),
	group("dynamodb", catBulk, onIndex, "SearchVectors"),
	group("dynamodb", catBulk, onTable, "ExportTableToPointInTime ReadDataForReplication WriteDataForReplication"),
	group("dynamodb", catBulk, onStream, "GetRecords GetShardIterator"),
	group("dynamodb", catMetadata, onTable, "DescribeContinuousBackups DescribeKinesisStreamingDestination DescribeTable "+
		"DescribeTableReplicaAutoScaling DescribeTimeToLive GetResourcePolicy ListTagsOfResource"),
	group("dynamodb", catMetadata, onTableOrIndex, "DescribeContributorInsights"),
	group("dynamodb", catMetadata, onStream, "DescribeStream"),
	group("dynamodb", catMetadata, onBackup, "DescribeBackup"),
	group("dynamodb", catMetadata, onExport, "DescribeExport"),
	group("dynamodb", catMetadata, onImport, "DescribeImport"),
	group("dynamodb", catMetadata, onGlobalTable, "DescribeGlobalTable DescribeGlobalTableSettings"),
	group("dynamodb", catMetadata, onNothing, "DescribeEndpoints DescribeLimits DescribeReservedCapacity "+
		"DescribeReservedCapacityOfferings GetAbacStatus ListBackups ListContributorInsights ListExports "+
		"ListGlobalTables ListImports ListStreams ListTables"),
	group("dynamodb", catAdmin, onTable, "AssociateTableReplica CreateBackup CreateGlobalTableWitness CreateTable "+
		"CreateTableReplica DeleteGlobalTableWitness DeleteResourcePolicy DeleteTable DeleteTableReplica "+
		"DisableKinesisStreamingDestination EnableKinesisStreamingDestination ImportTable PutResourcePolicy "+
		"ReplicateSettings RestoreTableFromAwsBackup RestoreTableToPointInTime StartAwsBackupJob TagResource "+
		"UntagResource UpdateContinuousBackups UpdateKinesisStreamingDestination UpdateTable "+
		"UpdateTableReplicaAutoScaling UpdateTimeToLive"),
	group("dynamodb", catAdmin, onTableOrIndex, "UpdateContributorInsights"),
	group("dynamodb", catAdmin, onBackup, "DeleteBackup RestoreTableFromBackup"),
	group("dynamodb", catAdmin, onGlobalTable, "CreateGlobalTable UpdateGlobalTable UpdateGlobalTableSettings UpdateGlobalTableVersion"),
	group("dynamodb", catAdmin, onNothing, "InjectError PurchaseReservedCapacityOfferings UpdateAbacStatus"),
)

// s3Actions lists the S3 actions (Service Authorization Reference, Amazon S3).
var s3Actions = join(
	group("s3", catObjectRead, onObject, "GetObject GetObjectAcl GetObjectAttributes GetObjectLegalHold "+
		"GetObjectRetention GetObjectTagging GetObjectTorrent GetObjectVersion GetObjectVersionAcl "+
		"GetObjectVersionAttributes GetObjectVersionForReplication GetObjectVersionTagging "+
		"GetObjectVersionTorrent ListMultipartUploadParts"),
	group("s3", catObjectWrite, onObject, "AbortMultipartUpload BypassGovernanceRetention DeleteObject "+
		"DeleteObjectTagging DeleteObjectVersion DeleteObjectVersionTagging InitiateReplication "+
		"ObjectOwnerOverrideToBucketOwner PutObject PutObjectAcl PutObjectLegalHold PutObjectRetention "+
		"PutObjectTagging PutObjectVersionAcl PutObjectVersionTagging ReplicateDelete ReplicateObject "+
		"ReplicateTags RestoreObject"),
	group("s3", catList, onBucket, "ListBucket ListBucketVersions"),
	group("s3", catUploads, onBucket, "ListBucketMultipartUploads"),
	group("s3", catMetadata, onBucket, "GetAccelerateConfiguration GetAnalyticsConfiguration GetBucketAbac "+
		"GetBucketAcl GetBucketCORS GetBucketLocation GetBucketLogging GetBucketMetadataTableConfiguration "+
		"GetBucketNotification GetBucketObjectLockConfiguration GetBucketOwnershipControls GetBucketPolicy "+
		"GetBucketPolicyStatus GetBucketPublicAccessBlock GetBucketRequestPayment GetBucketTagging "+
		"GetBucketVersioning GetBucketWebsite GetEncryptionConfiguration GetIntelligentTieringConfiguration "+
		"GetInventoryConfiguration GetLifecycleConfiguration GetMetricsConfiguration "+
		"GetReplicationConfiguration ListTagsForResource"),
	group("s3", catAdmin, onBucket, "CreateBucket CreateBucketMetadataTableConfiguration DeleteBucket "+
		"DeleteBucketMetadataTableConfiguration DeleteBucketPolicy DeleteBucketWebsite PauseReplication "+
		"PutAccelerateConfiguration PutAnalyticsConfiguration PutBucketAbac PutBucketAcl PutBucketCORS "+
		"PutBucketLogging PutBucketNotification PutBucketObjectLockConfiguration PutBucketOwnershipControls "+
		"PutBucketPolicy PutBucketPublicAccessBlock PutBucketRequestPayment PutBucketTagging "+
		"PutBucketVersioning PutBucketWebsite PutEncryptionConfiguration PutIntelligentTieringConfiguration "+
		"PutInventoryConfiguration PutLifecycleConfiguration PutMetricsConfiguration "+
		"PutReplicationConfiguration TagResource UntagResource UpdateBucketMetadataInventoryTableConfiguration "+
		"UpdateBucketMetadataJournalTableConfiguration"),
	// Account-level actions and the other S3 resource types (access points, batch jobs, Storage
	// Lens, Multi-Region Access Points, Access Grants).
	group("s3", catMetadata, onNothing, "GetAccessPoint GetAccountPublicAccessBlock ListAccessGrantsInstances "+
		"ListAccessPoints ListAccessPointsForObjectLambda ListAllMyBuckets ListJobs ListMultiRegionAccessPoints "+
		"ListStorageLensConfigurations ListStorageLensGroups"),
	group("s3", catMetadata, []resKind{resAccessPoint}, "GetAccessPointPolicy GetAccessPointPolicyStatus"),
	group("s3", catMetadata, []resKind{resObjectLambdaAccessPoint}, "GetAccessPointConfigurationForObjectLambda "+
		"GetAccessPointForObjectLambda GetAccessPointPolicyForObjectLambda GetAccessPointPolicyStatusForObjectLambda"),
	group("s3", catMetadata, []resKind{resJob}, "DescribeJob GetJobTagging"),
	group("s3", catMetadata, []resKind{resStorageLens}, "GetStorageLensConfiguration GetStorageLensConfigurationTagging GetStorageLensDashboard"),
	group("s3", catMetadata, []resKind{resStorageLensGroup}, "GetStorageLensGroup"),
	group("s3", catMetadata, []resKind{resMultiRegionAccessPoint}, "GetMultiRegionAccessPoint "+
		"GetMultiRegionAccessPointPolicy GetMultiRegionAccessPointPolicyStatus GetMultiRegionAccessPointRoutes"),
	group("s3", catMetadata, []resKind{resMultiRegionRequest}, "DescribeMultiRegionAccessPointOperation"),
	group("s3", catMetadata, []resKind{resAccessGrantsInstance}, "GetAccessGrantsInstance GetAccessGrantsInstanceForPrefix "+
		"GetAccessGrantsInstanceResourcePolicy ListAccessGrants ListAccessGrantsLocations ListCallerAccessGrants"),
	group("s3", catMetadata, []resKind{resAccessGrantsLocation}, "GetAccessGrantsLocation"),
	group("s3", catMetadata, []resKind{resAccessGrant}, "GetAccessGrant"),
	group("s3", catAdmin, onNothing, "CreateJob CreateStorageLensGroup PutAccessPointPublicAccessBlock "+
		"PutAccountPublicAccessBlock PutStorageLensConfiguration"),
	group("s3", catAdmin, []resKind{resAccessPoint}, "CreateAccessPoint DeleteAccessPoint DeleteAccessPointPolicy PutAccessPointPolicy"),
	group("s3", catAdmin, []resKind{resObjectLambdaAccessPoint}, "CreateAccessPointForObjectLambda "+
		"DeleteAccessPointForObjectLambda DeleteAccessPointPolicyForObjectLambda "+
		"PutAccessPointConfigurationForObjectLambda PutAccessPointPolicyForObjectLambda"),
	group("s3", catAdmin, []resKind{resJob}, "DeleteJobTagging PutJobTagging UpdateJobPriority UpdateJobStatus"),
	group("s3", catAdmin, []resKind{resStorageLens}, "DeleteStorageLensConfiguration DeleteStorageLensConfigurationTagging "+
		"PutStorageLensConfigurationTagging"),
	group("s3", catAdmin, []resKind{resStorageLensGroup}, "DeleteStorageLensGroup UpdateStorageLensGroup"),
	group("s3", catAdmin, []resKind{resMultiRegionAccessPoint}, "CreateMultiRegionAccessPoint DeleteMultiRegionAccessPoint "+
		"PutMultiRegionAccessPointPolicy SubmitMultiRegionAccessPointRoutes"),
	// GetDataAccess vends credentials for Access Grants locations: an administrative grant.
	group("s3", catAdmin, []resKind{resAccessGrantsInstance}, "AssociateAccessGrantsIdentityCenter "+
		"CreateAccessGrantsInstance CreateAccessGrantsLocation DeleteAccessGrantsInstance "+
		"DeleteAccessGrantsInstanceResourcePolicy DissociateAccessGrantsIdentityCenter GetDataAccess "+
		"PutAccessGrantsInstanceResourcePolicy"),
	group("s3", catAdmin, []resKind{resAccessGrantsLocation}, "CreateAccessGrant DeleteAccessGrantsLocation UpdateAccessGrantsLocation"),
	group("s3", catAdmin, []resKind{resAccessGrant}, "DeleteAccessGrant"),
)

// ActionCount returns how many DynamoDB and S3 actions the check tries.
func ActionCount() (dynamodb, s3 int) { return len(dynamoActions), len(s3Actions) }

func actionsIn(list []action, cat category, kind resKind) []action {
	var out []action
	for _, a := range list {
		if a.cat != cat {
			continue
		}
		for _, r := range a.res {
			if r == kind {
				out = append(out, a)
				break
			}
		}
	}
	return out
}

// mixedKeyActions can carry several partition keys in one request, so a batch with one own and one
// foreign key is a real request for them.
var mixedKeyActions = map[string]bool{
	"dynamodb:BatchGetItem": true, "dynamodb:BatchWriteItem": true, "dynamodb:PartiQLSelect": true,
	"dynamodb:PartiQLInsert": true, "dynamodb:PartiQLUpdate": true, "dynamodb:PartiQLDelete": true,
}
