export * from './signing-keys.ts';
export * from './jwt.ts';
export * from './refresh-tokens.ts';
