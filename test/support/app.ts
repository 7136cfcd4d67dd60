import { Writable } from 'node:stream';
import { pino } from 'pino';
import { buildApp, type App } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { logOptions } from '../../src/lib/log.ts';
import type { Database } from '../../src/db/client.ts';
import type { HookCallPolicy } from '../../src/modules/hooks/hooks.ts';
import { createServices, type Services } from '../../src/services.ts';
import { openTestDatabase } from './database.ts';
import { startSmtpCapture, type SmtpCapture, type SmtpCaptureOptions } from './smtp-capture.ts';
import { startTwilioStandIn, type TwilioStandIn } from './twilio-standin.ts';

export const ADMIN_KEY = 'test-admin-key-0123456789abcdef';
export const PASSWORD = 'Passw0rd!';

/** Request rate limits far above what any test sends, so only the tests of limits meet them (they lower these). */
export const GENEROUS_RATE_LIMITS = Object.fromEntries(
  ['SIGN_IN', 'SIGN_UP', 'CODE_SEND', 'CODE_CHECK', 'REFRESH'].flatMap((kind) => [
    [`RATE_LIMIT_${kind}_PER_IP`, '1000000'],
    [`RATE_LIMIT_${kind}_PER_TARGET`, '1000000'],
  ]),
);

export interface LogEntry {
  level: number;
  msg?: string;
  [key: string]: unknown;
}

export interface TestApp {
  app: App;
  services: Services;
  database: Database;
  config: Config;
  smtp: SmtpCapture;
  /** The Twilio stand-in SMS go to through the real twilio client (unless the TWILIO_* variables are set to ''). */
  twilio: TwilioStandIn;
  logs: LogEntry[];
  /** Admin-authorised JSON request; returns status and parsed body. */
  admin(method: string, url: string, body?: unknown): Promise<TestResponse>;
  /** Unauthenticated or bearer JSON request. */
  call(method: string, url: string, body?: unknown, token?: string): Promise<TestResponse>;
  /** The code in the latest SMS to `phone`: from the Twilio stand-in, or from the log channel when Twilio is turned off. */
  smsCodeFor(phone: string): string;
  close(): Promise<void>;
}

export interface TestResponse {
  status: number;
  body: any;
  headers: Record<string, unknown>;
}

/**
 * The real app on a database of its own, with email over real SMTP to a capture server and
 * SMS through the twilio client over HTTP to a Twilio stand-in.
 * Password hashing is lowered here because these tests are not about it.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  options: { smtp?: SmtpCaptureOptions; now?: () => Date; hookPolicy?: Partial<HookCallPolicy> } = {},
): Promise<TestApp> {
  const smtp = await startSmtpCapture(options.smtp);
  const twilio = await startTwilioStandIn();
  // DATABASE_POOL_SIZE sizes the test database's pool as it would the server's (PostgreSQL only).
  const database = await openTestDatabase({
    ...(env.DATABASE_POOL_SIZE && { poolSize: Number(env.DATABASE_POOL_SIZE) }),
  });
  const config = loadConfig({
    ADMIN_API_KEY: ADMIN_KEY,
    SMTP_URL: smtp.url,
    MAIL_FROM: 'Cognate Tests <tests@cognate.test>',
    ARGON2_MEMORY_KIB: '1024',
    ARGON2_TIME_COST: '1',
    PUBLIC_URL: 'http://cognate.test',
    TWILIO_ACCOUNT_SID: twilio.accountSid,
    TWILIO_AUTH_TOKEN: twilio.authToken,
    TWILIO_FROM: twilio.from,
    TWILIO_API_URL: twilio.url,
    ...GENEROUS_RATE_LIMITS,
    ...env,
  });
  const logs: LogEntry[] = [];
  // The server's own logger options (redaction, serializers), so tests see what production logs.
  const logger = pino(
    { ...logOptions, level: 'debug' },
    new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) logs.push(JSON.parse(line));
        done();
      },
    }),
  );
  // `now` moves the sign-in lockout's clock (tests of waits that last minutes).
  // `hookPolicy` lowers the hooks' 5-second timeout and pause between attempts (tests of slow or failing hooks).
  const services = await createServices(config, database, logger, {
    ...(options.now && { now: options.now }),
    ...(options.hookPolicy && { hookPolicy: options.hookPolicy }),
  });
  const app = await buildApp({
    services,
    logger,
    trustProxy: config.trustProxy,
    ...(config.metricsToken !== undefined && { metricsToken: config.metricsToken }),
    ...(config.tls && { https: config.tls }),
  });
  await app.ready();

  async function request(
    method: string,
    url: string,
    body: unknown,
    headers: Record<string, string>,
  ): Promise<TestResponse> {
    const response = await app.inject({
      method: method as 'GET',
      url,
      headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
      ...(body !== undefined && { payload: JSON.stringify(body) }),
    });
    const text = response.body;
    return { status: response.statusCode, body: text ? JSON.parse(text) : undefined, headers: response.headers };
  }

  return {
    app,
    services,
    database,
    config,
    smtp,
    twilio,
    logs,
    admin: (method, url, body) => request(method, url, body, { authorization: `Bearer ${ADMIN_KEY}` }),
    call: (method, url, body, token) => request(method, url, body, token ? { authorization: `Bearer ${token}` } : {}),
    smsCodeFor(phone) {
      // A send has finished by the time the request that caused it has answered.
      if (config.twilio) return twilio.codeFor(phone);
      const entry = logs.findLast((e) => e.to === phone && typeof e.code === 'string');
      if (!entry) throw new Error(`no code was logged for ${phone}`);
      return entry.code as string;
    },
    async close() {
      await app.close();
      await services.close();
      await database.close();
      await smtp.close();
      await twilio.close();
    },
  };
}

/** Creates a pool (admin API) and one client; returns their ids. */
export async function createPoolWithClient(
  t: TestApp,
  pool: Record<string, unknown> = {},
  client: Record<string, unknown> = {},
) {
  const created = await t.admin('POST', '/v1/pools', { name: 'test', ...pool });
  if (created.status !== 201) throw new Error(`pool: ${created.status} ${JSON.stringify(created.body)}`);
  const app = await t.admin('POST', `/v1/pools/${created.body.id}/clients`, { name: 'app', ...client });
  if (app.status !== 201) throw new Error(`client: ${app.status} ${JSON.stringify(app.body)}`);
  return { poolId: created.body.id as string, clientId: app.body.clientId as string, pool: created.body };
}

/** Signs up, confirms with the code from the received mail, signs in; returns the tokens. */
export async function signedInUser(t: TestApp, clientId: string, username: string, attributes: Record<string, string>) {
  const signUp = await t.call('POST', '/v1/sign-up', {
    clientId,
    username,
    password: PASSWORD,
    userAttributes: attributes,
  });
  if (signUp.status !== 201) throw new Error(`sign-up: ${signUp.status} ${JSON.stringify(signUp.body)}`);
  const medium = signUp.body.codeDeliveryDetails?.deliveryMedium;
  if (medium) {
    const code = medium === 'SMS' ? t.smsCodeFor(attributes.phone_number!) : await t.smtp.codeFor(attributes.email!);
    const confirmed = await t.call('POST', '/v1/sign-up/confirm', { clientId, username, confirmationCode: code });
    if (confirmed.status !== 200) throw new Error(`confirm: ${confirmed.status} ${JSON.stringify(confirmed.body)}`);
  } else {
    throw new Error('sign-up sent no code: use a pool with auto-verified email or phone');
  }
  const signIn = await t.call('POST', '/v1/auth/sign-in', { clientId, username, password: PASSWORD });
  if (signIn.status !== 200) throw new Error(`sign-in: ${signIn.status} ${JSON.stringify(signIn.body)}`);
  return { ...signIn.body, userSub: signUp.body.userSub as string } as {
    accessToken: string;
    idToken: string;
    refreshToken: string;
    userSub: string;
  };
}

export function decodeJwt(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
}
