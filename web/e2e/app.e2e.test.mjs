// Browser test of the BUILT demo (dist-e2e/, built with the example config) in Debian's headless
// Chromium, driven by playwright-core. Every AWS endpoint is answered by FakeAws through route
// interception, so the assertions are about what the page really sends.
//
// Run: npm run test:e2e   (CHROMIUM=/path/to/chromium to use another binary)
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { FakeAws } from './fake-aws.mjs';

const web = fileURLToPath(new URL('..', import.meta.url));
const dist = join(web, 'dist-e2e');
const artifacts = join(web, 'test-results');
const outputs = JSON.parse(readFileSync(join(web, 'example', 'amplify_outputs.json'), 'utf8'));
const apiless = outputs.custom.apiless;
const EMAIL = 'ada@example.com';
const PASSWORD = 'Correct-horse-battery-9';

// Settings the fake serves, read from the same generated file the page was built with.
const fake = new FakeAws({
  region: outputs.auth.aws_region,
  userPoolId: outputs.auth.user_pool_id,
  userPoolClientId: outputs.auth.user_pool_client_id,
  identityPoolId: outputs.auth.identity_pool_id,
  table: { tableName: apiless.tables[0].table_name, partitionKey: apiless.tables[0].partition_key, sortKey: apiless.tables[0].sort_key },
  bucket: { bucketName: apiless.buckets[0].bucket_name, ownerPath: Object.keys(apiless.buckets[0].paths).find((p) => apiless.buckets[0].paths[p].owner) },
});
// The first credentials expire 5m20s after issue: valid for the SDK (it refreshes 5 minutes
// ahead) until the test moves the page's clock forward 2 minutes. Later ones last an hour.
fake.credentialLifetimesMs = [320_000, 3_600_000];

const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.svg': 'image/svg+xml' };
let server;
let browser;
let page;
let baseURL;
const pageErrors = [];
const blocked = [];

before(async () => {
  assert.ok(existsSync(join(dist, 'index.html')), 'dist-e2e/index.html missing: run "npm run test:e2e", which builds it first');
  server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    let file = join(dist, path);
    if (!file.startsWith(dist) || !existsSync(file) || path.endsWith('/')) file = join(dist, 'index.html');
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseURL = `http://127.0.0.1:${server.address().port}/`;

  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const context = await browser.newContext({ acceptDownloads: true });
  await context.route((url) => url.hostname.endsWith('.amazonaws.com'), (route) => fake.handle(route));
  // Nothing else may leave the machine: anything not local and not AWS is refused and reported.
  await context.route(
    (url) => !url.hostname.endsWith('.amazonaws.com') && url.hostname !== '127.0.0.1',
    (route) => {
      blocked.push(route.request().url());
      return route.abort();
    },
  );
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.clock.install();
  await page.goto(baseURL);
  await page.waitForSelector('body[data-ready=true]');
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
});

const status = () => page.locator('#status');
async function expectStatus(re) {
  await page.waitForFunction((src) => new RegExp(src).test(document.getElementById('status').textContent), re.source, { timeout: 15_000 }).catch(() => {});
  assert.match(await status().textContent(), re);
}
const identityId = () => fake.identities.get(fake.users.get(EMAIL).sub);
// The owner folder from the generated config ("private/{identity}/*" in the demo stack).
const ownerPath = Object.keys(apiless.buckets[0].paths).find((p) => apiless.buckets[0].paths[p].owner);
const folderOf = (id) => ownerPath.slice(0, -1).replace('{identity}', id);
const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('demo app against faked AWS endpoints', () => {
  it('starts signed out and says it runs on the example config', async () => {
    assert.equal(await page.locator('#signed-out').isVisible(), true);
    const banner = await page.locator('#config-banner').textContent();
    assert.match(banner, /sample configuration in web\/example/);
    // The .env was loaded and agrees with amplify_outputs.json (the page compares the two).
    assert.doesNotMatch(banner, /disagree|\.env:/);
    assert.match(await page.locator('#password-hint').textContent(), /at least 8 characters/);
  });

  it('signs up and confirms with the emailed code', async () => {
    const form = page.locator('#sign-up-form');
    await form.locator('[name=email]').fill(EMAIL);
    await form.locator('[name=password]').fill('short');
    await form.locator('button').click();
    await expectStatus(/Sign up: The password needs at least 8 characters/);
    assert.equal(fake.callsOf('SignUp').length, 0, 'a password that breaks the policy must not reach Cognito');

    await form.locator('[name=password]').fill(PASSWORD);
    await form.locator('button').click();
    await expectStatus(/Signed up\. Enter the code sent to u\*\*\*@e\*\*\*/);
    const [signUp] = fake.callsOf('SignUp');
    assert.equal(signUp.input.Username, EMAIL);
    assert.deepEqual(signUp.input.UserAttributes, [{ Name: 'email', Value: EMAIL }]);

    const confirm = page.locator('#confirm-form');
    assert.equal(await confirm.locator('[name=email]').inputValue(), EMAIL);
    await confirm.locator('[name=code]').fill('000000');
    await confirm.locator('button').click();
    await expectStatus(/Confirm sign-up: Invalid verification code/);
    await confirm.locator('[name=code]').fill('123456');
    await confirm.locator('button').click();
    await expectStatus(/Confirmed\. You can sign in\./);
    assert.equal(fake.users.get(EMAIL).confirmed, true);
  });

  it('refuses a wrong password: the fake checks the SRP proof', async () => {
    const form = page.locator('#sign-in-form');
    await form.locator('[name=email]').fill(EMAIL);
    await form.locator('[name=password]').fill('Wrong-password-123');
    await form.locator('button').click();
    await expectStatus(/Sign in: Wrong email or password\./);
    assert.equal(fake.callsOf('RespondToAuthChallenge').at(-1).signatureValid, false);
  });

  it('signs in with SRP and gets identity-pool credentials for its identity ID', async () => {
    const form = page.locator('#sign-in-form');
    await form.locator('[name=password]').fill(PASSWORD);
    await form.locator('button').click();
    await page.waitForSelector('#signed-in:not([hidden])', { timeout: 15_000 });
    await expectStatus(/Signed in as ada@example\.com/);

    assert.equal(fake.callsOf('InitiateAuth').at(-1).input.AuthFlow, 'USER_SRP_AUTH');
    assert.equal(fake.callsOf('RespondToAuthChallenge').at(-1).signatureValid, true, 'the page proved the password over SRP');
    const [getId] = fake.callsOf('GetId');
    assert.equal(getId.input.IdentityPoolId, outputs.auth.identity_pool_id);
    assert.deepEqual(Object.keys(getId.input.Logins), [`cognito-idp.us-east-1.amazonaws.com/${outputs.auth.user_pool_id}`]);
    assert.equal(fake.callsOf('GetCredentialsForIdentity').length, 1);

    const id = identityId();
    assert.match(id, /^us-east-1:[0-9a-f-]{36}$/);
    assert.equal(await page.locator('#identity-id').textContent(), id);
    assert.equal(await page.locator('#sub').textContent(), fake.users.get(EMAIL).sub);
    assert.notEqual(id, fake.users.get(EMAIL).sub);
    assert.equal(await page.locator('#access-key').textContent(), 'ASIAFAKE000000000001');
    assert.equal(await page.locator('#folder').textContent(), folderOf(id));
    assert.match(folderOf(id), /^private\/us-east-1:/);
    // The initial lists went out signed, keyed by the identity ID.
    assert.equal(fake.callsOf('Query')[0].partitionValue, id);
    assert.equal(fake.callsOf('ListObjectsV2')[0].prefix, folderOf(id));
  });

  it('puts, gets and lists items keyed by the identity ID, signed with the identity-pool key', async () => {
    const form = page.locator('#item-form');
    await form.locator('[name=itemId]').fill('note-1');
    await form.locator('[name=text]').fill('hello from the browser');
    await form.locator('button[type=submit]').click();
    await expectStatus(/Saved item note-1\./);
    const put = fake.callsOf('PutItem').at(-1);
    assert.equal(put.signatureValid, true);
    assert.equal(put.accessKeyId, 'ASIAFAKE000000000001');
    assert.equal(put.input.TableName, apiless.tables[0].table_name);
    assert.deepEqual(put.input.Item.userId, { S: identityId() });
    assert.deepEqual(put.input.Item.itemId, { S: 'note-1' });
    assert.equal(put.input.Item.text.S, 'hello from the browser');
    assert.equal(await page.locator('#items li[data-item-id=note-1]').count(), 1);

    await page.locator('#get-item').click();
    await expectStatus(/Item note-1: "hello from the browser"/);
    assert.deepEqual(fake.callsOf('GetItem').at(-1).input.Key, { userId: { S: identityId() }, itemId: { S: 'note-1' } });
  });

  it('uploads, lists and downloads files under the identity folder', async () => {
    await page.locator('#upload-form [name=file]').setInputFiles({ name: 'hello.txt', mimeType: 'text/plain', buffer: Buffer.from('hello, S3') });
    await page.locator('#upload-form button').click();
    await expectStatus(new RegExp(`Uploaded ${escapeRe(folderOf(identityId()))}hello\\.txt\\.`));
    const put = fake.callsOf('PutObject').at(-1);
    assert.equal(put.key, `${folderOf(identityId())}hello.txt`);
    assert.equal(put.bucket, apiless.buckets[0].bucket_name);
    assert.equal(put.signatureValid, true);
    assert.equal(put.accessKeyId, 'ASIAFAKE000000000001');
    assert.equal(fake.objects.get(`${folderOf(identityId())}hello.txt`).body.toString(), 'hello, S3');
    assert.equal(await page.locator('#files li').first().locator('span').textContent(), 'hello.txt (9 bytes)');

    const download = page.waitForEvent('download');
    await page.locator('#files li').first().getByRole('button', { name: 'Download' }).click();
    assert.equal((await download).suggestedFilename(), 'hello.txt');
    await expectStatus(/Downloaded hello\.txt \(9 bytes\)\./);
    assert.equal(fake.callsOf('GetObject').at(-1).key, `${folderOf(identityId())}hello.txt`);
  });

  it('shows every isolation probe denied by IAM as expected', async () => {
    const other = await page.locator('#other-identity').inputValue();
    assert.match(other, /^us-east-1:[0-9a-f-]{36}$/);
    assert.notEqual(other, identityId());
    for (const probe of ['otherItem', 'subKey', 'otherObject', 'outsideFolder']) {
      await page.locator(`[data-probe=${probe}]`).click();
      await page.waitForSelector(`#probe-${probe}[data-verdict]`);
      assert.equal(await page.locator(`#probe-${probe}`).getAttribute('data-verdict'), 'denied-as-expected', probe);
      assert.match(await page.locator(`#probe-${probe}`).textContent(), /^denied by IAM as expected/);
    }
    // What the probes really asked for, and that each was refused by the "IAM" check rather than
    // by a bad signature.
    const [getOther, getSub] = fake.callsOf('GetItem').filter((c) => c.denied);
    assert.equal(getOther.partitionValue, other);
    assert.equal(getSub.partitionValue, fake.users.get(EMAIL).sub);
    const s3Denied = fake.calls.filter((c) => c.service === 's3' && c.denied);
    assert.deepEqual(
      s3Denied.map((c) => [c.op, c.key]),
      [
        ['GetObject', `${folderOf(other)}hello.txt`],
        ['PutObject', `isolation-probe-${identityId().split(':')[1]}.txt`],
      ],
    );
    for (const c of [getOther, getSub, ...s3Denied]) assert.equal(c.signatureValid, true);

    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'signed-in.png'), fullPage: true });
  });

  it('refreshes credentials before they expire', async () => {
    assert.equal(fake.callsOf('GetCredentialsForIdentity').length, 1);
    // The first credentials expire 5m20s after issue; 2 minutes later the SDK (5-minute margin)
    // asks again, Amplify's cache still holds them, and the page forces a refresh.
    await page.clock.fastForward('02:00');
    await page.locator('#list-items').click();
    await expectStatus(/List items: done/);
    assert.equal(fake.callsOf('GetCredentialsForIdentity').length, 2, 'second GetCredentialsForIdentity call');
    assert.ok(fake.callsOf('GetTokensFromRefreshToken').length >= 1, 'tokens refreshed with the refresh token');
    const query = fake.callsOf('Query').at(-1);
    assert.equal(query.accessKeyId, 'ASIAFAKE000000000002');
    assert.equal(query.signatureValid, true);
    assert.equal(query.partitionValue, identityId());
    assert.equal(fake.calls.filter((c) => c.expired).length, 0, 'no request went out with expired credentials');
    await page.locator('#refresh-session').click();
    await page.waitForFunction(() => document.getElementById('access-key').textContent === 'ASIAFAKE000000000002');
  });

  it('deletes its own item and file', async () => {
    await page.locator('#items li[data-item-id=note-1]').getByRole('button', { name: 'Delete' }).click();
    await expectStatus(/Deleted item note-1\./);
    assert.deepEqual(fake.callsOf('DeleteItem').at(-1).input.Key, { userId: { S: identityId() }, itemId: { S: 'note-1' } });
    await page.locator('#files li').first().getByRole('button', { name: 'Delete' }).click();
    await expectStatus(/Deleted hello\.txt\./);
    assert.equal(fake.callsOf('DeleteObject').at(-1).key, `${folderOf(identityId())}hello.txt`);
    assert.equal(fake.items.size, 0);
    assert.equal(fake.objects.size, 0);
  });

  it('says ALLOWED when a policy lets a probe through', async () => {
    fake.isolationBroken = true;
    try {
      await page.locator('[data-probe=otherItem]').click();
      await page.waitForFunction(() => document.getElementById('probe-otherItem').dataset.verdict === 'allowed');
      assert.match(await page.locator('#probe-otherItem').textContent(), /^ALLOWED: isolation broken/);
    } finally {
      fake.isolationBroken = false;
    }
  });

  it('reports a network failure readably', async () => {
    fake.offline.add('dynamodb');
    try {
      await page.locator('#list-items').click();
      await expectStatus(/List items: Network error: AWS could not be reached/);
      assert.equal(await status().getAttribute('data-error-kind'), 'network');
    } finally {
      fake.offline.delete('dynamodb');
    }
  });

  it('reports an expired session and returns to sign-in', async () => {
    fake.sessionsRevoked = true;
    await page.locator('#list-files').click();
    await expectStatus(/List files: Your session has expired or is not valid: sign in again\./);
    assert.equal(await status().getAttribute('data-error-kind'), 'session-expired');
    await page.waitForSelector('#signed-out:not([hidden])');
    assert.ok(fake.calls.some((c) => c.service === 's3' && c.expired), 'S3 answered ExpiredToken');
    fake.sessionsRevoked = false;
  });

  it('signs in again while S3 is unreachable: the sign-in succeeds and the file list says why it is empty', async () => {
    fake.offline.add('s3');
    try {
      const form = page.locator('#sign-in-form');
      await form.locator('[name=password]').fill(PASSWORD);
      await form.locator('button').click();
      await page.waitForSelector('#signed-in:not([hidden])', { timeout: 15_000 });
      await expectStatus(/Signed in as ada@example\.com/);
      assert.match(await page.locator('#files li.error').textContent(), /Could not load: Network error/);
    } finally {
      fake.offline.delete('s3');
    }
  });

  it('signs out', async () => {
    // The refresh token is revoked.
    await page.locator('#sign-out').click();
    await expectStatus(/Signed out\./);
    await page.waitForSelector('#signed-out:not([hidden])');
    assert.ok(fake.callsOf('RevokeToken').length >= 1, 'RevokeToken sent');
  });

  it('sent nothing unexpected and threw no page errors', () => {
    assert.deepEqual(fake.unexpected, []);
    assert.deepEqual(blocked, []);
    assert.deepEqual(pageErrors, []);
    const unsigned = fake.calls.filter((c) => (c.service === 'dynamodb' || c.service === 's3') && c.op !== 'offline' && !c.signatureValid);
    assert.deepEqual(unsigned, [], 'every DynamoDB and S3 request carried a valid SigV4 signature');
  });
});
