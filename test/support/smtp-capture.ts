import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { createInbox } from './inbox.ts';

export interface CapturedMail {
  /** Envelope sender. */
  from: string;
  /** Envelope recipients, as the client gave them. */
  to: string[];
  subject: string;
  text: string;
  html: string;
  raw: string;
}

export interface SmtpCapture {
  /** `smtp://127.0.0.1:<port>`; credentials may be added, any are accepted. */
  url: string;
  messages: CapturedMail[];
  /** The latest captured mail that matches, or the next one to arrive. */
  waitFor(predicate: (m: CapturedMail) => boolean, timeoutMs?: number): Promise<CapturedMail>;
  /** The 6-digit code in the latest mail to `to` (case-insensitive), waiting for one. */
  codeFor(to: string, timeoutMs?: number): Promise<string>;
  close(): Promise<void>;
}

export interface SmtpCaptureOptions {
  /** Answer 550 to RCPT TO for these addresses. */
  rejectRecipient?: (address: string) => boolean;
  /** Listen on this port (a server that comes back where it was); a free one by default. */
  port?: number;
}

export async function startSmtpCapture(options: SmtpCaptureOptions = {}): Promise<SmtpCapture> {
  const inbox = createInbox<CapturedMail>((m) => `${m.to.join(',')}: ${m.subject}`, 'mail');
  const { messages, waitFor } = inbox;

  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    closeTimeout: 500,
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username ?? 'anyone' });
    },
    onRcptTo(address, _session, callback) {
      if (options.rejectRecipient?.(address.address)) {
        const err = Object.assign(new Error(`Mailbox unavailable: ${address.address}`), { responseCode: 550 });
        return callback(err);
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', callback);
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('latin1');
        const envelope = session.envelope;
        const mail: CapturedMail = {
          ...parseMessage(raw),
          from: envelope.mailFrom ? envelope.mailFrom.address : '',
          to: envelope.rcptTo.map((a) => a.address),
          raw: Buffer.from(raw, 'latin1').toString('utf8'),
        };
        inbox.receive(mail);
        callback();
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;

  async function codeFor(to: string, timeoutMs?: number): Promise<string> {
    const address = to.toLowerCase();
    const mail = await waitFor((m) => m.to.some((a) => a.toLowerCase() === address), timeoutMs);
    const code = /(?<!\d)\d{6}(?!\d)/.exec(mail.text)?.[0];
    if (!code) throw new Error(`The latest mail to ${to} has no 6-digit code: ${JSON.stringify(mail.text)}`);
    return code;
  }

  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    waitFor,
    codeFor,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// A small MIME reader: enough for what nodemailer writes (multipart, quoted-printable,
// base64, encoded-word headers). Works on latin1 strings so every byte survives until
// the charset of each part is known.

interface Part {
  headers: Map<string, string>;
  body: string;
}

function splitPart(source: string): Part {
  const end = source.indexOf('\n\n');
  const head = end < 0 ? source : source.slice(0, end);
  const body = end < 0 ? '' : source.slice(end + 2);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function contentType(part: Part): { type: string; params: Map<string, string> } {
  const value = part.headers.get('content-type') ?? 'text/plain; charset=us-ascii';
  const params = new Map<string, string>();
  for (const m of value.matchAll(/;\s*([\w-]+)\s*=\s*(?:"([^"]*)"|([^;\s]*))/g)) {
    params.set(m[1]!.toLowerCase(), m[2] ?? m[3] ?? '');
  }
  return { type: value.split(';')[0]!.trim().toLowerCase(), params };
}

function decodeQuotedPrintable(s: string): Buffer {
  const src = s.replace(/=[ \t]*\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < src.length; i++) {
    const hex = src.slice(i + 1, i + 3);
    if (src[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(src.charCodeAt(i) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

function decodeCharset(bytes: Buffer, charset = 'utf-8'): string {
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return bytes.toString('utf8');
  }
}

function decodeBody(part: Part): string {
  const encoding = (part.headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const bytes =
    encoding === 'base64'
      ? Buffer.from(part.body.replace(/\s+/g, ''), 'base64')
      : encoding === 'quoted-printable'
        ? decodeQuotedPrintable(part.body)
        : Buffer.from(part.body, 'latin1');
  return decodeCharset(bytes, contentType(part).params.get('charset'));
}

function decodeHeader(value: string): string {
  const utf8 = Buffer.from(value, 'latin1').toString('utf8');
  return utf8
    .replace(/(\?=)\s+(=\?)/g, '$1$2') // whitespace between encoded words is not text
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, charset: string, enc: string, data: string) =>
      decodeCharset(
        enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64') : decodeQuotedPrintable(data.replace(/_/g, ' ')),
        charset,
      ),
    );
}

function collectLeaves(part: Part, leaves: Part[]): void {
  const { type, params } = contentType(part);
  const boundary = params.get('boundary');
  if (!type.startsWith('multipart/') || !boundary) {
    leaves.push(part);
    return;
  }
  const chunks = `\n${part.body}`.split(`\n--${boundary}`);
  for (const chunk of chunks.slice(1)) {
    if (chunk.startsWith('--')) break;
    collectLeaves(splitPart(chunk.slice(chunk.indexOf('\n') + 1)), leaves);
  }
}

function parseMessage(raw: string): { subject: string; text: string; html: string } {
  const root = splitPart(raw.replace(/\r\n/g, '\n'));
  const leaves: Part[] = [];
  collectLeaves(root, leaves);
  const inline = leaves.filter((p) => !/^attachment/i.test(p.headers.get('content-disposition') ?? ''));
  const text = inline.find((p) => contentType(p).type === 'text/plain');
  const html = inline.find((p) => contentType(p).type === 'text/html');
  return {
    subject: decodeHeader(root.headers.get('subject') ?? ''),
    text: text ? decodeBody(text) : '',
    html: html ? decodeBody(html) : '',
  };
}
