import { canWrite } from '../attributes/index.ts';
import type { AttributeDefinition } from '../attributes/index.ts';
import { COGNITO_PROVIDER } from '../federation/federation.types.ts';
import type { AppClient, PasswordPolicy, Pool } from '../pools/pools.types.ts';
import type { Page, PageField, PageLanguage, PageLink } from './managed-login.types.ts';
import type { Texts } from './texts.ts';

/**
 * The pages of managed login as data (docs/web-sign-in.md, "Managed login pages"), each at
 * Cognito's path, each keeping the authorization request's query (`query`, already encoded) in
 * its links and form actions so it survives every step.
 */

export interface PageContext {
  lang: PageLanguage;
  texts: Texts;
  /** The authorization request's members, encoded, without `?`. */
  query: string;
  pool: Pool;
  client: AppClient;
}

/** Errors of one submission: per form member, and for the page. */
export interface Problems {
  fields?: Record<string, string>;
  page?: string[];
}

const at = (ctx: Pick<PageContext, 'query'>, path: string) => (ctx.query ? `${path}?${ctx.query}` : path);

/** The label and input type of the username field: what the pool lets people sign in with. */
function usernameField(ctx: PageContext, forSignUp: boolean): PageField {
  const { usernameAttributes, aliasAttributes } = ctx.pool.attributeSettings;
  const field: PageField = {
    name: 'username',
    label: ctx.texts('username'),
    type: 'text',
    autocomplete: 'username',
    required: true,
    maxLength: 128,
  };
  if (usernameAttributes.length === 1 && usernameAttributes[0] === 'email')
    return { ...field, label: ctx.texts('email'), type: 'email', inputmode: 'email' };
  if (usernameAttributes.length === 1 && usernameAttributes[0] === 'phone_number')
    return { ...field, label: ctx.texts('phone_number'), type: 'tel', inputmode: 'tel' };
  if (!forSignUp && (usernameAttributes.length > 1 || aliasAttributes.length > 0))
    return { ...field, label: ctx.texts('usernameOrAlias') };
  return field;
}

/** The pool's password policy in words (shown under every new-password field). */
export function passwordPolicyText(texts: Texts, policy: PasswordPolicy): string {
  const needs = [
    policy.requireLowercase && texts('policyLower'),
    policy.requireUppercase && texts('policyUpper'),
    policy.requireNumbers && texts('policyNumber'),
    policy.requireSymbols && texts('policySymbol'),
  ].filter((n): n is string => typeof n === 'string');
  const list = needs.length > 1 ? `${needs.slice(0, -1).join(', ')}${texts('policyAnd')}${needs.at(-1)}` : needs[0];
  return `${texts('passwordPolicy', { min: policy.minimumLength })}${list ? `${texts('policyWith')}${list}` : ''}.`;
}

function newPasswordField(ctx: PageContext, name: string, label: string, error?: string): PageField {
  return {
    name,
    label,
    type: 'password',
    autocomplete: 'new-password',
    required: true,
    maxLength: 256,
    hint: passwordPolicyText(ctx.texts, ctx.pool.policies.password),
    ...(error && { error }),
  };
}

function codeField(ctx: PageContext, error?: string, autocomplete = 'one-time-code'): PageField {
  return {
    name: 'code',
    label: ctx.texts('code'),
    type: 'text',
    inputmode: 'numeric',
    autocomplete,
    required: true,
    maxLength: 64,
    ...(error && { error }),
  };
}

const AUTOCOMPLETE: Record<string, string> = {
  email: 'email',
  phone_number: 'tel',
  name: 'name',
  given_name: 'given-name',
  family_name: 'family-name',
  middle_name: 'additional-name',
  nickname: 'nickname',
  preferred_username: 'username',
  birthdate: 'bday',
  gender: 'sex',
  locale: 'language',
  address: 'street-address',
  website: 'url',
  profile: 'url',
  picture: 'photo',
};

/** A readable label for an attribute: the texts' own for email and phone, else the name made words. */
function attributeLabel(ctx: PageContext, definition: AttributeDefinition): string {
  if (definition.name === 'email') return ctx.texts('email');
  if (definition.name === 'phone_number') return ctx.texts('phone_number');
  const bare = definition.name.replace(/^custom:/, '').replace(/_/g, ' ');
  return bare.charAt(0).toUpperCase() + bare.slice(1);
}

/**
 * The attributes a sign-up form asks for: the pool's required ones, the ones it sends codes to
 * (auto-verified email or phone, or the account could never be confirmed) and the custom ones
 * this client may write, minus one the username stands for.
 */
export function signUpAttributes(pool: Pool, client: AppClient): AttributeDefinition[] {
  const settings = pool.attributeSettings;
  return settings.schema.filter(
    (definition) =>
      canWrite(settings, client, definition.name) &&
      (definition.required ||
        definition.name.startsWith('custom:') ||
        (settings.autoVerifiedAttributes as string[]).includes(definition.name)) &&
      !(settings.usernameAttributes as string[]).includes(definition.name),
  );
}

function attributeField(
  ctx: PageContext,
  definition: AttributeDefinition,
  values: Record<string, string>,
  problems: Problems,
): PageField {
  const name = definition.name;
  const type: PageField['type'] =
    name === 'email' ? 'email' : name === 'phone_number' ? 'tel' : name === 'birthdate' ? 'date' : 'text';
  const autocomplete = AUTOCOMPLETE[name];
  return {
    name,
    label: definition.required
      ? attributeLabel(ctx, definition)
      : `${attributeLabel(ctx, definition)} ${ctx.texts('optional')}`,
    type,
    ...(autocomplete && { autocomplete }),
    ...(definition.attributeDataType === 'Number' && { inputmode: 'numeric' as const }),
    required: definition.required,
    maxLength: definition.stringConstraints?.maxLength ?? 2048,
    ...(values[name] !== undefined && { value: values[name] }),
    ...(name === 'phone_number' && { hint: '+14325551212' }),
    ...(problems.fields?.[name] && { error: problems.fields[name] }),
  };
}

/**
 * A button per external provider the client supports: /oauth2/authorize with the same request and
 * identity_provider set, which goes to the provider (docs/federation.md, "Signing in").
 */
export function providerLinks(ctx: PageContext): PageLink[] {
  return ctx.client.oauth.identityProviders
    .filter((name) => name !== COGNITO_PROVIDER)
    .map((name) => {
      const params = new URLSearchParams(ctx.query);
      params.delete('idp_identifier');
      params.set('identity_provider', name);
      return {
        href: `/oauth2/authorize?${params.toString()}`,
        text: ctx.texts('signInWithProvider', { provider: name }),
        id: `idp-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`,
      };
    });
}

export function signInPage(
  ctx: PageContext,
  options: { username?: string; problems?: Problems; notice?: string } = {},
): Page {
  const { texts } = ctx;
  const problems = options.problems ?? {};
  const providers = providerLinks(ctx);
  // A client without COGNITO signs in through its providers only: no password form (docs/federation.md).
  if (!ctx.client.oauth.identityProviders.includes(COGNITO_PROVIDER))
    return {
      lang: ctx.lang,
      title: texts('signInTitle'),
      intro: [texts('signInProvidersOnly')],
      ...(problems.page && { errors: problems.page }),
      providers,
      forms: [],
    };
  return {
    lang: ctx.lang,
    title: texts('signInTitle'),
    ...(providers.length > 0 && { providers }),
    intro: [texts('signInIntro')],
    ...(options.notice && { notice: options.notice }),
    ...(problems.page && { errors: problems.page }),
    forms: [
      {
        id: 'sign-in',
        action: at(ctx, '/login'),
        submit: texts('signInSubmit'),
        fields: [
          {
            ...usernameField(ctx, false),
            ...(options.username !== undefined && { value: options.username }),
            ...(problems.fields?.username && { error: problems.fields.username }),
          },
          {
            name: 'password',
            label: texts('password'),
            type: 'password',
            autocomplete: 'current-password',
            required: true,
            maxLength: 256,
            ...(problems.fields?.password && { error: problems.fields.password }),
          },
        ],
      },
    ],
    links: [
      { href: at(ctx, '/forgotPassword'), text: texts('forgotLink'), id: 'forgot-password-link' },
      { href: at(ctx, '/signup'), text: texts('signUpLink'), id: 'sign-up-link' },
    ],
  };
}

export function signUpPage(
  ctx: PageContext,
  options: { values?: Record<string, string>; problems?: Problems } = {},
): Page {
  const { texts } = ctx;
  const values = options.values ?? {};
  const problems = options.problems ?? {};
  const fields: PageField[] = [
    {
      ...usernameField(ctx, true),
      ...(values.username !== undefined && { value: values.username }),
      ...(problems.fields?.username && { error: problems.fields.username }),
    },
    newPasswordField(ctx, 'password', texts('password'), problems.fields?.password),
    ...signUpAttributes(ctx.pool, ctx.client).map((d) => attributeField(ctx, d, values, problems)),
  ];
  return {
    lang: ctx.lang,
    title: texts('signUpTitle'),
    intro: [texts('signUpIntro')],
    ...(problems.page && { errors: problems.page }),
    forms: [{ id: 'sign-up', action: at(ctx, '/signup'), submit: texts('signUpSubmit'), fields }],
    links: [{ href: at(ctx, '/login'), text: texts('signInLink'), id: 'sign-in-link' }],
  };
}

/** Where a code went, in words: "by email to a***@e***". */
function sentTo(ctx: PageContext, delivery?: { medium: string; destination: string }): string[] {
  if (!delivery) return [];
  const medium = delivery.medium === 'SMS' ? ctx.texts('bySms') : ctx.texts('byEmail');
  return [ctx.texts('confirmSentTo', { medium, destination: delivery.destination })];
}

export function confirmPage(
  ctx: PageContext,
  options: {
    username: string;
    /** A confirmation link's code, filled in for the user to send (a GET confirms nothing). */
    code?: string;
    delivery?: { medium: string; destination: string };
    notice?: string;
    problems?: Problems;
  },
): Page {
  const { texts } = ctx;
  const problems = options.problems ?? {};
  return {
    lang: ctx.lang,
    title: texts('confirmTitle'),
    intro: [...sentTo(ctx, options.delivery), texts('confirmIntro')],
    ...(options.notice && { notice: options.notice }),
    ...(problems.page && { errors: problems.page }),
    forms: [
      {
        id: 'confirm',
        action: at(ctx, '/confirm'),
        submit: texts('confirmSubmit'),
        fields: [
          {
            ...usernameField(ctx, false),
            value: options.username,
            ...(problems.fields?.username && { error: problems.fields.username }),
          },
          { ...codeField(ctx, problems.fields?.code), ...(options.code && { value: options.code }) },
        ],
      },
      {
        id: 'resend',
        action: at(ctx, '/resendcode'),
        submit: texts('resendSubmit'),
        fields: [],
        hidden: { username: options.username },
        secondary: true,
      },
    ],
    links: [{ href: at(ctx, '/login'), text: texts('backToSignIn'), id: 'sign-in-link' }],
  };
}

export function forgotPasswordPage(ctx: PageContext, options: { username?: string; problems?: Problems } = {}): Page {
  const { texts } = ctx;
  const problems = options.problems ?? {};
  return {
    lang: ctx.lang,
    title: texts('forgotTitle'),
    intro: [texts('forgotIntro')],
    ...(problems.page && { errors: problems.page }),
    forms: [
      {
        id: 'forgot-password',
        action: at(ctx, '/forgotPassword'),
        submit: texts('forgotSubmit'),
        fields: [
          {
            ...usernameField(ctx, false),
            ...(options.username !== undefined && { value: options.username }),
            ...(problems.fields?.username && { error: problems.fields.username }),
          },
        ],
      },
    ],
    links: [{ href: at(ctx, '/login'), text: texts('backToSignIn'), id: 'sign-in-link' }],
  };
}

export function confirmForgotPasswordPage(
  ctx: PageContext,
  options: { username: string; delivery?: { medium: string; destination: string }; problems?: Problems },
): Page {
  const { texts } = ctx;
  const problems = options.problems ?? {};
  return {
    lang: ctx.lang,
    title: texts('resetTitle'),
    intro: [...sentTo(ctx, options.delivery), texts('resetIntro')],
    ...(problems.page && { errors: problems.page }),
    forms: [
      {
        id: 'reset-password',
        action: at(ctx, '/confirmForgotPassword'),
        submit: texts('resetSubmit'),
        fields: [
          {
            ...usernameField(ctx, false),
            value: options.username,
            ...(problems.fields?.username && { error: problems.fields.username }),
          },
          codeField(ctx, problems.fields?.code),
          newPasswordField(ctx, 'password', texts('newPassword'), problems.fields?.password),
        ],
      },
    ],
    links: [{ href: at(ctx, '/login'), text: texts('backToSignIn'), id: 'sign-in-link' }],
  };
}

export function newPasswordPage(
  ctx: PageContext,
  options: {
    session: string;
    username: string;
    requiredAttributes: string[];
    values?: Record<string, string>;
    problems?: Problems;
  },
): Page {
  const { texts } = ctx;
  const problems = options.problems ?? {};
  const missing = ctx.pool.attributeSettings.schema.filter((d) => options.requiredAttributes.includes(d.name));
  return {
    lang: ctx.lang,
    title: texts('newPasswordTitle'),
    intro: [texts('newPasswordIntro'), ...(missing.length > 0 ? [texts('newPasswordMissing')] : [])],
    ...(problems.page && { errors: problems.page }),
    forms: [
      {
        id: 'new-password',
        action: at(ctx, '/login/new-password'),
        submit: texts('newPasswordSubmit'),
        hidden: { session: options.session, username: options.username },
        fields: [
          newPasswordField(ctx, 'password', texts('newPassword'), problems.fields?.password),
          ...missing.map((d) => attributeField(ctx, d, options.values ?? {}, problems)),
        ],
      },
    ],
    links: [{ href: at(ctx, '/login'), text: texts('backToSignIn'), id: 'sign-in-link' }],
  };
}

/** SMS_MFA, EMAIL_OTP and SOFTWARE_TOKEN_MFA: one code. */
export function mfaCodePage(
  ctx: PageContext,
  options: {
    challengeName: 'SMS_MFA' | 'EMAIL_OTP' | 'SOFTWARE_TOKEN_MFA';
    session: string;
    username: string;
    destination?: string;
    problems?: Problems;
  },
): Page {
  const { texts } = ctx;
  const problems = options.problems ?? {};
  const destination = options.destination ?? '';
  const intro =
    options.challengeName === 'SMS_MFA'
      ? texts('mfaSmsIntro', { destination })
      : options.challengeName === 'EMAIL_OTP'
        ? texts('mfaEmailIntro', { destination })
        : texts('mfaTotpIntro');
  return {
    lang: ctx.lang,
    title: texts('mfaTitle'),
    intro: [intro],
    ...(problems.page && { errors: problems.page }),
    forms: [
      {
        id: 'mfa',
        action: at(ctx, '/login/mfa'),
        submit: texts('mfaSubmit'),
        hidden: { session: options.session, username: options.username, challenge: options.challengeName },
        fields: [codeField(ctx, problems.fields?.code)],
      },
    ],
    links: [{ href: at(ctx, '/login'), text: texts('backToSignIn'), id: 'sign-in-link' }],
  };
}

export function selectMfaPage(
  ctx: PageContext,
  options: { session: string; username: string; choices: string[]; problems?: Problems },
): Page {
  const { texts } = ctx;
  const known = ['SMS_MFA', 'EMAIL_OTP', 'SOFTWARE_TOKEN_MFA'] as const;
  return {
    lang: ctx.lang,
    title: texts('selectMfaTitle'),
    intro: [texts('selectMfaIntro')],
    ...(options.problems?.page && { errors: options.problems.page }),
    forms: [
      {
        id: 'select-mfa',
        action: at(ctx, '/login/select-mfa'),
        submit: texts('mfaSubmit'),
        hidden: { session: options.session, username: options.username },
        fields: [],
        choices: known
          .filter((c) => options.choices.includes(c))
          .map((c) => ({ name: 'answer', value: c, label: texts(c) })),
      },
    ],
    links: [{ href: at(ctx, '/login'), text: texts('backToSignIn'), id: 'sign-in-link' }],
  };
}

/** The otpauth:// URI authenticator apps read (Key Uri Format): the pool's name as issuer. */
export function otpauthUri(issuer: string, account: string, secret: string): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  return `otpauth://totp/${label}?secret=${encodeURIComponent(secret)}&issuer=${encodeURIComponent(issuer)}`;
}

export function mfaSetupPage(
  ctx: PageContext,
  options: { session: string; username: string; secretCode: string; problems?: Problems },
): Page {
  const { texts } = ctx;
  const problems = options.problems ?? {};
  return {
    lang: ctx.lang,
    title: texts('mfaSetupTitle'),
    intro: [texts('mfaSetupIntro')],
    ...(problems.page && { errors: problems.page }),
    secret: {
      label: texts('mfaSetupSecret'),
      value: options.secretCode,
      uri: otpauthUri(ctx.pool.name, options.username, options.secretCode),
      uriLabel: texts('mfaSetupUri'),
    },
    forms: [
      {
        id: 'mfa-setup',
        action: at(ctx, '/login/mfa-setup'),
        submit: texts('mfaSetupSubmit'),
        // The key again, so a wrong first code shows the page once more (it is the user's own, on screen already).
        hidden: { session: options.session, username: options.username, secret: options.secretCode },
        fields: [codeField(ctx, problems.fields?.code)],
      },
    ],
    links: [{ href: at(ctx, '/login'), text: texts('backToSignIn'), id: 'sign-in-link' }],
  };
}

/** The error page: never a redirect, at most a link back to sign-in when the request is one we can go back to. */
export function errorPage(lang: PageLanguage, texts: Texts, message: string, back?: string): Page {
  const links: PageLink[] = back ? [{ href: back, text: texts('backToSignIn'), id: 'sign-in-link' }] : [];
  return { lang, title: texts('errorTitle'), errors: [message], forms: [], links };
}
