// Turns whatever an SDK call threw into something a person can act on. Pure.

export type ErrorKind = 'access-denied' | 'session-expired' | 'network' | 'not-found' | 'invalid-input' | 'other';

export interface Classified {
  kind: ErrorKind;
  /** One line for the page. */
  message: string;
  /** The service's error name and message, for the curious. */
  detail: string;
}

const ACCESS_DENIED = new Set(['AccessDeniedException', 'AccessDenied', 'Forbidden', 'UnauthorizedOperation', 'AllAccessDisabled']);
const SESSION_EXPIRED = new Set([
  'ExpiredTokenException', // DynamoDB, STS
  'ExpiredToken', // S3
  'TokenRefreshRequired',
  'UnrecognizedClientException', // DynamoDB: unknown or revoked security token
  'InvalidAccessKeyId', // S3: key unknown (expired long ago)
  'NotAuthorizedException', // Cognito: refresh token expired or revoked, or wrong password (see below)
  'UserUnAuthenticatedException', // Amplify: nobody signed in
  'CredentialsNotFoundException',
  'CredentialsException',
  'SessionExpiredError',
]);
const NOT_FOUND = new Set(['NoSuchKey', 'NotFound', 'ResourceNotFoundException', 'NoSuchBucket', 'UserNotFoundException']);
const INPUT = new Set([
  'KeyError',
  'ValidationException',
  'InvalidPasswordException',
  'CodeMismatchException',
  'ExpiredCodeException',
  'UsernameExistsException',
  'InvalidParameterException',
  'EmptySignInUsername',
  'EmptySignInPassword',
  'EmptySignUpUsername',
  'EmptySignUpPassword',
  'EmptyConfirmSignUpCode',
]);

function fields(err: unknown): { name: string; message: string; status?: number } {
  if (typeof err === 'object' && err !== null) {
    const e = err as { name?: unknown; message?: unknown; Code?: unknown; $metadata?: { httpStatusCode?: number } };
    const name = typeof e.name === 'string' ? e.name : typeof e.Code === 'string' ? e.Code : 'Error';
    const message = typeof e.message === 'string' ? e.message : '';
    return { name, message, status: e.$metadata?.httpStatusCode };
  }
  return { name: 'Error', message: String(err) };
}

export function isNetworkError(name: string, message: string): boolean {
  if (name === 'NetworkError' || name === 'TimeoutError' || name === 'RequestTimeout') return true;
  // fetch() failures: Chromium "Failed to fetch", Firefox "NetworkError when attempting to fetch resource.", Safari "Load failed".
  return name === 'TypeError' && /failed to fetch|networkerror|load failed|network request failed/i.test(message);
}

export function classifyError(err: unknown): Classified {
  const { name, message, status } = fields(err);
  const detail = message ? `${name}: ${message}` : name;
  if (name === 'NotAuthorizedException' && /incorrect username or password/i.test(message)) {
    return { kind: 'invalid-input', message: 'Wrong email or password.', detail };
  }
  if (ACCESS_DENIED.has(name) || (status === 403 && !SESSION_EXPIRED.has(name))) {
    return { kind: 'access-denied', message: 'Access denied by IAM.', detail };
  }
  if (SESSION_EXPIRED.has(name)) {
    return { kind: 'session-expired', message: 'Your session has expired or is not valid: sign in again.', detail };
  }
  if (isNetworkError(name, message)) {
    return { kind: 'network', message: 'Network error: AWS could not be reached. Check your connection and try again.', detail };
  }
  if (NOT_FOUND.has(name) || status === 404) {
    const hint = name === 'ResourceNotFoundException' ? ' (does the table exist in this region? regenerate the config after a deploy)' : '';
    return { kind: 'not-found', message: `Not found${hint}.`, detail };
  }
  if (INPUT.has(name)) {
    return { kind: 'invalid-input', message: message || name, detail };
  }
  return { kind: 'other', message: `Unexpected error: ${detail}`, detail };
}

export type Verdict = 'denied-as-expected' | 'allowed' | 'inconclusive';

export interface IsolationResult {
  verdict: Verdict;
  text: string;
  /** The service's answer, when there was one. */
  detail?: string;
}

/**
 * Judges one isolation probe: a request that IAM must refuse. Success means the policy let a
 * caller reach data that is not theirs. Only an access-denied answer counts as "denied"; a
 * network failure or an expired session proves nothing either way.
 */
export function isolationVerdict(outcome: { ok: true } | { ok: false; error: unknown }): IsolationResult {
  if (outcome.ok) return { verdict: 'allowed', text: 'ALLOWED: isolation broken' };
  const c = classifyError(outcome.error);
  if (c.kind === 'access-denied') return { verdict: 'denied-as-expected', text: 'denied by IAM as expected', detail: c.detail };
  if (c.kind === 'not-found' && c.detail.startsWith('NoSuchKey')) {
    // S3 answers NoSuchKey only to a caller allowed to read the key (and list the bucket).
    return { verdict: 'allowed', text: 'ALLOWED: isolation broken (the read was authorized; the object does not exist)', detail: c.detail };
  }
  return { verdict: 'inconclusive', text: `inconclusive: ${c.message}`, detail: c.detail };
}
