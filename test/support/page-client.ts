import type { App } from '../../src/app.ts';

/**
 * A browser without a browser, for the managed login pages over app.inject: a cookie jar, the
 * forms of a page (their action and hidden members), and submitting one. The pages' HTML is
 * Cognate's own, so a few regular expressions read it.
 */

export interface PageResponse {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
  /** The Location header of a redirect. */
  location: string | undefined;
}

export interface ParsedForm {
  id: string;
  action: string;
  /** Every input's name and value (hidden ones included), as the browser would send them. */
  values: Record<string, string>;
  /** Input names in document order. */
  inputs: string[];
  /** Buttons with a name: name=value pairs. */
  buttons: { name: string; value: string }[];
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
export const unescapeHtml = (value: string) => value.replace(/&(amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e]!);

const attribute = (tag: string, name: string) => {
  const match = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return match ? unescapeHtml(match[1]!) : undefined;
};

export function formsOf(html: string): ParsedForm[] {
  const forms: ParsedForm[] = [];
  for (const match of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    const [, open = '', inner = ''] = match;
    const values: Record<string, string> = {};
    const inputs: string[] = [];
    for (const input of inner.matchAll(/<input\b[^>]*>/g)) {
      const name = attribute(input[0], 'name');
      if (!name) continue;
      inputs.push(name);
      values[name] = attribute(input[0], 'value') ?? '';
    }
    const buttons = [...inner.matchAll(/<button\b[^>]*>/g)]
      .map((b) => ({ name: attribute(b[0], 'name'), value: attribute(b[0], 'value') ?? '' }))
      .filter((b): b is { name: string; value: string } => b.name !== undefined);
    forms.push({ id: attribute(open, 'id') ?? '', action: attribute(open, 'action') ?? '', values, inputs, buttons });
  }
  return forms;
}

export function pageClient(
  app: App,
  options: { remoteAddress?: string; acceptLanguage?: string; headers?: Record<string, string> } = {},
) {
  const jar = new Map<string, string>();
  /** The raw Set-Cookie lines of the last answer. */
  let lastSetCookies: string[] = [];

  async function request(method: 'GET' | 'POST', url: string, form?: Record<string, string>): Promise<PageResponse> {
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await app.inject({
      method,
      url,
      ...(options.remoteAddress && { remoteAddress: options.remoteAddress }),
      headers: {
        ...options.headers,
        ...(cookie && { cookie }),
        ...(options.acceptLanguage && { 'accept-language': options.acceptLanguage }),
        ...(form && { 'content-type': 'application/x-www-form-urlencoded' }),
      },
      ...(form && { payload: new URLSearchParams(form).toString() }),
    });
    const set = res.headers['set-cookie'];
    lastSetCookies = set === undefined ? [] : Array.isArray(set) ? set : [String(set)];
    for (const line of lastSetCookies) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      if (/max-age=0\b/i.test(line) || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    const location = res.headers.location;
    return {
      status: res.statusCode,
      headers: res.headers,
      body: res.body,
      location: typeof location === 'string' ? location : undefined,
    };
  }

  return {
    jar,
    setCookies: () => lastSetCookies,
    get: (url: string) => request('GET', url),
    post: (url: string, form: Record<string, string>) => request('POST', url, form),
    /** Submits form `id` of `page` with its hidden members and `values` (and a button's name=value if given). */
    async submit(page: PageResponse, id: string, values: Record<string, string> = {}) {
      const form = formsOf(page.body).find((f) => f.id === id);
      if (!form)
        throw new Error(
          `no form ${id} on the page (forms: ${formsOf(page.body)
            .map((f) => f.id)
            .join(', ')})`,
        );
      return request('POST', form.action, { ...form.values, ...values });
    },
  };
}

export type PageClient = ReturnType<typeof pageClient>;

/** The page's visible error texts: the error summary's items. */
export function errorsOf(html: string): string[] {
  const summary = /<div class="error-summary"[\s\S]*?<\/div>/.exec(html)?.[0] ?? '';
  return [...summary.matchAll(/<li>(?:<a[^>]*>)?([\s\S]*?)(?:<\/a>)?<\/li>|<li class="[^"]*">([\s\S]*?)<\/li>/g)].map(
    (m) => unescapeHtml((m[1] ?? m[2] ?? '').replace(/<[^>]+>/g, '')),
  );
}
