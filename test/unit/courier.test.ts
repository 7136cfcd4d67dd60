import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { isCognitoError } from '../../src/errors/cognito-error.ts';
import type { Logger } from '../../src/lib/logger.ts';
import {
  codeDeliveryDetails,
  createCourier,
  createCourierFromConfig,
  createLogChannel,
  createSmtpChannel,
  maskDestination,
  renderMessage,
  type Purpose,
} from '../../src/modules/courier/index.ts';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp-capture.ts';

type Level = 'info' | 'warn' | 'error' | 'debug';
interface LogCall {
  level: Level;
  obj: Record<string, unknown>;
  msg: string | undefined;
}

function recordingLogger(): Logger & { calls: LogCall[] } {
  const calls: LogCall[] = [];
  const at = (level: Level) => (obj: object, msg?: string) => {
    calls.push({ level, obj: obj as Record<string, unknown>, msg });
  };
  return { calls, info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') };
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const purposes: Purpose[] = ['SIGN_UP', 'VERIFY_ATTRIBUTE', 'FORGOT_PASSWORD', 'ADMIN_INVITATION'];
const mailFrom = 'Cognate <no-reply@cognate.test>';

describe('maskDestination', () => {
  const cases: Array<['email' | 'phone_number', string, string]> = [
    ['email', 'jane@example.com', 'j***@e***'],
    ['email', 'a@b.co', 'a***@b***'],
    ['email', 'zed@mail.example.co.uk', 'z***@m***'],
    ['email', 'jane+newsletter@example.com', 'j***@e***'],
    ['email', 'Jane.Doe@Example.COM', 'J***@E***'],
    ['email', 'élodie@exemple.fr', 'é***@e***'],
    ['phone_number', '+12128601234', '+********1234'],
    ['phone_number', '+447700900123', '+********0123'],
    ['phone_number', '+33612345678', '+********5678'],
  ];
  for (const [attribute, value, expected] of cases) {
    test(`${value} -> ${expected}`, () => {
      assert.equal(maskDestination(attribute, value), expected);
    });
  }

  test('codeDeliveryDetails names the medium and masks the value', () => {
    assert.deepEqual(codeDeliveryDetails('email', 'jane@example.com'), {
      destination: 'j***@e***',
      deliveryMedium: 'EMAIL',
      attributeName: 'email',
    });
    assert.deepEqual(codeDeliveryDetails('phone_number', '+12128601234'), {
      destination: '+********1234',
      deliveryMedium: 'SMS',
      attributeName: 'phone_number',
    });
  });
});

describe('renderMessage', () => {
  for (const purpose of purposes) {
    test(`${purpose}: email has subject, and code and username in text and html; SMS has the code`, () => {
      const email = renderMessage(purpose, 'EMAIL', { code: '482913', username: 'jane' });
      assert.ok(email.subject);
      for (const body of [email.text, email.html ?? '']) {
        assert.match(body, /482913/);
        assert.match(body, /jane/);
        assert.doesNotMatch(body, /\{####\}|\{username\}/);
      }
      const sms = renderMessage(purpose, 'SMS', { code: '482913', username: 'jane' });
      assert.match(sms.text, /482913/);
      assert.equal(sms.subject, undefined);
      assert.equal(sms.html, undefined);
    });
  }

  test('values are escaped in HTML and left as they are in text', () => {
    const username = `<img src=x onerror="alert('x')">&`;
    const { text, html } = renderMessage('SIGN_UP', 'EMAIL', { code: '123456', username });
    assert.ok(text.includes(username));
    assert.ok(!html!.includes('<img'));
    assert.ok(html!.includes('&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;'));
  });

  test('placeholders are filled in one pass', () => {
    const { text } = renderMessage('SIGN_UP', 'EMAIL', { code: '123456', username: '{####}' });
    assert.match(text, /123456/);
    assert.ok(text.includes('account {####}'));
  });

  test('custom templates replace the defaults; a custom text gets a matching, escaped html', () => {
    const out = renderMessage(
      'VERIFY_ATTRIBUTE',
      'EMAIL',
      { code: '654321', username: 'a<b' },
      { emailSubject: 'Code for {username}', emailText: 'Hi {username},\nyour code: {####}' },
    );
    assert.equal(out.subject, 'Code for a<b');
    assert.equal(out.text, 'Hi a<b,\nyour code: 654321');
    assert.equal(out.html, '<p>Hi a&lt;b,<br>\nyour code: 654321</p>');
    const sms = renderMessage('VERIFY_ATTRIBUTE', 'SMS', { code: '654321', username: 'u' }, { smsText: 'Code {####}' });
    assert.equal(sms.text, 'Code 654321');
  });
});

describe('SMTP channel', () => {
  let capture: SmtpCapture;
  before(async () => {
    capture = await startSmtpCapture({ rejectRecipient: (address) => address.startsWith('nobody@') });
  });
  after(async () => {
    await capture.close();
  });

  test('delivers a real mail with subject, text and html, and the code is readable', async () => {
    const logger = recordingLogger();
    const courier = await createCourierFromConfig({ smtpUrl: capture.url, mailFrom, logger });
    try {
      const result = await courier.deliver({
        medium: 'EMAIL',
        to: 'jane+tag@example.com',
        purpose: 'SIGN_UP',
        code: '482913',
        username: 'Zoë <jane>',
        templates: { emailSubject: 'Bienvenue, {username} — {####}' },
      });
      assert.equal(result.channel, 'smtp');
      assert.match(result.providerMessageId ?? '', /^<.+@.+>$/);

      const mail = await capture.waitFor((m) => m.to.includes('jane+tag@example.com'));
      assert.equal(mail.from, 'no-reply@cognate.test');
      assert.deepEqual(mail.to, ['jane+tag@example.com']);
      assert.equal(mail.subject, 'Bienvenue, Zoë <jane> — 482913');
      assert.match(mail.text, /Your verification code is 482913\./);
      assert.match(mail.text, /Zoë <jane>/);
      assert.match(mail.html, /<strong>482913<\/strong>/);
      assert.match(mail.html, /Zoë &lt;jane&gt;/);
      assert.ok(mail.raw.includes(result.providerMessageId!));
      assert.equal(await capture.codeFor('JANE+tag@example.com'), '482913');
      // The code goes only into the bodies, never into the operational log.
      assert.ok(!JSON.stringify(logger.calls).includes('482913'));
    } finally {
      await courier.close();
    }
  });

  test('codeFor returns the latest code and waits for one not yet sent', async () => {
    const channel = createSmtpChannel({ smtpUrl: capture.url.replace('smtp://', 'smtp://user:secret@'), mailFrom });
    const courier = createCourier({
      email: channel,
      sms: createLogChannel(recordingLogger()),
      logger: recordingLogger(),
    });
    try {
      const pending = capture.codeFor('later@example.com');
      await courier.deliver({
        medium: 'EMAIL',
        to: 'later@example.com',
        purpose: 'FORGOT_PASSWORD',
        code: '111111',
        username: 'l',
      });
      assert.equal(await pending, '111111');
      await courier.deliver({
        medium: 'EMAIL',
        to: 'later@example.com',
        purpose: 'FORGOT_PASSWORD',
        code: '222222',
        username: 'l',
      });
      assert.equal(await capture.codeFor('later@example.com'), '222222');
      await assert.rejects(capture.codeFor('never@example.com', 100), /No matching mail/);
    } finally {
      await courier.close();
    }
  });

  test('a rejected recipient makes deliver throw CodeDeliveryFailureException, logged without the code', async () => {
    const logger = recordingLogger();
    const courier = await createCourierFromConfig({ smtpUrl: capture.url, mailFrom, logger });
    try {
      const err = await courier
        .deliver({ medium: 'EMAIL', to: 'nobody@example.com', purpose: 'SIGN_UP', code: '737373', username: 'n' })
        .then(
          () => assert.fail('deliver should have thrown'),
          (e: unknown) => e,
        );
      assert.ok(isCognitoError(err));
      assert.equal(err.name, 'CodeDeliveryFailureException');
      assert.ok(err.cause instanceof Error);
      assert.match(err.cause.message, /550/);
      const failure = logger.calls.find((c) => c.level === 'error');
      assert.equal(failure?.obj.destination, 'n***@e***');
      assert.ok(!JSON.stringify(logger.calls).includes('737373'));
      assert.ok(!capture.messages.some((m) => m.to.includes('nobody@example.com')));
    } finally {
      await courier.close();
    }
  });

  test('a closed port makes deliver throw CodeDeliveryFailureException', async () => {
    const port = await closedPort();
    const courier = await createCourierFromConfig({
      smtpUrl: `smtp://127.0.0.1:${port}`,
      mailFrom,
      logger: recordingLogger(),
    });
    try {
      await assert.rejects(
        courier.deliver({ medium: 'EMAIL', to: 'jane@example.com', purpose: 'SIGN_UP', code: '123456', username: 'j' }),
        (err: unknown) =>
          isCognitoError(err) && err.name === 'CodeDeliveryFailureException' && err.cause instanceof Error,
      );
    } finally {
      await courier.close();
    }
  });
});

describe('log channel', () => {
  test('without SMTP_URL, email and SMS are logged at warn with the code as its own field', async () => {
    const logger = recordingLogger();
    const courier = await createCourierFromConfig({ mailFrom, logger });
    assert.ok(logger.calls.some((c) => c.level === 'warn' && /SMTP_URL/.test(c.msg ?? '')));

    const email = await courier.deliver({
      medium: 'EMAIL',
      to: 'jane@example.com',
      purpose: 'VERIFY_ATTRIBUTE',
      code: '246810',
      username: 'jane',
    });
    const sms = await courier.deliver({
      medium: 'SMS',
      to: '+12128601234',
      purpose: 'SIGN_UP',
      code: '135791',
      username: 'jane',
    });
    assert.deepEqual(email, { channel: 'log' });
    assert.deepEqual(sms, { channel: 'log' });

    const logged = logger.calls.filter((c) => c.level === 'warn' && c.obj.code !== undefined);
    assert.equal(logged.length, 2);
    assert.match(logged[0]!.msg ?? '', /NOT DELIVERED: development log channel/);
    assert.deepEqual(
      logged.map((c) => [c.obj.code, c.obj.to, c.obj.purpose, c.obj.medium]),
      [
        ['246810', 'jane@example.com', 'VERIFY_ATTRIBUTE', 'EMAIL'],
        ['135791', '+12128601234', 'SIGN_UP', 'SMS'],
      ],
    );
    // Only the log channel's own line carries the code.
    const others = logger.calls.filter((c) => !logged.includes(c));
    assert.ok(!JSON.stringify(others).includes('246810'));
    await courier.close();
  });

  test('a failing channel becomes CodeDeliveryFailureException with the cause', async () => {
    const boom = new Error('provider down');
    const failing = { name: 'broken', send: async () => Promise.reject(boom) };
    const courier = createCourier({ email: failing, sms: failing, logger: recordingLogger() });
    await assert.rejects(
      courier.deliver({ medium: 'SMS', to: '+12128601234', purpose: 'SIGN_UP', code: '1', username: 'u' }),
      (err: unknown) => isCognitoError(err) && err.name === 'CodeDeliveryFailureException' && err.cause === boom,
    );
  });
});
