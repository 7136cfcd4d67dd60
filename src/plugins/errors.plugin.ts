import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { isConnectionError } from '../db/errors.ts';
import { CognitoError, isCognitoError } from '../errors/cognito-error.ts';

interface ValidationIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Cognito's wording for schema failures: `Value at 'x' failed to satisfy constraint: ...`. */
function describeValidation(issues: ValidationIssue[], context: string | undefined): string {
  const described = issues.map((issue) => {
    const path = [context, ...issue.instancePath.split('/').filter(Boolean)].filter(Boolean).join('.');
    if (issue.keyword === 'additionalProperties') {
      return `Unknown member '${String(issue.params.additionalProperty)}' at '${path || 'body'}'`;
    }
    if (issue.keyword === 'required')
      return `Member '${String(issue.params.missingProperty)}' at '${path || 'body'}' is required`;
    return `Value at '${path || 'body'}' failed to satisfy constraint: ${issue.message ?? issue.keyword}`;
  });
  return `${described.length} validation error${described.length === 1 ? '' : 's'} detected: ${described.join('; ')}`;
}

/** Every failure, whatever its source, becomes a typed CognitoError. */
export function toCognitoError(error: FastifyError | Error): CognitoError {
  if (isCognitoError(error)) return error;
  const e = error as FastifyError & { validation?: ValidationIssue[]; validationContext?: string };
  if (e.validation)
    return new CognitoError('InvalidParameterException', describeValidation(e.validation, e.validationContext));
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return new CognitoError('InvalidParameterException', 'Unsupported media type: send application/json.', {
      status: 415,
    });
  }
  if (
    e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
    e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
    e instanceof SyntaxError
  ) {
    return new CognitoError('InvalidParameterException', 'The request body is not valid JSON.');
  }
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new CognitoError('InvalidParameterException', 'The request body is too large.', { status: 413 });
  }
  if (e.code === 'FST_ERR_BAD_URL')
    return new CognitoError('InvalidParameterException', 'The URL is not validly percent-encoded.');
  if (e.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return new CognitoError('InvalidParameterException', 'A path parameter is too long.', { status: 414 });
  }
  if (isConnectionError(e)) {
    return new CognitoError('InternalErrorException', 'The database is unavailable; try again shortly.', {
      status: 503,
      cause: e,
    });
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new CognitoError('InvalidParameterException', e.message, { status: e.statusCode });
  }
  return new CognitoError('InternalErrorException', 'Internal error.', { cause: e });
}

export function sendProblem(reply: FastifyReply, error: CognitoError) {
  return reply
    .status(error.status)
    .type('application/problem+json')
    .send({
      type: `urn:cognate:error:${error.name}`,
      title: error.name,
      status: error.status,
      detail: error.message,
      code: error.name,
    });
}

/** One place turns errors into problem documents; modules only throw CognitoError. */
export const errorsPlugin = fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      const problem = toCognitoError(error);
      if (problem.status >= 500) request.log.error({ err: problem.cause ?? error }, problem.message);
      else request.log.info({ code: problem.name, status: problem.status }, problem.message);
      return sendProblem(reply, problem);
    });
    app.setNotFoundHandler((request, reply) =>
      sendProblem(
        reply,
        new CognitoError('ResourceNotFoundException', `No route ${request.method} ${request.url.split('?')[0]}.`),
      ),
    );
  },
  { name: 'errors' },
);
