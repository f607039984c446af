// A fake of the four AWS endpoints the demo page calls, answered through Playwright route
// interception: Cognito user pools (sign-up, SRP sign-in, token refresh), Cognito identity pools
// (GetId, GetCredentialsForIdentity), DynamoDB and S3. It checks what a real service would check:
// the SRP password proof, the SigV4 signature made with the credentials it issued and their
// expiry, and - standing in for IAM - that every DynamoDB key and S3 key belongs to the caller's
// identity ID. Every call is recorded for the test to assert on.
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';

// ------------------------------------------------------------------ SRP (RFC 5054 3072-bit group, as Cognito)

const N = BigInt(
  '0x' +
  'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74' +
  '020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437' +
  '4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
  'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05' +
  '98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB' +
  '9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B' +
  'E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718' +
  '3995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33' +
  'A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7' +
  'ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864' +
  'D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2' +
  '08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF',
);
const g = 2n;

function modPow(base, exp, mod) {
  let result = 1n;
  base %= mod;
  if (base < 0n) base += mod;
  while (exp > 0n) {
    if (exp & 1n) result = (result * base) % mod;
    base = (base * base) % mod;
    exp >>= 1n;
  }
  return result;
}
// Same unambiguous two's-complement hex as Cognito's clients (leading 00 when the top bit is set).
function padHex(n) {
  let h = n.toString(16);
  if (h.length % 2) h = '0' + h;
  if (/^[89a-f]/i.test(h)) h = '00' + h;
  return h;
}
const sha256Hex = (buf) => createHash('sha256').update(buf).digest('hex');
const hashHex = (hex) => sha256Hex(Buffer.from(hex, 'hex'));
const big = (hex) => BigInt('0x' + hex);
const k = big(hashHex(padHex(N) + padHex(g)));

function srpServerStart(poolName, userIdForSrp, password) {
  const salt = big(randomBytes(16).toString('hex'));
  const x = big(hashHex(padHex(salt) + sha256Hex(Buffer.from(`${poolName}${userIdForSrp}:${password}`))));
  const v = modPow(g, x, N);
  const b = big(randomBytes(64).toString('hex'));
  const B = (k * v + modPow(g, b, N)) % N;
  return { salt, v, b, B, secretBlock: randomBytes(48).toString('base64') };
}

function srpExpectedSignature(state, poolName, userIdForSrp, A, timestamp) {
  const u = big(hashHex(padHex(A) + padHex(state.B)));
  const S = modPow((A * modPow(state.v, u, N)) % N, state.b, N);
  const prk = createHmac('sha256', Buffer.from(padHex(u), 'hex')).update(Buffer.from(padHex(S), 'hex')).digest();
  const hkdf = createHmac('sha256', prk).update(Buffer.concat([Buffer.from('Caldera Derived Key'), Buffer.from([1])])).digest().subarray(0, 16);
  const message = Buffer.concat([
    Buffer.from(poolName),
    Buffer.from(userIdForSrp),
    Buffer.from(state.secretBlock, 'base64'),
    Buffer.from(timestamp),
  ]);
  return createHmac('sha256', hkdf).update(message).digest('base64');
}

// ------------------------------------------------------------------ SigV4 verification

const rfc3986 = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());

function canonicalQuery(search) {
  if (!search || search === '?') return '';
  return search
    .slice(1)
    .split('&')
    .filter(Boolean)
    .map((p) => {
      const i = p.indexOf('=');
      const key = decodeURIComponent(i < 0 ? p : p.slice(0, i));
      const value = i < 0 ? '' : decodeURIComponent(p.slice(i + 1).replace(/\+/g, '%20'));
      return [rfc3986(key), rfc3986(value)];
    })
    .sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
}

/**
 * Checks the request's SigV4 signature against the secret of the access key it names.
 * Returns { accessKeyId, service } or throws with the reason.
 */
export function verifySigV4({ method, url, headers, body }, secretFor) {
  const auth = headers['authorization'];
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(auth ?? '');
  if (!m) throw new Error(`not a SigV4 Authorization header: ${auth}`);
  const [, accessKeyId, date, region, service, signedHeaders, signature] = m;
  const secret = secretFor(accessKeyId);
  if (!secret) throw Object.assign(new Error(`unknown access key ${accessKeyId}`), { code: 'UnknownKey' });
  const amzDate = headers['x-amz-date'];
  if (!amzDate?.startsWith(date)) throw new Error('x-amz-date does not match the credential scope');
  const u = new URL(url);
  const canonicalHeaders = signedHeaders
    .split(';')
    .map((h) => {
      let v = headers[h];
      if (v === undefined && h === 'host') v = u.host;
      if (v === undefined && h === 'content-length') v = String(body.length);
      if (v === undefined) throw new Error(`signed header ${h} not in the request`);
      return `${h}:${String(v).trim().replace(/\s+/g, ' ')}\n`;
    })
    .join('');
  const payloadHash = headers['x-amz-content-sha256'] ?? sha256Hex(body);
  if (payloadHash !== 'UNSIGNED-PAYLOAD' && !payloadHash.startsWith('STREAMING') && payloadHash !== sha256Hex(body)) {
    throw new Error('x-amz-content-sha256 does not match the body');
  }
  // S3 signs the path as sent; the other services URI-encode it once more.
  const path = service === 's3' ? u.pathname : u.pathname.split('/').map((s) => rfc3986(s)).join('/');
  const canonicalRequest = [method, path, canonicalQuery(u.search), canonicalHeaders, signedHeaders, payloadHash].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  let key = createHmac('sha256', 'AWS4' + secret).update(date).digest();
  for (const part of [region, service, 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
  const expected = createHmac('sha256', key).update(stringToSign).digest('hex');
  if (expected !== signature) throw new Error(`SignatureDoesNotMatch for ${method} ${url}`);
  return { accessKeyId, service, region, signedHeaders: signedHeaders.split(';') };
}

// ------------------------------------------------------------------ tokens

const b64url = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
const jwt = (payload) => `${b64url({ kid: 'fake', alg: 'RS256' })}.${b64url(payload)}.${randomBytes(32).toString('base64url')}`;

// ------------------------------------------------------------------ the fake

export class FakeAws {
  /** cfg: custom.apiless-derived settings plus auth ids, from the example amplify_outputs.json. */
  constructor(cfg) {
    this.cfg = cfg;
    this.poolName = cfg.userPoolId.split('_')[1];
    this.providerName = `cognito-idp.${cfg.region}.amazonaws.com/${cfg.userPoolId}`;
    this.users = new Map(); // email -> { password, sub, confirmed }
    this.srp = new Map(); // session -> state
    this.tokens = new Map(); // id token -> sub
    this.refreshTokens = new Map(); // refresh token -> sub
    this.identities = new Map(); // sub -> identity ID
    this.keys = new Map(); // access key id -> { secret, sessionToken, identityId, expiresAt }
    this.items = new Map();
    this.objects = new Map();
    this.calls = []; // { service, op, accessKeyId?, input?, key?, status }
    this.credentialLifetimesMs = [60 * 60 * 1000];
    this.isolationBroken = false;
    this.sessionsRevoked = false;
    this.offline = new Set(); // services whose requests fail at the network level
    this.unexpected = [];
    this.keyCounter = 0;
  }

  callsOf(op) {
    return this.calls.filter((c) => c.op === op);
  }

  /** Playwright route handler for every *.amazonaws.com request. */
  async handle(route) {
    const req = route.request();
    const url = new URL(req.url());
    const headers = await req.allHeaders();
    const origin = headers['origin'] ?? '*';
    const cors = {
      'access-control-allow-origin': origin,
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers':
        'ETag, x-amz-request-id, x-amz-id-2, x-amzn-requestid, x-amzn-errortype, x-amz-version-id, x-amz-server-side-encryption, x-amz-checksum-crc32, content-length, content-type',
    };
    if (req.method() === 'OPTIONS') {
      return route.fulfill({
        status: 200,
        headers: {
          ...cors,
          'access-control-allow-methods': 'GET, PUT, POST, DELETE, HEAD',
          'access-control-allow-headers': headers['access-control-request-headers'] ?? '*',
          'access-control-max-age': '600',
        },
      });
    }
    const service = url.hostname.split('.')[0] === 'cognito-idp' ? 'cognito-idp'
      : url.hostname.split('.')[0] === 'cognito-identity' ? 'cognito-identity'
      : url.hostname.split('.')[0] === 'dynamodb' ? 'dynamodb'
      : url.hostname.includes('.s3.') ? 's3' : 'unknown';
    if (this.offline.has(service)) {
      this.calls.push({ service, op: 'offline', status: 0 });
      return route.abort('internetdisconnected');
    }
    const body = req.postDataBuffer() ?? Buffer.alloc(0);
    let res;
    try {
      switch (service) {
        case 'cognito-idp': res = this.cognitoIdp(headers, body); break;
        case 'cognito-identity': res = this.cognitoIdentity(headers, body); break;
        case 'dynamodb': res = this.dynamodb(req.method(), req.url(), headers, body); break;
        case 's3': res = this.s3(req.method(), url, headers, body); break;
        default:
          this.unexpected.push(req.url());
          res = { status: 400, json: { __type: 'UnknownService' } };
      }
    } catch (err) {
      res = { status: 500, json: { __type: 'InternalFailure', message: String(err?.stack ?? err) } };
      this.unexpected.push(`${req.url()}: ${err?.message}`);
    }
    const out = { status: res.status, headers: { ...cors, 'x-amzn-requestid': randomUUID(), 'x-amz-request-id': 'FAKE', ...(res.headers ?? {}) } };
    if (res.json !== undefined) {
      out.body = JSON.stringify(res.json);
      out.headers['content-type'] = res.contentType ?? 'application/x-amz-json-1.1';
      if (res.status >= 400 && res.json.__type) out.headers['x-amzn-errortype'] = res.json.__type;
    } else if (res.body !== undefined) {
      out.body = res.body;
    }
    return route.fulfill(out);
  }

  // -------------------------------------------------------------- Cognito user pools

  cognitoIdp(headers, body) {
    const op = String(headers['x-amz-target'] ?? '').split('.')[1];
    const input = JSON.parse(body.toString() || '{}');
    const call = { service: 'cognito-idp', op, input };
    this.calls.push(call);
    const err = (type, message) => ({ status: 400, json: { __type: type, message } });
    if (input.ClientId && input.ClientId !== this.cfg.userPoolClientId) return err('ResourceNotFoundException', 'User pool client does not exist.');
    switch (op) {
      case 'SignUp': {
        if (this.users.has(input.Username)) return err('UsernameExistsException', 'An account with the given email already exists.');
        const sub = randomUUID();
        this.users.set(input.Username, { password: input.Password, sub, confirmed: false, attributes: input.UserAttributes });
        return { status: 200, json: { UserConfirmed: false, UserSub: sub, CodeDeliveryDetails: { AttributeName: 'email', DeliveryMedium: 'EMAIL', Destination: 'u***@e***' } } };
      }
      case 'ConfirmSignUp': {
        const u = this.users.get(input.Username);
        if (!u) return err('UserNotFoundException', 'Username/client id combination not found.');
        if (input.ConfirmationCode !== '123456') return err('CodeMismatchException', 'Invalid verification code provided, please try again.');
        u.confirmed = true;
        return { status: 200, json: {} };
      }
      case 'InitiateAuth': {
        if (input.AuthFlow !== 'USER_SRP_AUTH') return err('InvalidParameterException', `auth flow ${input.AuthFlow} is not enabled for this client`);
        const email = input.AuthParameters.USERNAME;
        const u = this.users.get(email);
        if (!u) return err('NotAuthorizedException', 'Incorrect username or password.');
        if (!u.confirmed) return err('UserNotConfirmedException', 'User is not confirmed.');
        const state = { ...srpServerStart(this.poolName, u.sub, u.password), A: big(input.AuthParameters.SRP_A), email };
        const session = randomUUID();
        this.srp.set(u.sub, state);
        call.srp = true;
        return {
          status: 200,
          json: {
            ChallengeName: 'PASSWORD_VERIFIER',
            ChallengeParameters: { SALT: state.salt.toString(16), SRP_B: state.B.toString(16), SECRET_BLOCK: state.secretBlock, USER_ID_FOR_SRP: u.sub, USERNAME: u.sub },
            Session: session,
          },
        };
      }
      case 'RespondToAuthChallenge': {
        const r = input.ChallengeResponses ?? {};
        const state = this.srp.get(r.USERNAME);
        if (input.ChallengeName !== 'PASSWORD_VERIFIER' || !state) return err('NotAuthorizedException', 'Incorrect username or password.');
        this.srp.delete(r.USERNAME);
        const expected = srpExpectedSignature(state, this.poolName, r.USERNAME, state.A, r.TIMESTAMP);
        call.signatureValid = expected === r.PASSWORD_CLAIM_SIGNATURE;
        if (!call.signatureValid || r.PASSWORD_CLAIM_SECRET_BLOCK !== state.secretBlock) return err('NotAuthorizedException', 'Incorrect username or password.');
        return { status: 200, json: { ChallengeParameters: {}, AuthenticationResult: this.issueTokens(r.USERNAME, state.email, true) } };
      }
      case 'GetTokensFromRefreshToken': {
        const sub = this.refreshTokens.get(input.RefreshToken);
        if (!sub || this.sessionsRevoked) return err('NotAuthorizedException', 'Refresh Token has expired');
        const email = [...this.users].find(([, u]) => u.sub === sub)[0];
        return { status: 200, json: { AuthenticationResult: this.issueTokens(sub, email, false) } };
      }
      case 'RevokeToken':
        this.refreshTokens.delete(input.Token);
        return { status: 200, json: {} };
      default:
        this.unexpected.push(`cognito-idp ${op}`);
        return err('InvalidAction', `fake does not implement ${op}`);
    }
  }

  issueTokens(sub, email, withRefresh) {
    const now = Math.floor(Date.now() / 1000);
    const iss = `https://cognito-idp.${this.cfg.region}.amazonaws.com/${this.cfg.userPoolId}`;
    const jti = randomUUID();
    const IdToken = jwt({ sub, email, email_verified: true, 'cognito:username': sub, iss, aud: this.cfg.userPoolClientId, token_use: 'id', auth_time: now, iat: now, exp: now + 3600, jti, origin_jti: jti });
    const AccessToken = jwt({ sub, username: sub, client_id: this.cfg.userPoolClientId, iss, token_use: 'access', scope: 'aws.cognito.signin.user.admin', auth_time: now, iat: now, exp: now + 3600, jti: randomUUID(), origin_jti: jti });
    this.tokens.set(IdToken, sub);
    const result = { IdToken, AccessToken, ExpiresIn: 3600, TokenType: 'Bearer' };
    if (withRefresh) {
      result.RefreshToken = randomBytes(48).toString('base64url');
      this.refreshTokens.set(result.RefreshToken, sub);
    }
    return result;
  }

  // -------------------------------------------------------------- Cognito identity pools

  cognitoIdentity(headers, body) {
    const op = String(headers['x-amz-target'] ?? '').split('.')[1];
    const input = JSON.parse(body.toString() || '{}');
    const call = { service: 'cognito-identity', op, input };
    this.calls.push(call);
    const err = (type, message) => ({ status: 400, json: { __type: type, message } });
    const logins = input.Logins ?? {};
    const token = logins[this.providerName];
    const sub = token && this.tokens.get(token);
    if (!sub) return err('NotAuthorizedException', `Logins must hold an ID token of ${this.providerName}`);
    switch (op) {
      case 'GetId': {
        if (input.IdentityPoolId !== this.cfg.identityPoolId) return err('ResourceNotFoundException', 'IdentityPool not found');
        if (!this.identities.has(sub)) this.identities.set(sub, `${this.cfg.region}:${randomUUID()}`);
        return { status: 200, json: { IdentityId: this.identities.get(sub) } };
      }
      case 'GetCredentialsForIdentity': {
        if (this.identities.get(sub) !== input.IdentityId) return err('NotAuthorizedException', 'Invalid login token for this identity');
        const lifetime = this.credentialLifetimesMs[Math.min(this.keyCounter, this.credentialLifetimesMs.length - 1)];
        this.keyCounter++;
        const AccessKeyId = `ASIAFAKE${String(this.keyCounter).padStart(12, '0')}`;
        const cred = { secret: randomBytes(30).toString('base64'), sessionToken: randomBytes(60).toString('base64'), identityId: input.IdentityId, expiresAt: Date.now() + lifetime };
        this.keys.set(AccessKeyId, cred);
        call.accessKeyId = AccessKeyId;
        return {
          status: 200,
          json: {
            IdentityId: input.IdentityId,
            Credentials: { AccessKeyId, SecretKey: cred.secret, SessionToken: cred.sessionToken, Expiration: cred.expiresAt / 1000 },
          },
        };
      }
      default:
        this.unexpected.push(`cognito-identity ${op}`);
        return err('InvalidAction', `fake does not implement ${op}`);
    }
  }

  /** Verifies the signature and the credentials; returns the caller's identity ID or an error response. */
  authenticate(method, url, headers, body, call, errorFor) {
    let sig;
    try {
      sig = verifySigV4({ method, url, headers, body }, (id) => this.keys.get(id)?.secret);
    } catch (e) {
      call.authError = e.message;
      return { error: errorFor(e.code === 'UnknownKey' ? 'InvalidAccessKeyId' : 'SignatureDoesNotMatch', e.message) };
    }
    const cred = this.keys.get(sig.accessKeyId);
    call.accessKeyId = sig.accessKeyId;
    call.signatureValid = true;
    if (headers['x-amz-security-token'] !== cred.sessionToken) return { error: errorFor('InvalidToken', 'session token does not match the access key') };
    if (this.sessionsRevoked || Date.now() >= cred.expiresAt) {
      call.expired = true;
      return { error: errorFor('Expired', 'The security token included in the request is expired') };
    }
    return { identityId: cred.identityId };
  }

  // -------------------------------------------------------------- DynamoDB (the IAM check is dynamodb:LeadingKeys)

  dynamodb(method, url, headers, body) {
    const op = String(headers['x-amz-target'] ?? '').split('.')[1];
    const input = JSON.parse(body.toString() || '{}');
    const call = { service: 'dynamodb', op, input };
    this.calls.push(call);
    const json = (status, o) => ({ status, json: o, contentType: 'application/x-amz-json-1.0' });
    const errorFor = (code, message) =>
      json(400, { __type: `com.amazonaws.dynamodb.v20120810#${code === 'Expired' ? 'ExpiredTokenException' : code === 'InvalidAccessKeyId' ? 'UnrecognizedClientException' : code === 'AccessDenied' ? 'AccessDeniedException' : code === 'SignatureDoesNotMatch' ? 'InvalidSignatureException' : code}`, message });
    const who = this.authenticate(method, url, headers, body, call, errorFor);
    if (who.error) return who.error;
    const { partitionKey: pk, sortKey: sk, tableName } = this.cfg.table;
    if (input.TableName !== tableName) return json(400, { __type: 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException', message: 'Requested resource not found' });
    let leading;
    if (op === 'Query') leading = input.ExpressionAttributeValues?.[':id']?.S;
    else leading = (input.Key ?? input.Item)?.[pk]?.S;
    call.partitionValue = leading;
    if (!this.isolationBroken && leading !== who.identityId) {
      call.denied = true;
      return errorFor('AccessDenied', `User: arn:aws:sts::123456789012:assumed-role/Authenticated/CognitoIdentityCredentials is not authorized to perform: dynamodb:${op} on resource: arn:aws:dynamodb:${this.cfg.region}:123456789012:table/${tableName} because no identity-based policy allows the dynamodb:${op} action`);
    }
    const id = (k) => `${k[pk].S}|${k[sk].S}`;
    switch (op) {
      case 'PutItem':
        this.items.set(id(input.Item), input.Item);
        return json(200, {});
      case 'GetItem': {
        const item = this.items.get(id(input.Key));
        return json(200, item ? { Item: item } : {});
      }
      case 'DeleteItem':
        this.items.delete(id(input.Key));
        return json(200, {});
      case 'Query': {
        const Items = [...this.items.values()].filter((it) => it[pk].S === leading).sort((a, b) => (a[sk].S < b[sk].S ? -1 : 1));
        return json(200, { Items, Count: Items.length, ScannedCount: Items.length });
      }
      default:
        this.unexpected.push(`dynamodb ${op}`);
        return errorFor('UnknownOperationException', op);
    }
  }

  // -------------------------------------------------------------- S3 (the IAM check is the identity's prefix)

  s3(method, url, headers, body) {
    const bucket = url.hostname.split('.s3.')[0];
    const key = decodeURIComponent(url.pathname.slice(1));
    const list = url.searchParams.get('list-type') === '2';
    const op = list ? 'ListObjectsV2' : { PUT: 'PutObject', GET: 'GetObject', DELETE: 'DeleteObject', HEAD: 'HeadObject' }[method];
    const call = { service: 's3', op, bucket, key: list ? undefined : key, prefix: list ? url.searchParams.get('prefix') ?? '' : undefined };
    this.calls.push(call);
    const xmlError = (status, code, message) => ({
      status,
      headers: { 'content-type': 'application/xml' },
      body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>FAKE</RequestId><HostId>fake</HostId></Error>`,
    });
    const errorFor = (code, message) =>
      code === 'Expired' ? xmlError(400, 'ExpiredToken', 'The provided token has expired.')
      : code === 'InvalidAccessKeyId' ? xmlError(403, 'InvalidAccessKeyId', message)
      : xmlError(403, code, message);
    const who = this.authenticate(method, url.href, headers, body, call, errorFor);
    if (who.error) return who.error;
    if (bucket !== this.cfg.bucket.bucketName) return xmlError(404, 'NoSuchBucket', 'The specified bucket does not exist');
    const folder = this.cfg.bucket.ownerPath.slice(0, -1).replace('{identity}', who.identityId);
    const target = list ? call.prefix : key;
    if (!this.isolationBroken && !target.startsWith(folder)) {
      call.denied = true;
      return xmlError(403, 'AccessDenied', 'Access Denied');
    }
    switch (op) {
      case 'PutObject':
        this.objects.set(key, { body, contentType: headers['content-type'], lastModified: new Date() });
        call.size = body.length;
        return { status: 200, headers: { etag: `"${createHash('md5').update(body).digest('hex')}"` }, body: '' };
      case 'GetObject': {
        const o = this.objects.get(key);
        if (!o) return xmlError(404, 'NoSuchKey', 'The specified key does not exist.');
        return { status: 200, headers: { 'content-type': o.contentType ?? 'application/octet-stream', etag: '"x"' }, body: o.body };
      }
      case 'DeleteObject':
        this.objects.delete(key);
        return { status: 204, body: '' };
      case 'ListObjectsV2': {
        const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
        const contents = [...this.objects]
          .filter(([k]) => k.startsWith(call.prefix))
          .map(([k, o]) => `<Contents><Key>${esc(k)}</Key><LastModified>${o.lastModified.toISOString()}</LastModified><ETag>"x"</ETag><Size>${o.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`);
        return {
          status: 200,
          headers: { 'content-type': 'application/xml' },
          body: `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${bucket}</Name><Prefix>${esc(call.prefix)}</Prefix><KeyCount>${contents.length}</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>${contents.join('')}</ListBucketResult>`,
        };
      }
      default:
        this.unexpected.push(`s3 ${method} ${url.href}`);
        return xmlError(405, 'MethodNotAllowed', method);
    }
  }
}
