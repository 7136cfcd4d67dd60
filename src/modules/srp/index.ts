export * from './cognito-srp.ts';
export * from './secret-block.ts';
