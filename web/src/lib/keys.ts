// Key and path building. Everything a caller owns is keyed by the identity pool identity ID
// ("us-east-1:0f1e...", from fetchAuthSession().identityId) - never by the user pool "sub",
// which IAM's ${cognito-identity.amazonaws.com:sub} does not match. Pure functions.

/** An identity pool identity ID: "<region>:<uuid>". */
const IDENTITY_ID = /^[a-z]{2}(-[a-z]+)+-\d:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isIdentityId(value: string): boolean {
  return IDENTITY_ID.test(value);
}

export class KeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyError';
  }
}

/** Throws unless value is an identity ID; catches the classic mistake of passing the user pool sub. */
export function assertIdentityId(value: string): void {
  if (!isIdentityId(value)) {
    throw new KeyError(
      `"${value}" is not an identity pool identity ID ("<region>:<uuid>"): use fetchAuthSession().identityId, not the user pool sub`,
    );
  }
}

export interface TableKeys {
  partitionKey: string;
  sortKey: string;
}

export type AttributeMap = Record<string, { S: string }>;

/** The DynamoDB key of one of the caller's items. */
export function itemKey(table: TableKeys, identityId: string, itemId: string): AttributeMap {
  assertIdentityId(identityId);
  return rawItemKey(table, identityId, itemId);
}

/** A key with any partition value: only for the isolation demo, which tries keys IAM must refuse. */
export function rawItemKey(table: TableKeys, partitionValue: string, itemId: string): AttributeMap {
  if (itemId === '') throw new KeyError('item ID is empty');
  return { [table.partitionKey]: { S: partitionValue }, [table.sortKey]: { S: itemId } };
}

export interface Item {
  itemId: string;
  text: string;
  updatedAt: string;
}

/** The full DynamoDB item for PutItem. */
export function itemRecord(table: TableKeys, identityId: string, item: Item): AttributeMap {
  return {
    ...itemKey(table, identityId, item.itemId),
    text: { S: item.text },
    updatedAt: { S: item.updatedAt },
  };
}

/** Reads an item back from DynamoDB's attribute map. */
export function itemFromRecord(table: TableKeys, rec: Record<string, { S?: string }>): Item {
  return {
    itemId: rec[table.sortKey]?.S ?? '',
    text: rec.text?.S ?? '',
    updatedAt: rec.updatedAt?.S ?? '',
  };
}

/**
 * The folder of a path template for one identity: "private/{identity}/*" -> "private/<id>/".
 * The template must end with "/*" and hold {identity} once.
 */
export function folderFor(template: string, identityId: string): string {
  if (!template.endsWith('/*')) throw new KeyError(`path template "${template}" does not end with "/*"`);
  if (template.split('{identity}').length !== 2) throw new KeyError(`path template "${template}" must hold {identity} once`);
  return template.slice(0, -1).replace('{identity}', identityId);
}

/** Checks a file name chosen by the user; it becomes the last part of an S3 key. */
export function fileNameProblem(name: string): string | undefined {
  if (name.trim() === '') return 'the file name is empty';
  if (name.includes('/') || name.includes('\\')) return 'the file name must not contain "/" or "\\"';
  if (name === '.' || name === '..') return 'the file name must not be "." or ".."';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'the file name has control characters';
  if (new TextEncoder().encode(name).length > 512) return 'the file name is too long';
  return undefined;
}

/** The S3 key of one of the caller's files. */
export function objectKey(template: string, identityId: string, fileName: string): string {
  assertIdentityId(identityId);
  const problem = fileNameProblem(fileName);
  if (problem) throw new KeyError(problem);
  return folderFor(template, identityId) + fileName;
}

/** The file name part of a key inside a folder ("<folder>a.txt" -> "a.txt"). */
export function fileNameOf(folder: string, key: string): string {
  return key.startsWith(folder) ? key.slice(folder.length) : key;
}

/** Claims of a JWT payload without verification (the page only reads its own ID token's "sub"). */
export function jwtClaims(token: string): Record<string, unknown> {
  const part = token.split('.')[1];
  if (!part) throw new KeyError('not a JWT');
  const b64 = part.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  const json = new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
  return JSON.parse(json) as Record<string, unknown>;
}
