export * from './sigv4-verifier.ts';
