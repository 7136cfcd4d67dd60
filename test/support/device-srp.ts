/**
 * The client's half of a remembered device (docs/devices.md), computed here with the math
 * Amplify v6 uses (its AuthenticationHelper: generateHashDevice, getPasswordAuthenticationKey,
 * getSignatureString), so the tests speak to Cognate as Amplify does without going through Amplify.
 */
import { createHash, createHmac, getDiffieHellman, randomBytes } from 'node:crypto';
import { modPow } from 'bigint-mod-arith';
import { formatSrpTimestamp } from '../../src/modules/srp/index.ts';

const N = BigInt('0x' + getDiffieHellman('modp15').getPrime('hex'));
const g = 2n;

/** Hex as Amplify's getPaddedHex writes a positive number: even length, 00 before a set top bit. */
function padHex(value: bigint): string {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = '0' + hex;
  if ('89abcdef'.includes(hex[0]!)) hex = '00' + hex;
  return hex;
}
const hashHex = (hex: string) => createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex');
const hashText = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const k = BigInt('0x' + hashHex(padHex(N) + padHex(g)));

export interface DeviceSecret {
  deviceKey: string;
  deviceGroupKey: string;
  /** The device's own password: never sent, only its verifier. */
  randomPassword: string;
}

/** What ConfirmDevice sends (base64 of the numbers' bytes, as Amplify does), and the secret the device keeps. */
export function deviceVerifier(deviceKey: string, deviceGroupKey: string, salt = randomBytes(16)) {
  const randomPassword = randomBytes(40).toString('base64');
  const saltHex = padHex(BigInt('0x' + salt.toString('hex')));
  const x = BigInt('0x' + hashHex(saltHex + hashText(`${deviceGroupKey}${deviceKey}:${randomPassword}`)));
  const verifier = modPow(g, x, N);
  return {
    secret: { deviceKey, deviceGroupKey, randomPassword } satisfies DeviceSecret,
    config: {
      PasswordVerifier: Buffer.from(padHex(verifier), 'hex').toString('base64'),
      Salt: Buffer.from(saltHex, 'hex').toString('base64'),
    },
  };
}

/** DEVICE_SRP_AUTH's SRP_A, and the private a to answer DEVICE_PASSWORD_VERIFIER with. */
export function deviceSrpStart() {
  const a = BigInt('0x' + randomBytes(128).toString('hex'));
  return { a, srpA: modPow(g, a, N).toString(16) };
}

/** DEVICE_PASSWORD_VERIFIER's answers for the challenge's parameters, as Amplify computes them. */
export function deviceProof(
  device: DeviceSecret,
  start: { a: bigint; srpA: string },
  challenge: Record<string, string>,
  options: { username?: string; now?: Date; password?: string } = {},
): Record<string, string> {
  const A = BigInt('0x' + start.srpA);
  const B = BigInt('0x' + challenge.SRP_B!);
  const u = BigInt('0x' + hashHex(padHex(A) + padHex(B)));
  const password = options.password ?? device.randomPassword;
  const x = BigInt(
    '0x' +
      hashHex(
        padHex(BigInt('0x' + challenge.SALT!)) + hashText(`${device.deviceGroupKey}${device.deviceKey}:${password}`),
      ),
  );
  const base = (((B - ((k * modPow(g, x, N)) % N)) % N) + N) % N;
  const S = modPow(base, start.a + u * x, N);
  const prk = createHmac('sha256', Buffer.from(padHex(u), 'hex'))
    .update(Buffer.from(padHex(S), 'hex'))
    .digest();
  const key = createHmac('sha256', prk)
    .update(Buffer.concat([Buffer.from('Caldera Derived Key', 'utf8'), Buffer.from([1])]))
    .digest()
    .subarray(0, 16);
  const timestamp = formatSrpTimestamp(options.now ?? new Date());
  const signature = createHmac('sha256', key)
    .update(
      Buffer.concat([
        Buffer.from(device.deviceGroupKey, 'utf8'),
        Buffer.from(device.deviceKey, 'utf8'),
        Buffer.from(challenge.SECRET_BLOCK!, 'base64'),
        Buffer.from(timestamp, 'utf8'),
      ]),
    )
    .digest('base64');
  return {
    USERNAME: options.username ?? challenge.USERNAME!,
    PASSWORD_CLAIM_SECRET_BLOCK: challenge.SECRET_BLOCK!,
    TIMESTAMP: timestamp,
    PASSWORD_CLAIM_SIGNATURE: signature,
    DEVICE_KEY: device.deviceKey,
  };
}
