// Browser test of the BUILT demo (dist-dev/, a production build) in Debian's headless Chromium
// against `apiless dev` serving the committed demo template: real SRP sign-in, real identity-pool
// credentials, and every DynamoDB and S3 request authorized by the template's own IAM policies
// (the bucket's CORS rules and its TLS-only policy included). Nothing is faked.
//
// Run: npm run test:e2e:dev   (needs Go; CHROMIUM=/path/to/chromium to use another binary)
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const web = fileURLToPath(new URL('..', import.meta.url));
const repo = join(web, '..');
const dist = join(web, 'dist-dev');
const artifacts = join(web, 'test-results');
const EMAIL = 'grace@example.com';
const PASSWORD = 'Correct-horse-battery-9';
// The demo bucket's CORS rules allow this origin only: the page must be served from it.
const ORIGIN = 'http://localhost:5173';

const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.svg': 'image/svg+xml' };
const events = []; // JSON log lines of apiless dev
let dev;
let outDir;
let devExit;
let outputs;
let server;
let browser;
let page;
const pageErrors = [];
const blocked = [];

function startDev(outDir) {
  // Built first and run directly (not with go run, which would not pass the stop signal on).
  const bin = join(outDir, 'apiless');
  execFileSync('go', ['build', '-o', bin, './cmd/apiless'], { cwd: repo, env: { ...process.env, GOFLAGS: '-buildvcs=false' }, stdio: 'inherit' });
  // Credentials last 5m20s, so moving the page clock 2 minutes on makes the SDK ask for new ones.
  dev = spawn(bin, ['dev', '--template', 'testdata/ApilessDemo.template.json', '--tls', '--port', '0', '--json',
    '--credential-lifetime', '5m20s', '--out-dir', outDir], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  devExit = new Promise((resolve) => dev.on('exit', resolve));
  let stderr = '';
  dev.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`apiless dev did not start in 240 s:\n${stderr}`)), 240_000);
    dev.stdout.on('data', (d) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try {
          events.push(JSON.parse(line));
        } catch {
          if (line.startsWith('apiless dev: wrote')) {
            clearTimeout(timer);
            resolve();
          }
        }
      }
    });
    dev.on('exit', (code) => reject(new Error(`apiless dev exited ${code}:\n${stderr}`)));
  });
}

before(async () => {
  assert.ok(existsSync(join(dist, 'index.html')), 'dist-dev/index.html missing: run "npm run test:e2e:dev", which builds it first');
  outDir = mkdtempSync(join(tmpdir(), 'apiless-dev-e2e-'));
  await startDev(outDir);
  const outputsText = readFileSync(join(outDir, 'amplify_outputs.json'), 'utf8');
  outputs = JSON.parse(outputsText);
  server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    if (path === '/amplify_outputs.json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(outputsText);
    }
    let file = join(dist, path);
    if (!file.startsWith(dist) || !existsSync(file) || path.endsWith('/')) file = join(dist, 'index.html');
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(5173, '127.0.0.1', resolve);
  });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--ignore-certificate-errors', '--host-resolver-rules=MAP localhost 127.0.0.1'],
  });
  const context = await browser.newContext({ acceptDownloads: true, ignoreHTTPSErrors: true });
  // Nothing may leave the machine.
  await context.route((url) => url.hostname !== '127.0.0.1' && url.hostname !== 'localhost', (route) => {
    blocked.push(route.request().url());
    return route.abort();
  });
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.clock.install();
  await page.goto(`${ORIGIN}/`);
  await page.waitForSelector('body[data-ready=true]');
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
  if (dev && dev.exitCode === null) {
    dev.kill('SIGINT');
    const hard = setTimeout(() => dev.kill('SIGKILL'), 5000);
    const code = await devExit;
    clearTimeout(hard);
    assert.equal(code, 0, 'apiless dev stops cleanly on SIGINT');
  }
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

const status = () => page.locator('#status');
async function expectStatus(re) {
  await page.waitForFunction((src) => new RegExp(src).test(document.getElementById('status').textContent), re.source, { timeout: 20_000 }).catch(() => {});
  assert.match(await status().textContent(), re);
}
const identityId = () => page.locator('#identity-id').textContent();
const denials = () => events.filter((e) => e.event === 'denied');

describe('demo app against apiless dev (the template\'s real policies)', () => {
  it('runs on the dev server\'s config', async () => {
    assert.equal(outputs.custom.apiless_dev.endpoint.startsWith('https://127.0.0.1:'), true);
    assert.doesNotMatch(await page.locator('#config-banner').textContent(), /sample configuration/);
  });

  it('signs up and confirms with the code apiless dev logs', async () => {
    const form = page.locator('#sign-up-form');
    await form.locator('[name=email]').fill(EMAIL);
    await form.locator('[name=password]').fill(PASSWORD);
    await form.locator('button').click();
    await expectStatus(/Signed up\. Enter the code sent to/);
    const signup = events.find((e) => e.event === 'signup' && e.username === EMAIL);
    assert.match(signup?.confirmationCode ?? '', /^\d{6}$/);
    const confirm = page.locator('#confirm-form');
    await confirm.locator('[name=code]').fill('000000x');
    await confirm.locator('button').click();
    await expectStatus(/Confirm sign-up: Invalid verification code/);
    await confirm.locator('[name=code]').fill(signup.confirmationCode);
    await confirm.locator('button').click();
    await expectStatus(/Confirmed\. You can sign in\./);
  });

  it('refuses a wrong password (server-side SRP)', async () => {
    const form = page.locator('#sign-in-form');
    await form.locator('[name=email]').fill(EMAIL);
    await form.locator('[name=password]').fill('Wrong-password-123');
    await form.locator('button').click();
    await expectStatus(/Sign in: Wrong email or password\./);
  });

  it('signs in with SRP and gets identity-pool credentials', async () => {
    const form = page.locator('#sign-in-form');
    await form.locator('[name=password]').fill(PASSWORD);
    await form.locator('button').click();
    await page.waitForSelector('#signed-in:not([hidden])', { timeout: 20_000 });
    await expectStatus(/Signed in as grace@example\.com/);
    assert.match(await identityId(), /^us-east-1:[0-9a-f-]{36}$/);
    assert.match(await page.locator('#access-key').textContent(), /^ASIA/);
    assert.notEqual(await identityId(), await page.locator('#sub').textContent());
  });

  it('puts and gets its own item', async () => {
    const form = page.locator('#item-form');
    await form.locator('[name=itemId]').fill('note-1');
    await form.locator('[name=text]').fill('hello from the browser');
    await form.locator('button[type=submit]').click();
    await expectStatus(/Saved item note-1\./);
    await page.locator('#get-item').click();
    await expectStatus(/Item note-1: "hello from the browser"/);
  });

  it('uploads, lists and downloads a file in its own folder (bucket CORS and TLS-only policy pass)', async () => {
    await page.locator('#upload-form [name=file]').setInputFiles({ name: 'hello.txt', mimeType: 'text/plain', buffer: Buffer.from('hello, S3') });
    await page.locator('#upload-form button').click();
    await expectStatus(/Uploaded private\/us-east-1:[0-9a-f-]+\/hello\.txt\./);
    assert.equal(await page.locator('#files li').first().locator('span').textContent(), 'hello.txt (9 bytes)');
    const download = page.waitForEvent('download');
    await page.locator('#files li').first().getByRole('button', { name: 'Download' }).click();
    assert.equal((await download).suggestedFilename(), 'hello.txt');
    await expectStatus(/Downloaded hello\.txt \(9 bytes\)\./);
  });

  it('shows every isolation probe denied by the real policies, each denial explained in the log', async () => {
    const before = denials().length;
    for (const probe of ['otherItem', 'subKey', 'otherObject', 'outsideFolder']) {
      await page.locator(`[data-probe=${probe}]`).click();
      await page.waitForSelector(`#probe-${probe}[data-verdict]`);
      assert.equal(await page.locator(`#probe-${probe}`).getAttribute('data-verdict'), 'denied-as-expected', probe);
    }
    const logged = denials().slice(before);
    assert.deepEqual(logged.map((d) => d.action), ['dynamodb:GetItem', 'dynamodb:GetItem', 's3:GetObject', 's3:PutObject']);
    for (const d of logged) {
      assert.equal(d.identity, await identityId());
      assert.ok(d.why.length > 0, 'a denial says why');
    }
    assert.match(logged[0].why, /dynamodb:LeadingKeys/);
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'signed-in-dev.png'), fullPage: true });
  });

  it('refreshes credentials before they expire', async () => {
    const first = await page.locator('#access-key').textContent();
    await page.clock.fastForward('02:00');
    await page.locator('#list-items').click();
    await expectStatus(/List items: done/);
    await page.locator('#refresh-session').click();
    await page.waitForFunction((k) => document.getElementById('access-key').textContent !== k, first, { timeout: 20_000 });
    await page.locator('#list-items').click();
    await expectStatus(/List items: done/);
  });

  it('deletes its own item and file', async () => {
    await page.locator('#items li[data-item-id=note-1]').getByRole('button', { name: 'Delete' }).click();
    await expectStatus(/Deleted item note-1\./);
    await page.locator('#files li').first().getByRole('button', { name: 'Delete' }).click();
    await expectStatus(/Deleted hello\.txt\./);
  });

  it('had no page errors and no request left the machine', () => {
    assert.deepEqual(pageErrors, []);
    assert.deepEqual(blocked, []);
  });
});
