import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { isCognitoError } from '../../src/errors/cognito-error.ts';
import type { Logger } from '../../src/lib/logger.ts';
import { createTwilioChannel } from '../../src/modules/courier/channels/twilio.channel.ts';
import { createCourierFromConfig, DeliveryError, type OutboundMessage } from '../../src/modules/courier/index.ts';
import { startTwilioStandIn, type TwilioStandIn } from '../support/twilio-standin.ts';

const SID = `AC${'0123456789abcdef'.repeat(2)}`;
const MG = `MG${'fedcba9876543210'.repeat(2)}`;

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

function recordingLogger(): Logger & { lines: { level: string; obj: Record<string, unknown>; msg?: string }[] } {
  const lines: { level: string; obj: Record<string, unknown>; msg?: string }[] = [];
  const at = (level: string) => (obj: object, msg?: string) =>
    void lines.push({ level, obj: obj as Record<string, unknown>, msg });
  return { lines, info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') };
}

const sms = (to: string): OutboundMessage => ({
  medium: 'SMS',
  to,
  purpose: 'SIGN_UP' as const,
  text: 'Your confirmation code is 123456',
  code: '123456',
  username: 'jane',
});

async function rejection(promise: Promise<unknown>): Promise<DeliveryError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof DeliveryError, String(error));
    return error;
  }
  assert.fail('expected the send to fail');
}

describe('Twilio configuration', () => {
  test('unset: no Twilio; set: sid, token, sender and base URL', () => {
    assert.equal(loadConfig({}).twilio, undefined);
    const config = loadConfig({
      TWILIO_ACCOUNT_SID: SID,
      TWILIO_AUTH_TOKEN: 'secret',
      TWILIO_FROM: '+14155550100',
      TWILIO_API_URL: 'http://127.0.0.1:3457',
    });
    assert.deepEqual(config.twilio, {
      accountSid: SID,
      authToken: 'secret',
      from: '+14155550100',
      messagingServiceSid: undefined,
      apiUrl: 'http://127.0.0.1:3457',
    });
    assert.equal(
      loadConfig({ TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: 'secret', TWILIO_MESSAGING_SERVICE_SID: MG }).twilio
        ?.messagingServiceSid,
      MG,
    );
  });

  test('all or nothing, with one clear message per problem', () => {
    assert.deepEqual(problemsOf({ TWILIO_ACCOUNT_SID: SID, TWILIO_FROM: '+14155550100' }), [
      'TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must be set together to send SMS through Twilio (set: TWILIO_ACCOUNT_SID, TWILIO_FROM)',
    ]);
    assert.deepEqual(problemsOf({ TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: 'secret' }), [
      'TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID must be set: the sender of SMS',
    ]);
    assert.deepEqual(
      problemsOf({
        TWILIO_ACCOUNT_SID: 'nope',
        TWILIO_AUTH_TOKEN: 'secret',
        TWILIO_FROM: '4155550100',
        TWILIO_MESSAGING_SERVICE_SID: 'MG1',
      }),
      [
        'TWILIO_ACCOUNT_SID must be AC followed by 32 hex digits (the Account SID in the Twilio console)',
        'TWILIO_FROM must be a phone number in E.164 form, like +14155550100 (got "4155550100")',
        'TWILIO_MESSAGING_SERVICE_SID must be MG followed by 32 hex digits',
      ],
    );
    const base = { TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: 'secret', TWILIO_FROM: '+14155550100' };
    assert.deepEqual(problemsOf({ ...base, TWILIO_API_URL: 'ftp://twilio' }), [
      'TWILIO_API_URL must be a http:// or https:// URL',
    ]);
    assert.deepEqual(problemsOf({ ...base, TWILIO_API_URL: 'https://gw.example/2010-04-01' }), [
      'TWILIO_API_URL must be the base URL, without the /2010-04-01 version path',
    ]);
  });
});

describe('Twilio channel', () => {
  let standIn: TwilioStandIn;
  before(async () => {
    standIn = await startTwilioStandIn({ accountSid: SID });
  });
  after(() => standIn.close());

  const channel = (options: Partial<Parameters<typeof createTwilioChannel>[0]> = {}) =>
    createTwilioChannel({
      accountSid: standIn.accountSid,
      authToken: standIn.authToken,
      from: standIn.from,
      apiUrl: standIn.url,
      ...options,
    });

  test('sends To, From and the rendered Body; the message sid is the provider id', async () => {
    const { providerMessageId } = await channel().send(sms('+14155550123'));
    const sent = standIn.messages.at(-1)!;
    assert.equal(providerMessageId, sent.sid);
    assert.deepEqual(sent.params, { To: '+14155550123', From: standIn.from, Body: 'Your confirmation code is 123456' });
  });

  test('a messaging service picks the sender; a base URL with a path keeps it in front of the API path', async () => {
    const gateway = createTwilioChannel({
      accountSid: standIn.accountSid,
      authToken: standIn.authToken,
      messagingServiceSid: MG,
      apiUrl: `${standIn.url}/`,
    });
    await gateway.send(sms('+14155550124'));
    assert.deepEqual(standIn.messages.at(-1)!.params, {
      To: '+14155550124',
      MessagingServiceSid: MG,
      Body: 'Your confirmation code is 123456',
    });
    // Under a prefix the stand-in knows no route: Twilio's 404, a permanent failure.
    const prefixed = await rejection(channel({ apiUrl: `${standIn.url}/twilio` }).send(sms('+14155550125')));
    assert.match(prefixed.message, /404/);
    assert.equal(standIn.requests.at(-1)!.path, `/twilio/2010-04-01/Accounts/${SID}/Messages.json`);
  });

  test('classifies failures: 400 and 401 permanent; 429 and 5xx transient', async () => {
    const cases: [number, number | undefined, boolean][] = [
      [400, 21211, true],
      [400, 21610, true],
      [500, undefined, false],
      [503, undefined, false],
      [429, undefined, false],
    ];
    for (const [status, code, permanent] of cases) {
      standIn.failNext(1, status, code === undefined ? undefined : { code, message: 'scripted', status });
      const error = await rejection(channel().send(sms('+14155550126')));
      assert.equal(error.permanent, permanent, `${status} ${code}`);
      assert.match(error.message, new RegExp(`^Twilio answered ${status}`));
    }
    const denied = await rejection(channel({ authToken: 'wrong' }).send(sms('+14155550126')));
    assert.equal(denied.permanent, true);
    assert.match(denied.message, /401 \(error 20003\)/);
  });

  test('no answer at all is transient', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const error = await rejection(channel({ apiUrl: `http://127.0.0.1:${port}` }).send(sms('+14155550127')));
    assert.equal(error.permanent, false);
    assert.match(error.message, /^Twilio could not be reached/);
  });
});

describe('courier without Twilio', () => {
  const request = {
    medium: 'SMS' as const,
    to: '+14155550128',
    purpose: 'SIGN_UP' as const,
    code: '654321',
    username: 'jane',
  };

  test('in development SMS go to the log, with a warning at start', async () => {
    const logger = recordingLogger();
    const courier = await createCourierFromConfig({ mailFrom: 'x@example.com', logger });
    assert.ok(
      logger.lines.some(
        (l) =>
          l.level === 'warn' &&
          /TWILIO_ACCOUNT_SID is not set: SMS with codes are written to the log/.test(l.msg ?? ''),
      ),
    );
    assert.deepEqual(await courier.deliver(request), { channel: 'log' });
    assert.ok(logger.lines.some((l) => l.obj.code === '654321'));
  });

  test('in production without ALLOW_LOG_DELIVERY SMS codes are refused, never logged', async () => {
    const logger = recordingLogger();
    const courier = await createCourierFromConfig({
      smtpUrl: 'smtp://127.0.0.1:1',
      mailFrom: 'x@example.com',
      allowLogDelivery: false,
      logger,
    });
    assert.ok(logger.lines.some((l) => l.level === 'warn' && /SMS with codes are refused/.test(l.msg ?? '')));
    await assert.rejects(courier.deliver(request), (error: unknown) => {
      assert.ok(isCognitoError(error) && error.name === 'CodeDeliveryFailureException', String(error));
      assert.ok((error as Error).cause instanceof DeliveryError && ((error as Error).cause as DeliveryError).permanent);
      return true;
    });
    assert.ok(!JSON.stringify(logger.lines).includes('654321'));
    await courier.close();
  });
});
