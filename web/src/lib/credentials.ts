// AWS credentials for the SDK clients, from the identity pool through Amplify's fetchAuthSession.
// Amplify caches identity-pool credentials for 50 minutes regardless of their Expiration; the
// SDK asks this provider again when its credentials are within 5 minutes of expiry. If Amplify
// then hands back credentials that are about to expire, force a refresh.

export interface SessionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

export interface Session {
  credentials?: SessionCredentials;
  identityId?: string;
}

export type FetchSession = (options?: { forceRefresh?: boolean }) => Promise<Session>;

export class SessionExpiredError extends Error {
  constructor(message = 'no AWS credentials: sign in again') {
    super(message);
    this.name = 'SessionExpiredError';
  }
}

/** Default margin: refresh credentials that expire within 5 minutes (the SDK's own window). */
export const REFRESH_MARGIN_MS = 5 * 60 * 1000;

export function expiresWithin(expiration: Date | undefined, marginMs: number, now: number): boolean {
  return expiration !== undefined && expiration.getTime() - now <= marginMs;
}

/** A credentials provider for AWS SDK v3 clients (the `credentials` option). */
export function identityPoolCredentials(
  fetchSession: FetchSession,
  { marginMs = REFRESH_MARGIN_MS, now = () => Date.now() }: { marginMs?: number; now?: () => number } = {},
): () => Promise<Required<Pick<SessionCredentials, 'accessKeyId' | 'secretAccessKey'>> & SessionCredentials> {
  return async () => {
    let session = await fetchSession();
    if (!session.credentials || expiresWithin(session.credentials.expiration, marginMs, now())) {
      session = await fetchSession({ forceRefresh: true });
    }
    const c = session.credentials;
    if (!c) throw new SessionExpiredError();
    if (expiresWithin(c.expiration, 0, now())) throw new SessionExpiredError('the identity pool returned expired credentials: sign in again');
    return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken, expiration: c.expiration };
  };
}
