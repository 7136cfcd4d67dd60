import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInbox } from './inbox.ts';

/** A message as the stand-in accepted it (the fields Twilio's API takes and returns). */
export interface StandInMessage {
  sid: string;
  accountSid: string;
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
  status: 'queued' | 'accepted';
  dateCreated: Date;
  /** Every form parameter as sent, to check that nothing but To, sender and Body went out. */
  params: Record<string, string>;
}

export interface TwilioStandIn {
  /** Base URL for TWILIO_API_URL: `http://127.0.0.1:<port>`. */
  url: string;
  accountSid: string;
  /** The token requests must be signed with; change it to act as a rotated Twilio token. */
  authToken: string;
  /** A sender number the stand-in accepts (any E.164 number is accepted). */
  from: string;
  /** Accepted messages, oldest first. */
  messages: StandInMessage[];
  /** Every request, answered or faulted, with the status given. */
  requests: { path: string; to: string | null; status: number }[];
  /** The next `n` sends answer `status` with `body` (default: a Twilio-shaped error for that status). */
  failNext(n: number, status: number, body?: Record<string, unknown>): void;
  /** The 6-digit code in the latest message to `phone`; throws when there is none. */
  codeFor(phone: string): string;
  /** The latest accepted message that matches, or the next one to arrive. */
  waitFor(predicate: (m: StandInMessage) => boolean, timeoutMs?: number): Promise<StandInMessage>;
  close(): Promise<void>;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const E164 = /^\+[1-9]\d{1,14}$/;

function twilioError(status: number, code: number, message: string) {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

function defaultFault(status: number) {
  if (status === 400) return twilioError(400, 21211, "The 'To' number is not a valid phone number.");
  if (status === 401) return twilioError(401, 20003, 'Authenticate');
  if (status === 429) return twilioError(429, 20429, 'Too Many Requests');
  return twilioError(status, 20500, 'An internal server error has occurred');
}

/**
 * Speaks the part of Twilio's REST API the twilio client uses to send a message, on
 * 127.0.0.1 and a port the OS picks: basic auth with the account sid and token, a
 * form-encoded body, Twilio's JSON for messages and errors.
 */
export async function startTwilioStandIn(
  options: { accountSid?: string; authToken?: string } = {},
): Promise<TwilioStandIn> {
  const inbox = createInbox<StandInMessage>((m) => m.to, 'SMS');
  const { messages, waitFor } = inbox;
  const requests: TwilioStandIn['requests'] = [];
  const faults: { status: number; body: Record<string, unknown> }[] = [];

  const standIn = {
    accountSid: options.accountSid ?? `AC${hex(16)}`,
    authToken: options.authToken ?? hex(16),
  };

  function reply(res: ServerResponse, status: number, body: unknown) {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = new URL(req.url ?? '/', 'http://stand-in').pathname;
    const match = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(path);
    if (!match) {
      requests.push({ path, to: null, status: 404 });
      return reply(res, 404, twilioError(404, 20404, `The requested resource ${path} was not found`));
    }
    if (req.method !== 'POST') return reply(res, 405, twilioError(405, 20004, 'Method not allowed'));

    const [scheme, encoded] = (req.headers.authorization ?? '').split(' ');
    const credentials = scheme === 'Basic' && encoded ? Buffer.from(encoded, 'base64').toString('utf8') : '';
    const expected = `${standIn.accountSid}:${standIn.authToken}`;
    if (credentials !== expected || match[1] !== standIn.accountSid) {
      requests.push({ path, to: null, status: 401 });
      return reply(res, 401, twilioError(401, 20003, 'Authenticate'));
    }

    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const to = form.get('To');
    const fault = faults.shift();
    if (fault) {
      requests.push({ path, to, status: fault.status });
      return reply(res, fault.status, fault.body);
    }

    const from = form.get('From');
    const messagingServiceSid = form.get('MessagingServiceSid');
    const body = form.get('Body');
    const invalid = !req.headers['content-type']?.startsWith('application/x-www-form-urlencoded')
      ? twilioError(400, 21602, 'Message body is required.')
      : !to
        ? twilioError(400, 21604, "A 'To' phone number is required.")
        : !E164.test(to)
          ? twilioError(400, 21211, `The 'To' number ${to} is not a valid phone number.`)
          : !from && !messagingServiceSid
            ? twilioError(400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message.")
            : from && !E164.test(from)
              ? twilioError(400, 21212, `The 'From' number ${from} is not a valid phone number.`)
              : !body
                ? twilioError(400, 21602, 'Message body is required.')
                : undefined;
    if (invalid) {
      requests.push({ path, to, status: 400 });
      return reply(res, 400, invalid);
    }

    const message: StandInMessage = {
      sid: `SM${hex(16)}`,
      accountSid: standIn.accountSid,
      to: to!,
      from,
      messagingServiceSid,
      body: body!,
      // Twilio answers `accepted` for a message that goes through a messaging service.
      status: messagingServiceSid ? 'accepted' : 'queued',
      dateCreated: new Date(),
      params: Object.fromEntries(form),
    };
    inbox.receive(message);
    requests.push({ path, to, status: 201 });
    const date = message.dateCreated.toUTCString().replace('GMT', '+0000');
    const uri = `/2010-04-01/Accounts/${standIn.accountSid}/Messages/${message.sid}`;
    reply(res, 201, {
      account_sid: message.accountSid,
      api_version: '2010-04-01',
      body: message.body,
      date_created: date,
      date_sent: null,
      date_updated: date,
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from: message.from,
      messaging_service_sid: message.messagingServiceSid,
      num_media: '0',
      num_segments: '1',
      price: null,
      price_unit: 'USD',
      sid: message.sid,
      status: message.status,
      subresource_uris: { media: `${uri}/Media.json` },
      to: message.to,
      uri: `${uri}.json`,
    });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => reply(res, 500, twilioError(500, 20500, String(err))));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return Object.assign(standIn, {
    url: `http://127.0.0.1:${port}`,
    from: '+15005550006',
    messages,
    requests,
    failNext(n: number, status: number, body?: Record<string, unknown>) {
      for (let i = 0; i < n; i++) faults.push({ status, body: body ?? defaultFault(status) });
    },
    codeFor(phone: string) {
      const message = messages.findLast((m) => m.to === phone);
      if (!message)
        throw new Error(`No SMS was sent to ${phone} (received: ${messages.map((m) => m.to).join(', ') || 'none'})`);
      const code = /(?<!\d)\d{6}(?!\d)/.exec(message.body)?.[0];
      if (!code) throw new Error(`The latest SMS to ${phone} has no 6-digit code: ${JSON.stringify(message.body)}`);
      return code;
    },
    waitFor,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  });
}
