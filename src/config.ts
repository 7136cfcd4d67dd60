import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { createSecureContext } from 'node:tls';
import type { DatabaseTarget } from './db/client.ts';
import { parseHookArns, type HookArns } from './modules/hooks/lambda-config.ts';
import { DEFAULT_RATE_LIMITS, kindEnvName, LIMIT_KINDS, type RateLimitPolicy } from './modules/rate-limits/policy.ts';
import { DEFAULT_LOCKOUT, type LockoutPolicy } from './modules/rate-limits/sign-in-lockout.ts';

/** Everything Cognate reads from the environment; nothing else reads process.env. */
export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  database: DatabaseTarget;
  /** When set, the admin key; otherwise one is generated at first start, kept hashed, printed once. */
  adminApiKey?: string;
  /** A bearer token for `/metrics` alone, for a Prometheus scraper; the admin API key also works. */
  metricsToken?: string;
  /** When set, the code HMAC key; otherwise one is generated at first start and kept in the database. */
  codeHmacSecret?: string;
  smtpUrl?: string;
  mailFrom: string;
  /** SMS through Twilio; unset, SMS codes are written to the log (production: see the courier). */
  twilio?: TwilioConfig;
  poolsFile?: string;
  production: boolean;
  /** In production, codes written only to the log must be allowed explicitly. */
  allowLogDelivery: boolean;
  logLevel: string;
  passwordHashing: { memoryCostKiB: number; timeCost: number; parallelism: number };
  /** Where hashing runs: nice value of libuv's pool threads, hashes at once, the pool's size (see passwords.ts). */
  hashingThreads: { threadNice: number; maxConcurrent: number; poolThreads: number };
  /** Region part of generated pool ids (`<region>_<9 characters>`). */
  region: string;
  /** Run the delivery worker inside the server (DELIVERY_WORKER=false when `npm run worker` does it). */
  deliveryWorker: boolean;
  /** The key Cognito-protocol admin calls must be signed with (SigV4); unset, those calls are refused. */
  cognitoCredentials?: { accessKeyId: string; secretAccessKey: string };
  /** How long an import job's lease lasts (renewed every quarter of it): a job whose server died is ended after it. */
  importJobLeaseMs: number;
  /** The first retry's delay; later ones double. */
  deliveryRetryBaseMs: number;
  /** Tries per message, the immediate one included, before it is given up. */
  deliveryMaxAttempts: number;
  /** Request rate limits per kind of route, per client address and per name and address (docs/limits.md; RATE_LIMITS=off: none). */
  rateLimits: RateLimitPolicy;
  /**
   * Which proxies' X-Forwarded-For to believe for the client address that rate limits and the
   * lockout count by: false (none: the connection's address), a number of hops, or addresses/CIDRs.
   */
  trustProxy: boolean | number | string[];
  /** Cognito's sign-in lockout, per user and source address (SIGN_IN_LOCKOUT=off: none). */
  signInLockout: LockoutPolicy;
  /** HOOK_ARNS_FILE, read at start: the Lambda ARNs a pool's LambdaConfig may name, each mapped to its hook URL (docs/triggers.md). */
  hookArns: HookArns;
  /** TLS_CERT_FILE and TLS_KEY_FILE, read at start: Cognate serves https itself (docs/configuration.md, "Serving over HTTPS"). */
  tls?: TlsConfig;
}

/** A PEM certificate (chain) and its private key, as Node's https server takes them. */
export interface TlsConfig {
  cert: Buffer;
  key: Buffer;
}

export interface TwilioConfig {
  accountSid: string;
  authToken: string;
  from?: string;
  messagingServiceSid?: string;
  apiUrl?: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const value = (name: string) => {
    const raw = env[name];
    return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
  };
  const integer = (name: string, fallback: number, min: number, max: number) => {
    const raw = value(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return n;
  };
  const url = (name: string, protocols: string[]) => {
    const raw = value(name);
    if (raw === undefined) return undefined;
    try {
      const parsed = new URL(raw);
      if (!protocols.includes(parsed.protocol)) {
        problems.push(`${name} must be a ${protocols.map((p) => p.replace(':', '://')).join(' or ')} URL`);
      }
    } catch {
      problems.push(`${name} is not a valid URL`);
    }
    return raw;
  };
  const flag = (name: string) => {
    const raw = value(name);
    if (raw === undefined) return false;
    if (['1', 'true', 'yes'].includes(raw.toLowerCase())) return true;
    if (['0', 'false', 'no'].includes(raw.toLowerCase())) return false;
    problems.push(`${name} must be true or false (got "${raw}")`);
    return false;
  };

  const onOff = (name: string) => {
    const raw = value(name)?.toLowerCase();
    if (raw === undefined || ['on', 'true', '1'].includes(raw)) return true;
    if (['off', 'false', '0'].includes(raw)) return false;
    problems.push(`${name} must be on or off (got "${raw}")`);
    return true;
  };

  const port = integer('PORT', 3000, 0, 65535);
  const host = value('HOST') ?? '127.0.0.1';
  const databaseUrl = url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const replicaUrl = url('DATABASE_REPLICA_URL', ['postgres:', 'postgresql:']);
  // Never accepted and ignored: a replica without a primary to fall back to would be no replica.
  if (replicaUrl && !databaseUrl)
    problems.push('DATABASE_REPLICA_URL needs DATABASE_URL (the embedded database has no replica)');
  const namedStatements = flag('DATABASE_NAMED_STATEMENTS');
  if (namedStatements && !databaseUrl)
    problems.push('DATABASE_NAMED_STATEMENTS needs DATABASE_URL (it is about PostgreSQL connections)');
  const adminApiKey = value('ADMIN_API_KEY');
  if (adminApiKey !== undefined && adminApiKey.length < 24)
    problems.push('ADMIN_API_KEY must be at least 24 characters');
  const metricsToken = value('METRICS_TOKEN');
  if (metricsToken !== undefined && metricsToken.length < 24)
    problems.push('METRICS_TOKEN must be at least 24 characters');
  const codeHmacSecret = value('CODE_HMAC_SECRET');
  if (codeHmacSecret !== undefined && codeHmacSecret.length < 32)
    problems.push('CODE_HMAC_SECRET must be at least 32 characters');
  const smtpUrl = url('SMTP_URL', ['smtp:', 'smtps:']);
  const twilio = twilioConfig(value, url('TWILIO_API_URL', ['http:', 'https:']), problems);
  const production = value('NODE_ENV') === 'production';
  const allowLogDelivery = flag('ALLOW_LOG_DELIVERY');
  if (production && !smtpUrl && !allowLogDelivery) {
    problems.push(
      'NODE_ENV=production and SMTP_URL is unset: codes would only be written to the log. Set SMTP_URL, or ALLOW_LOG_DELIVERY=true to accept that',
    );
  }
  const cognitoCredentials = awsCredentials(
    value('COGNITO_ACCESS_KEY_ID'),
    value('COGNITO_SECRET_ACCESS_KEY'),
    problems,
  );
  const trustProxy = parseTrustProxy(value('TRUST_PROXY'), problems);
  const hookArns = loadHookArns(value('HOOK_ARNS_FILE'), problems);
  const tls = loadTls(value('TLS_CERT_FILE'), value('TLS_KEY_FILE'), problems);
  const region = value('POOL_REGION') ?? 'local';
  if (!/^[a-z0-9-]{1,32}$/.test(region)) problems.push('POOL_REGION must be lowercase letters, digits and dashes');

  const config: Config = {
    port,
    host,
    publicUrl: (
      url('PUBLIC_URL', ['http:', 'https:']) ??
      `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`
    ).replace(/\/+$/, ''),
    database: databaseUrl
      ? {
          kind: 'postgres',
          url: databaseUrl,
          poolSize: integer('DATABASE_POOL_SIZE', 10, 1, 200),
          ...(replicaUrl && { replicaUrl }),
          ...(namedStatements && { namedStatements }),
        }
      : { kind: 'pglite', dataDir: path.resolve(value('DATA_DIR') ?? './data') },
    adminApiKey,
    ...(metricsToken !== undefined && { metricsToken }),
    codeHmacSecret,
    smtpUrl,
    mailFrom: value('MAIL_FROM') ?? 'Cognate <no-reply@localhost>',
    twilio,
    poolsFile: value('POOLS_FILE'),
    production,
    allowLogDelivery,
    logLevel: value('LOG_LEVEL') ?? 'info',
    passwordHashing: {
      // OWASP's argon2id baseline; tests lower these where the test is not about hashing.
      memoryCostKiB: integer('ARGON2_MEMORY_KIB', 19456, 1024, 4 * 1024 * 1024),
      timeCost: integer('ARGON2_TIME_COST', 2, 1, 100),
      parallelism: integer('ARGON2_PARALLELISM', 1, 1, 16),
    },
    hashingThreads: {
      threadNice: integer('ARGON2_THREAD_NICE', 10, 0, 19),
      maxConcurrent: integer('ARGON2_MAX_CONCURRENT', availableParallelism(), 1, 1024),
      // Read by libuv itself at the first pool use; 4 unless set.
      poolThreads: integer('UV_THREADPOOL_SIZE', 4, 1, 1024),
    },
    region,
    trustProxy,
    cognitoCredentials,
    deliveryWorker: value('DELIVERY_WORKER') === undefined || flag('DELIVERY_WORKER'),
    deliveryRetryBaseMs: integer('DELIVERY_RETRY_BASE_MS', 10_000, 1, 3_600_000),
    deliveryMaxAttempts: integer('DELIVERY_MAX_ATTEMPTS', 10, 1, 100),
    importJobLeaseMs: integer('IMPORT_JOB_LEASE_SECONDS', 60, 5, 3600) * 1000,
    rateLimits: {
      enabled: onOff('RATE_LIMITS'),
      kinds: Object.fromEntries(
        LIMIT_KINDS.map((kind) => {
          const name = `RATE_LIMIT_${kindEnvName(kind)}`;
          const d = DEFAULT_RATE_LIMITS.kinds[kind];
          return [
            kind,
            {
              perIp: integer(`${name}_PER_IP`, d.perIp, 0, 10_000_000),
              perTarget: integer(`${name}_PER_TARGET`, d.perTarget, 0, 10_000_000),
              windowSeconds: integer(`${name}_WINDOW_SECONDS`, d.windowSeconds, 1, 86_400),
            },
          ];
        }),
      ) as RateLimitPolicy['kinds'],
    },
    signInLockout: {
      enabled: onOff('SIGN_IN_LOCKOUT'),
      freeFailures: integer('SIGN_IN_LOCKOUT_FAILURES', DEFAULT_LOCKOUT.freeFailures, 1, 1000),
      maxWaitSeconds: integer('SIGN_IN_LOCKOUT_MAX_SECONDS', DEFAULT_LOCKOUT.maxWaitSeconds, 1, 86_400),
      resetAfterSeconds: DEFAULT_LOCKOUT.resetAfterSeconds,
    },
    hookArns,
    ...(tls && { tls }),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** HOOK_ARNS_FILE: a JSON object {arn: url}; a file that cannot be read or is malformed stops the start. */
function loadHookArns(file: string | undefined, problems: string[]): HookArns {
  if (file === undefined) return {};
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    problems.push(`HOOK_ARNS_FILE ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    return {};
  }
  try {
    return parseHookArns(text);
  } catch (error) {
    problems.push(`HOOK_ARNS_FILE ${file}: ${(error as Error).message}`);
    return {};
  }
}

/**
 * TLS_CERT_FILE and TLS_KEY_FILE: both or neither, each a readable PEM file; the pair is checked
 * here (a key that does not match its certificate) so a bad pair stops the start with a clear line,
 * not a stack trace from the https server.
 */
function loadTls(certFile: string | undefined, keyFile: string | undefined, problems: string[]): TlsConfig | undefined {
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined) {
    problems.push(
      `TLS_CERT_FILE and TLS_KEY_FILE must be set together to serve https (set: ${certFile === undefined ? 'TLS_KEY_FILE' : 'TLS_CERT_FILE'})`,
    );
    return undefined;
  }
  const read = (name: string, file: string) => {
    try {
      return readFileSync(file);
    } catch (error) {
      problems.push(`${name} ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
      return undefined;
    }
  };
  const cert = read('TLS_CERT_FILE', certFile);
  const key = read('TLS_KEY_FILE', keyFile);
  if (!cert || !key) return undefined;
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    problems.push(
      `TLS_CERT_FILE ${certFile} and TLS_KEY_FILE ${keyFile} are not a PEM certificate and its private key (${(error as Error).message})`,
    );
    return undefined;
  }
  return { cert, key };
}

/** Both or neither; an AWS-looking key id, and a secret long enough not to be guessed. */
function awsCredentials(accessKeyId: string | undefined, secretAccessKey: string | undefined, problems: string[]) {
  if (accessKeyId === undefined && secretAccessKey === undefined) return undefined;
  if (!accessKeyId || !secretAccessKey) {
    problems.push(
      'COGNITO_ACCESS_KEY_ID and COGNITO_SECRET_ACCESS_KEY must be set together (the key that Cognito-protocol admin calls are signed with)',
    );
    return undefined;
  }
  if (!/^[A-Z0-9]{16,128}$/.test(accessKeyId))
    problems.push('COGNITO_ACCESS_KEY_ID must be 16 to 128 upper-case letters and digits, like an AWS access key id');
  if (secretAccessKey.length < 24) problems.push('COGNITO_SECRET_ACCESS_KEY must be at least 24 characters');
  return { accessKeyId, secretAccessKey };
}

/** All or nothing: a half-configured Twilio would fail at the first code, so say so at start. */
function twilioConfig(
  value: (name: string) => string | undefined,
  apiUrl: string | undefined,
  problems: string[],
): TwilioConfig | undefined {
  const accountSid = value('TWILIO_ACCOUNT_SID');
  const authToken = value('TWILIO_AUTH_TOKEN');
  const from = value('TWILIO_FROM');
  const messagingServiceSid = value('TWILIO_MESSAGING_SERVICE_SID');
  const given = {
    TWILIO_ACCOUNT_SID: accountSid,
    TWILIO_AUTH_TOKEN: authToken,
    TWILIO_FROM: from,
    TWILIO_MESSAGING_SERVICE_SID: messagingServiceSid,
    TWILIO_API_URL: apiUrl,
  };
  const set = Object.keys(given).filter((k) => given[k as keyof typeof given] !== undefined);
  if (set.length === 0) return undefined;
  if (!accountSid || !authToken) {
    problems.push(
      `TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must be set together to send SMS through Twilio (set: ${set.join(', ')})`,
    );
  }
  if (accountSid && !/^AC[0-9a-fA-F]{32}$/.test(accountSid))
    problems.push('TWILIO_ACCOUNT_SID must be AC followed by 32 hex digits (the Account SID in the Twilio console)');
  if (!from && !messagingServiceSid)
    problems.push('TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID must be set: the sender of SMS');
  if (from && !/^\+[1-9]\d{1,14}$/.test(from))
    problems.push(`TWILIO_FROM must be a phone number in E.164 form, like +14155550100 (got "${from}")`);
  if (messagingServiceSid && !/^MG[0-9a-fA-F]{32}$/.test(messagingServiceSid))
    problems.push('TWILIO_MESSAGING_SERVICE_SID must be MG followed by 32 hex digits');
  if (apiUrl && /\/2010-04-01/.test(apiUrl))
    problems.push('TWILIO_API_URL must be the base URL, without the /2010-04-01 version path');
  if (!accountSid || !authToken) return undefined;
  return { accountSid, authToken, from, messagingServiceSid, apiUrl };
}

const ADDRESS_OR_CIDR = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]*)(?:\/\d{1,3})?$/;

/**
 * TRUST_PROXY: unset or false, none; a number, that many proxies in front; else a comma-separated
 * list of proxy addresses, CIDRs (e.g. 10.0.0.0/8) or proxy-addr's names (loopback, linklocal,
 * uniquelocal). `true` (believe any sender) is refused: a
 * client could then name any address and step around every per-address limit.
 */
function parseTrustProxy(raw: string | undefined, problems: string[]): Config['trustProxy'] {
  if (raw === undefined || ['false', 'no', '0', ''].includes(raw.trim().toLowerCase())) return false;
  if (/^\d+$/.test(raw.trim())) {
    const hops = Number(raw.trim());
    if (hops <= 32) return hops;
  }
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const bad = entries.filter(
    (entry) => !ADDRESS_OR_CIDR.test(entry) && !['loopback', 'linklocal', 'uniquelocal'].includes(entry),
  );
  if (entries.length === 0 || bad.length > 0) {
    problems.push(
      `TRUST_PROXY must be false, a number of proxies (1-32) or comma-separated proxy addresses, CIDRs, loopback, linklocal or uniquelocal (got "${raw}")`,
    );
    return false;
  }
  return entries;
}
