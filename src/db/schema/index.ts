export * from './pools.ts';
export * from './users.ts';
export * from './audit.ts';
export * from './limits.ts';
