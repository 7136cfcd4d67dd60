import { Type } from 'typebox';
import type { ImportJob } from '../modules/import-jobs/import-jobs.types.ts';
import { StringEnum, ref } from './common.ts';

// Cognito's limits (docs/user-import.md, "Import jobs").
const JobId = Type.String({ minLength: 1, maxLength: 55, pattern: '^import-[0-9a-zA-Z-]+$' });

export const ImportJobParams = Type.Object(
  { poolId: Type.String({ maxLength: 64 }), jobId: JobId },
  { additionalProperties: false },
);

export const CreateImportJobBody = Type.Object(
  {
    jobName: Type.String({
      minLength: 1,
      maxLength: 128,
      pattern: '^[\\w\\s+=,.@-]+$',
      description: 'A name for the job: letters, digits, spaces and + = , . @ _ -.',
    }),
    cloudWatchLogsRoleArn: Type.Optional(
      Type.String({
        minLength: 20,
        maxLength: 2048,
        pattern:
          '^arn:[\\w+=/,.@-]+:[\\w+=/,.@-]+:([\\w+=/,.@-]*)?:[0-9]+:[\\w+=/,.@-]+(:[\\w+=/,.@-]+)?(:[\\w+=/,.@-]+)?$',
        description:
          'Kept and shown, not used: Cognate writes no CloudWatch logs (Cognito requires it; REST does not).',
      }),
    ),
  },
  { $id: 'CreateImportJobBody', additionalProperties: false },
);

const ImportJobStatus = StringEnum(
  ['Created', 'Pending', 'InProgress', 'Stopping', 'Expired', 'Stopped', 'Failed', 'Succeeded'],
  { description: 'Cognito’s UserImportJobStatusType.' },
);
const NullableTime = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);

export const ImportJobResponse = Type.Object(
  {
    jobId: Type.String(),
    poolId: Type.String(),
    jobName: Type.String(),
    status: ImportJobStatus,
    preSignedUrl: Type.String({
      description:
        'Where to PUT the CSV (no admin key: the signature is the authorisation), for 15 minutes after the job is created.',
    }),
    uploadExpiresAt: Type.String({ format: 'date-time' }),
    uploaded: Type.Boolean({ description: 'Whether a CSV has been uploaded and awaits the start.' }),
    cloudWatchLogsRoleArn: Type.Union([Type.String(), Type.Null()]),
    importedUsers: Type.Integer(),
    skippedUsers: Type.Integer({ description: 'Rows whose user already exists.' }),
    failedUsers: Type.Integer(),
    failures: Type.Array(
      Type.Object({ line: Type.Integer(), message: Type.String() }, { additionalProperties: false }),
      { description: 'The first 1000 rows not imported (skipped or failed), with their line in the file.' },
    ),
    completionMessage: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
    startedAt: NullableTime,
    completedAt: NullableTime,
  },
  { $id: 'ImportJob', additionalProperties: false },
);

export const ImportJobPageQuery = Type.Object(
  {
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 60, default: 60, description: 'Items per page, at most 60 (Cognito’s).' }),
    ),
    nextToken: Type.Optional(
      Type.String({ minLength: 1, maxLength: 2048, description: 'From the previous page of the same listing.' }),
    ),
  },
  { additionalProperties: false },
);

export const ImportJobList = Type.Object(
  {
    jobs: Type.Array(ref(ImportJobResponse)),
    nextToken: Type.Optional(
      Type.String({ description: 'Present while more may follow: pass it to get the next page.' }),
    ),
  },
  { $id: 'ImportJobPage', additionalProperties: false },
);

export const CsvHeaderResponse = Type.Object(
  {
    poolId: Type.String(),
    csvHeader: Type.Array(Type.String(), {
      description:
        'The pool’s attributes (without sub) in its schema’s order, then cognito:mfa_enabled and cognito:username.',
    }),
  },
  { $id: 'CsvHeader', additionalProperties: false },
);

export const UploadParams = Type.Object({ jobId: JobId }, { additionalProperties: false });
export const UploadQuery = Type.Object(
  {
    expires: Type.String({ maxLength: 12, description: 'From the PreSignedUrl, unchanged.' }),
    signature: Type.String({ maxLength: 64, description: 'From the PreSignedUrl, unchanged.' }),
  },
  { additionalProperties: false },
);
export const UploadHeaders = Type.Object({
  'x-amz-server-side-encryption': Type.Optional(
    StringEnum(['aws:kms', 'AES256', 'aws:kms:dsse'], {
      description:
        'Accepted as Cognito’s instructions send it (aws:kms); the CSV is kept in Cognate’s database until the job ends.',
    }),
  ),
});

export const presentImportJob = (job: ImportJob) => ({
  jobId: job.id,
  poolId: job.poolId,
  jobName: job.name,
  status: job.status,
  preSignedUrl: job.preSignedUrl,
  uploadExpiresAt: job.uploadExpiresAt.toISOString(),
  uploaded: job.uploaded,
  cloudWatchLogsRoleArn: job.cloudWatchLogsRoleArn === '' ? null : job.cloudWatchLogsRoleArn,
  importedUsers: job.importedUsers,
  skippedUsers: job.skippedUsers,
  failedUsers: job.failedUsers,
  failures: job.failures,
  completionMessage: job.completionMessage,
  createdAt: job.createdAt.toISOString(),
  startedAt: job.startedAt?.toISOString() ?? null,
  completedAt: job.completedAt?.toISOString() ?? null,
});
