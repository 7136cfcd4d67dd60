export * from './pools.ts';
export * from './users.ts';
