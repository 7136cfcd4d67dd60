/**
 * TLS_CERT_FILE and TLS_KEY_FILE (docs/configuration.md, "Serving over HTTPS"): Cognate serves https
 * itself with a certificate the test makes with the openssl CLI; the default PUBLIC_URL becomes
 * https; half a pair, a missing file or a key that is not the certificate's stops the start.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { seededDataDir } from '../support/database.ts';
import { startServerProcess } from '../support/server-process.ts';
import { makeTestCertificate, type TestCertificate } from '../support/tls.ts';

let cert: TestCertificate;
let other: TestCertificate;
let t: TestApp;
let base: string;

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

/** A GET over https trusting only `ca`: the certificate must really name 127.0.0.1. */
function httpsGet(url: string, ca: string): Promise<{ status: number; body: string; protocol: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca, agent: false }, (response) => {
        const protocol = (response.socket as import('node:tls').TLSSocket).getProtocol() ?? '';
        let body = '';
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode!, body, protocol }));
      })
      .on('error', reject);
  });
}

before(async () => {
  cert = makeTestCertificate();
  other = makeTestCertificate();
  t = await startTestApp({ TLS_CERT_FILE: cert.certFile, TLS_KEY_FILE: cert.keyFile });
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
});
after(async () => {
  await t?.close();
  cert?.remove();
  other?.remove();
});

describe('serving over HTTPS', () => {
  it('the app answers /health/live over TLS with the configured certificate, trusted as the CA', async () => {
    assert.match(base, /^https:\/\/127\.0\.0\.1:\d+$/);
    const live = await httpsGet(`${base}/health/live`, cert.cert);
    assert.equal(live.status, 200);
    assert.deepEqual(JSON.parse(live.body), { status: 'ok' });
    assert.match(live.protocol, /^TLSv1\.[23]$/);
  });

  it('a client that does not trust the certificate is refused by its own TLS check (it is not the other one)', async () => {
    await assert.rejects(httpsGet(`${base}/health/live`, other.cert), (error: NodeJS.ErrnoException) => {
      assert.match(error.code ?? '', /SELF_SIGNED|UNABLE_TO_VERIFY|CERT/);
      return true;
    });
  });

  it('plain http on the TLS port gets no HTTP answer', async () => {
    const answer = await new Promise<string>((resolve) => {
      const request = http.get(`${base.replace('https:', 'http:')}/health/live`, (response) => {
        response.resume();
        resolve(`status ${response.statusCode}`);
      });
      request.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      request.setTimeout(3000, () => request.destroy(new Error('timeout')));
    });
    // Node's TLS server answers a plain HTTP request with 400 and closes, or resets the connection.
    assert.ok(answer === 'status 400' || /ECONNRESET|HPE_|socket hang up/.test(answer), answer);
  });

  it('the real server (src/server.ts) listens on https and says so', async () => {
    const dataDir = await seededDataDir('cognate-tls-data-');
    const server = await startServerProcess(
      {
        TLS_CERT_FILE: cert.certFile,
        TLS_KEY_FILE: cert.keyFile,
        DATA_DIR: dataDir,
        ADMIN_API_KEY: 'test-admin-key-0123456789abcdef',
        ARGON2_MEMORY_KIB: '1024',
        ARGON2_TIME_COST: '1',
        LOG_LEVEL: 'warn',
      },
      60_000,
    );
    try {
      const port = /listening on https:\/\/127\.0\.0\.1:(\d+)/.exec(server.output())?.[1];
      assert.ok(port, server.output());
      const live = await httpsGet(`https://127.0.0.1:${port}/health/live`, cert.cert);
      assert.equal(live.status, 200);
    } finally {
      await server.kill();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('TLS configuration', () => {
  it('both files: the pair is kept and the default PUBLIC_URL is https; a given PUBLIC_URL wins', () => {
    const config = loadConfig({ TLS_CERT_FILE: cert.certFile, TLS_KEY_FILE: cert.keyFile, PORT: '8443' });
    assert.equal(config.publicUrl, 'https://127.0.0.1:8443');
    assert.equal(config.tls?.cert.toString('utf8'), cert.cert);
    assert.equal(config.tls?.key.toString('utf8'), cert.key);
    const given = loadConfig({
      TLS_CERT_FILE: cert.certFile,
      TLS_KEY_FILE: cert.keyFile,
      PUBLIC_URL: 'https://id.example.com',
    });
    assert.equal(given.publicUrl, 'https://id.example.com');
    assert.equal(loadConfig({}).tls, undefined);
    assert.equal(loadConfig({}).publicUrl, 'http://127.0.0.1:3000');
  });

  it('half a pair is refused, naming what is set', () => {
    assert.deepEqual(problemsOf({ TLS_CERT_FILE: cert.certFile }), [
      'TLS_CERT_FILE and TLS_KEY_FILE must be set together to serve https (set: TLS_CERT_FILE)',
    ]);
    assert.deepEqual(problemsOf({ TLS_KEY_FILE: cert.keyFile, TLS_CERT_FILE: '  ' }), [
      'TLS_CERT_FILE and TLS_KEY_FILE must be set together to serve https (set: TLS_KEY_FILE)',
    ]);
  });

  it('a missing or unreadable file is refused with its name and the reason', () => {
    const missing = path.join(cert.dir, 'absent.pem');
    assert.deepEqual(problemsOf({ TLS_CERT_FILE: missing, TLS_KEY_FILE: cert.keyFile }), [
      `TLS_CERT_FILE ${missing} cannot be read (ENOENT)`,
    ]);
    assert.deepEqual(problemsOf({ TLS_CERT_FILE: cert.certFile, TLS_KEY_FILE: cert.dir }), [
      `TLS_KEY_FILE ${cert.dir} cannot be read (EISDIR)`,
    ]);
  });

  it('a key that is not the certificate’s, or a file that is not PEM, is refused at start', () => {
    const [mismatch] = problemsOf({ TLS_CERT_FILE: cert.certFile, TLS_KEY_FILE: other.keyFile });
    assert.match(
      mismatch!,
      /^TLS_CERT_FILE .* and TLS_KEY_FILE .* are not a PEM certificate and its private key \(.*key values mismatch.*\)$/,
    );
    const junk = path.join(cert.dir, 'junk.pem');
    writeFileSync(junk, 'not a certificate\n');
    const [notPem] = problemsOf({ TLS_CERT_FILE: junk, TLS_KEY_FILE: cert.keyFile });
    assert.match(notPem!, /^TLS_CERT_FILE .*junk\.pem and TLS_KEY_FILE .* are not a PEM certificate/);
  });

  it('the server process stops at start with the configuration error, exit status 1', async () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', TLS_CERT_FILE: cert.certFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 1);
    assert.equal(
      stderr,
      'Invalid configuration:\n  - TLS_CERT_FILE and TLS_KEY_FILE must be set together to serve https (set: TLS_CERT_FILE)\n',
    );
  });
});
