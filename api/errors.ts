import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type ErrorCode, type FieldProblem, WearwatchError } from '../core/errors.ts';

/**
 * Every error the API answers has one shape: a stable machine-readable `code`, a human `message` and, for bad input,
 * the failing `fields` (`body.serial`, `query.limit`, …) with the reason for each. Clients switch on `code`, never on
 * the message text.
 */
const fieldProblem: z.ZodType<FieldProblem> = z.object({
  field: z.string().describe('where the problem is: body.x, query.x, params.x or headers.x, dotted into nested values'),
  message: z.string(),
});

export const errorBody = z
  .object({
    error: z.object({
      code: z.string().describe('stable code, e.g. WW_VALIDATION, WW_NOT_FOUND, WW_UNAUTHORIZED'),
      message: z.string(),
      fields: z.array(fieldProblem).optional(),
    }),
  })
  .meta({ id: 'Error' });
export type ErrorBody = z.output<typeof errorBody>;

/** Answers of the error handler for statuses fastify itself raises (parsers, limits). */
const codeForStatus: Record<number, ErrorCode> = {
  400: 'WW_BAD_REQUEST',
  401: 'WW_UNAUTHORIZED',
  403: 'WW_FORBIDDEN',
  404: 'WW_NOT_FOUND',
  405: 'WW_METHOD_NOT_ALLOWED',
  406: 'WW_NOT_ACCEPTABLE',
  411: 'WW_LENGTH_REQUIRED',
  413: 'WW_PAYLOAD_TOO_LARGE',
  414: 'WW_URI_TOO_LONG',
  415: 'WW_UNSUPPORTED_MEDIA_TYPE',
  408: 'WW_REQUEST_TIMEOUT',
  429: 'WW_RATE_LIMITED',
  431: 'WW_HEADERS_TOO_LARGE',
};

const contextName: Record<string, string> = { body: 'body', querystring: 'query', params: 'params', headers: 'headers' };

/** Zod issues → field problems, with the same naming as request validation failures. */
export function fieldProblems(issues: readonly z.core.$ZodIssue[], context: string): FieldProblem[] {
  return issues.map((issue) => ({
    field: [context, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
}

function toErrorBody(code: string, message: string, fields?: FieldProblem[]): ErrorBody {
  return { error: { code, message, ...(fields?.length ? { fields } : {}) } };
}

/** Maps any thrown error to a status and an ErrorBody. Bad input is always a 4xx; only our own faults are a 500. */
export function describeError(error: unknown): { status: number; body: ErrorBody; internal: boolean } {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const context = contextName[(error as FastifyError).validationContext ?? 'body'] ?? 'body';
    const fields = error.validation.map((v) => ({
      field: [context, ...v.instancePath.split('/').filter(Boolean)].join('.'),
      message: v.message ?? 'invalid',
    }));
    return {
      status: 400,
      body: toErrorBody('WW_VALIDATION', `invalid request: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`, fields),
      internal: false,
    };
  }
  if (error instanceof WearwatchError) {
    const message = error.hint ? `${error.message} (${error.hint})` : error.message;
    return { status: error.status, body: toErrorBody(error.code, message, error.fields), internal: error.status >= 500 };
  }
  const status = (error as FastifyError)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, body: toErrorBody(codeForStatus[status] ?? 'WW_BAD_REQUEST', (error as Error).message), internal: false };
  }
  return { status: 500, body: toErrorBody('WW_INTERNAL', 'internal error; it has been logged'), internal: true };
}

/** Errors the router raises before a route is chosen (bad URL encoding, over-long parameter), in the same format. */
export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = describeError(error);
  void reply.code(status).send(body);
}

const clientErrorStatus: Record<string, number> = { HPE_HEADER_OVERFLOW: 431, ERR_HTTP_REQUEST_TIMEOUT: 408 };

/**
 * Errors Node's HTTP parser raises before fastify sees a request (headers too large, malformed request line), in the
 * same JSON body as every other error instead of fastify's own shape.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const status = clientErrorStatus[error.code ?? ''] ?? 400;
  const message = status === 431 ? 'the request headers are too large' : status === 408 ? 'the request took too long to arrive' : 'the request is malformed';
  const body = JSON.stringify(toErrorBody(codeForStatus[status] ?? 'WW_BAD_REQUEST', message));
  socket.end(
    `HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request'}\r\n` +
      `Connection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** Installs the JSON error format for thrown errors and unknown routes. */
// biome-ignore lint/suspicious/noExplicitAny: any logger / type provider: the handler only sends JSON
export function registerErrorHandling(app: FastifyInstance<any, any, any, any, any>): void {
  app.setErrorHandler((error, request, reply) => {
    const { status, body, internal } = describeError(error);
    if (internal) request.log.error({ err: error, url: request.url }, 'request failed');
    if (status === 429 && !reply.hasHeader('retry-after')) reply.header('retry-after', '60');
    return reply.code(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send(toErrorBody('WW_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`)));
}

/** Error responses to spread into a route's `response` schema so OpenAPI documents them. */
export const errorResponses = (...statuses: number[]): Record<number, typeof errorBody> => Object.fromEntries(statuses.map((s) => [s, errorBody]));
