import { describe, expect, it, vi } from 'vitest';
import { expiresWithin, identityPoolCredentials, REFRESH_MARGIN_MS, type Session } from '../src/lib/credentials';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const creds = (id: string, expiresInMs: number): Session => ({
  identityId: 'us-east-1:7c1b6f4e-0000-4000-8000-00000000e001',
  credentials: { accessKeyId: id, secretAccessKey: 's', sessionToken: 't', expiration: new Date(NOW + expiresInMs) },
});

describe('identityPoolCredentials', () => {
  it('returns the cached session credentials while they are fresh', async () => {
    const fetch = vi.fn(async () => creds('AKID1', 60 * 60 * 1000));
    const c = await identityPoolCredentials(fetch, { now: () => NOW })();
    expect(c.accessKeyId).toBe('AKID1');
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(fetch).toHaveBeenCalledWith();
  });

  it('forces a refresh when the credentials expire within the margin', async () => {
    const fetch = vi.fn(async (o?: { forceRefresh?: boolean }) => (o?.forceRefresh ? creds('AKID2', 3600_000) : creds('AKID1', 60_000)));
    const c = await identityPoolCredentials(fetch, { now: () => NOW })();
    expect(c.accessKeyId).toBe('AKID2');
    expect(fetch.mock.calls).toEqual([[], [{ forceRefresh: true }]]);
  });

  it('forces a refresh when Amplify has no credentials', async () => {
    const fetch = vi.fn(async (o?: { forceRefresh?: boolean }) => (o?.forceRefresh ? creds('AKID2', 3600_000) : {}));
    expect((await identityPoolCredentials(fetch, { now: () => NOW })()).accessKeyId).toBe('AKID2');
  });

  it('fails with a session error when there are still no credentials', async () => {
    const fetch = vi.fn(async () => ({}) as Session);
    await expect(identityPoolCredentials(fetch)()).rejects.toMatchObject({ name: 'SessionExpiredError' });
  });

  it('refuses credentials that are already expired after a refresh', async () => {
    const fetch = vi.fn(async () => creds('OLD', -1000));
    await expect(identityPoolCredentials(fetch, { now: () => NOW })()).rejects.toThrow(/expired credentials/);
  });

  it('passes expiration on, so the SDK knows when to ask again', async () => {
    const s = creds('AKID1', 3600_000);
    const c = await identityPoolCredentials(async () => s, { now: () => NOW })();
    expect(c.expiration).toEqual(s.credentials!.expiration);
    expect(c.sessionToken).toBe('t');
  });
});

describe('expiresWithin', () => {
  it.each([
    [REFRESH_MARGIN_MS + 1, false],
    [REFRESH_MARGIN_MS, true],
    [1, true],
    [-1, true],
  ])('%d ms left -> %s', (left, want) => {
    expect(expiresWithin(new Date(NOW + left), REFRESH_MARGIN_MS, NOW)).toBe(want);
  });
  it('treats unknown expiration as not expiring', () => {
    expect(expiresWithin(undefined, REFRESH_MARGIN_MS, NOW)).toBe(false);
  });
});
