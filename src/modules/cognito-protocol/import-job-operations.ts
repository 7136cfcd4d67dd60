/**
 * Cognito's user import jobs (IAM-authorised, SigV4-signed): GetCSVHeader, CreateUserImportJob,
 * StartUserImportJob, DescribeUserImportJob, ListUserImportJobs and StopUserImportJob over the
 * import-jobs service, in Cognito's shapes, limits and errors (docs/user-import.md, "Import jobs").
 */
import { Type, type TSchema } from 'typebox';
import type { ImportJob } from '../import-jobs/import-jobs.types.ts';
import { UserPoolId } from './operation-inputs.ts';
import { adminOperation, type Operation } from './operation.ts';
import { epochSeconds } from './wire-shapes.ts';

// Members other than these are ruled by settings-table.ts before the operation reads them.
const object = <P extends Record<string, TSchema>>(properties: P) =>
  Type.Object(properties, { additionalProperties: true });
const s = (min: number, max: number, pattern?: string) =>
  Type.String({ minLength: min, maxLength: max, ...(pattern && { pattern: `^${pattern}$` }) });

// Cognito's constraints, from its API reference.
const JobId = s(1, 55, 'import-[0-9a-zA-Z-]+');
const JobName = s(1, 128, '[\\w\\s+=,.@-]+');
const CloudWatchLogsRoleArn = s(
  20,
  2048,
  'arn:[\\w+=/,.@-]+:[\\w+=/,.@-]+:([\\w+=/,.@-]*)?:[0-9]+:[\\w+=/,.@-]+(:[\\w+=/,.@-]+)?(:[\\w+=/,.@-]+)?',
);

export const GetCSVHeader = object({ UserPoolId });
export const CreateUserImportJob = object({ UserPoolId, JobName, CloudWatchLogsRoleArn });
export const OneImportJob = object({ UserPoolId, JobId });
export const ListUserImportJobs = object({
  UserPoolId,
  MaxResults: Type.Integer({ minimum: 1, maximum: 60 }),
  PaginationToken: Type.Optional(s(1, 2048, '[\\S]+')),
});

/** Cognito's UserImportJobType: members without a value are left out, dates in epoch seconds. */
export function toUserImportJobType(job: ImportJob) {
  return {
    JobName: job.name,
    JobId: job.id,
    UserPoolId: job.poolId,
    PreSignedUrl: job.preSignedUrl,
    CreationDate: epochSeconds(job.createdAt),
    ...(job.startedAt !== null && { StartDate: epochSeconds(job.startedAt) }),
    ...(job.completedAt !== null && { CompletionDate: epochSeconds(job.completedAt) }),
    Status: job.status,
    ...(job.cloudWatchLogsRoleArn !== '' && { CloudWatchLogsRoleArn: job.cloudWatchLogsRoleArn }),
    ImportedUsers: job.importedUsers,
    SkippedUsers: job.skippedUsers,
    FailedUsers: job.failedUsers,
    ...(job.completionMessage !== null && { CompletionMessage: job.completionMessage }),
  };
}

export const importJobOperations: Record<string, Operation> = {
  GetCSVHeader: adminOperation(GetCSVHeader, async (input, { services }) => ({
    UserPoolId: input.UserPoolId,
    CSVHeader: await services.importJobs.csvHeader(input.UserPoolId),
  })),

  /** CloudWatchLogsRoleArn is required, as in Cognito, and kept; Cognate writes no CloudWatch logs. */
  CreateUserImportJob: adminOperation(CreateUserImportJob, async (input, { services }) => ({
    UserImportJob: toUserImportJobType(
      await services.importJobs.createJob(input.UserPoolId, {
        name: input.JobName,
        cloudWatchLogsRoleArn: input.CloudWatchLogsRoleArn,
      }),
    ),
  })),

  StartUserImportJob: adminOperation(OneImportJob, async (input, { services }) => ({
    UserImportJob: toUserImportJobType(await services.importJobs.startJob(input.UserPoolId, input.JobId)),
  })),

  DescribeUserImportJob: adminOperation(OneImportJob, async (input, { services }) => ({
    UserImportJob: toUserImportJobType(await services.importJobs.describeJob(input.UserPoolId, input.JobId)),
  })),

  ListUserImportJobs: adminOperation(ListUserImportJobs, async (input, { services }) => {
    const page = await services.importJobs.listJobs(input.UserPoolId, {
      limit: input.MaxResults,
      ...(input.PaginationToken !== undefined && { nextToken: input.PaginationToken }),
    });
    return {
      UserImportJobs: page.jobs.map(toUserImportJobType),
      ...(page.nextToken && { PaginationToken: page.nextToken }),
    };
  }),

  StopUserImportJob: adminOperation(OneImportJob, async (input, { services }) => ({
    UserImportJob: toUserImportJobType(await services.importJobs.stopJob(input.UserPoolId, input.JobId)),
  })),
};
