import { describe, expect, it } from 'vitest';
import { classifyError, isolationVerdict } from '../src/lib/errors';

// Errors shaped like the ones the SDKs and Amplify throw: a name, a message and, for service
// errors, $metadata.httpStatusCode.
const svc = (name: string, message: string, status: number) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

describe('classifyError', () => {
  it.each([
    ['DynamoDB AccessDenied', svc('AccessDeniedException', 'User: arn:aws:sts::1:assumed-role/r is not authorized to perform: dynamodb:GetItem', 400), 'access-denied'],
    ['S3 AccessDenied', svc('AccessDenied', 'Access Denied', 403), 'access-denied'],
    ['S3 HEAD 403 without a body', svc('Forbidden', '', 403), 'access-denied'],
    ['unnamed 403', svc('UnknownError', 'x', 403), 'access-denied'],
    ['DynamoDB expired token', svc('ExpiredTokenException', 'The security token included in the request is expired', 400), 'session-expired'],
    ['S3 expired token', svc('ExpiredToken', 'The provided token has expired.', 400), 'session-expired'],
    ['S3 expired token as 403', svc('ExpiredToken', 'The provided token has expired.', 403), 'session-expired'],
    ['refresh token expired', svc('NotAuthorizedException', 'Refresh Token has expired', 400), 'session-expired'],
    ['Amplify: nobody signed in', Object.assign(new Error('User needs to be authenticated'), { name: 'UserUnAuthenticatedException' }), 'session-expired'],
    ['Chromium fetch failure', new TypeError('Failed to fetch'), 'network'],
    ['Firefox fetch failure', new TypeError('NetworkError when attempting to fetch resource.'), 'network'],
    ['Safari fetch failure', new TypeError('Load failed'), 'network'],
    ['Amplify network error', Object.assign(new Error('A network error has occurred.'), { name: 'NetworkError' }), 'network'],
    ['wrong password', svc('NotAuthorizedException', 'Incorrect username or password.', 400), 'invalid-input'],
    ['bad code', svc('CodeMismatchException', 'Invalid verification code provided, please try again.', 400), 'invalid-input'],
    ['missing table', svc('ResourceNotFoundException', 'Requested resource not found', 400), 'not-found'],
    ['missing object', svc('NoSuchKey', 'The specified key does not exist.', 404), 'not-found'],
    ['a programming error', new TypeError("Cannot read properties of undefined (reading 'x')"), 'other'],
    ['a string', 'boom', 'other'],
  ])('%s -> %s', (_name, err, kind) => {
    expect(classifyError(err).kind).toBe(kind);
  });

  it('keeps the service detail and gives a readable line', () => {
    const c = classifyError(svc('AccessDeniedException', 'not authorized to perform: dynamodb:PutItem', 400));
    expect(c.message).toBe('Access denied by IAM.');
    expect(c.detail).toBe('AccessDeniedException: not authorized to perform: dynamodb:PutItem');
  });

  it('tells the user what to do about an expired session and a network failure', () => {
    expect(classifyError(svc('ExpiredToken', 'x', 400)).message).toMatch(/sign in again/);
    expect(classifyError(new TypeError('Failed to fetch')).message).toMatch(/Network error/);
  });
});

describe('isolationVerdict', () => {
  it('reports success as broken isolation', () => {
    expect(isolationVerdict({ ok: true })).toEqual({ verdict: 'allowed', text: 'ALLOWED: isolation broken' });
  });

  it('reports AccessDenied as the expected outcome', () => {
    const r = isolationVerdict({ ok: false, error: svc('AccessDeniedException', 'no', 400) });
    expect(r).toEqual({ verdict: 'denied-as-expected', text: 'denied by IAM as expected', detail: 'AccessDeniedException: no' });
  });

  it('treats NoSuchKey as allowed: S3 only says so to a caller who may read the key', () => {
    expect(isolationVerdict({ ok: false, error: svc('NoSuchKey', 'gone', 404) }).verdict).toBe('allowed');
  });

  it.each([
    ['network', new TypeError('Failed to fetch')],
    ['expired', svc('ExpiredTokenException', 'expired', 400)],
    ['validation', svc('ValidationException', 'bad key', 400)],
  ])('does not call a %s failure a denial', (_n, error) => {
    const r = isolationVerdict({ ok: false, error });
    expect(r.verdict).toBe('inconclusive');
    expect(r.text).toMatch(/^inconclusive: /);
  });
});
