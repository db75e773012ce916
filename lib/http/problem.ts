import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Context } from 'koa';
import { z } from 'zod';

/** One field at fault in a request, as a JSON pointer into the body. */
export interface FieldError {
  pointer: string;
  detail: string;
}

/** An RFC 9457 problem document. */
export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    errors: z.array(z.object({ pointer: z.string(), detail: z.string() })).optional(),
  })
  .meta({ id: 'Problem' });
export type ProblemBody = z.infer<typeof problemSchema>;

/** An error that is answered to the client as it is: a 4xx (or 5xx) problem document. */
export class HttpProblem extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    slug: string,
    detail: string,
    options: { errors?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.status = status;
    this.type = `/problems/${slug}`;
    this.title = STATUS_CODES[status] ?? 'Error';
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }

  toBody(): ProblemBody {
    const body: ProblemBody = { type: this.type, title: this.title, status: this.status, detail: this.message };
    if (this.errors) body.errors = this.errors;
    return body;
  }
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The problem for a request whose input failed validation, naming every field at fault. */
export function validationProblem(error: z.ZodError): HttpProblem {
  const errors = error.issues.map((issue) => ({
    pointer: `#/${issue.path.map(String).join('/')}`,
    detail: issue.message,
  }));
  return new HttpProblem(422, 'validation-error', 'The request body is not valid.', { errors });
}

/** Answers the request with a problem document. */
export function sendProblem(ctx: Context, problem: HttpProblem): void {
  ctx.status = problem.status;
  ctx.set(problem.headers);
  ctx.type = PROBLEM_CONTENT_TYPE;
  ctx.body = problem.toBody();
}

/**
 * Answers with a problem document straight on the socket and closes it: for what Node refuses
 * before any app sees it (a malformed request, a CONNECT).
 */
export function writeProblemToSocket(socket: Duplex, problem: HttpProblem): void {
  const body = JSON.stringify(problem.toBody());
  socket.end(
    `HTTP/1.1 ${problem.status} ${problem.title}\r\ncontent-type: ${PROBLEM_CONTENT_TYPE}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/**
 * Turns any thrown value into the problem the client sees. Errors from Koa's own middleware
 * (wrong method, unknown method) are http-errors, which carry `status` and `expose`.
 */
export function toProblem(error: unknown): HttpProblem {
  if (error instanceof HttpProblem) return error;
  if (error instanceof z.ZodError) return validationProblem(error);
  if (isHttpError(error)) {
    const detail = error.expose ? error.message : (STATUS_CODES[error.status] ?? 'Error');
    return new HttpProblem(error.status, slugFor(error.status), detail, error.headers ? { headers: error.headers } : {});
  }
  return new HttpProblem(500, 'internal-error', 'Something went wrong on our side.');
}

interface HttpError extends Error {
  status: number;
  expose: boolean;
  headers?: Record<string, string>;
}

function isHttpError(error: unknown): error is HttpError {
  if (!(error instanceof Error) || !('expose' in error) || !('status' in error)) return false;
  return typeof error.status === 'number' && error.status >= 400 && error.status < 600;
}

function slugFor(status: number): string {
  return (STATUS_CODES[status] ?? 'error').toLowerCase().replace(/[^a-z]+/g, '-');
}
