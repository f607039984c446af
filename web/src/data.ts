// DynamoDB and S3 calls, signed with the identity pool's credentials. Keys come from lib/keys.
import {
  DeleteItemCommand,
  DynamoDBClient,
  type DynamoDBClientConfig,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { AppConfig } from './lib/config';
import { fileNameOf, folderFor, itemFromRecord, itemKey, itemRecord, objectKey, rawItemKey, type Item } from './lib/keys';

export type CredentialsProvider = DynamoDBClientConfig['credentials'];

export interface FileEntry {
  name: string;
  key: string;
  size: number;
  lastModified?: Date;
}

/** A probe's request: it must be refused by IAM. */
export type Probe = () => Promise<unknown>;

export function createDataApi(cfg: AppConfig, credentials: CredentialsProvider) {
  // Against `apiless dev` every call goes to its one local endpoint, S3 path-style.
  const local = cfg.endpoint ? { endpoint: cfg.endpoint } : {};
  const ddb = new DynamoDBClient({ region: cfg.region, credentials, maxAttempts: 2, ...local });
  const s3 = new S3Client({ region: cfg.region, credentials, maxAttempts: 2, ...local, ...(cfg.endpoint ? { forcePathStyle: true } : {}) });
  const table = cfg.table;
  const Bucket = cfg.bucket.bucketName;
  const TableName = table.tableName;

  return {
    async putItem(identityId: string, itemId: string, text: string): Promise<Item> {
      const item = { itemId, text, updatedAt: new Date().toISOString() };
      await ddb.send(new PutItemCommand({ TableName, Item: itemRecord(table, identityId, item) }));
      return item;
    },
    async getItem(identityId: string, itemId: string): Promise<Item | undefined> {
      const out = await ddb.send(new GetItemCommand({ TableName, Key: itemKey(table, identityId, itemId), ConsistentRead: true }));
      return out.Item ? itemFromRecord(table, out.Item) : undefined;
    },
    async listItems(identityId: string): Promise<Item[]> {
      const items: Item[] = [];
      let ExclusiveStartKey: Record<string, never> | undefined;
      do {
        const out = await ddb.send(
          new QueryCommand({
            TableName,
            KeyConditionExpression: '#pk = :id',
            ExpressionAttributeNames: { '#pk': table.partitionKey },
            ExpressionAttributeValues: { ':id': { S: identityId } },
            ExclusiveStartKey,
          }),
        );
        for (const rec of out.Items ?? []) items.push(itemFromRecord(table, rec));
        ExclusiveStartKey = out.LastEvaluatedKey as typeof ExclusiveStartKey;
      } while (ExclusiveStartKey);
      return items;
    },
    async deleteItem(identityId: string, itemId: string): Promise<void> {
      await ddb.send(new DeleteItemCommand({ TableName, Key: itemKey(table, identityId, itemId) }));
    },

    folder(identityId: string): string {
      return folderFor(cfg.bucket.ownerPath, identityId);
    },
    async upload(identityId: string, fileName: string, body: Uint8Array, contentType?: string): Promise<string> {
      const Key = objectKey(cfg.bucket.ownerPath, identityId, fileName);
      await s3.send(new PutObjectCommand({ Bucket, Key, Body: body, ContentType: contentType || 'application/octet-stream' }));
      return Key;
    },
    async listFiles(identityId: string): Promise<FileEntry[]> {
      const Prefix = folderFor(cfg.bucket.ownerPath, identityId);
      const files: FileEntry[] = [];
      let ContinuationToken: string | undefined;
      do {
        const out = await s3.send(new ListObjectsV2Command({ Bucket, Prefix, ContinuationToken }));
        for (const o of out.Contents ?? []) {
          if (!o.Key) continue;
          files.push({ name: fileNameOf(Prefix, o.Key), key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified });
        }
        ContinuationToken = out.IsTruncated ? out.NextContinuationToken : undefined;
      } while (ContinuationToken);
      return files;
    },
    async download(identityId: string, fileName: string): Promise<{ bytes: Uint8Array; contentType?: string }> {
      const out = await s3.send(new GetObjectCommand({ Bucket, Key: objectKey(cfg.bucket.ownerPath, identityId, fileName) }));
      const bytes = out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
      return { bytes, contentType: out.ContentType };
    },
    async deleteFile(identityId: string, fileName: string): Promise<void> {
      await s3.send(new DeleteObjectCommand({ Bucket, Key: objectKey(cfg.bucket.ownerPath, identityId, fileName) }));
    },

    /** Requests IAM must refuse. Each reads, except "outside", which writes and cleans up if it was let through. */
    probes(me: { identityId: string; sub: string }, otherIdentityId: string, otherFileName: string): Record<string, Probe> {
      return {
        otherItem: () => ddb.send(new GetItemCommand({ TableName, Key: rawItemKey(table, otherIdentityId, 'isolation-probe') })),
        subKey: () => ddb.send(new GetItemCommand({ TableName, Key: rawItemKey(table, me.sub, 'isolation-probe') })),
        otherObject: () =>
          s3.send(new GetObjectCommand({ Bucket, Key: folderFor(cfg.bucket.ownerPath, otherIdentityId) + otherFileName })),
        outsideFolder: async () => {
          const Key = `isolation-probe-${me.identityId.split(':')[1] ?? 'x'}.txt`;
          await s3.send(new PutObjectCommand({ Bucket, Key, Body: new TextEncoder().encode('should have been denied') }));
          await s3.send(new DeleteObjectCommand({ Bucket, Key })).catch(() => undefined);
        },
      };
    },
  };
}

export type DataApi = ReturnType<typeof createDataApi>;
