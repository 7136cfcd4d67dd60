import type { PageLanguage } from './managed-login.types.ts';

/**
 * The pages' words, one catalogue a language (docs/web-sign-in.md, "Languages"). Every language
 * has every key: the type below makes a missing one a compile error.
 */
const en = {
  signInTitle: 'Sign in',
  signInIntro: 'Sign in with your username and password.',
  signInWithProvider: 'Sign in with {provider}',
  signInProvidersOnly: 'Sign in with one of these accounts.',
  username: 'Username',
  usernameOrAlias: 'Username, email or phone number',
  email: 'Email',
  phone_number: 'Phone number',
  password: 'Password',
  newPassword: 'New password',
  signInSubmit: 'Sign in',
  forgotLink: 'Forgot your password?',
  signUpLink: 'Need an account? Sign up',
  signInLink: 'Already have an account? Sign in',
  signUpTitle: 'Sign up',
  signUpIntro: 'Create an account.',
  signUpSubmit: 'Sign up',
  optional: '(optional)',
  passwordPolicy: 'The password needs at least {min} characters',
  policyLower: 'a lowercase letter',
  policyUpper: 'an uppercase letter',
  policyNumber: 'a number',
  policySymbol: 'a symbol',
  policyAnd: ' and ',
  policyWith: ', with ',
  confirmTitle: 'Confirm your account',
  confirmIntro: 'Enter the code we sent you.',
  confirmSentTo: 'We sent a code by {medium} to {destination}.',
  byEmail: 'email',
  bySms: 'text message',
  code: 'Code',
  confirmSubmit: 'Confirm account',
  resendSubmit: 'Send a new code',
  resent: 'A new code is on its way.',
  confirmed: 'Your account is confirmed. Sign in to continue.',
  notConfirmed: 'Your account is not confirmed yet. Enter the code we sent you, or ask for a new one.',
  forgotTitle: 'Forgot your password?',
  forgotIntro: 'Enter your username and we will send you a code to reset your password.',
  forgotSubmit: 'Reset my password',
  resetTitle: 'Reset your password',
  resetIntro: 'Enter the code we sent you and choose a new password.',
  resetSubmit: 'Change password',
  resetDone: 'Your password is changed. Sign in with your new password.',
  resetRequired: 'You must reset your password before you can sign in.',
  newPasswordTitle: 'Choose a new password',
  newPasswordIntro: 'You signed in with a temporary password. Choose your own to continue.',
  newPasswordMissing: 'Your account also needs these details.',
  newPasswordSubmit: 'Continue',
  mfaTitle: 'Enter your code',
  mfaSmsIntro: 'We sent a code by text message to {destination}.',
  mfaEmailIntro: 'We sent a code by email to {destination}.',
  mfaTotpIntro: 'Enter the code your authenticator app shows.',
  mfaSubmit: 'Sign in',
  selectMfaTitle: 'Choose how to get your code',
  selectMfaIntro: 'Your account has more than one way to prove it is you.',
  SMS_MFA: 'Text message (SMS)',
  EMAIL_OTP: 'Email',
  SOFTWARE_TOKEN_MFA: 'Authenticator app',
  mfaSetupTitle: 'Set up an authenticator app',
  mfaSetupIntro:
    'Your account needs a second step at sign-in. Add this key to an authenticator app, then enter the code it shows.',
  mfaSetupSecret: 'Key',
  mfaSetupUri: 'Open in an authenticator app',
  mfaSetupSubmit: 'Verify and sign in',
  mfaSetupUnavailable:
    'Your account needs multi-factor authentication that these pages cannot set up. Ask your administrator.',
  errorTitle: 'Something went wrong',
  errorSummary: 'There is a problem',
  backToSignIn: 'Back to sign in',
  errBadClient: 'This sign-in link is not valid: the application is unknown or not allowed to use these pages.',
  errBadRedirect: 'This sign-in link is not valid: it names an address the application has not registered.',
  errBadRequest: 'This sign-in link is not valid.',
  errCsrf: 'This form has expired or was not sent from this page. Go back, reload the page and try again.',
  errNotFound: 'There is no such page.',
  errCredentials: 'Incorrect username or password.',
  errUserNotFound: 'User does not exist.',
  errDisabled: 'This account is disabled.',
  errTooMany: 'Too many attempts. Wait a while and try again.',
  errCode: 'The code is not right. Check it and try again.',
  errCodeExpired: 'The code has expired. Ask for a new one.',
  errUsernameTaken: 'An account with this username already exists.',
  errRequired: 'Enter a value.',
  errSession: 'Your sign-in took too long. Start again.',
  errDelivery: 'We could not send the code. Try again later.',
  errInvalid: 'Check what you entered: {detail}',
  errGeneric: 'Something went wrong. Try again later.',
  errRefused: 'The request was refused: {detail}',
  errPassword: 'The password does not meet the requirements: {detail}',
};

export type TextKey = keyof typeof en;
type Catalogue = Record<TextKey, string>;

const de: Catalogue = {
  signInTitle: 'Anmelden',
  signInIntro: 'Melden Sie sich mit Ihrem Benutzernamen und Passwort an.',
  signInWithProvider: 'Anmelden mit {provider}',
  signInProvidersOnly: 'Melden Sie sich mit einem dieser Konten an.',
  username: 'Benutzername',
  usernameOrAlias: 'Benutzername, E-Mail-Adresse oder Telefonnummer',
  email: 'E-Mail-Adresse',
  phone_number: 'Telefonnummer',
  password: 'Passwort',
  newPassword: 'Neues Passwort',
  signInSubmit: 'Anmelden',
  forgotLink: 'Passwort vergessen?',
  signUpLink: 'Noch kein Konto? Registrieren',
  signInLink: 'Sie haben schon ein Konto? Anmelden',
  signUpTitle: 'Registrieren',
  signUpIntro: 'Legen Sie ein Konto an.',
  signUpSubmit: 'Registrieren',
  optional: '(freiwillig)',
  passwordPolicy: 'Das Passwort braucht mindestens {min} Zeichen',
  policyLower: 'einen Kleinbuchstaben',
  policyUpper: 'einen Großbuchstaben',
  policyNumber: 'eine Ziffer',
  policySymbol: 'ein Sonderzeichen',
  policyAnd: ' und ',
  policyWith: ', darunter ',
  confirmTitle: 'Konto bestätigen',
  confirmIntro: 'Geben Sie den Code ein, den wir Ihnen geschickt haben.',
  confirmSentTo: 'Wir haben einen Code per {medium} an {destination} geschickt.',
  byEmail: 'E-Mail',
  bySms: 'SMS',
  code: 'Code',
  confirmSubmit: 'Konto bestätigen',
  resendSubmit: 'Neuen Code senden',
  resent: 'Ein neuer Code ist unterwegs.',
  confirmed: 'Ihr Konto ist bestätigt. Melden Sie sich an, um fortzufahren.',
  notConfirmed:
    'Ihr Konto ist noch nicht bestätigt. Geben Sie den Code ein, den wir Ihnen geschickt haben, oder fordern Sie einen neuen an.',
  forgotTitle: 'Passwort vergessen?',
  forgotIntro:
    'Geben Sie Ihren Benutzernamen ein. Wir schicken Ihnen einen Code, mit dem Sie Ihr Passwort zurücksetzen.',
  forgotSubmit: 'Passwort zurücksetzen',
  resetTitle: 'Passwort zurücksetzen',
  resetIntro: 'Geben Sie den Code ein, den wir Ihnen geschickt haben, und wählen Sie ein neues Passwort.',
  resetSubmit: 'Passwort ändern',
  resetDone: 'Ihr Passwort ist geändert. Melden Sie sich mit dem neuen Passwort an.',
  resetRequired: 'Sie müssen Ihr Passwort zurücksetzen, bevor Sie sich anmelden können.',
  newPasswordTitle: 'Neues Passwort wählen',
  newPasswordIntro:
    'Sie haben sich mit einem vorläufigen Passwort angemeldet. Wählen Sie ein eigenes, um fortzufahren.',
  newPasswordMissing: 'Für Ihr Konto fehlen außerdem diese Angaben.',
  newPasswordSubmit: 'Weiter',
  mfaTitle: 'Code eingeben',
  mfaSmsIntro: 'Wir haben einen Code per SMS an {destination} geschickt.',
  mfaEmailIntro: 'Wir haben einen Code per E-Mail an {destination} geschickt.',
  mfaTotpIntro: 'Geben Sie den Code ein, den Ihre Authenticator-App anzeigt.',
  mfaSubmit: 'Anmelden',
  selectMfaTitle: 'Wie möchten Sie Ihren Code erhalten?',
  selectMfaIntro: 'Für Ihr Konto gibt es mehrere Wege, sich auszuweisen.',
  SMS_MFA: 'SMS',
  EMAIL_OTP: 'E-Mail',
  SOFTWARE_TOKEN_MFA: 'Authenticator-App',
  mfaSetupTitle: 'Authenticator-App einrichten',
  mfaSetupIntro:
    'Ihr Konto verlangt bei der Anmeldung einen zweiten Schritt. Fügen Sie diesen Schlüssel in einer Authenticator-App hinzu und geben Sie dann den angezeigten Code ein.',
  mfaSetupSecret: 'Schlüssel',
  mfaSetupUri: 'In einer Authenticator-App öffnen',
  mfaSetupSubmit: 'Prüfen und anmelden',
  mfaSetupUnavailable:
    'Ihr Konto verlangt eine Mehr-Faktor-Authentifizierung, die diese Seiten nicht einrichten können. Wenden Sie sich an Ihre Administration.',
  errorTitle: 'Etwas ist schiefgegangen',
  errorSummary: 'Es gibt ein Problem',
  backToSignIn: 'Zurück zur Anmeldung',
  errBadClient: 'Dieser Anmeldelink ist ungültig: Die Anwendung ist unbekannt oder darf diese Seiten nicht verwenden.',
  errBadRedirect: 'Dieser Anmeldelink ist ungültig: Er nennt eine Adresse, die die Anwendung nicht hinterlegt hat.',
  errBadRequest: 'Dieser Anmeldelink ist ungültig.',
  errCsrf:
    'Dieses Formular ist abgelaufen oder wurde nicht von dieser Seite gesendet. Gehen Sie zurück, laden Sie die Seite neu und versuchen Sie es noch einmal.',
  errNotFound: 'Diese Seite gibt es nicht.',
  errCredentials: 'Benutzername oder Passwort ist falsch.',
  errUserNotFound: 'Diesen Benutzer gibt es nicht.',
  errDisabled: 'Dieses Konto ist gesperrt.',
  errTooMany: 'Zu viele Versuche. Warten Sie eine Weile und versuchen Sie es dann noch einmal.',
  errCode: 'Der Code stimmt nicht. Prüfen Sie ihn und versuchen Sie es noch einmal.',
  errCodeExpired: 'Der Code ist abgelaufen. Fordern Sie einen neuen an.',
  errUsernameTaken: 'Es gibt schon ein Konto mit diesem Benutzernamen.',
  errRequired: 'Bitte ausfüllen.',
  errSession: 'Ihre Anmeldung hat zu lange gedauert. Beginnen Sie noch einmal.',
  errDelivery: 'Wir konnten den Code nicht senden. Versuchen Sie es später noch einmal.',
  errInvalid: 'Bitte prüfen Sie Ihre Angaben: {detail}',
  errGeneric: 'Etwas ist schiefgegangen. Versuchen Sie es später noch einmal.',
  errRefused: 'Die Anfrage wurde abgelehnt: {detail}',
  errPassword: 'Das Passwort erfüllt die Anforderungen nicht: {detail}',
};

const CATALOGUES: Record<PageLanguage, Catalogue> = { en, de };

/** The languages the pages speak, in order of preference when nothing else decides. */
export const PAGE_LANGUAGES = Object.keys(CATALOGUES) as PageLanguage[];

/** Words of a language, with `{name}` filled in from `values`. */
export function textsFor(lang: PageLanguage) {
  const catalogue = CATALOGUES[lang];
  return (key: TextKey, values: Record<string, string | number> = {}) =>
    catalogue[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
      Object.hasOwn(values, name) ? String(values[name]) : whole,
    );
}

export type Texts = ReturnType<typeof textsFor>;

const primary = (tag: string) => tag.trim().toLowerCase().split(/[-_]/)[0] ?? '';
const isPageLanguage = (tag: string): tag is PageLanguage => (PAGE_LANGUAGES as string[]).includes(tag);

/**
 * The page language: Cognito's `lang` query parameter when it names one we speak (`de`, `de-AT`),
 * then the browser's Accept-Language by its q-values, then English.
 */
export function pickLanguage(lang: string | undefined, acceptLanguage: string | undefined): PageLanguage {
  if (lang) {
    const asked = primary(lang);
    if (isPageLanguage(asked)) return asked;
  }
  if (acceptLanguage) {
    const ranked = acceptLanguage
      .split(',')
      .slice(0, 20)
      .map((part, index) => {
        const [tag = '', ...params] = part.split(';');
        const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
        return { tag: primary(tag), q: q === undefined ? 1 : Number(q), index };
      })
      .filter((entry) => entry.q > 0 && Number.isFinite(entry.q))
      .sort((a, b) => b.q - a.q || a.index - b.index);
    for (const { tag } of ranked) if (isPageLanguage(tag)) return tag;
  }
  return 'en';
}
