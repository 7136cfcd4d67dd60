/** Cognito's UserImportJobStatusType (docs/user-import.md). */
export type ImportJobStatus =
  'Created' | 'Pending' | 'InProgress' | 'Stopping' | 'Expired' | 'Stopped' | 'Failed' | 'Succeeded';

/** One CSV row an import job could not import. */
export interface ImportJobFailure {
  /** The row's line in the uploaded file (the header is line 1). */
  line: number;
  message: string;
}

/** One import job as both faces show it (docs/user-import.md, "Import jobs"). */
export interface ImportJob {
  id: string;
  poolId: string;
  name: string;
  status: ImportJobStatus;
  /** Kept and shown as given; Cognate writes no CloudWatch logs. Empty when the REST face was not given one. */
  cloudWatchLogsRoleArn: string;
  /** Where the CSV goes: `PUT <PUBLIC_URL>/v1/import-uploads/<id>?expires=…&signature=…`. */
  preSignedUrl: string;
  uploadExpiresAt: Date;
  /** Whether a CSV has been uploaded (and not yet consumed by the run). */
  uploaded: boolean;
  importedUsers: number;
  skippedUsers: number;
  failedUsers: number;
  /** The first rows not imported (skipped or failed), with their line and reason. */
  failures: ImportJobFailure[];
  completionMessage: string | null;
  createdAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
}
