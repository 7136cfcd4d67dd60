import type { Page, PageBranding, PageField, PageForm } from './managed-login.types.ts';
import type { Texts } from './texts.ts';

/**
 * HTML of the managed login pages (docs/web-sign-in.md, "Accessibility", "Security of the
 * pages"). Everything that is not a literal of this file goes through `escape`. No script: the
 * pages work without JavaScript; styles are in one <style> carrying the response's CSP nonce.
 * The elements carry Cognito's `*-customizable` classes so a pool's SetUICustomization CSS
 * applies as on Cognito's hosted UI.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text and attribute values: the five characters that matter in HTML, everywhere. */
export function escape(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** An element id for a form member's name (`custom:plan` → `custom-plan`): letters, digits, `-` and `_`. */
export function fieldId(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '-');
}

/** Cognate's own look, before the pool's CSS (which comes after it, so it wins). */
const BASE_CSS = `
*,*::before,*::after{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-size:1rem;line-height:1.5;color:#1b1b1f;background:#f3f4f6}
.background-customizable{max-width:28rem;margin:2rem auto;padding:1.5rem 2rem 2rem;background:#fff;border:1px solid #d1d5db;border-radius:.5rem}
.banner-customizable{text-align:center;padding:.5rem 0 1rem}
.logo-customizable{max-width:100%;max-height:6rem}
h1{font-size:1.5rem;margin:0 0 .75rem}
p{margin:0 0 .75rem}
.field{margin:0 0 1rem}
.label-customizable{display:block;font-weight:600;margin:0 0 .25rem}
.inputField-customizable{display:block;width:100%;padding:.5rem .625rem;font:inherit;color:inherit;background:#fff;border:1px solid #6b7280;border-radius:.25rem}
.inputField-customizable[aria-invalid="true"]{border-color:#b91c1c;border-width:2px}
.hint{display:block;font-size:.875rem;color:#4b5563;margin:.25rem 0 0}
.errorMessage-customizable{display:block;color:#b91c1c;font-weight:600;margin:.25rem 0 0}
.error-summary{border:2px solid #b91c1c;border-radius:.25rem;padding:.75rem 1rem;margin:0 0 1rem}
.error-summary h2{font-size:1.125rem;margin:0 0 .5rem}
.error-summary ul{margin:0;padding-left:1.25rem}
.notice{border:2px solid #047857;border-radius:.25rem;padding:.75rem 1rem;margin:0 0 1rem}
.submitButton-customizable,.secondary-button{display:block;width:100%;padding:.625rem 1rem;margin:.5rem 0 0;font:inherit;font-weight:600;border-radius:.25rem;cursor:pointer}
.submitButton-customizable{color:#fff;background:#1d4ed8;border:2px solid #1d4ed8}
.secondary-button{color:#1d4ed8;background:#fff;border:2px solid #1d4ed8}
.providers{margin:0 0 1.25rem;padding:0;list-style:none}
.idpButton-customizable{display:block;text-align:center;text-decoration:none;padding:.625rem 1rem;margin:.5rem 0 0;font-weight:600;color:#1d4ed8;background:#fff;border:2px solid #1d4ed8;border-radius:.25rem}
.links{margin:1.25rem 0 0;padding:0;list-style:none}
.links li{margin:.25rem 0}
a{color:#1d4ed8}
.secret{display:block;font-family:ui-monospace,monospace;font-size:1.125rem;letter-spacing:.05em;word-break:break-all;padding:.5rem;background:#f3f4f6;border-radius:.25rem}
a:focus-visible,button:focus-visible,input:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
`;

interface RenderOptions {
  texts: Texts;
  /** The response's CSP nonce for the one <style>. */
  nonce: string;
  /** The CSRF token every form carries. */
  csrfToken: string;
  branding?: PageBranding | null;
}

function fieldHtml(field: PageField, autofocus: boolean): string {
  const id = fieldId(field.name);
  const described = [field.hint ? `${id}-hint` : '', field.error ? `${id}-error` : ''].filter(Boolean).join(' ');
  const attributes = [
    `id="${escape(id)}"`,
    `name="${escape(field.name)}"`,
    `type="${field.type}"`,
    'class="inputField-customizable"',
    field.autocomplete ? `autocomplete="${escape(field.autocomplete)}"` : '',
    field.inputmode ? `inputmode="${field.inputmode}"` : '',
    field.required ? 'required' : '',
    field.maxLength ? `maxlength="${field.maxLength}"` : '',
    field.value !== undefined && field.type !== 'password' ? `value="${escape(field.value)}"` : '',
    described ? `aria-describedby="${escape(described)}"` : '',
    field.error ? 'aria-invalid="true"' : '',
    autofocus ? 'autofocus' : '',
    // Usernames, codes and emails are not prose: no capitals or corrections forced on them.
    field.type === 'text' || field.type === 'email' ? 'autocapitalize="none" spellcheck="false"' : '',
  ].filter(Boolean);
  return [
    '<div class="field">',
    `<label for="${escape(id)}" class="label-customizable">${escape(field.label)}</label>`,
    `<input ${attributes.join(' ')}>`,
    field.hint
      ? `<span id="${escape(id)}-hint" class="hint textDescription-customizable">${escape(field.hint)}</span>`
      : '',
    field.error ? `<span id="${escape(id)}-error" class="errorMessage-customizable">${escape(field.error)}</span>` : '',
    '</div>',
  ].join('');
}

function formHtml(form: PageForm, csrfToken: string, focusField: string | undefined): string {
  const hidden = { ...form.hidden, _csrf: csrfToken };
  const parts = [`<form id="${escape(form.id)}" method="post" action="${escape(form.action)}" novalidate>`];
  for (const [name, value] of Object.entries(hidden)) {
    parts.push(`<input type="hidden" name="${escape(name)}" value="${escape(value)}">`);
  }
  for (const field of form.fields) parts.push(fieldHtml(field, field.name === focusField));
  if (form.choices) {
    for (const choice of form.choices) {
      parts.push(
        `<button type="submit" name="${escape(choice.name)}" value="${escape(choice.value)}" class="submitButton-customizable">${escape(choice.label)}</button>`,
      );
    }
  } else {
    const buttonClass = form.secondary ? 'secondary-button' : 'submitButton-customizable';
    parts.push(`<button type="submit" class="${buttonClass}">${escape(form.submit)}</button>`);
  }
  parts.push('</form>');
  return parts.join('');
}

/** A whole page: the document, the pool's branding, the error summary, the forms and links. */
export function renderPage(page: Page, options: RenderOptions): string {
  const { texts, nonce, csrfToken, branding } = options;
  const fieldErrors = page.forms.flatMap((form) =>
    form.fields.filter((f) => f.error).map((f) => ({ id: fieldId(f.name), message: `${f.label}: ${f.error}` })),
  );
  const generalErrors = page.errors ?? [];
  // Focus goes to the first field in error, else to the first empty field of the first form (a
  // username filled in already: the password), else to its first field.
  const firstInError = page.forms.flatMap((f) => f.fields).find((f) => f.error);
  const firstFields = page.forms[0]?.fields ?? [];
  const firstEmpty = firstFields.find((f) => !f.value);
  const focusField = firstInError?.name ?? firstEmpty?.name ?? firstFields[0]?.name;
  const summary =
    fieldErrors.length + generalErrors.length > 0
      ? [
          '<div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1">',
          `<h2 id="error-summary-title">${escape(texts('errorSummary'))}</h2><ul>`,
          ...generalErrors.map((m) => `<li class="errorMessage-customizable">${escape(m)}</li>`),
          ...fieldErrors.map(
            (e) => `<li><a href="#${escape(e.id)}" class="errorMessage-customizable">${escape(e.message)}</a></li>`,
          ),
          '</ul></div>',
        ].join('')
      : '';
  const logo = branding?.imageUrl
    ? `<div class="banner-customizable"><img class="logo-customizable" src="${escape(branding.imageUrl)}" alt=""></div>`
    : '';
  // The pool's CSS is text for a <style>: a "</style" inside would end it; A2's allow-list refuses such CSS, this makes sure.
  // Every `<` goes (no CSS the allow-list takes has one): stripping "</style" alone is undone by "</st</styleyle>".
  const poolCss = (branding?.css ?? '').replace(/</g, '');
  const secret = page.secret
    ? [
        '<div class="field">',
        `<span class="label-customizable" id="secret-label">${escape(page.secret.label)}</span>`,
        `<code class="secret" id="totp-secret" aria-labelledby="secret-label">${escape(page.secret.value)}</code>`,
        page.secret.uri
          ? `<p><a id="totp-uri" href="${escape(page.secret.uri)}">${escape(page.secret.uriLabel ?? page.secret.uri)}</a></p>`
          : '',
        '</div>',
      ].join('')
    : '';
  const links = page.links?.length
    ? `<ul class="links">${page.links
        .map((l) => `<li><a href="${escape(l.href)}"${l.id ? ` id="${escape(l.id)}"` : ''}>${escape(l.text)}</a></li>`)
        .join('')}</ul>`
    : '';
  const providers = page.providers?.length
    ? `<ul class="providers">${page.providers
        .map(
          (l) =>
            `<li><a class="idpButton-customizable" href="${escape(l.href)}"${l.id ? ` id="${escape(l.id)}"` : ''}>${escape(l.text)}</a></li>`,
        )
        .join('')}</ul>`
    : '';
  return [
    '<!DOCTYPE html>',
    `<html lang="${page.lang}">`,
    '<head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    `<title>${escape(page.title)}</title>`,
    `<style nonce="${escape(nonce)}">${BASE_CSS}${poolCss}</style>`,
    '</head><body>',
    '<main class="background-customizable">',
    logo,
    `<h1>${escape(page.title)}</h1>`,
    summary,
    page.notice ? `<div class="notice" role="status">${escape(page.notice)}</div>` : '',
    ...(page.intro ?? []).map((p) => `<p class="textDescription-customizable">${escape(p)}</p>`),
    secret,
    providers,
    ...page.forms.map((form) => formHtml(form, csrfToken, focusField)),
    links,
    '</main></body></html>',
  ].join('\n');
}
