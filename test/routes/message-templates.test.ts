import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN_KEY, createPoolWithClient, PASSWORD, startTestApp, type TestApp } from '../support/app.ts';
import { assertProblem, uniqueEmail } from '../support/user-flows.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(() => t.close());

const SIGN_UP_EN = {
  emailSubject: 'Welcome to Acme',
  emailText: 'Your Acme code is {####}, {username}.',
  emailHtml: '<p>Your Acme code is <b>{####}</b>, {username}.</p>',
  smsText: 'Acme code: {####}',
};
const SIGN_UP_FR = {
  emailSubject: 'Bienvenue chez Acme',
  emailText: 'Votre code Acme est {####}, {username}.',
  emailHtml: '<p>Votre code Acme est <b>{####}</b>, {username}.</p>',
};
// Only a subject and a text: the HTML must come from this text, not from the English default.
const SIGN_UP_PT = { emailSubject: 'Bem-vindo à Acme', emailText: 'Seu código Acme é {####}.' };

const TEMPLATES = {
  SIGN_UP: { default: SIGN_UP_EN, locales: { fr: SIGN_UP_FR, pt: SIGN_UP_PT } },
  FORGOT_PASSWORD: { default: { emailSubject: 'Reset your Acme password' } },
  ADMIN_INVITATION: {
    default: { emailText: 'Welcome {username}: your temporary password is {####}.', smsText: '{username} / {####}' },
  },
};

async function newPool(body: Record<string, unknown> = {}) {
  const created = await t.admin('POST', '/v1/pools', { name: 'templated', autoVerifiedAttributes: ['email'], ...body });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body as { id: string; messageTemplates: unknown; updatedAt: string };
}

const url = (poolId: string) => `/v1/pools/${poolId}/message-templates`;

describe('GetMessageTemplates and SetMessageTemplates', () => {
  test('a new pool has none; PUT sets the whole set, GET and DescribeUserPool return it; PUT {} restores the built-in messages', async () => {
    const pool = await newPool();
    assert.deepEqual(pool.messageTemplates, {});
    assert.deepEqual((await t.admin('GET', url(pool.id))).body, {});

    const put = await t.admin('PUT', url(pool.id), TEMPLATES);
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.deepEqual(put.body, TEMPLATES);
    const got = await t.admin('GET', url(pool.id));
    assert.equal(got.status, 200);
    assert.deepEqual(got.body, TEMPLATES);
    const described = (await t.admin('GET', `/v1/pools/${pool.id}`)).body;
    assert.deepEqual(described.messageTemplates, TEMPLATES);
    assert.ok(described.updatedAt > pool.updatedAt, 'updatedAt moves');

    // Replaces, never merges: what is not given is gone.
    const replaced = { VERIFY_ATTRIBUTE: { locales: { 'pt-BR': { smsText: 'Código: {####}' } } } };
    assert.deepEqual((await t.admin('PUT', url(pool.id), replaced)).body, replaced);
    assert.deepEqual((await t.admin('GET', url(pool.id))).body, replaced);

    assert.deepEqual((await t.admin('PUT', url(pool.id), {})).body, {});
    assert.deepEqual((await t.admin('GET', url(pool.id))).body, {});
  });

  test('CreateUserPool takes messageTemplates and describes them', async () => {
    const pool = await newPool({ messageTemplates: TEMPLATES });
    assert.deepEqual(pool.messageTemplates, TEMPLATES);
    assert.deepEqual((await t.admin('GET', url(pool.id))).body, TEMPLATES);
  });

  test('Cognito’s limits hold exactly: a 140-character subject and SMS, a 20,000-character body', async () => {
    const pool = await newPool();
    const exact = {
      SIGN_UP: {
        default: {
          emailSubject: 's'.repeat(140),
          smsText: `{####}${'x'.repeat(134)}`,
          emailText: `{####}${'x'.repeat(19_994)}`,
          emailHtml: `{####}${'x'.repeat(19_994)}`,
        },
      },
    };
    const put = await t.admin('PUT', url(pool.id), exact);
    assert.equal(put.status, 200, JSON.stringify(put.body).slice(0, 300));
    assert.deepEqual((await t.admin('GET', url(pool.id))).body, exact);
  });

  const refusals: Array<[string, unknown, string[]]> = [
    [
      'a text without {####}',
      { SIGN_UP: { default: { emailText: 'Welcome!' } } },
      ['SIGN_UP.default.emailText', '{####}'],
    ],
    [
      'an HTML body without {####}',
      { VERIFY_ATTRIBUTE: { default: { emailHtml: '<p>code</p>' } } },
      ['VERIFY_ATTRIBUTE.default.emailHtml', '{####}'],
    ],
    [
      'a translated SMS without {####}',
      { SIGN_UP: { locales: { fr: { smsText: 'Votre code' } } } },
      ['SIGN_UP.locales.fr.smsText', '{####}'],
    ],
    [
      'an invitation without {username}',
      { ADMIN_INVITATION: { default: { emailText: 'Password: {####}' } } },
      ['ADMIN_INVITATION.default.emailText', '{username}'],
    ],
    [
      'an invitation SMS without {username}',
      { ADMIN_INVITATION: { locales: { de: { smsText: 'Passwort: {####}' } } } },
      ['ADMIN_INVITATION.locales.de.smsText', '{username}'],
    ],
    [
      'a subject of 141 characters',
      { SIGN_UP: { default: { emailSubject: 's'.repeat(141) } } },
      ['SIGN_UP.default.emailSubject', '140'],
    ],
    [
      'an SMS of 141 characters',
      { SIGN_UP: { default: { smsText: `{####}${'x'.repeat(135)}` } } },
      ['SIGN_UP.default.smsText', '140'],
    ],
    [
      'an email body of 20,001 characters',
      { SIGN_UP: { default: { emailText: `{####}${'x'.repeat(19_995)}` } } },
      ['SIGN_UP.default.emailText', '20000'],
    ],
    ['an empty subject', { SIGN_UP: { default: { emailSubject: '' } } }, ['SIGN_UP.default.emailSubject']],
    [
      'a locale with an underscore',
      { SIGN_UP: { locales: { pt_BR: { smsText: '{####}' } } } },
      ['SIGN_UP.locales', 'pt_BR'],
    ],
    ['a locale in capitals', { SIGN_UP: { locales: { FR: { smsText: '{####}' } } } }, ['SIGN_UP.locales', 'FR']],
    [
      'a language name for a locale',
      { SIGN_UP: { locales: { french: { smsText: '{####}' } } } },
      ['SIGN_UP.locales', 'french'],
    ],
    ['an unknown purpose', { WELCOME: { default: { smsText: '{####}' } } }, ['WELCOME']],
    ['an unknown template field', { SIGN_UP: { default: { emailBody: '{####}' } } }, ['emailBody', 'SIGN_UP.default']],
    ['a template that is not a string', { SIGN_UP: { default: { smsText: 5 } } }, ['SIGN_UP.default.smsText']],
  ];

  for (const [what, body, parts] of refusals) {
    test(`refused with 400 InvalidParameterException naming the field, nothing changed: ${what}`, async () => {
      const pool = await newPool({ messageTemplates: TEMPLATES });
      const res = await t.admin('PUT', url(pool.id), body);
      assertProblem(res, 400, 'InvalidParameterException');
      for (const part of parts)
        assert.ok(res.body.detail.includes(part), `${JSON.stringify(res.body.detail)} lacks ${part}`);
      assert.deepEqual((await t.admin('GET', url(pool.id))).body, TEMPLATES);
    });
  }

  test('two translations whose tags differ only in case are one tag: refused', async () => {
    const pool = await newPool();
    const res = await t.admin('PUT', url(pool.id), {
      SIGN_UP: { locales: { 'pt-BR': { smsText: '{####}' }, 'pt-br': { smsText: 'x {####}' } } },
    });
    assertProblem(res, 400, 'InvalidParameterException', 'same language tag');
    assert.deepEqual((await t.admin('GET', url(pool.id))).body, {});
  });

  test('CreateUserPool with a bad template creates no pool', async () => {
    const before = (await t.admin('GET', '/v1/pools')).body.pools.length;
    const res = await t.admin('POST', '/v1/pools', {
      name: 'bad',
      messageTemplates: { SIGN_UP: { default: { emailText: 'no code' } } },
    });
    assertProblem(res, 400, 'InvalidParameterException', 'messageTemplates.SIGN_UP.default.emailText');
    assert.equal((await t.admin('GET', '/v1/pools')).body.pools.length, before);
  });

  test('an unknown pool: 404 ResourceNotFoundException for GET and PUT', async () => {
    assertProblem(await t.admin('GET', url('local_Nope00000')), 404, 'ResourceNotFoundException', 'local_Nope00000');
    assertProblem(
      await t.admin('PUT', url('local_Nope00000'), TEMPLATES),
      404,
      'ResourceNotFoundException',
      'local_Nope00000',
    );
  });

  test('no key or a wrong key: 401, and nothing is read or changed', async () => {
    const pool = await newPool({ messageTemplates: TEMPLATES });
    for (const token of [undefined, 'wrong-key', `${ADMIN_KEY}x`]) {
      const got = await t.call('GET', url(pool.id), undefined, token);
      assertProblem(got, 401, 'NotAuthorizedException');
      assert.equal(JSON.stringify(got.body).includes('Acme'), false);
      assertProblem(await t.call('PUT', url(pool.id), {}, token), 401, 'NotAuthorizedException');
      // The key is checked before the body.
      assertProblem(
        await t.call('PUT', url(pool.id), { SIGN_UP: { default: { emailText: 'no code' } } }, token),
        401,
        'NotAuthorizedException',
      );
    }
    assert.deepEqual((await t.admin('GET', url(pool.id))).body, TEMPLATES);
  });
});

describe('choosing the templates for a user’s locale (pools.messageTemplates)', () => {
  let poolId: string;
  before(async () => {
    poolId = (await newPool({ messageTemplates: TEMPLATES })).id;
  });
  const choose = (
    purpose: 'SIGN_UP' | 'VERIFY_ATTRIBUTE' | 'FORGOT_PASSWORD' | 'ADMIN_INVITATION',
    locale?: string | null,
  ) => t.services.pools.messageTemplates(poolId, purpose, locale);

  test('the exact tag, case-insensitively', async () => {
    assert.deepEqual(await choose('SIGN_UP', 'fr'), { ...SIGN_UP_EN, ...SIGN_UP_FR });
    assert.deepEqual(await choose('SIGN_UP', 'FR'), { ...SIGN_UP_EN, ...SIGN_UP_FR });
  });

  test('then its language: fr-CA → fr, pt-BR → pt (pt_BR, as free text, too)', async () => {
    assert.equal((await choose('SIGN_UP', 'fr-CA'))?.emailSubject, SIGN_UP_FR.emailSubject);
    for (const locale of ['pt-BR', 'pt_BR', 'PT-br', 'pt']) {
      const chosen = await choose('SIGN_UP', locale);
      assert.equal(chosen?.emailSubject, SIGN_UP_PT.emailSubject, locale);
      assert.equal(chosen?.emailText, SIGN_UP_PT.emailText, locale);
    }
  });

  test('a translated text never comes with the default’s HTML; untranslated members come from the default', async () => {
    const chosen = await choose('SIGN_UP', 'pt-BR');
    assert.equal(chosen?.emailHtml, undefined);
    assert.equal(chosen?.smsText, SIGN_UP_EN.smsText);
    assert.equal(Object.values(chosen ?? {}).includes(undefined as never), false, 'no member is present but undefined');
  });

  test('then the purpose’s default: another language, no locale, an empty one', async () => {
    for (const locale of ['de', 'de-DE', undefined, null, '', 'p'])
      assert.deepEqual(await choose('SIGN_UP', locale), SIGN_UP_EN, String(locale));
  });

  test('a purpose without templates, or an unknown pool, gets the built-in messages (undefined)', async () => {
    assert.equal(await choose('VERIFY_ATTRIBUTE', 'fr'), undefined);
    assert.equal(await t.services.pools.messageTemplates('local_Nope00000', 'SIGN_UP', 'fr'), undefined);
    assert.deepEqual(await choose('FORGOT_PASSWORD', 'fr'), { emailSubject: 'Reset your Acme password' });
  });
});

// The outbox's templates hook gets the locale given at enqueue time; until the code issuers pass the
// user's `locale` attribute (verification.issue → outbox.enqueue), every user gets the default template.

describe('the mail a user receives', () => {
  let clientId: string;
  before(async () => {
    ({ clientId } = await createPoolWithClient(t, { autoVerifiedAttributes: ['email'], messageTemplates: TEMPLATES }));
  });

  async function signUpAndReadMail(username: string, locale?: string) {
    const email = uniqueEmail(username.replace(/\W/g, '') || 'user');
    const userAttributes = { email, ...(locale !== undefined && { locale }) };
    const res = await t.call('POST', '/v1/sign-up', { clientId, username, password: PASSWORD, userAttributes });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const mail = await t.smtp.waitFor((m) => m.to.includes(email));
    const code = /(?<!\d)\d{6}(?!\d)/.exec(mail.text)?.[0];
    assert.ok(code, `a code in ${JSON.stringify(mail.text)}`);
    return { mail, code };
  }

  test('a user whose locale is "fr" gets the French mail, and its code confirms the account', async () => {
    const { mail, code } = await signUpAndReadMail('amelie', 'fr');
    assert.equal(mail.subject, 'Bienvenue chez Acme');
    assert.equal(mail.text.trim(), `Votre code Acme est ${code}, amelie.`);
    assert.equal(mail.html.trim(), `<p>Votre code Acme est <b>${code}</b>, amelie.</p>`);
    const confirmed = await t.call('POST', '/v1/sign-up/confirm', {
      clientId,
      username: 'amelie',
      confirmationCode: code,
    });
    assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
  });

  test('a user without a locale, or with one the pool has no translation for, gets the pool’s default template', async () => {
    for (const [username, locale] of [
      ['bob', undefined],
      ['dieter', 'de-DE'],
    ] as const) {
      const { mail, code } = await signUpAndReadMail(username, locale);
      assert.equal(mail.subject, 'Welcome to Acme', username);
      assert.equal(mail.text.trim(), `Your Acme code is ${code}, ${username}.`);
      assert.equal(mail.html.trim(), `<p>Your Acme code is <b>${code}</b>, ${username}.</p>`);
    }
  });

  test('a pt-BR user gets the pt translation, its HTML made from the Portuguese text', async () => {
    const { mail, code } = await signUpAndReadMail('joao', 'pt-BR');
    assert.equal(mail.subject, 'Bem-vindo à Acme');
    assert.equal(mail.text.trim(), `Seu código Acme é ${code}.`);
    assert.match(mail.html, new RegExp(`Seu código Acme é ${code}\\.`));
    assert.doesNotMatch(mail.html, /Your Acme code/);
  });

  test('the username is escaped in the HTML body and kept as written in the text', async () => {
    const username = `o'b<i>&"x`;
    const { mail, code } = await signUpAndReadMail(username);
    assert.equal(mail.text.trim(), `Your Acme code is ${code}, ${username}.`);
    assert.equal(mail.html.trim(), `<p>Your Acme code is <b>${code}</b>, o&#39;b&lt;i&gt;&amp;&quot;x.</p>`);
  });
});

describe('the outbox renders with the pool’s templates for the locale it was given', () => {
  let poolId: string;
  before(async () => {
    poolId = (await newPool({ messageTemplates: TEMPLATES })).id;
  });

  async function send(
    purpose: 'SIGN_UP' | 'FORGOT_PASSWORD' | 'ADMIN_INVITATION',
    locale: string | null,
    username = 'zoé',
  ) {
    const destination = uniqueEmail('outbox');
    const queued = await t.database.db.transaction((tx) =>
      t.services.outbox.enqueue(tx, {
        poolId,
        userId: null,
        username,
        medium: 'EMAIL',
        destination,
        purpose,
        secret: '424242',
        locale,
      }),
    );
    await t.services.outbox.sendNow([queued]);
    return t.smtp.waitFor((m) => m.to.includes(destination));
  }

  test('fr, fr-CA → fr, pt-BR → pt, de → the default', async () => {
    for (const locale of ['fr', 'fr-CA']) {
      const mail = await send('SIGN_UP', locale);
      assert.equal(mail.subject, 'Bienvenue chez Acme', locale);
      assert.equal(mail.text.trim(), 'Votre code Acme est 424242, zoé.');
      assert.equal(mail.html.trim(), '<p>Votre code Acme est <b>424242</b>, zoé.</p>');
    }
    const pt = await send('SIGN_UP', 'pt-BR');
    assert.equal(pt.subject, 'Bem-vindo à Acme');
    assert.equal(pt.text.trim(), 'Seu código Acme é 424242.');
    assert.match(pt.html, /Seu código Acme é 424242\./);
    assert.doesNotMatch(pt.html, /Your Acme code/);
    for (const locale of ['de', null]) {
      const mail = await send('SIGN_UP', locale);
      assert.equal(mail.subject, 'Welcome to Acme', String(locale));
      assert.equal(mail.text.trim(), 'Your Acme code is 424242, zoé.');
    }
  });

  test('members the pool leaves out are Cognate’s built-in ones', async () => {
    const mail = await send('FORGOT_PASSWORD', 'fr');
    assert.equal(mail.subject, 'Reset your Acme password');
    assert.match(mail.text, /^Your password reset code is 424242\./);
    const invitation = await send('ADMIN_INVITATION', null, 'new.hire');
    assert.equal(invitation.subject, 'Your temporary password');
    assert.equal(invitation.text.trim(), 'Welcome new.hire: your temporary password is 424242.');
  });

  test('the username is escaped in the pool’s HTML template', async () => {
    const mail = await send('SIGN_UP', 'fr', `<img src=x onerror="alert(1)">`);
    assert.equal(
      mail.html.trim(),
      '<p>Votre code Acme est <b>424242</b>, &lt;img src=x onerror=&quot;alert(1)&quot;&gt;.</p>',
    );
    assert.equal(mail.text.trim(), 'Votre code Acme est 424242, <img src=x onerror="alert(1)">.');
  });
});

describe('a username in the subject is text, not an RFC 2047 encoded-word', () => {
  let clientId: string;
  before(async () => {
    const templates = { SIGN_UP: { default: { emailSubject: 'Welcome {username}' } } };
    ({ clientId } = await createPoolWithClient(t, { autoVerifiedAttributes: ['email'], messageTemplates: templates }));
  });

  const encodedWord = (text: string) => `=?utf-8?B?${Buffer.from(text).toString('base64')}?=`;

  /** The Subject header as sent, unfolded. */
  const rawSubject = (raw: string) =>
    /^Subject:(.*(?:\r?\n[ \t].*)*)/im
      .exec(raw)![1]!
      .replace(/\r?\n[ \t]/g, ' ')
      .trim();

  async function signUpOn(face: 'rest' | 'wire', username: string, email: string) {
    if (face === 'rest') {
      const res = await t.call('POST', '/v1/sign-up', {
        clientId,
        username,
        password: PASSWORD,
        userAttributes: { email },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return;
    }
    const res = await t.app.inject({
      method: 'POST',
      url: '/',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AWSCognitoIdentityProviderService.SignUp',
      },
      payload: JSON.stringify({
        ClientId: clientId,
        Username: username,
        Password: PASSWORD,
        UserAttributes: [{ Name: 'email', Value: email }],
      }),
    });
    assert.equal(res.statusCode, 200, res.body);
  }

  for (const face of ['rest', 'wire'] as const) {
    test(`${face}: a username such as =?utf-8?B?…?= reaches the reader literally`, async () => {
      for (const [i, username] of [
        encodedWord(`Account suspended (${face}): call +1 555 0100`),
        `x${encodedWord(`spoof ${face}`)}y`,
        `${encodedWord(face)}=?us-ascii?Q?two?=`,
      ].entries()) {
        const email = uniqueEmail(`encoded-${face}-${i}`);
        await signUpOn(face, username, email);
        const mail = await t.smtp.waitFor((m) => m.to.includes(email));
        // The capture decodes encoded-words as a mail client does: it must give back the username as typed.
        assert.equal(mail.subject, `Welcome ${username}`);
        const header = rawSubject(mail.raw);
        assert.ok(!header.includes(username), `the username went out unencoded: ${header}`);
        assert.match(header, /^(=\?UTF-8\?[BQ]\?[^?\s]+\?=\s*)+$/, 'the whole subject is encoded');
      }
    });
  }

  test('a subject without "=?" is left as it was (plain ASCII stays readable in the raw header)', async () => {
    const email = uniqueEmail('plain-subject');
    await signUpOn('rest', 'plain.user', email);
    const mail = await t.smtp.waitFor((m) => m.to.includes(email));
    assert.equal(rawSubject(mail.raw), 'Welcome plain.user');
  });
});
