import { Type } from 'typebox';
import { ref, StringEnum } from './common.ts';
import type { SigningKeyInfo } from '../modules/tokens/tokens.types.ts';

/** A signing key as the admin API shows it: an allow-list, so no private key can slip out. */
export const SigningKeyResponse = Type.Object(
  {
    kid: Type.String({ description: 'The `kid` in the header of the tokens this key signs, and in the JWKS.' }),
    status: StringEnum(['current', 'retiring', 'retired'], {
      description:
        'current: signs new tokens; retiring: still verifies and stays in the JWKS until retiresAt; retired: verifies nothing.',
    }),
    createdAt: Type.String({ format: 'date-time' }),
    retiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
      description: 'null for the current key.',
    }),
  },
  { $id: 'SigningKey', additionalProperties: false },
);

export const SigningKeysResponse = Type.Object(
  { keys: Type.Array(ref(SigningKeyResponse), { description: 'Newest first.' }) },
  { $id: 'SigningKeyList', additionalProperties: false },
);

export function presentSigningKeys(keys: SigningKeyInfo[], now = new Date()) {
  return {
    keys: keys.map((key) => ({
      kid: key.kid,
      status:
        key.retiresAt === null
          ? ('current' as const)
          : key.retiresAt > now
            ? ('retiring' as const)
            : ('retired' as const),
      createdAt: key.createdAt.toISOString(),
      retiresAt: key.retiresAt?.toISOString() ?? null,
    })),
  };
}
