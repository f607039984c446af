// Reads the demo's settings from the two generated files. Pure: no DOM, no network.

/** What the demo needs: one table keyed by identity ID, one bucket with an owner folder. */
export interface AppConfig {
  region: string;
  userPoolId: string;
  userPoolClientId: string;
  identityPoolId: string;
  table: { name: string; tableName: string; partitionKey: string; sortKey: string };
  bucket: { name: string; bucketName: string; ownerPath: string };
  passwordPolicy?: PasswordPolicy;
  /** The local endpoint of `apiless dev` (custom.apiless_dev.endpoint); absent for a deployed stack. */
  endpoint?: string;
}

export interface PasswordPolicy {
  minLength: number;
  requireLowercase: boolean;
  requireUppercase: boolean;
  requireNumbers: boolean;
  requireSymbols: boolean;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(`${message}. Regenerate the files from web/ with: go -C .. run ./cmd/apiless config outputs.json`);
    this.name = 'ConfigError';
  }
}

type Json = Record<string, unknown>;

function obj(v: unknown, what: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ConfigError(`amplify_outputs.json: ${what} is missing`);
  return v as Json;
}

function str(o: Json, key: string, what: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v === '') throw new ConfigError(`${what}.${key} is missing`);
  return v;
}

/** Finds the owner path ("{identity}/*" or "private/{identity}/*") that the owner may write. */
export function ownerPathOf(paths: Record<string, Record<string, string[]>>): string | undefined {
  return Object.keys(paths)
    .sort()
    .find((p) => paths[p]?.owner?.includes('write') && p.includes('{identity}'));
}

/** Builds the demo's settings from amplify_outputs.json (custom.apiless carries tables and path templates). */
export function configFromOutputs(outputs: unknown): AppConfig {
  const o = obj(outputs, 'the file');
  const auth = obj(o.auth, 'auth');
  const custom = obj(obj(o.custom, 'custom').apiless, 'custom.apiless');
  const tables = (custom.tables ?? []) as Json[];
  const buckets = (custom.buckets ?? []) as Json[];
  const table = tables.find((t) => t.partition_key_value === 'identity' && typeof t.sort_key === 'string');
  if (!table) throw new ConfigError('amplify_outputs.json has no table keyed by identity ID with a sort key (custom.apiless.tables)');
  let bucket: { b: Json; ownerPath: string } | undefined;
  for (const b of buckets) {
    const ownerPath = ownerPathOf((b.paths ?? {}) as Record<string, Record<string, string[]>>);
    if (ownerPath) {
      bucket = { b, ownerPath };
      break;
    }
  }
  if (!bucket) throw new ConfigError('amplify_outputs.json has no bucket with an owner path (custom.apiless.buckets)');
  const pp = auth.password_policy as Json | undefined;
  const dev = (o.custom as Json).apiless_dev as Json | undefined;
  const endpoint = typeof dev?.endpoint === 'string' && dev.endpoint !== '' ? dev.endpoint : undefined;
  return {
    ...(endpoint ? { endpoint } : {}),
    region: str(auth, 'aws_region', 'auth'),
    userPoolId: str(auth, 'user_pool_id', 'auth'),
    userPoolClientId: str(auth, 'user_pool_client_id', 'auth'),
    identityPoolId: str(auth, 'identity_pool_id', 'auth'),
    table: {
      name: str(table, 'name', 'table'),
      tableName: str(table, 'table_name', 'table'),
      partitionKey: str(table, 'partition_key', 'table'),
      sortKey: str(table, 'sort_key', 'table'),
    },
    bucket: { name: str(bucket.b, 'name', 'bucket'), bucketName: str(bucket.b, 'bucket_name', 'bucket'), ownerPath: bucket.ownerPath },
    passwordPolicy: pp
      ? {
          minLength: Number(pp.min_length ?? 8),
          requireLowercase: pp.require_lowercase === true,
          requireUppercase: pp.require_uppercase === true,
          requireNumbers: pp.require_numbers === true,
          requireSymbols: pp.require_symbols === true,
        }
      : undefined,
  };
}

/** Turns a logical name into the middle of a VITE_ variable name, as `apiless config` does. */
export function envId(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/** Builds the same settings from the .env (import.meta.env); the first table and bucket listed are used. */
export function configFromEnv(env: Record<string, string | boolean | undefined>): AppConfig {
  const get = (k: string): string => {
    const v = env[k];
    if (typeof v !== 'string' || v === '') throw new ConfigError(`.env: ${k} is missing`);
    return v;
  };
  const tableId = envId(get('VITE_TABLES').split(',')[0]!);
  const bucketId = envId(get('VITE_BUCKETS').split(',')[0]!);
  return {
    region: get('VITE_AWS_REGION'),
    userPoolId: get('VITE_USER_POOL_ID'),
    userPoolClientId: get('VITE_USER_POOL_CLIENT_ID'),
    identityPoolId: get('VITE_IDENTITY_POOL_ID'),
    table: {
      name: get('VITE_TABLES').split(',')[0]!,
      tableName: get(`VITE_TABLE_${tableId}_NAME`),
      partitionKey: get(`VITE_TABLE_${tableId}_PARTITION_KEY`),
      sortKey: get(`VITE_TABLE_${tableId}_SORT_KEY`),
    },
    bucket: {
      name: get('VITE_BUCKETS').split(',')[0]!,
      bucketName: get(`VITE_BUCKET_${bucketId}_NAME`),
      ownerPath: get(`VITE_BUCKET_${bucketId}_OWNER_PATH`),
    },
  };
}

/** Lists the settings on which the two files disagree (they come from different deploys). */
export function configDifferences(a: AppConfig, b: AppConfig): string[] {
  const flat = (c: AppConfig): Record<string, string> => ({
    region: c.region,
    userPoolId: c.userPoolId,
    userPoolClientId: c.userPoolClientId,
    identityPoolId: c.identityPoolId,
    tableName: c.table.tableName,
    partitionKey: c.table.partitionKey,
    sortKey: c.table.sortKey,
    bucketName: c.bucket.bucketName,
    ownerPath: c.bucket.ownerPath,
  });
  const fa = flat(a);
  const fb = flat(b);
  return Object.keys(fa).filter((k) => fa[k] !== fb[k]).map((k) => `${k}: ${fa[k]} vs ${fb[k]}`);
}

/** Lists what a password lacks under the user pool's policy, so the form can say so before Cognito does. */
export function passwordProblems(policy: PasswordPolicy | undefined, password: string): string[] {
  if (!policy) return [];
  const p: string[] = [];
  if (password.length < policy.minLength) p.push(`at least ${policy.minLength} characters`);
  if (policy.requireLowercase && !/[a-z]/.test(password)) p.push('a lowercase letter');
  if (policy.requireUppercase && !/[A-Z]/.test(password)) p.push('an uppercase letter');
  if (policy.requireNumbers && !/[0-9]/.test(password)) p.push('a number');
  if (policy.requireSymbols && !/[\^$*.[\]{}()?"!@#%&/\\,><':;|_~`=+-]/.test(password)) p.push('a symbol');
  return p;
}
