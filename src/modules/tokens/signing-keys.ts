import { createPublicKey, generateKeyPair, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const generateKeyPairAsync = promisify(generateKeyPair);

export interface SigningKey {
  kid: string;
  privateKeyPem: string;
  publicKeyPem: string;
  createdAt: Date;
}

export interface PublicJwk {
  kty: 'RSA';
  n: string;
  e: string;
  kid: string;
  alg: 'RS256';
  use: 'sig';
}

export async function generateSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPairAsync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return {
    kid: randomBytes(16).toString('base64url'),
    privateKeyPem: privateKey,
    publicKeyPem: publicKey,
    createdAt: new Date(),
  };
}

export function publicJwk(key: Pick<SigningKey, 'kid' | 'publicKeyPem'>): PublicJwk {
  const jwk = createPublicKey(key.publicKeyPem).export({ format: 'jwk' });
  if (jwk.kty !== 'RSA' || !jwk.n || !jwk.e) throw new Error(`signing key ${key.kid} is not an RSA public key`);
  return { kty: 'RSA', n: jwk.n, e: jwk.e, kid: key.kid, alg: 'RS256', use: 'sig' };
}

export function jwks(keys: ReadonlyArray<Pick<SigningKey, 'kid' | 'publicKeyPem'>>): { keys: PublicJwk[] } {
  return { keys: keys.map(publicJwk) };
}
