/** Cognito's UserImportJobStatusType (docs/user-import.md). */
export type ImportJobStatus =
  'Created' | 'Pending' | 'InProgress' | 'Stopping' | 'Expired' | 'Stopped' | 'Failed' | 'Succeeded';

/** One CSV row an import job could not import. */
export interface ImportJobFailure {
  /** The row's line in the uploaded file (the header is line 1). */
  line: number;
  message: string;
}
