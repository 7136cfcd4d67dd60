import assert from 'node:assert/strict';
import { PASSWORD, type TestApp, type TestResponse } from './app.ts';

/** Asserts a problem document: status, Cognito code and (optionally) a part of `detail`. */
export function assertProblem(res: TestResponse, status: number, code: string, detailPart?: string): void {
  assert.equal(res.status, status, `expected ${status} ${code}, got ${res.status} ${JSON.stringify(res.body)}`);
  assert.equal(res.body.code, code, JSON.stringify(res.body));
  assert.equal(res.body.status, status);
  assert.equal(res.body.title, code);
  assert.equal(res.body.type, `urn:cognate:error:${code}`);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  if (detailPart !== undefined) {
    assert.ok(
      String(res.body.detail).includes(detailPart),
      `detail ${JSON.stringify(res.body.detail)} lacks ${JSON.stringify(detailPart)}`,
    );
  }
}

let counter = 0;
/** A fresh address per call, so the shared SMTP capture never mixes tests up. */
export function uniqueEmail(local = 'user', domain = 'example.com'): string {
  counter += 1;
  return `${local}.${process.pid}.${counter}@${domain}`;
}

/** A fresh E.164 number per call. */
export function uniquePhone(): string {
  counter += 1;
  return `+1555${String(process.pid % 1000).padStart(3, '0')}${String(counter).padStart(4, '0')}`;
}

export function mailsTo(t: TestApp, address: string): number {
  const lower = address.toLowerCase();
  return t.smtp.messages.filter((m) => m.to.some((a) => a.toLowerCase() === lower)).length;
}

/** SMS sent to `phone`: accepted by the Twilio stand-in, or written to the log when Twilio is turned off. */
export function smsTo(t: TestApp, phone: string): number {
  if (t.config.twilio) return t.twilio.messages.filter((m) => m.to === phone).length;
  return t.logs.filter((e) => e.to === phone && typeof e.code === 'string').length;
}

/** The code of the newest mail to `address`, insisting that it is newer than the first `seen` mails. */
export async function newCodeFor(t: TestApp, address: string, seen: number): Promise<string> {
  const lower = address.toLowerCase();
  const mails = () => t.smtp.messages.filter((m) => m.to.some((a) => a.toLowerCase() === lower));
  if (mails().length <= seen) {
    await t.smtp.waitFor((m) => m.to.some((a) => a.toLowerCase() === lower) && mails().length > seen);
  }
  const code = /(?<!\d)\d{6}(?!\d)/.exec(mails().at(-1)!.text)?.[0];
  assert.ok(code, 'the mail has a 6-digit code');
  return code;
}

/** A code that is certainly not the given one. */
export function otherCode(code: string): string {
  return String((Number(code) + 1) % 1_000_000).padStart(6, '0');
}

export async function signUp(
  t: TestApp,
  clientId: string,
  username: string,
  userAttributes: Record<string, string>,
  password = PASSWORD,
) {
  return t.call('POST', '/v1/sign-up', { clientId, username, password, userAttributes });
}

export async function signIn(t: TestApp, clientId: string, username: string, password = PASSWORD) {
  return t.call('POST', '/v1/auth/sign-in', { clientId, username, password });
}

/** The attribute map this token's client may read; asserts 200. */
export async function attributesOf(t: TestApp, token: string): Promise<Record<string, string>> {
  const res = await t.call('GET', '/v1/me/attributes', undefined, token);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

export async function updateAttributes(t: TestApp, token: string, userAttributes: Record<string, string>) {
  return t.call('PATCH', '/v1/me/attributes', { userAttributes }, token);
}

/** Waits until `condition` holds (for work done after a response, such as a hidden user's reset code). */
export async function eventually(condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
