import { randomInt } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

function randomString(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** Cognito's pool id shape: `<region>_<9 letters or digits>`. */
export const newPoolId = (region: string) => `${region}_${randomString(ALNUM, 9)}`;
export const POOL_ID_PATTERN = '^[a-z0-9-]{1,32}_[A-Za-z0-9]{9}$';

/** 26 lowercase letters and digits, as Cognito's client ids. */
export const newClientId = () => randomString(LOWER_ALNUM, 26);
export const CLIENT_ID_PATTERN = '^[a-z0-9]{26}$';
