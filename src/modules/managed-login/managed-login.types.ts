/**
 * The managed login pages as data (docs/web-sign-in.md, "Managed login pages"): the routes build a
 * page from the pool, the client and what the user sent; render.ts turns it into HTML.
 */

/** The languages the pages speak (docs/web-sign-in.md, "Languages"). */
export type PageLanguage = 'en' | 'de';

export interface PageField {
  /** The form member's name, and (with `:` made `-`) the element's id: stable for tests and scripts. */
  name: string;
  label: string;
  type: 'text' | 'password' | 'email' | 'tel' | 'number' | 'date' | 'url';
  autocomplete?: string;
  inputmode?: 'numeric' | 'email' | 'tel';
  required?: boolean;
  /** Shown again after an error (never for passwords and codes). */
  value?: string;
  /** A hint under the field (the password policy, a format). */
  hint?: string;
  /** This field's error, tied to it by aria-describedby and listed in the error summary. */
  error?: string;
  maxLength?: number;
}

export interface PageForm {
  /** The element id of the form (stable: the browser tests find forms by it). */
  id: string;
  /** Path and query the form posts to. */
  action: string;
  submit: string;
  fields: PageField[];
  /** Hidden members (the CSRF token is added by the renderer). */
  hidden?: Record<string, string>;
  /** A secondary action (resend a code): drawn as a plain button. */
  secondary?: boolean;
  /** Buttons that each post `name=value` (SELECT_MFA_TYPE's choices) instead of one submit. */
  choices?: { name: string; value: string; label: string }[];
}

export interface PageLink {
  href: string;
  text: string;
  /** An element id, so tests and keyboard walks can find it. */
  id?: string;
}

export interface Page {
  lang: PageLanguage;
  /** The document title and the h1. */
  title: string;
  /** Paragraphs under the heading. */
  intro?: string[];
  /** A confirmation shown in a status region (a code was sent, the password was changed). */
  notice?: string;
  /** Errors not tied to a field; with the fields' errors they make the error summary (role=alert). */
  errors?: string[];
  /** Text to copy by hand (a TOTP secret), shown as code. */
  secret?: { label: string; value: string; uri?: string; uriLabel?: string };
  forms: PageForm[];
  links?: PageLink[];
  /** Sign-in through the client's external identity providers: links drawn as buttons (docs/federation.md). */
  providers?: PageLink[];
}

/** A pool's branding as the pages apply it (services.branding.forClient). */
export interface PageBranding {
  css?: string | null;
  imageUrl?: string | null;
}
