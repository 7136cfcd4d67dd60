import { check, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { pools } from './pools.ts';
import type { ImportJobFailure, ImportJobStatus } from '../../modules/import-jobs/import-jobs.types.ts';

/**
 * Cognito's user import jobs (CreateUserImportJob and the rest, docs/user-import.md): a CSV
 * uploaded to the job's pre-signed URL, then imported by the existing user import.
 */
export const userImportJobs = pgTable(
  'user_import_jobs',
  {
    /** Cognito's JobId: `import-` and random characters. */
    id: text('id').primaryKey(),
    poolId: text('pool_id')
      .notNull()
      .references(() => pools.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    status: text('status').$type<ImportJobStatus>().notNull().default('Created'),
    /** CloudWatchLogsRoleArn, as given: kept and shown, not used (Cognate logs to its own log). */
    cloudWatchLogsRoleArn: text('cloud_watch_logs_role_arn').notNull(),
    /** The uploaded CSV; null until the pre-signed URL has been used. */
    csv: text('csv'),
    /** When the pre-signed upload URL stops working. */
    uploadExpiresAt: timestamp('upload_expires_at', { withTimezone: true }).notNull(),
    importedUsers: integer('imported_users').notNull().default(0),
    skippedUsers: integer('skipped_users').notNull().default(0),
    failedUsers: integer('failed_users').notNull().default(0),
    /** The rows that failed and why (line number and message), for DescribeUserImportJob and the log. */
    failures: jsonb('failures').$type<ImportJobFailure[]>().notNull().default([]),
    completionMessage: text('completion_message'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    /**
     * While InProgress or Stopping: until when the instance running the job holds it. The runner
     * renews it every few seconds; a job whose lease has run out was left by a process that died,
     * and is ended (Failed, or Stopped if it was stopping) by the next instance that looks.
     */
    leaseExpiresAt: timestamp('lease_expires_at', { withTimezone: true }),
  },
  (t) => [
    index('user_import_jobs_pool_idx').on(t.poolId, t.createdAt),
    check(
      'user_import_jobs_status_valid',
      sql`${t.status} in ('Created', 'Pending', 'InProgress', 'Stopping', 'Expired', 'Stopped', 'Failed', 'Succeeded')`,
    ),
  ],
);
