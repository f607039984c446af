import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import {
  chooseOutputs,
  loadRuntimeOutputs,
  RUNTIME_CONFIG_URL,
  runtimeOutputsProblem,
  wantsRuntimeConfig,
  type FetchLike,
  type RuntimeLookup,
} from '../src/lib/runtimeconfig';

// The committed example stands in for the file the hosting deployment writes (same generator).
const example = readFileSync(new URL('../example/amplify_outputs.json', import.meta.url), 'utf8');
const deployed = (): Record<string, unknown> => {
  const o = JSON.parse(example);
  o.auth.user_pool_id = 'eu-west-1_Depl0yed';
  return o;
};
const buildTime = JSON.parse(example) as Record<string, unknown>;
const production = { PROD: true, MODE: 'production' };

const answer =
  (body: string, init: ResponseInit = {}): FetchLike =>
  async () =>
    new Response(body, init);

describe('wantsRuntimeConfig', () => {
  it.each([
    [{ PROD: true, MODE: 'production' }, true],
    [{ PROD: true, MODE: 'staging' }, true],
    [{ PROD: false, MODE: 'development' }, false], // npm run dev
    [{ PROD: true, MODE: 'example' }, false], // the browser test's build
    [{ PROD: false, MODE: 'test' }, false],
  ])('%j -> %s', (env, want) => {
    expect(wantsRuntimeConfig(env)).toBe(want);
  });
});

describe('loadRuntimeOutputs', () => {
  it('loads a usable file from the site root, bypassing the browser cache', async () => {
    const fetchFn = vi.fn<FetchLike>(answer(JSON.stringify(deployed()), { headers: { 'content-type': 'application/json' } }));
    const got = await loadRuntimeOutputs(fetchFn);
    expect(got).toEqual({ kind: 'loaded', outputs: deployed() });
    expect(fetchFn).toHaveBeenCalledTimes(1);
    const [url, init] = fetchFn.mock.calls[0]!;
    expect(url).toBe('/amplify_outputs.json');
    expect(url).toBe(RUNTIME_CONFIG_URL);
    expect(init).toMatchObject({ cache: 'no-store', credentials: 'same-origin' });
  });

  it.each<[string, FetchLike, RuntimeLookup['kind'], RegExp]>([
    ['CloudFront 403 for a missing object', answer('<Error>AccessDenied</Error>', { status: 403 }), 'absent', /HTTP 403/],
    ['404', answer('not found', { status: 404 }), 'absent', /HTTP 404/],
    ['a single-page server answering index.html', answer('<!doctype html><html></html>', { headers: { 'content-type': 'text/html' } }), 'absent', /not a JSON file/],
    ['a network failure', async () => Promise.reject(new TypeError('Failed to fetch')), 'absent', /Failed to fetch/],
    ['broken JSON served as JSON', answer('{"auth":', { headers: { 'content-type': 'application/json' } }), 'invalid', /not valid JSON/],
    ['a JSON array', answer('[]'), 'invalid', /not a JSON object/],
    ['another schema version', answer(JSON.stringify({ ...deployed(), version: '2' })), 'invalid', /version is "2", not 1\.x/],
    [
      'values the deployment did not fill in',
      answer(example.replace('"us-east-1_Ex4mpleP0"', '"<<marker:0xbaba:3>>"')),
      'invalid',
      /did not fill in/,
    ],
    ['no table keyed by identity', answer(JSON.stringify({ ...deployed(), custom: { apiless: { tables: [], buckets: [] } } })), 'invalid', /no table keyed by identity ID/],
  ])('%s -> %s', async (_name, fetchFn, kind, reason) => {
    const got = await loadRuntimeOutputs(fetchFn);
    expect(got.kind).toBe(kind);
    expect(got.kind === 'loaded' ? '' : got.reason).toMatch(reason);
  });

  it('gives up after the timeout', async () => {
    const hanging: FetchLike = (_url, init) =>
      new Promise((_resolve, reject) => init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
    const got = await loadRuntimeOutputs(hanging, { timeoutMs: 20 });
    expect(got).toEqual({ kind: 'absent', reason: 'no answer within 20 ms' });
  });
});

describe('runtimeOutputsProblem', () => {
  it('accepts the generated file', () => {
    expect(runtimeOutputsProblem(deployed())).toBeUndefined();
  });
  it('names what the app is missing, without the regenerate hint meant for the build-time files', () => {
    const o = deployed();
    delete (o.auth as Record<string, unknown>).identity_pool_id;
    expect(runtimeOutputsProblem(o)).toBe('auth.identity_pool_id is missing');
  });
});

describe('chooseOutputs', () => {
  it('runs on the deploy-time file when hosted', async () => {
    const got = await chooseOutputs(buildTime, production, async () => ({ kind: 'loaded', outputs: deployed() }));
    expect(got).toEqual({ outputs: deployed(), source: 'runtime' });
  });

  it('keeps the build-time config when the site has no file', async () => {
    const got = await chooseOutputs(buildTime, production, async () => ({ kind: 'absent', reason: 'HTTP 403' }));
    expect(got).toEqual({ outputs: buildTime, source: 'build' });
  });

  it('keeps the build-time config and says why when the file is unusable', async () => {
    const got = await chooseOutputs(buildTime, production, async () => ({ kind: 'invalid', reason: 'it is not a JSON object' }));
    expect(got).toEqual({ outputs: buildTime, source: 'build', rejected: 'it is not a JSON object' });
  });

  it.each([
    ['npm run dev', { PROD: false, MODE: 'development' }],
    ['the example mode', { PROD: true, MODE: 'example' }],
  ])('does not look under %s', async (_name, env) => {
    const load = vi.fn(async (): Promise<RuntimeLookup> => ({ kind: 'loaded', outputs: deployed() }));
    expect(await chooseOutputs(buildTime, env, load)).toEqual({ outputs: buildTime, source: 'build' });
    expect(load).not.toHaveBeenCalled();
  });
});
