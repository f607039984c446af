// The hosted app's configuration. When the demo stack hosts the app (S3 + CloudFront), its
// deployment writes amplify_outputs.json next to index.html from the stack's own values, so one
// build works against any deployed stack. At startup the app fetches that file from its own
// origin; when it is missing or unusable, the app keeps the configuration built into it (the
// generated files, or the example), which is all there is under `npm run dev`.
import { configFromOutputs } from './config';

/** Where the hosting deployment puts the file: the site root, beside index.html. */
export const RUNTIME_CONFIG_URL = '/amplify_outputs.json';

/** How long startup waits for the file before it uses the built-in configuration. */
export const RUNTIME_CONFIG_TIMEOUT_MS = 5000;

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/**
 * What the lookup found: `loaded` (usable), `absent` (no such file here: the app is not hosted by
 * the demo stack) or `invalid` (a file is there but unusable). `reason` says why.
 */
export type RuntimeLookup =
  | { kind: 'loaded'; outputs: Record<string, unknown> }
  | { kind: 'absent'; reason: string }
  | { kind: 'invalid'; reason: string };

/** The configuration the app runs on, and where it came from. */
export interface ChosenOutputs {
  outputs: Record<string, unknown>;
  source: 'runtime' | 'build';
  /** Why a file found on the site was not used (only when there was one). */
  rejected?: string;
}

/**
 * Whether to look for the deploy-time file: in production builds only. The dev server (which
 * would serve web/amplify_outputs.json, the very file it builds with) and the example mode of
 * the browser test keep exactly their build-time configuration.
 */
export function wantsRuntimeConfig(env: { PROD: boolean; MODE: string }): boolean {
  return env.PROD === true && env.MODE !== 'example';
}

/** Says what makes a deploy-time file unusable, or undefined when the app can run on it. */
export function runtimeOutputsProblem(outputs: unknown): string | undefined {
  if (typeof outputs !== 'object' || outputs === null || Array.isArray(outputs)) return 'it is not a JSON object';
  const version = (outputs as Record<string, unknown>).version;
  if (typeof version !== 'string' || !version.startsWith('1')) return `its version is ${JSON.stringify(version)}, not 1.x`;
  // Left as is when the deployment did not fill in a value (CDK's deploy-time markers).
  if (/<<marker:0xbaba:\d+>>|\$\{Token\[/.test(JSON.stringify(outputs))) return 'it holds values the deployment did not fill in';
  try {
    configFromOutputs(outputs);
  } catch (err) {
    return (err as Error).message.replace(/\. Regenerate the files( from web\/)? with: .*$/, '');
  }
  return undefined;
}

/** Fetches and checks the deploy-time file. Never throws. */
export async function loadRuntimeOutputs(
  fetchFn: FetchLike = (url, init) => fetch(url, init),
  { url = RUNTIME_CONFIG_URL, timeoutMs = RUNTIME_CONFIG_TIMEOUT_MS }: { url?: string; timeoutMs?: number } = {},
): Promise<RuntimeLookup> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    // no-store: after a redeploy the new values must win over the browser's cache.
    const res = await fetchFn(url, { cache: 'no-store', credentials: 'same-origin', headers: { accept: 'application/json' }, signal: abort.signal });
    // CloudFront answers 403 for a missing object of a private bucket.
    if (!res.ok) return { kind: 'absent', reason: `HTTP ${res.status}` };
    const text = await res.text();
    let outputs: unknown;
    try {
      outputs = JSON.parse(text);
    } catch {
      // Single-page servers answer every path with index.html: that is no config file.
      const json = (res.headers.get('content-type') ?? '').includes('json');
      return json ? { kind: 'invalid', reason: 'it is not valid JSON' } : { kind: 'absent', reason: 'it is not a JSON file' };
    }
    const problem = runtimeOutputsProblem(outputs);
    if (problem) return { kind: 'invalid', reason: problem };
    return { kind: 'loaded', outputs: outputs as Record<string, unknown> };
  } catch (err) {
    return { kind: 'absent', reason: abort.signal.aborted ? `no answer within ${timeoutMs} ms` : (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/** Picks the deploy-time file when wanted and usable, else the build-time configuration. */
export async function chooseOutputs(
  buildTime: Record<string, unknown>,
  env: { PROD: boolean; MODE: string },
  load: () => Promise<RuntimeLookup> = () => loadRuntimeOutputs(),
): Promise<ChosenOutputs> {
  if (!wantsRuntimeConfig(env)) return { outputs: buildTime, source: 'build' };
  const found = await load();
  if (found.kind === 'loaded') return { outputs: found.outputs, source: 'runtime' };
  return found.kind === 'invalid' ? { outputs: buildTime, source: 'build', rejected: found.reason } : { outputs: buildTime, source: 'build' };
}
