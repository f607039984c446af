import { describe, expect, it } from 'vitest';
import {
  assertIdentityId,
  fileNameOf,
  fileNameProblem,
  folderFor,
  isIdentityId,
  itemFromRecord,
  itemKey,
  itemRecord,
  jwtClaims,
  objectKey,
  rawItemKey,
} from '../src/lib/keys';

const ID = 'us-east-1:7c1b6f4e-0000-4000-8000-00000000e001';
const SUB = '9a8b7c6d-1111-4222-8333-444455556666';
const table = { partitionKey: 'userId', sortKey: 'itemId' };

describe('identity IDs', () => {
  it.each([
    [ID, true],
    ['eu-central-1:2d9e8f7a-1111-4222-8333-00000000e002', true],
    ['ap-southeast-2:00000000-0000-0000-0000-000000000000', true],
    [SUB, false], // the user pool sub: the classic mistake
    ['us-east-1:not-a-uuid', false],
    ['us-east-1_Ex4mpleP0', false], // a user pool ID
    ['', false],
  ])('isIdentityId(%j) = %s', (value, want) => {
    expect(isIdentityId(value)).toBe(want);
  });

  it('refuses the user pool sub with a message that says what to use', () => {
    expect(() => assertIdentityId(SUB)).toThrow(/not an identity pool identity ID.*fetchAuthSession\(\)\.identityId, not the user pool sub/);
  });
});

describe('DynamoDB keys', () => {
  it('puts the identity ID in the partition key and the item ID in the sort key', () => {
    expect(itemKey(table, ID, 'note-1')).toEqual({ userId: { S: ID }, itemId: { S: 'note-1' } });
  });

  it('uses the attribute names from the config', () => {
    expect(itemKey({ partitionKey: 'ownerId', sortKey: 'noteId' }, ID, 'n')).toEqual({ ownerId: { S: ID }, noteId: { S: 'n' } });
  });

  it('refuses a sub as partition value, but the isolation probes can still build such a key', () => {
    expect(() => itemKey(table, SUB, 'x')).toThrow(/not an identity pool identity ID/);
    expect(rawItemKey(table, SUB, 'x')).toEqual({ userId: { S: SUB }, itemId: { S: 'x' } });
  });

  it('refuses an empty item ID', () => {
    expect(() => itemKey(table, ID, '')).toThrow(/item ID is empty/);
  });

  it('round-trips an item', () => {
    const item = { itemId: 'a', text: 'hello', updatedAt: '2026-01-01T00:00:00.000Z' };
    const rec = itemRecord(table, ID, item);
    expect(rec.userId).toEqual({ S: ID });
    expect(itemFromRecord(table, rec)).toEqual(item);
  });
});

describe('S3 keys', () => {
  it.each([
    ['{identity}/*', `${ID}/`],
    ['private/{identity}/*', `private/${ID}/`],
    ['apps/demo/{identity}/*', `apps/demo/${ID}/`],
  ])('folderFor(%j) = %j', (template, want) => {
    expect(folderFor(template, ID)).toBe(want);
  });

  it('rejects templates without a final /* or with {identity} twice or never', () => {
    expect(() => folderFor('{identity}', ID)).toThrow(/does not end with/);
    expect(() => folderFor('{identity}/{identity}/*', ID)).toThrow(/once/);
    expect(() => folderFor('public/*', ID)).toThrow(/once/);
  });

  it('builds object keys under the identity folder only', () => {
    expect(objectKey('{identity}/*', ID, 'photo.png')).toBe(`${ID}/photo.png`);
    expect(() => objectKey('{identity}/*', SUB, 'photo.png')).toThrow(/identity ID/);
  });

  it.each([
    ['', /empty/],
    ['../escape.txt', /"\/"/],
    ['a/b.txt', /"\/"/],
    ['a\\b.txt', /"\/"/],
    ['..', /"\." or "\.\."/],
    ['bad\nname', /control/],
    ['x'.repeat(513), /too long/],
  ])('refuses file name %j', (name, want) => {
    expect(fileNameProblem(name)).toMatch(want);
    expect(() => objectKey('{identity}/*', ID, name)).toThrow(want);
  });

  it('accepts ordinary names, including spaces and non-ASCII', () => {
    expect(fileNameProblem('hello world.txt')).toBeUndefined();
    expect(fileNameProblem('résumé.pdf')).toBeUndefined();
  });

  it('strips the folder from listed keys', () => {
    expect(fileNameOf(`${ID}/`, `${ID}/a.txt`)).toBe('a.txt');
  });
});

describe('jwtClaims', () => {
  it('reads base64url payloads, including non-ASCII', () => {
    const payload = Buffer.from(JSON.stringify({ sub: SUB, name: 'Zoë' })).toString('base64url');
    expect(jwtClaims(`x.${payload}.sig`)).toEqual({ sub: SUB, name: 'Zoë' });
  });
});
