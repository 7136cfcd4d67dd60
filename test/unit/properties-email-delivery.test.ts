/**
 * Property: every address the attribute engine accepts as an email is one a mail server takes
 * in RCPT TO, sent through Cognate's own SMTP channel to a real SMTP server (smtp-server, as in
 * the route tests). An address that passes the format check and then fails at delivery is a
 * 502 CodeDeliveryFailureException where a 400 was due (found by the API fuzz: `+<@5VoN`).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { isEmailAddress } from '../../src/modules/attributes/index.ts';
import { createSmtpChannel } from '../../src/modules/courier/channels/smtp.channel.ts';
import type { Channel } from '../../src/modules/courier/courier.ts';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp-capture.ts';

const RUNS = {
  seed: Number(process.env.PROPERTY_SEED ?? 20261126),
  numRuns: Number(process.env.PROPERTY_RUNS ?? 150),
} as const;

let smtp: SmtpCapture;
let channel: Channel;
before(async () => {
  smtp = await startSmtpCapture();
  // A pooled connection: the property sends many mails, and a new connection each costs ~60 ms.
  channel = createSmtpChannel({
    smtpUrl: `${smtp.url}${smtp.url.includes('?') ? '&' : '?'}pool=true`,
    mailFrom: 'Cognate Tests <tests@cognate.test>',
  });
});
after(async () => {
  await channel?.close?.();
  await smtp?.close();
});

/** Address-like text: mostly ASCII punctuation that mail syntax gives meaning to, around one `@`. */
const part = fc.string({
  unit: fc.constantFrom(...'ab9.-_+<>()[]:;,"\\!#$%&\'*/=?^`{|}~ü🙂'.split(/(?:)/u)),
  minLength: 1,
  maxLength: 8,
});
const address = fc.oneof(
  fc.tuple(part, part).map(([local, domain]) => `${local}@${domain}`),
  fc.tuple(part, part, part).map(([local, a, b]) => `${local}@${a}.${b}`),
  fc.emailAddress(),
);

test('every address isEmailAddress accepts is taken by an SMTP server through the SMTP channel', async () => {
  let accepted = 0;
  await fc.assert(
    fc.asyncProperty(address, async (to) => {
      if (!isEmailAddress(to)) return;
      accepted += 1;
      await channel.send({
        medium: 'EMAIL',
        to,
        purpose: 'SIGN_UP',
        subject: 's',
        text: 'Your code is 123456',
        code: '123456',
        username: 'u',
      });
    }),
    RUNS,
  );
  assert.ok(accepted > RUNS.numRuns / 4, `only ${accepted} generated addresses were valid`);
});

test('addresses a mail server refuses in RCPT TO are not email addresses', () => {
  for (const value of [
    '+<@5VoN',
    'a@b<c',
    'a>b@c.d',
    'a..b@c.d',
    'a@b_c.d',
    'a@b(c)',
    'a@b,c',
    'a@b:c',
    'a@b/c',
    'a@b+c',
  ]) {
    assert.equal(isEmailAddress(value), false, value);
  }
});
