import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { createSmtpChannel } from '../../src/modules/courier/channels/smtp.channel.ts';
import { DeliveryError } from '../../src/modules/courier/delivery-error.ts';

/** A self-signed certificate for 127.0.0.1, made with the system's openssl. */
async function selfSignedCertificate(): Promise<{ key: Buffer; cert: Buffer }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cognate-tls-'));
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  await promisify(execFile)('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    key,
    '-out',
    cert,
  ]);
  return { key: await readFile(key), cert: await readFile(cert) };
}

interface Received {
  user?: string;
  secure: boolean;
  data: string;
}

/** A real SMTP server that requires a login (alice / s3cret) and records what it was given. */
async function startServer(
  options: SMTPServerOptions,
): Promise<{ port: number; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = new SMTPServer({
    ...options,
    authOptional: false,
    onAuth(auth, _session, callback) {
      if (auth.username === 'alice' && auth.password === 's3cret') return callback(null, { user: auth.username });
      return callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      let data = '';
      stream.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
      stream.on('end', () => {
        received.push({ user: session.user as string | undefined, secure: session.secure, data });
        callback();
      });
    },
  });
  // A client that gives up on our certificate drops the socket mid-handshake: expected here.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const message = {
  medium: 'EMAIL' as const,
  to: 'jane@example.com',
  purpose: 'SIGN_UP' as const,
  subject: 'Your verification code',
  text: 'Your verification code is 123456.',
  html: '<p>Your verification code is <b>123456</b>.</p>',
  code: '123456',
  username: 'jane',
};

describe('SMTP transport security (nodemailer against real servers)', () => {
  let tls: { key: Buffer; cert: Buffer };
  before(async () => {
    tls = await selfSignedCertificate();
  });

  test('implicit TLS (smtps://) with authentication', async (t) => {
    const server = await startServer({ secure: true, ...tls });
    t.after(() => server.close());
    // The certificate is self-signed: trust it for this test through nodemailer's URL options.
    const channel = createSmtpChannel({
      smtpUrl: `smtps://alice:s3cret@127.0.0.1:${server.port}/?tls.rejectUnauthorized=false`,
      mailFrom: 'Cognate <no-reply@cognate.test>',
    });
    const result = await channel.send(message);
    await channel.close?.();
    assert.ok(result.providerMessageId);
    assert.equal(server.received.length, 1);
    assert.equal(server.received[0]!.user, 'alice');
    assert.equal(server.received[0]!.secure, true);
    assert.match(server.received[0]!.data, /123456/);
  });

  test('STARTTLS upgrade on a plain port, with authentication', async (t) => {
    const server = await startServer({ secure: false, ...tls });
    t.after(() => server.close());
    const channel = createSmtpChannel({
      smtpUrl: `smtp://alice:s3cret@127.0.0.1:${server.port}/?requireTLS=true&tls.rejectUnauthorized=false`,
      mailFrom: 'no-reply@cognate.test',
    });
    await channel.send(message);
    await channel.close?.();
    assert.equal(server.received.length, 1);
    assert.equal(server.received[0]!.secure, true, 'the session was upgraded with STARTTLS before the login');
    assert.equal(server.received[0]!.user, 'alice');
  });

  test('a refused login is a transient failure (our configuration, fixable), and nothing is sent', async (t) => {
    const server = await startServer({ secure: true, ...tls });
    t.after(() => server.close());
    const channel = createSmtpChannel({
      smtpUrl: `smtps://alice:wrong@127.0.0.1:${server.port}/?tls.rejectUnauthorized=false`,
      mailFrom: 'no-reply@cognate.test',
    });
    await assert.rejects(
      channel.send(message),
      (error: unknown) => error instanceof DeliveryError && error.permanent === false,
    );
    await channel.close?.();
    assert.equal(server.received.length, 0);
  });

  test('a certificate that does not verify is refused by default', async (t) => {
    const server = await startServer({ secure: true, ...tls });
    t.after(() => server.close());
    const channel = createSmtpChannel({
      smtpUrl: `smtps://alice:s3cret@127.0.0.1:${server.port}`,
      mailFrom: 'no-reply@cognate.test',
    });
    await assert.rejects(channel.send(message), DeliveryError);
    await channel.close?.();
    assert.equal(server.received.length, 0);
  });
});
