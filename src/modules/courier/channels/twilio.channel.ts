import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import type { Channel } from '../courier.types.ts';
import { DeliveryError } from '../delivery-error.ts';

export interface TwilioChannelOptions {
  accountSid: string;
  authToken: string;
  /** E.164 sender number; with a messaging service too, Twilio sends from it within that service. */
  from?: string;
  /** `MG…`: Twilio picks the sender from the service's pool. */
  messagingServiceSid?: string;
  /** Another base URL (regional gateway, test stand-in); the API path is kept and appended to it. */
  apiUrl?: string;
  timeoutMs?: number;
}

/** Twilio error codes meaning this number cannot receive this message, whatever the HTTP status. */
const UNREACHABLE_NUMBER_CODES = new Set([
  21211, // invalid 'To' number
  21214, // 'To' number cannot be reached
  21408, // permission to send to this region is not enabled
  21610, // recipient has replied STOP
  21612, // 'To' number not reachable from this sender
  21614, // 'To' number is not a mobile number
  21635, // 'To' number cannot be a landline
]);

/**
 * The twilio client builds `https://api.twilio.com/2010-04-01/...` itself; this client
 * moves each request under another base URL and changes nothing else about it.
 */
class RebasedRequestClient extends twilio.RequestClient {
  readonly #base: URL;

  constructor(base: string, options: RequestClient.RequestClientOptions) {
    super(options);
    this.#base = new URL(base);
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const original = new URL(opts.uri);
    const target = new URL(this.#base);
    target.pathname = target.pathname.replace(/\/+$/, '') + original.pathname;
    target.search = original.search;
    return super.request<TData>({ ...opts, uri: target.href });
  }
}

export function createTwilioChannel(options: TwilioChannelOptions): Channel {
  if (!options.from && !options.messagingServiceSid)
    throw new Error('The Twilio channel needs a sender: from or messagingServiceSid');
  // A code is sent while a request waits (Twilio's default is 30 s); the worker retries transient failures.
  const timeout = options.timeoutMs ?? 10_000;
  const client = twilio(options.accountSid, options.authToken, {
    timeout,
    // Retrying is the delivery pipeline's job, with its own backoff and bookkeeping.
    autoRetry: false,
    ...(options.apiUrl && { httpClient: new RebasedRequestClient(options.apiUrl, { timeout, autoRetry: false }) }),
  });
  const sender = {
    ...(options.from && { from: options.from }),
    ...(options.messagingServiceSid && { messagingServiceSid: options.messagingServiceSid }),
  };
  return {
    name: 'twilio',
    async send(msg) {
      if (msg.medium !== 'SMS') throw new DeliveryError(`The Twilio channel cannot send ${msg.medium}`, true);
      try {
        // The rendered text only: the code is in the body and nowhere else.
        const message = await client.messages.create({ to: msg.to, body: msg.text, ...sender });
        return { providerMessageId: message.sid };
      } catch (err) {
        throw classify(err);
      }
    },
  };
}

function classify(err: unknown): DeliveryError {
  const { status, code, message } = (err ?? {}) as { status?: unknown; code?: unknown; message?: unknown };
  if (typeof status !== 'number') {
    // No HTTP answer (refused, reset, timed out): the message may go through next time.
    const reason = typeof message === 'string' && message ? message : String(err);
    return new DeliveryError(`Twilio could not be reached: ${reason}`, false, { cause: err });
  }
  const twilioCode = typeof code === 'number' ? code : undefined;
  const reason = `Twilio answered ${status}${twilioCode === undefined ? '' : ` (error ${twilioCode})`}: ${typeof message === 'string' ? message : ''}`;
  // 401/403 are bad credentials or a suspended account: retrying cannot fix them, and
  // failing at once puts the problem in front of the operator instead of in a retry queue.
  const permanent =
    (twilioCode !== undefined && UNREACHABLE_NUMBER_CODES.has(twilioCode)) ||
    (status >= 400 && status < 500 && status !== 408 && status !== 429);
  return new DeliveryError(reason, permanent, { cause: err });
}
